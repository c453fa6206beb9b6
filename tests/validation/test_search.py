"""The validation state as a search filter and facet, on every backend (embedded: SQLite FTS5 or PostgreSQL;
Elasticsearch: osmem, or the cluster at TEST_ELASTICSEARCH_URL), and through the app's search."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.permissions import viewer_for
from app.search import services as search_services
from app.seizures import services as seizure_services
from app.seizures.models import SeizureReport
from app.validation import services
from search.backends.database import DatabaseBackend
from search.query import Filters, SearchQuery
from tests import factories
from tests.search.conftest import elasticsearch_backend, osmem_server  # noqa: F401  (fixtures)
from tests.validation.conftest import CHECKED


def seed(world) -> dict:  # noqa: ANN001
    """Network reports in every state, and one KY keeps to itself (awaiting, visible to KY only)."""
    jm, ky, validator = world["jm_officer"], world["ky_officer"], world["jio_validator"]
    reports = {name: factories.report(jm if name != "ky_private" else ky, **extra) for name, extra in [
        ("validated", {}), ("awaiting", {}), ("awaiting2", {}), ("returned", {}), ("draft", {}),
        ("ky_private", {"marking": {"tlp": "amber", "distribution": "organisation"}})]}
    db.session.flush()
    seizure_services.update_report(jm, reports["draft"], {"arrests": 0}, reports["draft"].version)
    reports["draft"].status = "draft"  # kept a draft: no validation state
    services.validate_report(validator, reports["validated"], CHECKED)
    services.return_report(validator, reports["returned"], "Check the quantity.")
    db.session.flush()
    return reports


def facet(result, name: str = "validation") -> dict:  # noqa: ANN001
    return {bucket.value: bucket.count for bucket in result.facets[name]}


class ValidationSearchContract:
    def refresh(self, backend) -> None:  # noqa: ANN001
        """Make indexed documents searchable (nothing to do for the embedded backend)."""

    def sync(self, backend) -> None:  # noqa: ANN001
        backend.index(search_services.documents_for(search_services.all_report_ids()))
        self.refresh(backend)

    @pytest.fixture
    def reports(self, world, backend) -> dict:  # noqa: ANN001
        reports = seed(world)
        self.sync(backend)
        return reports

    def search(self, backend, user, **filters):  # noqa: ANN001,ANN201
        values = {k: tuple(v) for k, v in filters.items()}
        return backend.search(SearchQuery(filters=Filters(**values), per_page=50), viewer_for(user))

    def test_the_facet_counts_each_state(self, backend, world, reports) -> None:  # noqa: ANN001
        result = self.search(backend, world["jio_analyst"])
        assert facet(result) == {"awaiting": 2, "returned": 1, "validated": 1}
        assert result.total == 4

    def test_the_facet_counts_only_what_the_viewer_sees(self, backend, world, reports) -> None:  # noqa: ANN001
        assert facet(self.search(backend, world["ky_analyst"])) == {"awaiting": 3, "returned": 1, "validated": 1}
        jm = self.search(backend, world["jm_analyst"])
        assert facet(jm) == {"awaiting": 2, "returned": 1, "validated": 1}
        assert jm.total == 5  # the JM draft too: in the results, in no validation bucket

    def test_the_filter(self, backend, world, reports) -> None:  # noqa: ANN001
        returned = self.search(backend, world["jio_analyst"], validation=["returned"])
        assert [hit.id for hit in returned.hits] == [reports["returned"].id]
        assert facet(returned) == {"returned": 1}
        several = self.search(backend, world["jio_analyst"], validation=["awaiting", "validated"])
        assert {hit.id for hit in several.hits} == {reports[n].id for n in ("awaiting", "awaiting2", "validated")}
        combined = self.search(backend, world["jio_analyst"], validation=["validated"], status=["submitted"])
        assert combined.total == 0

    def test_an_edit_after_validation_moves_the_document(self, backend, world, reports) -> None:  # noqa: ANN001
        report = db.session.get(SeizureReport, reports["validated"].id)  # a sync detaches what it loaded
        seizure_services.update_report(world["jm_officer"], report, {"arrests": 4}, report.version)
        self.sync(backend)
        assert facet(self.search(backend, world["jio_analyst"])) == {"awaiting": 3, "returned": 1}


class TestEmbeddedBackend(ValidationSearchContract):
    @pytest.fixture
    def backend(self, app) -> DatabaseBackend:  # noqa: ANN001
        return DatabaseBackend(search_services._in_session)


class TestElasticsearchBackend(ValidationSearchContract):
    @pytest.fixture
    def backend(self, app, elasticsearch_backend):  # noqa: ANN001,ANN201,F811
        return elasticsearch_backend


# --- the app's search follows each decision (the outbox, indexed inline by the embedded backend) ---------

def test_decisions_reach_the_index_at_once(world):
    report = factories.report(world["jm_officer"])
    analyst = world["jio_analyst"]

    def states() -> dict:
        result = search_services.search_reports(analyst, SearchQuery(filters=Filters(organisation=("JM",))))
        return facet(result)

    assert states() == {"awaiting": 1}
    services.return_report(world["jio_validator"], report, "Which port?")
    assert states() == {"returned": 1}
    seizure_services.submit_report(world["jm_officer"], report)
    assert states() == {"awaiting": 1}
    services.validate_report(world["jio_validator"], report, CHECKED)
    assert states() == {"validated": 1}


def test_the_search_api_takes_the_filter(api, world):
    report = factories.report(world["jm_officer"])
    services.return_report(world["jio_validator"], report, "Which port?")
    factories.report(world["jm_officer"])
    analyst = api.as_(world["jio_analyst"])
    analyst._headers()  # the token, committed with the reports: a read ends its transaction with a rollback
    db.session.commit()
    body = analyst.get("/search?validation=returned").get_json()
    assert [hit["id"] for hit in body["hits"]] == [report.id]
    assert {b["value"]: b["count"] for b in body["facets"]["validation"]} == {"returned": 1}
    bad = analyst.get("/search?validation=approved")
    assert bad.status_code == 422
    assert "validation.0" in bad.get_json()["error"]["fields"]
