"""The operation summary's context (reports/context.py OperationSummaryContext): plain dicts holding only
what the requesting user may see, and never persons."""
from __future__ import annotations

from app import vocabularies as vocab
from app.database import utcnow
from app.operations.figures import compute_figures, operation_scope, scope_marking
from app.operations.models import PHASES, Operation
from app.organisations.models import Organisation
from app.permissions import viewer_for
from app.users.models import User


def organisation_dict(org: Organisation) -> dict:
    return {"code": org.code, "name": org.name}


def period_dict(op: Operation) -> dict:
    return {"starts_on": op.starts_on.isoformat(), "ends_on": op.ends_on.isoformat(),
            "phases": [{"name": PHASES.get(p.name, p.name), "starts_on": p.starts_on.isoformat(),
                        "ends_on": p.ends_on.isoformat()} for p in op.phases]}


def prepared_by(user: User) -> dict:
    return {"name": user.name, "organisation": user.organisation.name}


def summary_context(user: User, op: Operation) -> dict:
    viewer = viewer_for(user)
    scope = operation_scope(op)
    figures = compute_figures(viewer, scope)
    marking = scope_marking(viewer, [scope])
    return {
        "title": op.name, "code": op.code, "description": op.description,
        "executive_summary": op.executive_summary,
        "period": period_dict(op),
        "lead": organisation_dict(op.lead_organisation),
        "participants": [organisation_dict(o) for o in op.participants],
        "focus_categories": [vocab.CATEGORIES.get(c, c) for c in op.focus_categories],
        "prepared_by": prepared_by(user),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "marking": marking,
        "figures": figures,
    }
