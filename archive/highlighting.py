"""Render text with some spans wrapped in <mark>: everything escaped, only <mark> added.

Pure code, shared by the document page (tagged initiatives and search hits), the review screen and
search snippets. One sweep over the sorted span boundaries and paragraph breaks, so marking costs
O(n + s log s) for n characters and s spans however they overlap. (Testing every span against every
piece of every paragraph took 10 s for a 1 MiB one-line report and timed out at 5 MiB.)

Overlapping spans nest rather than merge, so each span is an element of its own and the first
element of each carries its id: every mention keeps its anchor (#m12) even where tagged passages
overlap. A span that ends inside one it did not enclose is closed and reopened around that end, and
every open span is closed at a paragraph break and reopened after it (without the id).

A span with a `label` (the initiative a passage belongs to) is focusable, the first element in tab
order and the rest by tap, and carries `data-label`: the labels of every labelled span covering it,
so a passage where two initiatives overlap names both. The stylesheet shows it on focus and hover.
"""

import heapq
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LABEL_SEPARATOR = " · "


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    attrs: dict = field(default_factory=dict, hash=False, compare=False)
    label: str = ""


class _Open:
    """A span whose element is open while the sweep passes through it."""

    __slots__ = ("end", "labels", "span")

    def __init__(self, end: int, span: Span, labels: tuple[str, ...]):
        self.end = end
        self.span = span
        self.labels = labels


def _labels(below: tuple[str, ...], span: Span) -> tuple[str, ...]:
    if not span.label or span.label in below:
        return below
    return (*below, span.label)


def _tag(span: Span, labels: tuple[str, ...], *, first: bool) -> str:
    attrs = span.attrs if first else {name: value for name, value in span.attrs.items() if name != "id"}
    html = "".join(f' {name}="{escape(value)}"' for name, value in attrs.items())
    if span.label:
        html += f' tabindex="{0 if first else -1}" data-label="{escape(LABEL_SEPARATOR.join(labels))}"'
    return f"<mark{html}>"


def mark_paragraphs(text: str, spans: list[Span], *, offset: int = 0, split: bool = True) -> list[SafeString]:
    """`text` escaped, one item per paragraph (`text.split("\\n")`, or the whole text when not
    `split`), with each span (offsets relative to `offset`) in a <mark> of its own.

    Where spans overlap, the longer one opens first and encloses the other; spans of the same
    extent nest in the order given (callers list the outer first)."""
    length = len(text)
    order = []
    for index, span in enumerate(spans):
        start, end = max(span.start - offset, 0), min(span.end - offset, length)
        if start < end:
            order.append((start, -end, index))
        elif "id" in span.attrs and 0 <= span.start - offset <= length:
            order.append((start, -start, index))  # empty, but still an anchor
    order.sort()

    paragraphs: list[SafeString] = []
    out: list[str] = []
    stack: list[_Open] = []  # open elements, outermost first
    ends: list[int] = []  # heap of the open spans' ends
    infinity = length + 1
    position = 0
    following = order.__iter__()
    upcoming = next(following, None)
    next_break = text.find("\n") if split else -1

    def reopen(entries):
        for entry in entries:
            entry.labels = _labels(stack[-1].labels if stack else (), entry.span)
            out.append(_tag(entry.span, entry.labels, first=False))
            stack.append(entry)

    while True:
        start = upcoming[0] if upcoming else infinity
        end = ends[0] if ends else infinity
        brk = next_break if next_break >= 0 else infinity
        point = min(start, end, brk)
        if point == infinity:
            break
        if point > position:
            out.append(escape(text[position:point]))
            position = point
        if end == point:
            ending = 0
            while ends and ends[0] == point:
                heapq.heappop(ends)
                ending += 1
            survivors = []
            while ending:
                entry = stack.pop()
                out.append("</mark>")
                if entry.end == point:
                    ending -= 1
                else:
                    survivors.append(entry)
            reopen(reversed(survivors))
        if brk == point:
            out.append("</mark>" * len(stack))
            paragraphs.append(mark_safe("".join(out)))
            out = []
            position = point + 1
            next_break = text.find("\n", position)
            survivors, stack[:] = list(stack), []
            reopen(survivors)
        while upcoming and upcoming[0] == point:
            span_start, negative_end, index = upcoming
            span = spans[index]
            labels = _labels(stack[-1].labels if stack else (), span)
            out.append(_tag(span, labels, first=True))
            if -negative_end == span_start:
                out.append("</mark>")
            else:
                stack.append(_Open(-negative_end, span, labels))
                heapq.heappush(ends, -negative_end)
            upcoming = next(following, None)
    out.append(escape(text[position:]))
    out.append("</mark>" * len(stack))
    paragraphs.append(mark_safe("".join(out)))
    return paragraphs


def mark_spans(text: str, spans: list[Span], *, offset: int = 0) -> SafeString:
    """`text` (one paragraph) escaped, with each span (offsets relative to `offset`) in a <mark>."""
    return mark_paragraphs(text, spans, offset=offset, split=False)[0]
