"""Reads: every page and API endpoint gets its data here, with a fixed number of queries."""

import bisect
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Max, Min, Prefetch, Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from archive.display import city_full_label, province_label
from archive.highlighting import Span, mark_paragraphs
from archive.importing.suggestions import candidate_cap, candidate_score, shown_terms
from archive.models import (
    CandidateStatus,
    Category,
    City,
    DatedEvent,
    Document,
    Initiative,
    InitiativeRedirect,
    Mention,
    MentionStatus,
    ReportedFigure,
    YearSource,
    year_label,
)
from archive.search import MAX_MARKS, Matches, find_matches, hit_spans
from archive.text.normalise import normalise


@dataclass
class ArchiveSummary:
    document_count: int
    city_count: int
    initiative_count: int
    mention_count: int


def archive_summary() -> ArchiveSummary:
    return ArchiveSummary(
        document_count=Document.objects.count(),
        city_count=City.objects.with_documents().count(),
        initiative_count=Initiative.objects.filter(mentions__status=MentionStatus.CONFIRMED).distinct().count(),
        mention_count=Mention.objects.confirmed().count(),
    )


def example_document() -> Document | None:
    """The report the About page shows how to cite: the first one imported."""
    return Document.objects.order_by("pk").only("pk").first()


def cities_with_documents():
    """Cities with reports, each with how many, the years they cover (first_year–last_year) and
    how many initiatives they confirm: still one query, so the city cards cost nothing extra."""
    confirmed = Q(documents__mentions__status=MentionStatus.CONFIRMED)
    return (
        City.objects.with_documents()
        .with_document_count()
        .annotate(
            first_year=Min("documents__year_start"),
            last_year=Max(Coalesce("documents__year_end", "documents__year_start")),
            initiative_count=Count("documents__mentions__initiative", filter=confirmed, distinct=True),
        )
        .order_by("adcode")
    )


def cities_by_province() -> list[tuple[str, list[City]]]:
    cities = cities_with_documents()
    return [(province, list(group)) for province, group in groupby(cities, key=lambda city: city.province)]


def city_get(slug: str) -> City:
    return get_object_or_404(City, slug=slug)


MAX_CITY_NAME = 60  # City.slug's max_length; full names are shorter


class CityNameError(ValueError):
    """A city parameter that names no city, or more than one; the message says which and how to
    name it instead."""


def _city_key(text: str) -> str:
    """The name as looked up; "" (no city) for text no city name can be, such as a NUL byte, which
    PostgreSQL refuses in a query, or anything longer than the longest name."""
    key = normalise(text.strip())
    return key if len(key) <= MAX_CITY_NAME and key.isprintable() else ""


def _names_city(key: str, city: City) -> bool:
    return key in (city.slug, city.short_name, city.name, city.adcode, city.adcode[:6]) or city.slug.startswith(
        f"{key}-"
    )


def cities_by_name(texts: list[str]) -> tuple[list[City], list[str]]:
    """The cities named, in the order named and each once, and an error message for every text
    that names none or several. A text may be the slug (zhuzhou), the short name (株洲), the full
    name (株洲市), either in traditional characters (長春), the adcode (430200), or the pinyin
    that two cities share (fuzhou names 福州 and 抚州: an error listing both). One query."""
    keys = {text: _city_key(text) for text in texts}
    candidates = list(City.objects.named([key for key in keys.values() if key]))
    found: dict[int, City] = {}
    errors = []
    for text, key in keys.items():
        matches = [city for city in candidates if key and _names_city(key, city)]
        # An exact slug or name wins over a pinyin that other cities share.
        exact = [city for city in matches if key in (city.slug, city.short_name, city.name)]
        matches = exact or matches
        if len(matches) == 1:
            found.setdefault(matches[0].pk, matches[0])
        elif matches:
            choices = _("、").join(
                _("%(city)s（%(slug)s，%(province)s）")
                % {"city": city_full_label(city), "slug": city.slug, "province": province_label(city.province)}
                for city in matches
            )
            errors.append(
                _("“%(name)s”可指多个城市：%(choices)s。请改用其中一个的拼音标识。")
                % {"name": text, "choices": choices}
            )
        else:
            errors.append(
                _(
                    "未知的城市：“%(name)s”。可用拼音标识（zhuzhou）、简称（株洲）、全称（株洲市）或行政区划代码（430200）。"
                )
                % {"name": text}
            )
    return list(found.values()), errors


