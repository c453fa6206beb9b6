"""Sync without loss: outbox rows written with the change, drained in bulk, newest version wins,
kept while the engine is down, and the `flask search` commands."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text, update

from app.extensions import db
from app.permissions import viewer_for
from app.search import services
from app.search.models import SearchOutbox
from app.seizures import services as seizure_services
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend
from search.client import build_client
from search.outbox import OutboxWorker
from search.query import Filters, SearchQuery
from tests import factories


@contextmanager
def _same_transaction():
    yield db.session.connection()


def outbox() -> list[str]:
    return list(db.session.scalars(select(SearchOutbox.report_id).order_by(SearchOutbox.id)))


def without_sources() -> None:
    """Make the rows waiting rows to load (a create's row carries its source record)."""
    db.session.execute(update(SearchOutbox).values(source=None))


def found(backend, user, words: str) -> set[str]:  # noqa: ANN001
    return {hit.id for hit in backend.search(SearchQuery(text=words), viewer_for(user)).hits}


@pytest.fixture
def deferred(app, monkeypatch):  # noqa: ANN001
    """Reports wait in the outbox (as with Elasticsearch) instead of being indexed at once."""
    monkeypatch.setitem(app.config, "SEARCH_INDEX_INLINE", False)


@pytest.fixture
def engine_down() -> ElasticsearchBackend:
    """A real backend whose engine does not answer (nothing listens on port 9)."""
    backend = ElasticsearchBackend(build_client("http://127.0.0.1:9", "opensearch", max_retries=0,
                                                request_timeout=1))
    yield backend
    backend.client.close()


def worker(backend, batch_size: int = 2) -> OutboxWorker:  # noqa: ANN001
    return OutboxWorker(_same_transaction, backend, services.load_sources, batch_size=batch_size,
                        backoff=(0.01, 0.02))


def test_each_change_writes_an_outbox_row_in_its_transaction(world, deferred) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    report = factories.report(officer, submit=False)
    seizure_services.update_report(officer, report, {"narrative": "changed"}, report.version)
    seizure_services.submit_report(officer, report)
    seizure_services.withdraw_report(officer, report)
    assert outbox() == [report.id] * 4
    savepoint = db.session.begin_nested()
    factories.report(officer)
    savepoint.rollback()  # a change rolled back takes its outbox row with it
    assert outbox() == [report.id] * 4


def test_the_embedded_backend_indexes_at_once_and_clears_the_rows(app, world) -> None:  # noqa: ANN001
    report = factories.report(world["jm_officer"], narrative="Contraband sardines")
    assert outbox() == []
    assert found(services.get_backend(app), world["jio_analyst"], "sardines") == {report.id}


def test_a_failed_inline_index_keeps_the_row_and_the_save(app, world) -> None:  # noqa: ANN001
    db.session.execute(text("DROP TABLE search_text" if db.engine.dialect.name == "postgresql"
                            else "DROP TABLE search_fts"))  # rolled back with the test
    report = factories.report(world["jm_officer"], narrative="Contraband sardines")
    assert db.session.get(type(report), report.id) is not None
    assert outbox() == [report.id]


def test_a_failing_engine_leaves_the_rows_and_a_later_sync_drains_them(app, world, deferred,
                                                                      engine_down) -> None:  # noqa: ANN001
    reports = [factories.report(world["jm_officer"], narrative=f"Batch sardines {i}") for i in range(3)]
    down = worker(engine_down)
    with pytest.raises(Exception):  # noqa: B017 - whatever the client raises for a refused connection
        down.drain_once()
    rows = db.session.execute(select(SearchOutbox.attempts, SearchOutbox.last_error).order_by(SearchOutbox.id)).all()
    assert [r.attempts for r in rows] == [1, 1, 0]  # the failed batch of two, and the one not yet tried
    assert rows[0].last_error
    assert len(outbox()) == 3

    backend = DatabaseBackend(_same_transaction)
    done = worker(backend).drain()
    assert (done.rows, done.indexed) == (3, 3)
    assert outbox() == []
    assert found(backend, world["jio_analyst"], "sardines") == {r.id for r in reports}


def test_newest_version_wins(app, world, deferred) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    report = factories.report(officer, narrative="first sardines")
    seizure_services.update_report(officer, report, {"narrative": "second mackerel"}, report.version)
    seizure_services.update_report(officer, report, {"narrative": "third anchovies"}, report.version)
    backend = DatabaseBackend(_same_transaction)
    done = worker(backend, batch_size=10).drain()
    assert (done.rows, done.indexed) == (3, 1)  # three rows, one document: the current version
    analyst = world["jio_analyst"]
    assert (found(backend, analyst, "anchovies"), found(backend, analyst, "sardines"),
            found(backend, analyst, "mackerel")) == ({report.id}, set(), set())


def test_a_report_gone_from_the_database_is_removed_from_the_index(app, world) -> None:  # noqa: ANN001
    report = factories.report(world["jm_officer"], narrative="Vanishing sardines")
    backend = DatabaseBackend(_same_transaction)
    db.session.delete(report)
    db.session.add(SearchOutbox(report_id=report.id))
    db.session.flush()
    done = worker(backend).drain()
    assert (done.rows, done.deleted) == (1, 1)
    assert found(backend, world["jio_analyst"], "sardines") == set()


def test_run_backs_off_while_the_engine_is_down_and_drains_when_it_is_back(app, world, deferred,
                                                                         engine_down) -> None:  # noqa: ANN001
    report = factories.report(world["jm_officer"], narrative="Patient sardines")
    running = worker(engine_down)
    stop = threading.Event()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    running.run(stop, idle=0.01)  # fails, backs off, retries until stopped
    attempts = db.session.scalar(select(SearchOutbox.attempts))
    assert attempts >= 2
    running.backend = DatabaseBackend(_same_transaction)
    stop.clear()
    threading.Timer(0.3, stop.set).start()
    running.run(stop, idle=0.01)
    assert outbox() == []
    assert found(running.backend, world["jio_analyst"], "sardines") == {report.id}


# --- the commands -----------------------------------------------------------------------------------------

def test_flask_search_sync_once(app, world, deferred) -> None:  # noqa: ANN001
    factories.report(world["jm_officer"])
    factories.report(world["ky_officer"])
    result = app.test_cli_runner().invoke(args=["search", "sync", "--once"])
    assert result.exit_code == 0, result.output
    assert "synced 2 outbox rows: 2 documents indexed" in result.output
    assert outbox() == []


def test_flask_search_reindex_brings_every_report_back(app, world) -> None:  # noqa: ANN001
    reports = [factories.report(world["jm_officer"]) for _ in range(3)]
    backend = services.get_backend(app)
    backend.delete([r.id for r in reports[:2]])
    assert backend.count() == 1
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "reindexed 3 reports" in result.output
    assert backend.count() == 3


def test_flask_search_status_and_healthz(app, client, world, deferred) -> None:  # noqa: ANN001
    factories.report(world["jm_officer"])
    result = app.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert "backend: database (reachable)" in result.output
    assert "outbox: 1 rows waiting" in result.output
    search = client.get("/healthz").get_json()["search"]
    assert (search["backend"], search["ok"], search["documents"], search["outbox"]["rows"]) == ("database", True, 0, 1)


def test_a_served_process_leaves_indexing_to_its_sync_thread_and_wakes_it_at_commit(app, world,
                                                                                  monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(services, "sync_thread_running", lambda _app: True)  # as under gunicorn
    wake = threading.Event()
    monkeypatch.setitem(app.extensions.setdefault(services.EXTENSION, {}), "wake", wake)
    report = factories.report(world["jm_officer"], narrative="Deferred sardines")
    assert outbox() == [report.id]
    assert not wake.is_set()  # not before the rows are committed
    db.session.commit()
    assert wake.is_set()

    done = services.worker(app).drain()  # the thread's worker: rows taken, indexed, deleted in one transaction
    assert (done.rows, done.indexed) == (1, 1)
    assert outbox() == []
    assert found(services.get_backend(app), world["jio_analyst"], "sardines") == {report.id}


@pytest.mark.parametrize("peek", [None, _same_transaction], ids=["loading-in-the-write", "loading-before"])
def test_a_failed_atomic_drain_keeps_the_rows_and_counts_the_attempt(app, world, deferred, peek) -> None:  # noqa: ANN001
    factories.report(world["jm_officer"])
    without_sources()

    def failing(_ids):  # noqa: ANN001,ANN202
        raise RuntimeError("loader down")

    broken = OutboxWorker(_same_transaction, DatabaseBackend(_same_transaction), failing, atomic=True, peek=peek)
    with pytest.raises(RuntimeError):
        broken.drain_once()
    assert db.session.scalar(select(SearchOutbox.attempts)) == 1
    assert len(outbox()) == 1


def test_a_report_changed_while_its_batch_was_loaded_gets_its_newest_version(app, world, deferred) -> None:  # noqa: ANN001
    """The documents are built before the write transaction (peek): a change committed in between has a
    row of its own behind the batch, so the next drain indexes the newer version."""
    officer = world["jm_officer"]
    report = factories.report(officer, narrative="Contraband sardines")
    without_sources()

    def load_then_change(ids):  # noqa: ANN001,ANN202
        sources = services.load_sources(ids)
        seizure_services.update_report(officer, report, {"narrative": "Contraband anchovies"}, report.version)
        return sources

    backend = DatabaseBackend(_same_transaction)
    racing = OutboxWorker(_same_transaction, backend, load_then_change, atomic=True, peek=_same_transaction)
    assert racing.drain_once().indexed == 1  # the version it loaded
    assert outbox() == [report.id]  # the change's row waits
    assert found(backend, world["jio_analyst"], "sardines") == {report.id}
    assert worker(backend).drain().indexed == 1
    assert found(backend, world["jio_analyst"], "anchovies") == {report.id}
    assert found(backend, world["jio_analyst"], "sardines") == set()


def test_rows_another_worker_took_while_a_batch_was_loaded_are_left_to_it(app, world, deferred) -> None:  # noqa: ANN001
    first, second = factories.report(world["jm_officer"]), factories.report(world["jm_officer"])
    without_sources()
    backend = DatabaseBackend(_same_transaction)
    indexed: list[int] = []

    def load_while_another_drains(ids):  # noqa: ANN001,ANN202
        sources = services.load_sources(ids)
        if not indexed:  # the other worker takes the first row meanwhile
            indexed.append(OutboxWorker(_same_transaction, backend, services.load_sources, batch_size=1,
                                        atomic=True).drain_once().indexed)
        return sources

    late = OutboxWorker(_same_transaction, backend, load_while_another_drains, atomic=True, peek=_same_transaction)
    done = late.drain_once()
    assert indexed == [1] and (done.rows, done.indexed) == (1, 1)  # only the row still there
    assert outbox() == []
    hits = backend.search(SearchQuery(), viewer_for(world["jio_analyst"])).hits
    assert {first.id, second.id} <= {hit.id for hit in hits}


def test_a_woken_worker_waits_until_the_oldest_row_has_settled(app, world, deferred) -> None:  # noqa: ANN001
    factories.report(world["jm_officer"])
    waiting = OutboxWorker(_same_transaction, DatabaseBackend(_same_transaction), services.load_sources,
                           atomic=True, peek=_same_transaction)
    wake, stop = threading.Event(), threading.Event()
    wake.set()
    started = time.monotonic()
    waiting._wait_for_batch(stop, idle=5, wake=wake, settle=0.4)
    assert 0.3 < time.monotonic() - started < 2  # not at once, and never the idle 5 s
    assert not wake.is_set()


def test_a_new_reports_row_carries_its_source_record_as_loaded_from_the_database(app, world, deferred) -> None:  # noqa: ANN001
    """The source is built from the report in memory, before its reference exists: it must be exactly
    what the worker would load."""
    op = factories.operation("OP-SOURCE", world.jm, [world.jm, world.ky])
    report = factories.report(world["jm_officer"], operations=[op.code], submit=True)
    report_id, reference, op_id = report.id, report.reference, op.id
    db.session.commit()
    carried = json.loads(db.session.scalar(select(SearchOutbox.source)))
    db.session.expunge_all()  # loaded afresh from the database
    assert carried == services.load_sources([report_id])[report_id]
    assert carried["reference"] == reference and carried["operation_ids"] == [op_id]


def test_the_worker_indexes_carried_sources_without_loading_and_loads_rows_without_one(app, world, deferred) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    carried = factories.report(officer, narrative="Carried sardines")
    changed = factories.report(officer, narrative="Loaded anchovies", submit=False)
    seizure_services.submit_report(officer, changed)  # a row with its source
    services.enqueue_reports([changed.id])  # a row without one (as the demo's bulk load writes), the newest
    loaded: list[str] = []

    def loader(ids):  # noqa: ANN001,ANN202
        loaded.extend(ids)
        return services.load_sources(ids)

    backend = DatabaseBackend(_same_transaction)
    done = OutboxWorker(_same_transaction, backend, loader, atomic=True, peek=_same_transaction).drain()
    assert (done.rows, done.indexed) == (4, 2)
    assert loaded == [changed.id]  # the carried report was not loaded
    submitted = backend.search(SearchQuery(filters=Filters(status=("submitted",))), viewer_for(officer)).hits
    assert {hit.id for hit in submitted} == {carried.id, changed.id}  # the newest row's version, not the draft
    assert found(backend, officer, "sardines") == {carried.id}


@pytest.mark.parametrize("atomic", [False, True], ids=["elasticsearch-style", "atomic"])
def test_a_failure_keeping_the_sources_is_on_record_and_loses_nothing(app, world, deferred, atomic) -> None:  # noqa: ANN001
    """keep_sources runs in the transaction that deletes the rows: when it fails, the rows stay, with the
    failure recorded as any other (the next attempt indexes them again)."""
    report_id = factories.report(world["jm_officer"]).id
    db.session.commit()

    def keep(_connection, _sources):  # noqa: ANN001,ANN202
        raise RuntimeError("store failed")

    committed = services._committed
    broken = OutboxWorker(committed, DatabaseBackend(services._in_session if atomic else committed),
                          services.load_sources, keep_sources=keep, atomic=atomic,
                          peek=services._read if atomic else None)
    with pytest.raises(RuntimeError):
        broken.drain_once()
    rows = db.session.execute(select(SearchOutbox.report_id, SearchOutbox.attempts, SearchOutbox.last_error)).all()
    assert [(r.report_id, r.attempts, r.last_error) for r in rows] == [(report_id, 1, "RuntimeError: store failed")]
