import pytest

from archive.importing import clean_report
from archive.importing.events import extract_dated_statements
from tests.conftest import seed_text


def dated(text, report_year):
    return [(s.year, s.year_end, s.month, s.day, s.expression) for s in extract_dated_statements(text, report_year)]


@pytest.mark.parametrize(
    ("text", "report_year", "expected"),
    [
        ("截至2021年底,全市实现了160个项目拿地即开工。", 2022, [(2021, None, 12, None, "截至2021年底")]),
        ("3月31日,项目收到不动产权证。", 2022, [(2022, None, 3, 31, "3月31日")]),
        ("去年又创新推行“拿地即开工”。", 2022, [(2021, None, None, None, "去年")]),
        ("党的十八大以来,改革春潮涌起。", 2022, [(2012, 2022, None, None, "十八大以来")]),
        ("十年来,株洲聚焦重点领域。", 2022, [(2012, 2022, None, None, "十年来")]),
        ("《实施规划(2014—2020年)》", 2020, [(2014, 2020, None, None, "2014—2020年")]),
        ("对2017年6月30日以前出台的改革文件", 2017, [(2017, None, 6, 30, "2017年6月30日")]),
        ("截至今年8月,共完成改革任务1165项。", 2020, [(2020, None, 8, None, "今年8月")]),
        ("没有任何时间的句子。", 2020, []),
    ],
)
def test_time_expressions_resolve_against_the_report_year(text, report_year, expected):
    assert dated(text, report_year) == expected


def test_relative_times_are_not_guessed_without_a_report_year():
    assert dated("去年又创新推行改革。2019年启动试点。", None) == [(2019, None, None, None, "2019年")]


def test_zhuzhou_alone_spans_its_decade():
    """One report must still make a rich timeline: 株洲's runs from 2012 to 2022."""
    report = clean_report(seed_text("zhuzhou"))
    statements = extract_dated_statements(report.body, 2022)
    years = {s.year for s in statements} | {s.year_end for s in statements if s.year_end}
    assert {2012, 2021, 2022} <= years
    assert all(report.body[s.start : s.end].strip() for s in statements)
