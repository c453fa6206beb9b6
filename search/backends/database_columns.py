"""In-memory columns of the embedded backend: where facets, histogram and totals are counted.

Matching is cheap in SQLite FTS5 and PostgreSQL; counting ten facets over hundreds of thousands of
hits with GROUP BY is not (0.8–1.6 s at 1 000 000 rows). So each process keeps the filter fields of
every document as numpy arrays indexed by `doc_no`, loaded from `search_documents`/`search_items`
and reloaded when `search_batches` says the index changed. A query becomes a boolean mask over
documents (sharing rule, filters and the text match's doc numbers) and every count is a `bincount`
over that mask. The database stays the truth: this is a cache of derived data, checked before each search.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Connection

SHARED_STATUSES = ("submitted", "validated")
_GENERATIONS = itertools.count(1)
SINGLE_FACETS = {"country": "country", "organisation": "organisation", "transport_mode": "transport_mode",
                 "status": "status", "validation": "validation"}
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
        if found is None:  # the value first, then its code: a reader in another thread never meets a code
            self.values.append(value)  # without its value
            found = self.index[value] = len(self.values) - 1
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
            table = np.zeros(len(self.names.values), dtype=bool)
            table[wanted] = True
            mask[self.docs[table[self.codes]]] = True
        return mask

    def counts(self, doc_mask: np.ndarray) -> dict[str, int]:
        chosen = self.codes[doc_mask[self.docs]]
        return _named_counts(np.bincount(chosen, minlength=len(self.names.values)), self.names)


@dataclass
class Single:
    codes: np.ndarray  # -1 = no value
    names: Codes

    def docs_with_any(self, values) -> np.ndarray:  # noqa: ANN001
        table = np.zeros(len(self.names.values) + 1, dtype=bool)  # slot 0: no value (code -1)
        table[self.names.codes_of(list(values)) + 1] = True
        return table[self.codes + 1]

    def counts(self, doc_mask: np.ndarray) -> dict[str, int]:
        chosen = self.codes[doc_mask & (self.codes >= 0)]
        return _named_counts(np.bincount(chosen, minlength=len(self.names.values)), self.names)


def _named_counts(counts: np.ndarray, names: Codes) -> dict[str, int]:
    return {names.values[code]: int(counts[code]) for code in np.flatnonzero(counts)}


class Columns:
    """Every live document's filter fields, indexed by doc_no (see the module docstring).

    Loading is column-wise and vectorised (one DBAPI fetch, `zip`, C-level `map` for the codes):
    about a second per 100 000 documents."""

    NAMES = ("doc_no", "organisation_id", "seized_ts", "max_quantity", "distribution", "month",
             *SINGLE_FACETS.values(), *MULTI_FACETS.values(), "operation_ids")

    def __init__(self, connection: Connection) -> None:
        names = list(self.NAMES)
        rows = connection.exec_driver_sql(
            f"SELECT {', '.join(names)} FROM search_documents WHERE live ORDER BY doc_no").fetchall()
        data = dict(zip(names, zip(*rows))) if rows else {name: () for name in names}
        del rows
        doc_nos = np.array(data["doc_no"], dtype=np.int64)
        self.size = int(doc_nos[-1]) + 1 if len(doc_nos) else 1
        self.live = np.zeros(self.size, dtype=bool)
        self.live[doc_nos] = True
        self.organisation_id = self._numbers(doc_nos, data["organisation_id"], np.int64)
        self.seized_ts = self._numbers(doc_nos, data["seized_ts"], np.int64)
        self.max_quantity = self._numbers(doc_nos, data["max_quantity"], np.float64)
        self.distribution = self._single(doc_nos, data["distribution"])
        self.month = self._single(doc_nos, data["month"])
        self.single = {facet: self._single(doc_nos, data[column]) for facet, column in SINGLE_FACETS.items()}
        self.multi = {facet: self._pairs(doc_nos, data[column]) for facet, column in MULTI_FACETS.items()}
        self.operation_ids = self._pairs(doc_nos, data["operation_ids"])
        del data
        self._load_items(connection)
        self._orders()
        self.generation = next(_GENERATIONS)  # with `version` (bumped by every refresh): keys cached masks
        self.version = 0

    def _orders(self) -> None:
        # Newest first, ties by doc_no: the order of date sorting and of relevance ties.
        live_docs = np.flatnonzero(self.live)
        self.by_date = live_docs[np.lexsort((-live_docs, -self.seized_ts[live_docs]))]
        self.by_quantity = live_docs[np.lexsort((-live_docs, -self.seized_ts[live_docs],
                                                 -self.max_quantity[live_docs]))]

    # --- keeping up with changes ------------------------------------------------------------------------

    def refreshed(self, connection: Connection, since_seq: int) -> Columns | None:
        """A copy with the documents written after batch `since_seq` applied, or None when there are too
        many to patch (the caller reloads everything instead). Copy on write: searches running in other
        threads of the process (gthread workers) keep reading these columns, unchanged."""
        new = copy.copy(self)
        new.live, new.organisation_id = self.live.copy(), self.organisation_id.copy()
        new.seized_ts, new.max_quantity = self.seized_ts.copy(), self.max_quantity.copy()
        new.distribution, new.month = _copied(self.distribution), _copied(self.month)
        new.single = {facet: _copied(single) for facet, single in self.single.items()}
        new.multi = {facet: Pairs(pairs.docs, pairs.codes, pairs.names) for facet, pairs in self.multi.items()}
        new.operation_ids = Pairs(self.operation_ids.docs, self.operation_ids.codes, self.operation_ids.names)
        return new if new._refresh(connection, since_seq) else None

    def _refresh(self, connection: Connection, since_seq: int) -> bool:
        """Apply the documents written after batch `since_seq` in place (deleted ones are rows with live
        false); False when there are too many to patch."""
        self.version += 1
        rows = connection.exec_driver_sql(
            f"SELECT live, {', '.join(self.NAMES)} FROM search_documents WHERE seq > {int(since_seq)} "
            "ORDER BY doc_no").fetchall()
        if len(rows) > max(5_000, int(np.count_nonzero(self.live)) // 5):
            return False
        if not rows:
            return True
        changed = np.array([row[1] for row in rows], dtype=np.int64)
        self._grow(int(changed.max()) + 1)
        live_rows = [row for row in rows if row[0]]
        self.live[changed] = [bool(row[0]) for row in rows]
        for row in live_rows:
            data = dict(zip(self.NAMES, row[1:]))
            doc = data["doc_no"]
            self.organisation_id[doc], self.seized_ts[doc] = data["organisation_id"], data["seized_ts"]
            self.max_quantity[doc] = data["max_quantity"]
            for single, column in ((self.distribution, "distribution"), (self.month, "month"),
                                   *((self.single[f], c) for f, c in SINGLE_FACETS.items())):
                value = data[column]
                single.codes[doc] = single.names.code(value) if value is not None else -1
        position = {name: index + 1 for index, name in enumerate(self.NAMES)}
        for facet, column in [*MULTI_FACETS.items(), ("operation_ids", "operation_ids")]:
            pairs = self.operation_ids if facet == "operation_ids" else self.multi[facet]
            keep = ~np.isin(pairs.docs, changed)
            docs = [row[1] for row in live_rows for _value in row[position[column]].split()]
            codes = [pairs.names.code(value) for row in live_rows for value in row[position[column]].split()]
            pairs.docs = np.concatenate([pairs.docs[keep], np.array(docs, dtype=np.int64)])
            pairs.codes = np.concatenate([pairs.codes[keep], np.array(codes, dtype=np.int32)])
        item_rows = connection.exec_driver_sql(
            "SELECT i.doc_no, i.category, i.subcategory, i.unit, i.quantity FROM search_items i "
            f"JOIN search_documents d ON d.doc_no = i.doc_no WHERE d.seq > {int(since_seq)} AND d.live "
            "ORDER BY i.doc_no, i.id").fetchall()
        # Only the items of the documents read above: on PostgreSQL (read committed) this second statement
        # also sees documents written since, which the next refresh brings in whole.
        patched = {row[1] for row in live_rows}
        item_rows = [row for row in item_rows if row[0] in patched]
        keep = ~np.isin(self.item_doc, changed)
        self.item_doc = np.concatenate([self.item_doc[keep], np.array([r[0] for r in item_rows], dtype=np.int64)])
        self.item_quantity = np.concatenate([self.item_quantity[keep],
                                             np.array([r[4] for r in item_rows], dtype=np.float64)])
        self.item_category = np.concatenate([self.item_category[keep], np.array(
            [self.item_categories.code(r[1]) for r in item_rows], dtype=np.int32)])
        self.item_subcategory = np.concatenate([self.item_subcategory[keep], np.array(
            [self.item_subcategories.code(r[2]) if r[2] else -1 for r in item_rows], dtype=np.int32)])
        self.item_unit = np.concatenate([self.item_unit[keep], np.array(
            [self.item_units.code(r[3]) for r in item_rows], dtype=np.int32)])
        self._groups()
        self._orders()
        return True

    def _grow(self, size: int) -> None:
        if size <= self.size:
            return
        size = max(size, self.size + self.size // 4)
        extra = size - self.size
        self.live = np.concatenate([self.live, np.zeros(extra, dtype=bool)])
        self.organisation_id = np.concatenate([self.organisation_id, np.zeros(extra, dtype=np.int64)])
        self.seized_ts = np.concatenate([self.seized_ts, np.zeros(extra, dtype=np.int64)])
        self.max_quantity = np.concatenate([self.max_quantity, np.zeros(extra, dtype=np.float64)])
        for single in (self.distribution, self.month, *self.single.values()):
            single.codes = np.concatenate([single.codes, np.full(extra, -1, dtype=np.int32)])
        self.size = size

    def _numbers(self, doc_nos: np.ndarray, values: tuple, dtype) -> np.ndarray:  # noqa: ANN001
        column = np.zeros(self.size, dtype=dtype)
        column[doc_nos] = np.array(values, dtype=dtype)
        return column

    def _single(self, doc_nos: np.ndarray, values: tuple) -> Single:
        names = _codes_for(set(values) - {None})
        codes = np.full(self.size, -1, dtype=np.int32)
        lookup = {**names.index, None: -1}
        codes[doc_nos] = np.fromiter(map(lookup.__getitem__, values), dtype=np.int32, count=len(values))
        return Single(codes, names)

    def _pairs(self, doc_nos: np.ndarray, joined: tuple) -> Pairs:
        """Space-separated values per document -> (doc_no, code) pairs."""
        split = list(map(str.split, joined))
        counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        flat = [value for values in split for value in values]
        names = _codes_for(set(flat))
        codes = np.fromiter(map(names.index.__getitem__, flat), dtype=np.int32, count=len(flat))
        return Pairs(np.repeat(doc_nos, counts), codes, names)

    def _load_items(self, connection: Connection) -> None:
        rows = connection.exec_driver_sql(
            "SELECT i.doc_no, i.category, i.subcategory, i.unit, i.quantity FROM search_items i "
            "JOIN search_documents d ON d.doc_no = i.doc_no WHERE d.live ORDER BY i.doc_no, i.id").fetchall()
        # Only the items of the documents loaded: on PostgreSQL (read committed) this second statement also
        # sees documents written since, which the next refresh brings in.
        rows = [row for row in rows if row[0] < self.size and self.live[row[0]]]
        doc, category, subcategory, unit, quantity = zip(*rows) if rows else ((), (), (), (), ())
        del rows
        self.item_doc = np.array(doc, dtype=np.int64)
        self.item_quantity = np.array(quantity, dtype=np.float64)
        self.item_categories = _codes_for(set(category))
        self.item_subcategories = _codes_for(set(subcategory) - {None})
        self.item_units = _codes_for(set(unit))
        subcategory_codes = {**self.item_subcategories.index, None: -1}
        self.item_category = np.fromiter(map(self.item_categories.index.__getitem__, category), dtype=np.int32,
                                         count=len(category))
        self.item_subcategory = np.fromiter(map(subcategory_codes.__getitem__, subcategory), dtype=np.int32,
                                            count=len(subcategory))
        self.item_unit = np.fromiter(map(self.item_units.index.__getitem__, unit), dtype=np.int32, count=len(unit))
        self._groups()

    def _groups(self) -> None:
        # Totals groups, computed once: (category, unit) and (category, subcategory, unit) as dense ids,
        # and whether an item is the first of its group within its report (reports counted without sorting).
        self.groups = {}
        for level in ("category", "subcategory"):
            sub = self.item_subcategory if level == "subcategory" else np.zeros_like(self.item_subcategory)
            keys = (self.item_category.astype(np.int64) * 4096 + (sub + 1)) * 4096 + self.item_unit
            unique, ids = np.unique(keys, return_inverse=True)
            ids = ids.reshape(-1)
            pair = ids.astype(np.int64) * self.size + self.item_doc
            first = np.ones(len(pair), dtype=bool)
            if len(pair):
                order = np.lexsort((np.arange(len(pair)), pair))
                first[order[1:]] = pair[order[1:]] != pair[order[:-1]]
            self.groups[level] = (unique, ids, first)

    def empty_mask(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def docs_mask(self, doc_nos: np.ndarray) -> np.ndarray:
        mask = self.empty_mask()
        doc_nos = doc_nos[doc_nos < self.size]
        mask[doc_nos] = True
        return mask


def _codes_for(values: set) -> Codes:
    names = Codes()
    for value in sorted(values):
        names.code(value)
    return names


def _copied(single: Single) -> Single:
    return Single(single.codes.copy(), single.names)
