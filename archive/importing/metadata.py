"""Find what years a report covers and when it was published, from its own words.

Nothing here guesses: each finder returns None when the text does not say, and the importer then
reports the value as missing.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from archive.text.normalise import to_simplified

_DASHES = re.escape("—–－-~～至到")
_YEAR = r"((?:19|20)\d{2})"
_SPAN = re.compile(_YEAR + r"\s*年?\s*[" + _DASHES + r"]+\s*" + _YEAR + r"\s*年")
_SINGLE_YEAR = re.compile(_YEAR + r"\s*年")
_DATE = re.compile(_YEAR + r"\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_DATE_LINE = re.compile(
    r"^(?:(?:发布|发表|更新)?(?:时间|日期)\s*[:：]\s*)?" + _DATE.pattern + r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s+(?:来源|作者|编辑)\s*[:：].*)?$"
)
_DATE_LINE_MAX_CHARS = 120
# Page tools on a date line: 【字体：大 中 小】 【打印本页】 [关闭窗口].
_TOOLS = re.compile(r"【[^】]{0,12}】|\[[^\]]{0,12}\]")
_DATE_LINE_OTHER_CHARS = 24
_MASTHEAD = re.compile(r"星期|周[一二三四五六日]|热线|电话|天气|农历")
_DATE_LINE_LABELS = re.compile(
    r"(?:来源|稿源|作者|编辑|责任编辑|责编|本文转载自|本文作者|浏览次数|浏览量|点击数|点击|阅读|字体|字号"
    r"|(?:发布|发表|更新|上传)?(?:时间|日期))\s*[:：]\s*[^\s:：]*"
)
_DELIVERED = re.compile(
    r"^[—\-–－─(（\s]*" + _DATE.pattern + r"\s*在.{2,50}?(?:会议|大会|全会|会)上(?:的(?:讲话|报告))?[)）]?$"
)

# Party congresses and plenums that reports use as the start of a period ("党的十八大以来").
_PERIOD_ANCHORS = {
    "十八大": 2012,
    "十八届三中全会": 2013,
    "十九大": 2017,
    "十九届三中全会": 2018,
    "二十大": 2022,
    "二十届三中全会": 2024,
}
_CHINESE_NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_YEARS_SINCE = re.compile(r"(十[一二三四五六七八九]?|[一两二三四五六七八九]十?[一二三四五六七八九]?|\d{1,2})\s*年来")


_NUMERAL_DIGITS = dict(zip("〇○零O0Ｏ一二三四五六七八九", "000000123456789", strict=True))
_NUMERAL_YEAR = re.compile("([一二][〇○零OＯ0一二三四五六七八九]{3})年")
_DOCUMENT_NUMBER_YEAR = re.compile(r"[〔\[［(（]((?:19|20)\d{2})[〕\]］)）]\s*\d+\s*号")
_LEAD_CHARS = 400
_TARGET_YEAR = re.compile(r"(?:到|至)?(?:19|20)\d{2}\s*年(?=远景|前后|目标|愿景)|(?:到|至)(?:19|20)\d{2}\s*年")
_WORK_REPORT_LEAD = re.compile(r"各位代表|向大会(?:作|报告)|作政府工作报告|报告政府工作")
_PAST_YEAR = re.compile(r"(?:刚刚)?过去的?一年|^去年|[，。,]去年")
_THIS_YEAR = re.compile(r"今年以来|一年来|今年")
_ANNIVERSARY = re.compile(r"(改革开放|新中国成立|建党|中国共产党成立)(\d{2,3})周年")
_ANNIVERSARY_BASES = {"改革开放": 1978, "新中国成立": 1949, "建党": 1921, "中国共产党成立": 1921}
_PLAN_YEAR = re.compile(r"[“\"]?(十[一二三四五])五[”\"]?(?:规划|时期)?的?(开局|收官)之年")
_PLAN_YEARS = {
    ("十一", "开局"): 2006, ("十一", "收官"): 2010, ("十二", "开局"): 2011, ("十二", "收官"): 2015,
    ("十三", "开局"): 2016, ("十三", "收官"): 2020, ("十四", "开局"): 2021, ("十四", "收官"): 2025,
    ("十五", "开局"): 2026, ("十五", "收官"): 2030,
}  # fmt: skip
_SUMMARY_THEN_PLAN = re.compile(
    r"总结(?:我市|全市|我区|全区|我县|全县)?((?:19|20)\d{2})年[^。；]{0,30}?(?:部署|安排)(?:今年|\1\+1)"
)
# Central reform meetings that local meetings "study" within weeks: (body, number) → (year, month).
_CENTRAL_MEETING = re.compile(
    r"中央(?:全面深化改革|深改)(领导小组|委员会)第([一二三四五六七八九十]{1,4}|\d{1,2})次(?:全体)?会议"
)
_GROUP_MEETINGS = [
    (2014, 1), (2014, 2), (2014, 6), (2014, 8), (2014, 9), (2014, 10), (2014, 12), (2014, 12), (2015, 1), (2015, 2),
    (2015, 4), (2015, 5), (2015, 6), (2015, 7), (2015, 8), (2015, 9), (2015, 10), (2015, 11), (2015, 12), (2016, 1),
    (2016, 2), (2016, 3), (2016, 4), (2016, 5), (2016, 6), (2016, 7), (2016, 8), (2016, 10), (2016, 11), (2016, 12),
    (2016, 12), (2017, 2), (2017, 3), (2017, 4), (2017, 5), (2017, 6), (2017, 7), (2017, 8),
]  # fmt: skip
_COMMITTEE_MEETINGS = [
    (2018, 3), (2018, 5), (2018, 7), (2018, 9), (2018, 11), (2019, 1), (2019, 3), (2019, 5), (2019, 7), (2019, 9),
    (2019, 11), (2020, 2), (2020, 4), (2020, 6), (2020, 9), (2020, 11), (2020, 12), (2021, 2), (2021, 5), (2021, 7),
    (2021, 8), (2021, 11), (2021, 12), (2022, 2), (2022, 4), (2022, 6), (2022, 9),
]  # fmt: skip
_CENTRAL_MEETINGS = {
    **{("领导小组", number): when for number, when in enumerate(_GROUP_MEETINGS, 1)},
    **{("委员会", number): when for number, when in enumerate(_COMMITTEE_MEETINGS, 1)},
}


@dataclass(frozen=True)
class YearSpan:
    start: int
    end: int
    evidence: str

    @property
    def label(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}—{self.end}"


def _chinese_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CHINESE_NUMBERS.get(text[1:], 0)
    if "十" in text:
        tens, _, units = text.partition("十")
        return _CHINESE_NUMBERS.get(tens, 0) * 10 + _CHINESE_NUMBERS.get(units, 0)
    return _CHINESE_NUMBERS.get(text)


def parse_year_span(value: str) -> tuple[int, int]:
    """'2020' → (2020, 2020); '2012-2022' or '2012—2022' → (2012, 2022). Raises ValueError."""
    parts = [part for part in re.split("[" + _DASHES + "]+", value.strip()) if part.strip()]
    if not 1 <= len(parts) <= 2 or not all(re.fullmatch(r"\s*(19|20)\d{2}\s*", part) for part in parts):
        raise ValueError(f"年份格式应为 2020 或 2012-2022，收到：{value!r}")
    start, end = int(parts[0]), int(parts[-1])
    if end < start:
        raise ValueError(f"结束年份 {end} 早于起始年份 {start}")
    return start, end


def chinese_numeral_year(text: str) -> int | None:
    """二〇〇二 / 二00二 / 二O一二 → 2002, 2012: years written digit by digit in characters."""
    digits = "".join(_NUMERAL_DIGITS.get(ch, "") for ch in text)
    return int(digits) if len(digits) == 4 and len(text) == 4 and digits[:2] in {"19", "20"} else None


def title_year(title: str) -> YearSpan | None:
    """A year or span the title states: 2018年…, 2013—2015年, 二〇〇二年…, or a document number 〔2014〕.
    A target year (2035年远景目标, 到2025年) is not the report's."""
    title = _TARGET_YEAR.sub("", to_simplified(title))
    if match := _SPAN.search(title):
        return YearSpan(int(match[1]), int(match[2]), f"标题：{match[0]}")
    if match := _SINGLE_YEAR.search(title):
        return YearSpan(int(match[1]), int(match[1]), f"标题：{match[0]}")
    if (match := _NUMERAL_YEAR.search(title)) and (year := chinese_numeral_year(match[1])):
        return YearSpan(year, year, f"标题：{match[0]}")
    if match := _DOCUMENT_NUMBER_YEAR.search(title):
        return YearSpan(int(match[1]), int(match[1]), f"标题中的文号：{match[0]}")
    return None


