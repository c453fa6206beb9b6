"""GET /api/v1/search and /api/v1/search/export.csv, on the deployment's backend (the embedded one here)."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import update

from app.search import services
from app.seizures.models import SeizureReport
from search.documents import build_document
from search.query import FILTER_FIELDS
from tests import factories
from tests.search.contract import seed_corpus


@pytest.fixture
def corpus(world) -> dict:  # noqa: ANN001
    return {name: report.id for name, report in seed_corpus(world).items()}


def references(response) -> set[str]:  # noqa: ANN001
    return {hit["reference"] for hit in response.get_json()["hits"]}


def test_search_returns_hits_facets_histogram_and_totals(api, world, corpus) -> None:  # noqa: ANN001
    response = api.as_(world["jio_analyst"]).get("/search?q=cigarettes&sort=date_desc")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["total", "page", "per_page", "hits", "facets", "histogram", "totals"]
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 25)
    assert [hit["id"] for hit in body["hits"]] == [corpus["B"], corpus["A"]]
    assert "<mark>cigarettes</mark>" in body["hits"][1]["highlights"]["narrative"][0]
    assert body["hits"][0]["url"] == f"/api/v1/seizures/{corpus['B']}"
    assert set(body["facets"]) == set(FILTER_FIELDS)
    assert body["facets"]["country"] == [{"value": "JM", "count": 1}, {"value": "KY", "count": 1}]
    assert body["histogram"] == [{"month": "2025-03", "count": 2}]
    assert {"category": "tobacco", "subcategory": None, "unit": "sticks", "quantity": 110000.0,
            "reports": 2} in body["totals"]


def test_repeated_filters_are_or_within_a_field(api, world, corpus) -> None:  # noqa: ANN001
    body = api.as_(world["jio_analyst"]).get("/search?category=fuel&category=counterfeits").get_json()
    assert {hit["id"] for hit in body["hits"]} == {corpus["C"], corpus["G"]}


def test_every_parameter_is_understood(api, world, corpus) -> None:  # noqa: ANN001
    query = ("/search?q=smuggled&country=JM&organisation=JM&route_country=PA&transport_mode=sea&category=tobacco"
             "&subcategory=cigarettes&detection_method=xray&concealment_method=within_goods&status=submitted"
             "&from=2025-03-01&to=2025-03-31&quantity_min=100&quantity_max=20000&sort=quantity_desc&page=1&per_page=5")
    body = api.as_(world["jio_analyst"]).get(query).get_json()
    assert [hit["id"] for hit in body["hits"]] == [corpus["A"]]
    assert body["per_page"] == 5


def test_a_malformed_query_is_a_400_that_says_where(api, world, corpus) -> None:  # noqa: ANN001
    response = api.as_(world["jio_analyst"]).get('/search?q=cigarettes "frozen')
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "bad_query", "position": 11,
                                            "message": 'unbalanced quote: close the phrase with "'}


def test_a_query_over_1000_characters_is_refused(api, world) -> None:  # noqa: ANN001
    response = api.as_(world["jio_analyst"]).get("/search", query_string={"q": "a" * 1001})
    assert response.status_code == 400
    assert response.get_json()["error"]["position"] == 1000


@pytest.mark.parametrize("query, field", [
    ("category=spaceships", "category.0"), ("country=XX", "country.0"), ("from=2025-13-01", "from"),
    ("from=2025-05-01&to=2025-04-01", "from"), ("quantity_min=5&quantity_max=1", "quantity_min"),
    ("sort=random", "sort"), ("page=51&per_page=200", "page"), ("per_page=500", "per_page"),
])
def test_bad_parameters_are_422_naming_the_field(api, world, query: str, field: str) -> None:  # noqa: ANN001
    response = api.as_(world["jio_analyst"]).get(f"/search?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_search_needs_credentials(api) -> None:  # noqa: ANN001
    assert api.get("/search").status_code == 401
    assert api.get("/search/export.csv").status_code == 401


def test_the_sharing_rule_applies(api, world, corpus) -> None:  # noqa: ANN001
    body = api.as_(world["partner_analyst"]).get("/search").get_json()
    assert body["total"] == 1 and body["hits"][0]["id"] == corpus["G"]
    assert body["facets"]["organisation"] == [{"value": "JM", "count": 1}]
    assert api.as_(world["ky_analyst"]).get("/search?q=Uniquename").get_json()["total"] == 0
    assert api.as_(world["jm_analyst"]).get("/search?q=Uniquename").get_json()["total"] == 1


def test_a_hit_s_marking_is_the_report_s_now_not_as_last_indexed(app, api, world, corpus) -> None:  # noqa: ANN001
    # An index behind a change (Elasticsearch's outbox lagging) still has report C as AMBER with handling P...
    source = services.load_sources([corpus["C"]])[corpus["C"]]
    stale = build_document(source)
    factories.db.session.execute(update(SeizureReport).where(SeizureReport.id == corpus["C"]).values(
        tlp="amber+strict", distribution="operation", handling="C", version=SeizureReport.version + 1))
    services.get_backend(app).index([stale])
    hit = next(hit for hit in api.as_(world["jm_analyst"]).get("/search?q=carburant").get_json()["hits"])
    assert hit["id"] == corpus["C"]
    assert hit["marking"] == {"tlp": "amber+strict", "distribution": "operation", "handling": "C",
                              "source_reliability": "B", "information_credibility": "2"}  # ...the report's marking


def test_hits_are_rechecked_against_the_database(app, api, world, corpus) -> None:  # noqa: ANN001
    # A stale index that believes KY's organisation-only report F is shared with the network...
    source = services.load_sources([corpus["F"]])[corpus["F"]]
    stale = {**build_document(source), "distribution": "network"}
    services.get_backend(app).index([stale])
    body = api.as_(world["jio_analyst"]).get("/search?q=luggage").get_json()
    # ...still never shows F to the JIO: SQL decides.
    assert corpus["F"] not in {hit["id"] for hit in body["hits"]}


def _rows(response) -> list[dict]:  # noqa: ANN001
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_export_has_the_visible_results_and_no_persons(api, world, corpus) -> None:  # noqa: ANN001
    rows = _rows(api.as_(world["jm_analyst"]).get("/search/export.csv?q=cigarettes&sort=date_asc"))
    assert [row["narrative"][:8] for row in rows] == ["Smuggled", "Se incau", "Draft: c"]  # A, B, E
    body = api.as_(world["jm_analyst"]).get("/search/export.csv?q=cigarettes").get_data(as_text=True)
    assert "Uniquename" not in body and "P9988776" not in body and "Fuentesprado" not in body
    assert rows[0]["items"] == "50 cartons cigarettes (10 000 sticks) + 20 kg raw tobacco"
    assert rows[0]["tlp"] == "amber" and rows[0]["route"] == "PA > DO > JM"
    # Every marking field goes with the data (DESIGN.md: carried to every view, export and product).
    report = factories.db.session.get(factories.SeizureReport, corpus["A"])
    assert [rows[0][f] for f in ("distribution", "handling", "source_reliability", "information_credibility")] == [
        report.distribution, report.handling or "", report.source_reliability or "", report.information_credibility or ""]
    assert list(rows[0]).index("information_credibility") < list(rows[0]).index("narrative")


def test_export_follows_the_sharing_rule_and_filters(api, world, corpus) -> None:  # noqa: ANN001
    assert [row["reference"] for row in _rows(api.as_(world["partner_analyst"]).get("/search/export.csv"))] == [
        factories.db.session.get(factories.SeizureReport, corpus["G"]).reference]
    assert _rows(api.as_(world["jio_analyst"]).get("/search/export.csv?category=fuel"))[0]["categories"] == "fuel"


def test_export_neutralises_formulas(api, world) -> None:  # noqa: ANN001
    factories.report(world["jm_officer"], narrative="=HYPERLINK(\"http://evil.example\",\"x\") formula",
                     location={"name": "@SUM(A1)", "type": "seaport"}, concealment_details="-2+3")
    rows = _rows(api.as_(world["jm_analyst"]).get("/search/export.csv?q=formula"))
    assert rows[0]["narrative"].startswith("'=HYPERLINK")
    assert rows[0]["location"] == "'@SUM(A1)"


def test_search_with_the_engine_down_is_a_503_that_says_so(api, world, engine_stopped) -> None:  # noqa: ANN001
    for path in ("/search?q=cigarettes", "/search/export.csv?category=fuel"):
        response = api.as_(world["jio_analyst"]).get(path)
        assert response.status_code == 503, path
        assert int(response.headers["Retry-After"]) > 0
        error = response.get_json()["error"]
        assert error["code"] == "search_unavailable"
        assert "not reachable" in error["message"] and "Try again in" in error["message"]


@pytest.mark.parametrize("q", ["ℍ", "ᴴᴴ", "𝐇", "cocaine ℋ", '"ℍ cigarettes"', "ℍℍ*"])
def test_letters_that_decompose_to_capitals_are_searched_lower_case(api, world, corpus, q: str) -> None:  # noqa: ANN001
    """ℍ, ᴴ, 𝐇 decompose to a capital H: folded lower-cased first, they were upper-case terms no document
    has, and the French stemmer left nothing of one, an empty term PostgreSQL's tsquery refused (a 500)."""
    response = api.as_(world["jio_analyst"]).get("/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_a_fancy_letter_finds_what_its_plain_letter_finds(api, world, corpus) -> None:  # noqa: ANN001
    jio = api.as_(world["jio_analyst"])
    plain = references(jio.get("/search", query_string={"q": "cigarettes"}))
    assert plain and references(jio.get("/search", query_string={"q": "𝐜𝐢𝐠𝐚𝐫𝐞𝐭𝐭𝐞𝐬"})) == plain


def test_organisation_operation_and_country_codes_filter_in_any_case(api, world, corpus) -> None:  # noqa: ANN001
    """`organisation=jm` found nothing and `country=jm` was refused: the codes are upper case."""
    jio = api.as_(world["jio_analyst"])
    for name, code in (("organisation", "JM"), ("country", "JM"), ("route_country", "PA")):
        upper = references(jio.get("/search", query_string={name: code}))
        assert upper, name
        assert references(jio.get("/search", query_string={name: code.lower()})) == upper, name
    listed = jio.get("/seizures", query_string={"organisation": "jm"}).get_json()
    assert listed["total"] and {r["reporting_organisation"] for r in listed["results"]} == {"JM"}
