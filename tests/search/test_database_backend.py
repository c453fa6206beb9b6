"""The contract suite on the embedded backend: SQLite FTS5 here, PostgreSQL full text when TEST_DATABASE_URL is set."""
from __future__ import annotations

import pytest

from app.search import services
from search.backends.database import DatabaseBackend
from tests.search.contract import SearchBackendContract


class TestDatabaseBackend(SearchBackendContract):
    @pytest.fixture
    def backend(self, app) -> DatabaseBackend:  # noqa: ANN001
        # A fresh instance (its own column cache) on the test's transaction.
        return DatabaseBackend(services._in_session)
