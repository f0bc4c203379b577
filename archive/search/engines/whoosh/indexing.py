"""Keeping the index equal to the database, which is the source of truth.

Changes are queued durably (SearchQueueEntry rows, written in the changing transaction) and
drained by whoever holds the writer lock, after commit. A drain that cannot get the lock, or
fails, leaves the rows in place for the next drain: nothing is dropped. A rebuild writes a whole
new generation beside the live one and swaps it in.

The jieba user dictionary (initiative names, aliases, city names) belongs to an index generation:
a drain that finds the database's words changed re-indexes the documents containing the words
that came or went, and records the new dictionary with the generation.

An index found missing or damaged is rebuilt from the database (repair.py says by whom): a drain
never writes into a damaged generation, nor starts an empty one while the database has reports,
which would leave search answering from part of the archive without saying so.
"""

import contextlib
import functools
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable

from django.db import transaction
from haystack import connections
from whoosh.index import create_in

from archive.models import Document, SearchQueueEntry
from archive.search.dictionary import user_dictionary_words
from archive.search.engines.whoosh import engine, repair, store
from archive.search.engines.whoosh.analyzers import Analysed, analysed
from archive.search.engines.whoosh.backend import (
    WRITER_LOCK_TIMEOUT,
    current_or_empty_generation,
    document_schema,
    open_or_create,
    whoosh_document,
    writer_options,
)
from archive.search.engines.whoosh.segments import (
    FastSegmentWriter,
    SegmentsWriter,
    merge_tiny,
    segment_write_apart,
    segments_merge_apart,
)
from archive.search.queue import on_commit_once, queued_write
from archive.text.normalise import normalise
from archive.text.words import loaded_user_words, use_user_words

logger = logging.getLogger(__name__)

DRAIN_BATCH = 200
BULK_LOCK = "bulk.lock"
BULK_DRAIN_BATCH = 500
BULK_SAVE_LOCK_TIMEOUT = 2.0
SCRATCH_DIR = "incoming"  # under SEARCH_DIR: segments a bulk drain writes before taking the lock
PARALLEL_REBUILD_MIN_DOCUMENTS = 500
# Each writer process buffers postings up to this before spilling a sorted run to disk: with the
# documents in flight, a process stays well under 1 GB resident.
POOL_LIMIT_MB = 160


def _document_index():
    return connections["default"].get_unified_index().get_index(Document)


def _backend():
    return connections["default"].get_backend()


def index_enqueue(document_ids: Iterable[int]) -> None:
    """Queue documents for re-indexing in the current transaction, and drain after it commits
    (within index_batched(), the caller drains in batches instead)."""
    ids = {pk for pk in document_ids if pk is not None}
    if not ids:
        return
    SearchQueueEntry.objects.bulk_create(SearchQueueEntry(document_id=pk) for pk in ids)
    if not getattr(_batched, "active", False):
        transaction.on_commit(functools.partial(_drain_after_commit, frozenset(ids)))


_batched = threading.local()


@contextlib.contextmanager
def index_batched():
    """A bulk job (import_reports, the admin upload of many files): every report's transaction
    still queues it durably, but nothing drains after each commit; the job calls queue_drain in
    large batches and once at the end. While it runs, BULK_LOCK tells other processes to drain
    only what they queued themselves, so a curator's save is not held up by the import's backlog."""
    _batched.active = True
    try:
        with store.shared(BULK_LOCK):
            _scratch_leftovers_remove()
            yield
    finally:
        _batched.active = False


def index_dictionary_changed() -> None:
    """Names or aliases changed: the drain after commit compares dictionaries and re-indexes (once per
    transaction, however many names it saved)."""
    on_commit_once(_drain_quietly)


def _drain_after_commit(document_ids: frozenset[int]):
    # A transaction that saved many rows registered as many callbacks; the first drains, the rest
    # find their entries gone with one query. During a bulk import elsewhere, only our own.
    if store.is_locked_shared(BULK_LOCK):
        # The import may hold the writer lock for a whole batch's commit: wait briefly, not the
        # usual 30 s (a request would time out); the entries stay queued for the import's next drain.
        if SearchQueueEntry.objects.filter(document_id__in=document_ids).exists():
            _drain_quietly(document_ids=document_ids, timeout=BULK_SAVE_LOCK_TIMEOUT)
    elif SearchQueueEntry.objects.exists():
        _drain_quietly()


