"""Account events: sign-ins, MFA, sessions, tokens, user and organisation management.

Every event of app/users goes through `account_event`. Today it logs (with ids, never secrets);
the audit trail hooks in here: one `audit.record(...)` call in this function covers them all.
"""
from __future__ import annotations

import logging

from flask import has_request_context

log = logging.getLogger("app.users.events")


def account_event(action: str, *, actor=None, subject=None, outcome: str = "success",  # noqa: ANN001
                  **details: object) -> None:
    """`action` such as "sign_in", "mfa.reset"; `actor` the user acting (None when anonymous),
    `subject` the user or organisation acted on; `details` small, non-secret values."""
    from app.security import client_address

    address = client_address() if has_request_context() else "cli"
    actor_id = getattr(actor, "id", None)
    subject_ref = _ref(subject)
    log.info("account event %s (%s) actor=%s subject=%s from %s %s", action, outcome, actor_id, subject_ref,
             address, " ".join(f"{k}={v!r}" for k, v in sorted(details.items())))  # repr: no forged log lines
    # Audit trail: audit.record(action, actor=actor, subject=subject, outcome=outcome, address=address,
    #                           details=details)


def _ref(subject) -> str | None:  # noqa: ANN001
    if subject is None:
        return None
    kind = type(subject).__name__.lower()
    return f"{kind}:{getattr(subject, 'id', subject)}"
