"""Writes: importing reports and loading the seed data. (The gazetteer is loaded by migration 0002.)"""

import functools
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.importing import CleanReport, ReportRejected, clean_report, decode_report_bytes
from archive.importing.events import extract_dated_statements
from archive.importing.fetching import FetchedPage, fetch_page
from archive.importing.figures import extract_reported_figures
from archive.importing.gazetteer import CityCandidate
from archive.importing.subject import PROVINCE, Places, ReportDescription, describe_report, read_counties
from archive.models import (
    Category,
    City,
    DatedEvent,
    Document,
    Initiative,
    InitiativeAlias,
    Mention,
    MentionStatus,
    ReportedFigure,
    YearSource,
)
from archive.services.curation import document_suggestions_refresh, mention_years_reader
from archive.text.normalise import normalise

logger = logging.getLogger(__name__)

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
GAZETTEER_DIR = FIXTURES_DIR / "gazetteer"
SEED_DIR = FIXTURES_DIR / "seeds"
CURATED_FIXTURE = FIXTURES_DIR / "curated.json"
HTML_SUFFIXES = {".html", ".htm"}
REPORT_SUFFIXES = {".txt", *HTML_SUFFIXES}

_MISSING_LABELS = {
    "title": "标题",
    "years": "年份",
    "published_on": "发布日期",
    "source": "来源",
    "authors": "作者",
}


def city_matcher() -> Places:
    """The places a report can be about: the database's cities, and the gazetteer's counties and
    districts (whose reports are filed under their prefecture)."""
    return Places(
        [
            CityCandidate(c.slug, c.name, c.short_name, c.province)
            for c in City.objects.only("slug", "name", "short_name", "province")
        ],
        _counties(),
    )


@functools.cache
def _counties():
    return read_counties(GAZETTEER_DIR)


def content_hash_of(body: str) -> str:
    """Same report, same hash: computed on normalised text, so re-encoded or re-spaced copies collide."""
    return hashlib.sha256(normalise(body).encode("utf-8")).hexdigest()


@dataclass
class ImportResult:
    document: Document
    created: bool
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def missing_labels(self) -> list[str]:
        return [_MISSING_LABELS[name] for name in self.missing]


@dataclass
class ReadReport:
    """A report file read, cleaned and described without the database (so it can run in a worker
    process): what document_create needs to write it."""

    filename: str
    text: str
    encoding: str
    report: CleanReport
    digest: str
    description: ReportDescription
    statements: list
    figures: list
    page: FetchedPage | None = None

    @property
    def characters(self) -> int:
        return len(self.report.body)


def report_read(
    *,
    data: bytes,
    filename: str,
    years: tuple[int, int] | None = None,
    matcher: Places | None = None,
    page: FetchedPage | None = None,
) -> ReadReport:
    """Decode, clean and describe one report file, and read its dated statements and figures;
    touches no database when given a matcher. Raises ReportRejected when it cannot be imported."""
    text, encoding = decode_report_bytes(data, max_bytes=settings.IMPORT_MAX_BYTES)
    report = clean_report(text, is_html=Path(filename).suffix.lower() in HTML_SUFFIXES)
    if page:
        # The page's own <meta> tags say it better than its <title> ("标题_栏目_网站") or a date line.
        report.title = page.title or report.title
        report.published_on = page.published_on or report.published_on
        report.source = report.source or page.source
    if len(report.body) < 20:
        raise ReportRejected("没有正文：清理网页元素后剩下的文字不足 20 字")
    description = describe_report(report, matcher or city_matcher())
    found = years or (description.years and (description.years.start, description.years.end))
    return ReadReport(
        filename=filename,
        text=text,
        encoding=encoding,
        report=report,
        digest=content_hash_of(report.body),
        description=description,
        statements=extract_dated_statements(report.body, found[1] if found else None),
        figures=extract_reported_figures(report.body),
        page=page,
    )


def document_import(
    *,
    data: bytes,
    filename: str,
    city_slug: str | None = None,
    years: tuple[int, int] | None = None,
    source: str | None = None,
    matcher: Places | None = None,
    page: FetchedPage | None = None,
    defer_suggestions: bool = False,
) -> ImportResult:
    """Import one report file. Raises ReportRejected (and writes nothing) when it cannot be imported.

    A report whose normalised text is already in the archive is not imported again: the existing
    document comes back with created=False."""
    read = report_read(data=data, filename=filename, years=years, matcher=matcher, page=page)
    return document_create(
        read=read, city_slug=city_slug, years=years, source=source, defer_suggestions=defer_suggestions
    )


