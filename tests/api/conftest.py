"""API tests: every request runs in its own application context, as it does when served.

The shared `client` fixture sends its requests inside the test's application context, so `g` (and
Flask-Login's cached user) and the database session carry over from one request to the next, and a
failed request's session is never torn down. Here each request gets a fresh context, hence a fresh
session on the test's connection, removed (rolled back unless committed) when the request ends.
"""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.operations.models import Operation
from app.seizures.models import Person, ReferenceCounter, RouteLeg, SeizureItem, SeizureReport

from tests import factories


class RequestScopedClient(FlaskClient):
    def open(self, *args, **kwargs):  # noqa: ANN002,ANN003,ANN201
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> RequestScopedClient:
    return RequestScopedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def api(client: RequestScopedClient) -> factories.ApiClient:
    return factories.ApiClient(client)


def database_counts() -> dict[str, object]:
    """What a failed request must leave untouched: rows of every report table and the counters."""
    counts: dict[str, object] = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (SeizureReport, SeizureItem, RouteLeg, Person, Operation)
    }
    counts["reference_counters"] = sorted(
        tuple(row) for row in db.session.execute(
            select(ReferenceCounter.organisation_id, ReferenceCounter.year, ReferenceCounter.last_value)))
    counts["report_versions"] = sorted(
        tuple(row) for row in db.session.execute(
            select(SeizureReport.id, SeizureReport.version, SeizureReport.status, SeizureReport.updated_at)))
    return counts


@pytest.fixture
def unchanged():
    """`with unchanged(): response = ...` asserts the request wrote nothing."""
    import contextlib

    @contextlib.contextmanager
    def check():
        before = database_counts()
        yield
        db.session.expire_all()
        assert database_counts() == before, "a failed request changed the database"

    return check
