"""The Elasticsearch backend's index lifecycle: alias, bulk writes, rebuild with an atomic swap.

Runs on osmem (an in-memory OpenSearch test double), or on the cluster at TEST_ELASTICSEARCH_URL.
"""
from __future__ import annotations

import threading
import time

import pytest
from elasticsearch import ConnectionError as EngineUnreachable

from app.permissions import Viewer
from search.backends import SearchUnavailable
from search.backends.elasticsearch import BulkFailed, ElasticsearchBackend
from search.client import build_client
from search.query import SearchQuery
from tests.live import free_port
from tests.search.conftest import on_osmem

JM, KY = 1, 2
KY_ANALYST = Viewer(user_id=9, organisation_id=KY, organisation_kind="administration", operation_ids=frozenset(),
                    regional_validator=False)


def document(number: int, **overrides) -> dict:
    """A search document of the shape search.documents.build_document returns."""
    doc = {
        "id": f"00000000-0000-4000-8000-{number:012d}", "reference": f"JM-2017-{number:06d}", "version": 1,
        "status": "submitted", "organisation": "JM", "organisation_id": JM, "distribution": "network",
        "tlp": "amber", "operation_ids": [], "operations": [],
        "seized_at": f"2017-{1 + number % 12:02d}-{1 + number % 28:02d}T14:30:00+00:00",
        "seized_month": f"2017-{1 + number % 12:02d}", "country": "JM",
        "location": {"name": "Kingston Container Terminal", "locode": "JMKIN", "type": "seaport",
                     "lat": 17.97, "lon": -76.79},
        "transport_mode": "sea", "procedure": "import", "traffic": "cargo",
        "detection_methods": ["xray"], "concealment_methods": ["within_goods"],
        "categories": ["tobacco"], "subcategories": ["cigarettes"],
        "items": [{"category": "tobacco", "subcategory": "cigarettes", "description": "Counterfeit 'Marlboro'",
                   "quantity": 10000.0 + number, "unit": "sticks", "hs_code": "240220"}],
        "route": [{"role": "departure", "country": "PA", "place": "PAMIT"}], "route_countries": ["PA"],
        "vessel_name": "MSC Example", "imo": "9321483", "flag": "LR", "containers": ["MSCU1234566"],
        "flight": None, "vehicle_plate": None, "locodes": ["JMKIN", "PAMIT"],
        "narrative": "Counterfeit cigarettes found in a reefer container from Panama.",
        "concealment_details": "inside frozen fish cartons", "language": "en",
        "persons_text": "Winston Uniquename P9988776",
        "summary": "50 cartons cigarettes (10 000 sticks) · Kingston Container Terminal, JM",
    }
    doc.update(overrides)
    return doc


def live_indices(backend: ElasticsearchBackend) -> list[str]:
    return sorted(backend.client.indices.get(index=f"{backend.alias}-*", allow_no_indices=True))


def aliased(backend: ElasticsearchBackend) -> list[str]:
    return sorted(backend.client.indices.get_alias(name=backend.alias))


def test_search_before_anything_was_indexed_is_empty(elasticsearch_backend: ElasticsearchBackend) -> None:
    result = elasticsearch_backend.search(SearchQuery(text="cigarettes"), KY_ANALYST)
    assert (result.total, result.hits, result.histogram, result.totals) == (0, [], [], [])
    assert elasticsearch_backend.count() == 0


def test_index_creates_the_index_behind_the_alias_with_the_mapping(
        elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    assert backend.index([document(1), document(2)]) == 2
    assert backend.count() == 2
    names = aliased(backend)
    assert len(names) == 1 and names[0].startswith(backend.alias + "-")
    mapping = backend.client.indices.get_mapping(index=backend.alias)[names[0]]["mappings"]
    assert mapping["properties"]["items"]["type"] == "nested"
    assert mapping["properties"]["geo"]["type"] == "geo_point"
    assert mapping["properties"]["containers"]["type"] == "keyword"


def test_an_engine_that_lost_its_index_gets_it_back_with_the_mapping(
        elasticsearch_backend: ElasticsearchBackend) -> None:
    """An engine restarted empty: the next bulk request must not auto-create a dynamic index."""
    backend = elasticsearch_backend
    backend.index([document(1)])
    backend.client.indices.delete(index=",".join(live_indices(backend)))
    assert backend.count() == 0
    assert backend.index([document(2)]) == 1
    assert backend.count() == 1
    (name,) = aliased(backend)
    assert backend.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]["items"]["type"] == "nested"


