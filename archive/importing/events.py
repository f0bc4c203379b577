"""Year-anchored statements in a report: the sentences a timeline is made of.

Each sentence that names a time becomes an event with the year it refers to, resolved against the
report's own year where the text is relative (去年, 今年, 近年来, 一年来, 十年来, 3月31日). Pure code.
"""

import re
from dataclasses import dataclass

from .metadata import _PERIOD_ANCHORS, _chinese_number

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_YEAR = r"((?:19|20)\d{2})"
_DASH = r"\s*[—–－\-~～至到]+\s*"

# Order matters: earlier patterns claim their text first (a span before its two years).
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("span", re.compile(_YEAR + r"\s*年?" + _DASH + _YEAR + r"\s*年")),
    ("date", re.compile(_YEAR + r"\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")),
    ("month", re.compile(_YEAR + r"\s*年\s*(\d{1,2})\s*月")),
    ("year_end", re.compile(r"(?:截至|截止|到)\s*" + _YEAR + r"\s*年\s*(?:底|末)")),
    ("year", re.compile(_YEAR + r"\s*年(?:度)?")),
    ("since_anchor", re.compile(r"(" + "|".join(sorted(_PERIOD_ANCHORS, key=len, reverse=True)) + r")以来")),
    (
        "years_since",
        re.compile(r"(十[一二三四五六七八九]?|[两二三四五六七八九]|[两二三四五六七八九]十[一二三四五六七八九]?)年来"),
    ),
    ("relative_month", re.compile(r"(今年|去年|前年)\s*(\d{1,2})\s*月")),
    ("month_day", re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")),
    ("relative", re.compile(r"(去年|今年|前年|一年来|近年来|近年|近几年|上半年|下半年|年初|年底)")),
]

_RELATIVE_OFFSET = {"去年": -1, "前年": -2}
_RELATIVE_MONTH = {"年初": 1, "年底": 12}
APPROXIMATE = {"近年来", "近年", "近几年"}


@dataclass(frozen=True)
class DatedStatement:
    start: int  # sentence offsets in the text
    end: int
    year: int
    year_end: int | None
    month: int | None
    day: int | None
    expression: str
    approximate: bool = False


def _resolve(kind: str, match: re.Match, report_year: int | None):
    """(year, year_end, month, day, approximate) for one expression, or None if it cannot be dated."""
    if kind == "span":
        start, end = int(match[1]), int(match[2])
        return (start, end, None, None, False) if start <= end else None
    if kind == "date":
        month, day = int(match[2]), int(match[3])
        return (int(match[1]), None, month, day, False) if 1 <= month <= 12 and 1 <= day <= 31 else None
    if kind == "month":
        month = int(match[2])
        return (int(match[1]), None, month, None, False) if 1 <= month <= 12 else None
    if kind == "year_end":
        return int(match[1]), None, 12, None, False
    if kind == "year":
        return int(match[1]), None, None, None, False
    if kind == "since_anchor":
        return _PERIOD_ANCHORS[match[1]], report_year, None, None, False
    if report_year is None:
        return None
    if kind == "years_since":
        length = _chinese_number(match[1])
        return (report_year - length, report_year, None, None, False) if length else None
    if kind == "relative_month":
        month = int(match[2])
        year = report_year + _RELATIVE_OFFSET.get(match[1], 0)
        return (year, None, month, None, False) if 1 <= month <= 12 else None
    if kind == "month_day":
        month, day = int(match[1]), int(match[2])
        return (report_year, None, month, day, False) if 1 <= month <= 12 and 1 <= day <= 31 else None
    word = match[1]
    return report_year + _RELATIVE_OFFSET.get(word, 0), None, _RELATIVE_MONTH.get(word), None, word in APPROXIMATE


def extract_dated_statements(text: str, report_year: int | None) -> list[DatedStatement]:
    """One statement per sentence and distinct time it names; `report_year` resolves relative times."""
    statements: list[DatedStatement] = []
    for sentence in _SENTENCE.finditer(text):
        body = sentence.group()
        claimed = bytearray(len(body))
        seen: set[tuple] = set()
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(body):
                if any(claimed[match.start() : match.end()]):
                    continue
                claimed[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
                resolved = _resolve(kind, match, report_year)
                if resolved is None or resolved in seen:
                    continue
                seen.add(resolved)
                year, year_end, month, day, approximate = resolved
                statements.append(
                    DatedStatement(
                        start=sentence.start(),
                        end=sentence.end(),
                        year=year,
                        year_end=year_end,
                        month=month,
                        day=day,
                        expression=match.group().strip(),
                        approximate=approximate,
                    )
                )
    return statements
