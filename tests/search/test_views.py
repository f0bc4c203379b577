import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import City, Document
from archive.search.engines.whoosh.indexing import index_rebuild


def test_search_page_shows_results_snippets_facets_and_timing(client, indexed_on):
    page = client.get("/search/", {"q": "河长"}).content.decode()
    assert "找到 <strong>3</strong> 篇报告" in page
    assert "<mark>河长</mark>" in page
    assert "毫秒" in page and "湘潭市" in page and "政策领域" in page
    assert 'href="/documents/' in page and "?q=%E6%B2%B3%E9%95%BF#hit1" in page


def test_facet_link_filters(client, indexed_on):
    page = client.get("/search/", {"q": "改革", "city": "xuchang"}).content.decode()
    assert "找到 <strong>1</strong> 篇报告" in page
    assert 'class="selected"' in page


def test_api_search_shape(client, indexed_on):
    data = client.get("/api/search/", {"q": "县管校聘"}).json()
    assert data["count"] == 1 and data["page"] == 1
    result = data["results"][0]
    assert set(result) >= {"id", "title", "url", "city", "year", "score", "highlights"}
    assert result["city"] == {"slug": "xuchang", "name": "许昌市"}
    assert any("<mark>县管校聘</mark>" in h for h in result["highlights"])
    assert data["facets"]["city"] == [{"slug": "xuchang", "name": "许昌市", "count": 1}]
    assert {"year", "category", "province", "initiative"} <= set(data["facets"])


def test_api_pagination(client, indexed_on):
    first = client.get("/api/search/", {"q": "改革", "page_size": 2}).json()
    third = client.get("/api/search/", {"q": "改革", "page_size": 2, "page": 3}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and len(third["results"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"city": "atlantis"},
        {"year": "abc"},
        {"year": "1800"},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "1000"},
        {"sort": "random"},
        {"initiative": "nope"},
        {"category": "<script>"},
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, indexed, params):
    api = client.get("/api/search/", {"q": "改革", **params})
    assert api.status_code == 400 and api.json()["errors"]
    page = client.get("/search/", {"q": "改革", **params})
    assert page.status_code == 400 and "检索条件有误" in page.content.decode()
    assert "<script>" not in page.content.decode().split("检索条件有误")[1]


def test_document_page_marks_the_query_and_links_the_first_hit(client, indexed):
    document = Document.objects.get(city__slug="xuchang")
    page = client.get(document.get_absolute_url(), {"q": "县管校聘"}).content.decode()
    assert page.count('id="hit1"') == 1
    assert '<mark class="hit" id="hit1">县管校聘</mark>' in page
    assert "出现 5 处" in page


def test_script_in_a_document_is_shown_as_text_in_results(client, indexed):
    Document.objects.create(
        title="<script>alert(1)</script>河长报告",
        city=City.objects.get(slug="zhuzhou"),
        body="河长制<img src=x onerror=alert(2)>推进",
        raw_text="x",
        content_hash="xss",
    )
    index_rebuild()
    page = client.get("/search/", {"q": "河长"}).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;河长报告" in page
    # In JSON the title is data (a client escapes it); highlights are HTML and must be safe.
    results = client.get("/api/search/", {"q": "河长"}).json()["results"]
    hostile = next(r for r in results if r["title"].startswith("<script>"))
    assert all("<img" not in h and "<script" not in h for h in hostile["highlights"])
    assert any("&lt;img src=x" in h for h in hostile["highlights"])


def test_search_without_an_index_says_so(client, seeded, search_dir):
    response = client.get("/search/", {"q": "改革"})
    assert response.status_code == 200 and "rebuild_search" in response.content.decode()
    assert client.get("/api/search/", {"q": "改革"}).status_code == 503


HOSTILE = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from(list('"“”「」()[]{}:*?~^!&|+-\\/ ANDORNOT\u3000\x00\x1b😀河长改革')), max_size=40),
    st.just("改革" * 500),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=HOSTILE)
def test_hostile_queries_never_cause_a_server_error(client, indexed_on, query):
    for url in ("/search/", "/api/search/"):
        assert client.get(url, {"q": query}).status_code in {200, 400}


