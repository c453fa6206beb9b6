"""Faults: a gunicorn worker killed (SIGKILL) in the middle of report creation and of a product render.

Report creation: client threads create reports, each with its own Idempotency-Key, and retry with the
same key whenever the connection breaks, without knowing whether the request landed; workers are killed
three times meanwhile. Every acknowledged report is then in the database exactly once, no key made two
reports, and the references have no gap. Two requests with one key sent at the same moment make one report.

Product render: the worker whose job thread renders an operation summary is killed while its render child
runs. Another worker takes the job up once its heartbeat is stale, it ends `done` with attempts = 2 and a
valid PDF, and no process of the killed worker (fork server, render child) is left running.
"""
from __future__ import annotations

import io
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from app.config import database_url
from tests import factories
from tests.conftest import _fresh_database_url
from tests.live import LiveServer

pytestmark = pytest.mark.served

STALE_SECONDS = 6  # a job whose heartbeat is older is taken up by another worker
CLIENTS, CREATES, KILLS = 4, 200, 3
OPERATION = "FAULT-RENDER"


class FaultServer(LiveServer):
    """The served app with job settings short enough for a test: beats every second, stale after 6 s."""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "ELIX_JOBS_HEARTBEAT_SECONDS": "1", "ELIX_JOBS_POLL_SECONDS": "0.5",
                "ELIX_JOBS_STALE_SECONDS": str(STALE_SECONDS)}

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid)

    def query(self, sql: str, **params) -> list:
        engine = create_engine(database_url(self.database_url))
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).all()
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("faults")
    url = _fresh_database_url(tmp, f"elix_faults_{os.getpid()}")
    server = FaultServer(url, tmp / "instance", workers=3).start()
    try:
        server.flask("demo", "load", "--seizures", "1500")
        server.tokens = {email: server.flask("tokens", "create", email).strip().splitlines()[-1]
                         for email in ("officer@jm.example", "analyst@jio.example")}
        yield server
    finally:
        server.stop()
        factories.drop_postgres_database(url)


