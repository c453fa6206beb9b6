"""app.database.WriteGate: SQLite writers queue on a flock instead of sleeping in the busy handler."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app import database
from app.database import _GATE, BACKSTOP_PAGES, configure_engine, start_checkpoints, stop_checkpoints, write_intent


@pytest.fixture
def engine(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    configure_engine(engine, busy_timeout_ms=2000)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE log (n INTEGER, at REAL)"))
    yield engine
    engine.dispose()


def _write(engine, n: int, hold: float, started: threading.Event | None = None) -> None:  # noqa: ANN001
    with write_intent(), engine.begin() as conn:
        if started is not None:
            started.set()
        conn.execute(text("INSERT INTO log VALUES (:n, :at)"), {"n": n, "at": time.monotonic()})
        time.sleep(hold)


def test_writers_wait_for_the_gate_and_each_other_never_failing(engine, tmp_path: Path):
    """Eight threads writing at once, each holding its transaction 20 ms: all commit, one at a time."""
    threads = [threading.Thread(target=_write, args=(engine, n, 0.02)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        times = [row.at for row in conn.execute(text("SELECT at FROM log ORDER BY at"))]
    assert len(times) == 8
    assert all(later - earlier >= 0.019 for earlier, later in zip(times, times[1:]))  # serialised
    assert (tmp_path / "gate.db.write-gate").exists()


def test_the_gate_is_dropped_at_commit_and_at_rollback(engine):
    with write_intent(), engine.connect() as conn:
        with conn.begin():
            conn.execute(text("INSERT INTO log VALUES (1, 0)"))
            assert _GATE in conn.info
        assert _GATE not in conn.info
        trans = conn.begin()
        conn.execute(text("INSERT INTO log VALUES (2, 0)"))
        trans.rollback()
        assert _GATE not in conn.info
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM log")).scalars().all() == [1]


def test_a_second_connection_in_the_holding_thread_meets_sqlites_lock_not_a_deadlock(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'nested.db'}")
    configure_engine(engine, busy_timeout_ms=200)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    started = time.monotonic()
    with write_intent(), engine.connect() as first:
        first.begin()
        first.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as second, pytest.raises(OperationalError, match="locked"):
            second.begin()
        first.rollback()
    assert time.monotonic() - started < 5
    engine.dispose()


def test_a_holder_that_dies_drops_the_gate(engine, tmp_path: Path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(tmp_path / 'gate.db.write-gate')!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        waiting = threading.Thread(target=_write, args=(engine, 1, 0))
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive(), "the writer did not wait for the gate"
        holder.kill()
        waiting.join(2)
        assert not waiting.is_alive(), "the gate of the killed holder was not dropped"
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM log")).scalar() == 1


def _fill_wal(engine) -> None:  # noqa: ANN001
    """~1 500 pages of WAL in 200 commits: past SQLite's default checkpoint size of 1 000 pages."""
    for n in range(200):
        with write_intent(), engine.begin() as conn:
            conn.execute(text("INSERT INTO log VALUES (:n, :blob)"), {"n": n, "blob": "x" * 30_000})


@pytest.fixture
def checkpoints(engine, monkeypatch):  # noqa: ANN001
    """Start the thread with the interval the test sets; connections opened afterwards follow it."""
    def start(interval: float) -> None:
        monkeypatch.setattr(database, "CHECKPOINT_INTERVAL", interval)
        start_checkpoints(engine)
        engine.dispose()

    yield start
    stop_checkpoints()
    engine.dispose()
    with engine.connect() as conn:  # back to SQLite's own checkpoints
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_without_the_thread_a_commit_checkpoints(engine, tmp_path: Path):
    before = (tmp_path / "gate.db").stat().st_size
    _fill_wal(engine)
    assert (tmp_path / "gate.db").stat().st_size > before  # the commit that crossed 1 000 pages copied the WAL


def test_with_the_thread_commits_leave_checkpoints_to_it(engine, checkpoints, tmp_path: Path):
    checkpoints(interval=60)  # the thread will not run during the test
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_PAGES
    before = (tmp_path / "gate.db").stat().st_size
    _fill_wal(engine)
    assert (tmp_path / "gate.db").stat().st_size == before  # no commit checkpointed


def test_the_thread_copies_the_wal_into_the_database(engine, checkpoints, tmp_path: Path):
    checkpoints(interval=0.05)
    database = tmp_path / "gate.db"
    before = database.stat().st_size
    _fill_wal(engine)
    deadline = time.monotonic() + 5
    while database.stat().st_size < before + 200 * 30_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert database.stat().st_size >= before + 200 * 30_000
    stop_checkpoints()  # waits for a round in progress: a checkpoint of ours beside it would be busy
    with engine.connect() as conn:
        busy, wal_pages, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and copied == wal_pages
