"""The leak matrix's world: organisations of every kind, users of every role, and reports of every
distribution and status, each carrying canary strings that name it.

The world lives in a database of its own, built once per test module and committed (the matrix reads
it thousands of times; a savepoint per test would rebuild it thousands of times). Every request runs in
its own application context, as when served.

Canaries: report number `n` carries `qz<nn>` at the start of every free-text field it has (narrative,
concealment details, item description, vessel name, place name, a person's name, a passport number), so
`qz<nn>` anywhere in a response means report `n` contributed to it. Its quantity is 987 600 + n sticks.
A validator's comment on it (`qz<nn>comm`) follows the rule of persons.

States: draft, submitted (awaiting validation), returned (submitted, sent back by a JIO validator with a
comment), validated (by a JIO validator with a comment; an `organisation` report, which no validator can
see, is set validated directly: the rule must hold however a report reached a state), withdrawn.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db

from tests import factories
from tests.conftest import TestConfig, _fresh_database_url, make_app

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
OPERATION = "OP-LEAK-2026"
DISTRIBUTIONS = ("organisation", "operation", "network", "partners")
STATUSES = ("draft", "submitted", "returned", "validated", "withdrawn")
# A TLP each distribution allows (red and amber+strict only where DESIGN.md permits them).
TLPS = {"organisation": ("red", "amber"), "operation": ("amber+strict", "green"),
        "network": ("amber", "green"), "partners": ("green", "clear")}
QUANTITY_BASE = 987_600


@dataclass(frozen=True)
class Org:
    code: str
    kind: str
    in_operation: bool  # leads or takes part in OPERATION


# Two reporting administrations (one in the operation, one not), a third administration, a regional
# office that leads the operation and one that does not, a partner in the operation and one outside it.
ORGS = (
    Org("JM", "administration", False),
    Org("KY", "administration", True),
    Org("BB", "administration", False),
    Org("JIO", "regional_office", True),
    Org("RILO", "regional_office", False),
    Org("WCO", "partner", True),
    Org("IPOL", "partner", False),
)
REPORTERS = ("JM", "KY")
CONFERENCE_PARTICIPANTS = ("JM", "WCO")  # the conference's organiser is the JIO
ROLES = ("officer", "analyst", "validator", "manager")


@dataclass(frozen=True)
class ViewerSpec:
    org: Org
    role: str

    @property
    def name(self) -> str:
        return f"{self.org.code}.{self.role}"

    @property
    def email(self) -> str:
        return f"{self.role}@{self.org.code.lower()}.leak.example"


VIEWERS = tuple(ViewerSpec(o, r) for o in ORGS for r in ROLES) + (ViewerSpec(ORGS[3], "sysadmin"),)


@dataclass(frozen=True)
class ReportSpec:
    number: int
    reporter: str
    distribution: str
    status: str
    tlp: str

    @property
    def name(self) -> str:
        return f"{self.reporter}.{self.distribution}.{self.status}.{self.tlp}"

    @property
    def canary(self) -> str:
        return f"qz{self.number:02d}"

    @property
    def api_status(self) -> str:
        """The report's `status` field: a returned report is still `submitted`."""
        return "submitted" if self.status == "returned" else self.status

    @property
    def quantity(self) -> int:
        return QUANTITY_BASE + self.number

    @property
    def arrests(self) -> int:
        return self.number

    @property
    def person_canaries(self) -> tuple[str, str]:
        return f"{self.canary}pers", f"{self.canary}pass".upper()

    @property
    def comment_canary(self) -> str | None:
        """The validator's comment, on returned reports and those validated through the service."""
        if self.status == "returned" or (self.status == "validated" and self.distribution != "organisation"):
            return f"{self.canary}comm"
        return None

    @property
    def seized_on(self) -> date:
        return date(2026, 3, 1) + timedelta(days=self.number)


def _report_specs() -> tuple[ReportSpec, ...]:
    specs, number = [], 0
    for reporter in REPORTERS:
        for distribution in DISTRIBUTIONS:
            for index, status in enumerate(STATUSES):
                if status == "returned" and distribution == "organisation":
                    continue  # no validator can see it, so none can return it
                number += 1
                specs.append(ReportSpec(number, reporter, distribution, status, TLPS[distribution][index % 2]))
    return tuple(specs)


REPORTS = _report_specs()


def report_body(spec: ReportSpec) -> dict:
    c = spec.canary
    moment = datetime.combine(spec.seized_on, time(12), timezone(timedelta(hours=-5)))
    return factories.report_payload(
        seized_at=moment.isoformat(), country=spec.reporter,
        narrative=f"{c}narr seizure narrative of report {spec.number}.",
        concealment_details=f"{c}conc behind a false wall",
        location={"name": f"{c}plac wharf", "type": "seaport", "lat": 18.0, "lon": -77.0},
        items=[{"category": "tobacco", "subcategory": "cigarettes", "description": f"{c}desc counterfeit",
                "quantity": spec.quantity, "unit": "sticks"}],
        route=[{"role": "departure", "country": "PA"}, {"role": "destination", "country": spec.reporter}],
        conveyance={"vessel_name": f"{c}vess", "imo": "9321483", "flag": "LR", "containers": [],
                    "flight": None, "vehicle_plate": None},
        persons=[{"role": "suspect", "name": f"{c}pers Doe", "nationality": "JM",
                  "document": {"type": "passport", "number": spec.person_canaries[1], "country": "JM"}}],
        arrests=spec.arrests, operations=[OPERATION],
        marking={"tlp": spec.tlp, "distribution": spec.distribution, "handling": "P"})


