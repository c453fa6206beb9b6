"""Account events: sign-ins, MFA, sessions, tokens, user and organisation management.

Every event of app/users goes through `account_event`. It logs them (with ids, never secrets)
and records them in the audit trail: one `audit.record(...)` call in this function covers them all.
"""
from __future__ import annotations

import logging

from flask import has_request_context

log = logging.getLogger("app.users.events")

# The audit trail knows three outcomes; the account events' finer ones go into its details as "reason".
AUDIT_OUTCOMES = {"success": "success", "failure": "failure", "denied": "denied", "locked": "denied",
                  "inactive": "denied", "rate_limited": "denied", "unknown_account": "failure"}


def account_event(action: str, *, actor=None, subject=None, outcome: str = "success",  # noqa: ANN001
                  **details: object) -> None:
    """`action` such as "sign_in", "mfa.reset"; `actor` the user acting (None when anonymous),
    `subject` the user or organisation acted on; `details` small, non-secret values."""
    from app import audit
    from app.security import client_address

    address = client_address() if has_request_context() else "cli"
    actor_id = getattr(actor, "id", None)
    subject_ref = _ref(subject)
    log.info("account event %s (%s) actor=%s subject=%s from %s %s", action, outcome, actor_id, subject_ref,
             address, " ".join(f"{k}={v!r}" for k, v in sorted(details.items())))  # repr: no forged log lines
    audit_outcome = AUDIT_OUTCOMES.get(outcome, "failure")
    if audit_outcome != outcome:
        details = {**details, "reason": outcome}
    audit.record(action, actor=actor, subject=subject, outcome=audit_outcome, address=address, details=details)


def _ref(subject) -> str | None:  # noqa: ANN001
    if subject is None:
        return None
    kind = type(subject).__name__.lower()
    return f"{kind}:{getattr(subject, 'id', subject)}"
