"""Marking query terms in original text: found in normalised text, marked in the text as written.

haystack's Whoosh highlighter re-analyses with a StemmingAnalyzer and returns nothing for Chinese
(RESEARCH.md #6); this one matches exactly what the search matched (a normalised substring), maps
it back to the original characters (so 營商環境 in a query marks 营商环境, and “放管服”改革 is marked
whole), marks longer terms first, escapes everything and adds only <mark>.

Work is bounded whatever the text: a page marks at most MAX_MARKS occurrences (a one-character
term in a 5 MiB report occurs hundreds of thousands of times), and snippets look only at the first
SNIPPET_SCAN_CHARS characters of a result, in chunks, stopping once every term has been found.
"""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from archive.highlighting import Span, mark_spans
from archive.text.normalise import normalise_with_offsets

SNIPPET_RADIUS = 40
MAX_SNIPPETS = 3
MAX_MARKS = 500
SNIPPET_SCAN_CHARS = 100_000
SNIPPET_CHUNK_CHARS = 1_000
# A match starting in one chunk is found whole when it is shorter than this in the original text
# (terms are at most 100 normalised characters; the rest is room for quotes and spaces inside).
_CHUNK_OVERLAP = 200


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str


@dataclass
class Matches:
    """The first occurrences of some terms in a text, in text order."""

    matches: list[Match] = field(default_factory=list)
    complete: bool = True  # False: some term occurs more often than was looked for

    def __len__(self):
        return len(self.matches)

    def __iter__(self):
        return iter(self.matches)


def find_matches(text: str, terms: list[str], *, limit: int | None = None) -> Matches:
    """Occurrences of each (normalised) term in `text`, as original offsets; longer terms win where
    occurrences overlap. With `limit`, at most the first `limit` of them in text order (each term
    stops being looked for after `limit` occurrences, so the scan is bounded too)."""
    normalised, positions = normalise_with_offsets(text)
    taken = bytearray(len(normalised))
    found: list[tuple[int, int, str]] = []
    complete = True
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        size, count = len(term), 0
        start = normalised.find(term)
        while start >= 0:
            end = start + size
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * size
                found.append((start, end, term))
                count += 1
                if limit is not None and count > limit:
                    complete = False
                    break
            start = normalised.find(term, start + 1)
    found.sort()
    if limit is not None and len(found) > limit:
        found, complete = found[:limit], False
    matches = [Match(int(positions[start]), int(positions[end - 1]) + 1, term) for start, end, term in found]
    return Matches(matches, complete)


def hit_spans(matches: list[Match], *, first_id: str | None = "hit1") -> list[Span]:
    """Each match as a span to mark; the first carries id=`first_id`."""
    return [
        Span(match.start, match.end, {"class": "hit", **({"id": first_id} if index == 0 and first_id else {})})
        for index, match in enumerate(matches)
    ]


def highlight_text(text: str, terms: list[str], *, first_id: str | None = None) -> SafeString:
    """`text` escaped with (the first MAX_MARKS) matches marked; the first mark gets id=`first_id`."""
    found = find_matches(text, terms, limit=MAX_MARKS)
    return mark_spans(text, hit_spans(found.matches, first_id=first_id))


@dataclass
class Snippets:
    html: list[str]
    complete: bool = True  # False: the text is longer than was scanned and a term was not found


def _scan(text: str, terms: list[str], *, budget: int) -> tuple[list[Match], bool]:
    """Matches in the first `budget` characters of `text`, chunk by chunk, until every term has
    been found at least once."""
    wanted = {t for t in terms if t}
    matches: list[Match] = []
    seen: set[str] = set()
    stop = min(len(text), budget)
    offset = 0
    while offset < stop and seen != wanted:
        end = min(offset + SNIPPET_CHUNK_CHARS, stop)
        chunk = text[offset : min(end + _CHUNK_OVERLAP, len(text))]
        for match in find_matches(chunk, terms, limit=MAX_MARKS).matches:
            if match.start < end - offset:  # the next chunk finds the rest
                matches.append(Match(match.start + offset, match.end + offset, match.term))
                seen.add(match.term)
        offset = end
    return matches, seen == wanted or stop == len(text)


def snippets(
    text: str,
    terms: list[str],
    *,
    radius: int = SNIPPET_RADIUS,
    limit: int = MAX_SNIPPETS,
    budget: int = SNIPPET_SCAN_CHARS,
) -> Snippets:
    """Short passages around the matches, each escaped with its matches marked.

    Each term gets a snippet before any term gets a second, so a multi-term query shows all its
    terms; passages never cross a paragraph break. Only the first `budget` characters are read."""
    matches, complete = _scan(text, terms, budget=budget)
    chosen: list[Match] = []
    for term in sorted({m.term for m in matches}, key=len, reverse=True):
        chosen.append(next(m for m in matches if m.term == term))
    firsts = set(chosen)
    chosen += [m for m in matches if m not in firsts]

    windows: list[tuple[int, int]] = []
    for match in chosen:
        if len(windows) >= limit:
            break
        if any(start <= match.start and match.end <= end for start, end in windows):
            continue
        start = max(text.rfind("\n", max(match.start - radius, 0), match.start) + 1, match.start - radius)
        paragraph_end = text.find("\n", match.end, match.end + radius)
        end = min(match.end + radius if paragraph_end < 0 else paragraph_end, len(text))
        windows.append((start, end))

    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))

    result = []
    for start, end in merged:
        inside = [Span(m.start, m.end) for m in matches if m.start < end and m.end > start]
        marked = mark_spans(text[start:end], inside, offset=start)
        prefix = "…" if start > 0 and text[start - 1] != "\n" else ""
        suffix = "…" if end < len(text) and text[end] != "\n" else ""
        result.append(SafeString(f"{prefix}{marked}{suffix}"))
    return Snippets(result, complete)
