"""Marking query terms in original text: found in normalised text, marked in the text as written.

haystack's Whoosh highlighter re-analyses with a StemmingAnalyzer and returns nothing for Chinese
(RESEARCH.md #6); this one matches exactly what the search matched (a normalised substring), maps
it back to the original characters (so 營商環境 in a query marks 营商环境, and “放管服”改革 is marked
whole), marks longer terms first, escapes everything and adds only <mark>.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString

from archive.highlighting import Span, mark_spans
from archive.search.normalise import normalise_with_positions

SNIPPET_RADIUS = 40
MAX_SNIPPETS = 3


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str


def find_matches(text: str, terms: list[str]) -> list[Match]:
    """Every occurrence of each (normalised) term in `text`, as original offsets; longer terms win
    where occurrences overlap."""
    normalised, positions = normalise_with_positions(text)
    taken = bytearray(len(normalised))
    matches: list[Match] = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        start = normalised.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * len(term)
                matches.append(Match(positions[start], positions[end - 1] + 1, term))
            start = normalised.find(term, start + 1)
    return sorted(matches, key=lambda match: match.start)


def hit_spans(text: str, terms: list[str], *, first_id: str | None = "hit1") -> list[Span]:
    """Every match of the terms in `text` as a span to mark; the first carries id=`first_id`."""
    return [
        Span(match.start, match.end, {"class": "hit", **({"id": first_id} if index == 0 and first_id else {})})
        for index, match in enumerate(find_matches(text, terms))
    ]


def highlight_text(text: str, terms: list[str], *, first_id: str | None = None) -> SafeString:
    """`text` escaped with every match marked; the first mark gets id=`first_id`."""
    return mark_spans(text, hit_spans(text, terms, first_id=first_id))


def snippets(text: str, terms: list[str], *, radius: int = SNIPPET_RADIUS, limit: int = MAX_SNIPPETS) -> list[str]:
    """Short passages around the matches, each escaped with its matches marked.

    Each term gets a snippet before any term gets a second, so a multi-term query shows all its
    terms; passages never cross a paragraph break."""
    matches = find_matches(text, terms)
    chosen: list[Match] = []
    for term in sorted({m.term for m in matches}, key=len, reverse=True):
        chosen.append(next(m for m in matches if m.term == term))
    chosen += [m for m in matches if m not in chosen]

    windows: list[tuple[int, int]] = []
    for match in chosen:
        if any(start <= match.start and match.end <= end for start, end in windows):
            continue
        if len(windows) >= limit:
            break
        start = max(text.rfind("\n", 0, match.start) + 1, match.start - radius)
        paragraph_end = text.find("\n", match.end)
        end = min(len(text) if paragraph_end < 0 else paragraph_end, match.end + radius)
        windows.append((start, end))

    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))

    spans = [Span(m.start, m.end) for m in matches]
    result = []
    for start, end in merged:
        marked = mark_spans(text[start:end], spans, offset=start)
        prefix = "…" if start > 0 and text[start - 1] != "\n" else ""
        suffix = "…" if end < len(text) and text[end] != "\n" else ""
        result.append(SafeString(f"{prefix}{marked}{suffix}"))
    return result
