from datetime import date

import pytest

from archive.importing import clean_report, extract_years, find_publication_date
from archive.importing.metadata import parse_year_span
from tests.conftest import seed_text


@pytest.mark.parametrize(
    ("city", "expected"),
    [("zhuzhou", (2012, 2022)), ("yongzhou", (2023, 2023)), ("xiangtan", (2017, 2017)), ("xuchang", (2020, 2020))],
)
def test_years_reported_on_are_found_in_the_seeds(city, expected):
    report = clean_report(seed_text(city))
    span = extract_years(report.title, report.body)
    assert (span.start, span.end) == expected


def test_plan_spans_are_not_taken_for_the_report_year():
    """长春 names only plan spans (2014—2020年 …): its own year is not stated, so none is guessed."""
    report = clean_report(seed_text("changchun"))
    assert extract_years(report.title, report.body) is None


def test_years_since_in_chinese_numerals():
    span = extract_years("", "党的十九大以来，五年来改革成效显著。")
    assert (span.start, span.end) == (2017, 2022)


def test_a_single_mention_of_a_year_is_not_enough():
    assert extract_years("", "2019年启动试点，2021年全面推开。") is None


@pytest.mark.parametrize(
    ("value", "expected"), [("2020", (2020, 2020)), ("2012-2022", (2012, 2022)), ("2012—2022", (2012, 2022))]
)
def test_year_overrides_parse(value, expected):
    assert parse_year_span(value) == expected


@pytest.mark.parametrize("value", ["20", "2022-2012", "abc", "2020-2021-2022", "１９９９年"])
def test_bad_year_overrides_are_refused(value):
    with pytest.raises(ValueError):
        parse_year_span(value)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2023-12-28 09:15 来源：永州日报", date(2023, 12, 28)),
        ("发布时间：2021年3月5日", date(2021, 3, 5)),
        ("2017年6月30日以前出台的改革文件", None),
        ("2023-02-30", None),
    ],
)
def test_publication_date_only_from_a_date_line(line, expected):
    assert find_publication_date(line) == expected