def document_create(
    *,
    read: ReadReport,
    city_slug: str | None = None,
    years: tuple[int, int] | None = None,
    source: str | None = None,
    defer_suggestions: bool = False,
) -> ImportResult:
    """Write a report read by report_read, in one transaction (its search queue entry included).

    defer_suggestions leaves the curator's suggestions (known initiatives, candidate terms with a
    part-of-speech pass of ~0.1 s a report) to the first opening of the review screen."""
    existing = Document.objects.filter(content_hash=read.digest).select_related("city").first()
    if existing:
        return ImportResult(document=existing, created=False)

    report, description = read.report, read.description
    notes = [f"编码 {read.encoding}"]
    extra = report.extra()
    if city_slug:
        city = City.objects.filter(slug=city_slug).first()
        if city is None:
            raise ReportRejected(f"未知城市：{city_slug!r}（请使用拼音标识，如 zhuzhou）")
        notes.append("城市由 --city 指定")
    elif description.level == PROVINCE or description.city is None:
        # A province-level report is recognised, not filed under a city; the door stays open for a
        # province level of its own (ReportDescription carries the province).
        raise ReportRejected(description.city_note)
    else:
        city = City.objects.get(slug=description.city.slug)
        if description.district:
            extra["district"] = description.district
            notes.append(f"{description.district}的报告，归入{city.name}")

    if years:
        year_start, year_end = years
        notes.append("年份由 --year 指定")
    elif found := description.years:
        year_start, year_end = found.start, found.end
        notes.append(f"年份 {found.label}（{found.evidence}）")
    else:
        year_start = year_end = None

    document = Document(
        title=report.title[:300],
        city=city,
        year_start=year_start,
        year_end=year_end,
        published_on=report.published_on,
        source=(source or report.source)[:200],
        authors="、".join(dict.fromkeys(report.authors))[:300],
        body=report.body,
        raw_text=read.text,
        extra=extra,
        original_filename=Path(read.filename).name[:255],
        source_url=read.page.final_url[:2000] if read.page else "",
        fetched_at=read.page.fetched_at if read.page else None,
        content_hash=read.digest,
        suggestions_due=defer_suggestions,
    )
    # Not the uniqueness (content_hash: the IntegrityError below), nor the year-span constraint
    # (Document.clean checks it, and the database too), nor that the city exists (just read from
    # the database): each of those is a query per report, a fifth of a bulk import's writing.
    document.full_clean(exclude=["city"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            document.save()
            DatedEvent.objects.bulk_create(_events_of(document, read.statements))
            ReportedFigure.objects.bulk_create(_figures_of(document, read.figures))
            if not defer_suggestions:
                document_suggestions_refresh(document=document)
    except IntegrityError:
        # Another importer saved the same report between our check and our write.
        return ImportResult(document=Document.objects.get(content_hash=read.digest), created=False)
    missing = [
        name
        for name, value in [
            ("title", document.title),
            ("years", document.year_start),
            ("published_on", document.published_on),
            ("source", document.source),
            ("authors", document.authors),
        ]
        if not value
    ]
    return ImportResult(document=document, created=True, missing=missing, notes=notes)


def document_import_from_url(
    *,
    url: str,
    city_slug: str | None = None,
    years: tuple[int, int] | None = None,
    source: str | None = None,
    matcher: Places | None = None,
    fetch=fetch_page,
) -> ImportResult:
    """Fetch a report page and import it like a file; the address and the time of fetching are kept
    as its provenance. Raises ReportRejected (FetchRefused) with the reason, writing nothing."""
    page = fetch(
        url,
        timeout=settings.FETCH_TIMEOUT_SECONDS,
        max_bytes=settings.IMPORT_MAX_BYTES,
        user_agent=settings.FETCH_USER_AGENT,
        allow_private=settings.FETCH_ALLOW_PRIVATE,
    )
    name = Path(urlsplit(page.final_url).path).name or "index"
    result = document_import(
        data=page.html.encode("utf-8"),
        filename=name if Path(name).suffix.lower() in HTML_SUFFIXES else f"{name}.html",
        city_slug=city_slug,
        years=years,
        source=source,
        matcher=matcher,
        page=page,
    )
    result.notes.insert(0, f"抓取自 {page.final_url}（网页编码 {page.encoding}）")
    return result


def _events_of(document: Document, statements, taken=frozenset()) -> list[DatedEvent]:
    return [
        DatedEvent(
            document=document,
            start=s.start,
            end=s.end,
            year=s.year,
            year_end=s.year_end,
            month=s.month,
            day=s.day,
            expression=s.expression[:40],
            approximate=s.approximate,
        )
        for s in statements
        if (s.start, s.end, s.expression[:40]) not in taken
    ]


def _figures_of(document: Document, figures, taken=frozenset()) -> list[ReportedFigure]:
    return [
        ReportedFigure(
            document=document,
            start=f.start,
            end=f.end,
            measure=f.measure[:40],
            subject=f.subject[:60],
            value=f.value,
            previous=f.previous,
            unit=f.unit[:12],
            change=f.change,
            expression=f.expression[:80],
        )
        for f in figures
        if (f.start, f.measure[:40]) not in taken
    ]


@transaction.atomic
def document_events_extract(*, document: Document) -> int:
    """(Re)extract the document's dated events; events a curator corrected or hid are kept.
    Returns how many events were created."""
    report_year = document.year_end or document.year_start
    curated = list(document.events.filter(curated=True))
    document.events.filter(curated=False).delete()
    taken = {(event.start, event.end, event.expression) for event in curated}
    events = _events_of(document, extract_dated_statements(document.body, report_year), taken)
    DatedEvent.objects.bulk_create(events)
    return len(events)


def document_figures_extract(*, document: Document) -> int:
    """(Re)extract the figures the document states; figures a curator corrected or hid are kept.
    Returns how many figures were created."""
    curated = list(document.figures.filter(curated=True))
    document.figures.filter(curated=False).delete()
    taken = {(figure.start, figure.measure) for figure in curated}
    figures = _figures_of(document, extract_reported_figures(document.body), taken)
    ReportedFigure.objects.bulk_create(figures)
    return len(figures)


def document_facts_extract(*, document: Document) -> None:
    """Everything read off the text itself: dated events and reported figures."""
    document_events_extract(document=document)
    document_figures_extract(document=document)


def report_paths(paths: list[Path]) -> list[Path]:
    """Files named, plus the .txt/.html files inside folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES))
        else:
            found.append(path)
    return found


class SeedDataError(ValueError):
    pass


@transaction.atomic
def curated_fixture_load(*, path: Path = CURATED_FIXTURE) -> dict[str, int]:
    """Load categories, initiatives (with aliases and relations) and confirmed mentions.

    Mentions name their seed file and quote their passage; the passage is located in the clean
    text here, so the fixture stays right even if cleaning changes offsets. Idempotent."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data["categories"]:
        Category.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "name_en": item.get("name_en", ""),
                "order": item["order"],
                "description": item.get("description", ""),
            },
        )
    categories = {category.slug: category for category in Category.objects.all()}

    initiatives = {}
    for item in data["initiatives"]:
        initiative, _ = Initiative.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "category": categories[item["category"]],
                "description": item.get("description", ""),
                "name_en": item.get("name_en", ""),
                "description_en": item.get("description_en", ""),
            },
        )
        initiatives[item["slug"]] = initiative
        for alias in item.get("aliases", []):
            InitiativeAlias.objects.update_or_create(name=alias, defaults={"initiative": initiative})
    for item in data["initiatives"]:
        related = [initiatives[slug] for slug in item.get("related", [])]
        if related:
            initiatives[item["slug"]].related.add(*related)

    documents = {
        document.original_filename: document
        for document in Document.objects.filter(original_filename__in={m["seed_file"] for m in data["mentions"]})
    }
    created = 0
    now = timezone.now()
    readers = {}
    for item in data["mentions"]:
        document = documents.get(item["seed_file"])
        if document is None:
            raise SeedDataError(f"{item['seed_file']} is not imported")
        start = document.body.find(item["passage"])
        if start < 0:
            raise SeedDataError(f"passage not found in {item['seed_file']}: {item['passage'][:30]}…")
        end = start + len(item["passage"])
        initiative = initiatives[item["initiative"]]
        if document.pk not in readers:
            readers[document.pk] = mention_years_reader(document)
        dated = _fixture_year(item, readers[document.pk].year_of(start, end, names=initiative.all_names))
        mention, was_created = Mention.objects.get_or_create(
            document=document,
            initiative=initiative,
            start=start,
            end=end,
            defaults={**dated, "status": MentionStatus.CONFIRMED, "confirmed_at": now},
        )
        if mention.status == MentionStatus.SUGGESTED:
            # The machine proposed the same passage first; the fixture is a curator's decision. A
            # rejection, also a curator's decision, is left alone.
            mention.status, mention.confirmed_at = MentionStatus.CONFIRMED, now
            for field_name, value in dated.items():
                setattr(mention, field_name, value)
            mention.save()
        created += was_created
    return {
        "categories": len(data["categories"]),
        "initiatives": len(data["initiatives"]),
        "mentions": len(data["mentions"]),
        "mentions_created": created,
    }


def _fixture_year(item: dict, found) -> dict:
    """A mention's year as the fixture gives it. The fixture's years were written by the rule that
    dated every undated sentence with the report's year, so a `year` that agrees with what the text
    gives now is the text's (and keeps its source); one that disagrees, or comes with a
    `year_source`, is a curator's correction and is kept from then on."""
    year, source = item.get("year", found.year), item.get("year_source")
    if year == found.year and source in (None, found.source):
        return {"year": found.year, "year_source": found.source, "year_curated": False}
    return {"year": year, "year_source": source or YearSource.CONTEXT, "year_curated": True}


def seed_manifest(*, seed_dir: Path = SEED_DIR) -> list[dict]:
    return json.loads((seed_dir / "manifest.json").read_text(encoding="utf-8"))["reports"]
