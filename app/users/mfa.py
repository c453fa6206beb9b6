"""The second factor: TOTP (RFC 6238, pyotp) and ten one-time recovery codes.

A TOTP code is accepted once: the time step it belongs to is stored and a code of the same or an
earlier step is refused afterwards, even within its 30 seconds. Recovery codes are 80-bit random,
so a SHA-256 of each is stored (no slow hash needed) and a used one never works again.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from app.database import utcnow
from app.errors import Conflict
from app.extensions import db
from app.users.events import account_event
from app.users.models import RecoveryCode, User

ISSUER = "ELIX"
RECOVERY_CODE_COUNT = 10
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn by the app (segno): no image service sees the secret."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title="QR code to scan")
    return Markup(svg)  # noqa: S704 - segno's own markup; the URI inside is encoded as path data, not text


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (one back, now, one ahead: clock drift) whose code is `code`."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // totp.interval)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(user: User, code: str, now: float | None = None) -> bool:
    if user.totp_secret is None or user.totp_enabled_at is None:
        return False
    step = _matching_step(user.totp_secret, _clean(code), time.time() if now is None else now)
    if step is None:
        return False
    # Conditional update: two requests racing with one code cannot both win.
    claimed = db.session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_counter.is_(None), User.totp_last_counter < step))
        .values(totp_last_counter=step).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    user.totp_last_counter = step
    return True


def _code_hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def use_recovery_code(user: User, code: str) -> bool:
    cleaned = _clean(code)
    if len(cleaned) != 16:
        return False
    row = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(cleaned), RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    claimed = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                                 .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def verify_second_factor(user: User, code: str) -> str | None:
    """"totp" or "recovery_code" when `code` passes, else None."""
    if verify_totp(user, code):
        return "totp"
    if use_recovery_code(user, code):
        account_event("mfa.recovery_code_used", actor=user, subject=user, left=recovery_codes_left(user))
        return "recovery_code"
    return None


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes (shown once); the old ones stop working."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_BASE32) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)) for code in codes)
    db.session.flush()
    account_event("mfa.recovery_codes_created", actor=user, subject=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def enrol(user: User, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Turn the second factor on when `code` is from `secret`; returns the recovery codes, or None
    when the code is wrong."""
    if user.mfa_enabled:
        raise Conflict("a second factor is already set up; reset it first")
    step = _matching_step(secret, _clean(code), time.time() if now is None else now)
    if step is None:
        account_event("mfa.enrol", actor=user, subject=user, outcome="failure")
        return None
    user.totp_secret, user.totp_enabled_at, user.totp_last_counter = secret, utcnow(), step
    db.session.flush()
    account_event("mfa.enrol", actor=user, subject=user)
    return new_recovery_codes(user)


def remove(user: User, actor: User, reason: str) -> None:
    """Switch the second factor off (a manager's reset, or the user where it is optional)."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_counter = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    account_event(f"mfa.{reason}", actor=actor, subject=user)