def _children(pid: int) -> list[int]:
    """The children of every thread of `pid` (the job thread, not the main one, starts the fork server)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def _gaps(references: list[str]) -> list[str]:
    numbers: dict[str, list[int]] = defaultdict(list)
    for reference in references:
        prefix, _, number = reference.rpartition("-")
        numbers[prefix].append(int(number))
    return [p for p, seen in numbers.items() if sorted(seen) != list(range(1, len(seen) + 1))]


def test_killed_workers_lose_and_duplicate_no_acknowledged_report(server):
    acknowledged: dict[str, str] = {}  # idempotency key -> report id
    outcomes: Counter = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        session = _session(server.tokens["officer@jm.example"])
        for n in range(k, CREATES, CLIENTS):
            key = str(uuid.uuid4())
            body = factories.report_payload(narrative=f"Fault test report {n}.")
            for _attempt in range(30):
                try:
                    response = session.post(f"{server.url}/api/v1/seizures", json=body, timeout=60,
                                            headers={"Idempotency-Key": key})
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                    # The worker died, before its answer or halfway through it: did the request land? Ask again.
                    with lock:
                        outcomes["connection broken, retried"] += 1
                    session.close()
                    time.sleep(0.2)
                    continue
                with lock:
                    if response.status_code != 201:
                        failures.append(f"{response.status_code}: {response.text[:200]}")
                    else:
                        acknowledged[key] = response.json()["id"]
                        outcomes["replayed" if response.headers.get("Idempotent-Replayed") else "created"] += 1
                break
            else:
                failures.append(f"key {key} never acknowledged")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    killed = []
    for threshold in range(1, KILLS + 1):
        while len(acknowledged) < threshold * CREATES // (KILLS + 1) and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        victim = random.choice(server.worker_pids())
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
    for t in threads:
        t.join(300)

    assert not failures, failures[:5]
    assert len(acknowledged) == CREATES
    assert len(set(killed)) == KILLS
    assert outcomes["connection broken, retried"] >= 1, outcomes  # at least one kill hit a request in flight
    rows = server.query("SELECT r.id, r.reference FROM seizure_reports r JOIN users u ON u.id = r.created_by_id "
                        "WHERE u.email = 'officer@jm.example' AND r.narrative LIKE 'Fault test report %'")
    assert sorted(r[0] for r in rows) == sorted(acknowledged.values())  # each exactly once, nothing else
    keys = server.query("SELECT k.key, k.report_id FROM idempotency_keys k JOIN users u ON u.id = k.user_id "
                        "WHERE u.email = 'officer@jm.example'")
    assert dict(keys) == acknowledged
    references = [r[0] for r in server.query("SELECT reference FROM seizure_reports")]
    assert len(references) == len(set(references))
    assert _gaps(references) == []
    assert requests.get(f"{server.url}/healthz", timeout=30).status_code == 200
    print(f"\n{dict(outcomes)}; killed {killed}")


def test_two_requests_with_one_key_at_the_same_moment_make_one_report(server):
    """The race the retries above rarely hit: the second request arrives while the first one still runs."""
    sessions = [_session(server.tokens["officer@jm.example"]) for _ in range(2)]
    answers: list[list[requests.Response]] = []
    for n in range(10):
        key, body = str(uuid.uuid4()), factories.report_payload(narrative=f"Same-key race {n}.")
        barrier, pair = threading.Barrier(2), []

        def send(session: requests.Session) -> None:
            barrier.wait()
            pair.append(session.post(f"{server.url}/api/v1/seizures", json=body, timeout=60,
                                     headers={"Idempotency-Key": key}))

        threads = [threading.Thread(target=send, args=(s,)) for s in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        answers.append(pair)

    for pair in answers:
        assert [r.status_code for r in pair] == [201, 201], [r.text[:200] for r in pair]
        assert pair[0].json()["id"] == pair[1].json()["id"]
        assert sorted(r.headers.get("Idempotent-Replayed", "") for r in pair) == ["", "true"]
    rows = server.query("SELECT id FROM seizure_reports WHERE narrative LIKE 'Same-key race %'")
    assert sorted(r[0] for r in rows) == sorted(pair[0].json()["id"] for pair in answers)


def _big_operation(server: FaultServer, session: requests.Session) -> int:
    """An operation of every administration since 2000, its reports linked: an annex of about a thousand rows."""
    organisations = [code for (code,) in server.query("SELECT code FROM organisations WHERE kind = 'administration'")]
    body = {"code": OPERATION, "name": "Operation Fault Render", "lead_organisation": "JIO", "starts_on": "2000-01-01",
            "ends_on": date.today().isoformat(), "participants": organisations}
    created = session.post(f"{server.url}/api/v1/operations", json=body, timeout=60)
    assert created.status_code == 201, created.text
    linked = session.post(f"{server.url}/api/v1/operations/{OPERATION}/links", json={}, timeout=300)
    assert linked.status_code == 200, linked.text
    return linked.json()["linked"]


def test_a_render_whose_worker_is_killed_is_finished_by_another_worker(server):
    session = _session(server.tokens["analyst@jio.example"])
    linked = _big_operation(server, session)
    assert linked >= 500
    response = session.post(f"{server.url}/api/v1/operations/{OPERATION}/summary", timeout=60)
    assert response.status_code == 202, response.text
    job_id = response.json()["job"]["id"]

    # Wait until the render child runs: the job is past its context (progress >= 0.3) and the worker that
    # holds it has children (the fork server and the render child under it).
    deadline = time.monotonic() + 180
    while True:
        assert time.monotonic() < deadline, "the render never started"
        [job] = server.query("SELECT status, progress, worker, started_at, finished_at FROM jobs WHERE id = :id",
                             id=job_id)
        assert job.status in ("queued", "running"), job
        if job.status == "running" and job.progress >= 0.3:
            pid = int(job.worker.split(":")[1])
            renderers = _descendants(pid)
            if len(renderers) >= 2:
                break
        time.sleep(0.05)
    assert pid in server.worker_pids()
    os.kill(pid, signal.SIGKILL)

    deadline = time.monotonic() + STALE_SECONDS + 240
    while True:
        try:
            job = session.get(f"{server.url}/api/v1/jobs/{job_id}", timeout=60).json()["job"]
        except requests.ConnectionError:  # the kept-alive connection may have been to the killed worker
            assert time.monotonic() < deadline, "the server stopped answering"
            time.sleep(0.5)
            continue
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert job["status"] == "done", job
    assert job["attempts"] == 2 and job["progress"] == 1.0 and job["message"] == ""
    [(holder,)] = server.query("SELECT worker FROM jobs WHERE id = :id", id=job_id)
    assert int(holder.split(":")[1]) != pid
    assert [p for p in [pid, *renderers] if _running(p)] == []  # nothing of the killed worker runs on

    pdf = session.get(f"{server.url}{job['file']}", timeout=60)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) >= 5
    assert "Operation Fault Render" in reader.pages[0].extract_text()
    print(f"\n{linked} reports, {len(reader.pages)} pages; killed {pid} with {renderers} under it; {job}")
