"""/api/v1/operations: list, one, and creation by analysts."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.operations.models import Operation

from tests import factories
from tests.api.helpers import assert_error


def operation_body(**overrides) -> dict:
    body = {"code": "CARIBBEAN-SHIELD-2017", "name": "Operation Caribbean Shield",
            "description": "Regional operation on small-arms trafficking.", "lead_organisation": "JIO",
            "starts_on": "2017-10-02", "ends_on": "2017-11-12", "participants": ["JM", "KY"],
            "focus_categories": ["firearms", "ammunition"], "status": "closed"}
    body.update(overrides)
    return body


@pytest.fixture
def operations(world) -> dict[str, Operation]:
    """One regional operation (JIO with JM and KY), one the partner takes part in, one without KY."""
    return {
        "shield": factories.operation("CARIBBEAN-SHIELD-2017", world.jio, [world.jm, world.ky],
                                      starts_on=date(2017, 10, 2), ends_on=date(2017, 11, 12)),
        "joint": factories.operation("JOINT-TOBACCO-2024", world.jm, [world.partner],
                                     starts_on=date(2024, 3, 1), ends_on=date(2024, 3, 31),
                                     focus_categories=["tobacco"]),
        "fuel": factories.operation("FUEL-WATCH-2025", world.jm, [], starts_on=date(2025, 5, 1),
                                    ends_on=date(2025, 6, 30), focus_categories=["fuel"]),
    }


def test_network_users_list_every_operation_newest_first(api, world, operations):
    response = api.as_(world["ky_officer"]).get("/operations")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3
    assert [o["code"] for o in body["results"]] == ["FUEL-WATCH-2025", "JOINT-TOBACCO-2024", "CARIBBEAN-SHIELD-2017"]


def test_partners_list_only_the_operations_they_take_part_in(api, world, operations):
    partner = api.as_(world["partner_analyst"])
    body = partner.get("/operations").get_json()
    assert (body["total"], [o["code"] for o in body["results"]]) == (1, ["JOINT-TOBACCO-2024"])
    assert partner.get("/operations/JOINT-TOBACCO-2024").status_code == 200
    missing, hidden = partner.get("/operations/NO-SUCH-OP"), partner.get("/operations/CARIBBEAN-SHIELD-2017")
    assert_error(missing, 404, "not_found")
    assert_error(hidden, 404, "not_found")
    assert missing.get_data() == hidden.get_data()


def test_one_operation_by_code(api, world, operations):
    response = api.as_(world["jm_officer"]).get("/operations/CARIBBEAN-SHIELD-2017")
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == "CARIBBEAN-SHIELD-2017"
    assert body["lead_organisation"] == "JIO"
    assert body["participants"] == ["JM", "KY"]
    assert (body["starts_on"], body["ends_on"]) == ("2017-10-02", "2017-11-12")
    assert body["focus_categories"] == ["firearms"]
    assert_error(api.as_(world["jm_officer"]).get("/operations/caribbean-shield-2017"), 404)


def test_an_analyst_creates_an_operation(api, world):
    response = api.as_(world["jio_analyst"]).post("/operations", json=operation_body())

    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith("/api/v1/operations/CARIBBEAN-SHIELD-2017")
    body = response.get_json()
    expected = {k: v for k, v in operation_body().items()}
    assert {k: body[k] for k in expected} == expected
    stored = db.session.query(Operation).filter_by(code="CARIBBEAN-SHIELD-2017").one()
    assert stored.created_by_id == world["jio_analyst"].id
    assert api.as_(world["ky_officer"]).get("/operations/CARIBBEAN-SHIELD-2017").status_code == 200


@pytest.mark.parametrize("who", ["jm_officer", "jio_validator", "jm_manager", "sysadmin"])
def test_only_analysts_create_operations(api, world, unchanged, who):
    with unchanged():
        response = api.as_(world[who]).post("/operations", json=operation_body())
    assert_error(response, 403, "forbidden")


def test_a_duplicate_code_is_422(api, world, operations, unchanged):
    with unchanged():
        response = api.as_(world["jio_analyst"]).post("/operations", json=operation_body(name="Again"))
    assert_error(response, 422, "validation_failed", fields=["code"])


@pytest.mark.parametrize("overrides,fields", [
    ({"code": "shield 2017"}, ["code"]),
    ({"lead_organisation": "NOPE"}, ["lead_organisation"]),
    ({"participants": ["JM", "ZZ"]}, ["participants.1"]),
    ({"ends_on": "2017-09-01"}, ["ends_on"]),
    ({"starts_on": "October"}, ["starts_on"]),
    ({"focus_categories": ["weapons"]}, ["focus_categories.0"]),
    ({"status": "secret"}, ["status"]),
    ({"name": ""}, ["name"]),
    ({"budget": 1000}, ["budget"]),
], ids=["code", "lead", "participant", "period", "date", "category", "status", "name", "unknown field"])
def test_an_invalid_operation_is_422_and_writes_nothing(api, world, unchanged, overrides, fields):
    with unchanged():
        response = api.as_(world["jio_analyst"]).post("/operations", json=operation_body(**overrides))
    assert_error(response, 422, "validation_failed", fields=fields)


@pytest.mark.parametrize("missing", ["code", "name", "lead_organisation", "starts_on", "ends_on"])
def test_a_missing_required_field_is_422(api, world, unchanged, missing):
    body = operation_body()
    del body[missing]
    with unchanged():
        response = api.as_(world["jio_analyst"]).post("/operations", json=body)
    assert_error(response, 422, fields=[missing])


def test_creating_an_operation_needs_json_and_credentials(api, world, unchanged):
    with unchanged():
        assert_error(api.as_(world["jio_analyst"]).post("/operations", data="{", content_type="application/json"),
                     400, "malformed_json")
        assert_error(api.as_(world["jio_analyst"]).post("/operations", data="[]", content_type="application/json"),
                     400)
        assert_error(api.post("/operations", json=operation_body()), 401)
