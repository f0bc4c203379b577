"""Export: the rows of every table in a stable order, as JSON, a zip of CSV files or one CSV."""

import csv
import datetime
import io
import json
import zipfile
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from archive.dataset.tables import (
    COLUMNS_NAME,
    CSV_ENCODING,
    FORMAT,
    README_NAME,
    TABLES,
    TABLES_BY_NAME,
    VERSION,
)
from archive.models import Category, City, Document, Initiative, InitiativeAlias, Mention, MentionStatus

# Fixed member dates keep the zip byte-identical from one export to the next.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def dataset_tables(*, base_url: str = "", only: Iterable[str] | None = None, using: str = "default") -> dict:
    """{table name: [row dicts]} in a stable order; one query per table (mentions reuse the
    documents' bodies, or read only ids and bodies when documents are not asked for).

    `base_url` (https://archive.example.org) makes the documents' `url` absolute; without it the
    url is the page's path."""
    wanted = [table.name for table in TABLES] if only is None else list(only)
    rows: dict[str, list[dict]] = {}
    bodies: dict[int, str] | None = None
    for name in wanted:
        if name == "cities":
            rows[name] = [
                {
                    "slug": city.slug,
                    "adcode": city.adcode,
                    "name": city.name,
                    "short_name": city.short_name,
                    "province": city.province,
                    "level": city.level,
                    "longitude": _decimal_out(city.longitude),
                    "latitude": _decimal_out(city.latitude),
                }
                for city in City.objects.using(using).filter(documents__isnull=False).distinct().order_by("slug")
            ]
        elif name == "categories":
            rows[name] = [
                {
                    "slug": category.slug,
                    "name": category.name,
                    "name_en": category.name_en,
                    "order": category.order,
                    "description": category.description,
                }
                for category in Category.objects.using(using).order_by("slug")
            ]
        elif name == "initiatives":
            rows[name] = [
                {"slug": slug, "name": title, "category": category, "description": description}
                for slug, title, category, description in Initiative.objects.using(using)
                .order_by("slug")
                .values_list("slug", "name", "category__slug", "description")
            ]
        elif name == "aliases":
            rows[name] = [
                {"name": alias, "initiative": initiative}
                for alias, initiative in InitiativeAlias.objects.using(using)
                .order_by("name")
                .values_list("name", "initiative__slug")
            ]
        elif name == "relations":
            through = Initiative.related.through
            pairs = through.objects.using(using).values_list("from_initiative__slug", "to_initiative__slug")
            rows[name] = [{"initiative": a, "related": b} for a, b in sorted({tuple(sorted(p)) for p in pairs})]
        elif name == "documents":
            documents = list(Document.objects.using(using).select_related("city").order_by("pk"))
            bodies = {document.pk: document.body for document in documents}
            with translation.override(settings.LANGUAGE_CODE):  # the citable address is the default language's
                rows[name] = [
                    {
                        "id": document.pk,
                        "city": document.city.slug,
                        "title": document.title,
                        "year_start": document.year_start,
                        "year_end": document.year_end,
                        "published_on": document.published_on.isoformat() if document.published_on else None,
                        "source": document.source,
                        "authors": document.authors,
                        "original_filename": document.original_filename,
                        "url": base_url.rstrip("/") + reverse("document-detail", kwargs={"pk": document.pk}),
                        "body": document.body,
                    }
                    for document in documents
                ]
        elif name == "mentions":
            mentions = (
                Mention.objects.using(using)
                .filter(status=MentionStatus.CONFIRMED)
                .order_by("pk")
                .values_list(
                    "pk", "document_id", "initiative__slug", "year", "year_source", "start", "end", "confirmed_at"
                )
            )
            if bodies is None:
                mentions = list(mentions)
                needed = {mention[1] for mention in mentions}
                bodies = dict(Document.objects.using(using).filter(pk__in=needed).values_list("pk", "body"))
            rows[name] = [
                {
                    "id": pk,
                    "document": document_id,
                    "initiative": initiative,
                    "year": year,
                    "year_source": year_source,
                    "start": start,
                    "end": end,
                    "paragraph": bodies[document_id].count("\n", 0, start) + 1,
                    "passage": bodies[document_id][start:end],
                    "confirmed_at": _datetime_out(confirmed_at),
                }
                for pk, document_id, initiative, year, year_source, start, end, confirmed_at in mentions
            ]
        else:
            raise KeyError(name)
    return rows


def _decimal_out(value: Decimal | None) -> float | None:
    # A JSON number; six decimal places survive the float (shortest repr round-trips).
    return None if value is None else float(value)


def _datetime_out(value: datetime.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def dataset_json(tables: dict) -> bytes:
    document = {"format": FORMAT, "version": VERSION, "tables": tables}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def table_csv(name: str, rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = TABLES_BY_NAME[name].column_names
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[column] is None else row[column] for column in columns])
    return buffer.getvalue().encode(CSV_ENCODING)


def columns_csv() -> bytes:
    """Every column of every table with its type and meaning, in Chinese and English."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["table", "column", "type", "nullable", "references", "description_zh", "description_en"])
    for table in TABLES:
        for column in table.columns:
            writer.writerow(
                [
                    table.name,
                    column.name,
                    column.type,
                    "yes" if column.nullable else "no",
                    column.references,
                    _in_language(column.description, "zh-hans"),
                    _in_language(column.description, "en"),
                ]
            )
    return buffer.getvalue().encode(CSV_ENCODING)


def _in_language(text, language: str) -> str:
    with translation.override(language):
        return str(text)


def readme_text() -> str:
    lines = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            lines += [
                str(_("地方改革报告档案：数据集")),
                "",
                str(_("每个表一个 CSV 文件（UTF-8，带 BOM，逗号分隔，首行为列名）；各列的含义见 columns.csv。")),
                str(_("空单元格表示未知（仅限可为空的列）。正文中的段落以换行符分隔，位置以字符计。")),
                str(
                    _(
                        "报告正文的版权属于原发布者；档案的整理数据（改革举措、提及）可自由使用，"
                        "引用时请注明档案及报告页面的网址。"
                    )
                ),
                "",
            ]
            lines += [f"{table.csv_filename}: {table.description}" for table in TABLES]
            lines.append("")
    return "\n".join(lines)


def dataset_zip(tables: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        members = [(README_NAME, readme_text().encode("utf-8")), (COLUMNS_NAME, columns_csv())]
        members += [(table.csv_filename, table_csv(table.name, tables[table.name])) for table in TABLES]
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def export_filename(kind: str, *, table: str = "") -> str:
    """reform-archive-2026-11-24.json, reform-archive-mentions-2026-11-24.csv."""
    stem = f"reform-archive-{table}-" if table else "reform-archive-"
    return f"{stem}{timezone.localdate().isoformat()}.{kind}"
