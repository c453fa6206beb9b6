"""Accounts: users, sign-in with lockout, passwords and set-password links, personal API tokens."""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update

from app import vocabularies as vocab
from app.database import utcnow
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.organisations.models import Organisation
from app.users import sessions
from app.users.events import account_event
from app.users.models import TOKEN_SCOPES, ApiToken, PasswordLink, User
from app.users.passwords import (  # noqa: F401  (hash_password is imported from here by the demo loader)
    MIN_PASSWORD_LENGTH, hash_password, password_problems, unusable_password_hash, verify_hash)

log = logging.getLogger(__name__)

TOKEN_PREFIX = "elix_"
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
PASSWORD_LINK_DAYS = 7


class SignInRefused(Exception):
    """reason: "invalid" (unknown e-mail or wrong password), "locked", "inactive"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def verify_password(user: User | None, password: str) -> bool:
    ok, new_hash = verify_hash(user.password_hash if user else None, password)
    if ok and new_hash and user is not None:
        user.password_hash = new_hash
    return ok


# --- signing in -------------------------------------------------------------------------------------

def check_password(email: str, password: str, now: datetime | None = None) -> User:
    """The first step of signing in. Failures are counted on the account (commit them too):
    LOGIN_MAX_FAILURES in a row lock it for LOGIN_LOCK_MINUTES, whatever the password then."""
    now = now or utcnow()
    user = find_user(email)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)  # the same work as any attempt
        account_event("sign_in", subject=user, outcome="locked")
        raise SignInRefused("locked")
    if not verify_password(user, password) or user is None:
        if user is not None:
            register_failure(user, now)
        else:
            account_event("sign_in", outcome="unknown_account", login=(email or "")[:60])
        raise SignInRefused("invalid")
    if not user.active:
        account_event("sign_in", subject=user, outcome="inactive")
        raise SignInRefused("inactive")
    if is_inactive(user, now):
        deactivate(user, None, "inactivity", now)
        raise SignInRefused("inactive")
    return user


def register_failure(user: User, now: datetime | None = None, step: str = "password") -> None:
    """One more failed attempt (password or second factor), counted atomically in the database."""
    now = now or utcnow()
    config = current_app.config
    if user.locked_until is not None and user.locked_until <= now:
        user.locked_until = None  # an expired lock: counting starts again
        user.failed_logins = 0
        db.session.flush()
    db.session.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(user, ["failed_logins"])
    if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        account_event("account.locked", subject=user, outcome="locked", minutes=config["LOGIN_LOCK_MINUTES"])
    db.session.flush()
    account_event("sign_in", subject=user, outcome="failure", step=step)


def needs_second_factor(user: User) -> bool:
    return user.mfa_enabled or bool(current_app.config["REQUIRE_MFA"])


def complete_sign_in(user: User, method: str) -> None:
    """Both steps passed: reset the failure count and open a session on this browser."""
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    sessions.start(user)
    account_event("sign_in", actor=user, subject=user, method=method)


def is_inactive(user: User, now: datetime | None = None) -> bool:
    last = user.last_login_at or user.created_at
    return last is not None and last < (now or utcnow()) - timedelta(days=current_app.config["INACTIVE_DAYS"])


def deactivate(user: User, actor: User | None, reason: str, now: datetime | None = None) -> None:
    user.active, user.deactivated_at = False, now or utcnow()
    sessions.end_all(user, "deactivated")
    db.session.flush()
    account_event("user.deactivated", actor=actor, subject=user, reason=reason)


def deactivate_inactive(now: datetime | None = None) -> list[User]:
    """Deactivate every active user who has not signed in for INACTIVE_DAYS (never signed in: since
    the account was created)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["INACTIVE_DAYS"])
    stale = list(db.session.scalars(select(User).where(
        User.active.is_(True),
        or_(User.last_login_at < cutoff, (User.last_login_at.is_(None)) & (User.created_at < cutoff)))))
    for user in stale:
        deactivate(user, None, "inactivity", now)
    return stale


# --- users and passwords ----------------------------------------------------------------------------

