"""The engine against the seed archive: recall against grep-after-normalisation, ranking, facets."""

from pathlib import Path

import pytest

from archive.models import Document
from archive.search.engines.whoosh import engine
from archive.search.queries import parse_query
from archive.text.normalise import normalise

HERE = Path(__file__).parent
DEV_QUERIES = [q for q in (HERE / "dev_queries.txt").read_text(encoding="utf-8").splitlines() if q]
# The failure cases the issue names (also used by bench/search_bench.py), and more of the kinds it
# lists: quoted, full-width, mixed Latin and Chinese, numbers, one character, terms found nowhere.
ISSUE_QUERIES = [q for q in (HERE / "issue_queries.txt").read_text(encoding="utf-8").splitlines() if q]
EXTRA_QUERIES = ["“县管校聘”", "ＩＮＧ", "i许昌", "82", "改", "月球基地", "株洲 月球基地"]


def grep(query: str) -> set[int]:
    """The definition of relevance: every term, normalised, is a substring of the normalised text."""
    terms = [normalise(term) for term in query.split()]
    return {
        document.pk
        for document in Document.objects.all()
        if all(term in normalise(f"{document.title}\n{document.body}") for term in terms)
    }


def found(query: str, **kwargs) -> list[int]:
    return [hit.document_id for hit in engine.run(parse_query(query), limit=100, **kwargs).hits]


@pytest.mark.parametrize("query", DEV_QUERIES + ISSUE_QUERIES + EXTRA_QUERIES)
def test_finds_exactly_what_grep_finds(indexed, query):
    result = engine.run(parse_query(query), limit=100)
    assert {hit.document_id for hit in result.hits} == grep(query)
    assert result.count == len(grep(query))


def test_recall_is_one_on_the_development_queries(indexed):
    queries = DEV_QUERIES
    relevant = sum(len(grep(q)) for q in queries)
    retrieved = sum(len(grep(q) & set(found(q))) for q in queries)
    assert relevant > 0 and retrieved / relevant == 1.0


def test_documents_where_the_term_is_a_word_rank_first(indexed):
    """河长: 湘潭 (河长 as a word three times) and 许昌 (once) before 株洲, where it is only inside 河长制."""
    order = [Document.objects.get(pk=pk).city.slug for pk in found("河长")]
    assert order == ["xiangtan", "xuchang", "zhuzhou"]


def test_more_occurrences_rank_higher(indexed):
    order = [Document.objects.get(pk=pk).city.slug for pk in found("放管服")]
    assert order[0] == "xuchang"  # four mentions of 放管服 against one or two elsewhere


def test_filters_and_facets(indexed):
    result = engine.run(parse_query("改革"), filters={"province": ["湖南省"]})
    assert result.count == 3
    assert dict(result.facets["city"]) == {"zhuzhou": 1, "yongzhou": 1, "xiangtan": 1}
    assert dict(result.facets["years"])["2017"] == 2  # 湘潭 2017 and 株洲 2012—2022
    assert engine.run(parse_query("改革"), filters={"years": ["2023"]}).count == 1
    assert engine.run(parse_query("改革"), filters={"initiatives": ["xianguanxiaopin"]}).count == 1
    assert engine.run(parse_query("改革"), filters={"categories": ["education"]}).count >= 2


def test_or_and_exclusion(indexed):
    assert set(found("县管校聘 OR 一照通")) == grep("县管校聘") | grep("一照通")
    assert set(found("改革 -株洲")) == grep("改革") - grep("株洲")


def test_sort_by_year(indexed):
    years = [Document.objects.get(pk=pk).year_start for pk in found("改革", sort="date")]
    assert years == sorted(years, reverse=True)


def test_empty_query_lists_everything_filtered(indexed):
    assert engine.run(parse_query(""), filters={"city": ["xuchang"]}).count == 1
    assert engine.run(parse_query("")).count == 5


