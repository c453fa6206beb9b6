"""The read journal (app.audit.journal): reads' records written to a file of the process before the
response leaves, moved into the chain exactly once — by the process, or after it died by another."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert, select

from app.audit import journal as journal_module
from app.audit.chain import verify
from app.audit.journal import Journal, open_for, recover, stop_thread
from app.audit.models import AuditJournalPosition
from app.extensions import db

from tests import factories
from tests.audit.conftest import records

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def journal_dir(app: Flask, tmp_path: Path) -> Iterator[Path]:
    saved = app.config["AUDIT_JOURNAL_DIR"]
    app.config["AUDIT_JOURNAL_DIR"] = str(tmp_path / "audit-journal")
    yield tmp_path / "audit-journal"
    app.config["AUDIT_JOURNAL_DIR"] = saved


@pytest.fixture
def journal(app: Flask, journal_dir: Path) -> Iterator[Journal]:
    """This process's journal, installed as a served process installs it, moved by the test itself."""
    opened = open_for(app)
    try:
        yield opened
    finally:
        if journal_module.active(app) is opened:
            stop_thread(app)


def positions() -> dict[str, int]:
    return dict(db.session.execute(select(AuditJournalPosition.name, AuditJournalPosition.moved)).all())


def test_a_read_is_in_the_journal_before_the_response_and_in_the_chain_once_moved(api, world, journal):
    report = factories.report(world["jm_officer"])
    db.session.commit()

    response = api.as_(world["ky_analyst"]).get(f"/seizures/{report.id}")
    assert response.status_code == 200
    assert not records("report.read")  # not yet in the chain...
    lines = journal.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and '"action":"report.read"' in lines[0] and report.id in lines[0]  # ...but on disk

    journal.move()
    [row] = records("report.read")
    assert (row.actor_id, row.subject_id, row.outcome, row.details) == (
        world["ky_analyst"].id, report.id, "success", {"persons": False})
    assert positions()[journal.path.name] == journal.path.stat().st_size
    journal.move()  # nothing new: nothing appended twice
    assert len(records("report.read")) == 1
    assert verify(db.session).ok


def test_a_search_keeps_its_query_and_the_time_it_was_answered(api, world, journal):
    response = api.as_(world["jio_analyst"]).get("/search?q=cigarettes&category=tobacco")
    assert response.status_code == 200
    journal.move()
    row = records("search")[-1]
    assert row.details["q"] == "cigarettes" and row.details["category"] == ["tobacco"]
    line = journal.path.read_text(encoding="utf-8").splitlines()[-1]
    assert row.at.isoformat(timespec="microseconds") in line  # `at` is when it was answered, not when moved


def test_changes_never_go_through_the_journal(api, world, journal):
    """A change and its record are one transaction: the create's record is in the chain at once."""
    body = factories.report_payload()
    response = api.as_(world["jm_officer"]).post("/seizures", json=body)
    assert response.status_code == 201
    assert records("report.create")[-1].subject_id == response.get_json()["id"]
    assert journal.path.read_text(encoding="utf-8") == ""


def test_a_read_that_cannot_be_journalled_is_not_served(api, world, journal):
    report = factories.report(world["jm_officer"])
    db.session.commit()
    os.close(journal._fd)  # the file can no longer be written (as on a failed disk)
    try:
        response = api.as_(world["ky_analyst"]).get(f"/seizures/{report.id}")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "audit_unavailable"
        assert report.reference not in response.get_data(as_text=True)
    finally:
        journal._fd = os.open(journal.path, os.O_WRONLY | os.O_APPEND)


def test_records_written_by_many_threads_are_all_moved_in_order_of_writing(app, world, journal):
    actor = {"actor_id": world["jm_analyst"].id, "actor_email": world["jm_analyst"].email,
             "organisation_id": world.jm.id}
    def write(thread: int) -> None:
        for i in range(50):
            journal.write([{**_entry("report.read"), **actor, "details": {"n": f"{thread}-{i}"}}])

    threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    before = len(records())
    journal.move()
    moved = records()[before:]
    written = [line for line in journal.path.read_text(encoding="utf-8").splitlines()]
    assert len(moved) == len(written) == 200
    assert [r.details["n"] for r in moved] == [line.split('"n":"')[1].split('"')[0] for line in written]
    assert verify(db.session).ok


def test_a_journal_moved_to_its_end_is_replaced_when_large(api, world, journal, monkeypatch):
    monkeypatch.setattr(journal_module, "ROTATE_BYTES", 1)
    report = factories.report(world["jm_officer"])
    db.session.commit()
    first = journal.path
    assert api.as_(world["ky_analyst"]).get(f"/seizures/{report.id}").status_code == 200
    journal.move()
    assert journal.path != first and not first.exists()
    assert first.name not in positions()
    assert api.as_(world["ky_analyst"]).get(f"/seizures/{report.id}").status_code == 200
    journal.move()
    assert len(records("report.read")) == 2


