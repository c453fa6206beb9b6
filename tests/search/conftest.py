"""Fixtures of the search tests."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from osmem_server import OsmemServer

from search.backends.elasticsearch import ElasticsearchBackend
from search.client import build_client


@pytest.fixture(scope="session")
def osmem_server() -> Iterator[OsmemServer]:
    """The osmem plugin's session server, with its stdout pipe closed at the end (the plugin leaves it
    open, a ResourceWarning that pytest.ini turns into an error)."""
    server = OsmemServer.start(freeze=True)
    yield server
    server.close()
    if server.process.stdout:
        server.process.stdout.close()


def elasticsearch_engine(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(url, flavour) of the engine under test: TEST_ELASTICSEARCH_URL (flavour from ELASTICSEARCH_FLAVOR)
    when set, otherwise a fresh clone of the session's osmem server (flavour opensearch)."""
    url = os.environ.get("TEST_ELASTICSEARCH_URL")
    if url:
        return url, os.environ.get("ELASTICSEARCH_FLAVOR", "elasticsearch")
    return request.getfixturevalue("osmem_url"), "opensearch"


def on_osmem() -> bool:
    return not os.environ.get("TEST_ELASTICSEARCH_URL")


@pytest.fixture
def elasticsearch_backend(request: pytest.FixtureRequest) -> Iterator[ElasticsearchBackend]:
    """An ElasticsearchBackend on its own alias; its indices are deleted afterwards (a real cluster
    is shared, an osmem clone is dropped anyway)."""
    url, flavor = elasticsearch_engine(request)
    backend = ElasticsearchBackend(build_client(url, flavor), alias=f"elix-test-{uuid.uuid4().hex[:12]}")
    yield backend
    names = list(backend.client.indices.get(index=f"{backend.alias}-*", allow_no_indices=True))
    if names:  # by name: Elasticsearch refuses wildcard deletes by default
        backend.client.indices.delete(index=",".join(names), ignore_unavailable=True)
    backend.client.close()


@pytest.fixture
def engine_stopped(app, monkeypatch):  # noqa: ANN001
    """The deployment's backend is Elasticsearch on an osmem server that was started, used and stopped."""
    from app.search import services

    server = OsmemServer.start()
    backend = ElasticsearchBackend(build_client(server.url, "opensearch", max_retries=0, request_timeout=2))
    assert backend.ping()
    server.close()
    if server.process.stdout:
        server.process.stdout.close()
    state = app.extensions.setdefault(services.EXTENSION, {})
    monkeypatch.setitem(state, "backend", backend)
    yield backend
    backend.client.close()


@pytest.fixture
def on_elasticsearch(app, monkeypatch,  # noqa: ANN001
                     elasticsearch_backend: ElasticsearchBackend) -> ElasticsearchBackend:
    """The app's backend is Elasticsearch: reports wait in the outbox for the worker."""
    from app.search import services

    monkeypatch.setitem(app.config, "ELASTICSEARCH_URL", "http://elasticsearch.invalid:9200")
    state = app.extensions.setdefault(services.EXTENSION, {})
    monkeypatch.setitem(state, "backend", elasticsearch_backend)
    monkeypatch.setitem(state, "committing", elasticsearch_backend)
    return elasticsearch_backend
