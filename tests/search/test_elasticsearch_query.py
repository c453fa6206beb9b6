"""What the Elasticsearch backend compiles, beyond the contract: the rule's place in the query,
identifiers, words the analyzer splits, highlight escaping. On osmem or TEST_ELASTICSEARCH_URL."""
from __future__ import annotations

import json

from app.permissions import Viewer
from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.elasticsearch_query import compile_search, visibility_filter
from search.query import Filters, SearchQuery
from tests.search.test_elasticsearch_lifecycle import JM, KY_ANALYST, document

JIO_VALIDATOR = Viewer(user_id=3, organisation_id=3, organisation_kind="regional_office",
                       operation_ids=frozenset({5}), regional_validator=True)


def references(backend: ElasticsearchBackend, text: str, viewer: Viewer = KY_ANALYST) -> set[str]:
    return {hit.reference for hit in backend.search(SearchQuery(text=text, per_page=50), viewer).hits}


def test_the_sharing_rule_is_inside_the_filter_of_every_search() -> None:
    body = compile_search(SearchQuery(text='cigarettes -"frozen fish" tobacco OR diesel', sort="quantity_desc",
                                      filters=Filters(category=("tobacco",), quantity_min=5)),
                          JIO_VALIDATOR, ("en", "es", "fr"))
    assert body["query"]["bool"]["filter"][0] == visibility_filter(JIO_VALIDATOR)
    text = json.dumps(body)
    for forbidden in ("post_filter", '"global"', "significant_terms", "significant_text", "suggest"):
        assert forbidden not in text
    assert "persons_text" not in json.dumps(body["highlight"])


def test_an_export_page_asks_for_hits_only() -> None:
    body = compile_search(SearchQuery(text="cigarettes", per_page=1000, page=10, hits_only=True), JIO_VALIDATOR,
                          ("en", "es", "fr"))
    assert "aggregations" not in body and "highlight" not in body
    assert body["from_"] + body["size"] == 10_000
    assert body["query"]["bool"]["filter"][0] == visibility_filter(JIO_VALIDATOR)


def test_the_rule_as_a_query() -> None:
    rule = visibility_filter(JIO_VALIDATOR)
    assert rule == {"bool": {"minimum_should_match": 1, "should": [
        {"term": {"organisation_id": 3}},
        {"bool": {"filter": [
            {"terms": {"status": ["submitted", "validated"]}},
            {"bool": {"minimum_should_match": 1, "should": [
                {"terms": {"distribution": ["network", "partners"]}},
                {"bool": {"filter": [{"term": {"distribution": "operation"}}, {"terms": {"operation_ids": [5]}}]}},
            ]}},
        ]}},
    ]}}
    outsider = Viewer(user_id=4, organisation_id=9, organisation_kind="unknown", operation_ids=frozenset(),
                      regional_validator=False)
    assert visibility_filter(outsider) == {"bool": {"should": [{"term": {"organisation_id": 9}}],
                                                    "minimum_should_match": 1}}


def test_identifiers_match_exactly_whatever_the_case(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1, containers=["MSCU1234566"], imo="9321483", vessel_name="MSC Élan"),
                   document(2, containers=["TGHU7654321"], imo="9074729", vessel_name="Sea Breeze", flight="BW 600")])
    assert references(backend, "mscu1234566") == {"JM-2017-000001"}
    assert references(backend, "TGHU76*") == {"JM-2017-000002"}
    assert references(backend, "9074729") == {"JM-2017-000002"}
    assert references(backend, "jm-2017-000002") == {"JM-2017-000002"}
    assert references(backend, '"msc elan"') == {"JM-2017-000001"}
    assert references(backend, "elan") == {"JM-2017-000001"}


def test_a_word_the_analyzer_splits_is_the_phrase_of_its_parts(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1, narrative="Seal ABC-123 of the container was broken."),
                   document(2, narrative="Seal 123 was intact; ABC Logistics shipped the container.")])
    assert references(backend, "ABC-123") == {"JM-2017-000001"}
    assert references(backend, "JM-2017-000002") == {"JM-2017-000002"}


def test_coded_facts_are_searchable_as_words(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1), document(2, route=[], route_countries=[], country="KY", narrative="Seized.",
                                          items=[{"category": "fuel", "subcategory": "diesel", "description": "",
                                                  "quantity": 10.0, "unit": "litres", "hs_code": None}])])
    assert references(backend, "panama") == {"JM-2017-000001"}  # a route country, by name
    assert references(backend, "cayman") == {"JM-2017-000002"}  # the country of seizure
    assert references(backend, "diesel") == {"JM-2017-000002"}  # a subcategory
    assert references(backend, "raw tobacco") == set()


def test_highlights_escape_markup_but_not_slashes_or_quotes(elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1, narrative="The 'Marlboro' cartons <b>and</b> 20/30 packs of cigarettes")])
    (hit,) = backend.search(SearchQuery(text="cigarettes"), KY_ANALYST).hits
    assert hit.highlights["narrative"] == [
        "The 'Marlboro' cartons &lt;b&gt;and&lt;/b&gt; 20/30 packs of <mark>cigarettes</mark>"]


def test_a_validator_of_a_regional_office_matches_persons_of_every_visible_report(
        elasticsearch_backend: ElasticsearchBackend) -> None:
    backend = elasticsearch_backend
    backend.index([document(1), document(2, distribution="organisation")])
    assert references(backend, "Uniquename", JIO_VALIDATOR) == {"JM-2017-000001"}
    own = Viewer(user_id=1, organisation_id=JM, organisation_kind="administration", operation_ids=frozenset(),
                 regional_validator=False)
    assert references(backend, "Uniquename", own) == {"JM-2017-000001", "JM-2017-000002"}
    assert references(backend, "Uniquename") == set()


def test_date_filters_at_the_edges_of_the_calendar_search(elasticsearch_backend: ElasticsearchBackend) -> None:
    """9999-12-31, typed for "no end", has no day after: its exclusive bound was an OverflowError (a 500)."""
    from datetime import date

    backend = elasticsearch_backend
    backend.index([document(1), document(2)])
    for bounds in ({"date_to": date.max}, {"date_from": date.min, "date_to": date.max}, {"date_from": date.min}):
        result = backend.search(SearchQuery(filters=Filters(**bounds), per_page=50), KY_ANALYST)
        assert {hit.reference for hit in result.hits} == {"JM-2017-000001", "JM-2017-000002"}, bounds
    assert not backend.search(SearchQuery(filters=Filters(date_to=date(2000, 1, 1))), KY_ANALYST).hits


def test_compatibility_letters_find_what_their_plain_letters_find(elasticsearch_backend: ElasticsearchBackend) -> None:
    """𝐜𝐢𝐠𝐚𝐫𝐞𝐭𝐭𝐞𝐬 (pasted from a styled message) found nothing on Elasticsearch, whose lowercase and
    asciifolding filters leave such letters, while the embedded backend folds them (exploratory test)."""
    backend = elasticsearch_backend
    backend.index([document(1), document(2, narrative="Diesel in a hidden tank.", containers=["TGHU7654321"],
                                            items=[], categories=["fuel"], subcategories=[])])
    assert references(backend, "cigarettes") == {"JM-2017-000001"}
    for styled in ("𝐜𝐢𝐠𝐚𝐫𝐞𝐭𝐭𝐞𝐬", "𝐜𝐢𝐠*", '"𝐫𝐞𝐞𝐟𝐞𝐫 container"', "ＭＳＣＵ1234566", "-𝐃𝐢𝐞𝐬𝐞𝐥"):
        assert references(backend, styled) == {"JM-2017-000001"}, styled
