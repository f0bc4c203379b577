"""Keyword in context over normalised text: occurrences as grep finds them, context windows in the
text as written, and collocates with logDice. Pure text code: no ORM.

A report is searched as `title\\n body` after the search normalisation (traditional → simplified,
full-width → half-width, quotes, brackets and spaces dropped), so a concordance counts exactly the
occurrences the search matched and a careful `grep -o` finds in the normalised texts.
"""

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

from archive.text.normalise import normalise_with_positions

TITLE_PARAGRAPH = 0  # occurrences in the title have no paragraph anchor


def term_pattern(terms: list[str]) -> re.Pattern[str]:
    """One pattern for all terms, longest first, so each position takes the longest term that
    starts there and occurrences never overlap: what `grep -o -e A -e B` reports."""
    unique = sorted({term for term in terms if term}, key=lambda term: (-len(term), term))
    return re.compile("|".join(re.escape(term) for term in unique))


def count_occurrences(normalised: bytes | str, pattern: re.Pattern) -> int:
    """How many times the pattern occurs in one normalised text (UTF-8 bytes or str).

    One term is counted with `count` (C, no match objects: a concordance of 改革 counts a few
    hundred thousand occurrences per request); several with `findall` on the same longest-first
    pattern. Both count non-overlapping occurrences left to right, as `grep -o` does."""
    literal, compiled = _counter(pattern.pattern, isinstance(normalised, bytes))
    if literal is not None:
        return normalised.count(literal)
    return len(compiled.findall(normalised))


@functools.lru_cache(maxsize=256)
def _counter(source: str, as_bytes: bool) -> tuple[bytes | str | None, re.Pattern | None]:
    pattern = re.compile(source.encode("utf-8") if as_bytes else source)
    unescaped = re.sub(r"\\(.)", r"\1", source)
    if "|" not in source and re.escape(unescaped) == source:
        return (unescaped.encode("utf-8") if as_bytes else unescaped), None
    return None, pattern


@dataclass(frozen=True)
class Line:
    """One occurrence: where it is in the text as written, and the context either side of it
    within its paragraph (a concordance line never runs across a paragraph)."""

    start: int  # offset in `title\nbody`
    end: int
    paragraph: int  # 1-based paragraph of the body, TITLE_PARAGRAPH for the title
    body_start: int  # offset in the body (negative in the title)
    left: str
    match: str
    right: str
    term: str  # the normalised term it matched


def lines_in(title: str, body: str, pattern: re.Pattern, *, width: int) -> list[Line]:
    """Every occurrence of the pattern in the report's title and body, with `width` characters of
    context on each side, cut at the paragraph's edges."""
    text = f"{title}\n{body}"
    normalised, positions = normalise_with_positions(text)
    body_offset = len(title) + 1
    found = []
    for match in pattern.finditer(normalised):
        start = positions[match.start()]
        end = positions[match.end() - 1] + 1
        paragraph_start = text.rfind("\n", 0, start) + 1
        paragraph_end = text.find("\n", end)
        if paragraph_end < 0:
            paragraph_end = len(text)
        if start < body_offset:
            paragraph = TITLE_PARAGRAPH
        else:
            paragraph = body.count("\n", 0, start - body_offset) + 1
        found.append(
            Line(
                start=start,
                end=end,
                paragraph=paragraph,
                body_start=start - body_offset,
                left=text[max(paragraph_start, start - width) : start],
                match=text[start:end],
                right=text[end : min(paragraph_end, end + width)],
                term=match.group(),
            )
        )
    return found


def log_dice(pair_count: int, node_count: int, collocate_count: int) -> float:
    """logDice (Rychlý 2008): 14 + log2(2·f(xy) / (f(x) + f(y))); 14 is the maximum, and the score
    does not depend on the size of the corpus, so it compares across searches."""
    if not pair_count or not node_count + collocate_count:
        return 0.0
    return 14 + math.log2(2 * pair_count / (node_count + collocate_count))


@dataclass(frozen=True)
class Collocate:
    word: str
    count: int  # occurrences within the window of a hit
    left: int
    right: int
    frequency: int  # occurrences in the matching reports
    log_dice: float


def collocates(
    windows: list[tuple[list[str], list[str]]],
    frequencies: Counter,
    *,
    node_count: int,
    limit: int = 50,
    min_count: int = 2,
) -> list[Collocate]:
    """Words seen within the windows around the hits (words left, words right of each hit),
    ranked by logDice against their frequency in the matching reports."""
    left_counts: Counter = Counter()
    right_counts: Counter = Counter()
    for left, right in windows:
        left_counts.update(left)
        right_counts.update(right)
    rows = []
    for word in set(left_counts) | set(right_counts):
        count = left_counts[word] + right_counts[word]
        if count < min_count:
            continue
        frequency = max(frequencies.get(word, 0), count)
        rows.append(
            Collocate(
                word=word,
                count=count,
                left=left_counts[word],
                right=right_counts[word],
                frequency=frequency,
                log_dice=round(log_dice(count, node_count, frequency), 2),
            )
        )
    rows.sort(key=lambda row: (-row.log_dice, -row.count, row.word))
    return rows[:limit]
