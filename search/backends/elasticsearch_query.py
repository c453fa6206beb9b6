"""Compile the query model to the Elasticsearch query DSL, and read the response back.

Everything the viewer may not see is excluded inside `bool.filter` (the sharing rule), so hits,
highlights, facets, histogram and totals are all computed over visible documents only: no
`post_filter`, no `global` or `significant_*` aggregations, no suggesters.
"""
from __future__ import annotations

from datetime import date, timedelta

from search import parser
from search.backends.elasticsearch_text import highlight_section, read_highlights, text_query
from search.mapping import HIT_SOURCE
from search.query import (
    FILTER_FIELDS, MAX_RESULT_WINDOW, FacetBucket, Filters, Hit, QueryError, SearchQuery, SearchResult, Total,
    Viewer,
)

# app.permissions.SHARED_STATUSES: the statuses another organisation may ever see.
SHARED_STATUSES = ("submitted", "validated")

# Filter/facet name -> document field (top-level keyword arrays: a report counts once per value).
FIELD_OF = {
    "category": "categories", "subcategory": "subcategories", "country": "country",
    "organisation": "organisation", "route_country": "route_countries", "transport_mode": "transport_mode",
    "detection_method": "detection_methods", "concealment_method": "concealment_methods",
    "operation": "operations", "status": "status", "validation": "validation",
}
assert set(FIELD_OF) == set(FILTER_FIELDS)
ITEM_FILTERS = ("category", "subcategory")  # filtered through the nested items (see item_conditions)

# Larger than any vocabulary, country list or organisation list: every bucket comes back, counts exact.
FACET_SIZE = 1000
TOTALS_SIZE = 100


def visibility_filter(viewer: Viewer) -> dict:
    """The sharing rule of app/permissions.py as a query: own organisation's documents, or shared ones
    whose distribution reaches the viewer (openly, or through a linked operation)."""
    reaches = []
    if viewer.open_distributions:
        reaches.append({"terms": {"distribution": list(viewer.open_distributions)}})
    if viewer.operation_ids:
        reaches.append({"bool": {"filter": [{"term": {"distribution": "operation"}},
                                            {"terms": {"operation_ids": sorted(viewer.operation_ids)}}]}})
    visible = [{"term": {"organisation_id": viewer.organisation_id}}]
    if reaches:
        visible.append({"bool": {"filter": [{"terms": {"status": list(SHARED_STATUSES)}},
                                            {"bool": {"should": reaches, "minimum_should_match": 1}}]}})
    return {"bool": {"should": visible, "minimum_should_match": 1}}


def check_window(query: SearchQuery) -> None:
    """Pages start at 1, and results stop at MAX_RESULT_WINDOW (the embedded backend says the same)."""
    if query.page < 1 or query.per_page < 1:
        raise QueryError("page and per_page start at 1")
    if query.page * query.per_page > MAX_RESULT_WINDOW:
        raise QueryError(f"results stop at {MAX_RESULT_WINDOW:,}: narrow the search instead of paging further")


def item_conditions(filters: Filters) -> list[dict]:
    """Category, subcategory and quantity range are conditions on one item: a report matches when one
    of its items meets them all, and only such items count in the totals."""
    conditions = []
    if filters.category:
        conditions.append({"terms": {"items.category": list(filters.category)}})
    if filters.subcategory:
        conditions.append({"terms": {"items.subcategory": list(filters.subcategory)}})
    if filters.quantity_min is not None or filters.quantity_max is not None:
        quantity = {}
        if filters.quantity_min is not None:
            quantity["gte"] = filters.quantity_min
        if filters.quantity_max is not None:
            quantity["lte"] = filters.quantity_max
        conditions.append({"range": {"items.quantity": quantity}})
    return conditions


def filter_clauses(query: SearchQuery) -> list[dict]:
    """The user's filters: OR within a field, AND across fields."""
    filters = query.filters
    clauses = [{"terms": {FIELD_OF[name]: list(values)}}
               for name in FILTER_FIELDS if name not in ITEM_FILTERS and (values := getattr(filters, name))]
    if filters.date_from or filters.date_to:
        # Whole UTC days, both ends included.
        bounds = {}
        if filters.date_from:
            bounds["gte"] = filters.date_from.isoformat()
        if filters.date_to and filters.date_to < date.max:  # 9999-12-31, typed for "no end", has no day after
            bounds["lt"] = (filters.date_to + timedelta(days=1)).isoformat()
        if bounds:
            clauses.append({"range": {"seized_at": bounds}})
    if item := item_conditions(filters):
        clauses.append({"nested": {"path": "items", "query": {"bool": {"filter": item}}}})
    return clauses


