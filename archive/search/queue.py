"""The durable search queue, drained the same way by every engine: oldest entries first, a batch at
a time, each batch's entries deleted only once the engine has written them (a failure leaves them
queued)."""

from collections.abc import Callable, Iterable

from django.db import transaction

from archive.models import SearchQueueEntry


def on_commit_once(callback: Callable[[], None]) -> None:
    """transaction.on_commit, unless an equal callback already waits for the same commit.

    A transaction that saves many rows queues a drain per row: the reform catalogue saves 1,100
    names, and each drain compared the whole jieba dictionary (13 s of load_seed's 25). A callback
    registered inside a savepoint that rolls back is dropped with it, so the check sees only
    callbacks that will run; one that has run no longer counts (a commit clears the list, a test
    capturing on_commit callbacks runs them and leaves them in it)."""
    pending = transaction.get_connection().run_on_commit
    if any(isinstance(w, _Once) and not w.ran and w.callback == callback for _sids, w, *_robust in pending):
        return
    transaction.on_commit(_Once(callback))


class _Once:
    def __init__(self, callback: Callable[[], None]):
        self.callback = callback
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        self.callback()


def queued_write(write: Callable[[set[int]], None], *, batch: int, document_ids: Iterable[int] | None = None) -> int:
    """Hand the queued document ids to `write`, `batch` entries at a time; all of them, or only
    those of `document_ids`. Returns how many entries were done."""
    wanted = None if document_ids is None else list(document_ids)  # once: it may be an iterator
    done = 0
    while True:
        queued = SearchQueueEntry.objects.order_by("pk")
        if wanted is not None:
            queued = queued.filter(document_id__in=wanted)
        entries = list(queued.values_list("pk", "document_id")[:batch])
        if not entries:
            return done
        write({document_id for _pk, document_id in entries})
        SearchQueueEntry.objects.filter(pk__in=[pk for pk, _document_id in entries]).delete()
        done += len(entries)
