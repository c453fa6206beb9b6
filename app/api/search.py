"""GET /api/v1/search and /api/v1/search/export.csv."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, g, jsonify, request, url_for

from app.api import bp
from app.search import services
from app.search.export import export_csv
from app.search.schemas import load_search_args
from search.backends import SearchUnavailable
from search.query import QueryError, SearchResult


def query_error_response(exc: QueryError) -> Response:
    response = jsonify({"error": {"code": "bad_query", "message": exc.message, "position": exc.position}})
    response.status_code = 400
    return response


def unavailable_response(exc: SearchUnavailable) -> Response:
    """503 with Retry-After: the engine is down or the embedded index is still loading (never a 500)."""
    response = jsonify({"error": {"code": "search_unavailable", "message": f"Search is unavailable: {exc.message}. "
                                  f"Try again in {exc.retry_after} seconds."}})
    response.status_code = 503
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def result_json(result: SearchResult) -> dict:
    reports = url_for("api.list_seizures")  # each hit's URL is this and its id (a UUID: nothing to quote)
    return {
        "total": result.total, "page": result.page, "per_page": result.per_page,
        "hits": [{"id": hit.id, "reference": hit.reference, "seized_at": hit.seized_at, "country": hit.country,
                  "organisation": hit.organisation, "categories": list(hit.categories), "summary": hit.summary,
                  "highlights": hit.highlights, "marking": hit.marking, "url": f"{reports}/{hit.id}"}
                 for hit in result.hits],
        "facets": {name: [{"value": b.value, "count": b.count} for b in buckets]
                   for name, buckets in result.facets.items()},
        "histogram": [{"month": month, "count": count} for month, count in result.histogram],
        "totals": [{"category": t.category, "subcategory": t.subcategory, "unit": t.unit, "quantity": t.quantity,
                    "reports": t.reports} for t in result.totals],
    }


@bp.get("/search")
def search():
    query = load_search_args(request.args)
    try:
        result = services.search_reports(g.api_user, query)
    except QueryError as exc:
        return query_error_response(exc)
    except SearchUnavailable as exc:
        return unavailable_response(exc)
    return result_json(result)


@bp.get("/search/export.csv")
def search_export():
    query = load_search_args(request.args)
    try:
        body = export_csv(services.exported_reports(g.api_user, query))
    except QueryError as exc:
        return query_error_response(exc)
    except SearchUnavailable as exc:
        return unavailable_response(exc)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="elix-search-{stamp}.csv"'})
