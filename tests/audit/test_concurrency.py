"""Concurrent appends keep one chain: threads appending directly (as commands do) and threads reading a
report through the API (records written after the response is ready) against a database file of their
own (SQLite: BEGIN IMMEDIATE serialises the writers; PostgreSQL: the head row is locked FOR UPDATE)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import audit
from app.audit.chain import verify
from app.audit.models import AuditRecord
from app.database import write_intent
from app.extensions import db

from tests import factories
from tests.conftest import _fresh_database_url, make_app

THREADS = 6
APPENDS = 20
READS = 8


@pytest.fixture
def own_app(tmp_path) -> Iterator[Flask]:  # noqa: ANN001
    url = _fresh_database_url(tmp_path, "elix_audit_concurrency")
    application = make_app(url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    factories.drop_postgres_database(url)


def test_concurrent_appends_and_reads_keep_one_chain(own_app):
    with own_app.app_context(), write_intent():
        world = factories.World.build()
        report = factories.report(world["jm_officer"])
        tokens = [factories.token(world["jm_analyst"]) for _ in range(THREADS)]
        report_id, actor_id = report.id, world["jm_officer"].id
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(AuditRecord))
    barrier = threading.Barrier(THREADS * 2)

    def append(n: int) -> None:
        with own_app.app_context():
            actor = db.session.get(type(world["jm_officer"]), actor_id)
            db.session.commit()  # end the read: on SQLite a deferred read cannot safely turn into a write
            barrier.wait()
            for i in range(APPENDS):
                with write_intent():
                    audit.record("test.concurrent", actor=actor, details={"thread": n, "i": i})
                    db.session.commit()

    def read(n: int) -> list[int]:
        client = own_app.test_client()
        barrier.wait()
        return [client.get(f"/api/v1/seizures/{report_id}", headers={"Authorization": f"Bearer {tokens[n]}"})
                .status_code for _ in range(READS)]

    with ThreadPoolExecutor(THREADS * 2) as pool:
        appends = [pool.submit(append, n) for n in range(THREADS)]
        reads = [pool.submit(read, n) for n in range(THREADS)]
        statuses = [status for future in reads for status in future.result()]
        for future in appends:
            future.result()

    assert statuses == [200] * THREADS * READS
    with own_app.app_context():
        verdict = verify(db.session)
        ids = db.session.scalars(select(AuditRecord.id).order_by(AuditRecord.id)).all()
        actions = db.session.scalars(select(AuditRecord.action).where(AuditRecord.id > before)).all()
    assert verdict.ok, verdict.problem
    assert ids == list(range(1, len(ids) + 1))
    assert actions.count("test.concurrent") == THREADS * APPENDS
    assert actions.count("report.read") == THREADS * READS
