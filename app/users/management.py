"""Managing accounts: managers manage the users of their own organisation, sysadmins every user and
the organisations. A user outside the actor's scope does not exist for the actor (404)."""
from __future__ import annotations

from sqlalchemy import Select, select

from app import vocabularies as vocab
from app.database import utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.services import create_organisation
from app.users import mfa, services, sessions
from app.users.events import account_event
from app.users.models import User

MANAGER_GRANTABLE = ("officer", "analyst", "validator", "manager")


def can_manage_users(actor: User) -> bool:
    return actor.has_role("manager") or actor.has_role("sysadmin")


def _require_manager(actor: User) -> None:
    if not can_manage_users(actor):
        raise Forbidden("only managers and system administrators manage users")


def _require_sysadmin(actor: User) -> None:
    if not actor.has_role("sysadmin"):
        raise Forbidden("only system administrators manage organisations")


def users_query(actor: User, organisation_code: str | None = None) -> Select:
    _require_manager(actor)
    query = select(User).join(User.organisation).order_by(Organisation.code, User.email)
    if not actor.has_role("sysadmin"):
        query = query.where(User.organisation_id == actor.organisation_id)
    elif organisation_code:
        query = query.where(Organisation.code == organisation_code)
    return query


def managed_user(actor: User, user_id: int) -> User:
    _require_manager(actor)
    user = db.session.get(User, user_id)
    if user is None or (not actor.has_role("sysadmin") and user.organisation_id != actor.organisation_id):
        raise NotFound("no such user")
    return user


def _check_can_act(actor: User, user: User) -> None:
    """A manager does not act on a system administrator of their organisation."""
    if not actor.has_role("sysadmin") and user.has_role("sysadmin"):
        raise Forbidden("a system administrator manages this user")


def grantable_roles(actor: User) -> tuple[str, ...]:
    return tuple(vocab.ROLES) if actor.has_role("sysadmin") else MANAGER_GRANTABLE


def _check_roles(actor: User, roles: list[str], organisation: Organisation) -> list[str]:
    roles = list(dict.fromkeys(roles))
    allowed = grantable_roles(actor)
    errors = []
    if not roles:
        errors.append("choose at least one role")
    if any(r not in allowed for r in roles):
        errors.append(f"you may grant {', '.join(allowed)}")
    if "validator" in roles and organisation.kind != "regional_office":
        errors.append("validators work at a regional office")
    if errors:
        raise ValidationFailed("the roles cannot be given", {"roles": errors})
    return roles


def invite(actor: User, email: str, name: str, roles: list[str], organisation_code: str | None) -> tuple[User, str]:
    """A new user without a password, and the one-time link with which they set one."""
    _require_manager(actor)
    code = organisation_code if actor.has_role("sysadmin") and organisation_code else actor.organisation.code
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        raise ValidationFailed("the user cannot be invited", {"organisation": [f"unknown organisation {code!r}"]})
    roles = _check_roles(actor, roles, organisation)
    user = services.create_user(email, code, roles, None, name)
    link = services.create_password_link(user, actor)
    account_event("user.invited", actor=actor, subject=user, roles=",".join(roles), organisation=code)
    return user, link


def set_roles(actor: User, user: User, roles: list[str]) -> None:
    _check_can_act(actor, user)
    roles = _check_roles(actor, roles, user.organisation)
    kept = {"manager", "sysadmin"} & set(actor.roles)
    if user.id == actor.id and not kept <= set(roles):
        raise ValidationFailed("you cannot remove your own management roles", {"roles": ["keep your own roles"]})
    before = list(user.roles)
    user.roles = roles
    db.session.flush()
    account_event("user.roles_changed", actor=actor, subject=user, before=",".join(before), after=",".join(roles))


def set_active(actor: User, user: User, active: bool) -> None:
    _check_can_act(actor, user)
    if user.id == actor.id:
        raise ValidationFailed("you cannot deactivate yourself", {"active": ["ask another manager"]})
    if not active:
        services.deactivate(user, actor, "manager")
    elif not user.active:
        # The 90 days of inactivity count again from the reactivation.
        user.active, user.deactivated_at, user.last_login_at = True, None, utcnow()
        db.session.flush()
        account_event("user.reactivated", actor=actor, subject=user)


def reset_mfa(actor: User, user: User) -> None:
    _check_can_act(actor, user)
    mfa.remove(user, actor, "reset")
    sessions.end_all(user, "mfa_reset")


def sign_out_everywhere(actor: User, user: User) -> int:
    _check_can_act(actor, user)
    ended = sessions.end_all(user, "signed_out_by_manager")
    account_event("sessions.ended", actor=actor, subject=user, sessions=ended)
    return ended


def new_password_link(actor: User, user: User) -> str:
    _check_can_act(actor, user)
    if not user.active:
        raise ValidationFailed("reactivate the user first", {"active": ["the user is deactivated"]})
    return services.create_password_link(user, actor)


# --- organisations (sysadmins) ------------------------------------------------------------------------

def organisations(actor: User) -> list[Organisation]:
    _require_sysadmin(actor)
    return list(db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.code)))


def add_organisation(actor: User, code: str, name: str, kind: str, country: str | None) -> Organisation:
    _require_sysadmin(actor)
    org = create_organisation(code.strip().upper(), name, kind, country or None)
    account_event("organisation.created", actor=actor, subject=org, code=org.code, kind=org.kind)
    return org


def rename_organisation(actor: User, organisation_id: int, name: str) -> Organisation:
    _require_sysadmin(actor)
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("no such organisation")
    if not name.strip() or len(name) > 200:
        raise ValidationFailed("the organisation cannot be renamed", {"name": ["1 to 200 characters"]})
    org.name = name.strip()
    db.session.flush()
    account_event("organisation.renamed", actor=actor, subject=org)
    return org
