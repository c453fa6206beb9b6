"""The audit trail: an append-only, hash-chained record of who did what, when, from where, with what outcome.

`record(action, ...)` is the one entry point (see app.audit.services); docs/audit.md describes the trail.
"""
from app.audit.services import Subject, record  # noqa: F401
