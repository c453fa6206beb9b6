"""OpenAPI paths of four-eyes validation (added to the document by app.api.openapi)."""
from __future__ import annotations

from apispec import APISpec

from app.api.openapi import ERRORS, _id_param, _json
from app.validation.schemas import ChecklistSchema, ReturnSchema, ValidateSchema

DECISION_ERRORS = {
    "403": {**ERRORS["403"], "description": "not a validator of a regional office, a partner's report, or a "
                                            "report the user created or changed (four eyes)"},
    "409": {**ERRORS["409"], "description": "not awaiting validation: a draft or withdrawn report, already "
                                            "validated, or returned to its owner"},
    "422": {**ERRORS["422"], "description": "checklist incomplete (validate) or comment missing (return)"},
}


def _decision(summary: str, body: str) -> dict:
    return {"post": {"summary": summary, "parameters": [_id_param()],
                     "requestBody": {"required": True, **_json(body)},
                     "responses": {"200": {"description": "OK: the report, with its `validation`",
                                           **_json("SeizureReport")},
                                   **{e: ERRORS[e] for e in ("400", "401", "404", "413")}, **DECISION_ERRORS}}}


def add_validation_paths(spec: APISpec) -> None:
    spec.components.schema("Checklist", schema=ChecklistSchema)
    spec.components.schema("ChecklistAnswers", schema=ReturnSchema().fields["checklist"].schema)
    spec.components.schema("ValidateRequest", schema=ValidateSchema)
    spec.components.schema("ReturnRequest", schema=ReturnSchema)
    spec.path("/seizures/{report_id}/validate", operations=_decision(
        "Validate a submitted report (regional-office validators; never a report you created or changed); "
        "every checklist item must be true", "ValidateRequest"))
    spec.path("/seizures/{report_id}/return", operations=_decision(
        "Return a submitted report to its owner with a comment; the owner changes it and submits it again",
        "ReturnRequest"))
    array = {"type": "array", "items": {"type": "string"}}
    spec.path("/validation/queue", operations={"get": {
        "summary": "Reports awaiting validation that the validator may decide on, oldest submission first",
        "parameters": [
            {"name": "organisation", "in": "query", "schema": array, "explode": True,
             "description": "reporting organisation code (repeat for several)"},
            {"name": "category", "in": "query", "schema": array, "explode": True},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}],
        "responses": {"200": {"description": "OK", **_json("SeizurePage")},
                      **{e: ERRORS[e] for e in ("401", "422")},
                      "403": {**ERRORS["403"], "description": "not a validator of a regional office"}}}})
