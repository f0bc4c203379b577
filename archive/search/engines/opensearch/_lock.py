"""One writer per cluster. Several web servers may share one database and one cluster: when the
database is PostgreSQL, the lock is a PostgreSQL advisory lock, which every server sees; with
SQLite (one machine by construction) it is a file lock in SEARCH_DIR, as for Whoosh. Both are
released when their holder dies, so a killed writer never blocks the next one."""

import contextlib
import fcntl
import hashlib
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from archive.search.errors import IndexBusy

POLL_SECONDS = 0.05


def _key(name: str) -> int:
    """A signed 64-bit advisory lock key of its own per index alias."""
    return int.from_bytes(hashlib.sha256(f"reform-archive-search:{name}".encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def writer_lock(name: str, timeout: float):
    """Exclusive across processes (and across machines on PostgreSQL); waits up to `timeout`
    seconds (0: try once), then raises IndexBusy."""
    if connection.vendor == "postgresql":
        with _advisory(name, timeout):
            yield
    else:
        with _file(name, timeout):
            yield


def _wait(try_once, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not try_once():
        if time.monotonic() >= deadline:
            raise IndexBusy(f"search index {name} busy for {timeout:.0f}s")
        time.sleep(POLL_SECONDS)


@contextlib.contextmanager
def _advisory(name: str, timeout: float):
    key = _key(name)

    def try_once() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            return cursor.fetchone()[0]

    _wait(try_once, name, timeout)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextlib.contextmanager
def _file(name: str, timeout: float):
    folder = Path(settings.SEARCH_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.writer.lock", "a+") as handle:

        def try_once() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _wait(try_once, name, timeout)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
