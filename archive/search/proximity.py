"""Proximity and scope: 同句 (/s), 同段 (/p), NEAR/n and title-only terms, checked on a report's text.

Engines find the reports containing every term (an AND both engines do exactly); whether two terms
meet in one sentence, one paragraph or within n characters, and whether a term is in the title, is
decided here, on the text as written, the same way whichever engine found the candidates. Pure
text code: no ORM.

Units, over `title\\n body` (the text the index holds, before normalisation):
- a paragraph is a line (the title is a paragraph of its own): what the report page numbers #pN
  and what snippets and concordance lines never cross;
- a sentence ends after 。！？；!?; or at a line break;
- NEAR/n: at most n characters between the two terms (either order, n ≥ 1), counted in the
  normalised text, where spaces, quotes, brackets and 、 are not characters and a line break is
  not one either (so NEAR may cross a paragraph; /p may not).

An occurrence that runs across a unit's edge (a term matched through a line break, which
normalisation removes) belongs to no sentence or paragraph.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from archive.highlighting import Span, mark_spans
from archive.search.highlight import find_matches
from archive.text.normalise import normalise, normalise_with_offsets

SENTENCE = "sentence"
PARAGRAPH = "paragraph"
NEAR = "near"
MAX_NEAR = 500  # characters: beyond a few sentences /p says it better, and the check stays cheap
# Occurrences looked at per term and report: a one-character term occurs thousands of times in a
# long report; the first ones decide nearly every match and the work stays bounded.
MAX_OCCURRENCES = 5_000
MAX_PAIR_CHARS = 240  # a longer stretch between the two terms is shown as its two ends

_SENTENCE_ENDS = "。！？；!?;\n"
_SENTENCE_CODES = np.array([ord(ch) for ch in _SENTENCE_ENDS], dtype=np.uint32)
_NEAR = re.compile(r"near(?:/(.*))?", re.IGNORECASE)
# /s, /p and NEAR/n written without spaces between Chinese terms: 河长制/s检察
_GLUED = re.compile(r"(?<=[^\x00-\x7f])(/[sp]|near/[0-9]+)(?=[^\x00-\x7f])", re.IGNORECASE)
_TITLE_PREFIXES = ("title:", "标题:", "標題:")


class OperatorError(ValueError):
    """A proximity operator written so that it means nothing (the message is for readers)."""


@dataclass(frozen=True)
class Operator:
    unit: str
    distance: int = 0
    spelled_in_chinese: bool = False

    def __str__(self) -> str:
        return {SENTENCE: "/s", PARAGRAPH: "/p"}.get(self.unit) or f"NEAR/{self.distance}"


def _folded(token: str) -> str:
    return unicodedata.normalize("NFKC", token)


def operator_of(token: str, *, errors: list[str]) -> Operator | None:
    """The operator a token spells (full-width forms too: ／ｓ, ＮＥＡＲ／１０), or None for a term.
    A malformed NEAR (NEAR/0, NEAR/abc, NEAR/100000, a bare NEAR) appends a message to `errors`
    and returns a NEAR of distance 0, which checks nothing, so parsing goes on and reports
    every mistake at once."""
    folded = _folded(token)
    lowered = folded.lower()
    if lowered == "/s":
        return Operator(SENTENCE)
    if lowered == "/p":
        return Operator(PARAGRAPH)
    if folded in {"同句"}:
        return Operator(SENTENCE, spelled_in_chinese=True)
    if folded in {"同段"}:
        return Operator(PARAGRAPH, spelled_in_chinese=True)
    near = _NEAR.fullmatch(folded)
    if near is None or (near.group(1) is None and folded != "NEAR"):
        return None  # "near" in lower case alone is a word, like "or"
    distance = near.group(1)
    if distance is None or not distance.isascii() or not distance.isdigit():
        errors.append(_("“%(typed)s”：NEAR 后面要写距离（字数），如 河长制 NEAR/10 检察。") % {"typed": token})
        return Operator(NEAR, 0)
    if not 1 <= int(distance) <= MAX_NEAR:
        errors.append(_("“%(typed)s”：NEAR 的距离应为 1 至 %(max)s 个字。") % {"typed": token, "max": MAX_NEAR})
        return Operator(NEAR, 0)
    return Operator(NEAR, int(distance))


def split_glued(token: str) -> list[str]:
    """河长制/s检察 → [河长制, /s, 检察]: ASCII operators written between Chinese characters."""
    folded = _folded(token)
    if not _GLUED.search(folded):
        return [token]
    return [piece for piece in _GLUED.split(folded) if piece]


def title_prefix(token: str) -> tuple[str, bool]:
    """(the term, True) for title:河长制 or 标题：河长制; (token, False) otherwise."""
    folded = _folded(token)
    for prefix in _TITLE_PREFIXES:
        if folded.lower().startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix) :], True
    return token, False


@dataclass(frozen=True)
class Proximity:
    """Two positive terms (each standing for its clause: its OR branches and aliases) that must
    meet in one sentence, one paragraph, or within `distance` characters."""

    left: str  # normalised term texts
    right: str
    unit: str
    distance: int = 0

    def describe(self) -> str:
        return f"{self.left} {Operator(self.unit, self.distance)} {self.right}"


# --- checking one report -----------------------------------------------------------------------


class Layout:
    """A report's `title\\n body` normalised once, with the sentence and paragraph of each
    normalised character, for any number of checks."""

    def __init__(self, text: str):
        self.normalised, self.positions = normalise_with_offsets(text)
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        line_breaks = np.flatnonzero(codes == 10)
        sentence_ends = np.flatnonzero(np.isin(codes, _SENTENCE_CODES))
        # The unit of a character is how many unit ends come before it: a 。 belongs to the
        # sentence it ends.
        self.paragraph = np.searchsorted(line_breaks, self.positions, side="left")
        self.sentence = np.searchsorted(sentence_ends, self.positions, side="left")
        self._starts: dict[str, np.ndarray] = {}

    def starts(self, term: str) -> np.ndarray:
        """Start offsets (normalised) of the first MAX_OCCURRENCES occurrences of `term`."""
        if term not in self._starts:
            found, start = [], self.normalised.find(term)
            while start >= 0 and len(found) < MAX_OCCURRENCES:
                found.append(start)
                start = self.normalised.find(term, start + 1)
            self._starts[term] = np.array(found, dtype=np.int64)
        return self._starts[term]

    def _unit_ids(self, unit: str) -> np.ndarray:
        return self.sentence if unit == SENTENCE else self.paragraph

    def units(self, term: str, unit: str) -> np.ndarray:
        """The sentences or paragraphs holding a whole occurrence of `term`."""
        starts = self.starts(term)
        if not len(starts):
            return starts
        ids = self._unit_ids(unit)
        first, last = ids[starts], ids[starts + len(term) - 1]
        return np.unique(first[first == last])

    def meeting(self, lefts: list[str], rights: list[str], unit: str, distance: int = 0) -> tuple[int, int] | None:
        """The normalised (start, end) of the first place where a left and a right term meet: the
        stretch from the one to the other (in the first sentence or paragraph holding both)."""
        places = [self._meeting(left, right, unit, distance) for left in lefts for right in rights]
        places = [place for place in places if place is not None]
        return min(places) if places else None

    def _meeting(self, left: str, right: str, unit: str, distance: int) -> tuple[int, int] | None:
        a, b = self.starts(left), self.starts(right)
        if not len(a) or not len(b):
            return None
        if unit != NEAR:
            common = np.intersect1d(self.units(left, unit), self.units(right, unit), assume_unique=True)
            if not len(common):
                return None
            ids = self._unit_ids(unit)
            first_a = a[(ids[a] == common[0]) & (ids[a + len(left) - 1] == common[0])][0]
            first_b = b[(ids[b] == common[0]) & (ids[b + len(right) - 1] == common[0])][0]
            return int(min(first_a, first_b)), int(max(first_a + len(left), first_b + len(right)))
        # Every occurrence of one term has the same length, so the right occurrences nearest to a
        # left one are the first starting at or after it and the last starting before it.
        # A negative gap is an overlap.
        far = MAX_NEAR + 1 + len(self.normalised)
        nearest = np.searchsorted(b, a, side="left")
        after = np.full(len(a), far)
        has = nearest < len(b)
        after[has] = b[nearest[has]] - (a[has] + len(left))
        before = np.full(len(a), far)
        has = nearest > 0
        before[has] = a[has] - (b[nearest[has] - 1] + len(right))
        close = np.flatnonzero((after <= distance) | (before <= distance))
        if not len(close):
            return None
        i = close[0]
        other = b[nearest[i]] if after[i] <= distance else b[nearest[i] - 1]
        return int(min(a[i], other)), int(max(a[i] + len(left), other + len(right)))

    def original(self, span: tuple[int, int]) -> tuple[int, int]:
        """A normalised span as offsets in the text as written."""
        return int(self.positions[span[0]]), int(self.positions[span[1] - 1]) + 1


@dataclass
class Check:
    """What a query asks of a report beyond containing its terms, resolved for checking:
    clauses of (term, title only) that must each have one term found where it is looked for,
    exclusions looked for in titles, and proximities with the alternatives of their sides.
    With `title_scope` the proximities are looked for in the title too."""

    clauses: list[list[tuple[str, bool]]]
    title_exclusions: list[str]
    proximities: list[tuple[list[str], list[str], str, int]]
    title_scope: bool = False

    @property
    def needs_body(self) -> bool:
        if self.proximities and not self.title_scope:
            return True
        return any(any(only for _t, only in clause) and not all(only for _t, only in clause) for clause in self.clauses)

    def _proximities_hold(self, layout: Layout) -> bool:
        return all(layout.meeting(lefts, rights, unit, distance) for lefts, rights, unit, distance in self.proximities)

    def title_matches(self, title: str) -> bool | None:
        """True or False when the title alone decides; None when the text must be read too."""
        normalised_title = normalise(title)
        if any(term in normalised_title for term in self.title_exclusions):
            return False
        undecided = bool(self.proximities) and not self.title_scope
        for clause in self.clauses:
            in_title = [term for term, only in clause if only]
            if not in_title or any(term in normalised_title for term in in_title):
                continue  # the engine found one of its terms in the text, or the title has one
            if len(in_title) < len(clause):
                undecided = True  # an OR branch searched in the whole text may hold it
                continue
            return False
        if undecided:
            return None
        return self._proximities_hold(Layout(title)) if self.proximities else True

    def matches(self, title: str, body: str) -> bool:
        decided = self.title_matches(title)
        if decided is not None:
            return decided
        layout = Layout(f"{title}\n{body}")
        normalised_title = normalise(title)
        for clause in self.clauses:
            if not any((term in normalised_title) if only else (term in layout.normalised) for term, only in clause):
                return False
        return self._proximities_hold(layout)

    def meetings(self, text: str) -> list[tuple[int, int]]:
        """For each proximity, the first place its terms meet in `text` (offsets as written)."""
        layout = Layout(text)
        places = (layout.meeting(lefts, rights, unit, distance) for lefts, rights, unit, distance in self.proximities)
        return [layout.original(place) for place in places if place is not None]


def check_for(query) -> Check | None:
    """The check a ParsedQuery needs after retrieval, or None when the engine's AND decides alone.
    Each side of a proximity stands for every term of the clause holding it (its OR branches and
    the aliases added to it), so 河长制 /s 检察 also accepts 河湖长制 in that sentence."""
    title_scope = query.scope == "title"
    clauses = [[(term.text, title_scope or term.title) for term in clause] for clause in query.clauses]
    title_exclusions = [term.text for term in query.excluded if title_scope or term.title]

    def side(text: str) -> list[str]:
        alternatives = [term.text for clause in query.clauses if any(t.text == text for t in clause) for term in clause]
        return list(dict.fromkeys(alternatives)) or [text]

    proximities = [
        (side(p.left), side(p.right), p.unit, p.distance) for p in query.proximities if p.distance or p.unit != NEAR
    ]
    if not proximities and not title_exclusions and not any(only for clause in clauses for _t, only in clause):
        return None
    return Check(clauses, title_exclusions, proximities, title_scope)


def pair_snippet(text: str, span: tuple[int, int], terms: list[str], *, radius: int = 40) -> SafeString:
    """The passage where a proximity's terms meet (`span`, offsets in `text`), with its terms
    marked: `radius` characters around it inside its paragraph; a stretch longer than
    MAX_PAIR_CHARS shows its two ends."""
    start, end = span
    paragraph_start = text.rfind("\n", 0, start) + 1
    paragraph_end = text.find("\n", end)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    windows = [(max(paragraph_start, start - radius), min(paragraph_end, end + radius))]
    if end - start > MAX_PAIR_CHARS:
        windows = [(windows[0][0], start + radius), (end - radius, windows[0][1])]
    pieces = []
    for window_start, window_end in windows:
        piece = text[window_start:window_end]
        marks = [Span(m.start + window_start, m.end + window_start) for m in find_matches(piece, terms).matches]
        pieces.append(mark_spans(piece, marks, offset=window_start))
    prefix = "…" if windows[0][0] > paragraph_start else ""
    suffix = "…" if windows[-1][1] < paragraph_end else ""
    return SafeString(prefix + "…".join(pieces) + suffix)


_TAGS = re.compile(r"<[^>]+>")


def overlapping(snippet: str, other: str, *, shared: int = 16) -> bool:
    """Whether two snippets (HTML) show the same passage: they share `shared` characters of text."""
    first = html.unescape(_TAGS.sub("", snippet)).strip("…")
    second = html.unescape(_TAGS.sub("", other))
    if len(first) <= shared:
        return first in second
    return any(first[i : i + shared] in second for i in range(len(first) - shared + 1))
