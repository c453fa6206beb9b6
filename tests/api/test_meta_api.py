"""Reference endpoints: /vocabularies, /me, /organisations, /openapi.json, /livez and /healthz."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy import event

from app import __version__
from app import vocabularies as vocab
from app.extensions import db

from tests.api.helpers import assert_error

TERRITORIES = ["AI", "AW", "BM", "BQ", "CW", "KY", "MS", "SX", "TC", "VG"]


# --- /vocabularies -----------------------------------------------------------------------------------

@pytest.fixture
def vocabularies(api, world) -> dict:
    response = api.as_(world["partner_analyst"]).get("/vocabularies")
    assert response.status_code == 200
    return response.get_json()


def test_vocabularies_serve_every_list_with_labels(vocabularies):
    for name, entries in vocab.vocabulary_lists().items():
        assert [e["code"] for e in vocabularies[name]] == list(entries), name
        assert all(isinstance(e["label"], str) and e["label"] for e in vocabularies[name]), name
    assert [e["code"] for e in vocabularies["transport_mode"]] == [
        "sea", "air", "road", "rail", "postal", "courier", "pedestrian", "other"]
    assert {"code": "xray", "label": "X-ray / scanner"} in vocabularies["detection_method"]
    assert [e["code"] for e in vocabularies["distribution"]] == ["organisation", "operation", "network", "partners"]


def test_vocabularies_serve_units_with_their_factors(vocabularies):
    units = {u["code"]: (u["canonical"], u["factor"]) for u in vocabularies["unit"]}
    assert units == {
        "sticks": ("sticks", 1), "packs": ("sticks", 20), "cartons": ("sticks", 200),
        "master_cases": ("sticks", 10_000), "kg": ("kg", 1), "g": ("kg", 0.001), "litres": ("litres", 1),
        "gallons_us": ("litres", 3.785411784), "gallons_imperial": ("litres", 4.54609),
        "barrels": ("litres", 158.987294928), "pieces": ("pieces", 1), "rounds": ("rounds", 1),
    }


def test_vocabularies_serve_categories_with_subcategories_and_units(vocabularies):
    categories = {c["code"]: c for c in vocabularies["category"]}
    assert list(categories) == ["tobacco", "fuel", "firearms", "ammunition", "explosives", "drugs", "alcohol",
                                "currency", "counterfeits", "wildlife", "other"]
    assert [s["code"] for s in categories["firearms"]["subcategories"]] == [
        "pistol", "revolver", "rifle", "shotgun", "submachine_gun", "assault_rifle", "parts_components",
        "other_firearm"]
    assert categories["firearms"]["units"] == ["pieces"]
    assert categories["ammunition"]["units"] == ["rounds"]
    assert set(categories["fuel"]["units"]) == {"litres", "gallons_us", "gallons_imperial", "barrels"}
    assert {"sticks", "packs", "cartons", "master_cases", "kg", "g"} <= set(categories["tobacco"]["units"])
    assert set(categories["drugs"]["units"]) == {"kg", "g"}
    assert "litres" not in categories["firearms"]["units"]
    assert categories["fuel"]["canonical_units"] == ["litres"]
    assert categories["alcohol"]["subcategories"] == []


def test_vocabularies_serve_iso_countries_with_the_territories(vocabularies):
    countries = {c["code"]: c["label"] for c in vocabularies["country"]}
    for code in TERRITORIES + ["JM", "BB", "TT", "PA", "DO", "LR"]:
        assert code in countries, code
    assert countries["KY"] == "Cayman Islands"
    assert countries["CW"] == "Curaçao"
    assert countries["BQ"].startswith("Bonaire")
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in countries)
    assert len(countries) == 249
    assert list(countries) == sorted(countries)


def test_vocabularies_need_credentials(api):
    assert_error(api.get("/vocabularies"), 401)


# --- /me and /organisations --------------------------------------------------------------------------

def test_me_describes_the_authenticated_user_and_nothing_secret(api, world):
    validator = world["jio_validator"]
    body = api.as_(validator).get("/me").get_json()
    assert body == {"email": validator.email, "name": validator.name, "roles": ["validator"],
                    "organisation": {"code": "JIO", "name": "CCLEC Joint Intelligence Office",
                                     "kind": "regional_office", "country": None}}


def test_organisations_lists_every_organisation(api, world):
    response = api.as_(world["ky_officer"]).get("/organisations")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == len(body["results"]) == 4
    assert {(o["code"], o["kind"]) for o in body["results"]} == {
        ("JM", "administration"), ("KY", "administration"), ("JIO", "regional_office"), ("WCO", "partner")}
    assert {"code": "JM", "name": "Jamaica Customs Agency", "kind": "administration", "country": "JM"} in body["results"]


# --- /openapi.json -----------------------------------------------------------------------------------

@pytest.fixture
def openapi(client) -> dict:
    response = client.get("/api/v1/openapi.json")  # public: no credentials
    assert response.status_code == 200
    return response.get_json()


def test_openapi_document_is_valid_openapi_3(openapi):
    validate_openapi(openapi)
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["version"] == __version__
    assert openapi["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def _documented_routes(openapi: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, operations in openapi["paths"].items()
            for method in operations if method in {"get", "post", "patch", "put", "delete"}}


def _api_routes(app) -> set[tuple[str, str]]:  # noqa: ANN001
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "api":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        routes |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_documents_every_route_of_the_api_and_no_other(app, openapi):
    routes = _api_routes(app)
    assert ("/seizures/{report_id}", "PATCH") in routes and ("/openapi.json", "GET") in routes
    assert sorted(routes - _documented_routes(openapi)) == [], "routes missing from the OpenAPI document"
    assert sorted(_documented_routes(openapi) - routes) == [], "documented paths the API does not have"


@pytest.mark.parametrize("path,method,statuses", [
    ("/seizures", "post", {"201", "400", "401", "403", "413", "422"}),
    ("/seizures", "get", {"200", "401", "422"}),
    ("/seizures/{report_id}", "get", {"200", "401", "404"}),
    ("/seizures/{report_id}", "patch", {"200", "400", "401", "403", "404", "409", "413", "422"}),
    ("/seizures/{report_id}/submit", "post", {"200", "401", "403", "404", "409"}),
    ("/seizures/{report_id}/withdraw", "post", {"200", "401", "403", "404", "409"}),
    ("/operations", "post", {"201", "400", "401", "403", "422"}),
])
def test_openapi_documents_the_status_codes_of_the_contract(openapi, path, method, statuses):
    responses = openapi["paths"][path][method]["responses"]
    assert statuses <= set(responses)
    for status in statuses - {"200", "201"}:
        assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_openapi_schemas_come_from_the_marshmallow_contract(openapi):
    from app.seizures.schemas import SeizureReportSchema

    schemas = openapi["components"]["schemas"]
    report = schemas["SeizureReport"]
    assert list(report["properties"]) == list(SeizureReportSchema().fields)
    assert sorted(report["required"]) == ["country", "items", "seized_at"]
    for name in ("id", "reference", "status", "reporting_organisation", "created_by", "version", "created_at"):
        assert report["properties"][name]["readOnly"] is True, name
    untyped = [name for name, prop in report["properties"].items() if not {"type", "$ref"} & set(prop)]
    assert untyped == []
    assert report["properties"]["operations"]["items"] == {"type": "string"}
    assert [m for m in report["properties"]["transport_mode"]["enum"] if m] == list(vocab.TRANSPORT_MODES)
    assert schemas["Item"]["properties"]["normalised"]["readOnly"] is True
    assert schemas["Marking"]["properties"]["tlp"]["enum"] == list(vocab.TLP)
    assert "submit" in schemas["SeizureCreate"]["properties"]


def test_openapi_patch_body_requires_only_the_version(openapi):
    patch = openapi["components"]["schemas"]["SeizurePatch"]
    assert patch["required"] == ["version"]
    assert {"narrative", "items", "marking"} <= set(patch["properties"])


def test_openapi_document_is_public_and_the_rest_is_not(openapi):
    assert openapi["security"] == [{"bearer": []}]
    assert openapi["paths"]["/openapi.json"]["get"]["security"] == []


# --- /livez and /healthz ------------------------------------------------------------------------------

def test_livez_answers_without_credentials_and_without_the_database(client, app):
    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get("/livez")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": __version__}
    assert statements == []


def test_healthz_reports_the_database_and_version_without_credentials(client, dialect):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert body["version"] == __version__
    assert body["database"] == {"ok": True, "dialect": dialect}
    assert body["status"] in ("ok", "degraded")  # degraded: the search backend lags, the app still serves