def test_pagination(indexed):
    first = engine.run(parse_query("改革"), offset=0, limit=2)
    second = engine.run(parse_query("改革"), offset=2, limit=2)
    assert first.count == second.count == 5
    assert not {h.document_id for h in first.hits} & {h.document_id for h in second.hits}


def test_no_index_is_a_clear_error_not_a_crash(search_dir, db):
    with pytest.raises(engine.SearchUnavailable, match="rebuild_search"):
        engine.run(parse_query("改革"))


def test_haystack_searchqueryset_goes_through_our_engine(indexed):
    """backend.search: SearchQuerySet().raw_search(q) gives what the engine gives."""
    from haystack.query import SearchQuerySet

    results = SearchQuerySet().raw_search("河长")
    assert results.count() == 3
    assert [int(result.pk) for result in results] == found("河长")


def test_aliases_and_branches_past_the_term_budget_are_cut_with_a_notice(indexed, monkeypatch):
    monkeypatch.setattr(engine, "MAX_QUERY_TERMS", 3)
    query = parse_query("改革 县管校聘 OR 一照通 OR 河长制 -株洲 -湘潭")
    result = engine.run(query, limit=100)
    # 改革 and the first two branches: the exclusions and the third branch are over the budget.
    assert {hit.document_id for hit in result.hits} == grep("县管校聘") | grep("一照通")
    assert result.notices and "3" in result.notices[0]
    assert not engine.run(parse_query("改革 县管校聘 OR 一照通"), limit=100).notices


def test_confirming_candidates_stops_at_the_budget_with_a_notice(indexed, monkeypatch):
    """全面深化 (4 characters) has candidates in every report; each is read to confirm it."""
    everything = engine.run(parse_query("全面深化"), limit=100)
    assert everything.count == len(grep("全面深化")) >= 3 and not everything.notices
    monkeypatch.setattr(engine, "MAX_CONFIRMATIONS", 2)
    cut = engine.run(parse_query("全面深化"), limit=100)
    assert cut.count <= 2 and {hit.document_id for hit in cut.hits} <= grep("全面深化")
    assert cut.notices and "2" in cut.notices[0]


def test_confirmed_bytes_are_budgeted_too(indexed, monkeypatch):
    monkeypatch.setattr(engine, "MAX_CONFIRM_BYTES", 1)
    cut = engine.run(parse_query("全面深化"), limit=100)
    assert cut.count <= 1 and cut.notices  # the first candidate spends the whole budget


def test_the_notices_reach_the_search_api(client, indexed, monkeypatch):
    monkeypatch.setattr(engine, "MAX_CONFIRMATIONS", 1)
    data = client.get("/api/search/", {"q": "全面深化"}).json()
    assert data["count"] <= 1 and any("1" in notice for notice in data["notices"])


def test_the_posting_caches_keep_within_their_byte_budget():
    """A common term's array holds every document: the caches are bounded in bytes, not only in
    entries, so a worker's memory does not grow with the archive (1 GB a worker at 100,000)."""
    import numpy as np

    calls = []

    def postings(term):
        calls.append(term)
        return np.zeros(100 if term != "huge" else 1000, dtype=np.int32)  # 400 or 4,000 bytes

    cache = engine.ArrayCache(postings, entries=100, max_bytes=1000)
    for term in ("a", "b", "a"):
        cache(term)
    assert calls == ["a", "b"] and cache.bytes == 800
    cache("c")  # over 1,000 bytes: the least recently used ("b") goes
    assert list(cache.kept) == [("a",), ("c",)] and cache.bytes == 800
    assert len(cache("huge")) == 1000 and ("huge",) not in cache.kept and cache.bytes == 800
    cache("b")
    assert calls == ["a", "b", "c", "huge", "b"]


def test_the_word_posting_cache_counts_both_arrays(indexed):
    snap = engine.snapshot()
    ids, weights = snap.word_postings("改革")
    assert len(ids) and snap.word_postings.bytes == ids.nbytes + weights.nbytes
