"""Factories for organisations, users, tokens and reports, and a JSON API client."""
from __future__ import annotations

import copy
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import psycopg
from sqlalchemy.engine import make_url

from app.extensions import db
from app.operations.models import Operation
from app.organisations.models import Organisation
from app.seizures import services as seizure_services
from app.seizures.models import SeizureReport
from app.seizures.schemas import SeizureReportSchema
from app.users import services as user_services
from app.users.models import User

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def create_postgres_database(base_url: str, name: str) -> str:
    url = make_url(base_url)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database,
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url_string: str) -> None:
    url = make_url(url_string)
    if not url.drivername.startswith("postgresql"):
        return
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def org(code: str, kind: str = "administration", name: str | None = None) -> Organisation:
    existing = db.session.query(Organisation).filter_by(code=code).one_or_none()
    if existing:
        return existing
    o = Organisation(code=code, name=name or f"{code} organisation", kind=kind,
                     country=code if kind == "administration" and len(code) == 2 else None)
    db.session.add(o)
    db.session.flush()
    return o


def user(organisation: Organisation, *roles: str, email: str | None = None) -> User:
    email = email or f"{'-'.join(roles) or 'user'}{next(_seq)}@{organisation.code.lower()}.example"
    return user_services.create_user(email, organisation.code, list(roles) or ["officer"], PASSWORD)


def token(u: User) -> str:
    return user_services.create_token(u, "tests")[1]


def report_payload(**overrides) -> dict:
    """A complete, valid report body as the API takes it."""
    body = {
        "seized_at": (datetime.now(timezone.utc) - timedelta(days=3)).astimezone(
            timezone(timedelta(hours=-5))).isoformat(timespec="seconds"),
        "country": "JM",
        "location": {"name": "Kingston Container Terminal", "locode": "JMKIN", "type": "seaport",
                     "lat": 17.97, "lon": -76.79},
        "procedure": "import", "traffic": "cargo", "transport_mode": "sea",
        "detection_methods": ["risk_profiling", "xray"], "concealment_methods": ["within_goods"],
        "concealment_details": "inside frozen fish cartons",
        "narrative": "Counterfeit cigarettes found in a reefer container from Panama.", "language": "en",
        "items": [{"category": "tobacco", "subcategory": "cigarettes", "description": "Counterfeit 'Marlboro'",
                   "quantity": 50, "unit": "cartons", "hs_code": "240220",
                   "estimated_value": {"amount": 7500, "currency": "USD"},
                   "details": {"brand": "Marlboro", "status": "counterfeit"}}],
        "route": [{"role": "departure", "country": "PA", "place": "PAMIT"},
                  {"role": "transit", "country": "DO"},
                  {"role": "destination", "country": "JM", "place": "JMKIN"}],
        "conveyance": {"vessel_name": "MSC Example", "imo": "9321483", "flag": "LR",
                       "containers": ["MSCU1234566"], "flight": None, "vehicle_plate": None},
        "persons": [{"role": "consignee", "name": "Winston Uniquename", "nationality": "JM",
                     "document": {"type": "passport", "number": "P9988776", "country": "JM"}}],
        "arrests": 1,
        "operations": [],
        "marking": {"tlp": "amber", "distribution": "network", "handling": "P",
                    "source_reliability": "B", "information_credibility": "2"},
    }
    for key, value in overrides.items():
        body[key] = value
    return copy.deepcopy(body)


def report(author: User, *, submit: bool = True, **overrides) -> SeizureReport:
    data = SeizureReportSchema().load(report_payload(**overrides))
    r = seizure_services.create_report(author, data, submit=submit)
    return r


def operation(code: str, lead: Organisation, participants: list[Organisation], **extra) -> Operation:
    from datetime import date

    op = Operation(code=code, name=extra.get("name", code.title()), description="", lead_organisation=lead,
                   starts_on=extra.get("starts_on", date(2017, 10, 1)), ends_on=extra.get("ends_on", date(2017, 11, 15)),
                   focus_categories=extra.get("focus_categories", ["firearms"]), participants=participants)
    db.session.add(op)
    db.session.flush()
    return op


@dataclass
class World:
    jm: Organisation
    ky: Organisation
    jio: Organisation
    partner: Organisation
    users: dict[str, User] = field(default_factory=dict)

    @classmethod
    def build(cls) -> World:
        w = cls(jm=org("JM", name="Jamaica Customs Agency"), ky=org("KY", name="Cayman Islands Customs"),
                jio=org("JIO", "regional_office", "CCLEC Joint Intelligence Office"),
                partner=org("WCO", "partner", "World Customs Organization"))
        w.users = {
            "jm_officer": user(w.jm, "officer"), "jm_officer2": user(w.jm, "officer"),
            "jm_analyst": user(w.jm, "analyst"), "jm_manager": user(w.jm, "manager"),
            "ky_officer": user(w.ky, "officer"), "ky_analyst": user(w.ky, "analyst"),
            "jio_validator": user(w.jio, "validator"), "jio_analyst": user(w.jio, "analyst"),
            "partner_analyst": user(w.partner, "analyst"), "sysadmin": user(w.jio, "sysadmin"),
        }
        return w

    def __getitem__(self, name: str) -> User:
        return self.users[name]


class ApiClient:
    """The Flask test client speaking JSON with a bearer token."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client = client
        self._tokens: dict[int, str] = {}

    def as_(self, u: User) -> ApiClient:
        other = ApiClient(self.client)
        other._tokens = self._tokens
        other._user = u
        return other

    def _headers(self) -> dict:
        u = getattr(self, "_user", None)
        if u is None:
            return {}
        if u.id not in self._tokens:
            self._tokens[u.id] = token(u)
        return {"Authorization": f"Bearer {self._tokens[u.id]}"}

    def request(self, method: str, path: str, **kwargs):  # noqa: ANN201
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):  # noqa: ANN201
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):  # noqa: ANN001,ANN201
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json=None, **kwargs):  # noqa: ANN001,ANN201
        return self.request("PATCH", path, json=json, **kwargs)


def new_id() -> str:
    return str(uuid.uuid4())