def test_a_live_journal_is_left_to_its_process(app, journal, journal_dir):
    journal.write([_entry("live")])
    assert recover(journal_dir) == 0  # its flock is held (here: by this process's own journal)
    assert journal.path.exists() and not records("live")


CRASHING_WRITER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from app.audit.journal import Journal
    journal = Journal(Path(sys.argv[1]), fsync=False)
    for action in sys.argv[2:]:
        journal.write([{"action": action, "outcome": "success", "details": {}, "address": "10.0.0.9",
                        "actor_id": None, "actor_email": None, "organisation_id": None, "subject_type": None,
                        "subject_id": None, "subject_ref": None, "subject_organisation_id": None}])
    print(journal.path)
    os._exit(0)  # killed: no move, no close, the file stays
""")


def _entry(action: str) -> dict:
    return {"action": action, "outcome": "success", "details": {}, "address": "10.0.0.9", "actor_id": None,
            "actor_email": None, "organisation_id": None, "subject_type": None, "subject_id": None,
            "subject_ref": None, "subject_organisation_id": None}


def _crash_after_writing(directory: Path, *actions: str) -> Path:
    done = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(directory), *actions], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def test_the_journal_of_a_dead_process_is_moved_exactly_once(app, journal_dir):
    journal_dir.mkdir(parents=True)
    path = _crash_after_writing(journal_dir, "first.moved", "second", "third")
    first_line = path.read_bytes().split(b"\n")[0]
    # It died right after a move had committed its first line: the position says so.
    db.session.execute(insert(AuditJournalPosition), {"name": path.name, "moved": len(first_line) + 1})
    db.session.commit()

    assert recover(journal_dir) == 1
    assert [r.action for r in records()][-2:] == ["second", "third"] and not records("first.moved")
    assert not path.exists() and path.name not in positions()
    assert recover(journal_dir) == 0
    assert verify(db.session).ok


def test_a_torn_last_line_of_a_dead_process_is_dropped_and_the_rest_moved(app, journal_dir):
    journal_dir.mkdir(parents=True)
    path = _crash_after_writing(journal_dir, "complete")
    with path.open("ab") as file:
        file.write(b'{"action":"torn","outc')  # power lost in the middle of a write
    assert recover(journal_dir) == 1
    assert records("complete") and not records("torn") and not path.exists()


def test_recover_journals_command(app, journal_dir):
    journal_dir.mkdir(parents=True)
    _crash_after_writing(journal_dir, "left.over")
    result = app.test_cli_runner().invoke(args=["audit", "recover-journals"])
    assert result.exit_code == 0, result.output
    assert "1 journal(s)" in result.output and records("left.over")


def test_a_record_longer_than_a_batch_is_moved_whole(app, journal, monkeypatch):
    monkeypatch.setattr(journal_module, "READ_BYTES", 16)
    journal.write([_entry("long.record"), _entry("next.record")])
    journal.move()
    assert records("long.record") and records("next.record")
    assert journal.moved == journal.path.stat().st_size


def test_flushed_journal_writes_share_their_flushes_and_none_returns_before_its_bytes_are_on_disk(
        app, world, journal_dir, monkeypatch):
    """AUDIT_JOURNAL_FSYNC (PostgreSQL): each read's record is on disk before its response leaves. One
    flush at a time covers every write made before it began (group commit): with eight threads writing and
    a disk that takes 5 ms a flush, far fewer flushes than writes, and every write returned after a flush
    that covered it."""
    real_fdatasync, flushes = os.fdatasync, []

    def slow_fdatasync(fd: int) -> None:
        size = os.fstat(fd).st_size  # what this flush covers, at the least
        time.sleep(0.005)
        real_fdatasync(fd)
        flushes.append(size)  # done

    monkeypatch.setattr(journal_module.os, "fdatasync", slow_fdatasync)
    flushed = Journal(journal_dir, fsync=True)
    uncovered: list[tuple[int, int]] = []

    def write(thread: int) -> None:
        for i in range(25):
            flushed.write([{**_entry("report.read"), "details": {"n": f"{thread}-{i}"}}])
            lines = flushed.path.read_bytes().splitlines(keepends=True)
            mine = next(k for k, line in enumerate(lines) if f'"n":"{thread}-{i}"'.encode() in line)
            end = sum(len(line) for line in lines[:mine + 1])  # where this write's bytes end
            if not any(covered >= end for covered in list(flushes)):
                uncovered.append((thread, i))

    threads = [threading.Thread(target=write, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert uncovered == []
    assert len(flushed.path.read_bytes().splitlines()) == 200
    assert 0 < len(flushes) < 200 / 2, len(flushes)
    flushed.close()
