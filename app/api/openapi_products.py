"""The OpenAPI paths of operations (beyond create/read), conferences and product jobs."""
from __future__ import annotations

from apispec import APISpec

from app.api.openapi import ERRORS, _json, _responses, list_of
from app.conferences.schemas import ConferenceSchema
from app.operations.schemas import LinkRuleSchema, OperationPatchSchema

JOB = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "kind": {"type": "string", "enum": ["operation_summary",
                                                                                   "conference_report"]},
    "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
    "progress": {"type": "number", "minimum": 0, "maximum": 1},
    "message": {"type": "string"}, "attempts": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"},
    "started_at": {"type": "string", "format": "date-time", "nullable": True},
    "finished_at": {"type": "string", "format": "date-time", "nullable": True},
    "file": {"type": "string", "nullable": True, "description": "where to GET the PDF once the job is done"},
    "filename": {"type": "string", "nullable": True}}}


def _path_param(name: str, kind: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


SEIZURE_PAGE = {"type": "object", "properties": {
    "total": {"type": "integer", "description": "rows (seized items) in all pages"}, "page": {"type": "integer"},
    "per_page": {"type": "integer"}, "pages": {"type": "integer"},
    "results": {"type": "array", "items": {"type": "object"}}}}


def _query_param(name: str, minimum: int, maximum: int, default: int) -> dict:
    return {"name": name, "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default}}


def _accepted() -> dict:
    return {"202": {"description": "the job is queued; poll /jobs/{id}",
                    **_json({"type": "object", "properties": {"job": {"$ref": "#/components/schemas/Job"}}})},
            **{e: ERRORS[e] for e in ("401", "404")}}


def add_product_paths(spec: APISpec) -> None:
    spec.components.schema("OperationPatch", schema=OperationPatchSchema(partial=True))
    spec.components.schema("LinkRule", schema=LinkRuleSchema)
    spec.components.schema("Conference", schema=ConferenceSchema)
    spec.components.schema("Job", JOB)
    code, conference_id, job_id = _path_param("code"), _path_param("conference_id", "integer"), _path_param("job_id")

    spec.path("/operations/{code}", operations={
        "get": {"summary": "One operation", "parameters": [code], "responses": _responses("200", "Operation", "404")},
        "patch": {"summary": "Change an operation (analysts of the lead organisation); any field but the code",
                  "parameters": [code], "requestBody": {"required": True, **_json("OperationPatch")},
                  "responses": _responses("200", "Operation", "400", "403", "404", "422")}})
    spec.path("/operations/{code}/figures", operations={"get": {
        "summary": "The operation's figures as the user may see them (the figures of its summary PDF), computed "
                   "over every included report; `seizures` is one page of the seizures table (one row per item)",
        "parameters": [code, _query_param("page", 1, 10_000, 1), _query_param("per_page", 1, 200, 50)],
        "responses": _responses("200", {"type": "object", "properties": {"seizures": SEIZURE_PAGE}}, "404", "422")}})
    spec.path("/operations/{code}/links/preview", operations={"post": {
        "summary": "How many reports a bulk link would add (analysts of the lead organisation)", "parameters": [code],
        "requestBody": {"required": True, **_json("LinkRule")},
        "responses": _responses("200", {"type": "object", "properties": {
            "count": {"type": "integer"}, "sample": {"type": "array", "items": {"type": "string"}}}},
            "400", "403", "404", "422")}})
    spec.path("/operations/{code}/links", operations={"post": {
        "summary": "Link every report the rule selects to the operation", "parameters": [code],
        "requestBody": {"required": True, **_json("LinkRule")},
        "responses": _responses("200", {"type": "object", "properties": {"linked": {"type": "integer"}}},
                                "400", "403", "404", "422")}})
    spec.path("/operations/{code}/summary", operations={"post": {
        "summary": "Generate the operation summary PDF (a background job)", "parameters": [code],
        "responses": _accepted()}})

    spec.path("/conferences", operations={
        "get": {"summary": "Conferences", "responses": _responses("200", list_of("Conference"))},
        "post": {"summary": "Create a conference record (analysts)", "requestBody": {"required": True,
                                                                                    **_json("Conference")},
                 "responses": _responses("201", "Conference", "400", "403", "422")}})
    spec.path("/conferences/{conference_id}", operations={
        "get": {"summary": "One conference", "parameters": [conference_id],
                "responses": _responses("200", "Conference", "404")},
        "patch": {"summary": "Change a conference (analysts of the organiser); the fields sent are replaced",
                  "parameters": [conference_id], "requestBody": {"required": True, **_json("Conference")},
                  "responses": _responses("200", "Conference", "400", "403", "404", "422")}})
    spec.path("/conferences/{conference_id}/report", operations={"post": {
        "summary": "Generate the conference report PDF (a background job)", "parameters": [conference_id],
        "responses": _accepted()}})

    spec.path("/jobs", operations={"get": {"summary": "The user's product jobs, newest first",
                                           "responses": _responses("200", list_of("Job"))}})
    spec.path("/jobs/{job_id}", operations={"get": {
        "summary": "A job's state and progress (the requester only)", "parameters": [job_id],
        "responses": _responses("200", {"type": "object", "properties": {"job": {"$ref": "#/components/schemas/Job"}}},
                                "404")}})
    spec.path("/jobs/{job_id}/file", operations={"get": {
        "summary": "The PDF of a finished job (the requester only)", "parameters": [job_id],
        "responses": {"200": {"description": "the PDF", "content": {"application/pdf": {
            "schema": {"type": "string", "format": "binary"}}}}, **{e: ERRORS[e] for e in ("401", "404", "409")}}}})
