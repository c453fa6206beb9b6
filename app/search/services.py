"""Search in the app: the backend for this deployment, source records from the ORM, and the outbox.

Every change to a report calls `enqueue_reports` inside the change's transaction: an outbox row is
written with it, so a committed change is never lost to search. The rows wait for the worker: the
background thread of each served process (gunicorn), which the commit wakes, or `flask search sync`.

Where no thread runs in the process (CLI commands, the test client) the embedded backend indexes at
once, in a savepoint of the change's transaction, and removes the rows (if that fails the save still
succeeds and the rows wait). SEARCH_INDEX_INLINE (ELIX_SEARCH_INDEX_INLINE) forces either way; inline
indexing costs a served create about 40 % of its CPU, held under SQLite's write lock (docs/benchmarks.md).
"""
from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace

import orjson
from flask import Flask, current_app
from sqlalchemy import delete, event, false, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.database import utcnow, write_intent
from app.extensions import db
from app.search.models import SearchOutbox
from app.timing import timed
from search.backends import SearchBackend
from search.query import MAX_RESULT_WINDOW, SearchQuery, SearchResult
from search.documents import build_document
from search.outbox import Lag, OutboxWorker, failed_rows, lag

log = logging.getLogger(__name__)

EXTENSION = "elix_search"
LOAD_CHUNK = 500
SYNC_BATCH = 100  # reports per drain of the thread: bounds how long a drain holds SQLite's write lock
WAKE = "elix_search_wake"  # Session.info key: this transaction wrote outbox rows


# --- the backend --------------------------------------------------------------------------------------

@contextlib.contextmanager
def _in_session() -> Iterator[Connection]:
    """The session's connection, in the caller's transaction (the request or command commits)."""
    yield db.session.connection()


@contextlib.contextmanager
def _committed() -> Iterator[Connection]:
    """The session's connection, committed on success (commands and the sync worker).

    A read transaction left open by the caller (e.g. loading source records) is ended first: on SQLite
    upgrading it to a write fails at once with "database is locked" when another writer got in between,
    whereas a fresh BEGIN IMMEDIATE waits for the lock."""
    db.session.commit()
    with write_intent():
        try:
            yield db.session.connection()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def uses_elasticsearch(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("ELASTICSEARCH_URL"))


def get_backend(app: Flask | None = None, *, committing: bool = False) -> SearchBackend:
    """The deployment's backend: Elasticsearch when ELASTICSEARCH_URL is set, else the embedded one.
    The embedded backend works in the caller's transaction, or commits each step with `committing`."""
    app = app or current_app
    state = app.extensions.setdefault(EXTENSION, {})
    key = "committing" if committing else "backend"
    if key not in state:
        if uses_elasticsearch(app):
            from search.backends.elasticsearch import ElasticsearchBackend
            from search.client import build_client

            client = build_client(app.config["ELASTICSEARCH_URL"], app.config["ELASTICSEARCH_FLAVOR"])
            state["backend"] = state["committing"] = ElasticsearchBackend(client)
        else:
            from search.backends.database import DatabaseBackend

            state[key] = DatabaseBackend(_committed if committing else _in_session)
    return state[key]


def load_in_background(app: Flask) -> None:
    """At a server worker's start (gunicorn.conf.py): the embedded backend loads its in-memory columns
    in a thread, on connections of its own, and searches answer 503 "loading" until it is done
    instead of one request loading them past gunicorn's timeout (minutes at a million documents)."""
    if uses_elasticsearch(app):
        return

    @contextlib.contextmanager
    def connect() -> Iterator[Connection]:
        with app.app_context(), db.engine.connect() as connection:
            yield connection

    get_backend(app).load_in_background(connect)


# --- source records ---------------------------------------------------------------------------------------

def load_sources(report_ids: Iterable[str]) -> dict[str, dict]:
    """The source record of each existing report (search.documents): the API dump with persons, plus
    `organisation_id` and `operation_ids`. Missing ids are reports that no longer exist."""
    from app.seizures.models import SeizureReport

    ids = list(dict.fromkeys(report_ids))
    sources: dict[str, dict] = {}
    for start in range(0, len(ids), LOAD_CHUNK):
        chunk = ids[start:start + LOAD_CHUNK]
        # The `validation` block reads each report's validation history: one query per chunk, not per report.
        stmt = select(SeizureReport).where(SeizureReport.id.in_(chunk)).options(
            selectinload(SeizureReport.validation_actions))
        for report in db.session.scalars(stmt):
            sources[report.id] = source_record(report)
    return sources


def source_record(report) -> dict:  # noqa: ANN001 - a SeizureReport, loaded with its parts
    """The source record of one report (search.documents): its API document (app.seizures.documents,
    persons included, with the format it was dumped in), plus `organisation_id` and `operation_ids`."""
    from app.seizures import documents

    return {**documents.stamped(documents.dump(report)), "organisation_id": report.organisation_id,
            "operation_ids": [op.id for op in report.operations]}