def sort_clause(query: SearchQuery, has_text: bool) -> list:
    """Every sort ends on the unique `id`, so pages never overlap or skip a document. Relevance
    without text is newest first."""
    by_date = {"seized_at": {"order": "desc"}}
    if query.sort == "date_asc":
        return [{"seized_at": {"order": "asc"}}, {"id": "asc"}]
    if query.sort == "quantity_desc":
        # The largest item of the report, whatever its unit (as the embedded backend sorts).
        largest = {"items.quantity": {"order": "desc", "mode": "max", "nested": {"path": "items"}}}
        return [largest, by_date, {"id": "asc"}]
    if query.sort == "relevance" and has_text:
        return ["_score", by_date, {"id": "asc"}]
    return [by_date, {"id": "asc"}]


def aggregations(filters: Filters) -> dict:
    """Facets for every filter field (by count, then value), the month histogram and the quantity
    totals of the items that meet the item conditions."""
    order = [{"_count": "desc"}, {"_key": "asc"}]
    aggs = {f"facet_{name}": {"terms": {"field": field, "size": FACET_SIZE, "order": order}}
            for name, field in FIELD_OF.items()}
    aggs["histogram"] = {"date_histogram": {"field": "seized_at", "calendar_interval": "month",
                                            "format": "yyyy-MM", "time_zone": "UTC", "min_doc_count": 0}}
    per_unit = {"terms": {"field": "items.unit", "size": TOTALS_SIZE},
                "aggs": {"quantity": {"sum": {"field": "items.quantity"}}, "reports": {"reverse_nested": {}}}}
    by_category = {"category": {
        "terms": {"field": "items.category", "size": TOTALS_SIZE},
        "aggs": {"unit": per_unit,
                 "subcategory": {"terms": {"field": "items.subcategory", "size": TOTALS_SIZE},
                                 "aggs": {"unit": per_unit}}},
    }}
    chosen = {"filter": {"bool": {"filter": item_conditions(filters)}}, "aggs": by_category}
    aggs["items"] = {"nested": {"path": "items"}, "aggs": {"chosen": chosen}}
    return aggs


def compile_search(query: SearchQuery, viewer: Viewer, languages: tuple[str, ...]) -> dict:
    """Keyword arguments for `Elasticsearch.search`; raises QueryError for malformed text."""
    parsed = parser.parse(query.text)
    check_window(query)
    bool_query: dict = {"filter": [visibility_filter(viewer), *filter_clauses(query)]}
    highlight = None
    if not parsed.is_empty:
        text = text_query(parsed, viewer, languages)
        bool_query.update(text.bool_parts)
        highlight = None if query.hits_only else highlight_section(text, languages)
    body = {
        "query": {"bool": bool_query},
        "from_": (query.page - 1) * query.per_page,
        "size": query.per_page,
        "sort": sort_clause(query, bool(parsed.required)),
        "source_includes": list(HIT_SOURCE),
        "track_total_hits": True,
    }
    if not query.hits_only:
        body["aggregations"] = aggregations(query.filters)
    if highlight:
        body["highlight"] = highlight
    return body


def read_response(query: SearchQuery, response) -> SearchResult:
    """The `SearchResult` of a search response (None: no index yet, nothing to find)."""
    if response is None:
        return SearchResult(total=0, page=query.page, per_page=query.per_page, hits=[],
                            facets={name: [] for name in FILTER_FIELDS}, histogram=[], totals=[])
    hits = [_hit(raw) for raw in response["hits"]["hits"]]
    if query.hits_only:
        return SearchResult(total=response["hits"]["total"]["value"], page=query.page, per_page=query.per_page,
                            hits=hits, facets={}, histogram=[], totals=[])
    aggs = response["aggregations"]
    return SearchResult(
        total=response["hits"]["total"]["value"],
        page=query.page,
        per_page=query.per_page,
        hits=hits,
        facets={name: [FacetBucket(b["key"], b["doc_count"]) for b in aggs[f"facet_{name}"]["buckets"]]
                for name in FILTER_FIELDS},
        histogram=[(b["key_as_string"], b["doc_count"]) for b in aggs["histogram"]["buckets"]],
        totals=_totals(aggs["items"]["chosen"]),
    )


def _hit(raw: dict) -> Hit:
    source = raw["_source"]
    return Hit(id=source["id"], reference=source["reference"], seized_at=source["seized_at"],
               country=source.get("country") or "", organisation=source["organisation"],
               categories=tuple(source.get("categories") or ()), summary=source.get("summary") or "",
               highlights=read_highlights(raw))


def _totals(items: dict) -> list[Total]:
    totals = []
    for category in items["category"]["buckets"]:
        for unit in category["unit"]["buckets"]:
            totals.append(Total(category["key"], None, unit["key"], unit["quantity"]["value"],
                                unit["reports"]["doc_count"]))
        for subcategory in category["subcategory"]["buckets"]:
            for unit in subcategory["unit"]["buckets"]:
                totals.append(Total(category["key"], subcategory["key"], unit["key"], unit["quantity"]["value"],
                                    unit["reports"]["doc_count"]))
    return sorted(totals, key=lambda t: (t.category, t.subcategory or "", t.unit))
