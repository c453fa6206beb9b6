"""Inputs the fuzzers found, or that they reach only by luck, pinned down: each is a clean 4xx, never a 500.

NUL characters matter on PostgreSQL, which refuses them in text; huge integers on both databases."""
from __future__ import annotations

import pytest

from tests import factories
from tests.api.helpers import assert_error

NUL = "\x00"


@pytest.fixture
def officer(world: factories.World, api: factories.ApiClient) -> factories.ApiClient:
    return api.as_(world["jm_officer"])


def test_a_quantity_whose_normalised_value_overflows_is_refused_on_the_quantity(officer, unchanged) -> None:
    item = {"category": "tobacco", "subcategory": "cigarettes", "quantity": 1e308, "unit": "master_cases"}
    with unchanged():
        response = officer.post("/seizures", json=factories.report_payload(items=[item]))
    assert_error(response, 422, "validation_failed", ["items.0.quantity"])


@pytest.mark.parametrize("path", ["/conferences/233880026142144228403183616", "/conferences/2147483648",
                                  "/conferences/233880026142144228403183616/report"])
def test_an_integer_key_past_the_database_range_is_not_found(world, api, path: str) -> None:
    response = api.as_(world["jm_analyst"]).request("POST" if path.endswith("report") else "GET", path)
    assert_error(response, 404)


def test_nul_characters_in_a_body_are_refused_with_the_field_named(officer, unchanged) -> None:
    body = factories.report_payload(narrative=f"before{NUL}after")
    body["items"][0]["details"] = {f"bra{NUL}nd": "x"}
    with unchanged():
        response = officer.post("/seizures", json=body)
    assert_error(response, 422, "validation_failed", ["narrative", "items.0.details.bra\\0nd"])


@pytest.mark.parametrize("path", [f"/operations/X{NUL}", f"/seizures/{'0' * 8}-0000-0000-0000-{'0' * 11}{NUL}",
                                  f"/jobs/{NUL}", f"/operations/X{NUL}/figures"])
def test_a_nul_character_in_a_path_names_nothing(officer, path: str) -> None:
    assert_error(officer.get(path), 404)


@pytest.mark.parametrize("endpoint,name", [("/seizures", "organisation"), ("/search", "organisation"),
                                           ("/search", "q"), ("/search/export.csv", "q")])
def test_a_nul_character_in_a_query_parameter_is_refused(officer, endpoint: str, name: str) -> None:
    response = officer.get(endpoint, query_string={name: f"fi{NUL}sh"})
    assert_error(response, 422, "validation_failed", [name])


@pytest.mark.parametrize("path", ["/operations/%C3%A9%F0%9D%94%98", "/seizures/%F0%9D%94%98", "/jobs/%E2%80%8B"])
def test_unicode_in_a_path_names_nothing(officer, path: str) -> None:
    assert_error(officer.get(path), 404)
