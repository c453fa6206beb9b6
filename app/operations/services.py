"""Operations: created by analysts; reports link to them by code."""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timezone

from sqlalchemy import exists, func, or_, select, true
from sqlalchemy.orm import selectinload

from app import audit
from app.database import day_after, utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.operations.models import PHASES, Operation, OperationPhase, operation_participants
from app.organisations.models import NETWORK_KINDS, Organisation
from app.permissions import SHARED_STATUSES, viewer_for, visible_reports_clause
from app.search.services import enqueue_reports, source_record
from app.seizures.models import SeizureItem, SeizureReport, report_operations
from app.users.models import User

log = logging.getLogger(__name__)

PREVIEW_SAMPLE = 20


def visible_operations_clause(user: User):  # noqa: ANN201
    """Network organisations see every operation; partners only those they lead or take part in."""
    if user.organisation.kind in NETWORK_KINDS:
        return true()
    org_id = user.organisation_id
    return or_(Operation.lead_organisation_id == org_id,
               Operation.id.in_(select(operation_participants.c.operation_id)
                                .where(operation_participants.c.organisation_id == org_id)))


def list_operations(user: User) -> list[Operation]:
    stmt = select(Operation).where(visible_operations_clause(user)).order_by(Operation.starts_on.desc())
    return list(db.session.scalars(stmt).unique())


def get_operation(user: User, code: str) -> Operation:
    op = db.session.scalar(select(Operation).where(Operation.code == code, visible_operations_clause(user)))
    if op is None:
        raise NotFound("no such operation")
    return op


def can_edit_operation(user: User, op: Operation) -> bool:
    """Analysts of the lead organisation, and the analyst who created the operation."""
    return user.has_role("analyst") and (user.organisation_id == op.lead_organisation_id
                                         or user.id == op.created_by_id)


def may_lead(user: User, organisation: Organisation) -> bool:
    """Whom an analyst may name as an operation's lead: their own organisation; a regional office's
    analysts any (they coordinate the network's operations). A lead's analysts change the operation
    and link reports to it in bulk: naming another organisation would act in its name."""
    return organisation.id == user.organisation_id or user.organisation.kind == "regional_office"


def _lead(user: User, code: str, current: Organisation | None = None) -> Organisation:
    lead = _organisations([code], "lead_organisation")[0]
    if lead is not current and not may_lead(user, lead):
        raise ValidationFailed("the lead organisation is not yours to name", {"lead_organisation": [
            f"analysts of {user.organisation.code} name {user.organisation.code} as the lead; "
            f"an operation led by {lead.code} is created by {lead.code} or a regional office"]})
    return lead


def can_link_in_bulk(user: User, op: Operation) -> bool:
    return user.has_role("analyst") and user.organisation_id == op.lead_organisation_id


def _organisations(codes: list[str], field: str) -> list[Organisation]:
    found = {o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}
    errors = {f"{field}.{i}" if field == "participants" else field: [f"unknown organisation {c!r}"]
              for i, c in enumerate(codes) if c not in found}
    if errors:
        raise ValidationFailed("unknown organisations", errors)
    return [found[c] for c in dict.fromkeys(codes)]


def _phases(data: list[dict]) -> list[OperationPhase]:
    return [OperationPhase(name=p["name"], starts_on=p["starts_on"], ends_on=p["ends_on"]) for p in data]


def create_operation(user: User, data: dict) -> Operation:
    if not user.has_role("analyst"):
        raise Forbidden("only analysts create operations")
    if db.session.scalar(select(Operation.id).where(Operation.code == data["code"])) is not None:
        raise ValidationFailed("the code is taken", {"code": [f"an operation {data['code']!r} exists"]})
    lead = _lead(user, data["lead_organisation"])
    op = Operation(code=data["code"], name=data["name"], description=data.get("description", ""),
                   executive_summary=data.get("executive_summary", ""),
                   lead_organisation=lead, starts_on=data["starts_on"], ends_on=data["ends_on"],
                   focus_categories=data.get("focus_categories", []), status=data.get("status", "planned"),
                   participants=_organisations(data.get("participants", []), "participants"),
                   phases=_phases(data.get("phases", [])), created_by_id=user.id)
    db.session.add(op)
    db.session.flush()
    audit.record("operation.create", actor=user, subject=op, details={"fields": sorted(data)})
    log.info("operation %s created by user %s", op.code, user.id)
    return op


