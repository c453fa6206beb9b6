"""The embedded backend: SQLite FTS5 or PostgreSQL full text for matching, numpy columns for counting.

Writes go to the backend's own tables (search/backends/database_schema.py) through the connection
the caller hands over, so the app can index in the same transaction as a report change. A search:
1. parses the text (search.parser) and compiles it to FTS5/tsquery (database_text), once without
   the persons text and, for those allowed to match persons, once with it;
2. builds a boolean mask over documents: the sharing rule, every filter and the text match
   (database_columns) — every count below is taken inside that mask, never after it;
3. counts facets, the month histogram and the totals, sorts, pages, and reads the page's display
   data back from SQL, highlighting it in Python.
"""
from __future__ import annotations

import json
from collections import OrderedDict
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime, time, timezone
from time import monotonic

import numpy as np
from sqlalchemy import bindparam, delete, func, insert, select, text as sql, update
from sqlalchemy.engine import Connection

from search.backends import SearchUnavailable
from search.backends import database_text as fulltext
from search.backends.database_columns import SHARED_STATUSES, Columns
from search.backends.database_schema import FTS_TABLE, batches, documents, items, pg_text
from search.parser import Query, parse
from search.query import (FILTER_FIELDS, MAX_RESULT_WINDOW, FacetBucket, Filters, Hit, QueryError, SearchQuery,
                          SearchResult, Total, Viewer)
from search.text import Highlighter

log = logging.getLogger(__name__)

CHUNK = 500
BATCH_LOCK = 0x454C4958  # "ELIX": the advisory lock that orders search batches on PostgreSQL
KEEP_BATCHES = 100
MATCH_CACHE_NUMBERS = 4_000_000  # doc numbers (and ranks) kept from recent text matches: 32 MB at most
LOAD_WAIT = 5.0  # seconds a search waits for a background load of the columns (gunicorn's timeout is 30)
Connect = Callable[[], AbstractContextManager[Connection]]