def is_work_report(title: str, lead: str) -> bool:
    """A government (or other) work report delivered to a congress: it is about the year it is given in."""
    return "工作报告" in title or bool(_WORK_REPORT_LEAD.search(lead))


def extract_years(
    title: str,
    body: str,
    *,
    published_on: date | None = None,
    delivered_on: date | None = None,
    stated_year: int | None = None,
) -> YearSpan | None:
    """The year or span of years a report covers, or None when the text does not say.

    In order:
    1. a year or span in the title (also 二〇〇二年 and a document number 〔2014〕), or a 年份 line;
    2. a period anchored on a party congress with its length ("十八大以来 … 十年来" → 2012—2022);
    3. a work report: the year of its dated byline ("——2016年1月6日在…人民代表大会…上");
    4. the publication date (a 发布日期 line, or a dated byline of another genre) with the lead's
       relative phrases: 过去的一年/去年 → the year before, 今年以来/一年来 → that year, an anchor in
       the title or lead (十八届三中全会以来) → from the anchor to that year; with none of these, the
       publication year itself unless every year the text names lies before it (an old text posted later);
    5. what the text says of "this year": 今年是改革开放40周年, "十三五"开局之年, 总结2014年…部署今年工作,
       or the latest central reform meeting it studies (中央全面深化改革委员会第五次会议 → 2018);
    6. the one year the body names most often (at least twice, and more often than any other).
    Years inside plan spans (规划(2014—2020年)) are never the report's year."""
    if found := title_year(title):
        return found
    if stated_year:
        return YearSpan(stated_year, stated_year, f"年份：{stated_year}")
    if found := _anchored_period(body):
        return found
    lead = "\n".join(body.split("\n")[:3])[:_LEAD_CHARS]
    if delivered_on and is_work_report(title, lead):
        year = delivered_on.year
        return YearSpan(year, year, f"工作报告，{delivered_on:%Y年%-m月%-d日}作")
    reference = published_on or delivered_on
    if reference and (found := _relative_to(reference, title, lead, body)):
        return found
    if found := _this_year(body):
        return found
    return _most_named_year(body)


