"""Accounts: password hashing (argon2id), users, personal API tokens."""
from __future__ import annotations

import hashlib
import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from app import vocabularies as vocab
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.organisations.models import Organisation
from app.database import utcnow
from app.users.models import ApiToken, User

log = logging.getLogger(__name__)

TOKEN_PREFIX = "elix_"
MIN_PASSWORD_LENGTH = 12
_hashers: dict[bool, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _hashers:
        # Tests trade strength for speed; production uses argon2-cffi's RFC 9106 low-memory profile.
        _hashers[fast] = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    return _hashers[fast]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


_DUMMY_HASH: dict[bool, str] = {}


def verify_password(user: User | None, password: str) -> bool:
    """Constant-work check: an unknown account costs the same as a wrong password."""
    hasher = _hasher()
    if user is None:
        key = bool(current_app.config.get("PASSWORD_HASH_FAST"))
        _DUMMY_HASH.setdefault(key, hasher.hash(secrets.token_hex(8)))
        try:
            hasher.verify(_DUMMY_HASH[key], password)
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if not verify_password(user, password) or user is None or not user.active:
        log.info("failed sign-in for %s", email[:60])
        return None
    user.last_login_at = utcnow()
    return user


def create_user(email: str, organisation_code: str, roles: list[str], password: str, name: str | None = None) -> User:
    errors: dict[str, list[str]] = {}
    org = db.session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    if org is None:
        errors["organisation"] = [f"unknown organisation {organisation_code!r}"]
    bad_roles = [r for r in roles if r not in vocab.ROLES]
    if not roles or bad_roles:
        errors["roles"] = [f"roles must be among {', '.join(vocab.ROLES)}"]
    if "@" not in email or len(email) > 254:
        errors["email"] = ["not an e-mail address"]
    elif find_user(email) is not None:
        errors["email"] = ["a user with this e-mail exists"]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"at least {MIN_PASSWORD_LENGTH} characters"]
    if errors:
        raise ValidationFailed("the user cannot be created", errors)
    user = User(email=email.strip().lower(), name=name or email.split("@")[0], organisation=org,
                roles=list(dict.fromkeys(roles)), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the clear token is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("the token needs a name", {"name": ["1 to 100 characters"]})
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_token_hash(clear), prefix=clear[:12])
    db.session.add(token)
    db.session.flush()
    log.info("API token %s created for user %s", token.id, user.id)
    return token, clear


def user_for_token(clear: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(clear)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token.user


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        log.info("API token %s revoked by user %s", token.id, user.id)
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
