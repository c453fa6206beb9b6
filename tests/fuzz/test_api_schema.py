"""Schemathesis against /api/v1/openapi.json: every operation, as an officer with a read-write token and as an
analyst with a read-only token. No 500, and every response (status, body) is one the document declares.

More examples than the CI default: ELIX_FUZZ_EXAMPLES=500 pytest tests/fuzz/test_api_schema.py
"""
from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from app.api.openapi import openapi_document
from app.conferences import services as conference_services
from app.conferences.schemas import ConferenceSchema
from app.extensions import db
from app.jobs.services import request_product
from app.users import services as user_services

from tests import factories
from tests.fuzz.conftest import FUZZ_RUNS

EXAMPLES = int(os.environ.get("ELIX_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
OPERATION_CODE = "CARIBBEAN-SHIELD-2017"


class CountingApp:
    """The Flask app, each request in an application context of its own (a fresh database session on the
    test's connection, removed when the request ends), as when it is served; counts requests and statuses."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.requests = 0
        self.statuses: Counter = Counter()

    def __call__(self, environ, start_response):  # noqa: ANN001,ANN204
        def counting_start_response(status: str, headers, *args):  # noqa: ANN001,ANN002,ANN202
            self.statuses[int(status.split()[0])] += 1
            return start_response(status, headers, *args)

        self.requests += 1
        with self.app.app_context():
            return self.app(environ, counting_start_response)


@dataclass
class Known:
    """Ids of rows that exist, so that a share of the generated cases reaches past the 404 of a path."""
    path_values: dict[str, list[str]] = field(default_factory=dict)

    def substitute(self, case: schemathesis.Case) -> None:
        for name, value in (case.path_parameters or {}).items():
            choices = self.path_values.get(name)
            if not choices:
                continue
            # Deterministic (crc32, not the salted hash()): most cases name a row that exists.
            pick = zlib.crc32(repr(value).encode()) % (len(choices) + 1)
            if pick < len(choices):
                case.path_parameters[name] = choices[pick]


def _caller(role: str, scope: str) -> tuple[str, Known]:
    """A bearer token of a JM user with that role and scope, and rows worth naming in paths."""
    world = factories.World.build()
    draft = factories.report(world["jm_officer"], submit=False)
    submitted = factories.report(world["jm_officer"])
    other = factories.report(world["ky_officer"])
    factories.operation(OPERATION_CODE, world.jm, [world.ky])
    conference = conference_services.create_conference(world["jm_analyst"], ConferenceSchema().load({
        "title": "ELO conference", "starts_on": "2026-03-02", "ends_on": "2026-03-04", "organiser": "JM"}))
    user = world[f"jm_{role}"]
    job = request_product(user, "conference_report", {"conference": conference.id}, filename="c.pdf")
    _, token = user_services.create_token(user, "fuzz", scope=scope)
    db.session.commit()
    known = Known({"report_id": [str(draft.id), str(submitted.id), str(other.id)], "code": [OPERATION_CODE],
                   "conference_id": [str(conference.id)], "job_id": [str(job.id)]})
    return token, known


@pytest.fixture
def officer(app: Flask) -> tuple[str, Known]:
    return _caller("officer", "write")


@pytest.fixture
def analyst(app: Flask) -> tuple[str, Known]:
    return _caller("analyst", "read")


@pytest.fixture
def api_app(app: Flask, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingApp]:
    # A long run (ELIX_FUZZ_EXAMPLES) would otherwise spend itself on 429s; the limits have tests of their own.
    monkeypatch.setitem(app.config, "RATE_LIMIT_API_TOKEN", "1000000/minute")
    monkeypatch.setitem(app.config, "RATE_LIMIT_API_ADDRESS", "1000000/minute")
    counting = CountingApp(app)
    yield counting
    if "[" in request.node.name:  # a schemathesis run: "test_…[GET /seizures]"
        FUZZ_RUNS[request.node.name] = (counting.requests, counting.statuses)


# Built at collection, one test per operation. (schemathesis' fixture-loaded schema needs a pytest internal,
# Node._nodeid, that pytest 9.2 no longer has.) The first test checks that the app serves this very document.
schema = schemathesis.openapi.from_dict(openapi_document())


def test_the_fuzzed_document_is_the_served_one(app: Flask) -> None:
    served = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    assert served.raw_schema == schema.raw_schema
    assert len(list(schema.get_all_operations())) >= 25


def test_what_one_call_writes_the_next_one_reads(api_app: CountingApp, officer: tuple[str, Known]) -> None:
    """The fuzzed calls share the test's transaction: a withdrawal is seen by the next call (a 409 there)."""
    from werkzeug.test import Client

    token, known = officer
    client, headers = Client(api_app), {"Authorization": f"Bearer {token}"}
    report_id = known.path_values["report_id"][1]
    assert client.post(f"/api/v1/seizures/{report_id}/withdraw", headers=headers).status_code == 200
    assert client.get(f"/api/v1/seizures/{report_id}", headers=headers).json["status"] == "withdrawn"
    assert client.post(f"/api/v1/seizures/{report_id}/withdraw", headers=headers).status_code == 409


FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def _call(case: schemathesis.Case, caller: tuple[str, Known], api_app: CountingApp) -> None:
    token, known = caller
    known.substitute(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, app=api_app)


@schema.parametrize()
@FUZZ
def test_officer_with_a_read_write_token(case: schemathesis.Case, officer: tuple[str, Known],
                                         api_app: CountingApp) -> None:
    _call(case, officer, api_app)


@schema.parametrize()
@FUZZ
def test_analyst_with_a_read_only_token(case: schemathesis.Case, analyst: tuple[str, Known],
                                        api_app: CountingApp) -> None:
    _call(case, analyst, api_app)
