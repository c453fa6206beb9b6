"""The read journal on the app as served (gunicorn, its workers' journal threads): every read answered
is in the chain once, within moments while the workers run, and even when a worker is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests
from sqlalchemy import create_engine, text

from app.config import database_url
from tests import factories
from tests.live import LiveServer

pytestmark = pytest.mark.served

READS = 30


@pytest.fixture
def server(tmp_path):
    from tests.conftest import _fresh_database_url

    url = _fresh_database_url(tmp_path, f"elix_journal_{os.getpid()}")
    served = LiveServer(url, tmp_path / "instance", workers=2).start()
    served.flask("orgs", "create", "JM", "--name", "Jamaica Customs Agency", "--kind", "administration")
    served.flask("users", "create", "officer@jm.example", "--org", "JM", "--role", "officer")
    served.token = served.flask("tokens", "create", "officer@jm.example").strip().splitlines()[-1]
    try:
        yield served
    finally:
        served.stop()
        factories.drop_postgres_database(url)


def reads_on_record(server: LiveServer) -> int:
    engine = create_engine(database_url(server.database_url))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM audit_records WHERE action = 'report.read'")).scalar()
    finally:
        engine.dispose()


def read_many(server: LiveServer) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server.token}"
    created = session.post(f"{server.url}/api/v1/seizures", json=factories.report_payload(), timeout=30)
    assert created.status_code == 201, created.text
    for _ in range(READS):
        assert session.get(f"{server.url}/api/v1/seizures/{created.json()['id']}", timeout=30).status_code == 200


def journals(server: LiveServer) -> list[str]:
    directory = server.instance / "audit-journal"
    return sorted(p.name for p in directory.glob("*.jsonl")) if directory.is_dir() else []


def test_reads_reach_the_chain_while_served_and_the_journals_go_with_their_workers(server):
    read_many(server)
    deadline = time.monotonic() + 30
    while reads_on_record(server) < READS and time.monotonic() < deadline:
        time.sleep(0.1)
    assert reads_on_record(server) == READS
    assert len(journals(server)) == 2  # one per worker
    server.stop()
    assert journals(server) == []  # moved and deleted at the workers' exit
    assert "chain intact" in server.flask("audit", "verify")


def test_reads_answered_by_a_killed_worker_are_recovered_once(server):
    read_many(server)
    workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout.split()
    for pid in workers:
        os.kill(int(pid), signal.SIGKILL)  # whatever they had not moved yet stays in their journals
    server.stop()
    server.flask("audit", "recover-journals")
    assert journals(server) == []
    assert reads_on_record(server) == READS
    assert "chain intact" in server.flask("audit", "verify")


def test_ctrl_c_stops_every_worker_at_once_and_moves_their_journals(server):
    """Ctrl-C in a terminal signals the master and the workers together, and the master signals them again:
    a worker took the second signal inside the first one's handler and hung until the graceful timeout
    killed it (30 s), leaving its journal for the next start (gunicorn.conf.py `_quit_once`)."""
    read_many(server)
    workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2
    started = time.monotonic()
    for _ in range(3):  # as a terminal's Ctrl-C, pressed again while the server stops
        for pid in [server.process.pid, *map(int, workers)]:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    server.process.wait(timeout=20)
    assert time.monotonic() - started < 15
    assert journals(server) == []  # each worker's exit hook moved and deleted its journal
    assert reads_on_record(server) == READS