def city_by_name(text: str) -> City:
    """The one city `text` names (see cities_by_name); CityNameError otherwise."""
    cities, errors = cities_by_name([text])
    if errors:
        raise CityNameError(errors[0])
    return cities[0]


def category_or_none(slug: str | None) -> Category | None:
    return Category.objects.filter(slug=slug).first() if slug else None


def categories() -> list[Category]:
    return list(Category.objects.all())


@dataclass
class CityInitiative:
    initiative: Initiative
    earliest_year: int | None
    mention_count: int
    year_source: str = YearSource.REPORT

    @property
    def year_label(self) -> str:
        return year_label(self.earliest_year, self.year_source)


_SOURCE_STRENGTH = {YearSource.STATED: 0, YearSource.CONTEXT: 1, YearSource.REPORT: 2}


def _earliest(annotated) -> tuple[int | None, str]:
    """From the values of `_earliest_year_annotations` (a row dict or an annotated object): the earliest
    year and how it is known. On a tie the firmer source wins (stated 2019 over "no later than 2019")."""
    value = annotated.get if isinstance(annotated, dict) else lambda name: getattr(annotated, name)
    earliest = value("earliest_year")
    for source in (YearSource.STATED, YearSource.CONTEXT):
        if earliest is not None and value(f"{source}_year") == earliest:
            return earliest, source
    return earliest, YearSource.REPORT


def _earliest_year_annotations(condition: Q | None = None, path: str = "mentions__") -> dict:
    """Earliest year, and earliest stated and context years, so the earliest year's source comes with
    it in the same query."""
    annotations = {"earliest_year": Min(f"{path}year", filter=condition)}
    for source in (YearSource.STATED, YearSource.CONTEXT):
        of_source = Q(**{f"{path}year_source": source})
        annotations[f"{source}_year"] = Min(f"{path}year", filter=of_source & condition if condition else of_source)
    return annotations


def city_documents(city: City):
    return Document.objects.for_city(city).with_city().chronological().defer("body", "raw_text")


def city_initiatives_by_category(city: City) -> list[tuple[Category, list[CityInitiative]]]:
    """The initiatives confirmed in this city's reports, grouped by category, earliest year first."""
    confirmed_here = Q(mentions__status=MentionStatus.CONFIRMED, mentions__document__city=city)
    initiatives = (
        Initiative.objects.filter(confirmed_here)
        .annotate(**_earliest_year_annotations(confirmed_here), mention_count=Count("mentions", filter=confirmed_here))
        .select_related("category")
        .order_by("category__order", "earliest_year", "name")
    )
    grouped = groupby(initiatives, key=lambda initiative: initiative.category)
    return [(category, [_city_initiative(i, i, i.mention_count) for i in group]) for category, group in grouped]


def _city_initiative(initiative: Initiative, annotated, mention_count: int) -> CityInitiative:
    year, source = _earliest(annotated)
    return CityInitiative(initiative, year, mention_count, source)


@dataclass
class Paragraph:
    number: int
    html: str


@dataclass
class DocumentText:
    paragraphs: list[Paragraph]
    hit_count: int = 0  # search terms marked
    all_hits_marked: bool = True  # False: the terms occur more than MAX_MARKS times


def document_get(pk: int) -> Document:
    confirmed = Mention.objects.confirmed().select_related("initiative__category").order_by("start", "pk")
    return get_object_or_404(
        Document.objects.with_city().prefetch_related(
            Prefetch("mentions", queryset=confirmed, to_attr="confirmed_mentions")
        ),
        pk=pk,
    )


@dataclass
class DocumentInitiative:
    initiative: Initiative
    first_mention: Mention
    mention_count: int


def document_initiatives(document: Document) -> list[DocumentInitiative]:
    """Each initiative tagged in the document once, in the order the text first names it."""
    found: dict[int, DocumentInitiative] = {}
    for mention in document.confirmed_mentions:
        if mention.initiative_id in found:
            found[mention.initiative_id].mention_count += 1
        else:
            found[mention.initiative_id] = DocumentInitiative(mention.initiative, mention, 1)
    return list(found.values())