def _anchored_period(body: str) -> YearSpan | None:
    for anchor, anchor_year in sorted(_PERIOD_ANCHORS.items(), key=lambda item: -item[1]):
        if f"{anchor}以来" not in body:
            continue
        if match := _YEARS_SINCE.search(body):
            length = _chinese_number(match[1])
            if length and 1 <= length <= 30:
                return YearSpan(anchor_year, anchor_year + length, f"{anchor}以来；{match[0]}")
    return None


def _relative_to(reference: date, title: str, lead: str, body: str) -> YearSpan | None:
    year = reference.year
    said = f"发布于{reference:%Y年%-m月%-d日}"
    head = f"{title}\n{lead}"
    for anchor, anchor_year in sorted(_PERIOD_ANCHORS.items(), key=lambda item: -item[1]):
        if f"{anchor}以来" in head and anchor_year <= year:
            return YearSpan(anchor_year, year, f"{anchor}以来，{said}")
    if match := _PAST_YEAR.search(lead):
        return YearSpan(year - 1, year - 1, f"“{match[0]}”，{said}")
    if match := _THIS_YEAR.search(lead):
        return YearSpan(year, year, f"“{match[0]}”，{said}")
    named = [int(y) for y in _SINGLE_YEAR.findall(_SPAN.sub("", body))]
    if named and max(named) < year - 1:
        # A text about earlier years posted later (an archive page, a history): the date is the page's.
        return None
    return YearSpan(year, year, said)