def test_long_facet_lists_fold_after_eight_values_and_open_when_one_beyond_is_chosen(client, indexed_on):
    page = client.get("/search/").content.decode()
    initiative_facet = page.split("<h2>改革举措</h2>", 1)[1].split("</section>", 1)[0]
    visible, folded = initiative_facet.split('<details class="more-facets"', 1)
    assert visible.count("<li>") == 8
    assert folded.startswith("><summary>另外 ")  # closed: nothing chosen in it

    beyond = re.findall(r'href="\?initiative=([\w-]+)"', folded)[0]
    page = client.get("/search/", {"initiative": beyond}).content.decode()
    initiative_facet = page.split("<h2>改革举措</h2>", 1)[1].split("</section>", 1)[0]
    head, _, rest = initiative_facet.partition("<details")
    chosen = 'href="?" class="selected" aria-current="true"'
    assert chosen in initiative_facet  # the chosen value is listed, as selected
    if chosen not in head:  # and if it is in the folded part, that part is open
        assert rest.startswith(' class="more-facets" open>')


def test_an_initiative_name_also_finds_its_aliases(client, indexed_on):
    """河长制 is written 河湖长制 in 许昌's report: searching the name finds all three cities."""
    data = client.get("/api/search/", {"q": "河長制"}).json()
    assert {r["city"]["slug"] for r in data["results"]} == {"zhuzhou", "xiangtan", "xuchang"}
    assert any("河湖长制" in notice for notice in data["notices"])
    xuchang = next(r for r in data["results"] if r["city"]["slug"] == "xuchang")
    assert any("<mark>河湖长制</mark>" in h for h in xuchang["highlights"])


def test_words_that_are_not_initiative_names_are_not_expanded(client, indexed_on):
    data = client.get("/api/search/", {"q": "河长"}).json()
    assert data["notices"] == []
    both = client.get("/api/search/", {"q": "河长制 OR 河湖长制 OR 湖长制"}).json()
    assert both["count"] == 3 and both["notices"] == []


def test_the_report_marks_the_alias_a_result_was_found_by(client, seeded):
    from archive.models import Document

    document = Document.objects.get(city__slug="xuchang")
    page = client.get(document.get_absolute_url(), {"q": "河长制"}).content.decode()
    assert '<mark class="hit" id="hit1">河湖长制</mark>' in page


@pytest.mark.parametrize("typed", ["river chief", "River Chief System", "hezhangzhi"])
def test_an_english_or_pinyin_name_finds_the_initiative_with_a_notice(client, indexed, typed):
    """ "river chief" finds what 河长制 finds (株洲, 湘潭, and 许昌's 河湖长制), and says so."""
    chinese = client.get("/api/search/", {"q": "河长制"}).json()
    data = client.get("/api/search/", {"q": typed}).json()
    assert {r["id"] for r in data["results"]} == {r["id"] for r in chinese["results"]}
    assert {r["city"]["slug"] for r in data["results"]} == {"zhuzhou", "xiangtan", "xuchang"}
    assert any("河长制" in notice and typed.lower() in notice for notice in data["notices"])
    english = client.get("/en/search/", {"q": typed}).content.decode()
    assert f"Searching 河长制 for “{typed.lower()}”" in english
    assert "按改革举措河长制检索" in client.get("/search/", {"q": typed}).content.decode()


def test_an_english_name_combines_with_chinese_terms(client, indexed):
    data = client.get("/api/search/", {"q": "river chief 株洲"}).json()
    assert [r["city"]["slug"] for r in data["results"]] == ["zhuzhou"]


def test_unknown_english_words_get_a_notice_not_a_silent_empty_page(client, indexed):
    data = client.get("/api/search/", {"q": "quantum teleportation"}).json()
    assert data["count"] == 0
    assert data["notices"] and "quantum teleportation" in data["notices"][0]
    page = client.get("/en/search/", {"q": "quantum teleportation"}).content.decode()
    assert "is not the English or pinyin name of any initiative" in page


def test_the_report_marks_the_chinese_name_an_english_search_found(client, seeded):
    from archive.models import Document

    document = Document.objects.get(city__slug="zhuzhou")
    page = client.get(document.get_absolute_url(), {"q": "river chief"}).content.decode()
    assert '<mark class="hit" id="hit1">河长制</mark>' in page


@pytest.mark.parametrize("city", ["株洲", "株洲市", "zhuzhou", "430200", "Zhuzhou"])
def test_search_filters_by_any_name_of_a_city(client, indexed, city):
    data = client.get("/api/search/", {"q": "改革", "city": city}).json()
    assert data["count"] == 1 and data["results"][0]["city"]["slug"] == "zhuzhou"


def test_an_ambiguous_city_in_search_is_a_400_listing_the_choices(client, indexed):
    response = client.get("/api/search/", {"q": "改革", "city": "fuzhou"})
    assert response.status_code == 400
    message = str(response.json()["errors"]["city"])
    assert "福州市" in message and "抚州市" in message
