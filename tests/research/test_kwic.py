"""Concordance lines and collocates on short texts shaped like the reports (no database)."""

from collections import Counter

from archive.research.kwic import TITLE_PARAGRAPH, collocates, count_occurrences, lines_in, log_dice, term_pattern
from archive.text.normalise import normalise


def test_lines_keep_the_text_as_written_and_stop_at_the_paragraph():
    title = "株洲市全面深化改革工作綜述"
    body = "全面推行“河长制”，河長制覆盖全市。\n二是深化改革，全市推行河长制改革。"
    lines = lines_in(title, body, term_pattern([normalise("河长制")]), width=6)
    assert [line.match for line in lines] == ["河长制", "河長制", "河长制"]  # quotes stay in the context
    assert [line.paragraph for line in lines] == [1, 1, 2]
    assert lines[1].left == "全面推行“河长制”，"[-6:] and lines[1].right == "覆盖全市。"
    assert lines[2].left == "二是深化改革，全市推行"[-6:] and "\n" not in lines[2].left


def test_an_occurrence_in_the_title_has_no_paragraph():
    lines = lines_in("河长制工作报告", "正文没有。", term_pattern(["河长制"]), width=5)
    assert [(line.paragraph, line.match, line.body_start < 0) for line in lines] == [(TITLE_PARAGRAPH, "河长制", True)]


def test_count_is_what_grep_o_finds_longest_term_first_without_overlaps():
    text = normalise("河湖长制与河长制，河长河长")
    pattern = term_pattern(["河长", "河长制"])
    assert count_occurrences(text, pattern) == 3  # 河长制, 河长, 河长 (河湖长制 holds neither)
    assert count_occurrences(text.encode("utf-8"), pattern) == 3
    assert count_occurrences(normalise("哈哈哈哈"), term_pattern(["哈哈"])) == 2


def test_full_width_and_traditional_occurrences_count_once_each():
    body = "２０２０年改革。2020年再改革。二〇二〇年"
    lines = lines_in("", body, term_pattern([normalise("２０２０年")]), width=3)
    assert [line.match for line in lines] == ["２０２０年", "2020年"]


def test_log_dice_is_fourteen_for_words_that_only_occur_together():
    assert log_dice(5, 5, 5) == 14
    assert log_dice(1, 100, 100) < log_dice(10, 100, 100) < 14
    assert log_dice(0, 3, 3) == 0


def test_collocates_rank_by_log_dice_and_keep_left_and_right_counts():
    windows = [(["全面", "推行"], ["工作"]), (["全面"], ["工作"]), (["推行"], [])]
    rows = collocates(windows, Counter({"全面": 2, "推行": 40, "工作": 2}), node_count=3, min_count=2)
    assert [row.word for row in rows] == ["全面", "工作", "推行"]
    assert (rows[0].left, rows[0].right, rows[1].left, rows[1].right) == (2, 0, 0, 2)
