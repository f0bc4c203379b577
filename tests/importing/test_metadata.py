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


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布日期：2014-02-27", date(2014, 2, 27)),
        ("2014/02/27", date(2014, 2, 27)),
        ("吉林日报  2018-07-13 08:56:58", date(2018, 7, 13)),
        ("生活   来源:莞讯网  责任编辑:百花残  2019-04-04 11:11:20", date(2019, 4, 4)),
        ("本文转载自:〖〗    发表时间:〖2019-04-28〗   本文作者:admin-li   浏览次数:703", date(2019, 4, 28)),
        ("作者 :海南省省长 刘赐贵 编辑 : 来源 :海南省人大常委会 发布时间 :2016年01月27日", date(2016, 1, 27)),
        ("2024年11月23日 星期六 |", None),
        ("2018年1月5日| 联系热线:17636155855", None),
    ],
)
def test_publication_lines_of_portals_and_papers(line, expected):
    assert find_publication_date(line) == expected


def test_a_work_report_is_about_the_year_it_is_delivered_not_the_year_it_reviews():
    report = clean_report(
        "——2016年1月6日在马鞍山市第十五届人民代表大会第五次会议上\n市长 魏尧\n各位代表：\n"
        "一、2015年工作回顾\n2015年是我市发展很不平凡的一年，2015年全市经济稳中有进。"
    )
    assert (report.delivered_on, report.authors) == (date(2016, 1, 6), ["市长 魏尧"])
    span = extract_years(report.title, report.body, delivered_on=report.delivered_on)
    assert (span.start, span.end) == (2016, 2016)


def test_the_past_year_is_the_year_before_publication():
    span = extract_years("", "过去的一年，全市改革攻坚取得新突破。", published_on=date(2019, 1, 10))
    assert (span.start, span.end) == (2018, 2018)


def test_since_this_year_is_the_publication_year():
    span = extract_years("", "今年以来，我市改革任务有序推进。", published_on=date(2021, 8, 3))
    assert (span.start, span.end) == (2021, 2021)


def test_since_the_third_plenum_runs_from_2013_to_publication():
    title = "党的十八届三中全会以来福州市全面深化改革工作述评"
    span = extract_years(title, "改革画卷徐徐展开。", published_on=date(2021, 2, 2))
    assert (span.start, span.end) == (2013, 2021)


def test_an_anchor_without_an_end_is_not_a_year():
    """十八大以来 in passing, with no length and no publication date, says nothing of the report's year."""
    assert extract_years("", "听取了党的十八大以来我市改革任务完成情况汇报。") is None


def test_an_old_text_posted_later_does_not_take_the_posting_year():
    """A history of 2009 put on a site in 2022 is about 2009."""
    span = extract_years("", "2009年，深圳出台人才政策。2009年以来深圳持续发力。", published_on=date(2022, 5, 24))
    assert (span.start, span.end) == (2009, 2009)
    assert extract_years("", "那一年，深圳出台人才政策。1997年以后持续发力。", published_on=date(2022, 5, 24)) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("二〇〇二年政府工作报告", 2002),
        ("二O一二年政府工作报告", 2012),
        ("鲁政发〔2014〕20号 关于深化预算管理制度改革的实施意见", 2014),
    ],
)
def test_title_years_in_characters_and_document_numbers(title, expected):
    assert extract_years(title, "").start == expected


def test_a_target_year_in_the_title_is_not_the_report_year():
    assert extract_years("吉林：十四五时期和2035年远景目标任务出台", "") is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("今年是党的十九大开局之年，也是改革开放40周年，我市改革再出发。", 2018),
        ("会议总结我市2014年全面深化改革工作，安排部署今年工作。", 2015),
        ("会议学习贯彻中央全面深化改革委员会第五次会议精神，审议有关文件。", 2018),
        ("会议学习贯彻中央全面深化改革領導小組第十四次會議精神。", 2015),
    ],
)
def test_what_the_text_says_of_this_year(body, expected):
    span = extract_years("", body)
    assert (span.start, span.end) == (expected, expected)
