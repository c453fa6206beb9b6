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
