"""Search backends. `SearchBackend` is the contract both implement (tests/search/contract.py checks it)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from search.query import SearchQuery, SearchResult, Viewer


class SearchBackend(Protocol):
    name: str  # "database" or "elasticsearch"

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        """Hits, facets, histogram and totals of the documents `viewer` may see (the rule is inside the
        query, never a post-filter). Raises search.query.QueryError for a query the user must fix."""

    def index(self, documents: Iterable[dict]) -> int:
        """Add or replace documents (search.documents.build_document output); returns how many."""

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by report id; unknown ids are ignored."""

    def count(self) -> int:
        """Documents in the live index."""

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Build a fresh index from all documents and make it live atomically; the old one keeps
        answering until the swap, and a failed rebuild leaves it untouched."""

    def ping(self) -> bool:
        """Is the engine reachable?"""


class SearchUnavailable(RuntimeError):
    """The engine cannot answer now — unreachable, or the embedded index still loading after a start.
    Not the user's fault and not a bug: the app answers 503 with `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


class DocumentsRefused(RuntimeError):
    """The engine refused these documents (e.g. a value its mapping cannot parse) and accepted the
    others of the same call. `ids` are report ids; `reasons` the engine's error types, never content."""

    def __init__(self, message: str, ids: list[str], reasons: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.ids, self.reasons = ids, list(reasons)
