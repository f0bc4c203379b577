"""The index stays equal to the database: after commit, across processes, through rebuilds."""

import multiprocessing

import pytest

from archive.models import Category, Document, Initiative, InitiativeAlias, Mention, MentionStatus, SearchQueueEntry
from archive.search.engines.whoosh import engine, store
from archive.search.engines.whoosh.backend import whoosh_document
from archive.search.engines.whoosh.indexing import index_rebuild, index_write, queue_drain
from archive.search.queries import parse_query
from archive.text.words import words_of


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


# --- the fast segment writer and bulk drains --------------------------------------------------


def _postings_of(ix) -> dict:
    """Every (field, term) → [(document id, weight, value)], by the `id` each document has."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        table = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            rows = []
            while matcher.is_active():
                if matcher.id() in ids:
                    rows.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            table[(fieldname, term)] = sorted(rows)
        return table


def _seed_documents() -> list[dict]:
    from archive.search.engines.whoosh.indexing import _document_index

    index = _document_index()
    return [whoosh_document(index.full_prepare(d)) for d in index.index_queryset().order_by("pk")]


@pytest.mark.parametrize("limitmb", [256, 0])  # 0: every document spills a run to disk
def test_the_fast_writer_writes_the_postings_whoosh_writes(seeded, tmp_path, limitmb):
    """Same documents through Whoosh's own SegmentWriter and ours (one process, several, with and
    without runs on disk): the same postings, except that `chars` stores presence only (weight 1)."""
    from whoosh.index import create_in
    from whoosh.writing import SegmentWriter

    from archive.search.engines.whoosh.backend import document_schema, writer_options
    from archive.search.engines.whoosh.segments import SegmentsWriter

    documents = _seed_documents() * 1
    plain = create_in(str(tmp_path / "plain"), document_schema()) if (tmp_path / "plain").mkdir() is None else None
    writer = SegmentWriter(plain, **writer_options())
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    expected = {
        key: [(pk, 1.0 if key[0] == "chars" else weight, value) for pk, weight, value in rows]
        for key, rows in _postings_of(plain).items()
    }
    for procs in (1, 2):
        folder = tmp_path / f"fast-{procs}"
        folder.mkdir()
        fast = create_in(str(folder), document_schema())
        writer = SegmentsWriter(fast, procs=procs, limitmb=limitmb, **writer_options())
        for document in documents:
            writer.add_document(**document)
        writer.commit()
        assert _postings_of(fast) == expected
        assert not list((folder).glob("*.tmp/*"))  # the runs are gone


def test_a_merge_keeps_every_posting(indexed):
    """Segments merged by Whoosh's merge policy through our pool: nothing lost, deletions honoured."""
    from archive.search.engines.whoosh.backend import open_or_create

    for number in range(12):  # small commits, which the merge policy folds together
        with store.writer_lock(timeout=60):
            index_write(documents=[_synthetic(5000 + number)])
    with store.writer_lock(timeout=60):
        index_write(documents=[], removed_ids=[5003])
    engine.reset()
    assert count("并发写入") == 11 and count("县管校聘") == 1
    assert len(open_or_create(store.current_generation())._segments()) < 13


