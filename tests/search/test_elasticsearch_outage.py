"""The search engine goes away and comes back empty: nothing is lost.

The app is served by gunicorn with ELASTICSEARCH_URL pointing at an osmem server (an in-memory
OpenSearch test double: stopping it loses every index, like a cluster rebuilt from scratch). While
the engine is down officers keep saving and the outbox grows; once it is back, `flask search sync`
(or the sync thread of each gunicorn worker) sends the changes it holds, and `flask search reindex`
brings back everything else.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from osmem_server import OsmemServer

from tests import factories
from tests.conftest import _fresh_database_url
from tests.live import BIN, ROOT, LiveServer, free_port

pytestmark = pytest.mark.served

OFFICER, ANALYST = "officer@jm.example", "analyst@jm.example"


class Engine:
    """An osmem server on a fixed address, so it can be stopped and started again at the same URL."""

    def __init__(self) -> None:
        self.address = f"127.0.0.1:{free_port()}"
        self.url = f"http://{self.address}"
        self.server: OsmemServer | None = None

    def start(self) -> None:
        self.server = OsmemServer.start(addr=self.address)

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            if self.server.process.stdout:
                self.server.process.stdout.close()
            self.server = None


class SearchLiveServer(LiveServer):
    """The live server with the Elasticsearch backend (OpenSearch flavour)."""

    def __init__(self, database_url: str, instance: Path, engine_url: str) -> None:
        super().__init__(database_url, instance)
        self.engine_url = engine_url

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "ELASTICSEARCH_URL": self.engine_url, "ELASTICSEARCH_FLAVOR": "opensearch"}

    def flask_failing(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = Engine()
    engine.start()
    yield engine
    engine.stop()


@pytest.fixture
def served(engine: Engine, tmp_path: Path) -> Iterator[SearchLiveServer]:
    url = _fresh_database_url(tmp_path, f"elix_outage_{os.getpid()}")
    server = SearchLiveServer(url, tmp_path / "instance", engine.url).start()
    yield server
    server.stop()
    factories.drop_postgres_database(url)


def status(server: SearchLiveServer) -> dict:
    """The search part of /healthz (what `flask search status` prints)."""
    return requests.get(f"{server.url}/healthz", timeout=30).json()["search"]


def test_reports_saved_while_the_engine_is_down_come_back(engine: Engine, served: SearchLiveServer) -> None:
    served.flask("orgs", "create", "JM", "--name", "Jamaica Customs Agency", "--kind", "administration")
    for email, role in ((OFFICER, "officer"), (ANALYST, "analyst")):
        served.flask("users", "create", email, "--org", "JM", "--role", role, "--password", factories.PASSWORD)
    officer, analyst = requests.Session(), requests.Session()
    officer.headers["Authorization"] = f"Bearer {served.flask('tokens', 'create', OFFICER).strip().splitlines()[-1]}"
    analyst.headers["Authorization"] = f"Bearer {served.flask('tokens', 'create', ANALYST).strip().splitlines()[-1]}"
    api = f"{served.url}/api/v1"

    def create(narrative: str) -> dict:
        response = officer.post(f"{api}/seizures", json={**factories.report_payload(narrative=narrative),
                                                         "submit": True}, timeout=60)
        assert response.status_code == 201, response.text
        return response.json()

    def searched(text: str = "") -> set[str]:
        response = analyst.get(f"{api}/search", params={"q": text, "per_page": 100}, timeout=60)
        assert response.status_code == 200, response.text
        return {hit["reference"] for hit in response.json()["hits"]}

    before = [create(f"Cigarettes in reefer number {n}") for n in range(3)]
    served.flask("search", "sync", "--once")
    assert status(served)["documents"] == 3

    engine.stop()
    unavailable = analyst.get(f"{api}/search", params={"q": "reefer"}, timeout=60)
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"]
    assert unavailable.json()["error"]["code"] == "search_unavailable"
    during = [create(f"Cigarettes in reefer number {n}") for n in range(3, 8)]
    changed = officer.patch(f"{api}/seizures/{before[0]['id']}", timeout=60,
                            json={"version": before[0]["version"], "narrative": "Sardines instead of cigarettes"})
    assert changed.status_code == 200, changed.text
    down = json.loads(served.flask("search", "status", "--json"))
    assert down["ok"] is False
    assert down["outbox"]["rows"] >= len(during) + 1
    health = requests.get(f"{served.url}/healthz", timeout=30).json()
    assert health["status"] == "degraded" and health["search"]["outbox"]["rows"] == down["outbox"]["rows"]
    failed = served.flask_failing("search", "sync", "--once")
    assert failed.returncode != 0 and "the outbox keeps the rows" in failed.stderr
    assert status(served)["outbox"]["rows"] == down["outbox"]["rows"]  # nothing taken off while down

    engine.start()  # empty: osmem keeps nothing (the workers' sync threads may start draining at once)
    served.flask("search", "sync", "--once")
    after_sync = status(served)
    assert after_sync["outbox"]["rows"] == 0
    # What the outbox held is back (the new reports and the changed one); the untouched two are not yet.
    assert after_sync["documents"] == len(during) + 1
    assert searched("sardines") == {before[0]["reference"]}

    reindexed = served.flask("search", "reindex")
    assert "reindexed 8 reports" in reindexed
    assert status(served)["documents"] == 8
    assert searched() == {report["reference"] for report in before + during}
    assert searched("reefer") == {report["reference"] for report in before[1:] + during}
