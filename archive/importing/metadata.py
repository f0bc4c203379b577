"""Find what years a report covers and when it was published, from its own words.

Nothing here guesses: each finder returns None when the text does not say, and the importer then
reports the value as missing.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

_DASHES = re.escape("—–－-~～至到")
_YEAR = r"((?:19|20)\d{2})"
_SPAN = re.compile(_YEAR + r"\s*年?\s*[" + _DASHES + r"]+\s*" + _YEAR + r"\s*年")
_SINGLE_YEAR = re.compile(_YEAR + r"\s*年")
_DATE = re.compile(_YEAR + r"\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_DATE_LINE = re.compile(
    r"^(?:(?:发布|发表|更新)?(?:时间|日期)\s*[:：]\s*)?" + _DATE.pattern + r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s+(?:来源|作者|编辑)\s*[:：].*)?$"
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


def extract_years(title: str, body: str) -> YearSpan | None:
    """The year or span of years a report covers.

    In order: a year or span in the title; a period anchored on a party congress ("十八大以来 …
    十年来" → 2012—2022); the one year the body names most often (at least twice, and more often
    than any other). Years inside plan spans (规划(2014—2020年)) are not the report's year."""
    if match := _SPAN.search(title):
        return YearSpan(int(match[1]), int(match[2]), f"标题：{match[0]}")
    if match := _SINGLE_YEAR.search(title):
        return YearSpan(int(match[1]), int(match[1]), f"标题：{match[0]}")

    for anchor, anchor_year in sorted(_PERIOD_ANCHORS.items(), key=lambda item: -item[1]):
        if f"{anchor}以来" not in body:
            continue
        if match := _YEARS_SINCE.search(body):
            length = _chinese_number(match[1])
            if length and 1 <= length <= 30:
                return YearSpan(anchor_year, anchor_year + length, f"{anchor}以来；{match[0]}")
        return YearSpan(anchor_year, anchor_year, f"{anchor}以来")

    without_spans = _SPAN.sub("", body)
    counts = Counter(int(year) for year in _SINGLE_YEAR.findall(without_spans))
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        year, times = ranked[0]
        return YearSpan(year, year, f"正文中 {year}年 出现 {times} 次")
    return None


def find_publication_date(line: str) -> date | None:
    """A publication date stated on a line of its own ("2023-01-05 08:30 来源：永州日报")."""
    match = _DATE_LINE.match(line.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
