"""Concurrent writers against the app served by gunicorn (3 workers), over HTTP.

References are unique and gap-free per organisation and year under concurrent creation; concurrent
updates of one report at the same version give one winner and conflicts, never a server error.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests

from tests import factories

pytestmark = pytest.mark.served

EMAIL = "officer@jm.example"
THREADS = 8
REPORTS = 400


@pytest.fixture(scope="module")
def token(live_server) -> str:
    live_server.flask("orgs", "create", "JM", "--name", "Jamaica Customs Agency", "--kind", "administration")
    live_server.flask("users", "create", EMAIL, "--org", "JM", "--role", "officer", "--password", factories.PASSWORD)
    return live_server.flask("tokens", "create", EMAIL).strip().splitlines()[-1]


def session_for(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def run_in_threads(work, count: int) -> list:  # noqa: ANN001
    """Run `work(index)` `count` times on THREADS threads that start together."""
    barrier = threading.Barrier(THREADS)
    per_thread = [list(range(i, count, THREADS)) for i in range(THREADS)]

    def thread(indices: list[int]) -> list:
        barrier.wait()
        return [work(i) for i in indices]

    with ThreadPoolExecutor(THREADS) as pool:
        return [result for chunk in pool.map(thread, per_thread) for result in chunk]


def test_concurrent_creation_gives_unique_gap_free_references(live_server, token):
    sessions = threading.local()
    api = f"{live_server.url}/api/v1"

    def create(i: int) -> tuple[int, str | None]:
        if not hasattr(sessions, "session"):
            sessions.session = session_for(token)
        payload = factories.report_payload(narrative=f"concurrency test report {i}", submit=i % 2 == 0)
        response = sessions.session.post(f"{api}/seizures", json=payload, timeout=120)
        return response.status_code, response.json().get("reference")

    year = datetime.now(timezone.utc).year
    results = run_in_threads(create, REPORTS)

    assert Counter(status for status, _ in results) == Counter({201: REPORTS})
    references = [reference for _, reference in results]
    assert len(set(references)) == REPORTS
    assert sorted(references) == [f"JM-{year}-{n:06d}" for n in range(1, REPORTS + 1)]

    listed, page = [], 1
    client = session_for(token)
    while True:
        body = client.get(f"{api}/seizures", params={"per_page": 200, "page": page}, timeout=60).json()
        assert body["total"] == REPORTS
        if not body["results"]:
            break
        listed += [r["reference"] for r in body["results"]]
        page += 1
    assert sorted(listed) == sorted(references)
    statuses = Counter(r["status"] for r in client.get(f"{api}/seizures", params={"per_page": 200, "status": "draft"},
                                                      timeout=60).json()["results"])
    assert statuses == Counter({"draft": REPORTS // 2})


def test_concurrent_updates_at_one_version_have_one_winner(live_server, token):
    api = f"{live_server.url}/api/v1"
    client = session_for(token)
    report = client.post(f"{api}/seizures", json=factories.report_payload(), timeout=60).json()
    sessions = threading.local()

    def patch(i: int) -> int:
        if not hasattr(sessions, "session"):
            sessions.session = session_for(token)
        response = sessions.session.patch(f"{api}/seizures/{report['id']}",
                                          json={"version": report["version"], "arrests": report["arrests"] + 1 + i},
                                          timeout=60)  # each a change: a PATCH changing nothing writes nothing
        return response.status_code

    statuses = Counter(run_in_threads(patch, THREADS))
    assert statuses == Counter({200: 1, 409: THREADS - 1})
    after = client.get(f"{api}/seizures/{report['id']}", timeout=60).json()
    assert after["version"] == report["version"] + 1


def test_concurrent_submissions_of_one_draft_have_one_winner(live_server, token):
    api = f"{live_server.url}/api/v1"
    client = session_for(token)
    draft = client.post(f"{api}/seizures", json=factories.report_payload(), timeout=60).json()
    sessions = threading.local()

    def submit(_i: int) -> int:
        if not hasattr(sessions, "session"):
            sessions.session = session_for(token)
        return sessions.session.post(f"{api}/seizures/{draft['id']}/submit", timeout=60).status_code

    assert Counter(run_in_threads(submit, THREADS)) == Counter({200: 1, 409: THREADS - 1})


def test_concurrently_created_reports_are_searchable_at_once(live_server, token):
    """Served processes index through the outbox: each commit wakes its worker's sync thread, so a
    report is found within a fraction of a second (the bound allows a loaded 2-core CI machine)."""
    api = f"{live_server.url}/api/v1"
    sessions = threading.local()
    count = 40

    def create(i: int) -> int:
        if not hasattr(sessions, "session"):
            sessions.session = session_for(token)
        payload = factories.report_payload(narrative=f"zebrafish in reefer {i}")
        return sessions.session.post(f"{api}/seizures", json=payload, timeout=120).status_code

    assert Counter(run_in_threads(create, count)) == Counter({201: count})
    created = time.monotonic()
    client = session_for(token)
    while True:
        total = client.get(f"{api}/search", params={"q": "zebrafish"}, timeout=60).json()["total"]
        if total == count or time.monotonic() - created > 5:
            break
        time.sleep(0.05)
    assert total == count
    outbox = requests.get(f"{live_server.url}/healthz", timeout=60).json()["search"]["outbox"]
    assert outbox["rows"] == 0