def test_languages_are_those_the_engine_accepted(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1)])
    (name,) = aliased(backend)
    mapping = backend.client.indices.get_mapping(index=name)[name]["mappings"]
    sub_fields = set(mapping["properties"]["narrative"]["fields"])
    assert sub_fields == set(backend.languages()) == set(mapping["_meta"]["languages"])
    assert {"en", "es", "fr"} <= sub_fields
    if on_osmem():
        assert "nl" not in sub_fields  # osmem has no Dutch analyzer: the index is created without it


def test_persons_are_indexed_but_never_stored(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    doc = document(1)
    backend.index([doc])
    stored = backend.client.get(index=backend.alias, id=doc["id"])["_source"]
    assert "persons_text" not in stored
    assert stored["narrative"] == doc["narrative"]
    own = Viewer(user_id=1, organisation_id=JM, organisation_kind="administration", operation_ids=frozenset(),
                 regional_validator=False)
    assert backend.search(SearchQuery(text="Uniquename"), own).total == 1
    assert backend.search(SearchQuery(text="Uniquename"), KY_ANALYST).total == 0


def test_delete_ignores_unknown_ids(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1), document(2)])
    assert backend.delete([document(1)["id"], "no-such-report"]) == 1
    assert backend.count() == 1
    assert backend.delete([]) == 0


def test_rebuild_swaps_the_alias_and_removes_the_old_index(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(n) for n in range(3)])
    (old,) = aliased(backend)
    assert backend.rebuild(document(n) for n in range(10, 15)) == 5
    (new,) = aliased(backend)
    assert new != old
    assert live_indices(backend) == [new]
    assert backend.count() == 5
    assert {hit.reference for hit in backend.search(SearchQuery(per_page=10), KY_ANALYST).hits} == {
        f"JM-2017-{n:06d}" for n in range(10, 15)}


def test_searches_keep_answering_while_a_rebuild_swaps_the_alias(
        elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    documents = [document(n) for n in range(600)]
    backend.index(documents)
    totals: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_in_a_loop() -> None:
        while not stop.is_set():
            try:
                totals.append(backend.search(SearchQuery(text="cigarettes", per_page=5), KY_ANALYST).total)
                totals.append(backend.count())
            except BaseException as error:  # noqa: BLE001 - any error is the test's failure
                errors.append(error)
                return

    searcher = threading.Thread(target=search_in_a_loop)
    searcher.start()
    try:
        swaps = []
        for _ in range(3):
            backend.rebuild(iter(documents))
            swaps.append(aliased(backend)[0])
            time.sleep(0.05)
    finally:
        stop.set()
        searcher.join()
    assert errors == []
    assert len(set(swaps)) == 3
    assert len(totals) > 10
    assert set(totals) == {600}, f"a search saw {min(totals)} documents during a swap"


def test_a_rebuild_that_fails_deletes_its_index_and_leaves_the_live_one(
        elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(n) for n in range(3)])
    before = live_indices(backend)
    rejected = document(99, seized_at="not a date")
    with pytest.raises(BulkFailed, match=rejected["id"]):
        backend.rebuild([document(n) for n in range(10, 20)] + [rejected] + [document(n) for n in range(20, 30)])
    assert live_indices(backend) == before == aliased(backend)
    assert backend.count() == 3


