"""A document the engine refuses never blocks the outbox: the rest of the batch is indexed, the refused
report's row is tried MAX_REFUSALS times, then left aside as failed with the engine's reason, shown by
`flask search status` and /healthz, and put back in line by `flask search sync --retry-failed`.
Against the Elasticsearch backend on osmem (or TEST_ELASTICSEARCH_URL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.search import services
from app.search.models import SearchOutbox
from search import outbox
from search.backends.elasticsearch import ElasticsearchBackend
from search.documents import build_document
from tests import factories


def test_a_refused_document_is_left_aside_and_the_others_are_indexed(app, client, world, monkeypatch,
                                                                     on_elasticsearch) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    reports = [factories.report(officer, narrative=f"Refusal sardines {n}") for n in range(3)]
    poisoned = reports[1].id

    def unparseable(source: dict) -> dict:  # a value the mapping cannot take, as a buggy document would have
        document = build_document(source)
        return {**document, "seized_at": "last tuesday"} if document["id"] == poisoned else document

    monkeypatch.setattr(outbox, "build_document", unparseable)
    done = services.worker(app).drain()  # returns: the refused row does not block the drain
    assert done.indexed >= 2
    assert on_elasticsearch.count() == 2
    row = db.session.execute(select(SearchOutbox.report_id, SearchOutbox.attempts, SearchOutbox.last_error)).one()
    assert row.report_id == poisoned and row.attempts == outbox.MAX_REFUSALS
    assert row.last_error.startswith(outbox.REFUSED) and "last tuesday" not in row.last_error

    factories.report(officer, narrative="Refusal sardines later")
    assert services.worker(app).drain().indexed == 1  # rows behind the failed one are not blocked
    assert on_elasticsearch.count() == 3

    status = app.test_cli_runner().invoke(args=["search", "status"])
    assert "outbox: 0 rows waiting" in status.output
    assert f"report {poisoned}: {outbox.REFUSED}" in status.output
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["search"]["outbox"] == {"rows": 0, "oldest_seconds": 0.0, "failed": 1}

    monkeypatch.setattr(outbox, "build_document", build_document)  # the cause is fixed
    retried = app.test_cli_runner().invoke(args=["search", "sync", "--once", "--retry-failed"])
    assert "1 failed rows back in line" in retried.output, retried.output
    assert on_elasticsearch.count() == 4
    assert db.session.scalars(select(SearchOutbox.id)).all() == []
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_an_unreachable_engine_never_makes_a_row_failed(app, world, monkeypatch) -> None:  # noqa: ANN001
    from search.client import build_client
    from search.outbox import OutboxWorker
    from tests.live import free_port

    down = ElasticsearchBackend(build_client(f"http://127.0.0.1:{free_port()}", "opensearch", max_retries=0,
                                             request_timeout=1))
    monkeypatch.setitem(app.config, "SEARCH_INDEX_INLINE", False)
    factories.report(world["jm_officer"])
    worker = OutboxWorker(services._committed, down, services.load_sources)
    for _attempt in range(outbox.MAX_REFUSALS + 1):
        with pytest.raises(Exception):  # noqa: B017 - whatever the client raises for a refused connection
            worker.drain_once()
    waiting = services.outbox_lag()
    assert (waiting.rows, waiting.failed) == (1, 0)
    down.client.close()
