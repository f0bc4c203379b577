"""Start-up work for gunicorn: in the master before fork, the index's jieba user words (so the
workers share them); in each worker, the index reader (jieba itself is loaded in the master by
reformsite/wsgi.py, shared by fork)."""

import logging

from archive.search.engines.whoosh import engine, repair, store
from archive.text.words import use_user_words

logger = logging.getLogger(__name__)


def warm_up_index() -> None:
    """Open and check the current index in this worker, and drain what a killed process left queued.

    Runs in gunicorn's post_fork: readers hold open files, so they must not be opened before fork
    (forked processes would share file offsets). From here on this process repairs an unusable
    index in the background (repair.py): a rebuild may take longer than a request may run."""
    from archive.models import SearchQueueEntry
    from archive.search.engines.whoosh.indexing import queue_drain

    repair.use_background_repair()
    try:
        snap = engine.snapshot()
    except engine.SearchUnavailable as error:
        logger.error("search index unusable at start: %s; %s", error.reason, error)
        return
    if not snap.verified:
        logger.warning("search index %s has no manifest; rebuild_search adds one", snap.generation.name)
    try:
        queued = SearchQueueEntry.objects.exists()
    except Exception:  # the database is not migrated yet: the pages will say so, not the start-up
        logger.exception("cannot read the search queue at start")
        return
    if not queued:
        return
    try:
        # Briefly: a worker that does not start within gunicorn's timeout is killed. A writer
        # holding the lock drains these entries itself when it is done.
        queue_drain(timeout=2)
    except Exception as error:
        logger.warning("queued search updates left for the next writer: %r", error)


def load_user_words() -> None:
    """Give jieba the current index's user words, reading only the dictionary file (no reader:
    its open files must not be inherited by forked workers).

    Called in gunicorn's master before fork: adding ~800 words writes all over jieba's dictionary
    (a hash table of ~600,000 entries), so done in each worker it copied ~3 MB of shared pages
    into every one. A worker still loads the words itself if the index's dictionary differs."""
    generation = store.current_generation()
    if generation is None:
        return
    try:
        words = store.read_dictionary(generation)
    except (store.IndexDamaged, OSError) as error:
        logger.warning("index dictionary not preloaded: %s", error)  # the worker says it again
        return
    use_user_words(words)
