from archive.search.highlight import MAX_MARKS, find_matches, highlight_text, snippets
from archive.text.normalise import normalise_with_offsets


def test_longest_match_wins_where_terms_overlap():
    matches = find_matches("全面推进河长制工作", ["河长", "河长制"])
    assert [(m.start, m.end, m.term) for m in matches] == [(4, 7, "河长制")]


def test_query_in_simplified_marks_traditional_text_as_written():
    assert str(highlight_text("深化營商環境改革", ["营商环境"])) == '深化<mark class="hit">營商環境</mark>改革'


def test_a_match_across_quotes_is_marked_whole():
    html = str(highlight_text("推进“放管服”改革", ["放管服改革"]))
    assert html == '推进“<mark class="hit">放管服”改革</mark>'


def test_html_in_text_is_escaped_and_only_mark_is_added():
    text = '<script>alert("河长")</script><img src=x onerror=alert(1)>河长制'
    html = str(highlight_text(text, ["河长"]))
    assert "<script>" not in html and "<img" not in html
    assert html.count("<mark") == 2
    assert "&lt;script&gt;alert(&quot;<mark" in html
    for snippet in snippets(text, ["河长"]).html:
        assert "<script" not in snippet and "<img" not in snippet


def test_first_hit_gets_the_anchor():
    html = str(highlight_text("河长制与河长", ["河长"], first_id="hit1"))
    assert html.count('id="hit1"') == 1


def test_snippets_show_every_term_and_stay_in_their_paragraph():
    text = "第一段讲放管服改革。\n" + "无关内容。" * 40 + "\n第三段讲县管校聘。"
    found = snippets(text, ["放管服", "县管校聘"]).html
    assert len(found) == 2
    assert all("\n" not in s for s in found)
    assert "<mark>放管服</mark>" in found[0] and "<mark>县管校聘</mark>" in found[1]


def test_no_terms_no_snippets():
    assert snippets("河长制", []).html == []


def test_a_page_marks_at_most_max_marks_and_says_there_were_more():
    text = "发展" * (MAX_MARKS + 7)
    found = find_matches(text, ["发展"], limit=MAX_MARKS)
    assert len(found) == MAX_MARKS and not found.complete
    assert [m.start for m in found][:3] == [0, 2, 4]  # the first ones, in text order
    assert str(highlight_text(text, ["发展"])).count("<mark") == MAX_MARKS


def test_exactly_max_marks_is_complete():
    found = find_matches("发展。" * MAX_MARKS, ["发展"], limit=MAX_MARKS)
    assert len(found) == MAX_MARKS and found.complete


def test_longer_terms_still_win_under_a_limit():
    found = find_matches("河长制河长" * 3, ["河长", "河长制"], limit=4)
    assert [(m.start, m.term) for m in found] == [(0, "河长制"), (3, "河长"), (5, "河长制"), (8, "河长")]


def test_snippets_read_only_the_budget_and_say_so_when_a_term_lies_beyond():
    text = "开头讲河长制。" + "无关内容。" * 50_000 + "最后讲县管校聘。"
    found = snippets(text, ["河长制", "县管校聘"], budget=20_000)
    assert len(found.html) == 1 and "<mark>河长制</mark>" in found.html[0]
    assert not found.complete
    whole = snippets(text, ["河长制", "县管校聘"], budget=len(text))
    assert whole.complete and "<mark>县管校聘</mark>" in whole.html[-1]


def test_snippets_stop_scanning_once_every_term_is_found(monkeypatch):
    from archive.search import highlight

    normalised = []

    def recording(text):
        normalised.append(len(text))
        return normalise_with_offsets(text)

    monkeypatch.setattr(highlight, "normalise_with_offsets", recording)
    text = "河长制" + "内容" * 100_000
    found = snippets(text, ["河长制"], budget=len(text))
    assert found.complete and found.html[0].startswith("<mark>河长制</mark>内容")
    assert sum(normalised) <= highlight.SNIPPET_CHUNK_CHARS * 2  # not the 200,003 characters


def test_a_match_across_a_chunk_boundary_is_found_whole():
    from archive.search.highlight import SNIPPET_CHUNK_CHARS

    text = "无" * (SNIPPET_CHUNK_CHARS - 2) + "县管校聘" + "无" * 10
    found = snippets(text, ["县管校聘"], budget=len(text))
    assert len(found.html) == 1 and "<mark>县管校聘</mark>" in found.html[0]
