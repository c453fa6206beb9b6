"""The explicit Elasticsearch/OpenSearch mapping of the search document (search/documents.py).

- Vocabularies, codes and identifiers are `keyword`s: exact filters and exact facet counts.
- The sharing rule's facts (`organisation_id`, `operation_ids`, `status`, `distribution`) are indexed
  like any filter field.
- Items and route legs are `nested`, so a condition on one item (category and quantity) is about the
  same item, and totals can sum items while counting reports (`reverse_nested`).
- Free text (`narrative`, `concealment_details`, item descriptions) is indexed with a `folded` analyzer
  (words without case or accents, for exact words, phrases and prefixes) plus one analysed sub-field
  per language (`narrative.en`, ...).
  Dutch is included where the engine has the `dutch` analyzer (osmem, the test double, has not): the
  backend asks `index_definition` for the languages the engine accepted, and records them in `_meta`.
- `persons_text` is searchable only under the conditions the backend compiles into the query; it is
  excluded from the stored `_source`, so no response can ever carry it back.
- One primary shard: a regional network's reports fit one shard for a long time, and a single shard
  makes every terms aggregation exact.

A change here reaches a deployment with `flask search reindex` (a fresh index with the new mapping).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pycountry

LANGUAGE_ANALYZERS = {"en": "english", "es": "spanish", "fr": "french", "nl": "dutch"}
# Languages that any engine ELIX supports is expected to have; Dutch is optional.
REQUIRED_LANGUAGES = ("en", "es", "fr")

# Fields a hit is built from: everything else stays in the index.
HIT_SOURCE = ("id", "reference", "seized_at", "country", "organisation", "categories", "summary")

_KEYWORD = {"type": "keyword"}
_INTEGER = {"type": "integer"}
_NOT_INDEXED = {"type": "keyword", "index": False, "doc_values": False}
_FOLDED_TEXT = {"type": "text", "analyzer": "folded"}
_FOLDING = ["lowercase", "asciifolding"]


def _multilingual(languages: Iterable[str]) -> dict:
    return {"type": "text", "analyzer": "folded",
            "fields": {lang: {"type": "text", "analyzer": "dutch" if lang == "nl" else f"{lang}_text"}
                       for lang in languages}}


def index_definition(languages: Iterable[str] = tuple(LANGUAGE_ANALYZERS)) -> dict:
    """`settings` and `mappings` for a new index with language sub-fields for `languages`."""
    languages = [lang for lang in LANGUAGE_ANALYZERS if lang in set(languages)]
    text = _multilingual(languages)
    mappings = {
        # Unknown fields are kept in _source but not indexed: a newer document shape never breaks sync.
        "dynamic": False,
        "_source": {"excludes": ["persons_text"]},
        "_meta": {"languages": languages},
        "properties": {
            "id": _KEYWORD, "reference": _KEYWORD, "version": {"type": "long"}, "status": _KEYWORD,
            "validation": _KEYWORD,
            "organisation": _KEYWORD, "organisation_id": _INTEGER, "distribution": _KEYWORD, "tlp": _KEYWORD,
            "operation_ids": _INTEGER, "operations": _KEYWORD,
            "seized_at": {"type": "date"}, "seized_month": _KEYWORD, "country": _KEYWORD,
            "location": {"properties": {
                "name": {**_FOLDED_TEXT, "fields": {"keyword": _KEYWORD}},
                "locode": _KEYWORD, "type": _KEYWORD,
                "lat": {"type": "double", "index": False}, "lon": {"type": "double", "index": False},
            }},
            # Derived by to_source: a geo_point cannot carry name and locode; coded facts as words.
            "geo": {"type": "geo_point"},
            "facts": text,
            "transport_mode": _KEYWORD, "procedure": _KEYWORD, "traffic": _KEYWORD,
            "detection_methods": _KEYWORD, "concealment_methods": _KEYWORD,
            "categories": _KEYWORD, "subcategories": _KEYWORD,
            "items": {"type": "nested", "properties": {
                "category": _KEYWORD, "subcategory": _KEYWORD, "description": text,
                "quantity": {"type": "double"}, "unit": _KEYWORD, "hs_code": _KEYWORD,
            }},
            "route": {"type": "nested", "properties": {"role": _KEYWORD, "country": _KEYWORD, "place": _KEYWORD}},
            "route_countries": _KEYWORD,
            "vessel_name": {"type": "keyword", "normalizer": "folded", "fields": {"text": _FOLDED_TEXT}},
            "imo": _KEYWORD, "flag": _KEYWORD, "containers": _KEYWORD, "flight": _KEYWORD,
            "vehicle_plate": _KEYWORD, "locodes": _KEYWORD,
            "narrative": text, "concealment_details": text, "language": _KEYWORD,
            "persons_text": _FOLDED_TEXT,
            "summary": _NOT_INDEXED,
        },
    }
    settings = {
        "number_of_shards": 1,
        "max_result_window": 10_000,
        # Case and accents never matter: "cachees" finds "cachées", "elan" finds "Élan".
        "analysis": {
            "analyzer": {"folded": {"type": "custom", "tokenizer": "standard", "filter": _FOLDING},
                         # The language analyzers without stop words: every query word goes to every
                         # language's sub-field, and a word that is a stop word in one language (Spanish
                         # "e", French "de") must not vanish from a phrase there. Dutch keeps the built-in
                         # analyzer: creating an index with it is how the backend learns the engine has it.
                         **{f"{lang}_text": {"type": LANGUAGE_ANALYZERS[lang], "stopwords": "_none_"}
                            for lang in languages if lang != "nl"}},
            "normalizer": {"folded": {"type": "custom", "filter": _FOLDING}},
        },
    }
    return {"settings": settings, "mappings": mappings}


def language_fields(field: str, languages: Iterable[str]) -> list[str]:
    """`narrative` -> ["narrative", "narrative.en", "narrative.es", ...] for the index's languages."""
    return [field, *(f"{field}.{lang}" for lang in languages)]


def to_source(document: dict) -> dict:
    """The stored source of a search document: the document plus two derived fields,
    `geo` (the location as a geo_point) and `facts` (what the codes say, as words the text query
    matches: categories and subcategories, HS codes, the names of the countries of seizure and route)."""
    source = {**document, "facts": facts_text(document)}
    location = document.get("location") or {}
    if location.get("lat") is not None and location.get("lon") is not None:
        source["geo"] = {"lat": location["lat"], "lon": location["lon"]}
    return source


def facts_text(document: dict) -> str:
    words = []
    for item in document.get("items") or []:
        words += [item.get("category"), item.get("subcategory"), item.get("hs_code")]
    words += [country_name(code) for code in [document.get("country"), *(document.get("route_countries") or [])]]
    return " ".join(dict.fromkeys(word.replace("_", " ") for word in words if word))


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return (getattr(country, "common_name", None) or country.name) if country else ""
