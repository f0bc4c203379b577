from archive.search.highlight import find_matches, highlight_text, snippets


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
    for snippet in snippets(text, ["河长"]):
        assert "<script" not in snippet and "<img" not in snippet


def test_first_hit_gets_the_anchor():
    html = str(highlight_text("河长制与河长", ["河长"], first_id="hit1"))
    assert html.count('id="hit1"') == 1


def test_snippets_show_every_term_and_stay_in_their_paragraph():
    text = "第一段讲放管服改革。\n" + "无关内容。" * 40 + "\n第三段讲县管校聘。"
    found = snippets(text, ["放管服", "县管校聘"])
    assert len(found) == 2
    assert all("\n" not in s for s in found)
    assert "<mark>放管服</mark>" in found[0] and "<mark>县管校聘</mark>" in found[1]


def test_no_terms_no_snippets():
    assert snippets("河长制", []) == []
