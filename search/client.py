"""The one place that builds the Elasticsearch client.

ELIX talks to Elasticsearch and to OpenSearch with the official `elasticsearch` client. Two things stand
between that client and OpenSearch (and osmem, the test double), and both are handled here only:

- elasticsearch-py 9 rewrites `Accept` and `Content-Type` into Elastic's compatibility media type
  (`application/vnd.elasticsearch+json; compatible-with=9`), which OpenSearch answers with 406;
- the client refuses any 2xx response without the `X-Elastic-Product: Elasticsearch` header (its
  "product check"), which OpenSearch does not send.

The `opensearch` flavour therefore uses `OpenSearchNode`, an `elastic_transport` node that sends the plain
media types and marks successful responses as acceptable to the product check. The header rewrite has
to sit below the client (in the node), because the client applies the compatibility rewrite to every
request after merging per-request headers.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from elastic_transport import HttpHeaders, Urllib3HttpNode
from elastic_transport.client_utils import DEFAULT, DefaultType
from elasticsearch import Elasticsearch

if TYPE_CHECKING:
    from elastic_transport._node import NodeApiResponse

FLAVORS = ("elasticsearch", "opensearch")

_COMPAT_MEDIA_TYPE = re.compile(r"application/vnd\.elasticsearch\+([\w.-]+)\s*;\s*compatible-with=\d+")


def plain_media_type(value: str) -> str:
    """`application/vnd.elasticsearch+json; compatible-with=9` -> `application/json` (same for x-ndjson)."""
    return _COMPAT_MEDIA_TYPE.sub(r"application/\1", value)


class OpenSearchNode(Urllib3HttpNode):
    """A node for OpenSearch: plain JSON media types out, product check satisfied on the way back."""

    def perform_request(self, method: str, target: str, body: bytes | None = None,
                        headers: HttpHeaders | None = None,
                        request_timeout: DefaultType | float | None = DEFAULT) -> NodeApiResponse:
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = plain_media_type(headers[name])
        response = super().perform_request(method, target, body=body, headers=headers,
                                           request_timeout=request_timeout)
        # OpenSearch does not claim to be Elasticsearch; without this the client raises
        # UnsupportedProductError on the first successful response.
        if 200 <= response.meta.status < 300 and "x-elastic-product" not in response.meta.headers:
            response.meta.headers["x-elastic-product"] = "Elasticsearch"
        return response


def build_client(url: str, flavor: str = "elasticsearch", *, request_timeout: float = 10.0,
                 max_retries: int = 2) -> Elasticsearch:
    """The client for `url` (one URL or several separated by commas).

    `flavor` is "elasticsearch" or "opensearch" (ELASTICSEARCH_FLAVOR). Retries cover connection errors
    and timeouts only; callers that must not wait (officers' saves) never call the engine directly.
    """
    if flavor not in FLAVORS:
        raise ValueError(f"ELASTICSEARCH_FLAVOR must be one of {', '.join(FLAVORS)}, not {flavor!r}")
    hosts = [part.strip() for part in url.split(",") if part.strip()]
    options: dict = {"request_timeout": request_timeout, "max_retries": max_retries, "retry_on_timeout": True}
    if flavor == "opensearch":
        options["node_class"] = OpenSearchNode
    return Elasticsearch(hosts, **options)