def all_report_ids() -> list[str]:
    from app.seizures.models import SeizureReport

    return list(db.session.scalars(select(SeizureReport.id).order_by(SeizureReport.created_at)))


def documents_for(report_ids: list[str]) -> Iterator[dict]:
    """Search documents of the reports, loaded in chunks (a full rebuild never holds them all)."""
    for start in range(0, len(report_ids), LOAD_CHUNK):
        sources = load_sources(report_ids[start:start + LOAD_CHUNK])
        yield from (build_document(source) for source in sources.values())
        db.session.expunge_all()  # keep the identity map small over 100 000s of reports


# --- the outbox --------------------------------------------------------------------------------------------

def enqueue_reports(report_ids: Iterable[str], sources: dict[str, dict] | None = None) -> None:
    """Record that these reports changed, in the caller's transaction (call after flush). The demo
    loader's bulk path and every report service call this. A caller that has a report's source record
    at hand (`source_record`, as of this change) passes it: the worker indexes it instead of loading
    the report again (~2 ms of a served create's CPU). Whoever indexes a report stores its source record
    as the report's document (app.seizures.documents), in the transaction that deletes its rows."""
    ids = list(dict.fromkeys(report_ids))
    if not ids:
        return
    sources = sources or {}
    now = utcnow()
    db.session.connection().execute(_OUTBOX_INSERT, [
        {"report_id": i, "enqueued_at": now, "attempts": 0,
         "source": orjson.dumps(sources[i]).decode() if i in sources else None} for i in ids])
    if _index_inline():
        _index_now(ids, sources)
    else:
        db.session.info[WAKE] = True


_OUTBOX_INSERT = insert(SearchOutbox.__table__)  # through the connection: the ORM's bulk path cost ~0.3 ms a call


def _index_inline(app: Flask | None = None) -> bool:
    """Index in the change's own transaction? Never with Elasticsearch; by default only where no sync
    thread runs in this process (the thread indexes in batches, outside the request)."""
    app = app or current_app
    if uses_elasticsearch(app):
        return False
    setting = app.config.get("SEARCH_INDEX_INLINE")
    return not sync_thread_running(app) if setting is None else bool(setting)


@event.listens_for(Session, "after_commit")
def _wake_sync_thread(session: Session) -> None:
    """Outbox rows are committed: this process's sync thread drains them now instead of at its next poll."""
    if session.info.pop(WAKE, False):
        wake = current_app.extensions.get(EXTENSION, {}).get("wake")
        if wake is not None:
            wake.set()


@event.listens_for(Session, "after_rollback")
def _forget_wake(session: Session) -> None:
    session.info.pop(WAKE, None)


def report_changed(report, source: dict | None = None) -> None:  # noqa: ANN001 - a SeizureReport
    """`enqueue_reports` for one report changed through the ORM (call after its last flush): its source
    record is dumped from the session's objects unless the caller built it."""
    enqueue_reports([report.id], {report.id: source if source is not None else source_record(report)})


def _index_now(ids: list[str], given: dict[str, dict]) -> None:
    """Embedded backend: index in a savepoint of the current transaction; a failure leaves the
    outbox rows for the worker and never fails the caller's save."""
    from app.seizures import documents

    try:
        with db.session.begin_nested():
            backend = get_backend()
            sources = {**load_sources([i for i in ids if i not in given]), **given}
            documents.store(sources)  # the change's own transaction
            backend.index(build_document(sources[i]) for i in ids if i in sources)
            gone = [i for i in ids if i not in sources]
            if gone:
                backend.delete(gone)
            db.session.execute(delete(SearchOutbox).where(SearchOutbox.report_id.in_(ids)))
    except Exception:  # noqa: BLE001 - search must never fail a save
        log.warning("search: indexing %d report(s) failed; the outbox keeps them", len(ids), exc_info=True)


def worker(app: Flask | None = None, batch_size: int = 500) -> OutboxWorker:
    """An outbox worker for this app (call within an app context; it commits each step). The embedded
    backend's documents are written in the transaction that takes and deletes the rows (atomic); the
    indexed reports' stored API documents (app.seizures.documents) in the one that deletes them."""
    from app.seizures import documents

    def keep(connection: Connection, sources: dict[str, dict]) -> None:  # the indexed reports' documents
        documents.store(sources, connection)

    if uses_elasticsearch(app):
        return OutboxWorker(_committed, get_backend(app, committing=True), load_sources, batch_size=batch_size,
                            peek=_read, keep_sources=keep)
    return OutboxWorker(_committed, get_backend(app), load_sources, batch_size=batch_size, atomic=True, peek=_read,
                        keep_sources=keep)


@contextlib.contextmanager
def _read() -> Iterator[Connection]:
    """The session's connection in a read transaction, ended on exit (never holds SQLite's write lock)."""
    try:
        yield db.session.connection()
    finally:
        db.session.commit()


def outbox_lag() -> Lag:
    return lag(db.session.connection())


