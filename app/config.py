"""Configuration from the environment. Tests subclass `Config`."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("ELIX_INSTANCE_PATH", Path(__file__).resolve().parent.parent / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_optional_bool(name: str) -> bool | None:
    """None when the variable is unset: the code decides."""
    return None if os.environ.get(name) is None else _env_bool(name, False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in development a key generated once into instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if os.environ.get("ELIX_ENV", "development") == "production":
        raise RuntimeError("SECRET_KEY must be set in production (ELIX_ENV=production)")
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the usual libpq form."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = os.environ.get("ELIX_ENV", "development")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'elix.db'}"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL") or None
    ELASTICSEARCH_FLAVOR = os.environ.get("ELASTICSEARCH_FLAVOR", "elasticsearch")
    # Embedded backend: index a changed report at once, in its transaction? Unset: only where no sync
    # thread runs (CLI commands, the test client); served processes leave it to their thread.
    SEARCH_INDEX_INLINE = _env_optional_bool("ELIX_SEARCH_INDEX_INLINE")
    SEARCH_SYNC_THREAD = _env_bool("ELIX_SEARCH_SYNC_THREAD", True)  # outbox worker thread per served process
    SEARCH_SYNC_IDLE = 1.0  # seconds between polls of the thread (rows committed by other processes)
    SEARCH_SYNC_SETTLE = 0.3  # seconds: a batch is drained when its oldest row is this old (rows cost less in batches)
    # Reads' audit records: a journal file per served process, moved into the chain by a thread (app.audit.journal).
    AUDIT_JOURNAL = _env_bool("ELIX_AUDIT_JOURNAL", True)
    AUDIT_JOURNAL_DIR = os.environ.get("ELIX_AUDIT_JOURNAL_DIR", str(INSTANCE_DIR / "audit-journal"))
    AUDIT_JOURNAL_FSYNC = _env_optional_bool("ELIX_AUDIT_JOURNAL_FSYNC")  # unset: with PostgreSQL only
    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("ELIX_SECURE_COOKIES", ENV_NAME == "production")
    REMEMBER_COOKIE_HTTPONLY = True
    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ["en", "es", "fr", "nl"]
    PER_PAGE_DEFAULT = 25
    PER_PAGE_MAX = 200
    SQLITE_BUSY_TIMEOUT_MS = 30_000
    # Lighter argon2 parameters only where tests ask for them.
    PASSWORD_HASH_FAST = False
    # Accounts (app/users, app/security.py).
    REQUIRE_MFA = _env_bool("ELIX_REQUIRE_MFA", ENV_NAME == "production")
    SESSION_IDLE_MINUTES = int(os.environ.get("ELIX_SESSION_IDLE_MINUTES", "30"))
    SESSION_MAX_HOURS = int(os.environ.get("ELIX_SESSION_MAX_HOURS", "12"))
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 10
    INACTIVE_DAYS = 90
    # "<count>/<second|minute|hour>" per window, or "off".
    RATE_LIMIT_LOGIN = os.environ.get("ELIX_RATE_LIMIT_LOGIN", "30/minute")  # per address: sign-in, MFA, set-password
    RATE_LIMIT_API_TOKEN = os.environ.get("ELIX_RATE_LIMIT_API_TOKEN", "6000/minute")
    RATE_LIMIT_API_ADDRESS = os.environ.get("ELIX_RATE_LIMIT_API_ADDRESS", "12000/minute")
    PROXY_HOPS = int(os.environ.get("ELIX_PROXY_HOPS", "0"))  # trusted X-Forwarded-For hops in front
    HSTS = _env_bool("ELIX_HSTS", ENV_NAME == "production")
    SERVER_TIMING = _env_bool("ELIX_SERVER_TIMING", False)  # `Server-Timing` response headers (app.timing)

    def __init__(self) -> None:
        if not getattr(self, "SECRET_KEY", None):
            self.SECRET_KEY = _secret_key()
