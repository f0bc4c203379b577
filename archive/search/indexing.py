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

import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from haystack import connections
from whoosh.index import create_in

from archive.models import City, Document, Initiative, InitiativeAlias, SearchQueueEntry
from archive.search import engine, repair, store
from archive.search.analyzers import use_user_words
from archive.search.backend import (
    WRITER_LOCK_TIMEOUT,
    current_or_empty_generation,
    document_schema,
    open_or_create,
    whoosh_document,
    writer_options,
)
from archive.search.normalise import normalise

logger = logging.getLogger(__name__)

DRAIN_BATCH = 200
PARALLEL_REBUILD_MIN_DOCUMENTS = 500


def _document_index():
    return connections["default"].get_unified_index().get_index(Document)


def _backend():
    return connections["default"].get_backend()


def user_dictionary_words() -> frozenset[str]:
    names: Iterable[str] = [
        *Initiative.objects.values_list("name", flat=True),
        *InitiativeAlias.objects.values_list("name", flat=True),
        *City.objects.with_documents().values_list("name", flat=True),
        *City.objects.with_documents().values_list("short_name", flat=True),
    ]
    return frozenset(word for word in (normalise(name) for name in names) if len(word) >= 2)


def index_enqueue(document_ids: Iterable[int]) -> None:
    """Queue documents for re-indexing in the current transaction, and drain after it commits."""
    entries = [SearchQueueEntry(document_id=pk) for pk in set(document_ids) if pk is not None]
    if not entries:
        return
    SearchQueueEntry.objects.bulk_create(entries)
    transaction.on_commit(_drain_if_queued)


def index_dictionary_changed() -> None:
    """Names or aliases changed: the drain after commit compares dictionaries and re-indexes."""
    transaction.on_commit(_drain_quietly)


def _drain_if_queued():
    # A transaction that saved many rows registered as many callbacks; the first drains, the rest
    # find the queue empty with one query.
    if SearchQueueEntry.objects.exists():
        _drain_quietly()


def _drain_quietly():
    try:
        queue_drain()
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


def queue_drain(*, timeout: float = WRITER_LOCK_TIMEOUT) -> int:
    """Write every queued document to the index; returns how many entries were done."""
    done = 0
    with store.writer_lock(timeout):
        _ensure_usable()
        _sync_dictionary()
        while True:
            entries = list(SearchQueueEntry.objects.order_by("pk")[:DRAIN_BATCH])
            if not entries:
                return done
            _write_documents({entry.document_id for entry in entries})
            SearchQueueEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
            done += len(entries)


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
    index = _document_index()
    documents = list(index.index_queryset().filter(pk__in=document_ids))
    gone = document_ids - {document.pk for document in documents}
    index_write(documents=[whoosh_document(index.full_prepare(d)) for d in documents], removed_ids=gone)


def index_write(*, documents: list[dict], removed_ids: Iterable[int] = ()) -> None:
    """Write prepared documents and removals to the current generation, all or nothing.

    The caller holds the writer lock; this function touches no database."""
    generation = current_or_empty_generation()
    writer = open_or_create(generation).writer(**writer_options())
    try:
        for document in documents:
            writer.update_document(**document)
        for pk in removed_ids:
            writer.delete_by_term("id", f"archive.document.{pk}")
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
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
    if total >= PARALLEL_REBUILD_MIN_DOCUMENTS:
        writer = ix.writer(procs=2, limitmb=256, multisegment=True, subargs=writer_options(), **writer_options())
    else:
        writer = ix.writer(limitmb=256, **writer_options())
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