class RequestScopedClient(FlaskClient):
    def open(self, *args, **kwargs):  # noqa: ANN002,ANN003,ANN201
        with self.application.app_context():
            return super().open(*args, **kwargs)


class LeakConfig(TestConfig):
    RATE_LIMIT_LOGIN = "off"
    RATE_LIMIT_API_TOKEN = "off"
    RATE_LIMIT_API_ADDRESS = "off"


@dataclass
class World:
    app: Flask
    url: str
    ids: dict[int, str] = field(default_factory=dict)  # report number -> id
    references: dict[int, str] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # viewer name -> API token (read-write)
    conference_id: int = 0
    _browsers: dict[str, tuple[RequestScopedClient, str]] = field(default_factory=dict)

    def client(self) -> RequestScopedClient:
        return RequestScopedClient(self.app, self.app.response_class, use_cookies=True)

    def api(self, viewer: ViewerSpec, method: str, path: str, **kwargs):  # noqa: ANN201
        headers = {"Authorization": f"Bearer {self.tokens[viewer.name]}", **kwargs.pop("headers", {})}
        return self.client().open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def browser(self, viewer: ViewerSpec) -> tuple[RequestScopedClient, str]:
        """A signed-in web session of `viewer` (made once) and its CSRF token."""
        if viewer.name not in self._browsers:
            client = self.client()
            token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
            response = client.post("/login", data={"email": viewer.email, "password": factories.PASSWORD,
                                                   "csrf_token": token})
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            page = client.get("/account").get_data(as_text=True)
            self._browsers[viewer.name] = (client, CSRF_META.search(page).group(1))
        return self._browsers[viewer.name]

    def page(self, viewer: ViewerSpec, path: str):  # noqa: ANN201
        return self.browser(viewer)[0].get(path)


def build(tmp: Path, name: str, config: type[TestConfig] = LeakConfig) -> World:
    """A fresh, migrated database with the whole world committed in it."""
    url = _fresh_database_url(tmp, f"{name}_{os.getpid()}")
    app = make_app(url)
    app.config.from_object(config(url))
    world = World(app, url)
    with app.test_request_context():  # the audit trail records who did what from where
        _populate(world)
        db.session.commit()
        _every_report_has_its_document()
    return world


def _every_report_has_its_document() -> None:
    """The detail read serves a report's stored document while it is current (app.seizures.documents),
    else loads the report: the matrix is to check the first path, the one reads take once indexed."""
    from sqlalchemy import func, select

    from app.seizures.models import ReportDocument, SeizureReport

    reports = db.session.scalar(select(func.count()).select_from(SeizureReport))
    current = db.session.scalar(select(func.count()).select_from(ReportDocument).join(
        SeizureReport, SeizureReport.id == ReportDocument.report_id).where(ReportDocument.version == SeizureReport.version))
    assert reports and current == reports, f"{current} of {reports} reports have a current stored document"


def drop(world: World) -> None:
    with world.app.app_context():
        db.session.remove()
        db.engine.dispose()
    factories.drop_postgres_database(world.url)


def _populate(world: World) -> None:
    from app.conferences import services as conference_services
    from app.conferences.schemas import ConferenceSchema
    from app.seizures import services as seizure_services
    from app.users import services as user_services
    from app.validation import services as validation

    orgs = {o.code: factories.org(o.code, o.kind, f"{o.code} leak organisation") for o in ORGS}
    users = {}
    for viewer in VIEWERS:
        users[viewer.name] = user_services.create_user(viewer.email, viewer.org.code, [viewer.role], factories.PASSWORD)
        world.tokens[viewer.name] = user_services.create_token(users[viewer.name], "leak", scope="write")[1]
    factories.operation(OPERATION, orgs["JIO"], [orgs[o.code] for o in ORGS if o.in_operation and o.code != "JIO"],
                        name="Operation Leak", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30),
                        focus_categories=["tobacco"])
    for spec in REPORTS:
        author = users[f"{spec.reporter}.officer"]
        report = factories.report(author, submit=spec.status != "draft", **report_body(spec))
        if spec.status == "withdrawn":
            seizure_services.withdraw_report(author, report)
        elif spec.status == "validated" and spec.distribution == "organisation":
            _mark_validated(report)
        elif spec.status == "validated":
            validation.validate_report(users["JIO.validator"], report, dict.fromkeys(validation.CHECKLIST, True),
                                       f"{spec.comment_canary} all checked")
        elif spec.status == "returned":
            validation.return_report(users["JIO.validator"], report, f"{spec.comment_canary} check the quantity")
        db.session.flush()
        world.ids[spec.number], world.references[spec.number] = report.id, report.reference
        world.versions[spec.number] = report.version
    conference = conference_services.create_conference(users["JIO.analyst"], ConferenceSchema().load({
        "title": "Leak conference", "venue": "Kingston", "starts_on": "2026-10-20", "ends_on": "2026-10-22",
        "organiser": "JIO", "participants": [{"organisation": code} for code in CONFERENCE_PARTICIPANTS],
        "figures_from": "2026-03-01", "figures_to": "2026-06-30", "figures_categories": ["tobacco"],
        "operations": [OPERATION]}))
    world.conference_id = conference.id


def _mark_validated(report) -> None:  # noqa: ANN001
    """The state as the validation service leaves it (for a report no validator can reach)."""
    from app.database import utcnow
    from app.search.services import report_changed

    report.status = "validated"
    if hasattr(report, "validated_at"):
        report.validated_at = utcnow()
    db.session.flush()
    report_changed(report)
