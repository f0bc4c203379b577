"""Proximity operators and title scope as text: parsing, and the check on one report (no database)."""

import pytest

from archive.search.proximity import MAX_NEAR, PARAGRAPH, SENTENCE, Layout, check_for, overlapping, pair_snippet
from archive.search.queries import parse_query

SAME_SENTENCE = "全面推行河长制，检察机关参与监督。其他工作。"
SAME_PARAGRAPH = "全面推行河长制。检察院提起公益诉讼。"
TWO_PARAGRAPHS = "全面推行河长制。\n检察院提起公益诉讼。"
TRADITIONAL_SEMICOLON = "全面推行河長制；檢察機關介入。"
FAR_IN_ONE_SENTENCE = "河长制" + "落实" * 15 + "检察"  # 30 characters between them


def matches(query: str, body: str, title: str = "报告") -> bool:
    check = check_for(parse_query(query))
    assert check is not None
    return check.matches(title, body)


@pytest.mark.parametrize(
    "query",
    ["河长制 /s 检察", "河长制 /S 检察", "河长制 ／ｓ 檢察", "河長制/s檢察", "河长制 同句 检察", "检察 /s 河长制"],
)
def test_same_sentence_spellings_parse_to_one_operator(query):
    parsed = parse_query(query)
    assert parsed.errors == []
    assert [(p.unit, {p.left, p.right}) for p in parsed.proximities] == [(SENTENCE, {"河长制", "检察"})]
    assert sorted(term.text for clause in parsed.clauses for term in clause) == sorted(["河长制", "检察"])


@pytest.mark.parametrize("query", ["河长制 /p 检察", "河长制 ／Ｐ 检察", "河长制 同段 检察"])
def test_same_paragraph_spellings(query):
    assert [p.unit for p in parse_query(query).proximities] == [PARAGRAPH]


@pytest.mark.parametrize("query", ["河长制 NEAR/10 检察", "河长制 near/10 检察", "河长制 ＮＥＡＲ／１０ 检察"])
def test_near_spellings_carry_their_distance(query):
    assert [(p.unit, p.distance) for p in parse_query(query).proximities] == [("near", 10)]


@pytest.mark.parametrize(
    "query",
    [
        "河长制 /s",
        "/s 检察",
        "/p",
        "河长制 /s /p 检察",
        "河长制 /s -检察",
        "河长制 /s NOT 检察",
        "河长制 NEAR/0 检察",
        "河长制 NEAR/abc 检察",
        "河长制 NEAR/100000 检察",
        f"河长制 NEAR/{MAX_NEAR + 1} 检察",
        "河长制 NEAR 检察",
        "河长制 OR /s 检察",
    ],
)
def test_malformed_operators_are_errors_not_guesses(query):
    parsed = parse_query(query)
    assert parsed.errors
    assert parsed.proximities == []


def test_chinese_operators_are_words_where_they_join_nothing():
    """同句 alone, or at an edge, is searched as text: it is an operator only between two terms."""
    for query, terms in [("同句", ["同句"]), ("同段 改革", ["同段", "改革"]), ("改革 同段", ["改革", "同段"])]:
        parsed = parse_query(query)
        assert parsed.errors == [] and parsed.proximities == []
        assert [clause[0].text for clause in parsed.clauses] == terms


def test_an_operator_joins_the_or_groups_next_to_it():
    check = check_for(parse_query("河长制 OR 河湖长制 /s 检察 OR 公益诉讼"))
    (lefts, rights, unit, _distance) = check.proximities[0]
    assert set(lefts) == {"河长制", "河湖长制"} and set(rights) == {"检察", "公益诉讼"} and unit == SENTENCE
    assert check.matches("报告", "推行河湖长制，公益诉讼同步开展。")
    assert not check.matches("报告", "推行河湖长制。公益诉讼同步开展。")


