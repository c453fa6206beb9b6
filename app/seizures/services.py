"""Seizure report operations. Services take the acting user, flush, and never commit."""
from __future__ import annotations

import functools
import logging
from datetime import datetime, timezone

import orjson
from sqlalchemy import bindparam, func, insert, or_, select, text
from sqlalchemy.orm import joinedload, make_transient_to_detached, selectinload

from app import audit
from app import vocabularies as vocab
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.operations.models import Operation
from app.permissions import (Viewer, can_edit, can_view, can_view_persons, can_view_persons_of_visible,
                             visible_by_facts, visible_reports_clause)
from app.database import utcnow
from app.search.services import report_changed, source_record
from app.seizures import documents
from app.seizures.models import Person, RouteLeg, SeizureItem, SeizureReport, report_operations
from app.users.models import User
from app.validation.models import ValidationAction

log = logging.getLogger(__name__)

EDITABLE_STATUSES = ("draft", "submitted", "validated")


def next_reference(organisation_id: int, organisation_code: str, year: int) -> str:
    """Allocate the next reference in the caller's transaction: a rollback gives the number back,
    and the counter row stays locked until commit, so references are unique and gap-free."""
    value = db.session.connection().execute(_COUNTER_UPSERT, {"organisation_id": organisation_id, "year": year})
    return f"{organisation_code}-{year}-{value.scalar_one():06d}"


# The same SQL on SQLite (3.35+) and PostgreSQL. Text, because SQLAlchemy cannot cache the compiled form of
# its dialects' on_conflict_do_update: it was compiled for every report (0.4 ms of a create, under the lock).
_COUNTER_UPSERT = text(
    "INSERT INTO reference_counters (organisation_id, year, last_value) VALUES (:organisation_id, :year, 1) "
    "ON CONFLICT (organisation_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1 "
    "RETURNING last_value")


def _record_editor(report: SeizureReport, user: User) -> None:
    """Remember that `user` created, changed or submitted the report: four eyes (app.validation)
    means none of them may validate it. Call after the report row is flushed."""
    db.session.connection().execute(_EDITOR_UPSERT, {"report_id": report.id, "user_id": user.id})


_EDITOR_UPSERT = text("INSERT INTO report_editors (report_id, user_id) VALUES (:report_id, :user_id) "
                      "ON CONFLICT DO NOTHING")  # text: as the counter's upsert


def _resolve_operations(user: User, report: SeizureReport, codes: list[str]) -> list[Operation]:
    """The operations named, among those the user may see (any other code is unknown to them, as one that
    does not exist) and those the report is already linked to (a link stays when its owner leaves one)."""
    from app.operations.services import visible_operations_clause

    if not codes:
        return []
    linked = [op.id for op in report.operations] if report.id else []
    found = {op.code: op for op in db.session.scalars(select(Operation).where(
        Operation.code.in_(codes), or_(visible_operations_clause(user), Operation.id.in_(linked))))}
    errors = {f"operations.{i}": [f"unknown operation {code!r}"] for i, code in enumerate(codes) if code not in found}
    if errors:
        raise ValidationFailed("the report refers to unknown operations", errors)
    return [found[code] for code in codes]