def document_text(document: Document, *, highlight_terms: list[str] = ()) -> DocumentText:
    """The body's paragraphs, numbered for citation (#p3), with each confirmed mention marked as an
    anchor of its own (#m12, even where passages overlap) labelled with its initiative and, when
    given, the first MAX_MARKS occurrences of the (normalised) search terms; the first is #hit1.
    Linear in the body and the marks, whatever the report's size."""
    terms = [term for term in highlight_terms if term]
    found = find_matches(document.body, terms, limit=MAX_MARKS) if terms else Matches()
    mentions = [
        Span(m.start, m.end, {"id": f"m{m.pk}", "class": "mention"}, label=m.initiative.name)
        for m in document.confirmed_mentions
    ]
    marked = mark_paragraphs(document.body, mentions + hit_spans(found.matches))
    return DocumentText(
        paragraphs=[Paragraph(number, html) for number, html in enumerate(marked, start=1)],
        hit_count=len(found),
        all_hits_marked=found.complete,
    )


@dataclass
class CategoryInitiatives:
    category: Category
    reported: list  # confirmed in at least one city's report
    not_yet_reported: list  # in the catalogue, no confirmed mention yet


def initiatives_by_category() -> list[CategoryInitiatives]:
    """Every initiative by policy field. Most of the national reform catalogue has no confirmed mention in a small
    archive: those are listed apart, so the reforms the archive documents come first."""
    initiatives = Initiative.objects.with_city_count().select_related("category").prefetch_related("aliases")
    return [
        CategoryInitiatives(
            category,
            [i for i in members if i.city_count],
            [i for i in members if not i.city_count],
        )
        for category, group in groupby(initiatives, key=lambda i: i.category)
        for members in [list(group)]
    ]


def initiative_get(slug: str) -> Initiative:
    return get_object_or_404(
        Initiative.objects.select_related("category").prefetch_related("aliases", "related"), slug=slug
    )


def initiative_moved_to(slug: str) -> Initiative | None:
    """Where an initiative that had this address (before a rename or merge) is now."""
    redirect = InitiativeRedirect.objects.select_related("initiative").filter(old_slug=slug).first()
    return redirect.initiative if redirect else None


def initiative_mentions(initiative: Initiative):
    return (
        Mention.objects.confirmed()
        .filter(initiative=initiative)
        .select_related("document__city")
        .order_by("year", "document__city__adcode", "start", "pk")
    )


@dataclass
class TimelineYear:
    year: int
    documents: list = field(default_factory=list)
    initiatives: list = field(default_factory=list)  # CityInitiative first named this year
    events: list = field(default_factory=list)


def city_timeline(
    city: City,
    *,
    category: Category | None = None,
    documents: list[Document] | None = None,
    initiative_groups: list[tuple[Category, list[CityInitiative]]] | None = None,
) -> list[TimelineYear]:
    """The city's years, earliest first, each with the reports starting then, the initiatives its
    reports first name then, and the dated statements about it. With a category, only that
    category's initiatives, and only statements that are (or contain) one of its evidence passages.
    Pass `documents` and `initiative_groups` when the caller has them already."""
    documents = list(city_documents(city)) if documents is None else documents
    if initiative_groups is None:
        initiative_groups = city_initiatives_by_category(city)
    initiatives = [item for _, items in initiative_groups for item in items]
    events = list(
        DatedEvent.objects.visible()
        .filter(document__city=city)
        .select_related("document__city")
        .order_by("year", "month", "day", "start", "pk")
    )
    if category is not None:
        initiatives = [item for item in initiatives if item.initiative.category_id == category.pk]
        passages = list(
            Mention.objects.confirmed()
            .filter(document__city=city, initiative__category=category)
            .values_list("document_id", "start", "end")
        )
        events = [
            event
            for event in events
            if any(doc == event.document_id and start < event.end and event.start < end for doc, start, end in passages)
        ]

    events = _one_per_sentence(events)
    years: dict[int, TimelineYear] = {}

    def at(year: int) -> TimelineYear:
        return years.setdefault(year, TimelineYear(year))

    for document in documents:
        if document.year_start:
            at(document.year_start).documents.append(document)
    for item in initiatives:
        if item.earliest_year:
            at(item.earliest_year).initiatives.append(item)
    for event in events:
        at(event.year).events.append(event)
    return [years[year] for year in sorted(years)]