def update_operation(user: User, op: Operation, data: dict) -> Operation:
    """Apply validated fields (OperationSchema output; only the keys present change)."""
    if not can_edit_operation(user, op):
        raise Forbidden("only analysts of the lead organisation change this operation")
    for name in ("name", "description", "executive_summary", "starts_on", "ends_on", "focus_categories", "status"):
        if name in data:
            setattr(op, name, data[name])
    if "lead_organisation" in data:
        op.lead_organisation = _lead(user, data["lead_organisation"], op.lead_organisation)
    if "participants" in data:
        op.participants = _organisations(data["participants"], "participants")
    if "phases" in data:
        # Replace the rows in place per phase name: the unique (operation, name) holds within one flush.
        wanted = {p["name"]: p for p in data["phases"]}
        for phase in list(op.phases):
            if phase.name not in wanted:
                op.phases.remove(phase)
        for name, values in wanted.items():
            phase = op.phase(name)
            if phase is None:
                op.phases.append(OperationPhase(name=name, starts_on=values["starts_on"], ends_on=values["ends_on"]))
            else:
                phase.starts_on, phase.ends_on = values["starts_on"], values["ends_on"]
    op.updated_by_id, op.updated_at = user.id, utcnow()
    db.session.flush()
    audit.record("operation.update", actor=user, subject=op, details={"fields": sorted(data)})
    log.info("operation %s updated by user %s", op.code, user.id)
    return op


# --- bulk linking ------------------------------------------------------------------------------------

def rule_period(op: Operation, phase: str | None) -> tuple[date, date]:
    if phase is None:
        return op.starts_on, op.ends_on
    found = op.phase(phase)
    if found is None:
        raise ValidationFailed("the operation has no such phase",
                               {"phase": [f"the operation has no {PHASES.get(phase, phase).lower()} phase dates"]})
    return found.starts_on, found.ends_on


def linkable_reports_query(user: User, op: Operation, rule: dict):  # noqa: ANN201
    """The reports a bulk link would add: visible to the analyst, shared (submitted or validated), of an
    organisation leading or taking part in the operation, not linked yet, seized within the rule's period,
    with an item of the rule's categories. Reports of other organisations with `operation` distribution are
    left out: linking them would open them to this operation's participants, which is their owner's choice."""
    if not can_link_in_bulk(user, op):
        raise Forbidden("only analysts of the lead organisation link reports in bulk")
    starts_on, ends_on = rule_period(op, rule.get("phase"))
    viewer = viewer_for(user)
    stmt = select(SeizureReport).where(
        visible_reports_clause(viewer),
        SeizureReport.status.in_(SHARED_STATUSES),
        SeizureReport.organisation_id.in_(op.member_ids()),
        or_(SeizureReport.distribution.in_(("network", "partners")),
            SeizureReport.organisation_id == user.organisation_id),
        SeizureReport.seized_at >= datetime.combine(starts_on, time.min, timezone.utc),
        SeizureReport.seized_at < datetime.combine(until, time.min, timezone.utc) if (until := day_after(ends_on))
        else true(),
        ~exists().where(report_operations.c.report_id == SeizureReport.id,
                        report_operations.c.operation_id == op.id),
    )
    if rule.get("categories"):
        stmt = stmt.where(exists().where(SeizureItem.report_id == SeizureReport.id,
                                         SeizureItem.category.in_(rule["categories"])))
    return stmt


def preview_links(user: User, op: Operation, rule: dict) -> dict:
    stmt = linkable_reports_query(user, op, rule)
    count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    sample = db.session.scalars(stmt.order_by(SeizureReport.seized_at, SeizureReport.reference)
                                .limit(PREVIEW_SAMPLE)).all()
    return {"count": int(count or 0), "sample": [r.reference for r in sample]}


def link_reports(user: User, op: Operation, rule: dict) -> int:
    """Link every report the rule selects. Each report is changed through the ORM (its version and
    updated_at move on), so concurrent edits see the change and the search index follows."""
    reports = db.session.scalars(linkable_reports_query(user, op, rule).options(
        selectinload(SeizureReport.validation_actions))).all()  # their documents' `validation`: one query
    now = utcnow()
    for report in reports:
        report.operations.append(op)
        report.updated_at = now
    db.session.flush()
    enqueue_reports([r.id for r in reports], {r.id: source_record(r) for r in reports})  # search outbox, documents
    audit.record("operation.link_reports", actor=user, subject=op, details={"rule": rule, "linked": len(reports)})
    log.info("operation %s: %d reports linked in bulk by user %s", op.code, len(reports), user.id)
    return len(reports)