def status(app: Flask | None = None) -> dict:
    """Backend, reachability, document count and outbox lag (for /healthz and `flask search status`)."""
    app = app or current_app
    backend = get_backend(app)
    info: dict = {"backend": backend.name, "ok": False, "documents": None}
    try:
        info["ok"] = bool(backend.ping())
        info["documents"] = backend.count() if info["ok"] else None
    except Exception as exc:  # noqa: BLE001 - status reports, it does not fail
        info["error"] = type(exc).__name__
    waiting = outbox_lag()
    info["outbox"] = {"rows": waiting.rows, "oldest_seconds": round(waiting.seconds, 1), "failed": waiting.failed}
    if waiting.failed:
        info["failed"] = [{"report_id": report_id, "attempts": attempts, "error": error}
                          for report_id, attempts, error in failed_rows(db.session.connection())]
    return info


# --- searching ----------------------------------------------------------------------------------------------

def search_reports(user, query: SearchQuery) -> SearchResult:  # noqa: ANN001 - a User
    """Search as `user`: the backend applies the sharing rule inside the query; the hits are then
    re-checked against SQL (app.permissions), so a stale index never shows a report it should not."""
    from app.permissions import viewer_for, visible_among

    viewer = viewer_for(user)
    with timed("search"):
        result = get_backend().search(query, viewer)
    if result.hits:
        visible = visible_among(viewer, [hit.id for hit in result.hits])
        if len(visible) < len(result.hits):
            log.warning("search: %d hit(s) not visible to user %s in SQL dropped (index behind?)",
                        len(result.hits) - len(visible), user.id)
            result.hits = [hit for hit in result.hits if hit.id in visible]
        # Each hit's marking as its report has it now (an index can lag behind a change).
        result.hits = [replace(hit, marking=visible[hit.id]) for hit in result.hits]
    audit.record("search", actor=user, details=audit_details(query))
    return result


def among_ids(rule):  # noqa: ANN001,ANN201 - a SQL condition
    """The sharing rule checked row by row on reports already picked by id. Bare, SQLite's planner
    answers `id IN (25 ids) AND (organisation_id = ? OR status IN (...) AND ...)` with a MULTI-INDEX
    OR over the organisation and status indexes — every shared report, 400 ms at 100 000 — instead
    of 25 primary-key lookups (12 ms); inside a function no index can serve it."""
    return func.coalesce(rule, false())


def audit_details(query: SearchQuery) -> dict:
    """The query and filters as the audit trail keeps them (the URL parameters, repeated ones as lists)."""
    from app.search.schemas import query_args

    details: dict = {}
    for key, value in query_args(query):
        details.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 and key in ("q", "sort", "page", "per_page") else values
            for key, values in details.items()}


def matching_reports(user, query: SearchQuery) -> Iterator:  # noqa: ANN001
    """Every report of the search the user may see (up to the result window), in the search's order,
    loaded from SQL through the sharing rule: what an export contains."""
    from app.permissions import viewer_for, visible_reports_clause
    from app.seizures.models import SeizureReport

    viewer = viewer_for(user)
    backend = get_backend()
    per_page = 1000  # hits only (no counting per page): ten requests at most, from + size within the window
    for page in range(1, MAX_RESULT_WINDOW // per_page + 1):
        result = backend.search(replace(query, page=page, per_page=per_page, hits_only=True), viewer)
        ids = [hit.id for hit in result.hits]
        if not ids:
            return
        reports = {r.id: r for r in db.session.scalars(
            select(SeizureReport).where(SeizureReport.id.in_(ids), among_ids(visible_reports_clause(viewer))))}
        yield from (reports[i] for i in ids if i in reports)
        if page * per_page >= result.total:
            return


def exported_reports(user, query: SearchQuery) -> Iterator:  # noqa: ANN001
    """`matching_reports` for an export: once all are read, the export is on record with its row count."""
    rows = 0
    for report in matching_reports(user, query):
        rows += 1
        yield report
    audit.record("search.export", actor=user, details={**audit_details(query), "rows": rows})


# --- the background sync thread ------------------------------------------------------------------------------

def start_sync_thread(app: Flask) -> threading.Thread | None:
    """Start the outbox worker thread of this process once (gunicorn workers under `make run`)."""
    state = app.extensions.setdefault(EXTENSION, {})
    with _thread_lock:
        thread = state.get("thread")
        if thread is not None and thread.is_alive():
            return thread
        stop, wake = threading.Event(), threading.Event()

        def run() -> None:
            with app.app_context():
                worker(app, batch_size=SYNC_BATCH).run(stop, idle=app.config["SEARCH_SYNC_IDLE"], wake=wake,
                                                        settle=app.config["SEARCH_SYNC_SETTLE"])
                db.session.remove()

        thread = threading.Thread(target=run, name="elix-search-sync", daemon=True)
        state["thread"], state["stop"], state["wake"] = thread, stop, wake
        thread.start()
        log.info("search sync thread started (%s backend)", "elasticsearch" if uses_elasticsearch(app) else "database")
        return thread


def sync_thread_running(app: Flask) -> bool:
    thread = app.extensions.get(EXTENSION, {}).get("thread")
    return thread is not None and thread.is_alive()


_thread_lock = threading.Lock()
