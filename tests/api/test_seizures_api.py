"""/api/v1/seizures: every status code of the contract, and nothing written when a request fails."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.seizures.models import ReferenceCounter, SeizureItem, SeizureReport
from app.users import services as user_services

from tests import factories
from tests.api.helpers import assert_error


def local(days_ago: float = 3, hours: int = -5) -> str:
    moment = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return moment.astimezone(timezone(timedelta(hours=hours))).isoformat(timespec="seconds")


# --- 201 / 200 -------------------------------------------------------------------------------------

def test_create_returns_a_draft_with_the_server_assigned_fields(api, world):
    officer = world["jm_officer"]
    response = api.as_(officer).post("/seizures", json=factories.report_payload())

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft"
    assert uuid.UUID(body["id"])
    assert response.headers["Location"].endswith(f"/api/v1/seizures/{body['id']}")
    assert body["reference"] == f"JM-{utcnow().year}-000001"
    assert body["reporting_organisation"] == "JM"
    assert body["created_by"] == officer.email
    assert body["version"] == 1
    assert body["submitted_at"] is None and body["validated_at"] is None
    assert body["items"][0]["normalised"] == {"quantity": 10000.0, "unit": "sticks"}
    assert body["seized_at"].endswith("-05:00")
    assert body["marking"] == {"tlp": "amber", "distribution": "network", "handling": "P",
                               "source_reliability": "B", "information_credibility": "2"}
    assert body["conveyance"]["containers"] == ["MSCU1234566"]
    assert [leg["role"] for leg in body["route"]] == ["departure", "transit", "destination"]
    assert body["persons"][0]["document"] == {"type": "passport", "number": "P9988776", "country": "JM"}
    assert db.session.get(SeizureReport, body["id"]).status == "draft"


def test_create_with_submit_true_submits_at_once(api, world):
    response = api.as_(world["jm_officer"]).post("/seizures", json={**factories.report_payload(), "submit": True})

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "submitted"
    assert body["submitted_at"] is not None
    assert "submit" not in body


def test_minimal_report_takes_the_defaults(api, world):
    payload = {"seized_at": local(), "country": "KY",
               "items": [{"category": "firearms", "subcategory": "pistol", "quantity": 2, "unit": "pieces"}]}
    response = api.as_(world["jm_officer"]).post("/seizures", json=payload)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["marking"]["tlp"] == "amber" and body["marking"]["distribution"] == "network"
    assert body["record_type"] == "seizure" and body["language"] == "en"
    assert body["route"] == [] and body["persons"] == [] and body["operations"] == []


def test_references_count_up_per_organisation(api, world):
    jm = [api.as_(world["jm_officer"]).post("/seizures", json=factories.report_payload()).get_json()["reference"]
          for _ in range(3)]
    ky = api.as_(world["ky_officer"]).post("/seizures", json=factories.report_payload(country="KY")).get_json()
    year = utcnow().year

    assert jm == [f"JM-{year}-000001", f"JM-{year}-000002", f"JM-{year}-000003"]
    assert ky["reference"] == f"KY-{year}-000001"


def test_detail_submit_and_withdraw_answer_200(api, world):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload()).get_json()

    detail = officer.get(f"/seizures/{created['id']}")
    assert detail.status_code == 200
    assert detail.get_json() == created

    submitted = officer.post(f"/seizures/{created['id']}/submit")
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "submitted"
    assert submitted.get_json()["submitted_at"] is not None
    assert submitted.get_json()["version"] == 2

    # another officer of the same organisation may withdraw it
    withdrawn = api.as_(world["jm_officer2"]).post(f"/seizures/{created['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert withdrawn.get_json()["version"] == 3


# --- 400 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_malformed_json_is_400(api, world, unchanged, method):
    report = factories.report(world["jm_officer"])
    path = "/seizures" if method == "POST" else f"/seizures/{report.id}"
    with unchanged():
        response = api.as_(world["jm_officer"]).request(method, path, data='{"country": "JM",',
                                                         content_type="application/json")
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("body", ["[]", '"a string"', "42", "null", "[{\"country\": \"JM\"}]"])
def test_a_body_that_is_not_an_object_is_400(api, world, unchanged, body):
    with unchanged():
        response = api.as_(world["jm_officer"]).post("/seizures", data=body, content_type="application/json")
    assert_error(response, 400)


def test_a_body_that_is_not_json_is_400(api, world, unchanged):
    with unchanged():
        response = api.as_(world["jm_officer"]).post("/seizures", data="country=JM",
                                                     content_type="application/x-www-form-urlencoded")
    assert_error(response, 400, "bad_request")


# --- 401 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer ", "Bearer elix_not-a-real-token",
                                           "Basic am06cGFzc3dvcmQ=", "elix_no-scheme"])
def test_missing_or_bad_credentials_are_401(api, world, unchanged, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    report = factories.report(world["jm_officer"])
    with unchanged():
        responses = [api.get("/seizures", headers=headers), api.get(f"/seizures/{report.id}", headers=headers),
                     api.post("/seizures", json=factories.report_payload(), headers=headers),
                     api.patch(f"/seizures/{report.id}", json={"version": 1, "narrative": "x"}, headers=headers),
                     api.post(f"/seizures/{report.id}/withdraw", headers=headers), api.get("/me", headers=headers)]
    for response in responses:
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(api, world, unchanged):
    officer = world["jm_officer"]
    token, clear = user_services.create_token(officer, "sync")
    headers = {"Authorization": f"Bearer {clear}"}
    assert api.get("/me", headers=headers).status_code == 200

    user_services.revoke_token(officer, token.id)
    with unchanged():
        assert_error(api.get("/me", headers=headers), 401, "unauthorized")
        assert_error(api.post("/seizures", json=factories.report_payload(), headers=headers), 401)


def test_the_token_of_a_deactivated_user_is_401(api, world):
    officer = world["jm_officer"]
    _token, clear = user_services.create_token(officer, "sync")
    officer.active = False
    db.session.flush()

    assert_error(api.get("/me", headers={"Authorization": f"Bearer {clear}"}), 401)


def test_the_token_is_not_accepted_in_the_query_string(api, world):
    _token, clear = user_services.create_token(world["jm_officer"], "sync")
    assert_error(api.get(f"/me?token={clear}"), 401)


# --- 403 -------------------------------------------------------------------------------------------

def test_another_organisations_officer_may_see_but_not_change_a_report(api, world, unchanged):
    report = factories.report(world["jm_officer"])  # submitted, network: KY sees it
    ky = api.as_(world["ky_officer"])
    assert ky.get(f"/seizures/{report.id}").status_code == 200

    with unchanged():
        assert_error(ky.patch(f"/seizures/{report.id}", json={"version": 1, "narrative": "mine now"}), 403, "forbidden")
        assert_error(ky.post(f"/seizures/{report.id}/withdraw"), 403, "forbidden")
    draft = factories.report(world["jm_officer"], submit=False)
    with unchanged():
        assert_error(ky.post(f"/seizures/{draft.id}/submit"), 404)  # a draft is not visible to KY at all


@pytest.mark.parametrize("who", ["jm_analyst", "jm_manager", "jio_validator", "jio_analyst"])
def test_users_who_are_not_officers_of_the_organisation_may_not_change_it(api, world, unchanged, who):
    report = factories.report(world["jm_officer"])
    client = api.as_(world[who])
    assert client.get(f"/seizures/{report.id}").status_code == 200

    with unchanged():
        assert_error(client.patch(f"/seizures/{report.id}", json={"version": 1, "arrests": 9}), 403, "forbidden")
        assert_error(client.post(f"/seizures/{report.id}/withdraw"), 403, "forbidden")


@pytest.mark.parametrize("who", ["jm_analyst", "jio_validator", "partner_analyst"])
def test_only_officers_create_reports(api, world, unchanged, who):
    with unchanged():
        response = api.as_(world[who]).post("/seizures", json=factories.report_payload())
    assert_error(response, 403, "forbidden")


# --- 404 -------------------------------------------------------------------------------------------

def test_a_missing_and_an_invisible_report_are_the_same_404(api, world, unchanged):
    draft = factories.report(world["jm_officer"], submit=False)
    ky = api.as_(world["ky_officer"])
    targets = {"missing": str(uuid.uuid4()), "invisible": draft.id, "not a uuid": "JM-2026-000001"}

    with unchanged():
        for method, suffix, body in [("GET", "", None), ("PATCH", "", {"version": 1, "narrative": "x"}),
                                     ("POST", "/submit", None), ("POST", "/withdraw", None)]:
            answers = {name: ky.request(method, f"/seizures/{target}{suffix}", json=body)
                       for name, target in targets.items()}
            for response in answers.values():
                assert_error(response, 404, "not_found")
            bodies = {name: response.get_data() for name, response in answers.items()}
            assert bodies["missing"] == bodies["invisible"] == bodies["not a uuid"], (method, suffix)


def test_an_invisible_report_is_404_even_with_a_bad_body(api, world, unchanged):
    draft = factories.report(world["jm_officer"], submit=False)
    with unchanged():
        response = api.as_(world["ky_officer"]).patch(f"/seizures/{draft.id}", data="{oops",
                                                      content_type="application/json")
    assert_error(response, 404, "not_found")


def test_an_unknown_api_path_is_a_json_404(api, world):
    assert_error(api.as_(world["jm_officer"]).get("/nothing-here"), 404)


# --- 409 -------------------------------------------------------------------------------------------

def test_a_stale_version_is_409(api, world, unchanged):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload()).get_json()
    assert officer.patch(f"/seizures/{created['id']}", json={"version": 1, "arrests": 2}).status_code == 200

    with unchanged():
        error = assert_error(officer.patch(f"/seizures/{created['id']}", json={"version": 1, "arrests": 3}),
                             409, "conflict")
    assert "version 2" in error["message"]
    assert officer.get(f"/seizures/{created['id']}").get_json()["arrests"] == 2


@pytest.mark.parametrize("status,action", [
    ("submitted", "submit"), ("validated", "submit"), ("withdrawn", "submit"), ("withdrawn", "withdraw"),
])
def test_a_transition_the_status_does_not_allow_is_409(api, world, unchanged, status, action):
    report = _report_in_status(world["jm_officer"], status)
    with unchanged():
        response = api.as_(world["jm_officer"]).post(f"/seizures/{report.id}/{action}")
    assert_error(response, 409, "conflict")


def test_a_withdrawn_report_cannot_be_changed(api, world, unchanged):
    report = _report_in_status(world["jm_officer"], "withdrawn")
    with unchanged():
        response = api.as_(world["jm_officer"]).patch(f"/seizures/{report.id}",
                                                      json={"version": report.version, "narrative": "back"})
    assert_error(response, 409, "conflict")


def _report_in_status(author, status: str) -> SeizureReport:  # noqa: ANN001
    from app.seizures import services

    report = factories.report(author, submit=status != "draft")
    if status == "validated":
        report.status, report.validated_at = "validated", utcnow()
    elif status == "withdrawn":
        services.withdraw_report(author, report)
    db.session.flush()
    return report


# --- 413 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_body_over_one_mebibyte_is_413(api, world, unchanged, method):
    report = factories.report(world["jm_officer"], submit=False)
    path = "/seizures" if method == "POST" else f"/seizures/{report.id}"
    payload = factories.report_payload(narrative="x" * (1024 * 1024))
    with unchanged():
        response = api.as_(world["jm_officer"]).request(method, path, json={**payload, "version": 1})
    assert_error(response, 413)


def test_a_body_just_under_the_limit_is_accepted_by_the_size_check(api, world):
    # The narrative limit (20 000 characters) answers, not the body size: the limit is 1 MiB, not less.
    payload = factories.report_payload(narrative="x" * 900_000)
    assert_error(api.as_(world["jm_officer"]).post("/seizures", json=payload), 422, fields=["narrative"])


# --- 422 -------------------------------------------------------------------------------------------

def _item(**fields) -> dict:
    return {"category": "tobacco", "subcategory": "cigarettes", "quantity": 10, "unit": "cartons", **fields}


def _conveyance(**fields) -> dict:
    return {**factories.report_payload()["conveyance"], **fields}


def _without(key: str) -> dict:
    payload = factories.report_payload()
    del payload[key]
    return payload


INVALID = {
    "unknown country": (factories.report_payload(country="XX"), ["country"]),
    "lower-case country": (factories.report_payload(country="jm"), ["country"]),
    "unknown route country": (factories.report_payload(route=[{"role": "origin", "country": "PA"},
                                                              {"role": "transit", "country": "ZZ"}]),
                              ["route.1.country"]),
    "litres of pistols": (factories.report_payload(items=[_item(category="firearms", subcategory="pistol",
                                                                quantity=3, unit="litres")]), ["items.0.unit"]),
    "sticks of fuel": (factories.report_payload(items=[_item(), _item(category="fuel", subcategory="diesel",
                                                                      unit="sticks")]), ["items.1.unit"]),
    "kilograms of cigarettes": (factories.report_payload(items=[_item(unit="kg")]), ["items.0.unit"]),
    "unknown unit": (factories.report_payload(items=[_item(unit="crates")]), ["items.0.unit"]),
    "zero quantity": (factories.report_payload(items=[_item(quantity=0)]), ["items.0.quantity"]),
    "negative quantity": (factories.report_payload(items=[_item(quantity=-5)]), ["items.0.quantity"]),
    "quantity as text": (factories.report_payload(items=[_item(quantity="many")]), ["items.0.quantity"]),
    "seizure date in the future": (factories.report_payload(seized_at=local(days_ago=-2)), ["seized_at"]),
    "seizure date without offset": (factories.report_payload(seized_at="2026-01-02T10:00:00"), ["seized_at"]),
    "invalid container check digit": (factories.report_payload(conveyance=_conveyance(containers=["MSCU1234567"])),
                                      ["conveyance.containers.0"]),
    "second container malformed": (factories.report_payload(conveyance=_conveyance(
        containers=["CSQU3054383", "NOT-A-BOX"])), ["conveyance.containers.1"]),
    "invalid IMO check digit": (factories.report_payload(conveyance=_conveyance(imo="9321484")), ["conveyance.imo"]),
    "invalid LOCODE": (factories.report_payload(location={"locode": "KINGSTON"}), ["location.locode"]),
    "unknown transport mode": (factories.report_payload(transport_mode="boat"), ["transport_mode"]),
    "unknown detection method": (factories.report_payload(detection_methods=["xray", "magic"]),
                                 ["detection_methods.1"]),
    "unknown category": (factories.report_payload(items=[_item(category="weapons")]), ["items.0.category"]),
    "subcategory of another category": (factories.report_payload(items=[_item(subcategory="pistol")]),
                                        ["items.0.subcategory"]),
    "unknown route role": (factories.report_payload(route=[{"role": "stopover", "country": "PA"}]), ["route.0.role"]),
    "unknown TLP": (factories.report_payload(marking={"tlp": "purple", "distribution": "network"}), ["marking.tlp"]),
    "unknown distribution": (factories.report_payload(marking={"tlp": "amber", "distribution": "everyone"}),
                             ["marking.distribution"]),
    "unknown person role": (factories.report_payload(persons=[{"role": "villain", "name": "X"}]), ["persons.0.role"]),
    "missing seizure date": (_without("seized_at"), ["seized_at"]),
    "missing country": (_without("country"), ["country"]),
    "missing items": (_without("items"), ["items"]),
    "no items": (factories.report_payload(items=[]), ["items"]),
    "item without quantity": (factories.report_payload(items=[{"category": "drugs", "unit": "kg"}]),
                              ["items.0.quantity"]),
    "TLP red with network distribution": (factories.report_payload(marking={"tlp": "red", "distribution": "network"}),
                                          ["marking.distribution"]),
    "unknown operation code": (factories.report_payload(operations=["NO-SUCH-OP"]), ["operations.0"]),
    "unknown field": (factories.report_payload(colour="blue"), ["colour"]),
    "server-assigned field": (factories.report_payload(reference="JM-2026-999999"), ["reference"]),
    "submit not a boolean": ({**factories.report_payload(), "submit": "yes"}, ["submit"]),
    "arrests not a whole number": (factories.report_payload(arrests=1.5), ["arrests"]),
    "arrests as text": (factories.report_payload(arrests="2"), ["arrests"]),
    "a detection method twice": (factories.report_payload(detection_methods=["xray", "canine", "xray"]),
                                 ["detection_methods"]),
    "a container twice": (factories.report_payload(conveyance=_conveyance(containers=["CSQU3054383"] * 2)),
                          ["conveyance.containers"]),
    "blank person name": (factories.report_payload(persons=[{"role": "consignee", "name": "   "}]),
                          ["persons.0.name"]),
}


@pytest.mark.parametrize("payload,fields", INVALID.values(), ids=INVALID.keys())
def test_invalid_reports_are_422_naming_the_field_and_write_nothing(api, world, unchanged, payload, fields):
    factories.report(world["jm_officer"])  # a counter row exists: it must not move
    with unchanged():
        response = api.as_(world["jm_officer"]).post("/seizures", json=payload)
    assert_error(response, 422, "validation_failed", fields=fields)


def test_the_unit_error_says_what_is_allowed(api, world):
    payload = factories.report_payload(items=[_item(category="firearms", subcategory="pistol", unit="litres")])
    error = assert_error(api.as_(world["jm_officer"]).post("/seizures", json=payload), 422)
    assert "pieces" in error["fields"]["items.0.unit"][0]


def test_several_invalid_fields_are_reported_together(api, world):
    payload = factories.report_payload(country="XX", transport_mode="boat",
                                       items=[_item(quantity=0), _item(category="fuel", subcategory=None, unit="cartons")])
    assert_error(api.as_(world["jm_officer"]).post("/seizures", json=payload), 422,
                 fields=["country", "transport_mode", "items.0.quantity", "items.1.unit"])


INVALID_PATCHES = {
    "missing version": ({"narrative": "x"}, ["version"]),
    "version not a number": ({"version": "one", "narrative": "x"}, ["version"]),
    "unit not fitting": ({"version": 1, "items": [_item(category="firearms", subcategory=None, unit="litres")]},
                         ["items.0.unit"]),
    "zero quantity": ({"version": 1, "items": [_item(), _item(quantity=0)]}, ["items.1.quantity"]),
    "unknown country": ({"version": 1, "country": "XX"}, ["country"]),
    "future date": ({"version": 1, "seized_at": local(days_ago=-1)}, ["seized_at"]),
    "invalid container": ({"version": 1, "conveyance": _conveyance(containers=["ABCU1234567"])},
                          ["conveyance.containers.0"]),
    "invalid IMO": ({"version": 1, "conveyance": _conveyance(imo="1234568")}, ["conveyance.imo"]),
    "unknown vocabulary value": ({"version": 1, "procedure": "smuggling"}, ["procedure"]),
    "null required field": ({"version": 1, "country": None}, ["country"]),
    "TLP red with network distribution": ({"version": 1, "marking": {"tlp": "red"}}, ["marking.distribution"]),
    "unknown operation code": ({"version": 1, "operations": ["NO-SUCH-OP"], "narrative": "changed"},
                               ["operations.0"]),
    "server-assigned field": ({"version": 1, "status": "validated"}, ["status"]),
}


@pytest.mark.parametrize("patch,fields", INVALID_PATCHES.values(), ids=INVALID_PATCHES.keys())
def test_invalid_patches_are_422_naming_the_field_and_write_nothing(api, world, unchanged, patch, fields):
    report = factories.report(world["jm_officer"])
    with unchanged():
        response = api.as_(world["jm_officer"]).patch(f"/seizures/{report.id}", json=patch)
    assert_error(response, 422, "validation_failed", fields=fields)


@pytest.mark.parametrize("query,field", [
    ("status=archived", "status.0"), ("category=weapons", "category.0"), ("from=yesterday", "from"),
    ("from=2024-02-01&to=2024-01-01", "from"), ("page=0", "page"), ("per_page=201", "per_page"),
    ("per_page=ten", "per_page"), ("sort=reference", "sort"),
])
def test_invalid_list_filters_are_422(api, world, query, field):
    assert_error(api.as_(world["jm_officer"]).get(f"/seizures?{query}"), 422, "validation_failed", fields=[field])


# --- list filters and pagination -------------------------------------------------------------------

@pytest.fixture
def listed(world):
    """Reports of JM (every status) and KY with known dates and categories."""
    jm, ky = world["jm_officer"], world["ky_officer"]
    firearm = [_item(category="firearms", subcategory="pistol", quantity=2, unit="pieces")]
    fuel = [_item(category="fuel", subcategory="diesel", quantity=100, unit="litres")]
    reports = {
        "jm_draft": factories.report(jm, submit=False, seized_at="2024-01-10T12:00:00-05:00"),
        "jm_submitted": factories.report(jm, seized_at="2024-02-10T12:00:00-05:00", items=firearm),
        "jm_validated": factories.report(jm, seized_at="2024-03-10T12:00:00-05:00", items=fuel),
        "jm_withdrawn": factories.report(jm, seized_at="2024-04-10T12:00:00-05:00"),
        "ky_submitted": factories.report(ky, country="KY", seized_at="2024-02-20T12:00:00-05:00",
                                         items=firearm + fuel),
        "ky_draft": factories.report(ky, submit=False, country="KY", seized_at="2024-02-21T12:00:00-05:00"),
    }
    from app.seizures import services

    reports["jm_validated"].status = "validated"
    services.withdraw_report(jm, reports["jm_withdrawn"])
    db.session.flush()
    return {name: r.reference for name, r in reports.items()}


def _listing(api, user, query: str = "") -> tuple[int, list[str]]:  # noqa: ANN001
    response = api.as_(user).get(f"/seizures{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body["total"], [r["reference"] for r in body["results"]]


@pytest.mark.parametrize("query,expected", [
    ("", ["jm_draft", "jm_submitted", "jm_validated", "jm_withdrawn", "ky_submitted"]),
    ("?status=draft", ["jm_draft"]),
    ("?status=submitted&status=validated", ["jm_submitted", "jm_validated", "ky_submitted"]),
    ("?status=withdrawn", ["jm_withdrawn"]),
    ("?organisation=KY", ["ky_submitted"]),
    ("?organisation=JM&status=submitted", ["jm_submitted"]),
    ("?organisation=JM&organisation=KY&status=draft", ["jm_draft"]),
    ("?category=firearms", ["jm_submitted", "ky_submitted"]),
    ("?category=fuel&category=firearms", ["jm_submitted", "jm_validated", "ky_submitted"]),
    ("?category=drugs", []),
    ("?from=2024-02-10", ["jm_submitted", "jm_validated", "jm_withdrawn", "ky_submitted"]),
    ("?to=2024-02-10", ["jm_draft", "jm_submitted"]),
    ("?from=2024-02-11&to=2024-03-10", ["jm_validated", "ky_submitted"]),
    ("?from=2024-02-01&to=2024-02-28&category=firearms&organisation=KY", ["ky_submitted"]),
])
def test_list_filters(api, world, listed, query, expected):
    total, references = _listing(api, world["jm_officer"], query)
    assert total == len(expected)
    assert sorted(references) == sorted(listed[name] for name in expected)


def test_the_list_holds_only_what_the_user_may_see(api, world, listed):
    total, references = _listing(api, world["ky_officer"])
    assert total == 4
    assert sorted(references) == sorted(listed[n] for n in ("jm_submitted", "jm_validated", "ky_submitted", "ky_draft"))
    # a filter never reaches past the sharing rule
    assert _listing(api, world["ky_officer"], "?status=draft&organisation=JM") == (0, [])
    assert _listing(api, world["partner_analyst"]) == (0, [])


def test_pagination_pages_through_everything_newest_first(api, world):
    officer = api.as_(world["jm_officer"])
    created = [officer.post("/seizures", json=factories.report_payload()).get_json()["reference"] for _ in range(5)]

    pages = [officer.get(f"/seizures?per_page=2&page={page}").get_json() for page in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [(p["page"], p["per_page"]) for p in pages] == [(1, 2), (2, 2), (3, 2), (4, 2)]
    seen = [r["reference"] for p in pages for r in p["results"]]
    assert seen == list(reversed(created))
    assert pages[3]["results"] == []
    default = officer.get("/seizures").get_json()
    assert default["page"] == 1 and default["per_page"] == 25 and len(default["results"]) == 5


# --- PATCH semantics ---------------------------------------------------------------------------------

def test_patch_changes_only_the_fields_sent_and_bumps_the_version(api, world):
    officer = api.as_(world["jm_officer"])
    before = officer.post("/seizures", json=factories.report_payload()).get_json()

    response = officer.patch(f"/seizures/{before['id']}", json={"version": 1, "narrative": "Re-examined.",
                                                                 "arrests": 3})
    assert response.status_code == 200, response.get_json()
    after = response.get_json()
    assert after["narrative"] == "Re-examined." and after["arrests"] == 3
    assert after["version"] == 2
    assert after["updated_at"] >= before["updated_at"]
    untouched = {k for k in before if k not in ("narrative", "arrests", "version", "updated_at")}
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    assert officer.get(f"/seizures/{before['id']}").get_json() == after


def test_patch_replaces_items_and_recomputes_normalised_quantities(api, world):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload()).get_json()
    old_item_ids = set(db.session.scalars(select(SeizureItem.id).where(SeizureItem.report_id == created["id"])))

    items = [_item(category="fuel", subcategory="gasoline", quantity=10, unit="gallons_us"),
             _item(category="tobacco", subcategory="cigarettes", quantity=3, unit="master_cases"),
             _item(category="drugs", subcategory="cocaine", quantity=1500, unit="g")]
    response = officer.patch(f"/seizures/{created['id']}", json={"version": 1, "items": items})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [i["normalised"] for i in body["items"]] == [
        {"quantity": pytest.approx(37.854118), "unit": "litres"},
        {"quantity": 30000.0, "unit": "sticks"},
        {"quantity": 1.5, "unit": "kg"},
    ]
    assert [(i["quantity"], i["unit"]) for i in body["items"]] == [(10, "gallons_us"), (3, "master_cases"),
                                                                    (1500, "g")]
    rows = db.session.scalars(select(SeizureItem).where(SeizureItem.report_id == created["id"])
                              .order_by(SeizureItem.position)).all()
    assert [r.category for r in rows] == ["fuel", "tobacco", "drugs"]
    assert not old_item_ids & {r.id for r in rows}
    assert body["route"] == created["route"] and body["persons"] == created["persons"]


def test_patch_replaces_a_nested_object_as_a_whole(api, world):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload()).get_json()
    response = officer.patch(f"/seizures/{created['id']}",
                             json={"version": 1, "marking": {"tlp": "red", "distribution": "organisation"},
                                   "route": [], "seized_at": "2025-06-01T08:00:00+01:00"})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["marking"] == {"tlp": "red", "distribution": "organisation", "handling": None,
                               "source_reliability": None, "information_credibility": None}
    assert body["route"] == []
    assert body["seized_at"] == "2025-06-01T08:00:00+01:00"


def test_patch_accepts_a_report_read_back_with_its_normalised_quantities(api, world):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload()).get_json()
    items = created["items"]
    items[0]["quantity"] = 60
    response = officer.patch(f"/seizures/{created['id']}", json={"version": 1, "items": items})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"][0]["normalised"] == {"quantity": 12000.0, "unit": "sticks"}


def test_patching_a_validated_report_sends_it_back_to_submitted(api, world):
    report = _report_in_status(world["jm_officer"], "validated")
    response = api.as_(world["jm_officer2"]).patch(f"/seizures/{report.id}",
                                                   json={"version": report.version, "arrests": 4})
    assert response.status_code == 200
    assert response.get_json()["status"] == "submitted"
    assert response.get_json()["validated_at"] is None


@pytest.mark.parametrize("patch", [{}, {"arrests": "same"}, {"items": "same", "narrative": "same"}])
def test_a_patch_that_changes_nothing_keeps_the_version_and_the_validation(api, world, patch):
    from app.audit.models import AuditRecord

    report = _report_in_status(world["jm_officer"], "validated")
    db.session.commit()
    served = api.as_(world["jm_officer2"])
    current = served.get(f"/seizures/{report.id}").get_json()
    body = {"version": report.version, **{field: current[field] for field in patch}}
    response = served.patch(f"/seizures/{report.id}", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == current  # same version, still validated
    assert not db.session.scalars(select(AuditRecord).where(AuditRecord.action == "report.update")).all()


def test_a_patch_that_changes_only_a_value_s_type_is_a_change(api, world):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload(items=[_item(details={"sealed": 1})])).get_json()
    items = created["items"]
    items[0]["details"] = {"sealed": True}
    response = officer.patch(f"/seizures/{created['id']}", json={"version": 1, "items": items})
    assert response.status_code == 200
    assert (response.get_json()["version"], response.get_json()["items"][0]["details"]) == (2, {"sealed": True})


def test_operations_given_in_another_order_are_no_change(api, world):
    for code in ("AAA-1", "BBB-1"):
        factories.operation(code, world.jio, [world.jm])
    report = _report_in_status(world["jm_officer"], "validated")
    officer = api.as_(world["jm_officer"])
    linked = officer.patch(f"/seizures/{report.id}", json={"version": report.version, "operations": ["AAA-1", "BBB-1"]})
    assert linked.status_code == 200 and linked.get_json()["operations"] == ["AAA-1", "BBB-1"]
    version = linked.get_json()["version"]
    again = officer.patch(f"/seizures/{report.id}", json={"version": version, "operations": ["BBB-1", "AAA-1"]})
    assert again.status_code == 200 and again.get_json()["version"] == version


def test_a_report_stored_with_repeated_values_still_takes_patches(api, world):
    report = factories.report(world["jm_officer"], submit=False)
    report.containers, report.detection_methods = ["MSCU1234566", "MSCU1234566"], ["xray", "canine", "xray"]
    db.session.commit()
    response = api.as_(world["jm_officer"]).patch(f"/seizures/{report.id}", json={"version": report.version,
                                                                                   "narrative": "Recount"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["narrative"] == "Recount"  # and the fields not sent stay as they were
    assert (body["conveyance"]["containers"], body["detection_methods"]) == (["MSCU1234566"] * 2,
                                                                             ["xray", "canine", "xray"])


def test_patch_links_an_operation(api, world):
    factories.operation("CARIBBEAN-SHIELD-2017", world.jio, [world.jm, world.ky])
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload()).get_json()
    response = officer.patch(f"/seizures/{created['id']}", json={"version": 1,
                                                                  "operations": ["CARIBBEAN-SHIELD-2017"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["operations"] == ["CARIBBEAN-SHIELD-2017"]


# --- the web session: CSRF on unsafe methods ---------------------------------------------------------

def _log_in(client, user) -> str:  # noqa: ANN001
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return token


def test_session_requests_that_change_data_need_the_csrf_header(client, world, unchanged):
    token = _log_in(client, world["jm_officer"])
    assert client.get("/api/v1/me").get_json()["email"] == world["jm_officer"].email

    with unchanged():
        refused = client.post("/api/v1/seizures", json=factories.report_payload())
        wrong = client.post("/api/v1/seizures", json=factories.report_payload(), headers={"X-CSRFToken": "forged"})
    assert_error(refused, 400, "csrf_failed")
    assert_error(wrong, 400, "csrf_failed")

    accepted = client.post("/api/v1/seizures", json=factories.report_payload(), headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.get_json()
    report_id = accepted.get_json()["id"]
    with unchanged():
        assert_error(client.patch(f"/api/v1/seizures/{report_id}", json={"version": 1, "arrests": 5}), 400, "csrf_failed")
    patched = client.patch(f"/api/v1/seizures/{report_id}", json={"version": 1, "arrests": 5},
                           headers={"X-CSRFToken": token})
    assert patched.status_code == 200 and patched.get_json()["arrests"] == 5


def test_after_logging_out_the_session_no_longer_opens_the_api(client, world):
    token = _log_in(client, world["jm_officer"])
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert_error(client.get("/api/v1/me"), 401)


def test_counters_exist_only_for_organisations_that_reported(api, world):
    api.as_(world["jm_officer"]).post("/seizures", json=factories.report_payload())
    counters = db.session.scalars(select(ReferenceCounter)).all()
    assert [(c.organisation_id, c.year, c.last_value) for c in counters] == [(world.jm.id, utcnow().year, 1)]


def test_a_report_of_the_largest_size_is_created_whole_and_in_order(api, world):
    """200 items, 20 route legs and 100 persons (the contract's limits): each kind of part is one INSERT …
    RETURNING of all its rows, whose ids must come back in the rows' order."""
    base = factories.report_payload()
    payload = {**base, "items": [{**base["items"][0], "description": f"lot {n}", "quantity": n + 1} for n in range(200)],
               "route": [{"role": "transit", "country": "DO", "place": f"leg {n}"} for n in range(20)],
               "persons": [{**base["persons"][0], "name": f"Person {n}"} for n in range(100)]}
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=payload)
    assert created.status_code == 201, created.get_json()
    db.session.expire_all()
    read = officer.get(f"/seizures/{created.get_json()['id']}").get_json()
    for body in (created.get_json(), read):
        assert [i["description"] for i in body["items"]] == [f"lot {n}" for n in range(200)]
        assert [i["quantity"] for i in body["items"]] == [n + 1 for n in range(200)]
        assert [leg["place"] for leg in body["route"]] == [f"leg {n}" for n in range(20)]
        assert [p["name"] for p in body["persons"]] == [f"Person {n}" for n in range(100)]
    stored = db.session.execute(select(SeizureItem.position, SeizureItem.description)
                                .where(SeizureItem.report_id == read["id"]).order_by(SeizureItem.id)).all()
    assert [(position, description) for position, description in stored] == [(n, f"lot {n}") for n in range(200)]