def _synthetic(pk: int) -> dict:
    return whoosh_document(
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


def test_during_a_bulk_import_a_save_drains_only_its_own_documents(
    indexed, django_capture_on_commit_callbacks, tmp_path
):
    """Another process importing in bulk holds the bulk lock: a curator's save writes its own
    report at once and leaves the import's backlog to the import."""
    from archive.search.engines.whoosh.indexing import BULK_LOCK

    backlog = Document.objects.get(city__slug="xuchang")
    SearchQueueEntry.objects.create(document_id=backlog.pk)
    context = multiprocessing.get_context("fork")
    holding, release = context.Event(), context.Event()

    def hold():
        with store.shared(BULK_LOCK):
            holding.set()
            release.wait(60)

    importer = context.Process(target=hold)
    importer.start()
    try:
        assert holding.wait(30) and store.is_locked_shared(BULK_LOCK)
        document = Document.objects.get(city__slug="changchun")
        with django_capture_on_commit_callbacks(execute=True):
            document.body += "\n馆员即时保存。"
            document.save()
        assert count("馆员即时保存") == 1
        assert list(SearchQueueEntry.objects.values_list("document_id", flat=True)) == [backlog.pk]
    finally:
        release.set()
        importer.join(30)
    assert not store.is_locked_shared(BULK_LOCK)


def test_a_bulk_drain_uses_the_workers_analysis_only_for_the_same_text(indexed):
    """Postings computed ahead for another text (the report was edited since) are not used."""
    from archive.search.engines.whoosh.indexing import bulk_drain, document_text_analyse, index_analysed_ahead
    from archive.text.words import loaded_user_words

    document = Document.objects.get(city__slug="changchun")
    stale_text, stale_postings = document_text_analyse(title=document.title, body="过时的文本，不在报告里")
    index_analysed_ahead(
        document_id=document.pk, normalised=stale_text, postings=stale_postings, words=loaded_user_words()
    )
    Document.objects.filter(pk=document.pk).update(body=document.body + "\n批量写入的新句子。")
    SearchQueueEntry.objects.create(document_id=document.pk)
    assert bulk_drain() == 1
    engine.reset()
    assert count("批量写入的新句子") == 1 and count("过时的文本") == 0


def test_the_index_holds_the_words_and_grams_a_query_is_cut_into(seeded):
    """The bulk postings (computed ahead in worker processes) are the query-time analysis: jieba's
    words as words_of cuts them, numbered per token, and every character and neighbouring pair."""
    from archive.search.engines.whoosh.backend import document_schema
    from archive.text.normalise import normalise

    schema = document_schema()
    text = normalise(Document.objects.get(city__slug="xuchang").body)
    terms, weights, values, length = schema["text"].postings(text)
    words = words_of(text)
    assert [term.decode() for term in terms] == list(dict.fromkeys(words)) and length == len(words)
    for term, weight, value in zip(terms, weights, values, strict=True):
        positions = [index for index, word in enumerate(words) if word == term.decode()]
        assert schema["text"].format.decode_positions(value) == positions and weight == len(positions)
    grams, _weights, _values, _length = schema["chars"].postings(text)
    query = "县管校聘"
    assert {query[i : i + 2].encode() for i in range(len(query) - 1)} <= set(grams)
    assert {gram.decode() for gram in grams} == set(text) | {text[i : i + 2] for i in range(len(text) - 1)}


def test_during_a_bulk_commit_a_save_does_not_wait_for_the_writer(
    indexed, django_capture_on_commit_callbacks, monkeypatch
):
    """The import holds the writer lock for a batch's commit: a curator's save waits at most
    BULK_SAVE_LOCK_TIMEOUT, and its report stays queued for the import's next drain."""
    import time

    from archive.search.engines.whoosh import indexing

    monkeypatch.setattr(indexing, "BULK_SAVE_LOCK_TIMEOUT", 0.2)
    monkeypatch.setattr(store, "is_locked_shared", lambda name: name == indexing.BULK_LOCK)
    context = multiprocessing.get_context("fork")
    holding, release = context.Event(), context.Event()

    def hold_writer():
        with store.writer_lock(timeout=10):
            holding.set()
            release.wait(60)

    writer = context.Process(target=hold_writer)
    writer.start()
    try:
        assert holding.wait(30)
        document = Document.objects.get(city__slug="changchun")
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            document.body += "\n导入期间的保存。"
            document.save()
        assert time.monotonic() - started < 5
        assert SearchQueueEntry.objects.filter(document_id=document.pk).exists()
    finally:
        release.set()
        writer.join(30)
    assert queue_drain() >= 1 and count("导入期间的保存") == 1


def _while_the_batch_is_written(monkeypatch, action):
    """Run `action` once, as the bulk drain starts writing its batch's first document."""
    from archive.search.engines.whoosh import segments

    real = segments.FastSegmentWriter.add_document
    state = {"done": False}

    def add_document(writer, **fields):
        if not state["done"]:
            state["done"] = True
            action()
        return real(writer, **fields)

    monkeypatch.setattr(segments.FastSegmentWriter, "add_document", add_document)


def test_during_a_bulk_drain_a_save_is_searchable_before_the_batch_is_committed(
    indexed, django_capture_on_commit_callbacks, monkeypatch
):
    """A bulk import writes its batch's segment without the writer lock: a curator's save made
    meanwhile gets the lock at once and is searchable before the import's batch is, instead of
    waiting for the batch's commit (the 2 s it may wait would run out) and then the next batch."""
    from archive.search.engines.whoosh import indexing

    monkeypatch.setattr(indexing, "BULK_SAVE_LOCK_TIMEOUT", 0.2)
    backlog = Document.objects.get(city__slug="xuchang")
    Document.objects.filter(pk=backlog.pk).update(body=backlog.body + "\n批量导入的新句子。")
    SearchQueueEntry.objects.create(document_id=backlog.pk)
    seen = {}

    def curator_saves():
        document = Document.objects.get(city__slug="changchun")
        with django_capture_on_commit_callbacks(execute=True):
            document.body += "\n馆员在导入期间保存。"
            document.save()
        seen.update(curator=count("馆员在导入期间保存"), batch=count("批量导入的新句子"))

    _while_the_batch_is_written(monkeypatch, curator_saves)
    with store.shared(indexing.BULK_LOCK):  # as index_batched holds it (in another process)
        assert indexing.bulk_drain() == 1
    assert seen == {"curator": 1, "batch": 0}
    assert count("批量导入的新句子") == 1 and count("馆员在导入期间保存") == 1
    assert count("") == Document.objects.count() and not SearchQueueEntry.objects.exists()


def test_a_bulk_batch_leaves_out_what_another_drain_wrote_meanwhile(indexed, monkeypatch):
    """While the batch is written apart, another drain writes a newer version of one of its
    documents: the batch's older version is deleted from its segment, so the index holds the
    newer one, once."""
    from archive.search.engines.whoosh import indexing

    document = Document.objects.get(city__slug="xuchang")
    Document.objects.filter(pk=document.pk).update(body=document.body + "\n批量读到的旧版本。")
    SearchQueueEntry.objects.create(document_id=document.pk)

    def another_drain():
        Document.objects.filter(pk=document.pk).update(body=document.body + "\n馆员改过的新版本。")
        SearchQueueEntry.objects.create(document_id=document.pk)
        assert queue_drain() == 2

    _while_the_batch_is_written(monkeypatch, another_drain)
    assert indexing.bulk_drain() == 1
    assert count("馆员改过的新版本") == 1 and count("批量读到的旧版本") == 0
    assert count("县管校聘") == 1 and count("") == Document.objects.count()


def test_a_bulk_job_removes_the_scratch_folders_of_dead_processes(indexed):
    import os

    from archive.search.engines.whoosh import indexing

    scratch = store.search_dir() / indexing.SCRATCH_DIR
    dead, alive = scratch / "999999999-deadbeef", scratch / f"{os.getpid()}-cafebabe"
    for folder in (dead, alive):
        folder.mkdir(parents=True)
    with indexing.index_batched():
        pass
    assert not dead.exists() and alive.exists()


# --- piled-up segments, merged apart at the end of a bulk job -------------------------------------


@pytest.fixture
def small_tiers(monkeypatch):
    """Tiers in documents instead of thousands (below 3, 3 to 8 …: the five seed reports are a tier above
    the batches of two), three of a tier merge, and a commit's segments are of one document."""
    from archive.search.engines.whoosh import indexing

    monkeypatch.setattr(indexing, "BULK_DRAIN_BATCH", 1)
    monkeypatch.setattr(indexing, "MERGE_FACTOR", 3)
    monkeypatch.setattr(indexing, "ADOPT_MERGE_LIMIT_DOCUMENTS", 1)
    return indexing


def _segments() -> list:
    from archive.search.engines.whoosh.backend import open_or_create

    return open_or_create(store.current_generation())._segments()


def _batches(first: int, count: int) -> None:
    """`count` segments of two synthetic documents each, as bulk drains leave them."""
    for number in range(count):
        with store.writer_lock(timeout=60):
            index_write(documents=[_synthetic(first + 2 * number), _synthetic(first + 2 * number + 1)])


def test_a_curators_commit_leaves_bulk_batches_unmerged(indexed, small_tiers):
    """A one-report commit merges only one-report segments: with a dozen bulk batches piled up,
    Whoosh's own policy merged them all inside a curator's save (~25 s under the lock)."""
    _batches(6000, 3)
    batches = {segment.segment_id() for segment in _segments()}
    for number in range(3):
        with store.writer_lock(timeout=60):
            index_write(documents=[_synthetic(6100 + number)])
    assert batches <= {segment.segment_id() for segment in _segments()}
    assert count("并发写入") == 9


def test_piled_up_batches_are_merged_apart_keeping_every_posting(indexed, small_tiers):
    from archive.search.engines.whoosh.backend import open_or_create

    _batches(7000, 3)
    with store.writer_lock(timeout=60):
        index_write(documents=[], removed_ids=[7002])  # a deletion inside a batch
    before_segments = len(_segments())
    expected = {key: rows for key, rows in _postings_of(open_or_create(store.current_generation())).items() if rows}

    assert small_tiers.segments_merge_piled_up() == 1
    engine.reset()
    assert len(_segments()) == before_segments - 2  # three batches became one
    assert _postings_of(open_or_create(store.current_generation())) == expected  # positions included
    assert count("并发写入") == 5 and count("并发写入7002号") == 0 and count("县管校聘") == 1
    assert small_tiers.segments_merge_piled_up() == 0  # nothing left to merge: tiers hold fewer than three


def test_piled_up_batches_are_merged_by_the_job_not_on_leaving_a_bulk_block(indexed, small_tiers):
    """index_batched() also wraps the admin upload, an HTTP request: leaving it merges nothing. The
    import command asks for the merge (search.merge_segments) once its reports are searchable."""
    from archive import search

    _batches(7500, 3)
    before = len(_segments())
    with small_tiers.index_batched():
        pass
    assert len(_segments()) == before
    assert search.merge_segments() == 1
    engine.reset()
    assert len(_segments()) == before - 2 and count("并发写入") == 6


def _while_merging(monkeypatch, action):
    """Run `action` after the segments are merged apart, before the merge is published."""
    from archive.search.engines.whoosh import indexing

    real = indexing.segments_merge_apart

    def merge_apart(*args, **kwargs):
        result = real(*args, **kwargs)
        action()
        return result

    monkeypatch.setattr(indexing, "segments_merge_apart", merge_apart)


def test_what_is_deleted_during_a_merge_stays_deleted(indexed, small_tiers, monkeypatch):
    _batches(8000, 3)

    def curator_deletes_and_edits():
        with store.writer_lock(timeout=60):
            index_write(documents=[], removed_ids=[8001])
            index_write(documents=[{**_synthetic(8004), "text": "改过的版本", "chars": "改过的版本"}])

    _while_merging(monkeypatch, curator_deletes_and_edits)
    assert small_tiers.segments_merge_piled_up() == 1
    engine.reset()
    assert count("并发写入8001号") == 0 and count("并发写入8004号") == 0 and count("改过的版本") == 1
    assert count("并发写入") == 4


def test_a_merge_overtaken_by_a_rebuild_is_dropped(indexed, small_tiers, monkeypatch):
    _batches(9000, 3)
    _while_merging(monkeypatch, index_rebuild)  # the database does not hold the synthetic reports
    assert small_tiers.segments_merge_piled_up() == 0
    engine.reset()
    assert count("并发写入") == 0 and count("") == Document.objects.count()
