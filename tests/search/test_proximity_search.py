"""Proximity, title scope and "search within these results" through the engine, the API, the page,
the exports and the concordance, on a small archive of short reports written for these tests."""

import csv
import html
import io

import pytest
from django.utils import translation

from archive.models import City, Document
from archive.search import confirm, rebuild
from archive.search.queries import parse_query
from archive.text.normalise import normalise

# title, body, city slug: each report is built to pass or fail particular operators.
REPORTS = {
    "sentence": ("甲地工作总结", "全面推行河长制，检察机关参与监督。其他工作。", "zhuzhou"),
    "paragraph": ("乙地工作总结", "全面推行河长制。检察院提起公益诉讼。", "zhuzhou"),
    "apart": ("丙地工作总结", "全面推行河长制。\n检察院提起公益诉讼。", "xiangtan"),
    "traditional": ("丁地工作總結", "全面推行河長制，檢察機關介入監督！", "xiangtan"),
    "far": ("戊地工作总结", "河长制" + "落实" * 15 + "检察" + "。", "xuchang"),
    "title": ("检察公益诉讼与河长制报告", "本年度推进各项改革。", "xuchang"),
    "neither": ("己地工作总结", "推进营商环境改革。", "changchun"),
}


@pytest.fixture
def reports(db, search_dir, engine_name):
    """The reports indexed on each engine in turn: the check is shared, so both must agree."""
    ids = {}
    for name, (title, body, city) in REPORTS.items():
        document = Document.objects.create(
            title=title,
            body=body,
            raw_text=body,
            city=City.objects.get(slug=city),
            year_start=2020,
            year_end=2020,
            content_hash=f"proximity-{name}",
        )
        ids[name] = document.pk
    rebuild()
    return ids


def names(reports, response) -> set[str]:
    by_id = {pk: name for name, pk in reports.items()}
    return {by_id[row["id"]] for row in response.json()["results"]}


def search(client, **params):
    response = client.get("/api/search/", {"page_size": 50, **params})
    assert response.status_code == 200, response.content
    return response


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("河长制 检察", {"sentence", "paragraph", "apart", "traditional", "far", "title"}),
        # The title is a sentence and a paragraph of its own: 检察公益诉讼与河长制报告.
        ("河长制 /s 检察", {"sentence", "traditional", "far", "title"}),
        ("河長制 ／ｓ 檢察", {"sentence", "traditional", "far", "title"}),
        ("河长制 同句 检察", {"sentence", "traditional", "far", "title"}),
        ("河长制 /p 检察", {"sentence", "paragraph", "traditional", "far", "title"}),
        ("河长制 NEAR/4 检察", {"sentence", "paragraph", "apart", "traditional"}),
        ("河长制 NEAR/5 检察", {"sentence", "paragraph", "apart", "traditional", "title"}),
        ("河长制 NEAR/29 检察", {"sentence", "paragraph", "apart", "traditional", "title"}),
        ("河长制 NEAR/30 检察", {"sentence", "paragraph", "apart", "traditional", "far", "title"}),
        ("title:检察", {"title"}),
        ("检察 -title:公益诉讼", {"sentence", "paragraph", "apart", "traditional", "far"}),
    ],
)
def test_the_api_finds_exactly_the_reports_where_the_terms_meet(client, reports, query, expected):
    data = search(client, q=query)
    assert names(reports, data) == expected
    assert data.json()["count"] == len(expected)


def test_counts_pages_and_facets_are_those_of_the_confirmed_reports(client, reports):
    data = search(client, q="河长制 /s 检察", page_size=3).json()
    assert data["count"] == 4 and len(data["results"]) == 3
    assert sum(facet["count"] for facet in data["facets"]["city"]) == 4
    assert {facet["slug"]: facet["count"] for facet in data["facets"]["city"]} == {
        "zhuzhou": 1,
        "xiangtan": 1,
        "xuchang": 2,
    }
    second = search(client, q="河长制 /s 检察", page_size=3, page=2).json()
    assert len(second["results"]) == 1
    assert {row["id"] for row in data["results"]}.isdisjoint({row["id"] for row in second["results"]})


def test_filters_apply_before_the_check(client, reports):
    assert names(reports, search(client, q="河长制 /s 检察", city="xiangtan")) == {"traditional"}


