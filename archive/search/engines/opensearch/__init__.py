"""The search engine on an OpenSearch cluster, chosen by settings.SEARCH_URL (engines/__init__.py).

Same meaning as the Whoosh engine (engines/base.py): the text is normalised and segmented in
Python, the cluster holds its unigrams and bigrams with positions (a term matches as a phrase of
its bigrams, an exact substring by construction) and its jieba words (BM25 ranking). Private to
archive/search; `Engine` is its SearchEngine.

  _index.py  settings, mapping, index and alias names, documents as sent
  _query.py  parsed queries as request bodies
  _lock.py   one writer per cluster (PostgreSQL advisory lock, or a file lock with SQLite)

The durable queue (SearchQueueEntry rows) drains into the bulk API; entries are deleted only
after their documents were accepted. A rebuild fills a new index and moves the alias atomically,
keeping the previous index. A cluster that cannot be reached or answers red raises
SearchUnavailable, which pages show and the API turns into a 503.
"""

import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext as _
from haystack import connections
from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import NotFoundError, OpenSearchException

from archive.models import Document, SearchQueueEntry
from archive.search.dictionary import user_dictionary_words
from archive.search.engines.base import (
    FACET_FIELDS,
    EngineResult,
    Hit,
    IndexHealth,
    Progress,
    SearchEngine,
    terms_within_budget,
)
from archive.search.engines.opensearch import _index, _query
from archive.search.engines.opensearch._lock import writer_lock
from archive.search.errors import IndexBusy, SearchUnavailable
from archive.search.queries import ParsedQuery
from archive.search.queue import on_commit_once, queued_write
from archive.text.words import use_user_words

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10
BULK_CHUNK = 200
# A bulk request of BULK_CHUNK reports may take longer than a search, above all on a busy machine
# (10 s was too short for a rebuild of 10,000 reports under a load of 18 on 2 cores).
BULK_TIMEOUT = 120
DRAIN_BATCH = 200
BULK_DRAIN_BATCH = 1_000
IDS_PAGE = 5_000
# OpenSearch refuses `from + size` past index.max_result_window (10,000 by default). The research
# reads (concordance, trends, export) ask for up to 100,000 reports and the search form allows deep
# pages, so anything past the window is walked with search_after instead of raising that limit.
RESULT_WINDOW = 10_000
MGET_PAGE = 500
WRITER_LOCK_TIMEOUT = 30.0
REBUILD_LOCK_TIMEOUT = 600.0
# How long a process trusts the jieba dictionary it read from the live index before looking again
# (a drain elsewhere may have changed it; queries are segmented with the index's dictionary).
DICTIONARY_TTL = 5.0

_batched = threading.local()


