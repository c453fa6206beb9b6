"""`flask search reindex` on Elasticsearch loses no report created while it runs (osmem, or
TEST_ELASTICSEARCH_URL)."""
from __future__ import annotations

from app.search import services
from search.query import SearchQuery
from tests import factories


def test_reports_created_while_a_reindex_runs_are_all_there(app, world, monkeypatch,
                                                            on_elasticsearch) -> None:  # noqa: ANN001
    from app.permissions import viewer_for

    officer, viewer = world["jm_officer"], viewer_for(world["jio_analyst"])  # the command expunges the session
    before = [factories.report(officer, narrative=f"Reindex sardines {n}").id for n in range(3)]
    services.worker(app).drain()
    read_ids, during, officer_id = services.all_report_ids, [], officer.id

    def read_while_officers_save() -> list[str]:
        ids = read_ids()
        if not during:  # right after the rebuild read the ids: a report is saved and synced at once
            saver = factories.db.session.get(type(officer), officer_id)  # the command's own session
            during.append(factories.report(saver, narrative="Reindex sardines during").id)
            assert services.worker(app).drain().indexed == 1
        return ids

    monkeypatch.setattr(services, "all_report_ids", read_while_officers_save)
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert during and on_elasticsearch.count() == 4
    found = on_elasticsearch.search(SearchQuery(text="sardines", per_page=10), viewer)
    assert {hit.id for hit in found.hits} == {*before, *during}
