"""A report's API document, stored by the change that made it (table `report_documents`).

The detail read (`GET /api/v1/seizures/<id>`) is the API's busiest call. Loading a report with its
parts through the ORM and dumping it was about 60 % of that read's CPU. Every change already dumps
the report (persons included, `SeizureReportSchema`) into its search outbox row; whoever indexes that
row for search stores the dump as the report's document in the same transaction: the change's own
when it indexes inline, else the outbox worker with the batch (app.search.services), so a create
holds SQLite's write lock no longer for it. A read takes the report's facts and its document in one
statement by primary key; a list (`GET /api/v1/seizures`) takes its page's facts, then their documents.

A document is served only while it shows the report's version and was stored in this code's FORMAT.
Every change moves the version on (the ORM's version counter, which also makes a stale PATCH a 409),
so a report whose last change is not indexed yet (a moment, or while Elasticsearch is down), or from
before documents were kept, is read through the ORM as before: late, never stale. A store lands only on the version it was dumped from and never replaces a newer one.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator

import orjson
from sqlalchemy import Select, bindparam, or_, select, text
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.seizures.models import ReportDocument, SeizureReport

# Bump when what a document holds changes (SeizureReportSchema, validation_summary, what they read):
# documents of an older format are then read through the ORM until `flask seizures store-documents`.
FORMAT = 1
# In a record handed to `store` (a search source record): the FORMAT of the code that dumped it. Outbox
# rows written by older code are stored as what they are, or as 0 when they do not say: never served.
FORMAT_KEY = "document_format"

_REPORTS, _DOCUMENTS = SeizureReport.__table__, ReportDocument.__table__

# Built once: every detail read runs it.
_FACTS_AND_DOCUMENT = (
    select(_REPORTS.c.id, _REPORTS.c.reference, _REPORTS.c.organisation_id, _REPORTS.c.status,
           _REPORTS.c.distribution, _REPORTS.c.version, _DOCUMENTS.c.version.label("document_version"),
           _DOCUMENTS.c.format.label("document_format"), _DOCUMENTS.c.body.label("document"))
    .select_from(_REPORTS.outerjoin(_DOCUMENTS, _DOCUMENTS.c.report_id == _REPORTS.c.id))
    .where(_REPORTS.c.id == bindparam("report_id")))

_DOCUMENTS_OF = (select(_DOCUMENTS.c.report_id, _DOCUMENTS.c.version, _DOCUMENTS.c.format, _DOCUMENTS.c.body)
                 .where(_DOCUMENTS.c.report_id.in_(bindparam("ids", expanding=True))))

# The same SQL on SQLite (3.35+) and PostgreSQL (text, as app.seizures.services' upserts): the row is
# written only while the report is at the document's version, and never over a newer document (a later
# version, or the same one in a later format).
_STORE = text(
    "INSERT INTO report_documents (report_id, version, format, body) "
    "SELECT id, version, :format, :body FROM seizure_reports WHERE id = :report_id AND version = :version "
    "ON CONFLICT (report_id) DO UPDATE SET version = excluded.version, format = excluded.format, "
    "body = excluded.body WHERE report_documents.version < excluded.version "
    "OR (report_documents.version = excluded.version AND report_documents.format <= excluded.format)")


@functools.cache
def _schema():  # noqa: ANN202 - a SeizureReportSchema, built once (building one deep-copies its fields)
    from app.seizures.schemas import SeizureReportSchema

    return SeizureReportSchema()


@functools.cache
def _keys() -> frozenset[str]:
    """The document's keys: what a search source record adds to it (app.search.services) is left out."""
    return frozenset(field.data_key or name for name, field in _schema().dump_fields.items())


def dump(report: SeizureReport) -> dict:
    """The report's API document, persons included (a loaded report: its parts as the session has them)."""
    return _schema().dump(report)


def stamped(document: dict) -> dict:
    """A document dumped by this code, as `store` takes it: with its format."""
    return {**document, FORMAT_KEY: FORMAT}


def store(documents: dict[str, dict], connection: Connection | None = None) -> None:
    """Keep each report's document (by report id: a `stamped` document or a search source record; keys
    other than the document's are left out), in the caller's transaction (the session's, unless given a
    connection)."""
    rows = [{"report_id": report_id, "version": document["version"], "format": document.get(FORMAT_KEY, 0),
             "body": orjson.dumps({k: v for k, v in document.items() if k in _keys()}).decode()}
            for report_id, document in documents.items()]
    if rows:
        (connection or db.session.connection()).execute(_STORE, rows)


def facts_and_document(report_id: str) -> tuple[Row, dict | None] | None:
    """The report's facts (id, reference, organisation_id, status, distribution, version) and its stored
    document while that is current (else None); None when there is no such report."""
    row = db.session.connection().execute(_FACTS_AND_DOCUMENT, {"report_id": report_id}).one_or_none()
    if row is None:
        return None
    current = row.document_version == row.version and row.document_format == FORMAT
    return row, orjson.loads(row.document) if current else None


def of_page(stmt: Select) -> list[tuple[Row, dict | None]]:
    """Each report `stmt` (a select() of SeizureReport, ordered and limited: a list's page) selects, in
    its order: its facts (id, organisation_id, version) and its stored document while that is current
    (else None). Two statements: the page's facts, then its documents (joined in one, SQLite sorted
    every visible report with its document to find the page)."""
    connection = db.session.connection()
    rows = connection.execute(stmt.with_only_columns(_REPORTS.c.id, _REPORTS.c.organisation_id,
                                                     _REPORTS.c.version)).all()
    current = {(document.report_id, document.version): document.body for document in
               connection.execute(_DOCUMENTS_OF, {"ids": [row.id for row in rows]}) if document.format == FORMAT}
    return [(row, orjson.loads(body) if (body := current.get((row.id, row.version))) is not None else None)
            for row in rows]


def store_missing(batch_size: int = 500) -> Iterator[int]:
    """Store the document of every report that has no current one (missing, of an older version or
    format), a batch per transaction (call in write intent: each batch reads and writes in one); yields
    the running count."""
    done, after = 0, ""
    outdated = (select(_REPORTS.c.id)
                .select_from(_REPORTS.outerjoin(_DOCUMENTS, _DOCUMENTS.c.report_id == _REPORTS.c.id))
                .where(or_(_DOCUMENTS.c.report_id.is_(None), _DOCUMENTS.c.version != _REPORTS.c.version,
                           _DOCUMENTS.c.format != FORMAT))
                .order_by(_REPORTS.c.id).limit(batch_size))
    while True:
        ids = db.session.scalars(outdated.where(_REPORTS.c.id > after)).all()
        if not ids:
            return
        reports = db.session.scalars(select(SeizureReport).where(SeizureReport.id.in_(ids))
                                     .options(selectinload(SeizureReport.validation_actions))).all()
        store({report.id: stamped(dump(report)) for report in reports})
        db.session.commit()
        db.session.expunge_all()
        done, after = done + len(reports), ids[-1]
        yield done
