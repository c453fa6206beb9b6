"""A report's API document, stored with the report by the change that made it.

The detail read (`GET /api/v1/seizures/<id>`) is the API's busiest call. Loading a report with its
parts through the ORM and dumping it was about 60 % of that read's CPU, so every change stores the
dump, persons included (`SeizureReportSchema`), in `seizure_reports.document`, in the change's own
transaction (`app.search.services.enqueue_reports`: the search outbox takes the same record). A read
then takes the report's facts and its document in one statement by primary key.

A document is served only when its `version` is the report's. Every change moves the version on (the
ORM's version counter, which is also what makes a stale PATCH a 409), so a change that stored no
document (the demo's bulk load with Elasticsearch, a report stored before documents were kept) or
stored one before a later flush is read through the ORM as before: late, never stale. A write is
guarded the same way: it lands only on the version it was dumped from.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator

import orjson
from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.seizures.models import SeizureReport

_REPORTS = SeizureReport.__table__

# Built once: the read runs it for every detail read.
_FACTS_AND_DOCUMENT = (select(_REPORTS.c.id, _REPORTS.c.reference, _REPORTS.c.organisation_id, _REPORTS.c.status,
                              _REPORTS.c.distribution, _REPORTS.c.version, _REPORTS.c.document)
                       .where(_REPORTS.c.id == bindparam("report_id")))
_STORE = (update(_REPORTS).where(and_(_REPORTS.c.id == bindparam("report_id"),
                                      _REPORTS.c.version == bindparam("document_version")))
          .values(document=bindparam("document")))


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


def store(documents: dict[str, dict]) -> None:
    """Keep each report's document (by report id; a source record's extra keys are left out), in the
    caller's transaction. A document lands only on the version it shows."""
    rows = [{"report_id": report_id, "document_version": document["version"],
             "document": orjson.dumps({k: v for k, v in document.items() if k in _keys()}).decode()}
            for report_id, document in documents.items()]
    if rows:
        db.session.connection().execute(_STORE, rows)


def facts_and_document(report_id: str) -> tuple[Row, dict | None] | None:
    """The report's facts (id, reference, organisation_id, status, distribution, version) and its stored
    document when that shows this version (else None); None when there is no such report."""
    row = db.session.connection().execute(_FACTS_AND_DOCUMENT, {"report_id": report_id}).one_or_none()
    if row is None:
        return None
    document = orjson.loads(row.document) if row.document is not None else None
    return row, document if document is not None and document.get("version") == row.version else None


def store_missing(batch_size: int = 500) -> Iterator[int]:
    """Store the document of every report that has none (stored before documents were kept, or loaded
    in bulk while Elasticsearch indexed), a batch per transaction (call in write intent: each batch reads
    and writes in one); yields the running count."""
    done, after = 0, ""
    while True:
        ids = db.session.scalars(select(SeizureReport.id).where(SeizureReport.document.is_(None), SeizureReport.id > after)
                                 .order_by(SeizureReport.id).limit(batch_size)).all()
        if not ids:
            return
        reports = db.session.scalars(select(SeizureReport).where(SeizureReport.id.in_(ids))
                                     .options(selectinload(SeizureReport.validation_actions))).all()
        store({report.id: dump(report) for report in reports})
        db.session.commit()
        db.session.expunge_all()
        done, after = done + len(reports), ids[-1]
        yield done
