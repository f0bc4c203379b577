"""Where the index lives on disk, how a new generation replaces the old one, the writer lock, and
how a generation proves it is whole.

SEARCH_DIR/
  current -> generations/<name>    the generation searches read; replaced atomically
  generations/<name>/              a Whoosh index, dictionary.txt (its jieba user words) and
                                   manifest.json (the size of every segment file, per segment)
  writer.lock                      held by whoever writes to the index, across processes
  repair.lock                      held by a background repair (repair.py) while it runs

A rebuild writes a new generation beside the live one and swaps the link, so search keeps working
during a rebuild and after a crash in the middle of one (the half-built generation is never linked).
Whoosh itself allows one writer and fails at once on a second (RESEARCH.md #11); every write here
first takes writer.lock, waiting for it, so Whoosh's own lock is never contended.

Whoosh notices little of a damaged index by itself: a truncated postings or column file reads as
"no such term" or as zeros (RESEARCH.md #13). Segment files never change once written (deletions
live in the table of contents), so after each commit the writer records their sizes, keyed by
segment, and readers compare them with the disk: a missing or truncated file is found before it
is read. Recording per segment keeps a reader that opens between a commit and its record from
seeing a false alarm: a segment not yet recorded is simply not checked.
"""

import contextlib
import ctypes
import fcntl
import json
import os
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings

from archive.search.errors import IndexBusy

DICTIONARY_FILE = "dictionary.txt"
DICTIONARY_HEADER = "#words "
MANIFEST_FILE = "manifest.json"


class IndexDamaged(RuntimeError):
    """A generation's files are missing, truncated or unreadable; the message says which."""


def search_dir() -> Path:
    path = Path(settings.SEARCH_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _current_link() -> Path:
    return search_dir() / "current"


def current_generation() -> Path | None:
    """The linked generation, or None when there is no link or it leads nowhere (link_problem says)."""
    link = _current_link()
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def link_problem() -> str | None:
    """Why there is no current generation: None when there is one."""
    link = _current_link()
    if not link.is_symlink():
        return "no current index generation" if not link.exists() else "current is not a link"
    if not link.resolve().is_dir():
        return f"current points to {os.readlink(link)}, which does not exist"
    return None


def new_generation() -> Path:
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path = search_dir() / "generations" / name
    path.mkdir(parents=True)
    return path


def generations() -> list[Path]:
    folder = search_dir() / "generations"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def publish(generation: Path, *, keep_previous: bool = True) -> None:
    """Point `current` at `generation` atomically, then drop every other generation but the previous
    one (a reader may have resolved the link to it a moment ago and not opened its files yet).
    A repair passes keep_previous=False: the previous generation is the broken one."""
    previous = current_generation() if keep_previous else None
    temporary = search_dir() / f".current-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(generation, search_dir()), temporary)
    os.replace(temporary, _current_link())
    keep = {generation.resolve(), previous.resolve() if previous else None}
    for candidate in generations():
        if candidate.resolve() not in keep:
            shutil.rmtree(candidate, ignore_errors=True)
    for leftover in search_dir().glob(".current-*"):  # from a publish killed between its two steps
        leftover.unlink(missing_ok=True)


def read_dictionary(generation: Path) -> frozenset[str]:
    """The generation's jieba user words. The first line counts them, so a truncated file is
    noticed (a file without the count, from before it was written, is taken as it is)."""
    path = generation / DICTIONARY_FILE
    if not path.exists():
        return frozenset()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise IndexDamaged(f"{DICTIONARY_FILE} is not valid UTF-8 (truncated?)") from error
    if lines and lines[0].startswith(DICTIONARY_HEADER):
        expected = lines.pop(0)[len(DICTIONARY_HEADER) :]
        if not expected.isdigit() or int(expected) != len(lines):
            raise IndexDamaged(f"{DICTIONARY_FILE} holds {len(lines)} words, its header says {expected}")
    return frozenset(line for line in lines if line)


def write_dictionary(generation: Path, words: frozenset[str]) -> None:
    temporary = generation / f".{DICTIONARY_FILE}.tmp"
    ordered = sorted(words)
    temporary.write_text("\n".join([f"{DICTIONARY_HEADER}{len(ordered)}", *ordered]), encoding="utf-8")
    os.replace(temporary, generation / DICTIONARY_FILE)


def write_manifest(generation: Path) -> None:
    """Record the size of every file of every segment in the generation's latest table of contents
    (caller holds the writer lock, after a commit)."""
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(generation))
    index = storage.open_index()
    segments = {
        segment.segment_id(): {name: storage.file_length(name) for name in segment.list_files(storage)}
        for segment in index._segments()
    }
    temporary = generation / f".{MANIFEST_FILE}.tmp"
    temporary.write_text(json.dumps({"segments": segments}, sort_keys=True), encoding="utf-8")
    os.replace(temporary, generation / MANIFEST_FILE)


