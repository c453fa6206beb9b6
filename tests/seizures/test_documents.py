"""Reports keep their API document (app.seizures.documents): every change stores it, the detail read
serves it only for the report's current version, and it reads as the ORM's dump to every viewer.

(tests/conftest.py also checks, after every passing test, that each stored document for its report's
version is what a fresh dump gives.)"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import orjson
import pytest
from sqlalchemy import select, text

from app.api.seizures import dump_report
from app.extensions import db
from app.operations import services as operation_services
from app.permissions import viewer_for
from app.search import services as search_services
from app.seizures import documents
from app.seizures import services as seizure_services
from app.seizures.models import SeizureReport
from app.validation import services as validation_services
from app.validation.models import CHECKLIST
from search.backends.database import DatabaseBackend
from search.outbox import OutboxWorker

from tests import factories

ALL_CHECKED = {name: True for name in CHECKLIST}


def stored(report_id: str) -> dict | None:
    """The stored document when it shows the report's version."""
    found = documents.facts_and_document(report_id)
    return found[1] if found else None


def fresh_dump(report_id: str) -> dict:
    db.session.expunge_all()
    return orjson.loads(orjson.dumps(documents.dump(db.session.get(SeizureReport, report_id))))


def _create(world) -> SeizureReport:  # noqa: ANN001
    later, earlier = (factories.operation(code, world.jm, [world.jm], starts_on=date.today() - timedelta(days=30),
                                          ends_on=date.today()) for code in ("OP-ZULU", "OP-ALPHA"))
    return factories.report(world["jm_officer"], operations=[later.code, earlier.code], submit=False)


def _update(world, report) -> None:  # noqa: ANN001
    seizure_services.update_report(world["jm_officer"], report, {"narrative": "Changed", "items": [
        {"category": "fuel", "quantity": 900, "unit": "litres", "description": "Diesel"}]}, report.version)


def _submit(world, report) -> None:  # noqa: ANN001
    seizure_services.submit_report(world["jm_officer"], report)


def _withdraw(world, report) -> None:  # noqa: ANN001
    seizure_services.withdraw_report(world["jm_officer"], report)


def _validate(world, report) -> None:  # noqa: ANN001
    _submit(world, report)
    validation_services.validate_report(world["jio_validator"], report, ALL_CHECKED, "Looks right")


def _return_and_resubmit(world, report) -> None:  # noqa: ANN001
    _submit(world, report)
    validation_services.return_report(world["jio_validator"], report, "Check the quantity")
    seizure_services.submit_report(world["jm_officer"], report)


def _link_in_bulk(world, report) -> None:  # noqa: ANN001
    _submit(world, report)
    op = factories.operation("OP-BULK", world.jm, [world.jm], starts_on=date.today() - timedelta(days=30),
                             ends_on=date.today(), focus_categories=[])
    assert operation_services.link_reports(world["jm_analyst"], op, {}) == 1


def _bulk_load(world, report) -> None:  # noqa: ANN001
    """The demo loader's path: rows written without the ORM, then enqueued without a source record."""
    db.session.execute(text("UPDATE seizure_reports SET narrative = 'Bulk', version = version + 1 WHERE id = :id"),
                       {"id": report.id})
    db.session.expunge_all()  # the loader's session holds no objects of these reports
    search_services.enqueue_reports([report.id])


@contextmanager
def _same_transaction():  # noqa: ANN202
    yield db.session.connection()


def _drain_with_elasticsearch_s_worker(app) -> None:  # noqa: ANN001
    """The worker as it runs against Elasticsearch (not atomic: it indexes, then settles the rows),
    here writing to the embedded backend's tables."""
    keep = search_services.worker(app)._keep_sources
    OutboxWorker(_same_transaction, DatabaseBackend(_same_transaction), search_services.load_sources,
                 keep_sources=keep).drain()


INDEXERS = {
    "inline": None,  # CLI commands and the test client: in the change's own transaction
    "worker": lambda app: search_services.worker(app).drain(),  # served processes, embedded backend
    "worker-for-elasticsearch": _drain_with_elasticsearch_s_worker,
}


@pytest.mark.parametrize("indexer", INDEXERS)
@pytest.mark.parametrize("change", [None, _update, _submit, _withdraw, _validate, _return_and_resubmit, _link_in_bulk,
                                    _bulk_load], ids=lambda c: c.__name__.strip("_") if c else "create")
