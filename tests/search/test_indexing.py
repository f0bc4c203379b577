"""The index stays equal to the database: after commit, across processes, through rebuilds."""

import multiprocessing

import pytest

from archive.models import Category, Document, Initiative, InitiativeAlias, Mention, MentionStatus, SearchQueueEntry
from archive.search import engine, store
from archive.search.analyzers import words_of
from archive.search.backend import whoosh_document
from archive.search.indexing import index_rebuild, index_write, queue_drain
from archive.search.queries import parse_query


def count(query: str, **filters) -> int:
    return engine.run(parse_query(query), filters=filters).count


def test_an_edit_is_searchable_after_commit(indexed, django_capture_on_commit_callbacks):
    document = Document.objects.get(city__slug="changchun")
    assert count("量子改革试验区") == 0
    with django_capture_on_commit_callbacks(execute=True):
        document.body += "\n长春市设立量子改革试验区。"
        document.save()
    assert count("量子改革试验区") == 1
    assert not SearchQueueEntry.objects.exists()


def test_nothing_reaches_the_index_before_commit(indexed, django_capture_on_commit_callbacks):
    document = Document.objects.get(city__slug="changchun")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document.body += "\n未提交的改动。"
        document.save()
        assert count("未提交的改动") == 0
    assert callbacks and SearchQueueEntry.objects.filter(document_id=document.pk).exists()


def test_a_deleted_document_leaves_the_index(indexed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.get(city__slug="xuchang").delete()
    assert count("县管校聘") == 0


def test_tagging_a_mention_updates_the_facets(indexed, django_capture_on_commit_callbacks):
    document = Document.objects.get(city__slug="changchun")
    initiative = Initiative.objects.get(slug="xianguanxiaopin")
    assert count("", initiatives=["xianguanxiaopin"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        Mention.objects.create(document=document, initiative=initiative, start=0, end=4, status=MentionStatus.CONFIRMED)
    assert count("", initiatives=["xianguanxiaopin"]) == 2


def test_updates_stay_queued_while_the_writer_is_busy(indexed, django_capture_on_commit_callbacks, monkeypatch):
    def busy(timeout=0):
        raise store.IndexBusy("busy")

    document = Document.objects.get(city__slug="changchun")
    monkeypatch.setattr(store, "writer_lock", busy)
    with django_capture_on_commit_callbacks(execute=True):
        document.body += "\n排队中的改动。"
        document.save()
    assert SearchQueueEntry.objects.filter(document_id=document.pk).exists()
    monkeypatch.undo()
    assert queue_drain() >= 1
    assert count("排队中的改动") == 1


def test_a_new_alias_changes_the_dictionary_and_reindexes(indexed, django_capture_on_commit_callbacks):
    assert "科创飞地" not in words_of("建设科创飞地")
    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.get(slug="industry-innovation")
        Initiative.objects.create(name="科创飞地", slug="kechuangfeidi", category=category)
    assert "科创飞地" in store.read_dictionary(store.current_generation())
    with django_capture_on_commit_callbacks(execute=True):
        InitiativeAlias.objects.create(initiative=Initiative.objects.get(slug="hezhangzhi"), name="河湖长")
    assert "河湖长" in store.read_dictionary(store.current_generation())


def test_rebuild_swaps_in_a_new_generation(indexed):
    before = store.current_generation()
    assert index_rebuild() == 5
    after = store.current_generation()
    assert after != before and count("县管校聘") == 1


def test_a_crash_in_the_middle_of_a_rebuild_leaves_search_working(indexed):
    before = store.current_generation()

    def crash(items):
        for number, item in enumerate(items):
            if number == 2:
                raise KeyboardInterrupt  # as if killed
            yield item

    with pytest.raises(KeyboardInterrupt):
        index_rebuild(progress=crash)
    assert store.current_generation() == before
    engine.reset()
    assert count("县管校聘") == 1


def _write_in_other_process(start: int, number: int) -> None:
    documents = [
        whoosh_document(
            {
                "id": f"archive.document.{pk}",
                "django_ct": "archive.document",
                "django_id": str(pk),
                "text": f"并发写入{pk}号",
                "chars": f"并发写入{pk}号",
                "document_id": pk,
                "city": "zhuzhou",
                "province": "湖南省",
                "years": [],
                "year_start": 0,
                "categories": [],
                "initiatives": [],
            }
        )
        for pk in range(start, start + number)
    ]
    for document in documents:  # one commit each, to contend for the lock as often as possible
        with store.writer_lock(timeout=60):
            index_write(documents=[document])


def test_two_processes_writing_at_once_lose_nothing(indexed):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_in_other_process, args=(start, 15)) for start in (1000, 2000)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    engine.reset()
    assert count("并发写入") == 30


def test_a_report_added_in_the_admin_is_searchable_after_commit(
    admin_client, indexed, django_capture_on_commit_callbacks
):
    from archive.models import City

    data = {
        "title": "某市河湖长制改革纪要",
        "city": City.objects.get(slug="xiangtan").pk,
        "body": "全面推行河湖长制，设立“企业河长”。\n建立跨界河流联防联控机制。",
        "source": "湘潭日报",
        "extra": "{}",
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
        "mentions-MIN_NUM_FORMS": "0",
        "mentions-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/archive/document/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert count("企业河长") == 1
    assert count("联防联控", city=["xiangtan"]) == 1

    again = admin_client.post("/admin/archive/document/add/", data)
    assert again.status_code == 200 and "正文相同" in again.content.decode()
