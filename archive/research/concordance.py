"""The concordance (keyword in context) and its collocates: reads for the page, the API and the CSV.

The reports are those the search finds for the same query and filters; the lines are every
occurrence of the query's terms in their titles and texts after normalisation, so `count` is what
grep finds. Only the lines of the page asked for are cut out of the texts as written, so the first
page of a common term over a large archive costs one pass of `bytes.count`-like work per report.
"""

import functools
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.dataset.cells import cell_neutralise
from archive.models import Document
from archive.pagination import PageNumbers
from archive.research.kwic import Collocate, Line, collocates, count_occurrences, lines_in, term_pattern
from archive.search import (
    FILTER_FIELDS,
    ParsedQuery,
    SearchForm,
    SearchUnavailable,
    evaluate,
    normalised_texts,
    occurrence_counts,
    parse_query,
    search_query,
    word_frequencies,
)
from archive.text.words import words_of

SORTS = {
    "report": gettext_lazy("报告"),
    "left": gettext_lazy("左侧语境"),
    "right": gettext_lazy("右侧语境"),
    "city": gettext_lazy("城市"),
    "year": gettext_lazy("年份"),
}
DEFAULT_WIDTH = 20
MAX_PAGE_SIZE = 200
# Sorting by context needs every line cut out of its text; beyond this many lines the page says so
# and keeps the report order rather than making one request do unbounded work.
MAX_CONTEXT_SORTED = 20_000
MAX_REPORTS = 100_000
COLLOCATE_WINDOW = 10
_CHUNK = 5_000  # ids per SQL query (SQLite allows 32,766 parameters)


class ConcordanceForm(SearchForm):
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))
    width = forms.IntegerField(required=False, min_value=5, max_value=100)
    window = forms.IntegerField(required=False, min_value=1, max_value=30)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


@dataclass
class ConcordanceLine:
    document: Document
    line: Line

    @property
    def url(self) -> str:
        anchor = f"#p{self.line.paragraph}" if self.line.paragraph else ""
        return f"{self.document.get_absolute_url()}{anchor}"


@dataclass
class Concordance(PageNumbers):
    query: ParsedQuery
    params: dict
    count: int = 0  # every occurrence in the matching reports
    reports: int = 0  # matching reports
    reports_with_lines: int = 0
    page: int = 1
    page_size: int = 50
    sort: str = "report"
    width: int = DEFAULT_WIDTH
    lines: list[ConcordanceLine] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    unavailable: str = ""

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.page_size + 1


def _matching(params: dict) -> tuple[list[int], list[str]]:
    """The reports the search finds for the whole query (q, within, scope, proximity operators),
    and what its budget cut. The lines are of q's terms only: `within`, the scope and the
    operators choose the reports."""
    filters = {index_field: params.get(name) or [] for name, index_field in FILTER_FIELDS.items()}
    query = search_query(params, aliases=False)
    found = evaluate(query, filters=filters, sort="date_asc", limit=MAX_REPORTS, facet_fields=())
    return [hit.document_id for hit in found.hits], found.notices


def _report_order(document_ids: list[int], sort: str) -> list[int]:
    """The reports' ids in the order their lines are listed. By report it is their ids, read from
    nothing; by city or year, three columns per report, not model instances (10,000 of those
    took most of a concordance's time)."""
    if sort not in ("city", "year"):
        return sorted(document_ids)
    rows = []
    for start in range(0, len(document_ids), _CHUNK):
        chunk = document_ids[start : start + _CHUNK]
        rows += Document.objects.filter(pk__in=chunk).values_list("pk", "city__name", "year_start")
    if sort == "city":
        rows.sort(key=lambda row: (row[1], row[2] or 0, row[0]))
    else:
        rows.sort(key=lambda row: (row[2] or 9999, row[1], row[0]))
    return [row[0] for row in rows]


def _documents(document_ids: list[int]) -> list[Document]:
    """These reports (with their city), in this order."""
    found = Document.objects.with_city().only("id", "title", "year_start", "city").in_bulk(document_ids)
    return [found[pk] for pk in document_ids if pk in found]


def _lines_of(documents: list[Document], pattern: re.Pattern, width: int) -> list[ConcordanceLine]:
    texts = Document.objects.filter(pk__in=[d.pk for d in documents]).values_list("pk", "title", "body")
    by_id = {pk: (title, body) for pk, title, body in texts}
    lines = []
    for document in documents:
        title, body = by_id.get(document.pk, ("", ""))
        lines.extend(ConcordanceLine(document, line) for line in lines_in(title, body, pattern, width=width))
    return lines