def create_user(email: str, organisation_code: str, roles: list[str], password: str | None,
                name: str | None = None) -> User:
    """A user; with password None the account has no password until a set-password link is used."""
    errors: dict[str, list[str]] = {}
    org = db.session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    if org is None:
        errors["organisation"] = [f"unknown organisation {organisation_code!r}"]
    bad_roles = [r for r in roles if r not in vocab.ROLES]
    if not roles or bad_roles:
        errors["roles"] = [f"roles must be among {', '.join(vocab.ROLES)}"]
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        errors["email"] = ["not an e-mail address"]
    elif find_user(email) is not None:
        errors["email"] = ["a user with this e-mail exists"]
    if password is not None and (problems := password_problems(password, email=email)):
        errors["password"] = problems
    if errors:
        raise ValidationFailed("the user cannot be created", errors)
    user = User(email=email, name=(name or "").strip() or email.split("@")[0], organisation=org,
                roles=list(dict.fromkeys(roles)), failed_logins=0,
                password_hash=hash_password(password) if password is not None else unusable_password_hash())
    db.session.add(user)
    db.session.flush()
    return user


def _set_password(user: User, new_password: str) -> None:
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise ValidationFailed("the password cannot be used", {"new_password": problems})
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins, user.locked_until = 0, None
    sessions.end_all(user, "password_changed")
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The user's own change: the current password is required. Every session of the user ends
    (the route then opens a new one for this browser)."""
    if not verify_password(user, current_password):
        register_failure(user, step="change_password")
        raise ValidationFailed("the current password is wrong", {"current_password": ["wrong password"]})
    if current_password == new_password:
        raise ValidationFailed("the password cannot be used", {"new_password": ["choose a new password"]})
    _set_password(user, new_password)
    account_event("password.changed", actor=user, subject=user)


def _link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_password_link(user: User, actor: User | None) -> str:
    """A one-time set-password link token (the earlier unused ones of the user stop working)."""
    db.session.execute(update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    clear = secrets.token_urlsafe(32)
    db.session.add(PasswordLink(user_id=user.id, token_hash=_link_hash(clear), created_by_id=actor.id if actor else None,
                                expires_at=utcnow() + timedelta(days=PASSWORD_LINK_DAYS)))
    db.session.flush()
    account_event("password.link_created", actor=actor, subject=user)
    return clear


def password_link(token: str) -> PasswordLink | None:
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == _link_hash(token or "")))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def use_password_link(token: str, new_password: str) -> User:
    link = password_link(token)
    if link is None:
        raise NotFound("this link was used already or has expired; ask your manager for a new one")
    _set_password(link.user, new_password)
    claimed = db.session.execute(update(PasswordLink).where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
                                 .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise NotFound("this link was used already")
    account_event("password.set_by_link", actor=link.user, subject=link.user)
    return link.user


# --- API tokens -------------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, scope: str = "write", expires_days: int = TOKEN_DEFAULT_DAYS
                 ) -> tuple[ApiToken, str]:
    """A new token for `user`; the clear token is returned once and never stored."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = ["1 to 100 characters"]
    if scope not in TOKEN_SCOPES:
        errors["scope"] = [f"one of {', '.join(TOKEN_SCOPES)}"]
    if not isinstance(expires_days, int) or not 1 <= expires_days <= TOKEN_MAX_DAYS:
        errors["expires_days"] = [f"1 to {TOKEN_MAX_DAYS} days"]
    if errors:
        raise ValidationFailed("the token cannot be created", errors)
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=token_hash(clear), prefix=clear[:12], scope=scope,
                     expires_at=utcnow() + timedelta(days=expires_days))
    db.session.add(token)
    db.session.flush()
    account_event("token.created", actor=user, subject=user, token=token.id, scope=scope, days=expires_days)
    return token, clear


# Every API request runs it: built once, the statement skips its construction and cache key (~0.3 ms).
_TOKEN_BY_HASH = select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))


def api_token_for(clear: str) -> ApiToken | None:
    """The token, when it is known, not revoked, not expired and its user active."""
    token = db.session.scalar(_TOKEN_BY_HASH, {"token_hash": token_hash(clear)})
    if token is None or token.state(utcnow()) != "active" or not token.user.active:
        return None
    return token


def user_for_token(clear: str) -> User | None:
    token = api_token_for(clear)
    return token.user if token else None


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        account_event("token.revoked", actor=user, subject=user, token=token.id)
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
