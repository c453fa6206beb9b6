"""The Elasticsearch (and OpenSearch) backend.

The index is reached only through an alias (`elix-reports` -> `elix-reports-<timestamp>`). `rebuild`
fills a fresh index and swaps the alias in one `_aliases` request, so searches keep answering from
the old index until the new one is complete; changes made meanwhile are written to both indices, and
a failed rebuild deletes its half-built index. Index and delete go through bulk requests with
`require_alias`, so a lost index (an engine restarted empty) is recreated with the explicit mapping
instead of being auto-created with a dynamic one.

The query itself is compiled in search/backends/elasticsearch_query.py.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, TransportError, helpers

from search.backends import DocumentsRefused, SearchUnavailable
from search.backends.elasticsearch_query import compile_search, read_response
from search.mapping import LANGUAGE_ANALYZERS, REQUIRED_LANGUAGES, index_definition, to_source
from search.query import SearchQuery, SearchResult, Viewer

log = logging.getLogger(__name__)

DEFAULT_ALIAS = "elix-reports"
CHUNK_SIZE = 500


class ElasticsearchBackend:
    """`SearchBackend` on Elasticsearch or OpenSearch. `client` comes from search.client.build_client.

    `refresh` is passed to bulk index/delete requests: "wait_for" (default) makes a change searchable
    before the call returns without forcing extra refreshes; False leaves it to the refresh interval.
    """

    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, alias: str = DEFAULT_ALIAS, *, refresh: bool | str = "wait_for",
                 chunk_size: int = CHUNK_SIZE) -> None:
        self.client = client
        self.alias = alias
        self.refresh = refresh
        self.chunk_size = chunk_size
        self._languages: tuple[str, ...] | None = None

    # -- searching ---------------------------------------------------------------------------------

    def search(self, query: SearchQuery, viewer: Viewer) -> SearchResult:
        """Hits, facets, histogram and totals of what `viewer` may see; see elasticsearch_query."""
        try:
            body = compile_search(query, viewer, self.languages())
            try:
                response = self.client.search(index=self.alias, **body)
            except NotFoundError:
                # No index yet (nothing indexed since the engine started): an empty result, not an error.
                response = None
        except TransportError as error:  # no connection, timed out
            raise SearchUnavailable(f"the search engine is not reachable ({type(error).__name__})") from error
        except ApiError as error:
            if error.meta.status < 500 and error.meta.status != 429:
                raise
            raise SearchUnavailable(f"the search engine is not answering (HTTP {error.meta.status})") from error
        return read_response(query, response)

    def languages(self) -> tuple[str, ...]:
        """Languages with analysed sub-fields in the live index (recorded in its mapping's _meta)."""
        if self._languages is None:
            try:
                mappings = self.client.indices.get_mapping(index=self.alias)
            except NotFoundError:
                return tuple(LANGUAGE_ANALYZERS)
            meta = next(iter(mappings.values()))["mappings"].get("_meta", {})
            self._languages = tuple(meta.get("languages", REQUIRED_LANGUAGES))
        return self._languages

    # -- writing -----------------------------------------------------------------------------------

    def index(self, documents: Iterable[dict]) -> int:
        """Add or replace documents through the alias in bulk; returns how many were indexed (an older
        version than the one indexed is skipped). During a rebuild they go to the new index too."""
        actions = [index_action(doc) for doc in documents]
        return self._write(actions) if actions else 0

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id in bulk (from a rebuild's new index too); unknown ids are ignored."""
        actions = [{"_op_type": "delete", "_id": id_} for id_ in dict.fromkeys(ids)]
        return self._write(actions) if actions else 0

    def count(self) -> int:
        """Documents in the live index (0 when there is none yet)."""
        try:
            return int(self.client.count(index=self.alias)["count"])
        except NotFoundError:
            return 0

    def ping(self) -> bool:
        """Is the engine reachable?"""
        try:
            return bool(self.client.options(max_retries=0, request_timeout=2).ping())
        except (TransportError, ApiError):
            return False

    def ensure_index(self) -> None:
        """Create an empty live index behind the alias when there is none. Safe to race: every process
        creates the same `<alias>-initial` index, so the alias can never end up on two indices."""
        if self.client.indices.exists_alias(name=self.alias):
            return
        name = f"{self.alias}-initial"
        try:
            self._create_index(name)
        except BadRequestError as error:
            if error.error != "resource_already_exists_exception":
                raise
        self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": self.alias}}])
        log.info("created %s behind %s", name, self.alias)

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Fill a fresh index, swap the alias to it atomically, then delete the old index.

        Searches keep answering from the old index until the swap. While the new index fills, `index`
        and `delete` write to it as well (through the `<alias>-building` alias), and versions decide
        between a change and the rebuild's copy: read the documents lazily, after this call started,
        and no change is lost. On any failure the fresh index is deleted, the alias and the old index
        are left untouched, and the error is raised. The last of two concurrent rebuilds wins; the
        other one fails.
        """
        self._drop_abandoned_builds()
        name = self._create_index(f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}")
        try:
            self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": self.building_alias}}])
            indexed = self._bulk(name, (index_action(doc) for doc in documents), refresh=False, fail_fast=True)
            self.client.indices.refresh(index=name)
            old = self._indices_behind(self.alias)
            actions = [{"remove": {"index": index, "alias": self.alias}} for index in old]
            actions += [{"add": {"index": name, "alias": self.alias}},
                        {"remove": {"index": name, "alias": self.building_alias}}]
            self.client.indices.update_aliases(actions=actions)
        except BaseException:
            log.warning("rebuild into %s failed: deleting the half-built index", name)
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        for index in old:
            self.client.indices.delete(index=index, ignore_unavailable=True)
        log.info("rebuilt %s into %s with %d documents", self.alias, name, indexed)
        return indexed

    @property
    def building_alias(self) -> str:
        return f"{self.alias}-building"

    # -- internals ---------------------------------------------------------------------------------

    def _write(self, actions: list[dict]) -> int:
        """Bulk `actions` to a rebuild's new index (if one is filling), then to the live index.

        In that order: if the swap happens in between, the second write lands in the new index again
        instead of only in the old one, which is about to be deleted.
        """
        refused_by_new = None
        if self.client.indices.exists_alias(name=self.building_alias):
            try:
                self._bulk(self.building_alias, actions, require_alias=True)
            except IndexMissing:
                pass  # the rebuild finished (or failed) meanwhile: the live alias is all there is
            except BulkFailed as refused:
                refused_by_new = refused  # the live index still gets every document
        try:
            written = self._bulk(self.alias, actions, require_alias=True)
        except IndexMissing:
            if all(action["_op_type"] == "delete" for action in actions):
                return 0
            self.ensure_index()
            written = self._bulk(self.alias, actions, require_alias=True)
        if refused_by_new is not None:
            raise refused_by_new
        return written

    def _indices_behind(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias).keys())
        except NotFoundError:
            return []

    def _drop_abandoned_builds(self) -> None:
        """A rebuild that died (or one still running: the newest rebuild wins) leaves its index behind
        the building alias; delete it before starting, so writes have one new index to go to."""
        abandoned = [index for index in self._indices_behind(self.building_alias)
                     if index not in self._indices_behind(self.alias)]
        if abandoned:
            log.warning("deleting the index of an unfinished rebuild: %s", ", ".join(abandoned))
            self.client.indices.delete(index=",".join(abandoned), ignore_unavailable=True)

    def _create_index(self, name: str) -> str:
        """Create `name` with the mapping; without Dutch if the engine lacks its analyzer."""
        languages = tuple(LANGUAGE_ANALYZERS)
        try:
            self.client.indices.create(index=name, **index_definition(languages))
        except BadRequestError as error:
            if "dutch" not in str(error.body):
                raise
            languages = REQUIRED_LANGUAGES
            self.client.indices.create(index=name, **index_definition(languages))
        self._languages = languages
        return name

    def _bulk(self, index: str, actions: Iterable[dict], *, refresh: bool | str | None = None,
              require_alias: bool = False, fail_fast: bool = False) -> int:
        """Send `actions` in chunks; returns how many succeeded. Deleting a missing document is no failure.

        Refused documents raise BulkFailed naming them: at the first one with `fail_fast`, otherwise after
        every other action was applied. IndexMissing when the alias points nowhere.
        """
        options: dict = {"refresh": self.refresh if refresh is None else refresh}
        if require_alias:
            options["require_alias"] = True
        done, failed, reasons = 0, [], set()
        for ok, item in helpers.streaming_bulk(self.client, _with_index(actions, index), chunk_size=self.chunk_size,
                                               max_retries=3, raise_on_error=False, raise_on_exception=True,
                                               **options):
            (operation, result), = item.items()
            if ok:
                done += 1
                continue
            if operation == "delete" and result.get("status") == 404:
                continue  # already gone
            if operation == "index" and result.get("status") == 409:
                continue  # the index holds a newer version of this report: newest wins
            error = result.get("error") or {}
            reason = error.get("type", "error") if isinstance(error, dict) else str(error)
            if reason == "index_not_found_exception":
                raise IndexMissing(index, [])
            failed.append(result.get("_id"))
            reasons.add(reason)
            if fail_fast:
                break
        if failed:
            raise BulkFailed(index, failed, sorted(reasons))
        return done


class BulkFailed(DocumentsRefused):
    """Documents the engine refused: `ids` names them (the message never carries their content)."""

    def __init__(self, index: str, ids: list[str], reasons: list[str] = ()) -> None:
        super().__init__(f"{index}: {len(ids)} document(s) refused ({', '.join(reasons)}): {', '.join(ids[:10])}",
                         ids, reasons)


class IndexMissing(BulkFailed):
    """The alias points nowhere: the engine lost its indices (or none was ever created)."""


def _with_index(actions: Iterable[dict], index: str) -> Iterator[dict]:
    for action in actions:
        yield {**action, "_index": index}


def index_action(document: dict) -> dict:
    """A bulk `index` action; with the report's version as an external version, so an older version
    (a late retry, a slow worker) never replaces a newer one."""
    action = {"_op_type": "index", "_id": document["id"], "_source": to_source(document)}
    if document.get("version") is not None:
        action.update(version=int(document["version"]), version_type="external_gte")
    return action