class DatabaseBackend:
    """`connect()` returns a context manager giving a Connection; it decides the transaction
    (the caller's own, or one committed per call)."""

    name = "database"

    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._columns: Columns | None = None
        self._stamp: tuple[int, str] | None = None
        self._counted: tuple[tuple[int, str], int] | None = None
        self._visibility: dict[tuple, np.ndarray] = {}
        self._matches: OrderedDict[tuple, tuple[np.ndarray, ...]] = OrderedDict()
        self._load_connect: Connect | None = None  # set: full loads run in a background thread
        self._loading: threading.Thread | None = None
        self._loading_since = 0.0

    def load_in_background(self, connect: Connect, wait: float = LOAD_WAIT) -> threading.Thread:
        """From now on, load the in-memory columns in a thread of their own, on connections from
        `connect` (committed data: a server process, not a test's transaction), and start now.

        A full load takes about a second per 100 000 documents (minutes at a million: longer than a
        request may take), so a search waits for it at most `wait` seconds; then it answers from the
        previous columns when there are some (a few changes behind, hits re-checked in SQL by the app)
        or raises SearchUnavailable (a 503 saying the index is loading)."""
        self._load_connect, self._load_wait = connect, wait
        return self._start_loading()

    def _start_loading(self) -> threading.Thread:
        with self._lock:
            if self._loading is None or not self._loading.is_alive():
                self._loading = threading.Thread(target=self._load, name="elix-search-columns", daemon=True)
                self._loading_since = monotonic()
                self._loading.start()
            return self._loading

    def _load(self) -> None:
        started = monotonic()
        try:
            with self._load_connect() as connection:
                stamp = self._latest_batch(connection)  # before the rows: later batches are patched in after
                columns = Columns(connection)
        except Exception:  # noqa: BLE001 - the next search starts another load
            log.exception("search: loading the in-memory columns failed")
            return
        with self._lock:
            self._columns, self._stamp = columns, stamp
        log.info("search: %d documents loaded into memory in %.1f s", np.count_nonzero(columns.live),
                 monotonic() - started)

    # --- writing ------------------------------------------------------------------------------------

    def index(self, docs: Iterable[dict]) -> int:
        written = 0
        for chunk in _chunks(docs, CHUNK):
            with self._connect() as connection:
                written += self._write(connection, chunk, self._new_batch(connection))
        return written

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        with self._connect() as connection:
            doc_nos = connection.execute(select(documents.c.doc_no).where(documents.c.id.in_(ids),
                                                                          documents.c.live)).scalars().all()
            if doc_nos:
                self._remove(connection, list(doc_nos), self._new_batch(connection))
            return len(doc_nos)

    def rebuild(self, docs: Iterable[dict]) -> int:
        """Replace every document in place, chunk by chunk (each chunk is one `connect()`), then drop
        the documents of reports that no longer exist. Searches see a complete index throughout: each
        document is either its old or its new version; a failed rebuild leaves it that way."""
        with self._connect() as connection:
            start = self._new_batch(connection)
        written = self.index(docs)
        with self._connect() as connection:
            stale = connection.execute(select(documents.c.doc_no).where(documents.c.seq < start,
                                                                        documents.c.live)).scalars().all()
            if stale:
                self._remove(connection, list(stale), self._new_batch(connection))
        return written

    def count(self) -> int:
        """Live documents; counted once per index change (a full scan at a million rows), so that
        /healthz stays cheap."""
        with self._connect() as connection:
            stamp = self._latest_batch(connection)
            with self._lock:
                if self._counted is not None and self._counted[0] == stamp:
                    return self._counted[1]
            counted = int(connection.execute(select(func.count()).select_from(documents)
                                             .where(documents.c.live)).scalar_one())
            with self._lock:
                self._counted = (stamp, counted)
            return counted

    def _latest_batch(self, connection: Connection) -> tuple[int, str]:
        latest = connection.execute(select(batches.c.seq, batches.c.stamp).order_by(batches.c.seq.desc())
                                    .limit(1)).first()
        return (int(latest[0]), latest[1]) if latest else (0, "")

    def ping(self) -> bool:
        try:
            with self._connect() as connection:
                connection.execute(select(func.count()).select_from(batches))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            log.warning("search database not reachable", exc_info=True)
            return False

    def _new_batch(self, connection: Connection) -> int:
        if connection.dialect.name == "postgresql":
            # Batches commit in seq order (SQLite serialises writers anyway), so a process that has
            # seen batch n has seen every batch before it.
            connection.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": BATCH_LOCK})
        seq = connection.execute(insert(batches).values(stamp=uuid.uuid4().hex, created_at=datetime.now(timezone.utc))
                                 .returning(batches.c.seq)).scalar_one()
        if seq % KEEP_BATCHES == 0:
            connection.execute(delete(batches).where(batches.c.seq <= seq - KEEP_BATCHES))
        return seq

    def _write(self, connection: Connection, chunk: list[dict], seq: int) -> int:
        newest: dict[str, dict] = {}
        for doc in chunk:
            kept = newest.get(doc["id"])
            if kept is None or doc["version"] >= kept["version"]:
                newest[doc["id"]] = doc
        stored = {row.id: row for row in connection.execute(
            select(documents.c.id, documents.c.doc_no, documents.c.version).where(documents.c.id.in_(list(newest))))}
        replace = [doc for doc in newest.values() if doc["id"] in stored and doc["version"] >= stored[doc["id"]].version]
        new = [doc for doc in newest.values() if doc["id"] not in stored]
        if replace:
            doc_nos = [stored[doc["id"]].doc_no for doc in replace]
            self._remove_text_and_items(connection, doc_nos)
            connection.execute(update(documents).where(documents.c.doc_no == bindparam("b_doc_no")),
                               [{**_row(doc, seq), "b_doc_no": n} for doc, n in zip(replace, doc_nos, strict=True)])
        if new:
            connection.execute(insert(documents), [_row(doc, seq) for doc in new])
        written = replace + new
        if not written:
            return 0
        numbers = dict(connection.execute(select(documents.c.id, documents.c.doc_no)
                                          .where(documents.c.id.in_([d["id"] for d in written]))).all())
        item_rows = [{"doc_no": numbers[doc["id"]], "category": item["category"], "subcategory": item["subcategory"],
                      "unit": item["unit"], "quantity": item["quantity"]} for doc in written for item in doc["items"]]
        if item_rows:
            connection.execute(insert(items), item_rows)
        self._insert_text(connection, [(numbers[doc["id"]], *fulltext.analysed(doc)) for doc in written])
        return len(written)

    def _insert_text(self, connection: Connection, rows: list[tuple[int, str, str, str]]) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(sql(
                "INSERT INTO search_text (doc_no, tsv) VALUES (:doc_no, "
                "setweight(to_tsvector('simple', :stems), 'A') || setweight(to_tsvector('simple', :raw), 'B') || "
                "setweight(to_tsvector('simple', :persons), 'C'))"),
                [{"doc_no": n, "stems": s, "raw": r, "persons": p} for n, s, r, p in rows])
        else:
            connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE} (rowid, stems, raw, persons) VALUES (?, ?, ?, ?)",
                                       rows)

    def _remove_text_and_items(self, connection: Connection, doc_nos: list[int]) -> None:
        for part in _chunks(doc_nos, 900):
            connection.execute(delete(items).where(items.c.doc_no.in_(part)))
            if connection.dialect.name == "postgresql":
                connection.execute(delete(pg_text).where(pg_text.c.doc_no.in_(part)))
            else:
                connection.exec_driver_sql(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({','.join('?' * len(part))})",
                                           tuple(part))

    def _remove(self, connection: Connection, doc_nos: list[int], seq: int) -> None:
        """Documents become tombstones (live false, this batch's seq) so that every process's
        columns see the removal; a later index of the same report brings the row back."""
        self._remove_text_and_items(connection, doc_nos)
        for part in _chunks(doc_nos, 900):
            connection.execute(update(documents).where(documents.c.doc_no.in_(part)).values(live=False, seq=seq))

    # --- searching ------------------------------------------------------------------------------------

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        parsed = parse(query.text or "")
        _check_window(query)
        with self._connect() as connection:
            stamp = self._latest_batch(connection)
            columns = self._current_columns(connection, stamp)
            mask = self._visible(columns, viewer) & _filtered(columns, query.filters)
            item_ok = _item_conditions(columns, query.filters)
            if _has_item_conditions(query.filters):
                mask &= _docs_of_items(columns, item_ok)
            scores = None
            if not parsed.is_empty:
                text_mask, scores = self._match(_Matcher(connection, stamp, self), columns, parsed, viewer,
                                                query.sort == "relevance")
                mask &= text_mask
            total = int(np.count_nonzero(mask))
            page_docs = _page(columns, mask, query, scores)
            if query.hits_only:
                return SearchResult(total=total, page=query.page, per_page=query.per_page, facets={}, histogram=[],
                                    totals=[], hits=self._hits(connection, page_docs, parse("")))
            return SearchResult(
                total=total, page=query.page, per_page=query.per_page,
                hits=self._hits(connection, page_docs, parsed),
                facets=_facets(columns, mask),
                histogram=_histogram(columns, mask),
                totals=_totals(columns, mask, item_ok, _has_item_conditions(query.filters),
                               _has_quantity_range(query.filters)),
            )

    def _current_columns(self, connection: Connection, stamp: tuple[int, str]) -> Columns:
        """The in-memory columns as of the latest batch: patched with the documents written since
        the cached batch when that batch is still there (not rolled back), else reloaded — here, or
        in the background thread (see load_in_background)."""
        with self._lock:
            if self._columns is not None and self._stamp != stamp:
                seq, known = self._stamp
                intact = connection.execute(select(batches.c.stamp).where(batches.c.seq == seq)).scalar() == known
                refreshed = self._columns.refreshed(connection, seq) if intact and stamp[0] > seq else None
                if refreshed is not None:
                    self._columns, self._stamp = refreshed, stamp
            if self._columns is not None and self._stamp == stamp:
                return self._columns
            if self._load_connect is None:
                self._columns, self._stamp = Columns(connection), stamp
                return self._columns
            previous = self._columns
        loading = self._start_loading()
        loading.join(self._load_wait)
        with self._lock:
            if self._columns is not None and self._columns is not previous:
                return self._columns  # freshly loaded (batches written meanwhile are patched in next time)
            if previous is not None:
                log.info("search: answering from the previous columns while they reload")
                return previous
            waited = monotonic() - self._loading_since
        raise SearchUnavailable(f"the search index is loading into memory ({waited:.0f} s so far)", retry_after=15)

    def _visible(self, columns: Columns, viewer: Viewer) -> np.ndarray:
        """The viewer's visibility mask (live documents only), cached per columns version."""
        key = (columns.generation, columns.version, viewer.organisation_id, tuple(viewer.open_distributions),
               tuple(sorted(viewer.operation_ids)))
        with self._lock:
            cached = self._visibility.get(key)
        if cached is None:
            cached = columns.live & _visible(columns, viewer)
            with self._lock:
                if len(self._visibility) >= 64:
                    self._visibility.clear()
                self._visibility[key] = cached
        return cached

    def _match(self, matcher: _Matcher, columns: Columns, parsed: Query, viewer: Viewer,
               want_scores: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Documents the text matches, and their rank scores (lower first) when asked and affordable.
        The persons text counts only where the viewer may see persons: their own organisation's
        documents, or every visible one for regional-office validators."""
        persons_allowed = (np.ones(columns.size, dtype=bool) if viewer.regional_validator
                           else columns.organisation_id == viewer.organisation_id)
        mask = columns.empty_mask()
        scores = np.full(columns.size, np.inf) if want_scores else None
        for persons, where in ((False, ~persons_allowed), (True, persons_allowed)):
            if not where.any():
                continue
            required, excluded = fulltext.expressions(matcher.connection, parsed, persons)
            part = (columns.docs_mask(matcher.docs(required)) if required
                    else columns.live.copy())
            if excluded:
                part &= ~columns.docs_mask(matcher.docs(excluded))
            part &= where
            mask |= part
            if scores is None or not required:
                continue
            if np.count_nonzero(part) > fulltext.RANK_LIMIT:
                scores = None  # too many matches to rank: newest first
                continue
            doc_nos, values = matcher.ranks(required)
            keep = doc_nos < columns.size
            doc_nos, values = doc_nos[keep], values[keep]
            inside = part[doc_nos]
            scores[doc_nos[inside]] = values[inside]
        return mask, scores

    def _hits(self, connection: Connection, doc_nos: list[int], parsed: Query) -> list[Hit]:
        if not doc_nos:
            return []
        rows = dict(connection.execute(select(documents.c.doc_no, documents.c.display)
                                       .where(documents.c.doc_no.in_(doc_nos))).all())
        highlighter = Highlighter(parsed)
        hits = []
        for doc_no in doc_nos:
            shown = json.loads(rows[doc_no])
            highlights: dict[str, list[str]] = {}
            if highlighter:
                language = shown.get("language")
                for field in ("narrative", "concealment_details"):
                    found = highlighter.fragments(shown.get(field), language)
                    if found:
                        highlights[field] = found
                described = [f for d in shown.get("descriptions", []) for f in highlighter.fragments(d, language, 1)]
                if described:
                    highlights["items.description"] = described[:3]
            hits.append(Hit(id=shown["id"], reference=shown["reference"], seized_at=shown["seized_at"],
                            country=shown["country"], organisation=shown["organisation"],
                            categories=tuple(shown["categories"]), summary=shown["summary"], highlights=highlights))
        return hits


class _Matcher:
    """Text matches of one search, through the backend's cache of recent matches.

    Matching a common word in FTS5 or tsquery costs 0.1–0.2 s at a million documents, and the same
    text comes back with every page, facet click and sort change. The doc numbers an expression
    matches depend only on the index contents, which the latest batch stamp identifies (every write
    makes a new batch, uncommitted and rolled-back ones included), so they are kept per
    (stamp, expression) — never per viewer: the sharing rule is applied to them afterwards."""

    def __init__(self, connection: Connection, stamp: tuple[int, str], backend: DatabaseBackend) -> None:
        self.connection, self._stamp, self._backend = connection, stamp, backend

    def docs(self, expression: str) -> np.ndarray:
        return self._cached("docs", expression, lambda: (fulltext.matching_docs(self.connection, expression),))[0]

    def ranks(self, expression: str) -> tuple[np.ndarray, np.ndarray]:
        return self._cached("ranks", expression, lambda: fulltext.ranks(self.connection, expression))

    def _cached(self, kind: str, expression: str, compute: Callable[[], tuple[np.ndarray, ...]]) -> tuple:
        key, cache, lock = (self._stamp, kind, expression), self._backend._matches, self._backend._lock
        with lock:
            found = cache.get(key)
            if found is not None:
                cache.move_to_end(key)
                return found
        found = compute()
        with lock:
            cache[key] = found
            while sum(len(a) for arrays in cache.values() for a in arrays) > MATCH_CACHE_NUMBERS and len(cache) > 1:
                cache.popitem(last=False)
        return found


# --- rows -----------------------------------------------------------------------------------------------

def _row(doc: dict, seq: int) -> dict:
    seized = datetime.fromisoformat(doc["seized_at"].replace("Z", "+00:00"))
    display = {key: doc.get(key) for key in ("id", "reference", "seized_at", "country", "organisation",
                                              "categories", "summary", "narrative", "concealment_details",
                                              "language")}
    display["descriptions"] = [item["description"] for item in doc["items"] if item.get("description")]
    return {
        "id": doc["id"], "version": doc["version"], "seq": seq, "live": True,
        "organisation_id": doc["organisation_id"], "organisation": doc["organisation"], "status": doc["status"],
        "distribution": doc["distribution"], "country": doc["country"], "transport_mode": doc.get("transport_mode"),
        "validation": doc.get("validation"),
        "seized_ts": int(seized.timestamp()), "month": doc["seized_month"],
        "categories": " ".join(doc["categories"]), "subcategories": " ".join(doc["subcategories"]),
        "route_countries": " ".join(doc["route_countries"]),
        "detection_methods": " ".join(doc["detection_methods"]),
        "concealment_methods": " ".join(doc["concealment_methods"]),
        "operations": " ".join(doc["operations"]), "operation_ids": " ".join(str(i) for i in doc["operation_ids"]),
        "max_quantity": max((item["quantity"] for item in doc["items"]), default=0.0),
        "display": json.dumps(display, ensure_ascii=False),
    }


def _chunks(values: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the query as masks -------------------------------------------------------------------------------------

def _check_window(query: SearchQuery) -> None:
    if query.page < 1 or query.per_page < 1:
        raise QueryError("page and per_page start at 1")
    if query.page * query.per_page > MAX_RESULT_WINDOW:
        raise QueryError(f"results stop at {MAX_RESULT_WINDOW:,}: narrow the search instead of paging further")


def _visible(columns: Columns, viewer: Viewer) -> np.ndarray:
    """The sharing rule of app.permissions, as a mask (own organisation, or shared and open to the viewer)."""
    own = columns.organisation_id == viewer.organisation_id
    shared = columns.single["status"].docs_with_any(SHARED_STATUSES)
    reach = columns.distribution.docs_with_any(viewer.open_distributions)
    if viewer.operation_ids:
        linked = columns.operation_ids.docs_with_any([str(i) for i in viewer.operation_ids], columns.size)
        reach |= columns.distribution.docs_with_any(["operation"]) & linked
    return own | (shared & reach)


def _filtered(columns: Columns, filters: Filters) -> np.ndarray:
    mask = columns.live.copy()
    for facet, single in columns.single.items():
        wanted = getattr(filters, facet)
        if wanted:
            mask &= single.docs_with_any(wanted)
    for facet in ("route_country", "detection_method", "concealment_method", "operation"):
        wanted = getattr(filters, facet)
        if wanted:
            mask &= columns.multi[facet].docs_with_any(wanted, columns.size)
    if filters.date_from:
        mask &= columns.seized_ts >= _timestamp(filters.date_from, time.min)
    if filters.date_to:
        mask &= columns.seized_ts <= _timestamp(filters.date_to, time.max)
    return mask


def _timestamp(day: date, at: time) -> int:
    return int(datetime.combine(day, at, timezone.utc).timestamp())


def _has_item_conditions(filters: Filters) -> bool:
    return bool(filters.category or filters.subcategory or filters.quantity_min is not None
                or filters.quantity_max is not None)


def _has_quantity_range(filters: Filters) -> bool:
    return filters.quantity_min is not None or filters.quantity_max is not None


def _item_conditions(columns: Columns, filters: Filters) -> np.ndarray:
    """Items satisfying every item condition given (category, subcategory, quantity range): a
    report matches them when one of its items does, and only such items count in the totals."""
    ok = np.ones(len(columns.item_doc), dtype=bool)
    if filters.category:
        ok &= _lookup(columns.item_categories, filters.category)[columns.item_category + 1]
    if filters.subcategory:
        ok &= _lookup(columns.item_subcategories, filters.subcategory)[columns.item_subcategory + 1]
    if filters.quantity_min is not None:
        ok &= columns.item_quantity >= filters.quantity_min
    if filters.quantity_max is not None:
        ok &= columns.item_quantity <= filters.quantity_max
    return ok


def _lookup(names, values) -> np.ndarray:  # noqa: ANN001
    """A table indexed by code + 1 (slot 0: no value) that is true for the wanted values."""
    table = np.zeros(len(names.values) + 1, dtype=bool)
    table[names.codes_of(list(values)) + 1] = True
    return table


def _docs_of_items(columns: Columns, item_ok: np.ndarray) -> np.ndarray:
    mask = columns.empty_mask()
    mask[columns.item_doc[item_ok]] = True
    return mask


# --- counting and ordering --------------------------------------------------------------------------------

def _facets(columns: Columns, mask: np.ndarray) -> dict[str, list[FacetBucket]]:
    facets = {}
    for facet in FILTER_FIELDS:
        source = columns.single.get(facet) or columns.multi[facet]
        counts = source.counts(mask)
        facets[facet] = [FacetBucket(value, count)
                         for value, count in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))]
    return facets


def _histogram(columns: Columns, mask: np.ndarray) -> list[tuple[str, int]]:
    counts = columns.month.counts(mask)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:])
    months = []
    while True:
        key = f"{year:04d}-{month:02d}"
        months.append((key, counts.get(key, 0)))
        if key >= last:
            return months
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _totals(columns: Columns, mask: np.ndarray, item_ok: np.ndarray, item_conditions: bool,
            quantity_range: bool) -> list[Total]:
    """Sums of the chosen items per (category, unit) and per (category, subcategory, unit), with
    the number of reports they come from. A category or subcategory condition keeps or drops whole
    groups, so each report's first item of a group still counts it; a quantity range can drop that
    first item, and then reports are counted exactly."""
    chosen = mask[columns.item_doc]
    if item_conditions:
        chosen &= item_ok
    totals: list[Total] = []
    for level, (keys, ids, first) in columns.groups.items():
        selected = chosen & (columns.item_subcategory >= 0) if level == "subcategory" else chosen
        sums = np.bincount(ids[selected], weights=columns.item_quantity[selected], minlength=len(keys))
        if quantity_range:
            pairs = np.unique(ids[selected].astype(np.int64) * columns.size + columns.item_doc[selected])
            reports = np.bincount(pairs // columns.size, minlength=len(keys))
        else:
            reports = np.bincount(ids[selected & first], minlength=len(keys))
        for index in np.flatnonzero(reports):
            key = int(keys[index])
            c, s, u = key // (4096 * 4096), (key // 4096) % 4096 - 1, key % 4096
            totals.append(Total(category=columns.item_categories.values[c],
                                subcategory=columns.item_subcategories.values[s] if level == "subcategory" else None,
                                unit=columns.item_units.values[u], quantity=round(float(sums[index]), 6),
                                reports=int(reports[index])))
    totals.sort(key=lambda t: (t.category, t.subcategory or "", t.unit))
    return totals


def _page(columns: Columns, mask: np.ndarray, query: SearchQuery, scores: np.ndarray | None) -> list[int]:
    start = (query.page - 1) * query.per_page
    end = start + query.per_page
    if query.sort == "relevance" and scores is not None:
        docs = np.flatnonzero(mask)
        order = docs[np.lexsort((-docs, -columns.seized_ts[docs], scores[docs]))]
        return [int(d) for d in order[start:end]]
    if query.sort == "quantity_desc":
        ordered = columns.by_quantity
    else:
        ordered = columns.by_date
    if query.sort == "date_asc":
        ordered = ordered[::-1]
    return [int(d) for d in ordered[mask[ordered]][start:end]]
