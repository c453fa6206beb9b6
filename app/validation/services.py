"""Four-eyes validation of seizure reports. Services take the acting user, flush, and never commit.

Who: a `validator` of a regional office (the JIO, RILOs), for a submitted report of the network that
they may see (app.permissions.can_view; invisible is NotFound, raised by the caller's loader) and that
they never created, changed or submitted (`report_editors`). What: `validate` (every checklist item
answered yes) makes the report `validated`; `return_report` (a comment required) sends it back to its
owner, who changes it and submits it again (app.seizures.services.submit_report). See docs/validation.md.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.database import utcnow
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.organisations.models import NETWORK_KINDS, Organisation
from app.permissions import Viewer, can_view_persons, visible_reports_clause
from app.search.services import report_changed
from app.seizures.models import SeizureItem, SeizureReport, report_editors
from app.users.models import User
from app.validation.models import CHECKLIST, ValidationAction
from app.validation.schemas import ValidationActionSchema, validation_summary

log = logging.getLogger(__name__)
_HISTORY = ValidationActionSchema(many=True)


def is_regional_validator(user: User) -> bool:
    return user.organisation.kind == "regional_office" and user.has_role("validator")


def has_edited(user: User, report: SeizureReport) -> bool:
    """Created, changed or submitted the report, ever."""
    if report.created_by_id == user.id:
        return True
    return bool(db.session.scalar(select(exists().where(report_editors.c.report_id == report.id,
                                                        report_editors.c.user_id == user.id))))


def check_may_decide(user: User, report: SeizureReport) -> None:
    """Forbidden unless `user` may validate or return this (visible) report; Conflict when its state
    does not allow a decision."""
    if not user.has_role("validator"):
        raise Forbidden("only validators validate reports")
    if user.organisation.kind != "regional_office":
        raise Forbidden("only validators of a regional office (JIO, RILO) validate reports")
    if report.organisation.kind not in NETWORK_KINDS:
        raise Forbidden("reports of partner organisations are outside the network's validation")
    if has_edited(user, report):
        raise Forbidden("four eyes: you created or changed this report, so someone else validates it")
    state = report.validation_state
    if state == "validated":
        raise Conflict("the report is already validated")
    if state == "returned":
        raise Conflict("the report was returned to its owner; it can be validated once they submit it again")
    if state != "awaiting":
        raise Conflict(f"only submitted reports are validated; this report is {report.status}")


class ChangedSinceRead(Conflict):
    """The report changed after the validator read it: the decision would be on what they did not check."""


def _check_reviewed(report: SeizureReport, reviewed: int | None) -> None:
    """A decision is on the version the validator read: ChangedSinceRead when the report changed since."""
    if reviewed is not None and reviewed != report.version:
        raise ChangedSinceRead(f"the report changed since you read it (version {report.version}, you reviewed version "
                       f"{reviewed}): read it again, then decide")


def validate_report(user: User, report: SeizureReport, checklist: dict, comment: str = "",
                    reviewed: int | None = None) -> ValidationAction:
    """`reviewed`: the version the validator read (None: whatever is current, for callers that read and
    decide in one transaction)."""
    check_may_decide(user, report)
    _check_reviewed(report, reviewed)
    unchecked = [name for name in CHECKLIST if checklist.get(name) is not True]
    if unchecked:
        raise ValidationFailed("every checklist item must be confirmed to validate; otherwise return the report",
                               {f"checklist.{name}": [f"not confirmed: {CHECKLIST[name]}"] for name in unchecked})
    now = utcnow()
    report.status, report.validated_at, report.returned_at = "validated", now, None
    action = _decide(user, report, "validate", checklist, comment, now)
    log.info("report %s validated by user %s", report.reference, user.id)
    return action


def return_report(user: User, report: SeizureReport, comment: str, checklist: dict | None = None,
                  reviewed: int | None = None) -> ValidationAction:
    check_may_decide(user, report)
    _check_reviewed(report, reviewed)
    if not comment.strip():
        raise ValidationFailed("a returned report needs a comment for its owner",
                               {"comment": ["say what the owner should check or correct"]})
    now = utcnow()
    report.returned_at = now
    action = _decide(user, report, "return", checklist or {}, comment, now)
    log.info("report %s returned to its owner by user %s", report.reference, user.id)
    return action


def _decide(user: User, report: SeizureReport, decision: str, checklist: dict, comment: str,
            now: datetime) -> ValidationAction:
    report.updated_at = now
    db.session.flush()  # bumps the report's version: an owner's open edit form is now stale
    action = ValidationAction(report_id=report.id, action=decision, user_id=user.id,
                              organisation_id=user.organisation_id, report_version=report.version,
                              checklist={k: bool(v) for k, v in checklist.items() if k in CHECKLIST},
                              comment=comment.strip(), created_at=now)
    db.session.add(action)
    db.session.flush()
    db.session.expire(report, ["validation_actions"])
    report_changed(report)  # search outbox, same transaction
    audit_decision(user, report, decision, action)
    return action


def audit_decision(user: User, report: SeizureReport, decision: str, action: ValidationAction) -> None:
    """The audit trail's entry for a decision ("report.validate", "report.return"): the checklist's
    answers and whether there was a comment, not the comment itself."""
    audit.record(f"report.{decision}", actor=user, subject=report,
                 details={"version": action.report_version, "checklist": action.checklist,
                          "commented": bool(action.comment)})


def history(viewer: Viewer, report: SeizureReport) -> list[dict]:
    """The report's validation history as `viewer` may read it: comments only for the reporting
    organisation and regional validators (the readers of nominal data, app.permissions)."""
    entries = _HISTORY.dump(report.validation_actions)
    if not can_view_persons(viewer, report):
        for entry in entries:
            entry["comment"] = ""
    return entries


def panel(user: User, viewer: Viewer, report: SeizureReport) -> dict:
    """What the report page shows about validation: the state, who validated, the history as the viewer
    may read it, and the checklist form for a validator who may decide (or why they may not)."""
    summary = validation_summary(report, with_comment=can_view_persons(viewer, report))
    note, may = None, False
    if is_regional_validator(user):
        try:
            check_may_decide(user, report)
            may = True
        except Forbidden as exc:  # e.g. four eyes: say why there is no form
            note = exc.message
        except Conflict:  # the state says it already
            pass
    return {**summary, "history": history(viewer, report), "may_decide": may, "note": note,
            "checklist": CHECKLIST}


def queue_query(viewer: Viewer, user: User, *, organisations=(), categories=()):  # noqa: ANN001
    """A select() of the reports awaiting validation that `user` may decide on: visible to them
    (the one sharing rule), from the network, never one they created or changed; oldest submission first."""
    editors = select(report_editors.c.report_id).where(report_editors.c.user_id == user.id)
    stmt = (select(SeizureReport)
            .join(Organisation, Organisation.id == SeizureReport.organisation_id)
            .where(visible_reports_clause(viewer), SeizureReport.status == "submitted",
                   SeizureReport.returned_at.is_(None), Organisation.kind.in_(NETWORK_KINDS),
                   SeizureReport.created_by_id != user.id, SeizureReport.id.not_in(editors)))
    if organisations:
        stmt = stmt.where(Organisation.code.in_(organisations))
    if categories:
        stmt = stmt.where(SeizureReport.id.in_(
            select(SeizureItem.report_id).where(SeizureItem.category.in_(categories))))
    return stmt


def queue_page(stmt, page: int, per_page: int) -> tuple[list[SeizureReport], int]:  # noqa: ANN001
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.order_by(SeizureReport.submitted_at, SeizureReport.reference)
                              .options(selectinload(SeizureReport.validation_actions))
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), int(total or 0)
