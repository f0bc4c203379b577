"""Term trends: how often terms occur by year, province or city, normalised by the size of the
text there (a rate per 10,000 characters), for the page, the API and the CSV.

The corpus is every report the search filters select; hits are counted as the concordance counts
them (normalised text, what grep finds), so a term's points add up to its concordance count.

A report that spans years (株洲's 2012–2022 retrospective) counts once: each sentence goes to the
year it names where it names exactly one inside the report's span (its dated statements, which
curators may correct), and otherwise to the report's last year. Its characters are shared out the
same way, so the rate's numerator and denominator agree.
"""

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.models import DatedEvent, Document
from archive.research.kwic import count_occurrences, lines_in, term_pattern
from archive.search import FILTER_FIELDS, ParsedQuery, SearchForm, SearchUnavailable, evaluate, normalised_texts
from archive.text.normalise import normalise

BY = {"year": gettext_lazy("年份"), "province": gettext_lazy("省份"), "city": gettext_lazy("城市")}
MAX_TERMS = 8
MAX_REPORTS = 100_000
RATE_PER = 10_000
_TERM_SEPARATORS = re.compile(r"[,，、;；]+")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?|\n")


class TrendsForm(SearchForm):
    by = forms.ChoiceField(required=False, choices=list(BY.items()))

    def clean_q(self):
        raw = self.cleaned_data.get("q") or ""
        terms = list(dict.fromkeys(t for t in (normalise(part) for part in _TERM_SEPARATORS.split(raw)) if t))
        if len(terms) > MAX_TERMS:
            raise forms.ValidationError(_("最多比较 %(count)s 个词。") % {"count": MAX_TERMS})
        if any(len(term) > 100 for term in terms):
            raise forms.ValidationError(_("每个词不超过 100 字。"))
        return raw

    @property
    def terms(self) -> list[tuple[str, str]]:
        """(as typed, normalised) for each comma-separated term."""
        raw = self.cleaned_data.get("q") or ""
        found = {}
        for part in _TERM_SEPARATORS.split(raw):
            term = normalise(part)
            if term and term not in found:
                found[term] = part.strip()
        return [(typed, term) for term, typed in found.items()]


@dataclass
class Point:
    key: str  # year, province name or city slug; "" when the reports have no year
    label: str
    characters: int = 0
    reports_in_corpus: int = 0
    hits: dict[str, int] = field(default_factory=dict)  # normalised term -> hits
    reports: dict[str, int] = field(default_factory=dict)  # normalised term -> reports with a hit

    def rate(self, term: str) -> float:
        return round(self.hits.get(term, 0) * RATE_PER / self.characters, 3) if self.characters else 0.0


@dataclass
class Trends:
    by: str
    terms: list[tuple[str, str]]
    points: list[Point] = field(default_factory=list)
    unavailable: str = ""

    @property
    def table(self) -> list[tuple[Point, list[tuple[str, int, int, float]]]]:
        """Each point with (term, hits, reports, rate) per term, in the order of the terms."""
        return [
            (point, [(term, point.hits[term], point.reports[term], point.rate(term)) for _typed, term in self.terms])
            for point in self.points
        ]

    def total(self, term: str) -> int:
        return sum(point.hits.get(term, 0) for point in self.points)


def _sentence_years(text: str, first: int, last: int, events: list[DatedEvent]) -> list[tuple[int, int, int]]:
    """(start, end, year) for each sentence of `text` (title and body joined, offsets into it)."""
    stated: dict[int, set[int]] = defaultdict(set)
    for event in events:
        if not event.approximate and event.year_end in (None, event.year) and first <= event.year <= last:
            stated[event.start].add(event.year)
    pieces = []
    for sentence in _SENTENCE.finditer(text):
        years = stated.get(sentence.start(), set())
        pieces.append((sentence.start(), sentence.end(), years.pop() if len(years) == 1 else last))
    return pieces


