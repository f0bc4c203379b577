"""Mention years and where they come from: stated in the sentence, given by the context, or only
the report's year ("no later than")."""

import pytest

from archive.importing import clean_report
from archive.importing.adoption_years import CONTEXT, REPORT, STATED, MentionYears
from tests.conftest import seed_text


def year_of(body, passage, *, years=(2022, 2022), names=()):
    start = body.index(passage)
    reader = MentionYears(body, year_start=years[0], year_end=years[1])
    found = reader.year_of(start, start + len(passage), names=names)
    return found.year, found.source


@pytest.mark.parametrize(
    ("sentence", "year"),
    [
        ("2017年以来全面推行河长制,河湖面貌明显改善。", 2017),
        ("2019年起,全市推行河长制。", 2019),
        ("自2016年全面推行河长制以来,河湖水质逐年好转。", 2016),
        ("去年又创新推行河长制。", 2021),
        ("河长制于2018年3月在全市推开。", 2018),
    ],
)
def test_a_year_the_sentence_names_is_stated(sentence, year):
    assert year_of("株洲市生态文明建设。\n" + sentence, sentence, names=["河长制"]) == (year, STATED)


def test_the_year_nearest_before_the_name_governs_it():
    sentence = "2016年获批国家试点,2019年全面推行河长制,2021年通过验收。"
    assert year_of(sentence, sentence, names=["河长制"]) == (2019, STATED)
    assert year_of(sentence, sentence, names=["国家试点"]) == (2016, STATED)


def test_without_a_year_before_the_name_the_first_after_it_is_taken():
    sentence = "河长制全面推行,2018年实现全覆盖,2020年获评先进。"
    assert year_of(sentence, sentence, names=["河长制"]) == (2018, STATED)


@pytest.mark.parametrize(
    "sentence",
    [
        "十年来,株洲全面推行河长制。",
        "党的十八大以来,株洲全面推行河长制。",
        "近年来,株洲全面推行河长制。",
        "2012—2022年,株洲全面推行河长制。",
    ],
)
def test_periods_are_not_adoption_years(sentence):
    """A decade's retrospective dates nothing by its period: such a mention is "no later than"."""
    assert year_of(sentence, sentence, years=(2012, 2022), names=["河长制"]) == (2022, REPORT)


def test_a_target_year_after_the_report_is_not_an_adoption():
    sentence = "到2025年,河长制全面覆盖所有村级河段。"
    assert year_of(sentence, sentence, years=(2020, 2020), names=["河长制"]) == (2020, REPORT)


def test_a_plan_span_dates_by_its_start():
    sentence = "实施《河长制工作方案(2018—2020年)》。"
    assert year_of(sentence, sentence, years=(2020, 2020), names=["河长制"]) == (2018, STATED)


def test_the_paragraphs_dated_lead_gives_the_context():
    body = "2018年,我市生态文明建设取得新进展。全面推行河长制,水质明显改善。"
    assert year_of(body, "全面推行河长制,水质明显改善。", years=(2020, 2020)) == (2018, CONTEXT)


def test_a_year_in_a_later_sentence_of_the_paragraph_is_not_the_lead():
    body = "全面推行河长制,水质明显改善。2019年,完成河道整治。"
    assert year_of(body, "全面推行河长制,水质明显改善。", years=(2020, 2020)) == (2020, REPORT)


def test_a_heading_and_its_parents_give_the_context():
    body = "\n".join(
        [
            "一、2017年工作回顾",
            "(一)生态文明",
            "全面推行河长制,水质明显改善。",
            "二、2018年工作安排",
            "深化林长制改革。",
        ]
    )
    assert year_of(body, "全面推行河长制,水质明显改善。", years=(2018, 2018)) == (2017, CONTEXT)
    assert year_of(body, "深化林长制改革。", years=(2018, 2018)) == (2018, CONTEXT)


def test_a_heading_of_another_section_at_the_same_level_does_not_date_this_one():
    body = "\n".join(["(一)2017年的改革", "推行湖长制。", "(二)生态文明", "全面推行河长制。"])
    assert year_of(body, "全面推行河长制。", years=(2019, 2019)) == (2019, REPORT)


def test_a_report_year_is_the_last_year_of_a_multi_year_report():
    sentence = "株洲全面推行河长制。"
    assert year_of(sentence, sentence, years=(2012, 2022)) == (2022, REPORT)


def test_without_any_year_the_year_is_unknown():
    sentence = "株洲全面推行河长制。"
    assert year_of(sentence, sentence, years=(None, None)) == (None, REPORT)


def test_zhuzhous_retrospective_dates_most_mentions_only_by_its_last_year():
    """The issue's case: the decade report names few years next to its reforms. 河长制 is not dated
    2022 as if adopted then: it is "no later than 2022"; 拿地即开工, which the text dates 去年, is 2021."""
    body = clean_report(seed_text("zhuzhou")).body
    river = next(line for line in body.split("\n") if "河长制" in line)
    sentence = next(s + "。" for s in river.split("。") if "河长制" in s)
    assert year_of(body, sentence, years=(2012, 2022), names=["河长制"]) == (2022, REPORT)
    launched = "去年又创新推行“拿地即开工”"
    assert year_of(body, launched, years=(2012, 2022), names=["拿地即开工"]) == (2021, STATED)


def test_a_curators_correction_of_a_dated_statement_is_followed():
    body = "株洲市生态文明建设。\n去年全面推行河长制。"
    start = body.index("去年")
    reader = MentionYears(body, year_start=2022, year_end=2022, corrections=[(start, "去年", 2019)])
    assert reader.year_of(start, len(body), names=["河长制"]).year == 2019
    hidden = MentionYears(body, year_start=2022, year_end=2022, corrections=[(start, "去年", None)])
    found = hidden.year_of(start, len(body), names=["河长制"])
    assert (found.year, found.source) == (2022, REPORT)
