"""The year a mention dates an initiative to, and how the report supports that year. Pure code.

Diffusion research reads a mention's year as "this city had the reform by then", so the year says
where it came from (`source`):

* ``stated``: the mention's own sentence names it: 2017年以来全面推行河长制, 2019年起, 自2016年,
  去年又创新推行“拿地即开工” (relative times resolved against the report's year).
* ``context``: the paragraph's dated lead (2018年，…。…推行河长制) or a nearby heading
  (一、2017年工作回顾) gives it.
* ``report``: nothing but the report's year, which means only "no later than": the report's LAST
  year for a report covering several (株洲's 2012—2022 retrospective dates such a mention 2022).

Which year, when a sentence names several: the nearest one before the initiative's name (the
date a clause opens with governs what follows it: 2016年获批试点，今年全面推行河长制 → this year),
else the first after it (河长制于2017年全面推行). Periods are not adoption years: 近年来, 十年来
and 党的十八大以来 say when the report's story starts, not when this reform did, and a span that
covers a multi-year report's whole period (2012—2022年) likewise. Years after the report's last
year are targets (到2025年), not adoptions.
"""

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from archive.text.normalise import normalise, normalise_with_positions

from .events import _SENTENCE, extract_dated_statements

STATED, CONTEXT, REPORT = "stated", "context", "report"

__all__ = ["CONTEXT", "REPORT", "STATED", "MentionYear", "MentionYears"]


@dataclass(frozen=True)
class MentionYear:
    year: int | None
    source: str  # STATED, CONTEXT or REPORT
    evidence: str = ""  # the words that date it (2017年以来, the heading); empty for REPORT


# Headings: short lines without sentence punctuation. Their level comes from the enumerator, so that
# a section heading (一、2017年工作回顾) still dates the paragraphs under its sub-headings ((一)…).
_HEADING_MAX_CHARS = 40
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_LEVELS = [
    (re.compile(r"^第[一二三四五六七八九十]+[部分章节篇]"), 0),
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
    (re.compile(r"^\d{1,2}\s*[、.．](?!\d)"), 3),
    (re.compile(r"^[（(]\d{1,2}[）)]"), 4),
]
_UNNUMBERED = 5

# Expressions of a period rather than a year (see the module docstring).
_PERIOD = re.compile(r"(?:近年来?|近几年|[十两二三四五六七八九][十一二三四五六七八九]?年来|以来)$")


def _heading_level(line: str) -> int | None:
    text = line.strip()
    if not text or len(text) > _HEADING_MAX_CHARS or _SENTENCE_END.search(text):
        return None
    for pattern, level in _LEVELS:
        if pattern.match(text):
            return level
    return _UNNUMBERED


@dataclass(frozen=True)
class _Dated:
    position: int  # of the expression in the body
    year: int
    expression: str


