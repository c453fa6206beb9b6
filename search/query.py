"""The query model shared by every backend, and the shape of its results."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

MAX_QUERY_LENGTH = 1000
MAX_RESULT_WINDOW = 10_000  # page * per_page never reaches past this
SORTS = ("relevance", "date_desc", "date_asc", "quantity_desc")
Sort = Literal["relevance", "date_desc", "date_asc", "quantity_desc"]

# Filter field -> facet name. Every filter has a facet with exact counts.
FILTER_FIELDS = ("category", "subcategory", "country", "organisation", "route_country", "transport_mode",
                 "detection_method", "concealment_method", "operation", "status", "validation")


class Viewer(Protocol):
    """What the sharing rule needs to know about the searching user (app.permissions.Viewer fits)."""

    organisation_id: int
    operation_ids: frozenset[int]
    regional_validator: bool

    @property
    def open_distributions(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Filters:
    """Each tuple is OR within the field; fields combine with AND. Values are vocabulary codes, ISO country
    codes, organisation codes and operation codes."""

    category: tuple[str, ...] = ()
    subcategory: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    organisation: tuple[str, ...] = ()
    route_country: tuple[str, ...] = ()
    transport_mode: tuple[str, ...] = ()
    detection_method: tuple[str, ...] = ()
    concealment_method: tuple[str, ...] = ()
    operation: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    validation: tuple[str, ...] = ()  # awaiting, returned, validated (four-eyes validation state)
    date_from: date | None = None  # seizure date, inclusive
    date_to: date | None = None  # inclusive
    quantity_min: float | None = None  # an item's quantity in its canonical unit
    quantity_max: float | None = None


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    # Hits (ids, order) and the total only: no facets, histogram, totals or highlights. For paging
    # through every result (the CSV export), where counting again per page would be wasted work.
    hits_only: bool = False


@dataclass(frozen=True)
class FacetBucket:
    value: str
    count: int


@dataclass(frozen=True)
class Total:
    """Quantity total of items in one canonical unit for a category (and subcategory, None = all)."""

    category: str
    subcategory: str | None
    unit: str
    quantity: float
    reports: int


@dataclass(frozen=True)
class Hit:
    id: str
    reference: str
    seized_at: str  # ISO 8601
    country: str
    organisation: str
    categories: tuple[str, ...]
    summary: str
    highlights: dict[str, list[str]] = field(default_factory=dict)  # field -> HTML fragments (<mark>)
    # tlp, distribution, handling, source_reliability, information_credibility: set by the app from SQL
    # (app.search.services.search_reports), not from an index that may lag behind a change
    marking: dict[str, str | None] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]]
    histogram: list[tuple[str, int]]  # ("2017-10", 12), months in order, no gaps inside the range
    totals: list[Total]


class QueryError(ValueError):
    """A query the user must correct: the message says what and `position` where (0-based, or None)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message, self.position = message, position