def _apply(user: User, report: SeizureReport, data: dict) -> None:
    """Copy validated input (SeizureReportSchema.load output) onto the report and its children."""
    simple = ("record_type", "country", "procedure", "traffic", "transport_mode", "detection_methods",
              "concealment_methods", "concealment_details", "narrative", "language", "arrests")
    for name in simple:
        if name in data:
            setattr(report, name, data[name])
    if "seized_at_local" in data:
        seized: datetime = data["seized_at_local"]
        offset = seized.utcoffset()
        report.seized_utc_offset = int(offset.total_seconds() // 60) if offset else 0
        report.seized_at = seized.astimezone(timezone.utc)
    if "location" in data:
        loc = data["location"]
        report.location_name, report.location_locode = loc.get("name"), loc.get("locode")
        report.location_type, report.location_lat, report.location_lon = loc.get("type"), loc.get("lat"), loc.get("lon")
    if "conveyance" in data:
        conv = data["conveyance"]
        report.vessel_name, report.imo, report.flag = conv.get("vessel_name"), conv.get("imo"), conv.get("flag")
        report.containers = list(conv.get("containers") or [])
        report.flight, report.vehicle_plate = conv.get("flight"), conv.get("vehicle_plate")
    if "marking" in data:
        mark = data["marking"]
        report.tlp, report.distribution = mark["tlp"], mark["distribution"]
        report.handling = mark.get("handling")
        report.source_reliability = mark.get("source_reliability")
        report.information_credibility = mark.get("information_credibility")
    if "items" in data:
        report.items = [_item(position, item) for position, item in enumerate(data["items"])]
    if "route" in data:
        report.route = [RouteLeg(position=i, role=leg["role"], country=leg["country"], place=leg.get("place"))
                        for i, leg in enumerate(data["route"])]
    if "persons" in data:
        report.persons = [_person(i, person) for i, person in enumerate(data["persons"])]
    if "operations" in data:
        report.operations = _resolve_operations(user, report, data["operations"])


# The report's fields as the API names them, and the columns behind each: what the audit trail
# compares to name the fields a change touched (names only, never the values: persons stay out of it).
_AUDITED_COLUMNS = {
    "record_type": ("record_type",), "country": ("country",), "procedure": ("procedure",), "traffic": ("traffic",),
    "transport_mode": ("transport_mode",), "detection_methods": ("detection_methods",),
    "concealment_methods": ("concealment_methods",), "concealment_details": ("concealment_details",),
    "narrative": ("narrative",), "language": ("language",), "arrests": ("arrests",),
    "seized_at": ("seized_at", "seized_utc_offset"),
    "location": ("location_name", "location_locode", "location_type", "location_lat", "location_lon"),
    "conveyance": ("vessel_name", "imo", "flag", "containers", "flight", "vehicle_plate"),
    "marking": ("tlp", "distribution", "handling", "source_reliability", "information_credibility"),
}
_AUDITED_ROWS = {
    "items": ("category", "subcategory", "description", "quantity", "unit", "hs_code", "value_amount",
              "value_currency", "details"),
    "route": ("role", "country", "place"),
    "persons": ("role", "name", "nationality", "document_type", "document_number", "document_country"),
}


def _audited_state(report: SeizureReport) -> dict:
    state = {field: tuple(getattr(report, c) for c in columns) for field, columns in _AUDITED_COLUMNS.items()}
    for field, columns in _AUDITED_ROWS.items():
        state[field] = [tuple(getattr(row, c) for c in columns) for row in getattr(report, field)]
    state["operations"] = sorted(op.code for op in report.operations)  # stored and read back in code order
    return state


def _changed_fields(before: dict, after: dict) -> list[str]:
    """The fields whose values differ, types included (Python has 1 == True and 2 == 2.0; a report's
    JSON, e.g. an item's details, does not)."""
    return sorted(field for field in before if _typed(before[field]) != _typed(after[field]))


def _typed(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)


def _filled_fields(state: dict) -> list[str]:
    def filled(value) -> bool:  # noqa: ANN001
        return any(v not in (None, "", []) for v in value) if isinstance(value, tuple) else bool(value)

    return sorted(field for field, value in state.items() if filled(value))


def _item(position: int, data: dict) -> SeizureItem:
    quantity, unit = vocab.normalise_quantity(data["category"], data.get("subcategory"), data["quantity"], data["unit"])
    value = data.get("estimated_value") or {}
    return SeizureItem(
        position=position, category=data["category"], subcategory=data.get("subcategory"),
        description=data.get("description", ""), quantity=data["quantity"], unit=data["unit"],
        normalised_quantity=quantity, normalised_unit=unit, hs_code=data.get("hs_code"),
        value_amount=value.get("amount"), value_currency=value.get("currency"),
        details=data.get("details") or {},
    )


def _person(position: int, data: dict) -> Person:
    doc = data.get("document") or {}
    return Person(position=position, role=data["role"], name=data["name"], nationality=data.get("nationality"),
                  document_type=doc.get("type"), document_number=doc.get("number"),
                  document_country=doc.get("country"))


def _require_officer(user: User) -> None:
    if not user.has_role("officer"):
        raise Forbidden("only Enforcement Liaison Officers create and change seizure reports")


def create_report(user: User, data: dict, *, submit: bool = False, now: datetime | None = None) -> SeizureReport:
    """Create a report from validated input (SeizureReportSchema.load). The report and its parts are
    built in memory first; the write transaction then runs only prebuilt Core statements (the reference,
    the rows, the links, the outbox row, the audit record) and the objects join the session as loaded,
    as if read back. On SQLite that transaction holds the one write lock, so everything that can happen
    before it does (docs/benchmarks.md, "Where the goals stand")."""
    _require_officer(user)
    now = now or utcnow()
    org = user.organisation
    report = SeizureReport(organisation_id=org.id, created_by_id=user.id, status="draft", version=1,
                           created_at=now, updated_at=now)
    report.organisation, report.created_by = org, user
    report.validation_actions = []  # a new report has none: known without a query when it is dumped
    _apply(user, report, data)
    if submit:
        _submit(report, now)
    details = {"fields": _filled_fields(_audited_state(report)), "submitted": submit}
    rows = _new_rows(report)
    source = source_record(report)  # for search, built before the lock; the reference follows
    db.session.flush()  # anything the caller left pending (the rows below may refer to it)
    connection = db.session.connection()
    report.reference = next_reference(org.id, org.code, now.year)  # the first write: the lock is taken here
    rows[SeizureReport.__table__][0]["reference"] = source["reference"] = report.reference
    _insert_rows(connection, report, rows)
    _record_editor(report, user)
    _attach(report)
    report_changed(report, source)  # search outbox, same transaction
    audit.record("report.create", actor=user, subject=report, details=details)
    log.info("report %s created by user %s", report.reference, user.id)
    return report


# The tables a new report writes, in the order their foreign keys need, and the collection of each part.
_PART_COLLECTIONS = ((SeizureItem, "items"), (RouteLeg, "route"), (Person, "persons"))


@functools.cache
def _insert_statement(table):  # noqa: ANN001,ANN202 - an Insert, built once per table
    """A part's insert returns the ids the database gave its rows, in the order of the rows (one statement)."""
    numbered = table.autoincrement_column
    return insert(table).returning(numbered, sort_by_parameter_order=True) if numbered is not None else insert(table)


def _new_rows(report: SeizureReport) -> dict:
    """The rows of a report built in memory, by table: every column's value, a column left unset taking
    its default (set on the object too, so that nothing of it is unloaded once it joins the session)."""
    rows = {SeizureReport.__table__: [_column_values(report, SeizureReport.__table__)]}  # gives the report its id
    for model, collection in _PART_COLLECTIONS:
        if collection not in report.__dict__:  # not in the input: none (known, not to be loaded later)
            setattr(report, collection, [])
        parts = getattr(report, collection)
        for part in parts:
            part.report_id = report.id
        rows[model.__table__] = [_column_values(part, model.__table__) for part in parts]
    if "operations" not in report.__dict__:
        report.operations = []
    rows[report_operations] = [{"report_id": report.id, "operation_id": op.id} for op in report.operations]
    return rows


def _column_values(obj, table) -> dict:  # noqa: ANN001
    row, numbered = {}, table.autoincrement_column
    for column in table.columns:
        if column.key in obj.__dict__:
            row[column.key] = obj.__dict__[column.key]
        elif column is not numbered:
            default = column.default
            value = None if default is None else default.arg(None) if default.is_callable else default.arg
            setattr(obj, column.key, value)
            row[column.key] = value
    return row


def _insert_rows(connection, report: SeizureReport, rows: dict) -> None:  # noqa: ANN001
    """The report's row, then each kind of part in one statement (the ids the database gave them go
    onto the objects, in order), then the links to operations."""
    connection.execute(_insert_statement(SeizureReport.__table__), rows[SeizureReport.__table__])
    for model, collection in _PART_COLLECTIONS:
        if rows[model.__table__]:
            new_ids = connection.execute(_insert_statement(model.__table__), rows[model.__table__]).scalars()
            for part, new_id in zip(getattr(report, collection), new_ids, strict=True):
                part.id = new_id
    if rows[report_operations]:
        connection.execute(_insert_statement(report_operations), rows[report_operations])


def _attach(report: SeizureReport) -> None:
    """The inserted report and parts join the session as persistent and loaded: no flush, no reload."""
    for _model, collection in _PART_COLLECTIONS:
        for part in getattr(report, collection):
            make_transient_to_detached(part)
    make_transient_to_detached(report)
    db.session.add(report)


# A report's parts, joined to it in one statement when the rows of that product are few: a typical
# report (a few items, legs and persons) then costs two statements (the counts, the report) instead of
# six (measured in process: 4.3 against 7.1 ms for a read and its dump). A large one (the contract
# allows 200 items x 20 legs x 100 persons) would make the product explode: its parts are read by a
# statement each.
PARTS = ((SeizureReport.items, SeizureItem.report_id), (SeizureReport.route, RouteLeg.report_id),
         (SeizureReport.persons, Person.report_id), (SeizureReport.operations, report_operations.c.report_id),
         (SeizureReport.validation_actions, ValidationAction.report_id))
JOINED_ROWS_MAX = 400
_PART_COUNTS = select(*(select(func.count()).where(key == bindparam("report_id")).scalar_subquery()
                        for _part, key in PARTS))  # built once: building it costs more than running it


def _load_report(report_id: str) -> SeizureReport | None:
    if db.session.identity_key(SeizureReport, report_id) in db.session.identity_map:
        return db.session.get(SeizureReport, report_id)  # loaded already, with its parts
    rows = 1
    for count in db.session.connection().execute(_PART_COUNTS, {"report_id": report_id}).one():  # Core: half the cost
        rows *= max(count, 1)
    stmt = _REPORT_JOINED if rows <= JOINED_ROWS_MAX else _REPORT_SELECTIN
    return db.session.execute(stmt, {"report_id": report_id}).unique().scalar_one_or_none()


# Built once, as _PART_COUNTS: a statement with loader options built per read spent ~0.5 ms on its cache key.
_REPORT_JOINED, _REPORT_SELECTIN = (
    select(SeizureReport).where(SeizureReport.id == bindparam("report_id"))
    .options(*(loader(part) for part, _key in PARTS)) for loader in (joinedload, selectinload))


def get_visible_report(viewer: Viewer, report_id: str) -> SeizureReport:
    """The report, or NotFound when it does not exist *or the viewer may not see it*."""
    report = _load_report(report_id) if _looks_like_uuid(report_id) else None
    if report is None or not can_view(viewer, report):
        _record_invisible(report)
        raise NotFound("no such seizure report")
    return report


def read_report(viewer: Viewer, report_id: str) -> SeizureReport:
    """A report's detail as the viewer reads it (page or API): the read is on record in the audit trail."""
    report = get_visible_report(viewer, report_id)
    audit.record("report.read", subject=report, details={"persons": can_view_persons(viewer, report)})
    return report


def read_report_document(viewer: Viewer, report_id: str) -> tuple[dict, bool]:
    """What `read_report` does, for the API: the report's document (app.seizures.documents: the API dump,
    persons included) and whether the viewer may see its persons. The stored document is served when
    it shows the report's version and the row's own facts decide the rule (one statement: they agree);
    otherwise the report is loaded and checked as `read_report` does (an `operation` report of another
    organisation: its links decide, read with it)."""
    found = documents.facts_and_document(report_id) if _looks_like_uuid(report_id) else None
    if found is None:
        raise NotFound("no such seizure report")
    facts, document = found
    visible = visible_by_facts(viewer, facts.organisation_id, facts.status, facts.distribution)
    if visible is None or document is None:
        report = _load_report(facts.id)
        visible = report is not None and can_view(viewer, report)
        document = documents.dump(report) if visible else None
    if not visible:
        _record_invisible(facts)
        raise NotFound("no such seizure report")
    persons = can_view_persons_of_visible(viewer, facts.organisation_id)
    audit.record("report.read", subject=audit.Subject("report", facts.id, facts.reference, facts.organisation_id),
                 details={"persons": persons})
    return document, persons


def _record_invisible(report) -> None:  # noqa: ANN001 - a SeizureReport, its facts' row, or None
    """A named report that exists but is invisible to the user is a denial on record. The record keeps
    the id the user named and the owner (whose managers see it), never the reference."""
    if report is not None:
        audit.record("report.access", outcome="denied", details={"reason": "not visible"},
                     subject=audit.Subject("report", report.id, None, report.organisation_id))


def get_visible_report_by_reference(viewer: Viewer, reference: str) -> SeizureReport:
    report = db.session.scalar(select(SeizureReport).where(SeizureReport.reference == reference))
    if report is None or not can_view(viewer, report):
        _record_invisible(report)
        raise NotFound("no such seizure report")
    return report


def _looks_like_uuid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4


def _require_editable(user: User, report: SeizureReport) -> None:
    if not can_edit(user, report):
        raise Forbidden("only officers of the reporting organisation change this report")


def update_report(user: User, report: SeizureReport, data: dict, expected_version: int) -> SeizureReport:
    _require_editable(user, report)
    if report.version != expected_version:
        raise Conflict(f"the report was changed by someone else (version {report.version}, "
                       f"you sent {expected_version}); reload it and apply your change again")
    if report.status not in EDITABLE_STATUSES:
        raise Conflict(f"a {report.status} report cannot be changed")
    before = _audited_state(report)
    savepoint = db.session.begin_nested()
    _apply(user, report, data)
    changed = _changed_fields(before, _audited_state(report))
    if not changed:  # the report as it is (a form saved unchanged): no new version, no validating again
        savepoint.rollback()  # the parts `_apply` built are dropped, the report reads as stored
        return report
    if report.status == "validated":  # a changed report needs validating again
        report.status, report.validated_at = "submitted", None
    report.updated_at = utcnow()
    db.session.flush()
    savepoint.commit()
    _record_editor(report, user)
    report_changed(report)  # search outbox, same transaction
    audit.record("report.update", actor=user, subject=report, details={"fields": changed, "version": report.version})
    log.info("report %s updated by user %s", report.reference, user.id)
    return report


def _submit(report: SeizureReport, now: datetime) -> None:
    report.status, report.submitted_at, report.updated_at = "submitted", now, now


def submit_report(user: User, report: SeizureReport) -> SeizureReport:
    _require_editable(user, report)
    if report.validation_state == "returned":
        return _resubmit(user, report)
    if report.status != "draft":
        raise Conflict(f"only a draft can be submitted; this report is {report.status}")
    _submit(report, utcnow())
    db.session.flush()
    _record_editor(report, user)
    report_changed(report)  # search outbox, same transaction
    audit.record("report.submit", actor=user, subject=report)
    log.info("report %s submitted by user %s", report.reference, user.id)
    return report


def _resubmit(user: User, report: SeizureReport) -> SeizureReport:
    """A report a validator returned goes back to the validation queue when its owner submits it again."""
    now = utcnow()
    report.returned_at, report.updated_at = None, now
    db.session.flush()
    db.session.add(ValidationAction(report_id=report.id, action="resubmit", user_id=user.id,
                                    organisation_id=user.organisation_id, report_version=report.version,
                                    checklist={}, comment="", created_at=now))
    _record_editor(report, user)
    report_changed(report)  # search outbox, same transaction
    audit.record("report.submit", actor=user, subject=report, details={"resubmitted": True})
    log.info("report %s resubmitted for validation by user %s", report.reference, user.id)
    return report


def withdraw_report(user: User, report: SeizureReport) -> SeizureReport:
    _require_editable(user, report)
    if report.status == "withdrawn":
        raise Conflict("the report is already withdrawn")
    now = utcnow()
    report.status, report.withdrawn_at, report.updated_at = "withdrawn", now, now
    db.session.flush()
    report_changed(report)  # search outbox, same transaction
    audit.record("report.withdraw", actor=user, subject=report)
    log.info("report %s withdrawn by user %s", report.reference, user.id)
    return report


def visible_reports_query(viewer: Viewer, *, statuses=(), organisations=(), categories=(),
                          date_from=None, date_to=None):  # noqa: ANN001
    """A select() of the reports `viewer` may see, newest first, with the list filters applied."""
    from app.organisations.models import Organisation

    stmt = select(SeizureReport).where(visible_reports_clause(viewer))
    if statuses:
        stmt = stmt.where(SeizureReport.status.in_(statuses))
    if organisations:
        stmt = stmt.where(SeizureReport.organisation_id.in_(
            select(Organisation.id).where(Organisation.code.in_(organisations))))
    if categories:
        stmt = stmt.where(SeizureReport.id.in_(
            select(SeizureItem.report_id).where(SeizureItem.category.in_(categories))))
    if date_from:
        stmt = stmt.where(SeizureReport.seized_at >= datetime.combine(date_from, datetime.min.time(), timezone.utc))
    if date_to:
        stmt = stmt.where(SeizureReport.seized_at < datetime.combine(date_to, datetime.max.time(), timezone.utc))
    return stmt


def paginate(stmt, page: int, per_page: int) -> tuple[list[SeizureReport], int]:  # noqa: ANN001
    """A page of `stmt` (visible_reports_query), newest first, and the count of all it selects."""
    return list(db.session.scalars(_page(stmt, page, per_page)).all()), _count(stmt)


def paginate_documents(viewer: Viewer, stmt, page: int, per_page: int  # noqa: ANN001
                       ) -> tuple[list[tuple[dict, bool]], int]:
    """What `paginate` gives, for the API: each report's document (app.seizures.documents: the stored
    one while current, else loaded and dumped) with whether the viewer may see its persons, and the
    count. `stmt` decides who sees what; the documents only spare loading and dumping the reports."""
    rows = documents.of_page(_page(stmt, page, per_page))
    if missing := [row.id for row, document in rows if document is None]:
        # A later statement: on PostgreSQL (READ COMMITTED) it sees what was committed since the page was
        # read, so it loads through `stmt` again: a report changed out of the viewer's sight (or out of
        # the filters) meanwhile is left out, never shown as it is now.
        loaded = db.session.scalars(stmt.where(SeizureReport.id.in_(missing))
                                    .options(selectinload(SeizureReport.validation_actions))).all()
        dumped = {report.id: documents.dump(report) for report in loaded}
        rows = [(row, document if document is not None else dumped[row.id]) for row, document in rows
                if document is not None or row.id in dumped]
    return [(document, can_view_persons_of_visible(viewer, row.organisation_id)) for row, document in rows], \
        _count(stmt)


def _page(stmt, page: int, per_page: int):  # noqa: ANN001, ANN202
    return (stmt.order_by(SeizureReport.created_at.desc(), SeizureReport.reference.desc())
            .limit(per_page).offset((page - 1) * per_page))


def _count(stmt) -> int:  # noqa: ANN001
    return int(db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
