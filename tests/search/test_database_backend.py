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
    live_before, countries_before = loaded.live.copy(), loaded.single["country"].codes.copy()
    second = factories.report(world["ky_officer"], narrative="Later mackerel",
                              items=[{"category": "alcohol", "quantity": 12, "unit": "litres"}])
    seizure_services.update_report(officer, first, {"narrative": "Edited sardines", "country": "KY"}, first.version)
    backend.delete([second.id])
    third = factories.report(officer, narrative="Brand new value", route=[{"role": "origin", "country": "VE"}])
    patched = backend.search(query, viewer_for(analyst))
    # Patched, not reloaded: a patched copy, the loaded columns untouched for searches still reading them.
    assert backend._columns is not loaded and backend._columns.generation == loaded.generation
    assert (loaded.live == live_before).all() and (loaded.single["country"].codes == countries_before).all()
    fresh = DatabaseBackend(services._in_session).search(query, viewer_for(analyst))
    assert _snapshot(patched) == _snapshot(fresh)
    assert {h.id for h in patched.hits} == {first.id, third.id}
    assert {b.value for b in patched.facets["route_country"]} >= {"VE"}


def test_a_background_load_answers_503_until_the_columns_are_in_memory(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """A server process loads the columns in a thread (minutes at a million documents): meanwhile a
    search is SearchUnavailable (a 503 saying so), never a request stuck past gunicorn's timeout."""
    import os
    import threading

    from app.extensions import db
    from search.backends import SearchUnavailable
    from search.backends import database as embedded
    from search.query import SearchQuery
    from tests import factories
    from tests.conftest import _fresh_database_url, make_app
    from tests.search.test_elasticsearch_lifecycle import KY_ANALYST, document

    url = _fresh_database_url(tmp_path, f"elix_background_{os.getpid()}")
    application = make_app(url)
    gate = threading.Event()

    class SlowColumns(embedded.Columns):
        def __init__(self, connection) -> None:  # noqa: ANN001
            gate.wait(30)
            super().__init__(connection)

    try:
        with application.app_context():
            engine = db.engine
            DatabaseBackend(engine.begin).index([document(1), document(2)])
            monkeypatch.setattr(embedded, "Columns", SlowColumns)
            backend = DatabaseBackend(engine.begin)
            loading = backend.load_in_background(engine.connect, wait=0.05)
            with pytest.raises(SearchUnavailable, match="loading") as unavailable:
                backend.search(SearchQuery(text="cigarettes"), KY_ANALYST)
            assert unavailable.value.retry_after > 0
            gate.set()
            loading.join(30)
            assert backend.search(SearchQuery(text="cigarettes"), KY_ANALYST).total == 2
            DatabaseBackend(engine.begin).index([document(3)])  # a later change is patched in, no reload
            assert backend.search(SearchQuery(text="cigarettes"), KY_ANALYST).total == 3
            assert not backend._loading.is_alive()
            engine.dispose()
    finally:
        gate.set()
        factories.drop_postgres_database(url)


def test_cached_text_matches_follow_every_change(app, world) -> None:  # noqa: ANN001
    from app.permissions import viewer_for
    from app.seizures import services as seizure_services
    from search.query import SearchQuery
    from tests import factories

    backend = DatabaseBackend(services._in_session)
    viewer = viewer_for(world["jio_analyst"])

    def total(text: str) -> int:
        return backend.search(SearchQuery(text=text), viewer).total

    assert total("sardines") == 0
    report = factories.report(world["jm_officer"], narrative="Frozen sardines")
    assert total("sardines") == total("sardines") == 1
    assert any(key[2] for key in backend._matches)  # answered from the cache the second time
    seizure_services.update_report(world["jm_officer"], report, {"narrative": "Frozen mackerel"}, report.version)
    assert (total("sardines"), total("mackerel")) == (0, 1)


def test_searches_in_threads_while_changes_are_patched_in(tmp_path) -> None:  # noqa: ANN001
    """gthread workers: searches run in several threads of a process while another thread's search
    patches later changes into the columns. Each search sees one consistent version (copy on write):
    no error, and a total that is a count of documents the index held at some moment."""
    import os
    import threading

    from app.extensions import db
    from search.query import SearchQuery
    from tests import factories
    from tests.conftest import _fresh_database_url, make_app
    from tests.search.test_elasticsearch_lifecycle import KY_ANALYST, document

    url = _fresh_database_url(tmp_path, f"elix_threads_{os.getpid()}")
    application = make_app(url)
    try:
        with application.app_context():
            engine = db.engine
            writer = DatabaseBackend(engine.begin)
            writer.index([document(number) for number in range(1, 101)])
            backend = DatabaseBackend(engine.begin)
            query = SearchQuery(sort="date_desc", per_page=5)
            assert backend.search(query, KY_ANALYST).total == 100
            errors, totals, stop = [], [], threading.Event()

            def search() -> None:
                while not stop.is_set():
                    try:
                        result = backend.search(query, KY_ANALYST)
                        totals.append((result.total, sum(b.count for b in result.facets["country"])))
                    except Exception as error:  # noqa: BLE001 - collected and asserted below
                        errors.append(repr(error))

            threads = [threading.Thread(target=search) for _ in range(4)]
            for thread in threads:
                thread.start()
            for number in range(101, 161):  # one document a batch: 60 patches while the threads search
                writer.index([document(number)])
            stop.set()
            for thread in threads:
                thread.join(30)
            assert errors == []
            assert totals and all(100 <= total <= 160 and facet == total for total, facet in totals)
            assert backend.search(query, KY_ANALYST).total == 160
            engine.dispose()
    finally:
        factories.drop_postgres_database(url)
