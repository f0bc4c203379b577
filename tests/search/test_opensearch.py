"""The OpenSearch engine against a real two-node cluster (`make test` starts one): keeping the
index in sync through the bulk API, the alias swap, failures that lose nothing, health, and the
two engines returning the same documents. The meaning of queries is tested on both engines by
the parametrised tests of test_engine.py and test_views.py."""

import uuid

import pytest
from django.core.management import call_command

from archive import search
from archive.models import Document, Initiative, InitiativeAlias, SearchQueueEntry
from archive.search.engines import current
from archive.search.engines.opensearch import Engine
from tests.search.test_engine import DEV_QUERIES, EXTRA_QUERIES, ISSUE_QUERIES

DEAD_URL = "http://127.0.0.1:9"  # discard port: nothing listens


@pytest.fixture
def cluster(settings, opensearch_url, search_dir):
    settings.SEARCH_URL = opensearch_url
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:12]}-"
    engine = current()
    yield engine
    engine.drop()


@pytest.fixture
def on_cluster(cluster, seeded):
    search.rebuild()
    return cluster


def ids(query: str, **kwargs) -> list[int]:
    found = search.evaluate(search.parse_query_with_aliases(query), limit=100, **kwargs)
    return [hit.document_id for hit in found.hits]


def test_the_settings_choose_the_cluster(on_cluster):
    assert isinstance(on_cluster, Engine)
    assert on_cluster.health().documents == Document.objects.count() == 5


def test_the_development_queries_return_the_same_documents_in_the_same_order_on_both_engines(
    on_cluster, settings, search_dir
):
    queries = DEV_QUERIES + ISSUE_QUERIES + EXTRA_QUERIES + ["河长制", "不见面审批", "改革 -株洲", "县管校聘 OR 一照通"]
    on_opensearch = {query: ids(query) for query in queries}
    settings.SEARCH_URL = ""
    search.rebuild()
    on_whoosh = {query: ids(query) for query in queries}
    assert sum(map(len, on_whoosh.values())) > 20
    assert on_opensearch == on_whoosh


def test_a_rebuild_swaps_the_alias_and_keeps_the_previous_index(on_cluster):
    first = on_cluster.live_index()
    search.rebuild()
    second = on_cluster.live_index()
    search.rebuild()
    third = on_cluster.live_index()
    assert len({first, second, third}) == 3
    indices = set(on_cluster.client.indices.get(index=f"{on_cluster.alias}-*"))
    assert indices == {second, third}
    assert on_cluster.health().documents == 5


def test_a_change_is_searchable_after_commit_through_the_bulk_api(on_cluster, django_capture_on_commit_callbacks):
    document = Document.objects.get(city__slug="xuchang")
    with django_capture_on_commit_callbacks(execute=True):
        document.title = "许昌报告：独一无二的检索标记词"
        document.save()
        search.enqueue([document.pk])
    assert ids("独一无二的检索标记词") == [document.pk]
    assert not SearchQueueEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.filter(pk=document.pk).delete()
        search.enqueue([document.pk])
    assert ids("独一无二的检索标记词") == []


def test_updates_stay_queued_while_the_cluster_is_down_and_drain_when_it_is_back(
    on_cluster, settings, django_capture_on_commit_callbacks
):
    document = Document.objects.get(city__slug="xuchang")
    live_url = settings.SEARCH_URL
    settings.SEARCH_URL = DEAD_URL
    with django_capture_on_commit_callbacks(execute=True):
        document.title = "许昌报告：停机期间的修改"
        document.save()
        search.enqueue([document.pk])
    assert SearchQueueEntry.objects.filter(document_id=document.pk).exists()
    settings.SEARCH_URL = live_url
    assert ids("停机期间的修改") == []
    assert search.drain() >= 1
    assert ids("停机期间的修改") == [document.pk]


def test_a_name_change_reindexes_what_it_affects(on_cluster, django_capture_on_commit_callbacks):
    """A new alias becomes a jieba word: the reports containing it are segmented again."""
    initiative = Initiative.objects.get(name="河长制")
    before = on_cluster.word_frequencies(["改革试点"], list(Document.objects.values_list("pk", flat=True)))
    with django_capture_on_commit_callbacks(execute=True):
        InitiativeAlias.objects.create(initiative=initiative, name="改革试点")
        search.dictionary_changed()
    after = on_cluster.word_frequencies(["改革试点"], list(Document.objects.values_list("pk", flat=True)))
    assert before["改革试点"] == 0 < after["改革试点"]
    assert "改革试点" in on_cluster.index_dictionary(on_cluster.live_index())