def _one_per_sentence(events: list[DatedEvent]) -> list[DatedEvent]:
    """One statement per sentence. Extraction makes an event per time a sentence names, so 长春's
    sentence on its three plans (2014—2020年, 2016—2020年, 2018—2022年) was three events and the
    timeline showed it three times. It is shown once, at the earliest of its times (events come
    ordered by year), and `date_labels` lists them all."""
    first: dict[tuple[int, int], DatedEvent] = {}
    for event in events:
        kept = first.setdefault((event.document_id, event.start), event)
        if kept is event:
            event.date_labels = [event.date_label]
        elif event.date_label not in kept.date_labels:
            kept.date_labels.append(event.date_label)
    return list(first.values())


@dataclass
class Comparison:
    cities: list[City]
    categories: list[Category]
    # category → city → [CityInitiative]; every category and city present, lists possibly empty
    matrix: dict[Category, dict[City, list[CityInitiative]]]
    shared: list[tuple[Initiative, dict[City, CityInitiative]]]  # initiatives in ≥2 cities, earliest year per city
    unique: dict[City, list[CityInitiative]]
    category: Category | None = None  # the one policy area compared, if any
    years_covered: dict[City, list[int]] = field(default_factory=dict)  # the years the city's reports cover

    def counts(self) -> list[tuple[Category, list[int]]]:
        """Per category, how many initiatives each city has (the chart's data and its table)."""
        return [(category, [len(self.matrix[category][city]) for city in self.cities]) for category in self.categories]

    def counts_per_year(self) -> list[tuple[Category, list[float | None]]]:
        """The counts divided by the number of years each city's reports cover (None: no year known).
        A report looking back ten years names more than a report on one year; this puts them on one
        footing, at the cost of treating every covered year alike."""
        spans = [len(self.years_covered.get(city, ())) for city in self.cities]
        return [
            (category, [round(count / span, 2) if span else None for count, span in zip(counts, spans, strict=True)])
            for category, counts in self.counts()
        ]


def cities_reported_figures(cities: list[City]) -> list[tuple[str, list[list[ReportedFigure]]]]:
    """The figures the cities' reports state, one row per measure with a cell per city (in the
    cities' order), measures that more of the cities report first. One query."""
    figures = (
        ReportedFigure.objects.visible()
        .filter(document__city__in=cities)
        .select_related("document__city")
        .defer("document__raw_text")
        .order_by("document__year_start", "start", "pk")
    )
    rows: dict[str, dict[int, list[ReportedFigure]]] = {}
    for figure in figures:
        rows.setdefault(figure.measure, {}).setdefault(figure.document.city_id, []).append(figure)
    ordered = sorted(rows.items(), key=lambda row: (-len(row[1]), row[0]))
    return [(measure, [cells.get(city.pk, []) for city in cities]) for measure, cells in ordered]


def cities_for_comparison(names: list[str]) -> tuple[list[City], list[str]]:
    """The cities named (by slug, name or adcode), in the order named, and an error message for
    each name that means no city or several."""
    return cities_by_name(names)


def cities_years_covered(cities: list[City]) -> dict[City, list[int]]:
    """Every year that at least one of the city's reports covers (株洲's one report: 2012—2022). One query."""
    by_pk = {city.pk: city for city in cities}
    years: dict[City, set[int]] = {city: set() for city in cities}
    spans = Document.objects.filter(city__in=cities, year_start__isnull=False).values_list(
        "city_id", "year_start", "year_end"
    )
    for city_id, start, end in spans:
        years[by_pk[city_id]].update(range(start, (end or start) + 1))
    return {city: sorted(found) for city, found in years.items()}


