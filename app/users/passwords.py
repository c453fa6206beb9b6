"""Passwords: argon2id hashing and the policy (length, not a common password). No forced rotation."""
from __future__ import annotations

import functools
import gzip
import re
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
_TRAILING_NOISE = re.compile(r"[\d\W_]+$")

_hashers: dict[bool, PasswordHasher] = {}
_dummy_hashes: dict[bool, str] = {}


def _hasher() -> PasswordHasher:
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _hashers:
        # Tests trade strength for speed; production uses argon2-cffi's RFC 9106 low-memory profile.
        _hashers[fast] = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    return _hashers[fast]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def unusable_password_hash() -> str:
    """For an invited user who has not set a password yet: no password verifies against it."""
    return "!" + secrets.token_hex(16)


def verify_hash(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, new hash when the parameters changed). Without a hash the same work is done on
    a dummy, so that an unknown account costs as long as a wrong password."""
    hasher = _hasher()
    if password_hash is None or password_hash.startswith("!"):
        key = bool(current_app.config.get("PASSWORD_HASH_FAST"))
        _dummy_hashes.setdefault(key, hasher.hash(secrets.token_hex(8)))
        try:
            hasher.verify(_dummy_hashes[key], password)
        except VerificationError:
            pass
        return False, None
    try:
        hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, hasher.hash(password) if hasher.check_needs_rehash(password_hash) else None


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _variants(password: str) -> set[str]:
    lowered = password.strip().lower()
    variants = {lowered, _TRAILING_NOISE.sub("", lowered), re.sub(r"\s+", "", lowered)}
    for size in range(1, len(lowered) // 2 + 1):  # "qwertyqwerty" -> "qwerty"
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            variants.add(lowered[:size])
            break
    return {v for v in variants if v}


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """What is wrong with a new password, in words for the form; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters")
    elif _variants(password) & common_passwords():
        problems.append("this password is on a list of commonly used passwords; choose another")
    elif len(set(password)) < 4:
        problems.append("use more than three different characters")
    elif email and email.split("@")[0].lower() in password.lower() and len(email.split("@")[0]) >= 4:
        problems.append("do not use your e-mail address in the password")
    return problems