def test_a_rebuild_whose_source_fails_deletes_its_index(elasticsearch_backend: ElasticsearchBackend) -> None:
    """The documents come from the database: if reading them fails half way, nothing changes either."""
    backend = elasticsearch_backend
    backend.index([document(1)])
    before = live_indices(backend)

    def from_a_failing_database():
        yield from (document(n) for n in range(10, 700))
        raise RuntimeError("database connection lost")

    with pytest.raises(RuntimeError, match="connection lost"):
        backend.rebuild(from_a_failing_database())
    assert live_indices(backend) == before
    assert backend.count() == 1


def test_index_reports_the_documents_it_could_not_index(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    rejected = document(2, seized_at="yesterday")
    with pytest.raises(BulkFailed) as failure:
        backend.index([document(1), rejected, document(3)])
    assert failure.value.ids == [rejected["id"]]
    assert backend.count() == 2  # the others are indexed all the same


def test_an_unreachable_engine() -> None:
    backend = ElasticsearchBackend(build_client(f"http://127.0.0.1:{free_port()}", "opensearch", max_retries=0))
    assert backend.ping() is False
    with pytest.raises(EngineUnreachable):
        backend.index([document(1)])
    with pytest.raises(SearchUnavailable, match="not reachable"):
        backend.search(SearchQuery(text="cigarettes"), KY_ANALYST)


def test_an_older_version_never_replaces_a_newer_one(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1, version=3, narrative="third version")])
    assert backend.index([document(1, version=2, narrative="second version")]) == 0
    assert backend.index([document(1, version=3, narrative="third version, indexed again")]) == 1
    stored = backend.client.get(index=backend.alias, id=document(1)["id"])["_source"]
    assert stored["narrative"] == "third version, indexed again"


def test_processes_racing_to_create_the_first_index_share_one(elasticsearch_backend: ElasticsearchBackend) -> None:
    """Every gunicorn worker's sync thread may be first to write to an engine that has no index."""
    backend = elasticsearch_backend
    others = [ElasticsearchBackend(backend.client, alias=backend.alias) for _ in range(4)]
    barrier = threading.Barrier(len(others))
    errors: list[BaseException] = []

    def write(worker: ElasticsearchBackend, number: int) -> None:
        barrier.wait()
        try:
            worker.index([document(number)])
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker, n)) for n, worker in enumerate(others)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(aliased(backend)) == 1
    assert backend.count() == len(others)


def test_changes_made_during_a_rebuild_are_kept(elasticsearch_backend: ElasticsearchBackend) -> None:
    """The outbox worker keeps writing while `flask search reindex` runs: its newer versions survive the
    swap, whether the rebuild had already copied the report, copies it later, or never sees it."""
    backend = elasticsearch_backend
    backend.index([document(n) for n in range(3)])

    def from_the_database():
        yield document(0)  # copied at version 1, then changed
        backend.index([document(0, version=2, narrative="changed after the rebuild copied it"),
                       document(1, version=2, narrative="changed before the rebuild copied it"),
                       document(7, narrative="created during the rebuild")])
        backend.delete([document(2)["id"]])
        yield document(1)  # the rebuild's copy is older than what the worker wrote
        yield document(3)

    # Copies older than what the worker wrote are skipped (which ones depends on the bulk chunking).
    assert 1 <= backend.rebuild(from_the_database()) <= 3
    stored = {hit["_id"]: hit["_source"]["narrative"] for hit in backend.client.search(
        index=backend.alias, size=10, source_includes=["narrative"])["hits"]["hits"]}
    assert stored == {
        document(0)["id"]: "changed after the rebuild copied it",
        document(1)["id"]: "changed before the rebuild copied it",
        document(3)["id"]: document(3)["narrative"],
        document(7)["id"]: "created during the rebuild",
    }
    assert not backend.client.indices.exists_alias(name=backend.building_alias)


def test_a_rebuild_that_died_does_not_block_the_next(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1)])
    backend.client.indices.create(index=f"{backend.alias}-dead")
    backend.client.indices.update_aliases(actions=[{"add": {"index": f"{backend.alias}-dead",
                                                            "alias": backend.building_alias}}])
    assert backend.rebuild([document(1), document(2)]) == 2
    assert live_indices(backend) == aliased(backend)
    assert backend.count() == 2
