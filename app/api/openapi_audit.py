"""The OpenAPI path of the audit trail: GET /audit."""
from __future__ import annotations

from apispec import APISpec

from app.api.openapi import _responses
from app.audit.schemas import AuditPageSchema, AuditRecordSchema, TrailFiltersSchema


def _parameters() -> list[dict]:
    out = []
    for name, field in TrailFiltersSchema().fields.items():
        kind = {"Integer": {"type": "integer"}, "Date": {"type": "string", "format": "date"}}.get(
            type(field).__name__, {"type": "string"})
        if name == "outcome":
            kind = {"type": "string", "enum": list(field.validate.choices)}
        elif name == "page":
            kind = {**kind, "minimum": 1, "maximum": 10000}
        elif name == "per_page":
            kind = {**kind, "minimum": 1, "maximum": 200}
        elif kind["type"] == "string" and "format" not in kind:
            kind = {**kind, "maxLength": field.validate.max}
        out.append({"name": field.data_key or name, "in": "query", "schema": kind,
                    "description": field.metadata.get("description", "")})
    return out


def add_audit_paths(spec: APISpec) -> None:
    spec.components.schema("AuditRecord", schema=AuditRecordSchema)
    spec.components.schema("AuditPage", schema=AuditPageSchema)
    spec.path("/audit", operations={"get": {
        "summary": "The audit trail, newest first: managers their organisation's records (actor or subject of "
                   "their organisation), system administrators all. Each record carries prev_hash and hash "
                   "(docs/audit.md). Reading it is itself recorded.",
        "parameters": _parameters(), "responses": _responses("200", "AuditPage", "403", "422")}})
