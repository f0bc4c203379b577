"""Export: the rows of every table in a stable order, as JSON, a zip of CSV files or one CSV."""

import csv
import datetime
import io
import itertools
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from archive.dataset.cells import cell_neutralise
from archive.dataset.tables import (
    COLUMNS_NAME,
    CSV_ENCODING,
    FORMAT,
    README_NAME,
    TABLES,
    TABLES_BY_NAME,
    TEXT,
    VERSION,
)
from archive.models import Category, City, Document, Initiative, InitiativeAlias, Mention, MentionStatus

# Fixed member dates keep the zip byte-identical from one export to the next.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Rows fetched from the database at a time, and written to a streamed export at a time.
CHUNK_ROWS = 200
# A document id no archive reaches, where the id goes in a report's address.
PK_PLACEHOLDER = 987654321987
# What CSV_ENCODING ("utf-8-sig") puts at the start of a file, written once before the chunks.
BYTE_ORDER_MARK = "".encode(CSV_ENCODING)


def dataset_tables(*, base_url: str = "", only: Iterable[str] | None = None, using: str = "default") -> dict:
    """{table name: [row dicts]} in a stable order; one query per table.

    `base_url` (https://archive.example.org) makes the documents' `url` absolute; without it the
    url is the page's path."""
    wanted = [table.name for table in TABLES] if only is None else list(only)
    return {name: list(dataset_rows(name, base_url=base_url, using=using)) for name in wanted}


def dataset_tables_lazily(*, base_url: str = "", using: str = "default") -> dict[str, Iterator[dict]]:
    """{table name: an iterator over its rows}, for streaming: a table's query runs when its rows
    are first wanted."""
    return {table.name: dataset_rows(table.name, base_url=base_url, using=using) for table in TABLES}


def dataset_rows(name: str, *, base_url: str = "", using: str = "default") -> Iterator[dict]:
    """One table's rows, read lazily in one query: reports and mentions are fetched in chunks, so
    streaming an export holds a few rows at a time, not the archive."""
    if name == "cities":
        for city in City.objects.using(using).filter(documents__isnull=False).distinct().order_by("slug"):
            yield {
                "slug": city.slug,
                "adcode": city.adcode,
                "name": city.name,
                "short_name": city.short_name,
                "province": city.province,
                "level": city.level,
                "longitude": _decimal_out(city.longitude),
                "latitude": _decimal_out(city.latitude),
            }
    elif name == "categories":
        for category in Category.objects.using(using).order_by("slug"):
            yield {
                "slug": category.slug,
                "name": category.name,
                "name_en": category.name_en,
                "order": category.order,
                "description": category.description,
            }
    elif name == "initiatives":
        for slug, title, title_en, category, description, description_en in (
            Initiative.objects.using(using)
            .order_by("slug")
            .values_list("slug", "name", "name_en", "category__slug", "description", "description_en")
        ):
            yield {
                "slug": slug,
                "name": title,
                "name_en": title_en,
                "category": category,
                "description": description,
                "description_en": description_en,
            }
    elif name == "aliases":
        for alias, initiative in (
            InitiativeAlias.objects.using(using).order_by("name").values_list("name", "initiative__slug")
        ):
            yield {"name": alias, "initiative": initiative}
    elif name == "relations":
        through = Initiative.related.through
        pairs = through.objects.using(using).values_list("from_initiative__slug", "to_initiative__slug")
        for a, b in sorted({tuple(sorted(p)) for p in pairs}):
            yield {"initiative": a, "related": b}
    elif name == "documents":
        documents = (
            Document.objects.using(using)
            .order_by("pk")
            .values_list(
                "pk",
                "city__slug",
                "title",
                "year_start",
                "year_end",
                "published_on",
                "source",
                "authors",
                "original_filename",
                "source_url",
                "fetched_at",
                "body",
            )
            .iterator(chunk_size=CHUNK_ROWS)
        )
        # The citable address is the default language's. The language is switched once, here, not
        # around the yields: a generator must not leave it switched while its consumer runs.
        with translation.override(settings.LANGUAGE_CODE):
            address = base_url.rstrip("/") + reverse("document-detail", kwargs={"pk": PK_PLACEHOLDER})
        for (
            pk, city, title, year_start, year_end, published_on, source, authors, filename, source_url, fetched_at, body
        ) in documents:  # fmt: skip
            yield {
                "id": pk,
                "city": city,
                "title": title,
                "year_start": year_start,
                "year_end": year_end,
                "published_on": published_on.isoformat() if published_on else None,
                "source": source,
                "authors": authors,
                "original_filename": filename,
                "source_url": source_url,
                "fetched_at": _datetime_out(fetched_at),
                "url": address.replace(str(PK_PLACEHOLDER), str(pk)),
                "body": body,
            }
    elif name == "mentions":
        mentions = (
            Mention.objects.using(using)
            .filter(status=MentionStatus.CONFIRMED)
            .order_by("pk")
            .values_list("pk", "document_id", "initiative__slug", "year", "year_source", "start", "end", "confirmed_at")
            .iterator(chunk_size=CHUNK_ROWS)
        )
        # The passage and paragraph come from the report's body. Bodies are read for a chunk of
        # mentions at a time (one query each), and kept only while the next chunk needs them:
        # a report's mentions are mostly consecutive.
        bodies: dict[int, str] = {}
        for chunk in _chunks(mentions, CHUNK_ROWS):
            needed = {mention[1] for mention in chunk}
            bodies = {pk: body for pk, body in bodies.items() if pk in needed}
            if missing := needed - bodies.keys():
                bodies.update(Document.objects.using(using).filter(pk__in=missing).values_list("pk", "body"))
            for pk, document_id, initiative, year, year_source, start, end, confirmed_at in chunk:
                body = bodies[document_id]
                yield {
                    "id": pk,
                    "document": document_id,
                    "initiative": initiative,
                    "year": year,
                    "year_source": year_source,
                    "start": start,
                    "end": end,
                    "paragraph": body.count("\n", 0, start) + 1,
                    "passage": body[start:end],
                    "confirmed_at": _datetime_out(confirmed_at),
                }
    else:
        raise KeyError(name)


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _decimal_out(value: Decimal | None) -> float | None:
    # A JSON number; six decimal places survive the float (shortest repr round-trips).
    return None if value is None else float(value)


