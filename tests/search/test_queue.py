"""The queue every engine drains: batches oldest first, entries kept until written."""

import pytest
from django.db import transaction

from archive.models import Document, SearchQueueEntry
from archive.search.queue import on_commit_once, queued_write


@pytest.fixture
def five_queued(seeded):
    SearchQueueEntry.objects.all().delete()
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    SearchQueueEntry.objects.bulk_create(SearchQueueEntry(document_id=pk) for pk in ids)
    return ids


def test_every_batch_is_written_and_then_removed(five_queued):
    batches = []
    assert queued_write(batches.append, batch=2) == 5
    assert [len(b) for b in batches] == [2, 2, 1]
    assert set().union(*batches) == set(five_queued)
    assert not SearchQueueEntry.objects.exists()


def test_only_the_documents_asked_for_even_from_an_iterator_across_batches(five_queued):
    wanted = five_queued[:3]
    batches = []
    assert queued_write(batches.append, batch=1, document_ids=iter(wanted)) == 3
    assert set().union(*batches) == set(wanted)
    assert set(SearchQueueEntry.objects.values_list("document_id", flat=True)) == set(five_queued[3:])


def test_a_failed_write_leaves_its_batch_queued(five_queued):
    def fail(_ids):
        raise RuntimeError("cluster down")

    with pytest.raises(RuntimeError):
        queued_write(fail, batch=2)
    assert SearchQueueEntry.objects.count() == 5


def test_a_callback_waits_once_per_commit_however_often_it_is_registered(db, django_capture_on_commit_callbacks):
    """The reform catalogue saves 1,100 names in one transaction; each asked for a dictionary drain."""
    ran = []

    def drain():
        ran.append("drain")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            on_commit_once(drain)
        on_commit_once(lambda: ran.append("other"))  # a different callback still waits for the commit
    assert ran == ["drain", "other"]


def test_a_callback_dropped_with_its_savepoint_is_registered_again(db, django_capture_on_commit_callbacks):
    ran = []

    def drain():
        ran.append("drain")

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                on_commit_once(drain)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        on_commit_once(drain)
    assert ran == ["drain"]