def index_drain_quietly(document_ids: Iterable[int]) -> None:
    """Drain after a batch of saves, as after each commit: everything, or only these documents
    while a bulk import runs elsewhere; whatever cannot be written stays queued."""
    _drain_after_commit(frozenset(document_ids))


def _drain_quietly(document_ids: frozenset[int] | None = None, timeout: float = WRITER_LOCK_TIMEOUT):
    try:
        queue_drain(document_ids=document_ids, timeout=timeout)
    except store.IndexBusy:
        logger.warning("search index busy; %s updates stay queued", SearchQueueEntry.objects.count())
    except engine.SearchUnavailable as error:
        logger.error(
            "search index unusable (%s); %s updates stay queued until it is rebuilt",
            error.reason,
            SearchQueueEntry.objects.count(),
        )
    except Exception:
        logger.exception("search index update failed; the updates stay queued and will be retried")


def queue_drain(
    *, timeout: float = WRITER_LOCK_TIMEOUT, batch: int = DRAIN_BATCH, document_ids: Iterable[int] | None = None
) -> int:
    """Write queued documents to the index, `batch` entries a commit; returns how many entries
    were done. All of them, or only those of `document_ids`."""
    with store.writer_lock(timeout):
        _ensure_usable()
        _sync_dictionary()
        return queued_write(_write_documents, batch=batch, document_ids=document_ids)


def bulk_drain(*, batch: int = BULK_DRAIN_BATCH, timeout: float = WRITER_LOCK_TIMEOUT) -> int:
    """queue_drain for a bulk job: each batch is read, analysed (jieba, character grams) and written
    as a segment of its own before the writer lock is taken; under the lock the segment is only
    adopted (its files moved in, the documents' older versions marked deleted, the table of
    contents written), which takes milliseconds whatever the batch. So a curator's save during an
    import waits for the lock that long, not for a batch's commit (BULK_SAVE_LOCK_TIMEOUT).

    Under the lock, a document whose queue entry another drain removed meanwhile is left out (its
    document marked deleted in the new segment): that drain read the database after our entry was
    made and wrote it; writing ours now could replace a newer version with an older one. A
    document changed after we read it has a newer entry, drained later. Should the dictionary or
    the generation have changed meanwhile, the batch is written again under the lock."""
    done = 0
    while True:
        entries = list(SearchQueueEntry.objects.order_by("pk").values_list("pk", "document_id")[:batch])
        if not entries:
            return done
        pks = [pk for pk, _document_id in entries]
        document_ids = {document_id for _pk, document_id in entries}
        words = loaded_user_words()
        generation = store.current_generation()
        documents, removed = _prepared_documents(document_ids, analyse=True)
        with _scratch_directory() as scratch:
            segment = segment_write_apart(scratch, document_schema(), documents, **_apart_options())
            with store.writer_lock(timeout):
                _ensure_usable()
                _sync_dictionary()
                still = set(SearchQueueEntry.objects.filter(pk__in=pks).values_list("document_id", flat=True))
                if loaded_user_words() == words and store.current_generation() == generation:
                    _adopt(segment, scratch, documents=documents, removed_ids=removed & still, still=still)
                else:  # analysed with another dictionary, or for a generation since replaced
                    documents, removed = _prepared_documents(document_ids, analyse=False)
                    index_write(
                        documents=[document for document in documents if document["document_id"] in still],
                        removed_ids=removed & still,
                    )
                SearchQueueEntry.objects.filter(pk__in=pks).delete()
        done += len(entries)


# Segments adopted by a bulk drain: segments up to this many documents (one-report commits of
# curators' saves) are merged with them; larger ones (the batches) are left for a rebuild or a
# later ordinary commit, so the writer lock is held for milliseconds.
ADOPT_MERGE_LIMIT_DOCUMENTS = 50