def expected_sizes(generation: Path, segment_ids: list[str]) -> dict[Path, int] | None:
    """Path → size for the files of these segments that the manifest records; None when the
    generation has no manifest (written before there was one)."""
    path = generation / MANIFEST_FILE
    if not path.exists():
        return None
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))["segments"]
    except (ValueError, KeyError, TypeError) as error:
        raise IndexDamaged(f"{MANIFEST_FILE} is unreadable") from error
    return {generation / name: size for segment in segment_ids for name, size in recorded.get(segment, {}).items()}


def check_sizes(expected: dict[Path, int]) -> None:
    """Raise IndexDamaged naming the first file that is missing or not its recorded size."""
    for path, size in expected.items():
        try:
            actual = os.stat(path).st_size
        except FileNotFoundError:
            raise IndexDamaged(f"{path.name} is missing") from None
        if actual != size:
            raise IndexDamaged(f"{path.name} is {actual} bytes, {size} were written")


# Lock files this process holds, so that children forked while holding one (Whoosh's parallel
# writer forks its sub-writers) do not keep it: flock belongs to the open file, which a child shares.
_held: set[int] = set()
_held_guard = threading.Lock()
_PR_SET_PDEATHSIG = 1


def _after_fork_in_child() -> None:
    if not _held:
        return
    for descriptor in list(_held):
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _held.clear()
    # A child forked by a writer dies with it: killed -9, the parent could not stop Whoosh's
    # sub-writers, which would wait on their job queue forever.
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextlib.contextmanager
def exclusive(name: str, timeout: float):
    """An flock on SEARCH_DIR/<name>, waited for up to `timeout` seconds (0: try once).

    Released by the kernel when the holder dies, whatever the file left behind, so a crashed
    writer never blocks the next one."""
    with open(search_dir() / name, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as error:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"search index {name} busy for {timeout:.0f}s") from error
                time.sleep(0.05)
        with _held_guard:
            _held.add(handle.fileno())
        try:
            yield
        finally:
            with _held_guard:
                _held.discard(handle.fileno())
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def shared(name: str):
    """A shared flock on SEARCH_DIR/<name> for as long as the block runs (several holders may
    hold it at once; is_locked_shared tells others). Released by the kernel if the holder dies."""
    with open(search_dir() / name, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        with _held_guard:
            _held.add(handle.fileno())
        try:
            yield
        finally:
            with _held_guard:
                _held.discard(handle.fileno())
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_locked_shared(name: str) -> bool:
    """Whether any process holds SEARCH_DIR/<name> (shared or exclusive) right now."""
    path = search_dir() / name
    if not path.exists():
        return False
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def writer_lock(timeout: float = 30.0):
    """Exclusive across processes; released by the kernel if the holder dies."""
    return exclusive("writer.lock", timeout)


def is_locked(name: str) -> bool:
    """Whether another process holds SEARCH_DIR/<name> right now."""
    try:
        with exclusive(name, timeout=0):
            return False
    except IndexBusy:
        return True
