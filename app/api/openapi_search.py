"""The OpenAPI paths of search: GET /search and GET /search/export.csv."""
from __future__ import annotations

from apispec import APISpec

from app import vocabularies as vocab
from app.api.openapi import ERRORS, _json
from app.search.schemas import ALL_SUBCATEGORIES
from app.seizures.schemas import SEIZURE_DAY
from search.query import MAX_QUERY_LENGTH, SORTS

_STRING = {"type": "string"}
_COUNT = {"type": "object", "properties": {"value": _STRING, "count": {"type": "integer"}}}
RESULT = {"type": "object", "properties": {
    "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
    "hits": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "reference": _STRING,
        "seized_at": {"type": "string", "format": "date-time"}, "country": _STRING, "organisation": _STRING,
        "categories": {"type": "array", "items": _STRING}, "summary": _STRING,
        "highlights": {"type": "object", "additionalProperties": {"type": "array", "items": _STRING},
                       "description": "field -> HTML fragments: matches in <mark>, everything else escaped"},
        "url": _STRING}}},
    "facets": {"type": "object", "additionalProperties": {"type": "array", "items": _COUNT},
               "description": "exact counts of the matching reports for every filter field"},
    "histogram": {"type": "array", "items": {"type": "object", "properties": {
        "month": {"type": "string", "example": "2025-03"}, "count": {"type": "integer"}}}},
    "totals": {"type": "array", "items": {"type": "object", "properties": {
        "category": _STRING, "subcategory": {"type": "string", "nullable": True}, "unit": _STRING,
        "quantity": {"type": "number"}, "reports": {"type": "integer"}}},
        "description": "sums of the matching items in their category's canonical unit"},
}}
BAD_QUERY = {"description": "the query text is malformed or too long; `position` says where",
             **_json({"type": "object", "properties": {"error": {"type": "object", "properties": {
                 "code": {"type": "string", "enum": ["bad_query"]}, "message": _STRING,
                 "position": {"type": "integer", "nullable": True}}}}})}


def _list(name: str, choices=None, description: str = "") -> dict:  # noqa: ANN001
    items = {"type": "string", **({"enum": list(choices)} if choices else {})}
    return {"name": name, "in": "query", "schema": {"type": "array", "items": items}, "explode": True,
            "description": description or f"repeat for several (OR within {name}, AND across fields)"}


def parameters() -> list[dict]:
    return [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
         "description": 'free text: words, "phrases", -exclusion, OR, prefix*'},
        _list("category", vocab.CATEGORIES), _list("subcategory", ALL_SUBCATEGORIES),
        _list("country", description="country of seizure (ISO 3166-1 alpha-2)"),
        _list("organisation", description="reporting organisation code"),
        _list("route_country", description="any country on the route"),
        _list("transport_mode", vocab.TRANSPORT_MODES), _list("detection_method", vocab.DETECTION_METHODS),
        _list("concealment_method", vocab.CONCEALMENT_METHODS), _list("operation", description="operation code"),
        _list("status", vocab.STATUSES),
        _list("validation", vocab.VALIDATION_STATES, "four-eyes validation state (repeat for several)"),
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": SEIZURE_DAY},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": SEIZURE_DAY},
        {"name": "quantity_min", "in": "query", "schema": {"type": "number", "minimum": 0},
         "description": "an item's quantity in its canonical unit (sticks, kg, litres, pieces, rounds)"},
        {"name": "quantity_max", "in": "query", "schema": {"type": "number", "minimum": 0}},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200},
         "description": "page × per_page stops at 10 000"},
    ]


def add_search_paths(spec: APISpec) -> None:
    spec.components.schema("SearchResult", RESULT)
    errors = {"400": BAD_QUERY, **{e: ERRORS[e] for e in ("401", "422")}}
    spec.path("/search", operations={"get": {
        "summary": "Search the reports the user may see: hits, facets, month histogram, totals",
        "parameters": parameters(),
        "responses": {"200": {"description": "OK", **_json("SearchResult")}, **errors}}})
    spec.path("/search/export.csv", operations={"get": {
        "summary": "The search's reports as CSV (visible reports only, never persons; at most 10 000 rows)",
        "parameters": [p for p in parameters() if p["name"] not in ("page", "per_page")],
        "responses": {"200": {"description": "CSV, one row per report",
                              "content": {"text/csv": {"schema": {"type": "string"}}}}, **errors}}})
