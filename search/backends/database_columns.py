"""In-memory columns of the embedded backend: where facets, histogram and totals are counted.

Matching is cheap in SQLite FTS5 and PostgreSQL; counting ten facets over hundreds of thousands of
hits with GROUP BY is not (0.8–1.6 s at 1 000 000 rows). So each process keeps the filter fields of
every document as numpy arrays indexed by `doc_no`, loaded from `search_documents`/`search_items`
and reloaded when `search_batches` says the index changed. A query becomes a boolean mask over
documents (sharing rule, filters and the text match's doc numbers) and every count is a `bincount`
over that mask. The database stays the truth: this is a cache of derived data, checked before each search.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection

from search.backends.database_schema import documents, items

SHARED_STATUSES = ("submitted", "validated")
SINGLE_FACETS = {"country": "country", "organisation": "organisation", "transport_mode": "transport_mode",
                 "status": "status"}
MULTI_FACETS = {"category": "categories", "subcategory": "subcategories", "route_country": "route_countries",
                "detection_method": "detection_methods", "concealment_method": "concealment_methods",
                "operation": "operations"}


class Codes:
    """A column of strings stored as small integer codes."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.index: dict[str, int] = {}

    def code(self, value: str) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def codes_of(self, values: tuple[str, ...] | list[str]) -> np.ndarray:
        return np.array([self.index[v] for v in values if v in self.index], dtype=np.int32)


@dataclass
class Pairs:
    """A multi-valued field: (doc_no, value code) pairs."""

    docs: np.ndarray
    codes: np.ndarray
    names: Codes

    def docs_with_any(self, values, size: int) -> np.ndarray:  # noqa: ANN001
        mask = np.zeros(size, dtype=bool)
        wanted = self.names.codes_of(list(values))
        if len(wanted):
            mask[self.docs[np.isin(self.codes, wanted)]] = True
        return mask

    def counts(self, doc_mask: np.ndarray) -> dict[str, int]:
        chosen = self.codes[doc_mask[self.docs]]
        return _named_counts(np.bincount(chosen, minlength=len(self.names.values)), self.names)


@dataclass
class Single:
    codes: np.ndarray  # -1 = no value
    names: Codes

    def docs_with_any(self, values) -> np.ndarray:  # noqa: ANN001
        return np.isin(self.codes, self.names.codes_of(list(values)))

    def counts(self, doc_mask: np.ndarray) -> dict[str, int]:
        chosen = self.codes[doc_mask & (self.codes >= 0)]
        return _named_counts(np.bincount(chosen, minlength=len(self.names.values)), self.names)


def _named_counts(counts: np.ndarray, names: Codes) -> dict[str, int]:
    return {names.values[code]: int(counts[code]) for code in np.flatnonzero(counts)}


class Columns:
    """Every live document's filter fields, indexed by doc_no (see the module docstring)."""

    def __init__(self, connection: Connection) -> None:
        doc_rows = connection.execute(select(
            documents.c.doc_no, documents.c.organisation_id, documents.c.distribution, documents.c.seized_ts,
            documents.c.month, documents.c.max_quantity, documents.c.operation_ids,
            *(documents.c[column] for column in SINGLE_FACETS.values()),
            *(documents.c[column] for column in MULTI_FACETS.values()),
        ).where(documents.c.live)).all()
        size = (max((row.doc_no for row in doc_rows), default=0)) + 1
        self.size = size
        doc_nos = np.fromiter((row.doc_no for row in doc_rows), dtype=np.int64, count=len(doc_rows))
        self.live = np.zeros(size, dtype=bool)
        self.live[doc_nos] = True
        self.organisation_id = self._int_column(doc_nos, [row.organisation_id for row in doc_rows], np.int64)
        self.seized_ts = self._int_column(doc_nos, [row.seized_ts for row in doc_rows], np.int64)
        self.max_quantity = np.zeros(size, dtype=np.float64)
        self.max_quantity[doc_nos] = [row.max_quantity for row in doc_rows]
        self.distribution = self._single(doc_nos, [row.distribution for row in doc_rows])
        self.month = self._single(doc_nos, [row.month for row in doc_rows])
        self.single = {facet: self._single(doc_nos, [getattr(row, column) for row in doc_rows])
                       for facet, column in SINGLE_FACETS.items()}
        self.multi = {facet: self._pairs(doc_rows, column) for facet, column in MULTI_FACETS.items()}
        self.operation_ids = self._pairs(doc_rows, "operation_ids")
        self._load_items(connection)
        # Newest first, ties by doc_no: the order of date sorting and of relevance ties.
        live_docs = np.flatnonzero(self.live)
        self.by_date = live_docs[np.lexsort((-live_docs, -self.seized_ts[live_docs]))]
        self.by_quantity = live_docs[np.lexsort((-live_docs, -self.seized_ts[live_docs],
                                                 -self.max_quantity[live_docs]))]

    def _int_column(self, doc_nos: np.ndarray, values: list, dtype) -> np.ndarray:  # noqa: ANN001
        column = np.zeros(self.size, dtype=dtype)
        column[doc_nos] = values
        return column

    def _single(self, doc_nos: np.ndarray, values: list[str | None]) -> Single:
        names = Codes()
        codes = np.full(self.size, -1, dtype=np.int32)
        codes[doc_nos] = [names.code(v) if v is not None else -1 for v in values]
        return Single(codes, names)

    def _pairs(self, rows: list, column: str) -> Pairs:
        names = Codes()
        docs: list[int] = []
        codes: list[int] = []
        for row in rows:
            for value in getattr(row, column).split():
                docs.append(row.doc_no)
                codes.append(names.code(value))
        return Pairs(np.array(docs, dtype=np.int64), np.array(codes, dtype=np.int32), names)

    def _load_items(self, connection: Connection) -> None:
        rows = connection.execute(select(items.c.doc_no, items.c.category, items.c.subcategory, items.c.unit,
                                         items.c.quantity).join(documents, documents.c.doc_no == items.c.doc_no)
                                  .where(documents.c.live)).all()
        self.item_categories, self.item_subcategories, self.item_units = Codes(), Codes(), Codes()
        self.item_doc = np.fromiter((r.doc_no for r in rows), dtype=np.int64, count=len(rows))
        self.item_category = np.fromiter((self.item_categories.code(r.category) for r in rows), dtype=np.int32,
                                         count=len(rows))
        self.item_subcategory = np.fromiter(
            (self.item_subcategories.code(r.subcategory) if r.subcategory else -1 for r in rows), dtype=np.int32,
            count=len(rows))
        self.item_unit = np.fromiter((self.item_units.code(r.unit) for r in rows), dtype=np.int32, count=len(rows))
        self.item_quantity = np.fromiter((r.quantity for r in rows), dtype=np.float64, count=len(rows))

    def empty_mask(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def docs_mask(self, doc_nos: np.ndarray) -> np.ndarray:
        mask = self.empty_mask()
        doc_nos = doc_nos[doc_nos < self.size]
        mask[doc_nos] = True
        return mask