def cities_compare(
    cities: list[City], *, category: Category | None = None, categories: list[Category] | None = None
) -> Comparison:
    """Categories × cities with each city's confirmed initiatives, the shared ones lined up and what
    is unique to each city; with `category`, that policy area only. Four queries whatever the
    number of cities or documents (three when the caller passes `categories`, every category)."""
    if category:
        categories = [category]
    elif categories is None:
        categories = list(Category.objects.all())
    mentions = Mention.objects.confirmed().filter(document__city__in=cities)
    if category:
        mentions = mentions.filter(initiative__category=category)
    rows = mentions.values("document__city_id", "initiative_id").annotate(
        **_earliest_year_annotations(path=""), mention_count=Count("id")
    )
    initiatives = {
        i.pk: i
        for i in Initiative.objects.filter(pk__in={row["initiative_id"] for row in rows}).select_related("category")
    }
    by_pk = {city.pk: city for city in cities}
    matrix = {category: {city: [] for city in cities} for category in categories}
    adopters: dict[int, dict[City, int | None]] = {}
    for row in rows:
        initiative = initiatives[row["initiative_id"]]
        city = by_pk[row["document__city_id"]]
        item = _city_initiative(initiative, row, row["mention_count"])
        matrix[initiative.category][city].append(item)
        adopters.setdefault(initiative.pk, {})[city] = item
    for cells in matrix.values():
        for items in cells.values():
            items.sort(key=lambda item: (item.earliest_year or 9999, item.initiative.name))
    shared = sorted(
        ((initiatives[pk], years) for pk, years in adopters.items() if len(years) >= 2),
        key=lambda pair: (-len(pair[1]), pair[0].category.order, pair[0].name),
    )
    unique = {city: [] for city in cities}
    for each in categories:
        for city in cities:
            unique[city].extend(item for item in matrix[each][city] if len(adopters[item.initiative.pk]) == 1)
    return Comparison(
        cities, categories, matrix, shared, unique, category=category, years_covered=cities_years_covered(cities)
    )


@dataclass
class CityPassages:
    """One city's evidence in one policy area: its initiatives there, each with its passages."""

    city: City
    initiatives: list[tuple[Initiative, list[Mention]]]

    @property
    def passage_count(self) -> int:
        return sum(len(mentions) for _initiative, mentions in self.initiatives)


def cities_category_passages(cities: list[City], category: Category) -> list[CityPassages]:
    """Each city's confirmed passages in the policy area, grouped by initiative (earliest first),
    in the cities' order. One query."""
    mentions = (
        Mention.objects.confirmed()
        .filter(document__city__in=cities, initiative__category=category)
        .select_related("initiative", "document__city")
        .defer("document__raw_text")
        .order_by("year", "initiative__name", "document_id", "start", "pk")
    )
    grouped: dict[int, dict[Initiative, list[Mention]]] = {city.pk: {} for city in cities}
    for mention in mentions:
        grouped[mention.document.city_id].setdefault(mention.initiative, []).append(mention)
    return [CityPassages(city, list(grouped[city.pk].items())) for city in cities]


@dataclass
class Adoption:
    city: City
    earliest_year: int | None
    mentions: list
    year_source: str = YearSource.REPORT

    @property
    def year_label(self) -> str:
        return year_label(self.earliest_year, self.year_source)

    @property
    def no_later_than(self) -> bool:
        """Only a report's year dates it: the city adopted the initiative by then, maybe years before."""
        return self.year_source == YearSource.REPORT


def initiative_adoptions(mentions) -> tuple[list[Adoption], list[tuple[int, int, list[Adoption]]]]:
    """From an initiative's confirmed mentions: each city with its earliest year (and how the
    reports know it) and evidence, and the diffusion curve as (year, cities adopting by then, the
    cities' adoptions new that year). On a tie of years the firmer source wins."""
    by_city: dict[int, Adoption] = {}
    for mention in mentions:
        city = mention.document.city
        adoption = by_city.setdefault(city.pk, Adoption(city, mention.year, [], mention.year_source))
        adoption.mentions.append(mention)
        if mention.year is None:
            continue
        if (
            adoption.earliest_year is None
            or mention.year < adoption.earliest_year
            or (
                mention.year == adoption.earliest_year
                and _SOURCE_STRENGTH[mention.year_source] < _SOURCE_STRENGTH[adoption.year_source]
            )
        ):
            adoption.earliest_year, adoption.year_source = mention.year, mention.year_source
    adoptions = sorted(by_city.values(), key=lambda a: (a.earliest_year or 9999, a.city.adcode))
    curve = []
    total = 0
    for year, group in groupby((a for a in adoptions if a.earliest_year), key=lambda a: a.earliest_year):
        new = list(group)
        total += len(new)
        curve.append((year, total, new))
    return adoptions, curve