def concordance(params: dict) -> Concordance:
    """Run a validated concordance (params = ConcordanceForm.cleaned_data)."""
    started = time.perf_counter()
    query = parse_query(params.get("q"))
    result = Concordance(
        query=query,
        params=params,
        page=params.get("page") or 1,
        page_size=params.get("page_size") or 50,
        sort=params.get("sort") or "report",
        width=params.get("width") or DEFAULT_WIDTH,
        notices=list(query.notices),
    )
    terms = [term.text for term in query.terms]
    if not terms:
        return result
    try:
        document_ids, cut = _matching(params)
        result.notices += [notice for notice in cut if notice not in result.notices]
        pattern = term_pattern(terms)
        counter = functools.partial(count_occurrences, pattern=pattern)
        per_document = occurrence_counts(pattern.pattern, counter, document_ids)
    except SearchUnavailable as error:
        result.unavailable = str(error)
        return result
    result.reports = len(document_ids)
    result.count = sum(per_document.values())
    result.reports_with_lines = sum(1 for n in per_document.values() if n)

    ordered = [pk for pk in _report_order(document_ids, result.sort) if per_document.get(pk)]
    offset = (result.page - 1) * result.page_size
    if result.sort in ("left", "right") and result.count > MAX_CONTEXT_SORTED:
        result.notices.append(
            _("共 %(count)s 处，超过 %(limit)s 处时不按语境排序，按报告排列；可加筛选条件缩小范围。")
            % {"count": result.count, "limit": MAX_CONTEXT_SORTED}
        )
        result.sort = "report"
    if result.sort in ("left", "right"):
        lines = _lines_of(_documents(ordered), pattern, result.width)
        if result.sort == "left":
            lines.sort(key=lambda row: (row.line.left[::-1], row.line.right, row.document.pk, row.line.start))
        else:
            lines.sort(key=lambda row: (row.line.right, row.line.left[::-1], row.document.pk, row.line.start))
        result.lines = lines[offset : offset + result.page_size]
    else:
        # Walk the reports in order, counting, and cut lines only out of those the page shows.
        seen = 0
        page_ids = []
        skip = 0
        for pk in ordered:
            count = per_document[pk]
            if seen + count > offset and seen < offset + result.page_size:
                if not page_ids:
                    skip = offset - seen
                page_ids.append(pk)
            seen += count
            if seen >= offset + result.page_size:
                break
        lines = _lines_of(_documents(page_ids), pattern, result.width)
        result.lines = lines[skip : skip + result.page_size]
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


@dataclass
class Collocates:
    concordance: Concordance
    window: int
    rows: list[Collocate] = field(default_factory=list)


def _is_word(word: str) -> bool:
    # Two or more characters, at least one a letter: single characters are mostly function words
    # (的, 和, 在) and punctuation, which would crowd out what a researcher is looking for.
    return len(word) >= 2 and any(ch.isalpha() for ch in word)


def concordance_collocates(params: dict, *, limit: int = 50) -> Collocates:
    """Words within ±window characters of every occurrence, ranked by logDice against their
    frequency in the matching reports."""
    window = params.get("window") or COLLOCATE_WINDOW
    found = concordance({**params, "page": 1, "page_size": 1, "sort": "report"})
    result = Collocates(found, window)
    terms = [term.text for term in found.query.terms]
    if not terms or found.unavailable or not found.count:
        return result
    document_ids, _cut = _matching(params)
    texts = normalised_texts(document_ids)
    pattern = term_pattern(terms)
    windows = []
    for text in texts.values():
        normalised = text.decode("utf-8")
        for match in pattern.finditer(normalised):
            left = normalised[max(0, match.start() - window) : match.start()]
            right = normalised[match.end() : match.end() + window]
            windows.append(
                (
                    [w for w in words_of(left) if _is_word(w) and w not in terms],
                    [w for w in words_of(right) if _is_word(w) and w not in terms],
                )
            )
    seen = Counter(word for left, right in windows for word in left + right)
    frequencies = word_frequencies(sorted(seen), document_ids)
    result.rows = collocates(windows, Counter(frequencies), node_count=found.count, limit=limit)
    return result


CSV_HEADER = ["report_id", "title", "city", "year", "paragraph", "left", "match", "right", "url"]


def csv_rows(params: dict, *, base_url: str, generated):
    """Every line of the concordance, report by report (memory bounded by one report), after two
    rows that stamp the query and the date, so a file says what it is a concordance of."""
    query = parse_query(params.get("q"))
    yield [
        cell_neutralise("# query"),
        cell_neutralise(params.get("q") or ""),
        *(
            cell_neutralise(f"{name}={','.join(map(str, params.get(name) or []))}")
            for name in FILTER_FIELDS
            if params.get(name)
        ),
    ]
    yield ["# generated", generated.isoformat(timespec="seconds")]
    yield CSV_HEADER
    terms = [term.text for term in query.terms]
    if not terms:
        return
    pattern = term_pattern(terms)
    width = params.get("width") or DEFAULT_WIDTH
    ordered = _report_order(_matching(params)[0], params.get("sort") or "report")
    for start in range(0, len(ordered), _CHUNK):
        for document in _documents(ordered[start : start + _CHUNK]):
            for row in _lines_of([document], pattern, width):
                yield [
                    document.pk,
                    cell_neutralise(document.display_title),
                    cell_neutralise(document.city.name),
                    document.year_start or "",
                    row.line.paragraph,
                    cell_neutralise(row.line.left),
                    cell_neutralise(row.line.match),
                    cell_neutralise(row.line.right),
                    base_url + row.url,
                ]
