from __future__ import annotations

from flask import g, request, url_for
from sqlalchemy.exc import IntegrityError

from app import audit
from app.api import ApiError, bp, json_body
from app.database import end_writing
from app.extensions import db
from app.permissions import can_view_persons, viewer_for
from app.seizures import idempotency, services
from app.seizures.schemas import ReportListQuerySchema, SeizureReportPatchSchema, SeizureReportSchema

# Schemas are built once: instantiating one deep-copies its fields and those of every nested schema.
FULL = SeizureReportSchema()
WITHOUT_PERSONS = SeizureReportSchema(exclude=("persons",))
LOADABLE = tuple(name for name, f in FULL.fields.items() if not f.dump_only)
PATCH = SeizureReportPatchSchema()
LIST_QUERY = ReportListQuerySchema()
IDEMPOTENCY_KEY_LENGTH = 200  # the column's length


def dump_report(viewer, report) -> dict:  # noqa: ANN001
    """The report as the viewer may see it: persons, and validation comments, only for those DESIGN.md allows."""
    if can_view_persons(viewer, report):
        return FULL.dump(report)
    return without_persons(WITHOUT_PERSONS.dump(report))


def without_persons(body: dict) -> dict:
    """A report's JSON (changed in place) for a viewer who may not see its persons: none, and no validation comment."""
    body.pop("persons", None)
    body["validation"]["last_comment"] = None
    return body


def committed(viewer, report) -> dict:  # noqa: ANN001
    """Commit, then dump the report as committed: the commit expires nothing, so the dump reads what the
    flush wrote, outside the write lock (app.database.end_writing)."""
    end_writing(db.session)
    return dump_report(viewer, report)


@bp.post("/seizures")
def create_seizure():
    key = _idempotency_key()
    body = json_body()
    body_hash = idempotency.request_hash(body) if key else ""
    if key and (earlier := idempotency.earlier_report(g.api_user, key, body_hash)) is not None:
        return _created(earlier, replayed=True)
    submit = body.pop("submit", False)
    if not isinstance(submit, bool):
        raise ApiError(422, "validation_failed", "the request has invalid fields", {"submit": ["true or false"]})
    data = FULL.load(body)
    report = services.create_report(g.api_user, data, submit=submit)
    if key:
        try:
            idempotency.remember(g.api_user, key, body_hash, report)
        except IntegrityError:  # a request with the same key committed first (it waited on the counter row)
            db.session.rollback()
            return _created(idempotency.earlier_report(g.api_user, key, body_hash), replayed=True)
    return _created(report)


def _idempotency_key() -> str | None:
    key = request.headers.get(idempotency.HEADER)
    if key is not None and not (0 < len(key) <= IDEMPOTENCY_KEY_LENGTH and key.isascii() and key.isprintable()):
        raise ApiError(400, "bad_request", f"the {idempotency.HEADER} header must be 1 to {IDEMPOTENCY_KEY_LENGTH} "
                                           "printable ASCII characters, e.g. a UUID")
    return key


def _created(report, *, replayed: bool = False):  # noqa: ANN001,ANN202
    """201 with the report; a replayed request gets the same answer, marked as a replay."""
    headers = {"Location": url_for("api.get_seizure", report_id=report.id)}
    if replayed:  # the answer shows the report again: a read on record
        headers["Idempotent-Replayed"] = "true"
        audit.record("report.create_replayed", subject=report)
    return committed(viewer_for(g.api_user), report), 201, headers


@bp.get("/seizures")
def list_seizures():
    args = LIST_QUERY.load({k: request.args.getlist(k) if k in ("status", "organisation", "category")
                            else v for k, v in request.args.items()})
    viewer = viewer_for(g.api_user)
    stmt = services.visible_reports_query(viewer, statuses=args["status"], organisations=args["organisation"],
                                          categories=args["category"], date_from=args["date_from"],
                                          date_to=args["date_to"])
    page, total = services.paginate_documents(viewer, stmt, args["page"], args["per_page"])
    return {"total": total, "page": args["page"], "per_page": args["per_page"],
            "results": [document if persons else without_persons(document) for document, persons in page]}


@bp.get("/seizures/<report_id>")
def get_seizure(report_id: str):
    document, persons = services.read_report_document(viewer_for(g.api_user), report_id)
    return document if persons else without_persons(document)


@bp.patch("/seizures/<report_id>")
def update_seizure(report_id: str):
    viewer = viewer_for(g.api_user)
    report = services.get_visible_report(viewer, report_id)
    body = json_body()
    # Validate the merged report, so cross-field rules (TLP vs distribution, units) see the whole.
    current = _as_loadable(FULL.dump(report))
    patch_fields = PATCH.load(body, partial=LOADABLE)
    data = FULL.load({**current, **{k: v for k, v in body.items() if k != "version"}})
    data = {k: v for k, v in data.items() if k in patch_fields}
    services.update_report(g.api_user, report, data, patch_fields["expected_version"])
    return committed(viewer, report)


def _as_loadable(dumped: dict) -> dict:
    """A report's JSON as a PATCH merges it with the body to validate the whole: its loadable fields,
    lists that are sets with each value once (a report stored before repeats were refused takes PATCHes
    of its other fields, which leave these as they are)."""
    current = {k: v for k, v in dumped.items() if k in LOADABLE}
    for name in ("detection_methods", "concealment_methods"):
        current[name] = list(dict.fromkeys(current[name]))
    current["conveyance"]["containers"] = list(dict.fromkeys(current["conveyance"]["containers"]))
    return current


@bp.post("/seizures/<report_id>/submit")
def submit_seizure(report_id: str):
    viewer = viewer_for(g.api_user)
    report = services.submit_report(g.api_user, services.get_visible_report(viewer, report_id))
    return committed(viewer, report)


@bp.post("/seizures/<report_id>/withdraw")
def withdraw_seizure(report_id: str):
    viewer = viewer_for(g.api_user)
    report = services.withdraw_report(g.api_user, services.get_visible_report(viewer, report_id))
    return committed(viewer, report)