class MentionYears:
    """A report's dated sentences, paragraphs and headings, read once to date many mentions.

    `year_start`/`year_end` are the report's years (either may be None). `corrections` are dated
    statements a curator corrected, as (sentence start, expression, year), year None when hidden: the
    year a curator gave replaces the one read, a hidden one dates nothing."""

    def __init__(
        self,
        body: str,
        *,
        year_start: int | None,
        year_end: int | None,
        corrections: Iterable[tuple[int, str, int | None]] = (),
    ):
        self.body = body
        self.report_start = year_start or year_end
        self.report_year = year_end or year_start
        self._sentences: list[tuple[int, int]] = [m.span() for m in _SENTENCE.finditer(body)]
        self._sentence_starts = [start for start, _ in self._sentences]
        self._dated: dict[int, list[_Dated]] = {}  # sentence start → its usable years, in text order
        corrected = {(start, expression): year for start, expression, year in corrections}
        for statement in extract_dated_statements(body, self.report_year):
            key = (statement.start, statement.expression[:40])
            if key in corrected:
                year = corrected[key]
                if year is None or (self.report_year and year > self.report_year):
                    continue
            else:
                year = self._adoption_year(statement)
            if year is None:
                continue
            sentence = body[statement.start : statement.end]
            at = sentence.find(statement.expression)
            position = statement.start + max(at, 0)
            self._dated.setdefault(statement.start, []).append(_Dated(position, year, statement.expression))
        for items in self._dated.values():
            items.sort(key=lambda item: item.position)
        # Paragraphs: (start, end) of each line; headings: paragraph number → level.
        self._paragraphs: list[tuple[int, int]] = []
        offset = 0
        for line in body.split("\n"):
            self._paragraphs.append((offset, offset + len(line)))
            offset += len(line) + 1
        self._paragraph_starts = [start for start, _ in self._paragraphs]
        self._headings = {
            number: level
            for number, (start, end) in enumerate(self._paragraphs)
            if (level := _heading_level(body[start:end])) is not None
        }

    def _adoption_year(self, statement) -> int | None:
        if statement.approximate or _PERIOD.search(statement.expression):
            return None
        year = statement.year
        if statement.year_end and statement.year_end != statement.year:
            # A span: its start is when the plan or programme began, unless it is the report's own period.
            multi_year = self.report_start and self.report_year and self.report_start != self.report_year
            if multi_year and year <= self.report_start and statement.year_end >= self.report_year:
                return None
        if year < 1949 or (self.report_year and year > self.report_year):
            return None
        return year

    # --- reading --------------------------------------------------------------------------------

    def _sentences_over(self, start: int, end: int) -> list[int]:
        """Starts of the sentences the passage overlaps."""
        first = max(bisect.bisect_right(self._sentence_starts, start) - 1, 0)
        found = []
        for sentence_start, sentence_end in self._sentences[first:]:
            if sentence_start >= end:
                break
            if sentence_end > start:
                found.append(sentence_start)
        return found

    def _name_position(self, start: int, end: int, names) -> int:
        """Where the first of `names` appears in the passage (as normalised text), else its start."""
        text, positions = normalise_with_positions(self.body[start:end])
        found = [at for name in names if (key := normalise(name)) and (at := text.find(key)) >= 0]
        return start + positions[min(found)] if found else start

    def _stated(self, start: int, end: int, name_at: int | None, names) -> MentionYear | None:
        dated = [item for sentence in self._sentences_over(start, end) for item in self._dated.get(sentence, [])]
        if not dated:
            return None
        if name_at is None:
            name_at = self._name_position(start, end, names)
        before = [item for item in dated if item.position < name_at]
        chosen = before[-1] if before else dated[0]
        return MentionYear(chosen.year, STATED, chosen.expression)

    def _paragraph_lead(self, start: int) -> MentionYear | None:
        number = bisect.bisect_right(self._paragraph_starts, start) - 1
        paragraph_start, _ = self._paragraphs[number]
        sentences = self._sentences_over(paragraph_start, paragraph_start + 1)
        if not sentences or sentences[0] >= start:
            return None  # the mention is in the lead itself: its year would be stated
        dated = self._dated.get(sentences[0])
        return MentionYear(dated[0].year, CONTEXT, dated[0].expression) if dated else None

    def _heading(self, start: int) -> MentionYear | None:
        """The nearest heading above the passage, then its parents (headings of a higher level)."""
        number = bisect.bisect_right(self._paragraph_starts, start) - 1
        level_below = None
        for heading in range(number - 1, -1, -1):
            level = self._headings.get(heading)
            if level is None or (level_below is not None and level >= level_below):
                continue
            heading_start, heading_end = self._paragraphs[heading]
            dated = [item for s in self._sentences_over(heading_start, heading_end) for item in self._dated.get(s, [])]
            if dated:
                return MentionYear(dated[0].year, CONTEXT, self.body[heading_start:heading_end].strip())
            if level == 0:
                return None
            level_below = level
        return None

    def year_of(self, start: int, end: int, *, name_at: int | None = None, names=()) -> MentionYear:
        """The year of the mention whose passage is body[start:end]. Where in the passage the initiative is
        named is `name_at`, or found from `names` (its name and aliases), or taken to be the passage's start."""
        return (
            self._stated(start, end, name_at, names)
            or self._paragraph_lead(start)
            or self._heading(start)
            or MentionYear(self.report_year, REPORT)
        )
