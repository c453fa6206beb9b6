"""Sign-in sessions the server can end.

The session cookie (signed, HttpOnly) carries a random session id and the time of the last request;
the database keeps a row per session (its SHA-256 id, start, end). Each request loads the row with
the user in one query and refuses it when the row is ended (logout, password change, a manager's
"sign out everywhere", deactivation), older than SESSION_MAX_HOURS, or idle for longer than
SESSION_IDLE_MINUTES. The idle clock lives in the signed cookie, so a page view writes nothing.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from flask import current_app, g, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from app.database import utcnow
from app.extensions import db
from app.security import client_address
from app.users.models import User, UserSession

SID = "sid"
SEEN = "seen"
SEEN_RESOLUTION = 60  # seconds: the cookie is rewritten at most once a minute


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start(user: User) -> UserSession:
    """Sign `user` in on this browser: a new session row and a new cookie (never the pre-sign-in one)."""
    sid = secrets.token_urlsafe(32)
    row = UserSession(id=_hash(sid), user=user, address=client_address())
    db.session.add(row)
    db.session.flush()
    _clear_session(keep_csrf=True)
    login_user(user)
    session[SID], session[SEEN] = sid, int(time.time())
    session.permanent = True
    return row


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the signed-in user, or None when the session is over."""
    sid, seen = session.get(SID), session.get(SEEN)
    now = time.time()
    if not isinstance(sid, str) or not isinstance(seen, int) or not user_id.isdigit():
        return _forget()
    if now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        return _forget()
    row = db.session.scalar(select(UserSession).where(UserSession.id == _hash(sid)))
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if (row is None or row.ended_at is not None or row.user_id != int(user_id) or not row.user.active
            or row.created_at + max_age < utcnow()):
        return _forget()
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN] = int(now)
    return row.user


def touch() -> None:
    """Move the idle clock to now (a page's keep-alive: the once-a-minute resolution would leave it up
    to a minute behind what the page believes)."""
    session[SEEN] = int(time.time())


def _forget() -> None:
    for key in (SID, SEEN, "_user_id", "_fresh", "_id"):
        session.pop(key, None)
    return None


def end_current(reason: str = "logout") -> None:
    sid = session.get(SID)
    if isinstance(sid, str):
        db.session.execute(update(UserSession).where(UserSession.id == _hash(sid), UserSession.ended_at.is_(None))
                           .values(ended_at=utcnow(), ended_reason=reason))
    logout_user()
    _clear_session()


def _clear_session(keep_csrf: bool = False) -> None:
    """A fresh session. Signing in keeps the CSRF token (the page's token stays valid: the session
    id, not the CSRF token, is what a sign-in renews); signing out drops it, with the token cached
    for this request."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    kept = session.get(name) if keep_csrf else None
    session.clear()
    if kept is not None:
        session[name] = kept
    else:
        g.pop(name, None)


def end_all(user: User, reason: str) -> int:
    """End every open session of `user`; returns how many were open."""
    result = db.session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                                .values(ended_at=utcnow(), ended_reason=reason)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def open_sessions(user: User) -> int:
    from sqlalchemy import func

    oldest = utcnow() - timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.created_at > oldest)) or 0
