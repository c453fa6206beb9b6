"""The read journal: records of reads written to a file of the process before the response leaves, and
moved into the hash chain in batches by a thread.

Why: a read's record used to cost a write transaction of its own before the response could leave —
ending the read transaction, BEGIN IMMEDIATE (SQLite's one write lock, shared by every process), the
chain head, an INSERT, an UPDATE and the commit: about 1.4 ms of a 9 ms search in the app on a quiet
day, more under load, and every read queued for the write lock behind every create. One line appended
to a file costs a few microseconds, and one transaction then moves the records of many reads.

How:
- A served process (gunicorn worker: gunicorn.conf.py) opens a journal of its own under
  AUDIT_JOURNAL_DIR and holds an exclusive `flock` on it for its life.
- `app.audit.services` writes a read's records into it as lines of JSON, with their time, in one
  `os.write` (O_APPEND), before the response is sent; with AUDIT_JOURNAL_FSYNC also `fdatasync`
  (by default with PostgreSQL, whose commits are flushed; SQLite runs with synchronous=NORMAL, whose
  commits are not). A write that fails refuses the read with a 503, as a failed append did. The
  `fdatasync`s are a group commit: one makes every write before it durable, and the reads that
  waited for it return without one of their own (each read used to flush alone, one at a time).
- The process's thread moves the lines into the chain a moment after they are written (SETTLE): one
  write transaction appends them (`chain.append`, in the order written) and records how far the file
  has been moved (`audit_journal_positions`), so a line becomes a record exactly once even if the
  process dies right after the commit.
- A journal whose process is gone (its flock is free) is moved by the next process that looks: at
  its start, every RECOVER_EVERY seconds, and `flask audit recover-journals`. Moved and closed
  journals are deleted.

Changes never go through the journal: a change and its record are one transaction (docs/audit.md).
A record's `at` is when the read was answered; its id, when it was moved: ids of records from
different processes need not follow their times.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, insert, select, update

from app.audit.chain import append
from app.audit.models import AuditJournalPosition
from app.database import utcnow, write_intent
from app.extensions import db

log = logging.getLogger(__name__)

EXTENSION = "elix_audit_journal"
SUFFIX = ".jsonl"
SETTLE = 0.1  # seconds a move waits after a write: the records of the reads meanwhile go in the same transaction
IDLE = 1.0  # seconds the thread sleeps when nothing is written
RECOVER_EVERY = 30.0  # seconds between looks for journals of processes that are gone
ROTATE_BYTES = 4 << 20  # a journal moved to its end and this large is replaced by a new one
READ_BYTES = 1 << 20  # at most this much of a journal per transaction

_POSITIONS = AuditJournalPosition.__table__


class Journal:
    """This process's journal file: written by request threads, moved by the journal thread."""

    def __init__(self, directory: Path, fsync: bool) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.fsync = directory, fsync
        self._lock = threading.Lock()  # writes, and replacing the file
        self._torn = False  # a write stopped halfway: the next one starts on a new line
        self._moving = threading.Lock()  # one move at a time
        self._flushed = threading.Condition()  # one fdatasync at a time; announces each one done
        self._flushing = False
        self.path, self._fd = self._open_new()
        self.moved = 0  # bytes of the current file in the chain
        self._file = 0  # which file this is: replacing it starts the counts below again
        self._written = 0  # bytes written to the current file
        self._synced = (0, 0)  # (file, bytes) known to be on disk
        self.wake = threading.Event()

    def _open_new(self) -> tuple[Path, int]:
        path = self.directory / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held while the process lives: "not abandoned"
        return path, fd

    def write(self, entries: list[dict]) -> None:
        """Append the records of one read, stamped now. Raises OSError when the file cannot take them."""
        at = utcnow().isoformat(timespec="microseconds")
        data = "".join(json.dumps({**entry, "at": at}, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for entry in entries).encode("utf-8")
        with self._lock:
            if self._torn:
                data = b"\n" + data
            written = os.write(self._fd, data)
            self._written += written
            self._torn = written != len(data)
            if self._torn:
                raise OSError(f"the audit journal took {written} of {len(data)} bytes (disk full?)")
            file, end = self._file, self._written
        if self.fsync:
            self._sync(file, end)
        self.wake.set()

    def _sync(self, file: int, end: int) -> None:
        """Return once byte `end` of `file` is on disk (group commit): wait while another thread flushes;
        return if a flush that began after this write covered it, or if the file was replaced meanwhile (it
        is replaced only once moved into the chain to its end, whose commit made its records durable);
        else flush everything written so far, for every thread waiting."""
        with self._flushed:
            while self._flushing and self._synced < (file, end):
                self._flushed.wait()
            if self._synced >= (file, end):
                return
            self._flushing = True
        synced = None
        try:
            with self._lock:
                fd, current, upto = self._fd, self._file, self._written
            if current == file:  # else this write's file was replaced: nothing of it to flush
                os.fdatasync(fd)
                synced = (current, upto)
        finally:
            with self._flushed:
                self._flushing = False
                if synced is not None:
                    self._synced = max(self._synced, synced)
                self._flushed.notify_all()

    def _no_flush(self) -> None:
        """Wait until no flush runs (the caller holds self._flushed): a descriptor is closed only then."""
        while self._flushing:
            self._flushed.wait()

    def move(self) -> None:
        """Move what was written into the chain; replace the file when it is moved to its end and large."""
        with self._moving:
            self._move_written()
            retired = None
            with self._lock:
                if self.moved >= ROTATE_BYTES and self.moved == os.fstat(self._fd).st_size:
                    retired = (self.path, self._fd)
                    self.path, self._fd = self._open_new()
                    self.moved, self._written = 0, 0
                    self._file += 1
            if retired is not None:
                _delete(retired[0])
                with self._flushed:
                    self._no_flush()
                    os.close(retired[1])

    def _move_written(self) -> None:
        while (moved := move_lines(self.path, self.moved)) != self.moved:
            self.moved = moved

    def close(self) -> None:
        """At the process's exit: move the rest and delete the file (left for recovery if that fails).
        Writes after this raise (the descriptor is closed): their reads get a 503."""
        with self._moving, self._flushed:
            self._no_flush()
            with self._lock:
                self._move_written()
                if self.moved == os.fstat(self._fd).st_size:
                    _delete(self.path)
                os.close(self._fd)
                self._fd = -1


def move_lines(path: Path, start: int) -> int:
    """Append the complete lines of `path` after byte `start` to the chain, with the new position, in
    one transaction (at most READ_BYTES); return the new position (`start` when nothing moved)."""
    with open(path, "rb") as file:
        file.seek(start)
        data = file.read(READ_BYTES)
        if len(data) == READ_BYTES and b"\n" not in data:
            data += file.read()  # one line longer than a batch: take it whole
    end = data.rfind(b"\n") + 1
    if end == 0:
        return start
    entries = []
    for line in data[:end].splitlines():
        try:
            entries.append(_entry(line))
        except (ValueError, TypeError, KeyError):
            if line.strip():
                log.error("audit journal %s: a line that is not a record (a torn write) is left out: %.200r",
                          path.name, line)
    try:
        with write_intent():
            if entries:
                append(db.session, entries)
            _set_position(path.name, start + end)
            db.session.commit()
    except Exception:  # noqa: BLE001 - the lines stay in the journal and the next move tries again
        db.session.rollback()
        log.exception("audit journal %s: %d record(s) could not be moved into the chain yet", path.name, len(entries))
        return start
    return start + end


def _entry(line: bytes) -> dict:
    entry = json.loads(line)
    entry["at"] = datetime.fromisoformat(entry["at"])
    return entry


def _set_position(name: str, moved: int) -> None:
    connection = db.session.connection()
    if connection.execute(update(_POSITIONS).where(_POSITIONS.c.name == name).values(moved=moved)).rowcount == 0:
        connection.execute(insert(_POSITIONS).values(name=name, moved=moved))


def _delete(path: Path) -> None:
    """A journal moved to its end: the file first, then its position (a position without a file is inert)."""
    path.unlink(missing_ok=True)
    try:
        with write_intent():
            db.session.execute(delete(_POSITIONS).where(_POSITIONS.c.name == path.name))
            db.session.commit()
    except Exception:  # noqa: BLE001 - left for the next recovery
        db.session.rollback()
        log.warning("audit journal %s: its position row could not be deleted", path.name, exc_info=True)


def recover(directory: Path, own: Path | None = None) -> int:
    """Move and delete every journal in `directory` whose process is gone; return how many."""
    recovered = 0
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        if path == own:
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its process lives and moves it itself
            if os.fstat(fd).st_nlink == 0:
                continue  # moved and deleted by another process meanwhile
            position = db.session.scalar(select(_POSITIONS.c.moved).where(_POSITIONS.c.name == path.name)) or 0
            db.session.commit()
            while (moved := move_lines(path, position)) != position:
                position = moved
            rest = os.fstat(fd).st_size - position
            if rest and b"\n" in path.read_bytes()[position:]:
                continue  # complete lines that could not be moved: the next look tries again
            if rest:
                log.error("audit journal %s: its last %d bytes are not a complete record (a torn write): dropped",
                          path.name, rest)
            _delete(path)
            recovered += 1
            log.info("audit journal %s of a process that is gone: moved into the chain and deleted", path.name)
        finally:
            os.close(fd)
    return recovered


# --- the process's journal and its thread ----------------------------------------------------------------

def directory_of(app: Flask) -> Path:
    return Path(app.config["AUDIT_JOURNAL_DIR"])


def active(app: Flask | None = None) -> Journal | None:
    """This process's journal (served processes), or None: write each record at once."""
    state = (app or current_app).extensions.get(EXTENSION)
    return None if state is None else state["journal"]


def open_for(app: Flask) -> Journal:
    """Open a journal for this process; requests write their reads' records to it from now on."""
    fsync = app.config.get("AUDIT_JOURNAL_FSYNC")
    if fsync is None:
        fsync = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    journal = Journal(directory_of(app), bool(fsync))
    app.extensions[EXTENSION] = {"journal": journal, "thread": None, "stop": threading.Event()}
    return journal


def start_thread(app: Flask) -> threading.Thread:
    """Open this process's journal and start the thread that moves it (gunicorn.conf.py, per worker)."""
    journal = open_for(app)
    state = app.extensions[EXTENSION]
    stop = state["stop"]

    def run() -> None:
        next_recovery = 0.0
        while not stop.is_set():
            if journal.wake.wait(IDLE):
                stop.wait(SETTLE)
            journal.wake.clear()
            with app.app_context():
                try:
                    journal.move()
                    if time.monotonic() >= next_recovery:
                        recover(journal.directory, own=journal.path)
                        next_recovery = time.monotonic() + RECOVER_EVERY
                except Exception:  # noqa: BLE001 - the thread must outlive a bad moment of the database
                    log.exception("audit journal: moving records failed; trying again")
                finally:
                    db.session.remove()

    state["thread"] = thread = threading.Thread(target=run, name="elix-audit-journal", daemon=True)
    thread.start()
    return thread


def stop_thread(app: Flask, timeout: float = 10.0) -> None:
    """Requests write at once again; the thread stops, and what is left is moved and the file deleted
    (gunicorn.conf.py worker_exit)."""
    state = app.extensions.pop(EXTENSION, None)
    if state is None:
        return
    state["stop"].set()
    state["journal"].wake.set()
    if state["thread"] is not None:
        state["thread"].join(timeout)
    with app.app_context():
        try:
            state["journal"].close()
        finally:
            db.session.remove()
