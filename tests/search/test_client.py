"""search/client.py: one client for Elasticsearch and OpenSearch.

osmem (the OpenSearch test double) answers the compatibility media type with 406, like OpenSearch, so
it shows the header rewrite works. It does send `X-Elastic-Product`, unlike OpenSearch, so the product
check is shown against a small recording HTTP server that answers the way OpenSearch does.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from elasticsearch import ApiError, UnsupportedProductError, helpers

from search.client import build_client, plain_media_type
from tests.live import serving


def test_default_flavour_is_refused_by_opensearch(osmem_url: str) -> None:
    """The trap itself: without the opensearch flavour, a request with a body is a 406."""
    client = build_client(osmem_url)
    with pytest.raises(ApiError) as error:
        client.indices.create(index="plain", mappings={"properties": {"code": {"type": "keyword"}}})
    assert error.value.meta.status == 406


def test_opensearch_flavour_sends_plain_json(osmem_url: str) -> None:
    client = build_client(osmem_url, "opensearch")
    client.indices.create(index="plain", mappings={"properties": {"code": {"type": "keyword"}}})
    ok, errors = helpers.bulk(client, ({"_index": "plain", "_id": str(i), "_source": {"code": f"C{i}"}}
                                       for i in range(3)), refresh=True)
    assert (ok, errors) == (3, [])
    assert client.search(index="plain", query={"term": {"code": "C2"}})["hits"]["total"]["value"] == 1


def test_plain_media_type() -> None:
    assert plain_media_type("application/vnd.elasticsearch+json; compatible-with=9") == "application/json"
    assert plain_media_type("application/vnd.elasticsearch+x-ndjson;compatible-with=8") == "application/x-ndjson"
    assert plain_media_type("application/json") == "application/json"


def test_unknown_flavour_is_refused() -> None:
    with pytest.raises(ValueError, match="ELASTICSEARCH_FLAVOR"):
        build_client("http://127.0.0.1:9200", "solr")


class _OpenSearchLike(BaseHTTPRequestHandler):
    """Answers like OpenSearch (and osmem): no X-Elastic-Product header, 406 for a body in Elastic's media
    type."""

    seen: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        type(self).seen.append(headers)
        status, body = 200, {"acknowledged": True, "version": {"distribution": "opensearch", "number": "2.19.0"}}
        if "vnd.elasticsearch" in headers.get("content-type", ""):
            status, body = 406, {"error": "Content-Type header is not supported", "status": 406}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib signature
        pass


@pytest.fixture
def opensearch_like() -> Iterator[str]:
    _OpenSearchLike.seen = []
    with serving(_OpenSearchLike) as url:
        yield url


def test_opensearch_flavour_passes_the_product_check(opensearch_like: str) -> None:
    client = build_client(opensearch_like, "opensearch")
    assert client.info()["version"]["distribution"] == "opensearch"
    assert client.indices.create(index="x", mappings={"properties": {}})["acknowledged"] is True
    sent = _OpenSearchLike.seen
    assert [h.get("accept") for h in sent] == ["application/json", "application/json"]
    assert sent[1]["content-type"] == "application/json"


def test_default_flavour_refuses_a_server_that_is_not_elasticsearch(opensearch_like: str) -> None:
    """What the opensearch flavour is for: the client's own product check, unchanged for Elasticsearch."""
    client = build_client(opensearch_like)
    with pytest.raises(UnsupportedProductError):
        client.info()