def test_every_change_stores_the_document_a_fresh_dump_gives(app, world, monkeypatch, change, indexer) -> None:  # noqa: ANN001
    """Whoever indexes a change for search stores the report's document: the change itself when it
    indexes inline, else the outbox worker with its batch (a create holds SQLite's write lock no longer)."""
    monkeypatch.setitem(app.config, "SEARCH_INDEX_INLINE", indexer == "inline")
    report = _create(world)
    if change:
        change(world, report)
    db.session.commit()
    report_id = report.id
    if INDEXERS[indexer]:
        assert stored(report_id) is None  # not indexed yet: the read goes to the report itself
        INDEXERS[indexer](app)
    document = stored(report_id)
    assert document is not None, "indexing stored no document for the report's version"
    assert document == fresh_dump(report_id)
    if change is None:
        assert document["operations"] == ["OP-ALPHA", "OP-ZULU"]  # as loaded, not as given


def test_the_detail_read_serves_the_stored_document_and_never_a_stale_one(app, world, api) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    report = factories.report(officer, narrative="As written")
    db.session.commit()
    report_id = report.id
    served = api.as_(officer)
    assert served.get(f"/seizures/{report_id}").get_json()["narrative"] == "As written"

    # The read takes what is stored: a document edited in place (same version) is what it answers.
    db.session.execute(text("UPDATE report_documents SET body = replace(body, 'As written', 'As stored') "
                            "WHERE report_id = :id"), {"id": report_id})
    assert served.get(f"/seizures/{report_id}").get_json()["narrative"] == "As stored"

    # A change that stores no document moves the version on: the read goes back to the report itself.
    db.session.execute(text("UPDATE seizure_reports SET version = version + 1 WHERE id = :id"), {"id": report_id})
    body = served.get(f"/seizures/{report_id}").get_json()
    assert (body["narrative"], body["version"]) == ("As written", 2)


@pytest.mark.parametrize("change", [
    "narrative = 'Informant J. Doe', tlp = 'red', distribution = 'organisation'",  # out of the reader's sight
    "status = 'withdrawn'",  # out of the list's status filter
])
def test_the_list_leaves_out_a_report_changed_out_of_sight_after_its_page_was_read(app, world, api, monkeypatch,
                                                                                  change) -> None:  # noqa: ANN001
    """On PostgreSQL (READ COMMITTED) the load of the reports without a current document sees what was
    committed since the page's facts were read: here the owner's change lands between the two."""
    monkeypatch.setitem(app.config, "SEARCH_INDEX_INLINE", False)  # served processes: the worker indexes later
    report = factories.report(world["jm_officer"], narrative="As shared", marking={"tlp": "amber",
                                                                                 "distribution": "network"})
    db.session.commit()
    report_id = report.id
    assert stored(report_id) is None
    reader = api.as_(world["ky_officer"])
    assert [r["narrative"] for r in reader.get("/seizures?status=submitted").get_json()["results"]] == ["As shared"]
    page_of = documents.of_page

    def then_the_owner_changes_it(stmt):  # noqa: ANN001, ANN202
        rows = page_of(stmt)
        db.session.execute(text(f"UPDATE seizure_reports SET {change}, version = version + 1 WHERE id = :id"),
                           {"id": report_id})
        return rows

    monkeypatch.setattr(documents, "of_page", then_the_owner_changes_it)
    assert reader.get("/seizures?status=submitted").get_json()["results"] == []


def test_a_document_lands_only_on_the_version_it_shows(app, world) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    report = factories.report(officer, submit=False)
    old = documents.stamped(documents.dump(report))
    seizure_services.submit_report(officer, report)
    db.session.commit()
    assert report.version == 2

    documents.store({report.id: old})  # e.g. a worker that dumped the report before the submit committed
    kept = stored(report.id)
    assert kept is not None and (kept["version"], kept["status"]) == (2, "submitted")


