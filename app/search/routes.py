"""The search page: query box, facets with counts, dates, hits with highlights, histogram, totals, export."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError
from markupsafe import Markup

from app.errors import flatten_errors
from app.search import services
from app.search.schemas import load_search_args, query_args
from search.backends import SearchUnavailable
from search.documents import number
from search.query import FILTER_FIELDS, Filters, QueryError, SearchQuery

bp = Blueprint("search", __name__, template_folder="templates")

# facet -> the label() vocabulary its values come from (None: show the code)
FACET_LABELS = {"category": "category", "subcategory": "subcategory", "country": "country", "organisation": None,
                "route_country": "country", "transport_mode": "transport_mode",
                "detection_method": "detection_method", "concealment_method": "concealment_method",
                "operation": None, "status": "status", "validation": "validation_state"}
FACET_TITLES = {"category": "Category", "subcategory": "Subcategory", "country": "Country of seizure",
                "organisation": "Reporting organisation", "route_country": "Route country",
                "transport_mode": "Transport mode", "detection_method": "Detection", "concealment_method": "Concealment",
                "operation": "Operation", "status": "Status", "validation": "Validation"}


@bp.before_app_request
def _start_sync_thread() -> None:
    """Under gunicorn (`make run`) each worker process drains the search outbox in a thread."""
    app = current_app._get_current_object()
    if app.testing or not app.config.get("SEARCH_SYNC_THREAD", True):
        return
    state = app.extensions.setdefault(services.EXTENSION, {})
    if not state.get("thread_started"):
        state["thread_started"] = True
        services.start_sync_thread(app)


@bp.get("/search")
@login_required
def index():
    errors: dict[str, list[str]] = {}
    query_error: QueryError | None = None
    result = None
    try:
        query = load_search_args(request.args)
    except ValidationError as exc:
        errors = flatten_errors(exc.messages)
        query = SearchQuery(text=request.args.get("q", ""))
    unavailable: SearchUnavailable | None = None
    if not errors:
        try:
            result = services.search_reports(current_user, query)
        except QueryError as exc:
            query_error = exc
        except SearchUnavailable as exc:
            unavailable = exc
    page = render_template("search/index.html", query=query, result=result, errors=errors,
                           query_error=query_error, unavailable=unavailable,
                           facet_labels=FACET_LABELS, facet_titles=FACET_TITLES,
                           bars=histogram_bars(result.histogram) if result else [],
                           url_with=lambda **changes: _url(query, **changes),
                           toggle_url=lambda facet, value: _toggle(query, facet, value),
                           export_url=_export_url(query), number=number,
                           pointer=_pointer(query.text, query_error) if query_error else "")
    if unavailable:
        return page, 503, {"Retry-After": str(unavailable.retry_after)}
    return page


def _url(query: SearchQuery, **changes) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(query_args(query, **changes))


def _toggle(query: SearchQuery, facet: str, value: str) -> str:
    """The page's URL with one facet value checked or unchecked, back on page 1."""
    current = getattr(query.filters, facet)
    chosen = tuple(v for v in current if v != value) if value in current else (*current, value)
    filters = Filters(**{**{f: getattr(query.filters, f) for f in FILTER_FIELDS}, facet: chosen,
                         "date_from": query.filters.date_from, "date_to": query.filters.date_to,
                         "quantity_min": query.filters.quantity_min, "quantity_max": query.filters.quantity_max})
    return _url(query, filters=filters, page=1)


def _export_url(query: SearchQuery) -> str:
    from urllib.parse import urlencode

    from flask import url_for

    pairs = [(k, v) for k, v in query_args(query) if k not in ("page", "per_page")]
    return url_for("api.search_export") + ("?" + urlencode(pairs) if pairs else "")


def _pointer(text: str, error: QueryError) -> Markup:
    """The query with the error's position marked, for the message under the box."""
    if error.position is None:
        return Markup("")
    at = min(error.position, len(text))
    return Markup("{}<mark class=\"query-error\">{}</mark>{}").format(text[:at], text[at:at + 1] or " ",
                                                                     text[at + 1:at + 40])


def histogram_bars(histogram: list[tuple[str, int]], width: int = 720, height: int = 140) -> list[dict]:
    """Bar geometry of the month histogram for the inline SVG (no chart library)."""
    if not histogram:
        return []
    top = max(count for _month, count in histogram) or 1
    step = width / len(histogram)
    bars = []
    for index, (month, count) in enumerate(histogram):
        bar_height = round(count / top * (height - 20), 1)
        bars.append({"x": round(index * step + step * 0.1, 1), "width": round(step * 0.8, 1),
                     "y": round(height - bar_height, 1), "height": bar_height, "month": month, "count": count,
                     "label": index % max(1, len(histogram) // 12) == 0})
    return bars
