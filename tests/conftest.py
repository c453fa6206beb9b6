"""Test set-up: a schema built by the migrations, a savepoint rolled back per test, factories.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(e.g. postgresql://postgres@127.0.0.1:5432/test).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import text

from app import create_app
from app.config import Config, database_url
from app.extensions import db

from tests import factories


def _fresh_database_url(tmp: Path, name: str) -> str:
    """An empty database of the kind under test (a SQLite file, or a PostgreSQL database)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp / (name + '.db')}"
    return factories.create_postgres_database(database_url(base), name)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    PASSWORD_HASH_FAST = True
    WTF_CSRF_ENABLED = True

    def __init__(self, database: str) -> None:
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = database


def make_app(database: str) -> Flask:
    app = create_app(TestConfig(database))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="elix-tests-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session")
def app(tmp_root: Path) -> Iterator[Flask]:
    url = _fresh_database_url(tmp_root, f"elix_test_{os.getpid()}")
    application = make_app(url)
    yield application
    with application.app_context():
        db.engine.dispose()
    factories.drop_postgres_database(url)


class _ConnectionSession(FlaskSession):
    """Flask-SQLAlchemy's Session picks the app's engine over the session's own bind; a test's
    session must use the test's connection, or its commits escape the rolled-back transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # noqa: ANN001,ANN201
        return bind if bind is not None else self.bind


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app runs inside a transaction that is rolled back afterwards.
    Commits made by the code under test only release savepoints."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint",
                                              "class_": _ConnectionSession})
        try:
            yield
            if getattr(request.node, "passed_its_call", False):
                stored_documents_are_current(connection)
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    if call.when == "call":
        item.passed_its_call = outcome.get_result().passed


DOCUMENTS_CHECKED = 10  # per test: the reports changed last


def stored_documents_are_current(connection) -> None:  # noqa: ANN001 - the test's Connection
    """The drift guard of app.seizures.documents, run after every test that passed: each report the test
    left with a current stored document (the last changed ones) has the document a fresh load and dump
    gives. A change path that stores a document from stale objects fails here."""
    import orjson
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.seizures import documents
    from app.seizures.models import ReportDocument, SeizureReport

    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        rows = session.execute(select(ReportDocument.report_id, ReportDocument.body)
                               .join(SeizureReport, SeizureReport.id == ReportDocument.report_id)
                               .where(ReportDocument.version == SeizureReport.version,
                                      ReportDocument.format == documents.FORMAT)
                               .order_by(SeizureReport.updated_at.desc()).limit(DOCUMENTS_CHECKED)).all()
        for report_id, body in rows:
            fresh = orjson.loads(orjson.dumps(documents.dump(session.get(SeizureReport, report_id))))
            assert orjson.loads(body) == fresh, f"report {report_id}: its stored document is not what a fresh dump gives"
    finally:
        session.close()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def world(app: Flask) -> factories.World:
    """A small network: JM and KY administrations, the JIO, a partner; users of every role."""
    return factories.World.build()


@pytest.fixture
def api(client) -> factories.ApiClient:
    return factories.ApiClient(client)


def is_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL"))


@pytest.fixture
def dialect(app: Flask) -> str:
    return db.session.execute(text("SELECT 1")) and db.engine.dialect.name


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    """The app under gunicorn (3 workers) on its own fresh, migrated database.
    Use `live_server.flask("users", "create", ...)` to seed it through the CLI."""
    from tests.live import LiveServer

    tmp = tmp_path_factory.mktemp("live")
    url = _fresh_database_url(tmp, f"elix_live_{os.getpid()}")
    server = LiveServer(url, tmp / "instance").start()
    yield server
    server.stop()
    factories.drop_postgres_database(url)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (never `playwright install`): the browser tests' one browser."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium; `apt-get install chromium` enables this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