def _apart_options() -> dict:
    return {**writer_options(), "limitmb": POOL_LIMIT_MB}


@contextlib.contextmanager
def _scratch_directory():
    """A folder beside the generations for a segment written apart, removed afterwards (and, left
    by a process killed meanwhile, by the next bulk job: see index_batched)."""
    directory = store.search_dir() / SCRATCH_DIR / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    directory.mkdir(parents=True)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _scratch_leftovers_remove() -> None:
    """Scratch folders of processes no longer running (killed in the middle of a batch)."""
    for directory in (store.search_dir() / SCRATCH_DIR).glob("*-*"):
        pid = directory.name.split("-")[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _adopt(segment, scratch, *, documents: list[dict], removed_ids: set[int], still: set[int]) -> None:
    """Publish a segment written apart from these documents (caller holds the lock): older versions
    of the documents in `still` and the removed ones are deleted, the documents no longer in `still`
    are deleted from the new segment itself."""
    generation = current_or_empty_generation()
    writer = FastSegmentWriter(open_or_create(generation), limitmb=POOL_LIMIT_MB, **writer_options())
    try:
        replaced = [document["id"] for document in documents if document["document_id"] in still]
        with writer.searcher() as searcher:
            for identifier in [*replaced, *(f"archive.document.{pk}" for pk in removed_ids)]:
                writer.delete_by_term("id", identifier, searcher=searcher)
        if segment is not None:
            for docnum, document in enumerate(documents):
                if document["document_id"] not in still:
                    segment.delete_document(docnum)
            writer.commit_adopting(segment, scratch, mergetype=merge_tiny(ADOPT_MERGE_LIMIT_DOCUMENTS))
        else:
            writer.commit(mergetype=merge_tiny(ADOPT_MERGE_LIMIT_DOCUMENTS))
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    store.write_manifest(generation)


# Larger segments (a bulk drain's batches, a rebuild's) are merged only after a bulk import (merge_segments),
# apart: tiers of sizes MERGE_FACTOR times apart, from BULK_DRAIN_BATCH documents up; MERGE_FACTOR
# segments of one tier become one segment of the next. So the segments stay few (MERGE_FACTOR - 1
# a tier, a handful of tiers), each report is merged once per tier, and the lock is held only to
# publish the result.
MERGE_FACTOR = 10


def _merge_tier(documents: int) -> int:
    tier = 0
    while documents >= BULK_DRAIN_BATCH * MERGE_FACTOR ** (tier + 1):
        tier += 1
    return tier


def segments_to_merge(segments: list) -> list:
    """The segments to merge now, smallest tier first: every segment larger than a commit's
    (ADOPT_MERGE_LIMIT_DOCUMENTS) of the first tier holding MERGE_FACTOR of them; none if none does."""
    tiers: dict[int, list] = {}
    for segment in segments:
        if segment.doc_count_all() > ADOPT_MERGE_LIMIT_DOCUMENTS:
            tiers.setdefault(_merge_tier(segment.doc_count_all()), []).append(segment)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_FACTOR:
            return tiers[tier]
    return []


def segments_merge_piled_up(*, timeout: float = WRITER_LOCK_TIMEOUT) -> int:
    """Merge piled-up segments (segments_to_merge) until none are; returns how many merges. Each
    merge is written apart (segments_merge_apart) and published under the lock in milliseconds,
    with the deletions made meanwhile carried over; should the index have changed otherwise (a
    rebuild, another merge), that merge is dropped and the segments stay as they were."""
    merges = 0
    while True:
        with store.writer_lock(timeout):
            generation = store.current_generation()
            chosen = segments_to_merge(open_or_create(generation)._segments()) if generation else []
            deleted_before = {segment.segment_id(): set(segment.deleted_docs()) for segment in chosen}
        if not chosen:
            return merges
        with _scratch_directory() as scratch:
            merged, maps = segments_merge_apart(scratch, generation, document_schema(), chosen, **_apart_options())
            with store.writer_lock(timeout):
                if not _merge_publish(
                    generation, merged, scratch, dict(zip(deleted_before, maps, strict=True)), deleted_before
                ):
                    return merges
        merges += 1


def _merge_publish(generation, merged, scratch, maps: dict, deleted_before: dict) -> bool:
    """Replace the merged segments by `merged` (caller holds the lock), deleting in it what was
    deleted from them since the merge began; False, changing nothing, if the index changed otherwise."""
    if store.current_generation() != generation:
        return False
    writer = FastSegmentWriter(open_or_create(generation), limitmb=POOL_LIMIT_MB, **writer_options())
    try:
        now = {segment.segment_id(): segment for segment in writer.segments}
        if not all(segment_id in now for segment_id in maps):
            writer.cancel()
            return False
        for segment_id, docmap in maps.items():
            for docnum in set(now[segment_id].deleted_docs()) - deleted_before[segment_id]:
                if docmap[docnum] >= 0:
                    merged.delete_document(int(docmap[docnum]))

        def others(_writer, segments):
            return [segment for segment in segments if segment.segment_id() not in maps]

        writer.commit_adopting(merged, scratch, mergetype=others)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    store.write_manifest(generation)
    return True


# Postings a bulk import's worker processes computed, by document id: (words, normalised text,
# postings per field). Used only when the text and the dictionary are still the same.
_analysed_ahead: dict[int, tuple[frozenset[str], str, dict]] = {}


def document_text_analyse(*, title: str, body: str) -> tuple[str, dict]:
    """What a worker process computes ahead for the index: the normalised text the index holds
    (as search_indexes.DocumentIndex.prepare makes it) and its postings in the text fields."""
    normalised = normalise(f"{title}\n{body}")
    schema = document_schema()
    return normalised, {name: schema[name].postings(normalised) for name in ("text", "chars")}


def index_analysed_ahead(*, document_id: int, normalised: str, postings: dict, words: frozenset[str]) -> None:
    """Keep a worker's analysis of a document just written, for the next bulk drain."""
    _analysed_ahead[document_id] = (words, normalised, postings)


def _prepared_documents(document_ids: set[int], *, analyse: bool) -> tuple[list[dict], set[int]]:
    """Whoosh documents for these ids as the database has them now (with their postings computed
    when `analyse`, or taken from a worker's analysis when it was of the same text with the same
    dictionary), and the ids no longer in the database."""
    index = _document_index()
    documents = list(index.index_queryset().filter(pk__in=document_ids))
    prepared = [whoosh_document(index.full_prepare(document)) for document in documents]
    words = loaded_user_words()
    if analyse:
        schema = document_schema()
        for document in prepared:
            ahead = _analysed_ahead.pop(document["document_id"], None)
            for name in ("text", "chars"):
                if ahead and ahead[0] == words and ahead[1] == document[name]:
                    value = Analysed(document[name])
                    value.postings = ahead[2][name]
                    document[name] = value
                else:
                    document[name] = analysed(schema[name], document[name])
    for pk in document_ids:
        _analysed_ahead.pop(pk, None)
    return prepared, document_ids - {document.pk for document in documents}


def _ensure_usable() -> None:
    """Rebuild an unusable index before writing to it (caller holds the lock). In a served process
    the rebuild runs in the background instead and this raises SearchUnavailable: the caller's
    updates stay queued for it."""
    try:
        engine.snapshot()
    except engine.SearchUnavailable as error:
        if repair.background_enabled():
            raise
        logger.error("search index unusable (%s); rebuilding it from the database", error.reason)
        _rebuild_locked(keep_previous=False)


def _write_documents(document_ids: set[int]) -> None:
    """Update or remove these documents, as the database has them now (caller holds the lock)."""
    documents, gone = _prepared_documents(document_ids, analyse=False)
    index_write(documents=documents, removed_ids=gone)


def index_write(*, documents: list[dict], removed_ids: Iterable[int] = ()) -> None:
    """Write prepared documents and removals to the current generation, all or nothing.

    The caller holds the writer lock; this function touches no database."""
    generation = current_or_empty_generation()
    writer = FastSegmentWriter(open_or_create(generation), limitmb=POOL_LIMIT_MB, **writer_options())
    try:
        for document in documents:
            writer.update_document(**document)
        for pk in removed_ids:
            writer.delete_by_term("id", f"archive.document.{pk}")
    except BaseException:
        writer.cancel()
        raise
    # Whoosh's default policy would merge every segment it deems small, bulk batches included:
    # with a dozen of them piled up, a curator's one-report save held the lock for ~25 s of merging.
    writer.commit(mergetype=merge_tiny(ADOPT_MERGE_LIMIT_DOCUMENTS))
    store.write_manifest(generation)


def _sync_dictionary() -> None:
    """Re-index what a dictionary change affects (caller holds the lock)."""
    generation = current_or_empty_generation()
    indexed = store.read_dictionary(generation)
    wanted = user_dictionary_words()
    use_user_words(wanted)
    if wanted == indexed:
        return
    affected: set[int] = set()
    try:
        for word in wanted ^ indexed:
            affected.update(engine.documents_containing(word))
    except engine.SearchUnavailable:
        affected = set(Document.objects.values_list("pk", flat=True))
    if affected:
        SearchQueueEntry.objects.bulk_create(SearchQueueEntry(document_id=pk) for pk in affected)
    store.write_dictionary(generation, wanted)


def index_rebuild(*, progress: Callable[[Iterable], Iterable] = lambda items: items) -> int:
    """Build a fresh generation from the database and swap it in; returns the number of documents.

    Search keeps answering from the old generation until the swap; a crash before it leaves the
    old generation in place. Queue entries made before the rebuild read the database are covered
    by it and removed; later ones are drained into the new generation."""
    with store.writer_lock(timeout=600):
        total = _rebuild_locked(progress=progress, keep_previous=_current_is_usable())
    queue_drain()
    return total


def index_repair(*, progress: Callable[[Iterable], Iterable] = lambda items: items) -> int | None:
    """Rebuild the index if it is unusable (`rebuild_search --if-unusable`); returns the number of
    documents, or None when it was usable or another repair is running."""
    try:
        with store.exclusive(repair.REPAIR_LOCK, timeout=0), store.writer_lock(timeout=600):
            if _current_is_usable():
                return None
            total = _rebuild_locked(progress=progress, keep_previous=False)
    except store.IndexBusy:
        if store.is_locked(repair.REPAIR_LOCK):
            return None  # another repair is at it
        raise
    queue_drain()
    return total


def _current_is_usable() -> bool:
    try:
        engine.snapshot()
    except engine.SearchUnavailable:
        return False
    return True


def rebuild_processes() -> int:
    """Writer processes for a rebuild: one per CPU (REBUILD_PROCESSES overrides), each writing its
    own segment, so the segments are as many as the processes and never merged."""
    from django.conf import settings

    return max(1, getattr(settings, "SEARCH_REBUILD_PROCESSES", None) or os.cpu_count() or 1)


def _rebuild_locked(*, progress: Callable[[Iterable], Iterable] = lambda items: items, keep_previous: bool) -> int:
    """index_rebuild's work; the caller holds the writer lock."""
    high_water = SearchQueueEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    generation = store.new_generation()
    words = user_dictionary_words()
    use_user_words(words)
    index = _document_index()
    queryset = index.index_queryset()
    total = queryset.count()
    ix = create_in(str(generation), document_schema())
    procs = rebuild_processes() if total >= PARALLEL_REBUILD_MIN_DOCUMENTS else 1
    writer = SegmentsWriter(ix, procs=procs, limitmb=POOL_LIMIT_MB, **writer_options())
    try:
        for document in progress(queryset.iterator(chunk_size=500)):
            writer.add_document(**whoosh_document(index.full_prepare(document)))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    store.write_dictionary(generation, words)
    store.write_manifest(generation)
    store.publish(generation, keep_previous=keep_previous)
    SearchQueueEntry.objects.filter(pk__lte=high_water).delete()
    _backend().reset()
    engine.reset()
    return total