class Engine(SearchEngine):
    name = "opensearch"

    def __init__(self, *, url: str, index_prefix: str = ""):
        self.url = url
        self.alias = _index.alias_name(index_prefix)
        self.client = OpenSearch([url], timeout=REQUEST_TIMEOUT, max_retries=1, retry_on_timeout=False)
        self._dictionary_checked = (None, 0.0)  # (index, monotonic time)

    # Errors ---------------------------------------------------------------------------------------

    def _unavailable(self, problem: str, reason: str) -> SearchUnavailable:
        if problem == "missing":
            message = _("检索索引尚未建立，请运行 manage.py rebuild_search。")
        else:
            message = _("检索服务暂时无法使用，请稍后再试。")
        return SearchUnavailable(message, problem=problem, reason=reason)

    @contextlib.contextmanager
    def _reading(self):
        """Every failure of the cluster while reading becomes SearchUnavailable."""
        try:
            yield
        except NotFoundError as error:
            raise self._unavailable("missing", f"no index {self.alias} on {self.url}") from error
        except OpenSearchException as error:  # unreachable, timeouts, 5xx (red: no active shard)
            logger.error("search cluster %s failed: %r", self.url, error)
            raise self._unavailable("down", f"{self.url}: {error!r}") from error

    def _search(self, body: dict) -> dict:
        with self._reading():
            response = self.client.search(index=self.alias, body=body)
        shards = response.get("_shards", {})
        if shards.get("failed"):  # an answer from part of the index would be silently incomplete
            raise self._unavailable("down", f"{shards['failed']} of {shards.get('total')} shards failed")
        return response

    # Reading --------------------------------------------------------------------------------------

    def _use_index_dictionary(self) -> None:
        """Segment queries with the words the live index was segmented with (as Whoosh's reader does)."""
        index, checked = self._dictionary_checked
        if index is not None and time.monotonic() - checked < DICTIONARY_TTL:
            return
        with self._reading():
            live = self.live_index()
            words = self.index_dictionary(live) if live else None
        if live is None:
            raise self._unavailable("missing", f"no index {self.alias} on {self.url}")
        use_user_words(words)
        self._dictionary_checked = (live, time.monotonic())

    def evaluate(
        self,
        query: ParsedQuery,
        *,
        filters: Mapping[str, Sequence[str]] | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
        facet_fields: Sequence[str] = FACET_FIELDS,
    ) -> EngineResult:
        self._use_index_dictionary()
        clauses, excluded, notices = terms_within_budget(query)
        base = {"clauses": clauses, "excluded": excluded, "filters": filters}
        body = {
            "query": _query.search_body(**base),
            "sort": _query.sort_order(sort),
            "track_scores": True,
            "track_total_hits": True,
            "_source": False,
            "aggs": _query.facet_aggregations(facet_fields),
        }
        literal = [[term for term in clause if not term.alias] for clause in clauses]
        if literal == clauses or not all(literal):
            response, hits = self._window(body, offset, limit)
        else:
            # Reports with the terms as typed come before reports found only through an alias;
            # within each group the usual order. Count and facets are of the whole query.
            response = self._search({**body, "size": 0})
            literal_filters = [_query.clause_query(clause) for clause in literal]
            page = {**body, "aggs": {}, "size": limit}
            typed = _query.search_body(**base, extra_filters=literal_filters)
            first, hits = self._window({**page, "query": typed}, offset, limit)
            if len(hits) < limit:
                only_aliases = _query.search_body(**base, extra_excluded=[{"bool": {"filter": literal_filters}}])
                skip = max(offset - first["hits"]["total"]["value"], 0)
                _, rest = self._window({**page, "query": only_aliases}, skip, limit - len(hits))
                hits = hits + rest
        return EngineResult(
            count=response["hits"]["total"]["value"],
            hits=[Hit(int(hit["_id"]), _query.hit_score(hit)) for hit in hits],
            facets=_query.facets_of(response, facet_fields),
            notices=notices,
        )

    def _window(self, body: dict, offset: int, limit: int) -> tuple[dict, list[dict]]:
        """The first response (its total and aggregations) and the hits offset..offset+limit of a
        sorted search. Within the result window one request; past it, pages walked with
        search_after on the sort, which ends with the unique document_id, so the walk is exact."""
        if offset + limit <= RESULT_WINDOW:
            response = self._search({**body, "from": offset, "size": limit})
            return response, response["hits"]["hits"]
        end = offset + limit
        later = {key: value for key, value in body.items() if key != "aggs"}
        first, hits, position, after = None, [], 0, None
        while position < end:
            size = min(IDS_PAGE, end - position)
            request = {**(body if first is None else later), "size": size}
            if after is not None:
                request["search_after"] = after
            response = self._search(request)
            if first is None:
                first = response
                if offset >= response["hits"]["total"]["value"]:
                    break
            batch = response["hits"]["hits"]
            hits.extend(batch[max(offset - position, 0) :])
            position += len(batch)
            if len(batch) < size:
                break
            after = batch[-1]["sort"]
        return first, hits

    def _all_ids(self, query: dict) -> list[int]:
        """Every matching document id, page by page (search_after on the id)."""
        ids: list[int] = []
        body = {"query": query, "sort": [{"document_id": "asc"}], "size": IDS_PAGE, "_source": False}
        while True:
            hits = self._search(body)["hits"]["hits"]
            ids.extend(int(hit["_id"]) for hit in hits)
            if len(hits) < IDS_PAGE:
                return ids
            body["search_after"] = hits[-1]["sort"]

    def documents_containing(self, text: str) -> list[int]:
        return self._all_ids({"bool": {"filter": [_query.term_query(text)]}}) if text else []

    def _sources(self, document_ids, field: str) -> dict[int, str]:
        found: dict[int, str] = {}
        ids = [str(pk) for pk in dict.fromkeys(document_ids)]
        for start in range(0, len(ids), MGET_PAGE):
            with self._reading():
                response = self.client.mget(
                    index=self.alias, body={"ids": ids[start : start + MGET_PAGE]}, params={"_source": field}
                )
            for document in response["docs"]:
                if document.get("found"):
                    found[int(document["_id"])] = document["_source"].get(field, "")
        return found

    def normalised_texts(self, document_ids: list[int]) -> dict[int, bytes]:
        return {pk: text.encode("utf-8") for pk, text in self._sources(document_ids, "text").items()}

    def word_frequencies(self, words: list[str], document_ids: list[int]) -> dict[str, int]:
        wanted = set(words)
        counts: Counter[str] = Counter()
        for text in self._sources(document_ids, "words").values():
            counts.update(word for word in text.split(" ") if word in wanted)
        return {word: counts[word] for word in words}

    def health(self) -> IndexHealth:
        try:
            cluster = self.client.cluster.health()
            live = self.live_index()
            index = self.client.cluster.health(index=live) if live else None
            documents = self.client.count(index=self.alias)["count"] if index and index["status"] != "red" else 0
        except OpenSearchException as error:
            return IndexHealth(ok=False, problem="down", error=f"{self.url}: {error!r}")
        details = {
            "url": self.url,
            "cluster": cluster["cluster_name"],
            "status": cluster["status"],
            "nodes": cluster["number_of_nodes"],
            "index": live,
        }
        if live is None:
            return IndexHealth(ok=False, problem="missing", error=f"no index {self.alias}", details=details)
        if index["status"] == "red":
            return IndexHealth(ok=False, problem="down", error=f"index {live} is red", details=details)
        return IndexHealth(ok=True, documents=documents, details=details)

    def open(self) -> None:
        """A served process drains what a killed one left queued; never raises."""
        with contextlib.suppress(Exception):
            if SearchQueueEntry.objects.exists():
                self._drain_quietly(None)

    def reset(self) -> None:
        self._dictionary_checked = (None, 0.0)

    # The live index ----------------------------------------------------------------------------

    def live_index(self) -> str | None:
        """The concrete index the alias points to, or None when there is none yet."""
        found = self.client.indices.get_alias(name=self.alias, ignore=404)  # 404: no alias yet
        if not found or found.get("status") == 404:
            return None
        return sorted(found)[-1]

    def index_dictionary(self, index: str) -> frozenset[str]:
        """The jieba user words an index was segmented with (its mapping's _meta)."""
        mapping = self.client.indices.get_mapping(index=index)[index]["mappings"]
        return frozenset(mapping.get("_meta", {}).get("dictionary", []))

    def _create(self, *, dictionary: frozenset[str], building: bool) -> str:
        name = _index.new_index_name(self.alias)
        self.client.indices.create(index=name, body=_index.index_body(dictionary=dictionary, building=building))
        return name

    def _publish(self, index: str, *, keep_previous: bool) -> None:
        """Point the alias at `index` in one atomic step; delete every other index of the alias's
        family but the previous one (a reader may have resolved the alias to it a moment ago)."""
        live = self.live_index()
        current = [live] if live else []
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in current]
        self.client.indices.update_aliases(body={"actions": [*actions, {"add": {"index": index, "alias": self.alias}}]})
        keep = {index, *(current[-1:] if keep_previous else [])}
        for name in self.client.indices.get(index=f"{self.alias}-*"):
            if name not in keep:
                self.client.indices.delete(index=name)
        self._dictionary_checked = (None, 0.0)

    def drop(self) -> None:
        """Delete the alias's every index (tests)."""
        for name in self.client.indices.get(index=f"{self.alias}-*"):
            self.client.indices.delete(index=name)

    # Writing ------------------------------------------------------------------------------------

    def _prepared(self, document_ids: set[int]) -> tuple[list[dict], set[int]]:
        """The documents as the database has them now, as sent; and the ids no longer there."""
        index = connections["default"].get_unified_index().get_index(Document)
        documents = list(index.index_queryset().filter(pk__in=document_ids))
        return [_index.source(index.full_prepare(document)) for document in documents], document_ids - {
            document.pk for document in documents
        }

    def _bulk(self, index: str, actions: Iterable[dict], *, refresh: bool) -> int:
        """Send actions; raise if any failed (a removal of a document never indexed is fine)."""
        sent = 0
        failures = []
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=BULK_CHUNK,
            raise_on_error=False,
            max_retries=2,
            request_timeout=BULK_TIMEOUT,
        ):
            sent += 1
            if not ok and next(iter(item.values())).get("status") != 404:
                failures.append(item)
        if failures:
            raise RuntimeError(f"{len(failures)} of {sent} index updates failed, first: {failures[0]}")
        if refresh:
            self.client.indices.refresh(index=index)
        return sent

    def enqueue(self, document_ids: Iterable[int]) -> None:
        ids = {pk for pk in document_ids if pk is not None}
        if not ids:
            return
        SearchQueueEntry.objects.bulk_create(SearchQueueEntry(document_id=pk) for pk in ids)
        if not getattr(_batched, "active", False):
            on_commit_once(self._drain_all_quietly)

    def dictionary_changed(self) -> None:
        on_commit_once(self._drain_all_quietly)

    def _drain_all_quietly(self) -> None:
        # A bound method, equal to itself: on_commit_once registers one per transaction.
        self._drain_quietly(None)

    @contextlib.contextmanager
    def batched(self):
        _batched.active = True
        try:
            yield
        finally:
            _batched.active = False

    def _drain_quietly(self, document_ids, timeout: float = WRITER_LOCK_TIMEOUT) -> None:
        try:
            self.drain(document_ids=document_ids, timeout=timeout)
        except IndexBusy:
            logger.warning("search index busy; %s updates stay queued", SearchQueueEntry.objects.count())
        except Exception:
            logger.exception("search cluster update failed; the updates stay queued and will be retried")

    def drain_quietly(self, document_ids: Iterable[int]) -> None:
        self._drain_quietly(frozenset(document_ids))

    def drain(
        self, *, timeout: float | None = None, document_ids: Iterable[int] | None = None, batch: int = DRAIN_BATCH
    ) -> int:
        with writer_lock(self.alias, WRITER_LOCK_TIMEOUT if timeout is None else timeout):
            index = self._usable_index()
            self._sync_dictionary(index)

            def write(document_ids: set[int]) -> None:
                documents, removed = self._prepared(document_ids)
                self._bulk(index, _index.bulk_actions(index, documents, removed), refresh=True)

            return queued_write(write, batch=batch, document_ids=document_ids)

    def bulk_drain(self) -> int:
        return self.drain(batch=BULK_DRAIN_BATCH)

    def _usable_index(self) -> str:
        """The live index to write to (caller holds the lock). With none, and reports in the
        database, a rebuild makes one: an empty index would answer from part of the archive."""
        live = self.live_index()
        if live is not None:
            return live
        if Document.objects.exists():
            self._rebuild_locked(keep_previous=False)
            return self.live_index()
        live = self._create(dictionary=user_dictionary_words(), building=False)
        self._publish(live, keep_previous=False)
        return live

    def _sync_dictionary(self, index: str) -> None:
        """Re-queue what a change of the jieba dictionary affects (caller holds the lock)."""
        indexed = self.index_dictionary(index)
        wanted = user_dictionary_words()
        use_user_words(wanted)
        if wanted == indexed:
            return
        affected: set[int] = set()
        for word in wanted ^ indexed:
            affected.update(self.documents_containing(word))
        if affected:
            SearchQueueEntry.objects.bulk_create(SearchQueueEntry(document_id=pk) for pk in affected)
        self.client.indices.put_mapping(index=index, body={"_meta": {"dictionary": sorted(wanted)}})
        self._dictionary_checked = (None, 0.0)

    def rebuild(self, *, progress: Progress = lambda items: items) -> int:
        with writer_lock(self.alias, REBUILD_LOCK_TIMEOUT):
            total = self._rebuild_locked(progress=progress, keep_previous=True)
        self.drain()
        return total

    def repair(self, *, progress: Progress = lambda items: items) -> int | None:
        """Rebuild when the live index is missing or red; once per cluster (the lock is the
        cluster's), so a second server finding the repair running leaves it."""
        try:
            with writer_lock(self.alias, 0):
                if self.health().ok:
                    return None
                total = self._rebuild_locked(progress=progress, keep_previous=False)
        except IndexBusy:
            return None
        self.drain()
        return total

    def _rebuild_locked(self, *, progress: Progress = lambda items: items, keep_previous: bool) -> int:
        high_water = SearchQueueEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        words = user_dictionary_words()
        use_user_words(words)
        index = connections["default"].get_unified_index().get_index(Document)
        name = self._create(dictionary=words, building=True)
        try:
            documents = (
                _index.source(index.full_prepare(document))
                for document in progress(index.index_queryset().order_by("pk").iterator(chunk_size=500))
            )
            total = self._bulk(name, _index.bulk_actions(name, documents, ()), refresh=False)
            self.client.indices.put_settings(
                index=name,
                body={"index": {"number_of_replicas": _index.REPLICAS, "refresh_interval": None}},
            )
            self.client.indices.refresh(index=name)
            # The replica is copied before the swap (the cluster's own wait is 30 s a call).
            # A wait that times out is a 408 (ignored here, it has the health in its body); after
            # five minutes the index is swapped in yellow: its primary serves, the replica follows.
            for _ in range(10):
                health = self.client.cluster.health(index=name, wait_for_status="green", request_timeout=60, ignore=408)
                if not health.get("timed_out"):
                    break
            else:
                logger.warning("search index %s is not green after five minutes; swapping it in %s", name, health)
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.indices.delete(index=name)
            raise
        self._publish(name, keep_previous=keep_previous)
        SearchQueueEntry.objects.filter(pk__lte=high_water).delete()
        return total