def _datetime_out(value: datetime.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def dataset_json(tables: Mapping[str, Iterable[dict]]) -> bytes:
    return b"".join(dataset_json_chunks(tables))


# json.dumps(row, ensure_ascii=False, indent=1) without building an encoder for every row.
ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=1)


def dataset_json_chunks(tables: Mapping[str, Iterable[dict]]) -> Iterator[bytes]:
    """The bytes of `json.dumps({"format", "version", "tables"}, ensure_ascii=False, indent=1)` and
    a newline, written a batch of rows at a time so that `tables` may hold lazy iterators."""
    yield f'{{\n "format": {json.dumps(FORMAT)},\n "version": {json.dumps(VERSION)},\n "tables": {{'.encode()
    separator = "\n"
    for name, rows in tables.items():
        parts = [f"{separator}  {json.dumps(name, ensure_ascii=False)}: ["]
        empty = True
        for row in rows:
            # A row indented three levels deep: json.dumps escapes newlines inside strings, so every
            # newline in its output is a line of the layout.
            text = ROW_ENCODER.encode(row).replace("\n", "\n   ")
            parts.append(("\n   " if empty else ",\n   ") + text)
            empty = False
            if len(parts) >= CHUNK_ROWS:
                yield "".join(parts).encode("utf-8")
                parts = []
        parts.append("]" if empty else "\n  ]")
        yield "".join(parts).encode("utf-8")
        separator = ",\n"
    yield b"\n }\n}\n" if separator == ",\n" else b"}\n}\n"


def table_csv(name: str, rows: Iterable[dict]) -> bytes:
    return b"".join(table_csv_chunks(name, rows))


def table_csv_chunks(name: str, rows: Iterable[dict]) -> Iterator[bytes]:
    """A table as CSV (byte order mark, header, CRLF lines), a batch of rows at a time. Text cells
    that a spreadsheet would run as a formula are neutralised (`cells.cell_neutralise`)."""
    table = TABLES_BY_NAME[name]
    text_columns = {column.name for column in table.columns if column.type == TEXT}
    yield BYTE_ORDER_MARK
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_cell_neutralise(row[column], column in text_columns) for column in table.column_names])
        if number % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _cell_neutralise(value, text: bool):
    if value is None:
        return ""
    return cell_neutralise(value) if text else value


def columns_csv() -> bytes:
    """Every column of every table with its type and meaning, in Chinese and English."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["table", "column", "type", "nullable", "references", "description_zh", "description_en"])
    for table in TABLES:
        for column in table.columns:
            row = [
                table.name,
                column.name,
                column.type,
                "yes" if column.nullable else "no",
                column.references,
                _in_language(column.description, "zh-hans"),
                _in_language(column.description, "en"),
            ]
            writer.writerow([cell_neutralise(cell) for cell in row])
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
                        "以 = + - @、制表符或回车开头的文本单元格前加了一个单引号，以免电子表格把它当作公式执行；"
                        "以单引号开头、随后是若干单引号和这些字符之一的单元格，去掉开头的一个单引号即得原值。"
                    )
                ),
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


def dataset_zip(tables: Mapping[str, Iterable[dict]]) -> bytes:
    return b"".join(dataset_zip_chunks(tables))


def dataset_zip_chunks(tables: Mapping[str, Iterable[dict]]) -> Iterator[bytes]:
    """README.txt, columns.csv and one CSV per table in a zip, written as the rows come. The output
    cannot seek, so zipfile puts each member's sizes after its data (a data descriptor), which
    every unzip reads; the bytes are the same whether the zip is streamed or joined."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as archive:
        members = [(README_NAME, [readme_text().encode("utf-8")]), (COLUMNS_NAME, [columns_csv()])]
        members += [(table.csv_filename, table_csv_chunks(table.name, tables[table.name])) for table in TABLES]
        for name, chunks in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED  # at zlib's default level, 6
            info.create_system = 3
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as member:
                for chunk in chunks:
                    member.write(chunk)
                    if data := sink.take():
                        yield data
    yield sink.take()


class _Sink:
    """A write-only file that hands over what was written so far."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def export_filename(kind: str, *, table: str = "") -> str:
    """reform-archive-2026-11-24.json, reform-archive-mentions-2026-11-24.csv."""
    stem = f"reform-archive-{table}-" if table else "reform-archive-"
    return f"{stem}{timezone.localdate().isoformat()}.{kind}"
