"""The contract suite on the Elasticsearch backend: on osmem (an in-memory OpenSearch test double), or on
the cluster at TEST_ELASTICSEARCH_URL (flavour from ELASTICSEARCH_FLAVOR)."""
from __future__ import annotations

import pytest

from search.backends.elasticsearch import ElasticsearchBackend
from tests.search.contract import SearchBackendContract


class TestElasticsearchBackend(SearchBackendContract):
    @pytest.fixture
    def backend(self, app, elasticsearch_backend: ElasticsearchBackend) -> ElasticsearchBackend:  # noqa: ANN001
        return elasticsearch_backend
