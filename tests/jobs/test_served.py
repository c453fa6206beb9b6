"""The job queue across processes, on the app as served: `flask jobs work` processes side by side never
take the same job, and a job whose worker is killed mid-render is finished by another worker."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests

from tests.live import BIN, ROOT, LiveServer
from tests.operations.support import at

pytestmark = pytest.mark.served

PASSWORD = "jobs-are-run-once-2026"
STALE_SECONDS = 4


class JobServer(LiveServer):
    """gunicorn without its job threads (these tests start the workers), short heartbeat and stale times."""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "ELIX_JOB_THREAD": "0", "ELIX_JOBS_HEARTBEAT_SECONDS": "1",
                "ELIX_JOBS_STALE_SECONDS": str(STALE_SECONDS), "ELIX_JOBS_POLL_SECONDS": "0.2"}

    def worker(self) -> subprocess.Popen:
        return subprocess.Popen([str(BIN / "flask"), "jobs", "work"], cwd=ROOT, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    from tests.conftest import _fresh_database_url
    from tests import factories

    tmp = tmp_path_factory.mktemp("jobs-live")
    url = _fresh_database_url(tmp, f"elix_jobs_{os.getpid()}")
    served = JobServer(url, tmp / "instance").start()
    for code, name, kind in [("JIO", "CCLEC Joint Intelligence Office", "regional_office"),
                             ("JM", "Jamaica Customs Agency", "administration")]:
        served.flask("orgs", "create", code, "--name", name, "--kind", kind)
    served.flask("users", "create", "analyst@jio.example", "--org", "JIO", "--role", "analyst", "--password", PASSWORD)
    served.flask("users", "create", "officer@jm.example", "--org", "JM", "--role", "officer", "--password", PASSWORD)
    served.tokens = {email: served.flask("tokens", "create", email).strip()
                     for email in ("analyst@jio.example", "officer@jm.example")}
    analyst = _session(served, "analyst@jio.example")
    for i in range(3):
        body = {"code": f"OP-{i}", "name": f"Operation {i}", "lead_organisation": "JIO", "starts_on": "2017-10-01",
                "ends_on": "2017-10-31", "participants": ["JM"]}
        assert analyst.post(f"{served.url}/api/v1/operations", json=body, timeout=10).status_code == 201
    officer = _session(served, "officer@jm.example")
    for i in range(3):
        body = factories.report_payload(seized_at=at(f"2017-10-{10 + i:02d}"), operations=[f"OP-{i}"], submit=True)
        assert officer.post(f"{served.url}/api/v1/seizures", json=body, timeout=10).status_code == 201
    yield served
    served.stop()
    factories.drop_postgres_database(url)


def _session(served: JobServer, email: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {served.tokens[email]}"
    return session


def _request(served: JobServer, code: str) -> str:
    response = _session(served, "analyst@jio.example").post(f"{served.url}/api/v1/operations/{code}/summary",
                                                            timeout=10)
    assert response.status_code == 202
    return response.json()["job"]["id"]


def _job(served: JobServer, job_id: str) -> dict:
    return _session(served, "analyst@jio.example").get(f"{served.url}/api/v1/jobs/{job_id}", timeout=10).json()["job"]


def _wait(served: JobServer, job_ids: list[str], until, timeout: float = 240) -> dict[str, dict]:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while True:
        jobs = {job_id: _job(served, job_id) for job_id in job_ids}
        if all(until(job) for job in jobs.values()):
            return jobs
        assert time.monotonic() < deadline, f"jobs did not get there in time: {jobs}"
        time.sleep(0.3)


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output


def test_workers_side_by_side_run_each_job_once(server):
    job_ids = [_request(server, f"OP-{i % 3}") for i in range(6)]
    workers = [server.worker() for _ in range(3)]
    try:
        jobs = _wait(server, job_ids, lambda job: job["status"] in ("done", "failed"))
    finally:
        outputs = [_stop(w) for w in workers]
    assert {job["status"] for job in jobs.values()} == {"done"}, jobs
    assert {job["attempts"] for job in jobs.values()} == {1}, "a job was claimed twice"
    assert all("stopped after" in out for out in outputs), outputs
    # Three distinct inputs, three stored PDFs: a job whose input was rendered already (or meanwhile, by
    # another worker) serves the stored one.
    analyst = _session(server, "analyst@jio.example")
    pdfs = {analyst.get(f"{server.url}{job['file']}", timeout=10).content for job in jobs.values()}
    assert len(pdfs) == 3 and all(pdf.startswith(b"%PDF") for pdf in pdfs)


def test_a_job_whose_worker_was_killed_is_finished_by_another(server):
    # A fresh input (a new report is linked), so that the job renders instead of reusing a product.
    officer = _session(server, "officer@jm.example")
    from tests import factories

    body = factories.report_payload(seized_at=at("2017-10-20"), operations=["OP-0"], submit=True)
    assert officer.post(f"{server.url}/api/v1/seizures", json=body, timeout=10).status_code == 201
    first = server.worker()
    try:
        job_id = _request(server, "OP-0")
        running = _wait(server, [job_id], lambda job: job["status"] == "running" and job["progress"] >= 0.3,
                        timeout=120)[job_id]
        assert running["attempts"] == 1
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its render children die mid-job
        first.communicate()
    assert _job(server, job_id)["status"] == "running"  # left behind, its heartbeat stops
    second = server.worker()
    try:
        done = _wait(server, [job_id], lambda job: job["status"] in ("done", "failed"))[job_id]
    finally:
        _stop(second)
    assert done["status"] == "done" and done["attempts"] == 2
    pdf = _session(server, "analyst@jio.example").get(f"{server.url}{done['file']}", timeout=10).content
    assert pdf.startswith(b"%PDF")