@pytest.mark.parametrize("reader, distribution, persons", [
    ("jm_officer2", "network", True),  # the reporting organisation
    ("ky_officer", "network", False),  # another administration
    ("jio_validator", "network", True),  # a regional validator
    ("jio_analyst", "network", False),
    ("partner_analyst", "partners", False),
    ("ky_analyst", "operation", False),  # through an operation its organisation takes part in
])
def test_every_reader_gets_what_the_orm_dump_gives_them(app, world, api, reader, distribution, persons) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    op = factories.operation("OP-SHARED", world.jm, [world.jm, world.ky], starts_on=date.today() - timedelta(days=30),
                             ends_on=date.today())
    report = factories.report(officer, operations=[op.code], marking={"tlp": "amber", "distribution": distribution})
    validation_services.return_report(world["jio_validator"], report, "Name the vessel's agent")
    db.session.commit()
    report_id = report.id
    assert stored(report_id) is not None

    served = api.as_(world[reader])
    body = served.get(f"/seizures/{report_id}").get_json()
    listed = [r for r in served.get("/seizures?per_page=200").get_json()["results"] if r["id"] == report_id]
    viewer = viewer_for(world[reader])
    db.session.expunge_all()
    expected = orjson.loads(orjson.dumps(dump_report(viewer, db.session.get(SeizureReport, report_id))))
    assert body == expected and listed == [expected]
    assert ("persons" in body, body["validation"]["last_comment"] is not None) == (persons, persons)


def test_the_list_serves_current_documents_and_loads_the_other_reports_in_place(app, world, api) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    reports = [factories.report(officer, narrative=f"Report {n}") for n in range(4)]
    db.session.commit()
    ids = [report.id for report in reports]
    db.session.execute(text("UPDATE report_documents SET body = replace(body, 'Report 0', 'Stored 0') "
                            "WHERE report_id = :id"), {"id": ids[0]})  # current: served as stored
    db.session.execute(text("UPDATE seizure_reports SET version = version + 1 WHERE id = :id"), {"id": ids[1]})
    db.session.execute(text("UPDATE report_documents SET format = 0 WHERE report_id = :id"), {"id": ids[2]})
    db.session.execute(text("DELETE FROM report_documents WHERE report_id = :id"), {"id": ids[3]})
    db.session.commit()

    body = api.as_(officer).get("/seizures?per_page=2&page=1").get_json()
    rest = api.as_(officer).get("/seizures?per_page=2&page=2").get_json()
    assert body["total"] == rest["total"] == 4
    listed = body["results"] + rest["results"]
    assert [r["id"] for r in listed] == ids[::-1]  # newest first, loaded ones in their place
    assert {r["id"]: (r["narrative"], r["version"]) for r in listed} == {
        ids[0]: ("Stored 0", 1), ids[1]: ("Report 1", 2), ids[2]: ("Report 2", 1), ids[3]: ("Report 3", 1)}
    assert listed[0] == fresh_dump(ids[3]) and listed[2] == fresh_dump(ids[1])
    db.session.execute(text("UPDATE report_documents SET body = replace(body, 'Stored 0', 'Report 0') "
                            "WHERE report_id = :id"), {"id": ids[0]})  # as it was, for the drift guard


def test_an_invisible_report_is_a_404_and_a_denial_on_record(app, world, api) -> None:  # noqa: ANN001
    from app.audit.models import AuditRecord

    report = factories.report(world["jm_officer"], submit=False)  # a draft: its organisation's only
    db.session.commit()
    response = api.as_(world["ky_officer"]).get(f"/seizures/{report.id}")
    assert response.status_code == 404
    assert "narrative" not in response.get_data(as_text=True)
    denied = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "report.access")).all()
    assert [(e.outcome, e.subject_id, e.subject_ref) for e in denied] == [("denied", report.id, None)]


def test_a_read_is_on_record_with_whether_it_showed_persons(app, world, api) -> None:  # noqa: ANN001
    from app.audit.models import AuditRecord

    report = factories.report(world["jm_officer"])
    db.session.commit()
    for reader in ("jm_officer2", "ky_officer"):
        assert api.as_(world[reader]).get(f"/seizures/{report.id}").status_code == 200
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "report.read")
                               .order_by(AuditRecord.id)).all()
    assert [(e.actor_id, e.subject_ref, e.details["persons"]) for e in reads] == [
        (world["jm_officer2"].id, report.reference, True), (world["ky_officer"].id, report.reference, False)]


