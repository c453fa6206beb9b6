"""The OpenAPI 3 document, generated from the marshmallow schemas (apispec)."""
from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from app.api import UNSAFE_METHODS
from app.operations.schemas import OperationSchema
from app.organisations.schemas import OrganisationSchema
from app.seizures.schemas import SEIZURE_DAY, BaseSchema, SeizureReportPatchSchema, SeizureReportSchema
from app.users.schemas import MeSchema


class ErrorDetailSchema(BaseSchema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(BaseSchema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class SeizureCreateSchema(SeizureReportSchema):
    submit = fields.Boolean(load_only=True, metadata={"description": "submit at once instead of saving a draft"})


class SeizurePageSchema(BaseSchema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    results = fields.List(fields.Nested(SeizureReportSchema))


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": "Error"}}}


ERRORS = {
    "400": _error("malformed JSON"), "401": _error("missing or bad credentials"),
    "403": _error("a read-only token, or something visible the user may not change"),
    "404": _error("missing, or not visible to the user"),
    "409": _error("stale version or a state that does not allow the action"),
    "413": _error("body over 1 MiB"), "422": _error("validation failed; `fields` names each field"),
    "429": _error("too many requests from this token or address; `Retry-After` says when to try again"),
}


def _json(schema: str | dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(ok_code: str, ok_schema: str | dict, *errors: str) -> dict:
    return {ok_code: {"description": "OK", **_json(ok_schema)}, **{e: ERRORS[e] for e in ("401", *errors)}}


def list_of(item: str | dict) -> dict:
    """The body of a list endpoint: {"total": n, "results": [...]}."""
    items = {"$ref": f"#/components/schemas/{item}"} if isinstance(item, str) else item
    return {"type": "object", "required": ["total", "results"], "properties": {
        "total": {"type": "integer", "minimum": 0}, "results": {"type": "array", "items": items}}}


def _id_param() -> dict:
    return {"name": "report_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}


def _idempotency_key_param() -> dict:
    return {"name": "Idempotency-Key", "in": "header", "required": False,
            "description": "A key of the client's choosing (e.g. a UUID) per new report: a retry with the same key "
                           "and body returns the report the first request created (201, Idempotent-Replayed: true) "
                           "instead of creating another; the same key with another body is a 422.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                       "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$"}}


def _patch_schema() -> SeizureReportPatchSchema:
    """Every field of a PATCH body is optional but the version (the route loads it with partial=...)."""
    schema = SeizureReportPatchSchema()
    return SeizureReportPatchSchema(partial=tuple(name for name in schema.fields if name != "expected_version"))


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    from app import __version__

    spec = APISpec(title="ELIX API", version=__version__, openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Enforcement Liaison Intelligence eXchange: seizure reports shared by the "
                                        "rules of their markings."},
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in [("Error", ErrorSchema), ("SeizureReport", SeizureReportSchema),
                         ("SeizureCreate", SeizureCreateSchema), ("SeizurePatch", _patch_schema()),
                         ("SeizurePage", SeizurePageSchema), ("Operation", OperationSchema),
                         ("Organisation", OrganisationSchema), ("Me", MeSchema)]:
        spec.components.schema(name, schema=schema)

    list_params = [
        {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
        {"name": "organisation", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
        {"name": "category", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}, "description": SEIZURE_DAY},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": SEIZURE_DAY},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    ]
    spec.path("/seizures", operations={
        "get": {"summary": "Reports the user may see, newest first", "parameters": list_params,
                "responses": _responses("200", "SeizurePage", "422")},
        "post": {"summary": "Create a report (a draft, or submitted with submit=true)",
                 "parameters": [_idempotency_key_param()],
                 "requestBody": {"required": True, **_json("SeizureCreate")},
                 "responses": _responses("201", "SeizureReport", "400", "403", "413", "422")},
    })
    spec.path("/seizures/{report_id}", operations={
        "get": {"summary": "One report", "parameters": [_id_param()],
                "responses": _responses("200", "SeizureReport", "404")},
        "patch": {"summary": "Change a report; send the version you read", "parameters": [_id_param()],
                  "requestBody": {"required": True, **_json("SeizurePatch")},
                  "responses": _responses("200", "SeizureReport", "400", "403", "404", "409", "413", "422")},
    })
    for action, summary in [("submit", "Submit a draft"), ("withdraw", "Withdraw a report")]:
        spec.path(f"/seizures/{{report_id}}/{action}", operations={
            "post": {"summary": summary, "parameters": [_id_param()],
                     "responses": _responses("200", "SeizureReport", "403", "404", "409")}})
    spec.path("/operations", operations={
        "get": {"summary": "Operations", "responses": _responses("200", list_of("Operation"))},
        "post": {"summary": "Create an operation (analysts)", "requestBody": {"required": True, **_json("Operation")},
                 "responses": _responses("201", "Operation", "400", "403", "422")},
    })
    spec.path("/operations/{code}", operations={
        "get": {"summary": "One operation",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": _responses("200", "Operation", "404")}})
    spec.path("/organisations", operations={"get": {"summary": "Organisations",
                                                    "responses": _responses("200", list_of("Organisation"))}})
    spec.path("/vocabularies", operations={"get": {"summary": "Every controlled list with labels and units",
                                                   "responses": _responses("200", {"type": "object"})}})
    spec.path("/me", operations={"get": {"summary": "The authenticated user", "responses": _responses("200", "Me")}})
    spec.path("/openapi.json", operations={"get": {"summary": "This document (no authentication)", "security": [],
                                                   "responses": {"200": {"description": "OK", **_json({"type": "object"})}}}})
    from app.api.openapi_products import add_product_paths

    add_product_paths(spec)
    from app.api.openapi_search import add_search_paths

    add_search_paths(spec)
    from app.api.openapi_validation import add_validation_paths

    add_validation_paths(spec)
    from app.api.openapi_audit import add_audit_paths

    add_audit_paths(spec)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    _declare_common_errors(document)
    return document


def _declare_common_errors(document: dict) -> None:
    """The statuses an operation can answer by what it takes, whatever it does: any request can be rate
    limited (429); one that needs a token can be refused it (401); a read-only token is refused every write
    (403); a body can be malformed (400), too large (413) or invalid (422), and so can query parameters (422)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in document["paths"].values():
        for method, operation in operations.items():
            codes = ["429"] + (["401"] if operation.get("security") != [] else [])
            if method.upper() in UNSAFE_METHODS:
                codes.append("403")
            if "requestBody" in operation:
                codes += ["400", "413", "422"]
            if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
                codes.append("422")
            for code in codes:
                operation["responses"].setdefault(code, {"description": ERRORS[code]["description"], **error})
