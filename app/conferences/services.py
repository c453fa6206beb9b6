"""Conferences: created by analysts; seen by the network, and by partners that organise or attend them."""
from __future__ import annotations

import logging

from sqlalchemy import or_, select, true

from app.conferences.models import ActionItem, AgendaItem, Conference, ConferenceParticipant, Decision
from app import audit
from app.database import utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.operations.models import Operation
from app.operations.services import may_lead, visible_operations_clause
from app.organisations.models import NETWORK_KINDS, Organisation
from app.users.models import User

log = logging.getLogger(__name__)


def visible_conferences_clause(user: User):  # noqa: ANN201
    if user.organisation.kind in NETWORK_KINDS:
        return true()
    org_id = user.organisation_id
    return or_(Conference.organiser_id == org_id,
               Conference.id.in_(select(ConferenceParticipant.conference_id)
                                 .where(ConferenceParticipant.organisation_id == org_id)))


def list_conferences(user: User) -> list[Conference]:
    stmt = select(Conference).where(visible_conferences_clause(user)).order_by(Conference.starts_on.desc(),
                                                                              Conference.id.desc())
    return list(db.session.scalars(stmt).unique())


def get_conference(user: User, conference_id: int | str) -> Conference:
    try:
        key = int(conference_id)
    except (TypeError, ValueError):
        key = None
    conference = None if key is None else db.session.scalar(
        select(Conference).where(Conference.id == key, visible_conferences_clause(user)))
    if conference is None:
        raise NotFound("no such conference")
    return conference


def can_edit_conference(user: User, conference: Conference) -> bool:
    """Analysts of the organising organisation, and the analyst who created the record."""
    return user.has_role("analyst") and (user.organisation_id == conference.organiser_id
                                         or user.id == conference.created_by_id)


def operations_shown(user: User, conference: Conference) -> list[Operation]:
    """The conference's operations `user` may see (app.operations.services.visible_operations_clause: a
    partner taking part sees those it takes part in), in the conference's order."""
    if not conference.operations:
        return []
    visible = set(db.session.scalars(select(Operation.id).where(
        Operation.id.in_([op.id for op in conference.operations]), visible_operations_clause(user))))
    return [op for op in conference.operations if op.id in visible]


def _organisations_by_code(codes: list[str]) -> dict[str, Organisation]:
    if not codes:
        return {}
    return {o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}


def _resolve(user: User, data: dict, current: Conference | None = None) -> dict:
    """Organisation and operation codes to rows; every unknown code is a field error."""
    codes = [data["organiser"]] if "organiser" in data else []
    codes += [p["organisation"] for p in data.get("participants", [])]
    codes += [a["presenter_organisation"] for a in data.get("agenda", []) if a.get("presenter_organisation")]
    orgs = _organisations_by_code(codes)
    errors: dict[str, list[str]] = {}
    if "organiser" in data and data["organiser"] not in orgs:
        errors["organiser"] = [f"unknown organisation {data['organiser']!r}"]
    elif "organiser" in data and (current is None or orgs[data["organiser"]].id != current.organiser_id) \
            and not may_lead(user, orgs[data["organiser"]]):
        errors["organiser"] = [f"analysts of {user.organisation.code} record conferences {user.organisation.code} "
                               f"organises; one organised by {data['organiser']} is recorded by {data['organiser']} "
                               "or a regional office"]
    for i, p in enumerate(data.get("participants", [])):
        if p["organisation"] not in orgs:
            errors[f"participants.{i}.organisation"] = [f"unknown organisation {p['organisation']!r}"]
    for i, a in enumerate(data.get("agenda", [])):
        if a.get("presenter_organisation") and a["presenter_organisation"] not in orgs:
            errors[f"agenda.{i}.presenter_organisation"] = [f"unknown organisation {a['presenter_organisation']!r}"]
    operations: dict[str, Operation] = {}
    if data.get("operations"):
        operations = {op.code: op for op in db.session.scalars(
            select(Operation).where(Operation.code.in_(data["operations"]), visible_operations_clause(user)))}
        for i, code in enumerate(data["operations"]):
            if code not in operations:
                errors[f"operations.{i}"] = [f"unknown operation {code!r}"]
    if errors:
        raise ValidationFailed("the conference names organisations or operations it cannot", errors)
    return {"orgs": orgs, "operations": operations}


def _apply(user: User, conference: Conference, data: dict, found: dict) -> None:
    orgs = found["orgs"]
    for name in ("title", "venue", "starts_on", "ends_on", "figures_from", "figures_to", "figures_categories"):
        if name in data:
            setattr(conference, name, data[name])
    if "organiser" in data:
        conference.organiser = orgs[data["organiser"]]
    if "participants" in data:
        current = {p.organisation_id: p for p in conference.participants}
        rows = []
        for position, p in enumerate(data["participants"]):
            org = orgs[p["organisation"]]
            row = current.get(org.id) or ConferenceParticipant(organisation=org)
            row.position, row.delegates = position, p.get("delegates", 1)
            rows.append(row)
        conference.participants = rows
    if "agenda" in data:
        conference.agenda = [
            AgendaItem(position=i, title=a["title"], presenter=a.get("presenter", ""),
                       presenter_organisation=orgs.get(a["presenter_organisation"]) if a.get("presenter_organisation") else None,
                       summary=a.get("summary", ""))
            for i, a in enumerate(data["agenda"])]
    if "decisions" in data:
        conference.decisions = [Decision(position=i, text=d["text"]) for i, d in enumerate(data["decisions"])]
    if "action_items" in data:
        conference.action_items = [ActionItem(position=i, text=a["text"], owner=a.get("owner", ""),
                                              due_on=a.get("due_on")) for i, a in enumerate(data["action_items"])]
    if "operations" in data:  # those the user may not see stay (they were not theirs to remove)
        shown = operations_shown(user, conference)
        hidden = [op for op in conference.operations if op not in shown]
        conference.operations = [found["operations"][code] for code in dict.fromkeys(data["operations"])] + hidden


def create_conference(user: User, data: dict) -> Conference:
    if not user.has_role("analyst"):
        raise Forbidden("only analysts create conference records")
    found = _resolve(user, data)
    conference = Conference(created_by_id=user.id)
    _apply(user, conference, data, found)
    db.session.add(conference)
    db.session.flush()
    audit.record("conference.create", actor=user, subject=conference, details={"fields": sorted(data)})
    log.info("conference %s created by user %s", conference.id, user.id)
    return conference


def update_conference(user: User, conference: Conference, data: dict) -> Conference:
    if not can_edit_conference(user, conference):
        raise Forbidden("only analysts of the organising organisation change this conference")
    found = _resolve(user, data, conference)
    _apply(user, conference, data, found)
    conference.updated_by_id, conference.updated_at = user.id, utcnow()
    db.session.flush()
    audit.record("conference.update", actor=user, subject=conference, details={"fields": sorted(data)})
    log.info("conference %s updated by user %s", conference.id, user.id)
    return conference
