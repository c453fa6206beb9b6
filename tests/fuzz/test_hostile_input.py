"""Inputs the fuzzers found, or that they reach only by luck, pinned down: each is a clean 4xx, never a 500.

NUL characters matter on PostgreSQL, which refuses them in text; huge integers on both databases."""
from __future__ import annotations

import json

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


@pytest.mark.parametrize("method,path", [("GET", "/conferences/233880026142144228403183616"),
                                         ("GET", "/conferences/2147483648"),
                                         ("PATCH", "/conferences/294979763266"),  # was a 405
                                         ("POST", "/conferences/233880026142144228403183616/report")])
def test_an_integer_key_past_the_database_range_is_not_found(world, api, method: str, path: str) -> None:
    response = api.as_(world["jm_analyst"]).request(method, path, json={"title": "x"})
    assert_error(response, 404)


def test_nul_characters_in_a_body_are_refused_with_the_field_named(officer, unchanged) -> None:
    body = factories.report_payload(narrative=f"before{NUL}after")
    body["items"][0]["details"] = {f"bra{NUL}nd": "x"}
    with unchanged():
        response = officer.post("/seizures", json=body)
    assert_error(response, 422, "validation_failed", ["narrative", "items.0.details.bra\\u0000nd"])


def test_an_unpaired_surrogate_in_a_body_is_refused_and_a_pair_is_text(officer, unchanged) -> None:
    """JSON's \\ud800 alone is no character: it cannot be stored as UTF-8 (a 500 on both databases)."""
    body = factories.report_payload(narrative="NARRATIVE", concealment_details="DETAILS")
    raw = json.dumps(body).replace("NARRATIVE", "a\\ud800b").replace("DETAILS", "in a \\ud83d\\udce6")
    with unchanged():
        response = officer.post("/seizures", data=raw, content_type="application/json")
    assert_error(response, 422, "validation_failed", ["narrative"])
    response = officer.post("/seizures", data=raw.replace("a\\ud800b", "fine"), content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["concealment_details"] == "in a \U0001F4E6"


@pytest.mark.parametrize("path", [f"/operations/X{NUL}", f"/seizures/{'0' * 8}-0000-0000-0000-{'0' * 11}{NUL}",
                                  f"/jobs/{NUL}", f"/operations/X{NUL}/figures"])
def test_a_nul_character_in_a_path_names_nothing(officer, path: str) -> None:
    assert_error(officer.get(path), 404)


@pytest.mark.parametrize("path", ["/operations/X%00", "/reports/by-reference/JM%00", "/reports/abc%00"])
def test_a_nul_character_in_a_page_path_names_nothing(app, world, path: str) -> None:
    from tests.operations.support import signed_in_client

    client, _ = signed_in_client(app, world["jm_officer"])
    response = client.get(path)
    assert response.status_code == 404
    assert "nothing here" in response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint,name", [("/seizures", "organisation"), ("/search", "organisation"),
                                           ("/search", "q"), ("/search/export.csv", "q")])
def test_a_nul_character_in_a_query_parameter_is_refused(officer, endpoint: str, name: str) -> None:
    response = officer.get(endpoint, query_string={name: f"fi{NUL}sh"})
    assert_error(response, 422, "validation_failed", [name])


@pytest.mark.parametrize("path", ["/operations/%C3%A9%F0%9D%94%98", "/seizures/%F0%9D%94%98", "/jobs/%E2%80%8B"])
def test_unicode_in_a_path_names_nothing(officer, path: str) -> None:
    assert_error(officer.get(path), 404)


@pytest.mark.parametrize("seized_at", ["9999-12-31T23:30:00-05:00", "0001-01-01T00:30:00+05:00",
                                       "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-00:00"])
def test_a_seizure_time_at_the_edge_of_the_calendar_is_refused_not_a_crash(officer, unchanged, seized_at) -> None:
    with unchanged():
        response = officer.post("/seizures", json=factories.report_payload(seized_at=seized_at))
    assert_error(response, 422, "validation_failed", ["seized_at"])


@pytest.mark.parametrize("endpoint", ["/seizures", "/search", "/search/export.csv"])
@pytest.mark.parametrize("bounds", [{"from": "0001-01-01"}, {"to": "9999-12-31"},
                                    {"from": "0001-01-01", "to": "9999-12-31"}])
def test_date_filters_at_the_edge_of_the_calendar_answer(officer, endpoint: str, bounds: dict) -> None:
    factories.report(officer._user)
    response = officer.get(endpoint, query_string=bounds)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("field,value", [("arrests", 10**30), ("arrests", -1), ("arrests", 2**63)])
