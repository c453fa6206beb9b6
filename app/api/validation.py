"""Four-eyes validation in the API: validate, return, and the validator's queue."""
from __future__ import annotations

from flask import g, request

from app.api import bp, json_body
from app.api.seizures import committed, dump_report
from app.errors import Forbidden
from app.permissions import viewer_for
from app.seizures.services import get_visible_report
from app.validation import services
from app.validation.schemas import QueueQuerySchema, ReturnSchema, ValidateSchema

VALIDATE = ValidateSchema()
RETURN = ReturnSchema()
QUEUE_QUERY = QueueQuerySchema()


def _decidable(report_id: str):  # noqa: ANN202
    """The report (404 when invisible), once the user may decide on it (403, 409): a bad body is
    reported only to someone allowed to send one."""
    viewer = viewer_for(g.api_user)
    report = get_visible_report(viewer, report_id)
    services.check_may_decide(g.api_user, report)
    return viewer, report


@bp.post("/seizures/<report_id>/validate")
def validate_seizure(report_id: str):
    viewer, report = _decidable(report_id)
    data = VALIDATE.load(json_body())
    services.validate_report(g.api_user, report, data["checklist"], data["comment"], data["version"])
    return committed(viewer, report)


@bp.post("/seizures/<report_id>/return")
def return_seizure(report_id: str):
    viewer, report = _decidable(report_id)
    data = RETURN.load(json_body())
    services.return_report(g.api_user, report, data["comment"], data["checklist"], data["version"])
    return committed(viewer, report)


@bp.get("/validation/queue")
def validation_queue():
    if not services.is_regional_validator(g.api_user):
        raise Forbidden("the validation queue is for validators of a regional office (JIO, RILO)")
    args = QUEUE_QUERY.load({k: request.args.getlist(k) if k in ("organisation", "category") else v
                             for k, v in request.args.items()})
    viewer = viewer_for(g.api_user)
    stmt = services.queue_query(viewer, g.api_user, organisations=args["organisation"], categories=args["category"])
    reports, total = services.queue_page(stmt, args["page"], args["per_page"])
    return {"total": total, "page": args["page"], "per_page": args["per_page"],
            "results": [dump_report(viewer, r) for r in reports]}