def test_store_documents_fills_the_reports_that_have_none(app, world) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    ids = [factories.report(officer, narrative=f"Stored later {n}").id for n in range(5)]
    kept = factories.report(officer, narrative="Stored at once").id
    db.session.execute(text("DELETE FROM report_documents WHERE report_id <> :kept"), {"kept": kept})
    db.session.commit()
    assert [stored(i) for i in ids] == [None] * 5

    result = app.test_cli_runner().invoke(args=["seizures", "store-documents", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "stored the documents of 5 reports"
    assert [line.strip() for line in result.output.splitlines()[:-1]] == ["2 reports…", "4 reports…", "5 reports…"]
    for report_id in ids:
        document = stored(report_id)
        assert document is not None and document == fresh_dump(report_id)


def test_a_document_of_another_format_or_version_is_not_served_and_store_documents_renews_it(app, world, api) -> None:  # noqa: ANN001
    officer = world["jm_officer"]
    old_format, old_version = (factories.report(officer, narrative=f"As written {n}").id for n in range(2))
    db.session.execute(text("UPDATE report_documents SET body = replace(body, 'As written', 'Outdated'), "
                            "format = format - 1 WHERE report_id = :id"), {"id": old_format})
    db.session.execute(text("UPDATE report_documents SET body = replace(body, 'As written', 'Outdated'), "
                            "version = version - 1 WHERE report_id = :id"), {"id": old_version})
    db.session.commit()
    for n, report_id in enumerate((old_format, old_version)):
        assert stored(report_id) is None
        assert api.as_(officer).get(f"/seizures/{report_id}").get_json()["narrative"] == f"As written {n}"

    result = app.test_cli_runner().invoke(args=["seizures", "store-documents"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "stored the documents of 2 reports"
    assert [stored(i)["narrative"] for i in (old_format, old_version)] == ["As written 0", "As written 1"]


def _shape(schema) -> list:  # noqa: ANN001 - a marshmallow Schema
    """What a document holds, as the schema declares it: each field's name, kind and nested shape."""
    def field_shape(field) -> object:  # noqa: ANN001
        inner = getattr(field, "inner", None)
        nested = getattr(field, "schema", None) if hasattr(field, "nested") else None
        return [type(field).__name__, field_shape(inner) if inner else _shape(nested) if nested else None]

    return sorted([name, field_shape(field)] for name, field in schema.dump_fields.items())


def test_the_document_format_moves_with_the_schema() -> None:
    """A tripwire: documents stored by older code keep their shape. When this fails, bump
    app.seizures.documents.FORMAT (older documents are then read through the ORM until
    `flask seizures store-documents`) and record the new shape's digest here."""
    import hashlib

    from app.seizures.schemas import SeizureReportSchema

    digest = hashlib.sha256(orjson.dumps(_shape(SeizureReportSchema()))).hexdigest()[:16]
    assert (documents.FORMAT, digest) == (1, "b78701449be45edb"), "the API document changed: bump documents.FORMAT"


def _next_format(monkeypatch) -> None:  # noqa: ANN001
    """The next release: the document gains a field, so FORMAT is bumped (as documents.py asks)."""
    dump, keys = documents.dump, documents._keys()
    monkeypatch.setattr(documents, "FORMAT", documents.FORMAT + 1)
    monkeypatch.setattr(documents, "dump", lambda report: {**dump(report), "new_field": "new"})
    monkeypatch.setattr(documents, "_keys", lambda: keys | {"new_field"})


def test_a_record_dumped_by_older_code_is_kept_as_its_format_and_never_served(app, world, api, monkeypatch) -> None:  # noqa: ANN001
    """An outbox row written before a release that bumped FORMAT (the worker was behind, or Elasticsearch
    down) is stored as the format it was dumped in: the read loads the report, and such a row never
    replaces the current document `flask seizures store-documents` wrote meanwhile."""
    monkeypatch.setitem(app.config, "SEARCH_INDEX_INLINE", False)  # a served process: the worker indexes
    officer = world["jm_officer"]
    report_id = factories.report(officer, narrative="Older code").id
    db.session.commit()
    older = db.session.scalar(text("SELECT source FROM search_outbox WHERE report_id = :id"), {"id": report_id})
    _next_format(monkeypatch)

    search_services.worker(app).drain()
    assert stored(report_id) is None  # kept as the older format: not current
    assert api.as_(officer).get(f"/seizures/{report_id}").get_json().get("new_field") == "new"

    assert list(documents.store_missing()) == [1]
    db.session.execute(text("INSERT INTO search_outbox (report_id, enqueued_at, attempts, source) "
                            "VALUES (:id, CURRENT_TIMESTAMP, 0, :source)"), {"id": report_id, "source": older})
    search_services.worker(app).drain()  # the older record again, e.g. from a worker that was behind
    assert stored(report_id)["new_field"] == "new"  # the current document stayed
    assert list(documents.store_missing()) == []
