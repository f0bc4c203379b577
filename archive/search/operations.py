"""Keeping the index equal to the database, and reading it for research: thin functions over the
engine the settings choose (engines.current()), so callers never know which engine runs."""

import contextlib
from collections.abc import Iterable, Sequence

from archive.search import confirm, engines
from archive.search.engines import check_configured, current
from archive.search.engines.base import FACET_FIELDS, EngineResult, IndexHealth, Progress
from archive.search.queries import ParsedQuery


def evaluate(
    query: ParsedQuery,
    *,
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facet_fields: Sequence[str] = FACET_FIELDS,
) -> EngineResult:
    """Document ids and scores for a parsed query, without loading reports (research, exports);
    pages use results.search_documents. Proximity operators and title scope are confirmed on the
    reports' texts (confirm.py) whichever engine retrieved them. Raises SearchUnavailable."""
    return confirm.evaluate(query, filters=filters, sort=sort, offset=offset, limit=limit, facet_fields=facet_fields)


def documents_containing(text: str) -> list[int]:
    return current().documents_containing(text)


def normalised_texts(document_ids: list[int]) -> dict[int, bytes]:
    return current().normalised_texts(document_ids)


def occurrence_counts(key: str, count, document_ids: list[int]) -> dict[int, int]:
    """`count` of each report's stored normalised text (UTF-8 bytes), by id; engines may remember
    the counts under `key` for as long as their index does not change (the concordance's counts)."""
    return current().occurrence_counts(key, count, document_ids)


def word_frequencies(words: list[str], document_ids: list[int]) -> dict[str, int]:
    return current().word_frequencies(words, document_ids)


def enqueue(document_ids: Iterable[int]) -> None:
    """Queue reports for re-indexing in the current transaction; drained after it commits."""
    current().enqueue(document_ids)


def dictionary_changed() -> None:
    current().dictionary_changed()


def batched() -> contextlib.AbstractContextManager[None]:
    """Around a bulk job, which calls bulk_drain itself."""
    return current().batched()


def drain(*, timeout: float | None = None, document_ids: Iterable[int] | None = None) -> int:
    """Write what is queued now; raises IndexBusy when another writer holds the index too long."""
    return current().drain(timeout=timeout, document_ids=document_ids)


def drain_quietly(document_ids: Iterable[int]) -> None:
    current().drain_quietly(document_ids)


def bulk_drain() -> int:
    return current().bulk_drain()


def merge_segments() -> int:
    """After a bulk job that finished (import_reports), never in a request: see the engine."""
    return current().merge_segments()


def rebuild(*, progress: Progress = lambda items: items) -> int:
    return current().rebuild(progress=progress)


def repair(*, progress: Progress = lambda items: items) -> int | None:
    return current().repair(progress=progress)


def health() -> IndexHealth:
    return current().health()


def preload_before_fork() -> None:
    """In gunicorn's master, before it forks the workers (reformsite/wsgi.py)."""
    current().preload()


def open_index() -> None:
    """In each served process after fork (gunicorn's post_fork)."""
    current().open()


def engine_check() -> None:
    """Raise ImproperlyConfigured unless the engine the settings choose can be loaded."""
    check_configured()


def reset() -> None:
    engines.reset()


def text_analyse(*, title: str, body: str) -> object:
    return current().text_analyse(title=title, body=body)


def analysed_keep(*, document_id: int, analysis: object) -> None:
    current().analysed_keep(document_id=document_id, analysis=analysis)
