"""Start-up work for gunicorn in each worker: the index reader (jieba is loaded in the master by
reformsite/wsgi.py, shared by fork)."""

import logging

from archive.search.engines.whoosh import engine, repair

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
