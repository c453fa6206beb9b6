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


def _snapshot(result) -> tuple:  # noqa: ANN001
    return (result.total, [h.id for h in result.hits], result.facets, result.histogram, result.totals)


def test_columns_patched_after_changes_match_a_fresh_load(app, world) -> None:  # noqa: ANN001
    from app.permissions import viewer_for
    from app.seizures import services as seizure_services
    from search.query import SearchQuery
    from tests import factories

    officer, analyst = world["jm_officer"], world["jio_analyst"]
    first = factories.report(officer, narrative="Early sardines")
    backend = DatabaseBackend(services._in_session)
    query = SearchQuery(sort="date_desc", per_page=50)
    backend.search(query, viewer_for(analyst))  # columns loaded
    loaded = backend._columns
    second = factories.report(world["ky_officer"], narrative="Later mackerel",
                              items=[{"category": "alcohol", "quantity": 12, "unit": "litres"}])
    seizure_services.update_report(officer, first, {"narrative": "Edited sardines", "country": "KY"}, first.version)
    backend.delete([second.id])
    third = factories.report(officer, narrative="Brand new value", route=[{"role": "origin", "country": "VE"}])
    patched = backend.search(query, viewer_for(analyst))
    assert backend._columns is loaded  # patched in place, not reloaded
    fresh = DatabaseBackend(services._in_session).search(query, viewer_for(analyst))
    assert _snapshot(patched) == _snapshot(fresh)
    assert {h.id for h in patched.hits} == {first.id, third.id}
    assert {b.value for b in patched.facets["route_country"]} >= {"VE"}
