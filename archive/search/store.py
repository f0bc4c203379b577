"""Where the index lives on disk, how a new generation replaces the old one, and the writer lock.

SEARCH_DIR/
  current -> generations/<name>    the generation searches read; replaced atomically
  generations/<name>/              a Whoosh index plus dictionary.txt (its jieba user words)
  writer.lock                      held by whoever writes to the index, across processes

A rebuild writes a new generation beside the live one and swaps the link, so search keeps working
during a rebuild and after a crash in the middle of one (the half-built generation is never linked).
Whoosh itself allows one writer and fails at once on a second (RESEARCH.md #11); every write here
first takes writer.lock, waiting for it, so Whoosh's own lock is never contended.
"""

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings

DICTIONARY_FILE = "dictionary.txt"


class IndexBusy(RuntimeError):
    """The writer lock could not be had in time; the change stays queued and is retried."""


def search_dir() -> Path:
    path = Path(settings.SEARCH_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _current_link() -> Path:
    return search_dir() / "current"


def current_generation() -> Path | None:
    link = _current_link()
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def new_generation() -> Path:
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path = search_dir() / "generations" / name
    path.mkdir(parents=True)
    return path


def publish(generation: Path) -> None:
    """Point `current` at `generation` atomically, then drop generations older than the previous one."""
    previous = current_generation()
    temporary = search_dir() / f".current-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(generation, search_dir()), temporary)
    os.replace(temporary, _current_link())
    keep = {generation.resolve(), previous.resolve() if previous else None}
    for candidate in (search_dir() / "generations").iterdir():
        if candidate.resolve() not in keep:
            shutil.rmtree(candidate, ignore_errors=True)


def read_dictionary(generation: Path) -> frozenset[str]:
    path = generation / DICTIONARY_FILE
    if not path.exists():
        return frozenset()
    return frozenset(line for line in path.read_text(encoding="utf-8").splitlines() if line)


def write_dictionary(generation: Path, words: frozenset[str]) -> None:
    temporary = generation / f".{DICTIONARY_FILE}.tmp"
    temporary.write_text("\n".join(sorted(words)), encoding="utf-8")
    os.replace(temporary, generation / DICTIONARY_FILE)


@contextlib.contextmanager
def writer_lock(timeout: float = 30.0):
    """Exclusive across processes; released by the kernel if the holder dies."""
    with open(search_dir() / "writer.lock", "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as error:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"search index writer busy for {timeout:.0f}s") from error
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