def cities_observed_by(years: list[int]) -> dict[int, int]:
    """For each year, how many cities have a report covering that year or an earlier one: the
    cities whose adoption the archive could have seen by then. A city without reports is not a
    city that did not adopt, so diffusion is shown as a share of these."""
    firsts = sorted(
        Document.objects.exclude(year_start=None)
        .values("city")
        .annotate(first=Min("year_start"))
        .values_list("first", flat=True)
    )
    return {year: bisect.bisect_right(firsts, year) for year in years}


# --- curator review (admin) ---------------------------------------------------------------------


@dataclass
class CandidateGroup:
    """One candidate term of a report with every sentence it appears in."""

    normalised: str
    term: str
    signal: str
    rows: list = field(default_factory=list)
    score: float = 0.0
    first_beyond_cap: bool = False  # the first of the terms shown folded, below the report's cap


@dataclass
class DocumentReview:
    document: Document
    paragraphs: list[tuple[int, int, str]]  # (number, offset of its first character, marked-up text)
    suggested: list[Mention]
    confirmed: list[Mention]
    rejected: list[Mention]
    candidates: list[CandidateGroup]  # best first (importing.suggestions.candidate_score)
    more_candidates: int = 0  # how many of them fall below the cap (`shown_terms`) and are folded


_REVIEW_CLASSES = {
    MentionStatus.CONFIRMED: "review-confirmed",
    MentionStatus.SUGGESTED: "review-suggested",
    MentionStatus.REJECTED: "review-rejected",
}


def document_review(document: Document) -> DocumentReview:
    """Everything the review screen shows: the text with each mention and candidate term marked
    (offsets kept as data-offset so a selection can be turned back into body offsets), and the
    mentions and candidate terms to decide on. Three queries, whatever the report's size."""
    mentions = list(document.mentions.select_related("initiative__category", "confirmed_by").order_by("start", "pk"))
    candidates = list(document.candidate_terms.filter(status=CandidateStatus.PENDING).order_by("match_start", "pk"))
    # Where spans have the same extent, earlier ones enclose later ones: candidate terms first, then by decision.
    rank = {MentionStatus.CONFIRMED: 0, MentionStatus.SUGGESTED: 1, MentionStatus.REJECTED: 2}
    spans = [
        Span(c.match_start, c.match_end, {"class": "review-candidate", "data-candidate": c.normalised})
        for c in candidates
    ] + [
        Span(m.start, m.end, {"class": _REVIEW_CLASSES[m.status], "data-mention": m.pk, "title": m.initiative.name})
        for m in sorted(mentions, key=lambda m: rank[m.status])
    ]
    paragraphs = []
    offset = 0
    marked = mark_paragraphs(document.body, spans)
    for number, (text, html) in enumerate(zip(document.body.split("\n"), marked, strict=True), start=1):
        paragraphs.append((number, offset, html))
        offset += len(text) + 1
    groups: dict[str, CandidateGroup] = {}
    for candidate in candidates:
        group = groups.setdefault(
            candidate.normalised, CandidateGroup(candidate.normalised, candidate.proposed_name, candidate.signal)
        )
        candidate.document = document  # its sentence is read off the body without a query
        group.rows.append(candidate)
    by_status = {status: [m for m in mentions if m.status == status] for status in MentionStatus}
    for mention in mentions:
        mention.document = document
    for group in groups.values():
        group.score = candidate_score(group.normalised, group.signal, len(group.rows), group.rows[0].term)
    ranked = sorted(groups.values(), key=lambda g: (-g.score, g.rows[0].match_start))
    shown_keys = set(shown_terms([(g.normalised, g.score) for g in ranked], candidate_cap(document.body)))
    shown = [g for g in ranked if g.normalised in shown_keys]
    more = [g for g in ranked if g not in shown]
    if more:
        more[0].first_beyond_cap = True
    return DocumentReview(
        document=document,
        paragraphs=paragraphs,
        suggested=by_status[MentionStatus.SUGGESTED],
        confirmed=by_status[MentionStatus.CONFIRMED],
        rejected=by_status[MentionStatus.REJECTED],
        candidates=shown + more,
        more_candidates=len(more),
    )
