"""Render text with some spans wrapped in <mark>: everything escaped, only <mark> added.

Pure code, shared by the document page (tagged initiatives) and search snippets."""

from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    attrs: dict = field(default_factory=dict, hash=False, compare=False)


def mark_spans(text: str, spans: list[Span], *, offset: int = 0) -> SafeString:
    """`text` escaped, with each stretch covered by spans (offsets relative to `offset`) in a <mark>.

    Overlapping spans are flattened: a stretch covered by several spans is one <mark> carrying the
    attributes of the earliest span in `spans` that covers it (so callers list the preferred first)."""
    boundaries = {0, len(text)}
    local: list[tuple[int, int, Span]] = []
    for span in spans:
        start, end = max(span.start - offset, 0), min(span.end - offset, len(text))
        if start < end:
            local.append((start, end, span))
            boundaries.update((start, end))
    points = sorted(boundaries)
    pieces = []
    anchored: set[int] = set()
    for left, right in pairwise(points):
        covering = [span for start, end, span in local if start <= left and right <= end]
        chunk = escape(text[left:right])
        if covering:
            span = covering[0]
            attrs = dict(span.attrs)
            if "id" in attrs and id(span) in anchored:
                del attrs["id"]  # an id names the first piece of a span only
            anchored.add(id(span))
            attr_html = format_html_join("", ' {}="{}"', attrs.items())
            pieces.append(f"<mark{attr_html}>{chunk}</mark>")
        else:
            pieces.append(chunk)
    return mark_safe("".join(pieces))
