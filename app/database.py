"""Engine set-up: SQLite pragmas and write transactions that never hit SQLITE_BUSY mid-way.

On SQLite a transaction that first reads and later writes can fail with SQLITE_BUSY_SNAPSHOT when
another writer committed in between, and the busy timeout does not help. Requests that change data
(POST, PATCH, PUT, DELETE and CLI writes) therefore open their transaction with BEGIN IMMEDIATE: they
queue for the write lock up front, honouring the busy timeout. Reads stay deferred and concurrent (WAL).

A request takes the lock as late as it can: authentication, rate limits and CSRF run in a read
transaction, which `begin_writing` ends when the view starts; the view's first statement then opens
the write transaction. SQLite has one write lock for the whole database, so every millisecond a
request holds it is a millisecond no other create can run (docs/benchmarks.md, "Where the time goes").
"""
from __future__ import annotations

import contextlib
import contextvars
import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("elix_write_intent", default=False)


def set_write_intent(value: bool) -> contextvars.Token:
    return _write_intent.set(value)


def has_write_intent() -> bool:
    return _write_intent.get()


@contextlib.contextmanager
def write_intent() -> Iterator[None]:
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def begin_writing(session) -> None:  # noqa: ANN001
    """From here on the request writes: end its read transaction, if one is open, without expiring what
    it loaded (the signed-in user, the token: read a moment ago), so the next statement begins with write
    intent. On PostgreSQL every transaction may write: nothing to end there."""
    set_write_intent(True)
    if session().in_transaction() and session.get_bind().dialect.name == "sqlite":
        commit_keeping_loaded(session)


def end_writing(session) -> None:  # noqa: ANN001
    """Commit the request's writes and read on: what the commit wrote stays loaded (a response built
    from it needs no second query), and whatever else is read runs in a plain read transaction that
    does not queue for SQLite's write lock again."""
    commit_keeping_loaded(session)
    set_write_intent(False)


def commit_keeping_loaded(session) -> None:  # noqa: ANN001
    session = session()  # the request's Session behind the scoped proxy
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint={_checkpointing['autocheckpoint_pages']}")
        cursor.close()

    gate = WriteGate(f"{engine.url.database}.write-gate", busy_timeout_ms / 1000) \
        if engine.url.database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        if not _write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        if gate is not None:
            gate.acquire(conn.info)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if gate is not None:
                gate.release(conn.info)
            raise

    if gate is not None:
        @event.listens_for(engine, "commit")
        def _on_commit(conn):  # noqa: ANN001
            gate.end(conn, "COMMIT")

        @event.listens_for(engine, "rollback")
        def _on_rollback(conn):  # noqa: ANN001
            gate.end(conn, "ROLLBACK")

        # A connection the pool itself resets, closes or invalidates ends its transaction without the events above.
        @event.listens_for(engine, "reset")
        def _on_reset(_dbapi_conn, record, _reset_state):  # noqa: ANN001
            gate.release(record.info)

        @event.listens_for(engine, "close")
        def _on_close(_dbapi_conn, record):  # noqa: ANN001
            gate.release(record.info)

        @event.listens_for(engine, "invalidate")
        def _on_invalidate(_dbapi_conn, record, _exception):  # noqa: ANN001
            gate.release(record.info)


