"""Operations: created by analysts; reports link to them by code."""
from __future__ import annotations

import logging

from sqlalchemy import or_, select, true

from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.operations.models import Operation, operation_participants
from app.organisations.models import NETWORK_KINDS, Organisation
from app.users.models import User

log = logging.getLogger(__name__)


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


def _organisations(codes: list[str], field: str) -> list[Organisation]:
    found = {o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}
    errors = {f"{field}.{i}" if field == "participants" else field: [f"unknown organisation {c!r}"]
              for i, c in enumerate(codes) if c not in found}
    if errors:
        raise ValidationFailed("unknown organisations", errors)
    return [found[c] for c in dict.fromkeys(codes)]


def create_operation(user: User, data: dict) -> Operation:
    if not user.has_role("analyst"):
        raise Forbidden("only analysts create operations")
    if db.session.scalar(select(Operation.id).where(Operation.code == data["code"])) is not None:
        raise ValidationFailed("the code is taken", {"code": [f"an operation {data['code']!r} exists"]})
    lead = _organisations([data["lead_organisation"]], "lead_organisation")[0]
    op = Operation(code=data["code"], name=data["name"], description=data.get("description", ""),
                   lead_organisation=lead, starts_on=data["starts_on"], ends_on=data["ends_on"],
                   focus_categories=data.get("focus_categories", []), status=data.get("status", "planned"),
                   participants=_organisations(data.get("participants", []), "participants"),
                   created_by_id=user.id)
    db.session.add(op)
    db.session.flush()
    log.info("operation %s created by user %s", op.code, user.id)
    return op
