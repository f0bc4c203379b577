"""Start-up work for gunicorn: jieba in the master (shared by fork), the index reader per worker."""

import logging

from archive.search import engine
from archive.search.analyzers import segmenter

logger = logging.getLogger(__name__)


def warm_up_segmenter() -> None:
    segmenter()


def warm_up_index() -> None:
    """Open the current index in this process. Readers hold open files, so they must not be
    opened before fork: forked processes would share file offsets."""
    try:
        engine.snapshot()
    except engine.SearchUnavailable as error:
        logger.warning("search not ready at start: %s", error)
