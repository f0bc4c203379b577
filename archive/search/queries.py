"""Reading what a researcher typed into a search box. Never raises on user input.

Terms are separated by spaces (ASCII or full-width) and must all occur, each as an exact substring
of the normalised text. "Quoted phrases" (ASCII or Chinese quotes) are one term, spaces and all.
`A OR B` (also `|`) accepts either; `NOT A` or `-A` excludes; `AND`, `&&`, `*` and `?` are
accepted and mean nothing more than the default. `A /s B` (同句), `A /p B` (同段) and `A NEAR/n B`
ask for two terms in one sentence, one paragraph or within n characters; `title:A` (标题:A) looks
for a term in titles only (archive/search/proximity.py checks both). Everything else is text to find.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from archive.search.proximity import NEAR, Proximity, operator_of, split_glued, title_prefix
from archive.text.normalise import normalise
from archive.text.words import words_of

MAX_QUERY_CHARS = 500
MAX_TERMS = 12  # clauses that must all match
MAX_ALTERNATIVES = 24  # positive terms in all, OR branches included: each is a set to compute
MAX_EXCLUDED = 6
MAX_TERM_CHARS = 100

_SPACE = re.compile(r"[\s\u3000]+")
_WILDCARDS = re.compile(r"[*?＊？]")


@dataclass(frozen=True)
class Term:
    text: str  # normalised
    title: bool = False  # title:A, looked for in titles only
    # Added by alias expansion, not typed: reports found only through aliases rank after the rest.
    alias: bool = field(default=False, compare=False)

    @property
    def words(self) -> list[str]:
        return words_of(self.text)


@dataclass
class ParsedQuery:
    clauses: list[list[Term]] = field(default_factory=list)  # all clauses must match; any term of one
    excluded: list[Term] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    proximities: list[Proximity] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # operators that mean nothing: a 400, not a guess
    scope: str = "all"  # "title": every term is looked for in titles only

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.excluded

    @property
    def terms(self) -> list[Term]:
        """Every positive term, longest first (the order highlighting needs)."""
        unique = {term.text: term for clause in self.clauses for term in clause}
        return sorted(unique.values(), key=lambda term: -len(term.text))


_OPENING = {'"': '"', "“": "”", "「": "」", "『": "』", "‘": "’", "'": "'"}


def _tokens(text: str) -> list[str]:
    """Split on spaces outside quotes. Quote marks stay in the token (normalisation drops them), so
    “放管服”改革 is one term; an unclosed quote groups nothing."""
    tokens: list[str] = []
    current: list[str] = []
    closing = None
    for index, ch in enumerate(text):
        if closing is not None:
            closing = None if ch == closing else closing
            current.append(ch)
        elif ch in _OPENING and _OPENING[ch] in text[index + 1 :]:
            closing = _OPENING[ch]
            current.append(ch)
        elif _SPACE.match(ch):
            tokens.append("".join(current))
            current = []
        else:
            current.append(ch)
    tokens.append("".join(current))
    return [token for token in tokens if token]


def parse_query(raw: str | None) -> ParsedQuery:
    query = ParsedQuery()
    text = "".join(ch for ch in (raw or "") if ch.isprintable() or ch in " \u3000\t")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        query.notices.append(_("查询过长，只使用了前 %(count)s 个字符。") % {"count": MAX_QUERY_CHARS})

    pending_or = False
    negate_next = False
    pending_operator = None  # (operator, its left term) until the term on its right comes
    previous_positive = None  # the last term, when it was a positive one
    tokens = [piece for token in _tokens(text) for piece in split_glued(token)]
    for index, token in enumerate(tokens):
        upper = token.upper()
        if upper in {"AND", "&&", "&", "+"}:
            continue
        if upper in {"OR", "|", "||"}:
            pending_or = bool(query.clauses)
            previous_positive = None
            continue
        if upper == "NOT":
            negate_next = True
            continue
        operator = operator_of(token, errors=query.errors)
        if operator is not None and operator.spelled_in_chinese:
            # 同句/同段 are operators only between two terms; anywhere else they are words to find.
            is_between = previous_positive is not None and index + 1 < len(tokens) and pending_operator is None
            operator = operator if is_between and not negate_next else None
        if operator is not None:
            if previous_positive is None or pending_operator is not None or negate_next:
                query.errors.append(_operator_sides_error(operator))
                pending_operator = None
            else:
                pending_operator = (operator, previous_positive)
            previous_positive = None
            negate_next = False
            continue
        negate = negate_next or (token.startswith("-") and len(token) > 1)
        negate_next = False
        if token.startswith("-") and len(token) > 1:
            token = token[1:]
        token, title_only = title_prefix(token)
        normalised = normalise(_WILDCARDS.sub("", token))
        if not normalised:
            continue
        if len(normalised) > MAX_TERM_CHARS:
            normalised = normalised[:MAX_TERM_CHARS]
            query.notices.append(_("单个检索词最长 %(count)s 字，超出部分已忽略。") % {"count": MAX_TERM_CHARS})
        term = Term(normalised, title=title_only)
        if negate:
            query.excluded.append(term)
            if pending_operator is not None:
                query.errors.append(_operator_sides_error(pending_operator[0]))
                pending_operator = None
            previous_positive = None
        elif pending_or:
            query.clauses[-1].append(term)
            previous_positive = term.text
        else:
            query.clauses.append([term])
            previous_positive = term.text
        if pending_operator is not None and not negate:
            operator, left = pending_operator
            if operator.unit != NEAR or operator.distance:
                query.proximities.append(Proximity(left, term.text, operator.unit, operator.distance))
            pending_operator = None
        pending_or = False
    if pending_operator is not None:
        query.errors.append(_operator_sides_error(pending_operator[0]))

    if len(query.clauses) > MAX_TERMS:
        query.clauses = query.clauses[:MAX_TERMS]
        query.notices.append(_("最多同时使用 %(count)s 个检索词，其余已忽略。") % {"count": MAX_TERMS})
    _limit_alternatives(query)
    if len(query.excluded) > MAX_EXCLUDED:
        query.excluded = query.excluded[:MAX_EXCLUDED]
        query.notices.append(_("最多排除 %(count)s 个检索词，其余已忽略。") % {"count": MAX_EXCLUDED})
    return query


def _operator_sides_error(operator) -> str:
    example = f"河长制 {operator} 检察"
    return _("“%(operator)s”的左右两边各要有一个检索词（不能是排除的词），如：%(example)s") % {
        "operator": operator,
        "example": example,
    }


def _limit_alternatives(query: ParsedQuery) -> None:
    """At most MAX_ALTERNATIVES positive terms: an OR-heavy query costs a set per branch, and took
    15.6 s before there was a limit. Every clause keeps its first term; later OR branches go first."""
    if sum(len(clause) for clause in query.clauses) <= MAX_ALTERNATIVES:
        return
    left = MAX_ALTERNATIVES - len(query.clauses)  # MAX_TERMS < MAX_ALTERNATIVES
    kept = []
    for clause in query.clauses:
        extra = min(len(clause) - 1, left)
        kept.append(clause[: 1 + extra])
        left -= extra
    query.clauses = kept
    notice = _("一次检索最多 %(count)s 个检索词（含 OR 的各项），其余已忽略。")
    query.notices.append(notice % {"count": MAX_ALTERNATIVES})