def test_a_cluster_that_is_down_gives_the_page_message_a_503_and_an_unhealthy_healthz(on_cluster, settings, client):
    settings.SEARCH_URL = DEAD_URL
    page = client.get("/search/", {"q": "河长制"})
    assert page.status_code == 200
    assert "检索服务暂时无法使用" in page.content.decode()
    api = client.get("/api/search/", {"q": "河长制"})
    assert api.status_code == 503 and api.json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["index"]["problem"] == "down"


def test_a_red_index_is_unavailable_not_an_error(on_cluster, client):
    """Closing the live index makes it unsearchable, as a red one is."""
    on_cluster.client.indices.close(index=on_cluster.live_index())
    try:
        assert client.get("/api/search/", {"q": "河长制"}).status_code == 503
        assert client.get("/healthz").status_code == 503
    finally:
        on_cluster.client.indices.open(index=on_cluster.live_index())


def test_healthz_reports_the_cluster(on_cluster, client):
    index = client.get("/healthz").json()["index"]
    assert index["ok"] and index["documents"] == 5
    assert index["status"] in {"green", "yellow"} and index["nodes"] == 2
    assert index["index"] == on_cluster.live_index()


def test_without_an_index_search_says_how_to_build_it(seeded, cluster, client):
    page = client.get("/search/", {"q": "河长制"})
    assert "rebuild_search" in page.content.decode()
    assert client.get("/api/search/", {"q": "河长制"}).status_code == 503


def test_the_research_reads_agree_with_whoosh(on_cluster, settings, search_dir):
    pks = list(Document.objects.values_list("pk", flat=True))
    words = ["改革", "河长制", "放管服", "不存在的词"]

    def reads():
        return search.normalised_texts(pks), search.word_frequencies(words, pks), search.documents_containing("河长")

    on_opensearch = reads()
    settings.SEARCH_URL = ""
    search.rebuild()
    on_whoosh = reads()
    assert on_opensearch[0] == on_whoosh[0] and len(on_whoosh[0]) == 5
    assert on_opensearch[1] == on_whoosh[1] and on_whoosh[1]["改革"] > 0
    assert sorted(on_opensearch[2]) == sorted(on_whoosh[2])


def test_rebuild_search_command_builds_on_the_cluster(cluster, seeded):
    call_command("rebuild_search", stdout=open("/dev/null", "w"))
    assert cluster.health().documents == 5


@pytest.mark.parametrize("sort", ["relevance", "date", "date_asc"])
def test_pages_past_the_result_window_are_walked_exactly(on_cluster, monkeypatch, sort):
    # The research reads ask for up to 100,000 reports and the form allows deep pages; OpenSearch
    # refuses from + size past its window. With a window of 2 and pages of 2, every slice of the
    # seed archive's results must equal the same slice of the whole list.
    query = search.parse_query_with_aliases("改革")
    whole = [hit.document_id for hit in search.evaluate(query, sort=sort, limit=100).hits]
    assert len(whole) == 5
    engine_module = __import__("archive.search.engines.opensearch", fromlist=["RESULT_WINDOW"])
    monkeypatch.setattr(engine_module, "RESULT_WINDOW", 2)
    monkeypatch.setattr(engine_module, "IDS_PAGE", 2)
    for offset in range(0, 7):
        for limit in (1, 2, 3, 5):
            found = search.evaluate(query, sort=sort, offset=offset, limit=limit)
            assert found.count == 5
            assert [hit.document_id for hit in found.hits] == whole[offset : offset + limit], (offset, limit)


def test_the_research_reads_ask_for_more_than_the_window(on_cluster, client):
    # Concordance, trends and the export ask the engine for up to 100,000 reports at once.
    assert client.get("/api/concordance/", {"q": "改革"}).status_code == 200
    assert client.get("/api/trends/", {"q": "改革"}).status_code == 200
    assert client.get("/api/search/export.csv", {"q": "改革"}).status_code == 200
    assert client.get("/api/search/", {"q": "改革", "page": 10_000, "page_size": 100}).status_code in (200, 404)
