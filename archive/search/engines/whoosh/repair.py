"""Rebuilding an unusable index from the database without anyone asking, where that is safe.

The database is the source of truth, so a missing or damaged index is repaired by rebuilding it.
Who does that depends on the process that finds it:

- a management command or a test ("inline", the default): the first writer rebuilds right there,
  under the writer lock (indexing.queue_drain), since it may take as long as it needs;
- a web worker ("background", switched on by warmup.py at gunicorn start): a rebuild of 10,000
  reports takes minutes, longer than gunicorn lets a request run, so the worker starts
  `manage.py rebuild_search --if-unusable` in a process of its own and answers at once: searches
  say the index is being rebuilt, writes stay queued, the rebuild drains them when it is done.

The background rebuild holds repair.lock while it runs, so workers that find the same damage start
no second one; it checks the index again under the writer lock and does nothing if another
process repaired it meanwhile.
"""

import logging
import subprocess
import sys
import threading
import time

from django.conf import settings

from archive.search.engines.whoosh import store

logger = logging.getLogger(__name__)

REPAIR_LOCK = "repair.lock"
# A rebuild that fails (a full disk) is retried by the next search after this many seconds, not by every search.
RETRY_SECONDS = 30.0

_background = False
_last_started = float("-inf")
_guard = threading.Lock()


def use_background_repair(enabled: bool = True) -> None:
    """Served processes repair in the background (warmup.py); everything else inline."""
    global _background
    _background = enabled


def background_enabled() -> bool:
    return _background


def running() -> bool:
    """Whether a background rebuild holds repair.lock right now."""
    return store.is_locked(REPAIR_LOCK)


def request(reason: str) -> bool:
    """Start a background rebuild for an unusable index, unless one runs or this process started
    one moments ago; returns whether a rebuild is under way. Does nothing outside served processes."""
    global _last_started
    if not _background:
        return False
    with _guard:
        if running():
            return True
        if time.monotonic() - _last_started < RETRY_SECONDS:
            return True
        _last_started = time.monotonic()
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "rebuild_search", "--if-unusable"]
    try:
        # Through a shell that starts it in the background and exits: the rebuild is nobody's child,
        # so it outlives this worker (recycled, or killed for a timeout), even if this process held
        # the writer lock when it forked (store.py makes such children die with their parent).
        process = subprocess.Popen(
            ["/bin/sh", "-c", '"$@" &', "rebuild_search", *command],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        logger.exception("could not start a background rebuild of the search index")
        return False
    logger.error("search index unusable (%s); rebuilding it from the database in the background", reason)
    threading.Thread(target=process.wait, name="search-repair-reaper", daemon=True).start()
    return True