def test_an_integer_past_the_column_range_is_refused(officer, unchanged, field: str, value: int) -> None:
    with unchanged():
        response = officer.post("/seizures", json=factories.report_payload(**{field: value}))
    assert_error(response, 422, "validation_failed", [field])


@pytest.mark.parametrize("params", [{"page": 10**30}, {"per_page": 10**30}, {"page": "1e3"}, {"page": -1}])
def test_paging_parameters_past_their_range_are_refused(officer, params: dict) -> None:
    for endpoint in ("/seizures", "/search"):
        assert_error(officer.get(endpoint, query_string=params), 422, "validation_failed", list(params))


def test_a_body_nested_deeper_than_the_parser_recurses_is_malformed_json(officer, unchanged) -> None:
    """Python's JSON parser recurses once per level: 5 000 levels were a 500 (exploratory test, session 6)."""
    with unchanged():
        response = officer.post("/seizures", data="[" * 5000 + "]" * 5000, content_type="application/json")
    assert_error(response, 400, "malformed_json")


def test_a_body_nested_deeper_than_any_field_needs_is_refused(officer, unchanged) -> None:
    body = factories.report_payload()
    body["items"][0]["details"] = {"brand": json.loads("[" * 200 + "]" * 200)}
    with unchanged():
        response = officer.post("/seizures", json=body)
    error = assert_error(response, 400, "bad_request")
    assert "nests more than 32 levels" in error["message"]
    body["items"][0]["details"] = {"brand": json.loads("[" * 20 + "]" * 20)}  # deep, but not too deep
    assert_error(officer.post("/seizures", json=body), 422, "validation_failed", ["items.0.details"])


@pytest.mark.parametrize("page", [False, True])
@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01&to=9999-12-31"])
def test_the_audit_trail_filtered_to_the_edge_of_the_calendar_answers(app, world, api, page: bool, query: str) -> None:
    """As the seizure and search filters above: the day after 9999-12-31 was an OverflowError (a 500), in
    the API, on the page and in its CSV export."""
    from tests.operations.support import signed_in_client

    factories.report(world["jm_officer"])
    if page:
        client, _ = signed_in_client(app, world["sysadmin"])
        responses = [client.get(f"/audit?{query}"), client.get(f"/audit/export.csv?{query}")]
    else:
        responses = [api.as_(world["sysadmin"]).get(f"/audit?{query}")]
    for response in responses:
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert "report.create" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/operations", "/conferences"])
def test_an_operation_or_conference_dated_past_2100_is_refused(world, api, unchanged, path: str) -> None:
    """Stored, such a date broke the operation's or conference's page for everyone (a 500)."""
    from tests.api.test_operations_api import operation_body
    from tests.conferences.test_api import conference_body

    body = (operation_body if path == "/operations" else conference_body)(ends_on="9999-12-31")
    with unchanged():
        response = api.as_(world["jio_analyst"]).post(path, json=body)
    assert_error(response, 422, "validation_failed", ["ends_on"])


@pytest.mark.parametrize("amount", [1e300, 1e12 + 1, -1])
def test_an_estimated_value_past_a_trillion_or_negative_is_refused(officer, unchanged, amount: float) -> None:
    item = dict(factories.report_payload()["items"][0], estimated_value={"amount": amount, "currency": "USD"})
    with unchanged():
        response = officer.post("/seizures", json=factories.report_payload(items=[item]))
    error = assert_error(response, 422, "validation_failed", ["items.0.estimated_value.amount"])
    assert error["fields"]["items.0.estimated_value.amount"] == ["must be between 0 and 1,000,000,000,000"]


@pytest.mark.parametrize("raw", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '{"a": 18446744073709551616}',
                                 '{"a": -9223372036854775809}', '{"a": 1e400}'])
def test_item_details_that_no_database_or_index_takes_are_refused(officer, unchanged, raw: str) -> None:
    """NaN and Infinity are no JSON to PostgreSQL, and integers past 64 bits broke the search outbox: both
    were 500s (exploratory test on PostgreSQL, session 6). Python's parser reads all of them."""
    body = json.dumps(factories.report_payload()).replace('"details": {"brand": "Marlboro", "status": "counterfeit"}',
                                                          f'"details": {raw}')
    assert raw in body
    with unchanged():
        response = officer.post("/seizures", data=body, content_type="application/json")
    assert_error(response, 422, "validation_failed", ["items.0.details"])
