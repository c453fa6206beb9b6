"""The conference report's context (reports/context.py ConferenceReportContext): plain dicts holding only
what the requesting user may see, and never persons."""
from __future__ import annotations


from app import vocabularies as vocab
from app.conferences.models import Conference
from app.database import utcnow
from app.operations.figures import Scope, operation_scope, scope_marking, summary_figures
from app.operations.products import organisation_dict, period_dict, prepared_by
from app.conferences.services import operations_shown
from app.permissions import viewer_for
from app.users.models import User


def regional_scope(conference: Conference) -> Scope:
    """The regional figures: the chosen period (the conference's year up to its start when none is set)
    and categories."""
    date_from = conference.figures_from or conference.starts_on.replace(month=1, day=1)
    date_to = conference.figures_to or conference.starts_on
    return Scope(date_from=date_from, date_to=date_to, categories=tuple(conference.figures_categories or ()),
                 timeline_from=date_from, timeline_to=date_to)


def report_context(user: User, conference: Conference) -> dict:
    viewer = viewer_for(user)
    regional = regional_scope(conference)
    operations = operations_shown(user, conference)  # only while the requester may see each
    op_scopes = [operation_scope(op) for op in operations]
    return {
        "title": conference.title, "venue": conference.venue,
        "starts_on": conference.starts_on.isoformat(), "ends_on": conference.ends_on.isoformat(),
        "organiser": organisation_dict(conference.organiser),
        "participants": [{**organisation_dict(p.organisation), "delegates": p.delegates}
                         for p in conference.participants],
        "agenda": [{"title": a.title, "presenter": a.presenter,
                    "presenter_organisation": a.presenter_organisation.name if a.presenter_organisation else "",
                    "summary": a.summary} for a in conference.agenda],
        "decisions": [{"text": d.text} for d in conference.decisions],
        "action_items": [{"text": a.text, "owner": a.owner, "due_on": a.due_on.isoformat() if a.due_on else ""}
                         for a in conference.action_items],
        "figures_period": {"from": regional.date_from.isoformat(), "to": regional.date_to.isoformat()},
        "figures_categories": [vocab.CATEGORIES.get(c, c) for c in regional.categories],
        "regional_figures": summary_figures(viewer, regional),  # no annex
        "operations": [{"code": op.code, "name": op.name, "period": period_dict(op),
                        "figures": summary_figures(viewer, scope)} for op, scope in zip(operations, op_scopes)],
        "prepared_by": prepared_by(user),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "marking": scope_marking(viewer, [regional, *op_scopes]),
    }