class WriteGate:
    """A prompt queue for SQLite's write lock. A connection that finds the lock taken sleeps in
    SQLite's busy handler (1, 2, 5, 10 … 100 ms) however soon the lock is free: under load writers slept
    while the CPUs idled, and a create's p95 was many times its median. Each write transaction therefore
    first takes the gate: a lock of its process (threads wait on it without polling), then an exclusive
    flock on `<database>.write-gate` for the other processes (polled every 0.2–1 ms by one thread per
    process: the wait ends within a millisecond of the holder's end); BEGIN IMMEDIATE then finds
    SQLite's lock free. The gate is dropped right after the COMMIT or ROLLBACK, which it issues itself
    (SQLAlchemy's own call then finds no transaction). A holder that dies drops its flock with its
    process. Writers that do not take the gate (a thread's second connection, a deferred transaction
    that writes) meet SQLite's lock and its busy handler as before, and after the busy timeout a waiter
    goes on without the gate and lets SQLite decide."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self._holders: set[int] = set()  # threads holding the gate
        self._in_process = threading.Lock()  # this process's writers queue here, without polling

    def acquire(self, info: dict) -> None:
        thread = threading.get_ident()
        if thread in self._holders:  # this thread holds it already (on another connection)
            return
        deadline = time.monotonic() + self.timeout
        if not self._in_process.acquire(timeout=self.timeout):
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0002
        while True:  # one thread per process polls for the other processes' holder
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    self._in_process.release()
                    return
                time.sleep(pause)
                pause = min(pause * 1.5, 0.001)
        info[_GATE] = (fd, thread)
        self._holders.add(thread)

    def release(self, info: dict) -> None:
        held = info.pop(_GATE, None)
        if held is not None:
            fd, thread = held
            self._holders.discard(thread)
            os.close(fd)  # closing drops the flock
            self._in_process.release()

    def end(self, conn, statement: str) -> None:  # noqa: ANN001
        """End a gated transaction (COMMIT or ROLLBACK) and drop the gate. If the statement fails, the
        transaction is left to SQLAlchemy's own commit or rollback, which reports the error."""
        if _GATE not in conn.info:
            return
        try:
            connection = conn.connection.driver_connection
            if connection.in_transaction:
                connection.execute(statement)
        except sqlite3.Error:
            pass
        finally:
            self.release(conn.info)


_GATE = "elix_write_gate_fd"


# --- checkpoints ---------------------------------------------------------------------------------------

# SQLite copies the WAL back into the database file (a checkpoint, with its fsyncs) in whichever commit
# finds the WAL over `wal_autocheckpoint` pages (1000 by default): that commit holds the write lock
# meanwhile, and every writer waits. A served process checkpoints in a thread instead (PASSIVE: it never
# blocks readers or writers), and commits checkpoint only as a backstop, should the WAL grow large
# (docs/benchmarks.md: 8-client creates went 102-126 -> 127-140/s with commits never checkpointing).
CHECKPOINT_INTERVAL = 0.5  # seconds between a thread's checkpoints
BACKSTOP_PAGES = 16_000  # ~64 MB of WAL: commits checkpoint again (the thread is gone or far behind)
_checkpointing: dict = {"autocheckpoint_pages": 1000, "thread": None}


def start_checkpoints(engine: Engine) -> threading.Thread | None:
    """Checkpoint an SQLite database in a thread of this process (gunicorn workers: gunicorn.conf.py);
    connections opened from now on leave checkpoints to it up to the backstop."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    thread = _checkpointing["thread"]
    if thread is not None and thread.is_alive():
        return thread
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(CHECKPOINT_INTERVAL):
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # noqa: BLE001 - the next round tries again; commits are the backstop
                log.warning("SQLite checkpoint failed", exc_info=True)

    thread = threading.Thread(target=run, name="elix-sqlite-checkpoints", daemon=True)
    _checkpointing.update(autocheckpoint_pages=BACKSTOP_PAGES, thread=thread, stop=stop)
    thread.start()
    return thread


def stop_checkpoints(timeout: float = 5.0) -> None:
    """Stop the thread and wait (up to `timeout` s) for a checkpoint it is running to finish."""
    if (stop := _checkpointing.get("stop")) is not None:
        stop.set()
    thread = _checkpointing.get("thread")
    _checkpointing.update(autocheckpoint_pages=1000, thread=None, stop=None)
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def day_after(day: date) -> date | None:
    """A date filter's exclusive upper bound: the day after `day`, or None (no bound) after the last day
    Python has, 9999-12-31, which people type for "no end" (its day after was an OverflowError, a 500)."""
    return None if day == date.max else day + timedelta(days=1)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001,ANN201
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001,ANN201
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


KEY_MAX = 2**31 - 1


class KeyConverter(IntegerConverter):
    """`<int:...>` in URLs: integer keys are 32-bit on PostgreSQL, so a larger number names no row. Without the
    bound, /conferences/233880026142144228403183616 reached the database and failed there (a 500, not a 404).
    Such a number becomes 0, which no row has (keys start at 1): refusing it in the converter instead makes
    Werkzeug answer 405 to PATCH /conferences/294979763266, since the GET rule of that path matched first."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= KEY_MAX else 0
