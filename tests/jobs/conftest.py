from __future__ import annotations

import pytest
from flask import Flask

from tests import factories
from tests.operations.support import RequestScopedClient


@pytest.fixture
def client(app: Flask) -> RequestScopedClient:
    return RequestScopedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def api(client: RequestScopedClient) -> factories.ApiClient:
    return factories.ApiClient(client)


@pytest.fixture(autouse=True)
def _job_settings(app: Flask):
    """The in-process worker shares the test's database connection: no heartbeat thread may use it
    concurrently, so beats are left to the renderer's progress callbacks (same thread) here."""
    saved = {k: app.config.get(k) for k in ("JOBS_HEARTBEAT_SECONDS", "JOBS_RENDER_TIMEOUT_SECONDS",
                                             "JOBS_RENDER_MEMORY_MB")}
    app.config["JOBS_HEARTBEAT_SECONDS"] = 3600
    yield
    for key, value in saved.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value