def _this_year(body: str) -> YearSpan | None:
    """Years the text gives for "this year": anniversaries, plan periods, a summary of last year."""
    found: dict[int, str] = {}
    body = to_simplified(body)
    for sentence in re.split("[。！？\n]", body):
        if match := _ANNIVERSARY.search(sentence):
            if "今年" in sentence or re.search(r"是.{0,12}$", sentence[: match.start()]):
                found.setdefault(_ANNIVERSARY_BASES[match[1]] + int(match[2]), f"“{match[0]}”")
        if (match := _PLAN_YEAR.search(sentence)) and "今年" in sentence:
            found.setdefault(_PLAN_YEARS[(match[1], match[2])], f"“{match[0]}”")
        if match := _SUMMARY_THEN_PLAN.search(sentence):
            found.setdefault(int(match[1]) + 1, f"“{match[0][:24]}…”")
    meetings = [
        (_CENTRAL_MEETINGS[(match[1], _chinese_number(match[2]))], match[0])
        for match in _CENTRAL_MEETING.finditer(body)
        if (match[1], _chinese_number(match[2])) in _CENTRAL_MEETINGS
    ]
    if meetings:
        (year, month), said = max(meetings)
        if month < 12:  # a December meeting is studied locally that year or the next
            found.setdefault(year, f"学习{said}")
    if len(found) == 1:
        year, said = next(iter(found.items()))
        return YearSpan(year, year, said)
    return None


def _most_named_year(body: str) -> YearSpan | None:
    without_spans = _SPAN.sub("", body)
    counts = Counter(int(year) for year in _SINGLE_YEAR.findall(without_spans))
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        year, times = ranked[0]
        return YearSpan(year, year, f"正文中 {year}年 出现 {times} 次")
    return None


def find_publication_date(line: str) -> date | None:
    """A publication date stated on a line of its own: "2023-01-05 08:30 来源：永州日报", "发布时间：2021年3月5日",
    "吉林日报  2018-07-13 08:56:58", "来源:天山网 日期:2024-07-29", "发表时间:〖2019-04-28〗".

    Besides the date (and a time) the line holds only labelled fields (来源/作者/编辑/浏览 …) and at
    most a short outlet name. A masthead's "today" (星期六, 联系热线) is not a publication date."""
    line = line.strip()
    if len(line) > _DATE_LINE_MAX_CHARS or _MASTHEAD.search(line):
        return None
    if match := _DATE_LINE.match(line):
        return _date_of(match[1], match[2], match[3])
    if not (match := _DATE.search(line)):
        return None
    before, after = (
        re.sub(
            r"\d{1,2}:\d{2}(?::\d{2})?|[〖〗【】\[\]|｜·•:：\s]", "", _DATE_LINE_LABELS.sub(" ", _TOOLS.sub("", part))
        )
        for part in (line[: match.start()], line[match.end() :])
    )
    # Only labelled fields may follow the date; before it, at most a short outlet name.
    if after or len(before) > _DATE_LINE_OTHER_CHARS or any(ch in before for ch in "。，,；;！？"):
        return None
    return _date_of(match[1], match[2], match[3])


def find_delivery_date(line: str) -> date | None:
    """The dated byline of a speech or work report: "——2016年1月6日在马鞍山市第十五届人民代表大会第五次会议上"."""
    if (match := _DELIVERED.match(to_simplified(line.strip()))) is None:
        return None
    return _date_of(match[1], match[2], match[3])


def _date_of(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
