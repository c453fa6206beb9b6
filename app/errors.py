"""Domain errors raised by services; the API turns them into JSON, the pages into messages."""
from __future__ import annotations


class ElixError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ElixError):
    status = 422
    code = "validation_failed"


class NotFound(ElixError):
    status = 404
    code = "not_found"


class Forbidden(ElixError):
    status = 403
    code = "forbidden"


class Conflict(ElixError):
    status = 409
    code = "conflict"


class AuditUnavailable(ElixError):
    """A change whose audit record could not be written is not made (app.audit)."""

    status = 503
    code = "audit_unavailable"


def flatten_errors(messages: dict | list, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested error dict as {"items.0.unit": ["..."]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix and key != "_schema" else (prefix or str(key))
            flat.update(flatten_errors(value, path) if not _is_leaf(value) else {path: _as_list(value)})
    else:
        flat[prefix or "_schema"] = _as_list(messages)
    return flat


def _is_leaf(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _as_list(value: object) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[union-attr]