def _allocate_spanning(document: Document, events, patterns: dict[str, re.Pattern]):
    """For a report spanning years: characters and hits per year, by the year of each sentence."""
    title_offset = len(document.title) + 1  # events are offsets in the body
    text = f"{document.title}\n{document.body}"
    shifted = [
        DatedEvent(start=e.start + title_offset, end=e.end + title_offset, year=e.year, year_end=e.year_end)
        for e in events
    ]
    sentences = _sentence_years(text, document.year_start, document.year_end, shifted)
    characters: dict[int, int] = defaultdict(int)
    for start, end, year in sentences:
        characters[year] += len(normalise(text[start:end]))
    starts = [start for start, _end, _year in sentences]
    hits: dict[str, dict[int, int]] = {}
    for term, pattern in patterns.items():
        per_year: dict[int, int] = defaultdict(int)
        for line in lines_in(document.title, document.body, pattern, width=0):
            index = bisect.bisect_right(starts, line.start) - 1
            per_year[sentences[max(index, 0)][2]] += 1
        hits[term] = per_year
    return characters, hits


def _bin(document: Document, by: str) -> tuple[str, str]:
    if by == "province":
        return document.city.province, document.city.province
    if by == "city":
        return document.city.slug, document.city.name
    year = document.year_end or document.year_start
    return (str(year), str(year)) if year else ("", _("年份不详"))


def term_trends(form: TrendsForm) -> Trends:
    """The series for a validated TrendsForm."""
    params = form.cleaned_data
    by = params.get("by") or "year"
    terms = form.terms
    result = Trends(by=by, terms=terms)
    if not terms:
        return result
    filters = {index_field: params.get(name) or [] for name, index_field in FILTER_FIELDS.items()}
    try:
        found = evaluate(ParsedQuery(), filters=filters, limit=MAX_REPORTS, facet_fields=())
        texts = normalised_texts([hit.document_id for hit in found.hits])
    except SearchUnavailable as error:
        result.unavailable = str(error)
        return result
    patterns = {term: term_pattern([term]) for _typed, term in terms}
    documents = (
        Document.objects.with_city()
        .only("id", "title", "year_start", "year_end", "city__slug", "city__name", "city__province")
        .filter(pk__in=list(texts))
    )
    spanning = [d.pk for d in documents if by == "year" and d.year_end and d.year_start and d.year_end > d.year_start]
    events = defaultdict(list)
    for event in DatedEvent.objects.visible().filter(document_id__in=spanning):
        events[event.document_id].append(event)
    bodies = dict(Document.objects.filter(pk__in=spanning).values_list("pk", "body"))

    points: dict[str, Point] = {}

    def point(key: str, label: str) -> Point:
        if key not in points:
            points[key] = Point(key, label, hits={t: 0 for _x, t in terms}, reports={t: 0 for _x, t in terms})
        return points[key]

    for document in documents:
        if document.pk in bodies:
            document.body = bodies[document.pk]
            characters, hits = _allocate_spanning(document, events[document.pk], patterns)
            for year, count in characters.items():
                point(str(year), str(year)).characters += count
            for year in set(characters) | {y for per_year in hits.values() for y in per_year}:
                point(str(year), str(year)).reports_in_corpus += 1
            for term, per_year in hits.items():
                for year, count in per_year.items():
                    target = point(str(year), str(year))
                    target.hits[term] += count
                    target.reports[term] += 1
            continue
        text = texts[document.pk]
        target = point(*_bin(document, by))
        target.characters += len(text.decode("utf-8"))
        target.reports_in_corpus += 1
        for term, pattern in patterns.items():
            count = count_occurrences(text, pattern)
            if count:
                target.hits[term] += count
                target.reports[term] += 1

    if by == "year":
        ordered = sorted(points.values(), key=lambda p: (p.key == "", int(p.key or 0)))
    else:
        ordered = sorted(points.values(), key=lambda p: (-sum(p.hits.values()), p.label))
    result.points = ordered
    return result