@pytest.mark.parametrize(
    ("body", "sentence", "paragraph"),
    [
        (SAME_SENTENCE, True, True),
        (SAME_PARAGRAPH, False, True),
        (TWO_PARAGRAPHS, False, False),
        (TRADITIONAL_SEMICOLON, False, True),
        ("推行河長制（ＡＢ）與檢察機關協作！其他。", True, True),
        (FAR_IN_ONE_SENTENCE, True, True),
    ],
)
def test_sentence_and_paragraph(body, sentence, paragraph):
    assert matches("河长制 /s 检察", body) is sentence
    assert matches("河长制 /p 检察", body) is paragraph


def test_the_title_is_a_paragraph_of_its_own():
    assert not matches("河长制 /p 检察", "检察机关参与。", title="河长制报告")
    assert matches("河长制 /p 检察", "检察机关参与。", title="河长制与检察报告")


def test_near_counts_normalised_characters_between_the_terms_either_way():
    assert matches("河长制 NEAR/30 检察", FAR_IN_ONE_SENTENCE)
    assert not matches("河长制 NEAR/29 检察", FAR_IN_ONE_SENTENCE)
    assert matches("检察 NEAR/30 河长制", FAR_IN_ONE_SENTENCE)
    # Quotes, spaces and the enumeration comma are not characters after normalisation.
    assert matches("河长制 NEAR/1 检察", "河长制 “ 、 ”和检察")
    # NEAR may cross a line break, which normalisation removes: only the 。 lies between.
    assert matches("河长制 NEAR/1 检察", TWO_PARAGRAPHS)
    assert not matches("河长制 NEAR/1 检察", "河长制和" + "\n" + "一检察")


def test_an_occurrence_across_a_line_break_is_in_no_sentence():
    """河长\\n制 matches 河长制 in the normalised text, but it lies in no single sentence."""
    assert not matches("河长制 /s 检察", "推行河长\n制和检察")
    assert matches("河长制 /s 检察", "推行河长\n制和检察。河长制与检察")


def test_title_scope_and_title_prefix():
    title_scope = parse_query("检察")
    title_scope.scope = "title"
    check = check_for(title_scope)
    assert check.title_matches("检察公益诉讼报告") is True
    assert check.title_matches("河长制报告") is False
    assert check_for(parse_query("检察")) is None  # nothing to check beyond the engine's AND
    prefixed = check_for(parse_query("标题：檢察 河长制"))
    assert prefixed.matches("检察报告", "推行河长制") and not prefixed.matches("报告", "检察 河长制")
    excluded = check_for(parse_query("河长制 -title:试点"))
    assert not excluded.matches("试点报告", "河长制") and excluded.matches("报告", "河长制试点")


def test_a_title_term_or_a_text_term_needs_the_text():
    check = check_for(parse_query("title:检察 OR 公益诉讼"))
    assert check.needs_body
    assert check.matches("报告", "提起公益诉讼")
    assert not check.matches("报告", "检察机关")


def test_the_pair_snippet_marks_both_terms_where_they_meet():
    text = "河长制总体情况。\n另一段写检察。全面推行河长制，检察机关参与监督。"
    check = check_for(parse_query("河长制 /s 检察"))
    (span,) = check.meetings(text)
    assert text[span[0] : span[1]] == "河长制，检察"
    html = str(pair_snippet(text, span, ["河长制", "检察"]))
    assert "<mark>河长制</mark>，<mark>检察</mark>" in html
    assert "总体情况" not in html  # the snippet stays in its paragraph


def test_layout_units_follow_the_text_as_written():
    layout = Layout("甲。乙！丙\n丁")
    assert layout.normalised == "甲。乙!丙丁"
    assert layout.sentence.tolist() == [0, 0, 1, 1, 2, 3]
    assert layout.paragraph.tolist() == [0, 0, 0, 0, 0, 1]


def test_a_snippet_repeating_the_pair_passage_is_recognised():
    pair = "…推行<mark>河长制</mark>，<mark>检察</mark>机关参与监督&amp;协作。"
    assert overlapping("全面推行<mark>河长制</mark>，检察机关参与监督&amp;协作。其他…", pair)
    assert not overlapping("另一段落写的是营商环境改革与审批制度。", pair)