def test_the_first_snippet_shows_the_pair(client, reports):
    row = next(r for r in search(client, q="河长制 /s 检察").json()["results"] if r["id"] == reports["traditional"])
    assert "<mark>河長制</mark>，<mark>檢察</mark>" in row["highlights"][0]


def test_title_scope_looks_in_titles_only(client, reports):
    assert names(reports, search(client, q="检察", scope="title")) == {"title"}
    assert names(reports, search(client, q="改革", scope="title")) == set()
    assert names(reports, search(client, q="工作", scope="title")) == {
        "sentence",
        "paragraph",
        "apart",
        "traditional",
        "far",
        "neither",
    }
    assert names(reports, search(client, q="工作", scope="all")) == names(reports, search(client, q="工作")) | set()


def test_search_within_results_ands_each_query(client, reports):
    narrowed = search(client, q="河长制", within=["检察", "公益诉讼"])
    assert names(reports, narrowed) == names(reports, search(client, q="河长制 检察 公益诉讼"))
    assert names(reports, search(client, q="河长制", within=["检察 /s 河长制"])) == {
        "sentence",
        "traditional",
        "far",
        "title",
    }


@pytest.mark.parametrize(
    "query", ["河长制 /s", "/p 检察", "河长制 NEAR/0 检察", "河长制 NEAR/abc 检察", "河长制 NEAR/100000 检察"]
)
def test_malformed_operators_are_a_400_in_both_languages(client, reports, query):
    response = client.get("/api/search/", {"q": query})
    assert response.status_code == 400
    message = response.json()["errors"]["q"][0]["message"]
    assert message == parse_query(query).errors[0]
    with translation.override("en"):
        english = parse_query(query).errors[0]
    assert english != message
    for path, expected in (("/search/", message), ("/en/search/", english)):
        page = client.get(path, {"q": query})
        assert page.status_code == 400
        assert expected in html.unescape(page.content.decode())
    assert client.get("/api/search/", {"q": "河长制", "within": query}).status_code == 400
    assert client.get("/api/concordance/", {"q": query}).status_code == 400
    assert client.get("/api/search/export.csv", {"q": query}).status_code == 400
    assert client.get("/search/feed/", {"q": query}).status_code == 400


def test_the_page_shows_the_pair_and_keeps_scope_and_within_in_its_links(client, reports):
    page = client.get("/search/", {"q": "河长制 /s 检察", "scope": "title", "within": "检察"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="within"' in html and 'value="title" selected' in html
    page = client.get("/search/", {"q": "河长制 /s 检察"}).content.decode()
    assert "<mark>河长制</mark>，<mark>检察</mark>" in page


def test_the_budget_cuts_with_a_notice(client, reports, monkeypatch):
    monkeypatch.setattr(confirm, "MAX_TEXT_CHECKS", 2)
    data = search(client, q="河长制 /s 检察").json()
    assert data["count"] <= 2
    assert any("2" in notice and "6" in notice for notice in data["notices"])  # checked 2 of 6


def test_the_concordance_lists_the_terms_in_the_reports_where_they_meet(client, reports):
    data = client.get("/api/concordance/", {"q": "河长制 /s 检察", "page_size": 200}).json()
    confirmed = [reports[name] for name in ("sentence", "traditional", "far", "title")]
    expected = sum(
        normalise(f"{d.title}\n{d.body}").count(term)
        for d in Document.objects.filter(pk__in=confirmed)
        for term in ("河长制", "检察")
    )
    assert data["count"] == expected == len(data["results"])
    assert {row["document"]["id"] for row in data["results"]} == set(confirmed)
    assert client.get("/api/concordance/", {"q": "河长制 NEAR/0 检察"}).status_code == 400


def test_exports_and_feeds_follow_the_operators(client, reports):
    body = client.get("/api/search/export.csv", {"q": "河长制 /s 检察", "scope": "all"}).getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert {int(row[0]) for row in rows[3:]} == {reports[n] for n in ("sentence", "traditional", "far", "title")}
    feed = client.get("/search/feed/", {"q": "title:检察"}).content.decode()
    assert feed.count("<entry>") == 1 and REPORTS["title"][0] in feed
