"""The curated dataset researchers download: cities, categories, initiatives with aliases and
relations, reports, and confirmed mentions with their passages and years.

`TABLES` is the one definition of the tables and their columns; the export (JSON, a zip of CSV
files, one CSV per table), the loader and the public data page all read it. Exports are
deterministic (rows ordered by slug or id, no timestamp inside, fixed zip member dates), so
export → load into an empty archive → export gives the same bytes.
"""

import csv
import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from archive.models import Category, City, Document, Initiative, InitiativeAlias, Mention, MentionStatus
from archive.services import content_hash_of, document_facts_extract

FORMAT = "reform-archive-dataset"
VERSION = 1
# A file bigger than this is refused before it is parsed (the seed archive exports to ~0.1 MB).
DEFAULT_MAX_BYTES = getattr(settings, "DATASET_MAX_BYTES", 512 * 1024 * 1024)
# CSV files start with a byte order mark so that Excel and WPS read them as UTF-8 (without it they
# guess the ANSI code page and show mojibake); pandas and readr skip it, Python's csv needs
# encoding="utf-8-sig". The loader accepts files with or without it.
CSV_ENCODING = "utf-8-sig"
# Fixed member dates keep the zip byte-identical from one export to the next.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MAX_REPORTED_PROBLEMS = 50

TEXT, INTEGER, DECIMAL, DATE, DATETIME = "text", "integer", "decimal", "date", "datetime"
TYPE_LABELS = {
    TEXT: _("文本"),
    INTEGER: _("整数"),
    DECIMAL: _("小数"),
    DATE: _("日期 YYYY-MM-DD"),
    DATETIME: _("时间 ISO 8601，含时区"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = False
    # "table.column" this column refers to.
    references: str = ""
    # Derived from other columns: recomputed by the archive, ignored (url) or checked (passage) on load.
    derived: bool = False

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def csv_filename(self) -> str:
        return f"{self.name}.csv"


TABLES: tuple[Table, ...] = (
    Table(
        "cities",
        _("收录了报告的城市（地级行政区），取自国家统计局行政区划代码表。按 slug 排序。"),
        (
            Column("slug", TEXT, _("城市的拼音标识，如 zhuzhou；其他表以它指代城市")),
            Column("adcode", TEXT, _("六位行政区划代码")),
            Column("name", TEXT, _("全称，如 株洲市")),
            Column("short_name", TEXT, _("简称，如 株洲")),
            Column("province", TEXT, _("所属省级行政区，如 湖南省")),
            Column(
                "level",
                TEXT,
                _(
                    "行政级别：municipality 直辖市、sub_provincial 副省级市、prefecture_city 地级市、"
                    "autonomous_prefecture 自治州、prefecture 地区、league 盟"
                ),
            ),
            Column("longitude", DECIMAL, _("政府驻地经度（WGS84，度）；未知时为空"), nullable=True),
            Column("latitude", DECIMAL, _("政府驻地纬度（WGS84，度）；未知时为空"), nullable=True),
        ),
    ),
    Table(
        "categories",
        _("政策领域，改革举措按它分组。按 slug 排序。"),
        (
            Column("slug", TEXT, _("政策领域的标识")),
            Column("name", TEXT, _("中文名称")),
            Column("name_en", TEXT, _("英文名称")),
            Column("order", INTEGER, _("在档案页面上的排列顺序")),
            Column("description", TEXT, _("说明")),
        ),
    ),
    Table(
        "initiatives",
        _("人工整理的改革举措（如 河长制、放管服）。按 slug 排序。"),
        (
            Column("slug", TEXT, _("改革举措的标识，也是它在档案中的网址的一部分")),
            Column("name", TEXT, _("名称")),
            Column("category", TEXT, _("所属政策领域"), references="categories.slug"),
            Column("description", TEXT, _("简介")),
        ),
    ),
    Table(
        "aliases",
        _("改革举措在报告中出现的其他名称（如 河湖长制 是 河长制 的别名）。按名称排序。"),
        (
            Column("name", TEXT, _("别名")),
            Column("initiative", TEXT, _("它所指的改革举措"), references="initiatives.slug"),
        ),
    ),
    Table(
        "relations",
        _("相关但不同的改革举措（如 医共体 与 医联体）。关系是对称的，每对只列一次，前者的标识按字母顺序在前。"),
        (
            Column("initiative", TEXT, _("一项改革举措"), references="initiatives.slug"),
            Column("related", TEXT, _("与之相关的另一项改革举措"), references="initiatives.slug"),
        ),
    ),
    Table(
        "documents",
        _("改革报告：元数据与清理后的正文。按 id 排序。"),
        (
            Column("id", INTEGER, _("报告在档案中的编号，mentions 表以它指代报告")),
            Column("city", TEXT, _("报告所属城市"), references="cities.slug"),
            Column("title", TEXT, _("报告自己的标题；没有标题时为空（档案页面上显示方括号中的补拟标题）")),
            Column("year_start", INTEGER, _("报告所涉的起始年份；未知时为空"), nullable=True),
            Column("year_end", INTEGER, _("报告所涉的结束年份；与起始年份相同或未知时可为空"), nullable=True),
            Column("published_on", DATE, _("发布日期；未知时为空"), nullable=True),
            Column("source", TEXT, _("来源（发布者、报纸或网站）")),
            Column("authors", TEXT, _("作者，多位以“、”分隔")),
            Column("original_filename", TEXT, _("导入时的文件名")),
            Column("url", TEXT, _("报告在档案中的页面地址（引用时请用它）；导入时忽略"), derived=True),
            Column("body", TEXT, _("清理后的正文，段落以换行符分隔；mentions 表的位置以字符计，指向它")),
        ),
    ),
    Table(
        "mentions",
        _("经人工确认的提及：某报告的某段文字提到了某项改革举措。只含已确认的，不含待审核或已否决的。按 id 排序。"),
        (
            Column("id", INTEGER, _("提及的编号；报告页面上以 #m<id> 定位")),
            Column("document", INTEGER, _("报告"), references="documents.id"),
            Column("initiative", TEXT, _("改革举措"), references="initiatives.slug"),
            Column("year", INTEGER, _("这段文字所指的年份；未知时为空"), nullable=True),
            Column("start", INTEGER, _("证据段落在正文中的起始位置（字符，从 0 起）")),
            Column("end", INTEGER, _("证据段落的结束位置（字符，不含）")),
            Column("paragraph", INTEGER, _("证据所在段落的序号（从 1 起，报告页面上以 #p<序号> 定位）"), derived=True),
            Column("passage", TEXT, _("证据段落原文，即 body[start:end]；导入时核对"), derived=True),
            Column("confirmed_at", DATETIME, _("确认时间；未记录时为空"), nullable=True),
        ),
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}
README_NAME = "README.txt"
COLUMNS_NAME = "columns.csv"


class DatasetError(ValueError):
    """The file cannot be loaded; nothing was written. `problems` lists what is wrong, by place."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# Export ----------------------------------------------------------------------------------------


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
                .values_list("pk", "document_id", "initiative__slug", "year", "start", "end", "confirmed_at")
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
                    "start": start,
                    "end": end,
                    "paragraph": bodies[document_id].count("\n", 0, start) + 1,
                    "passage": bodies[document_id][start:end],
                    "confirmed_at": _datetime_out(confirmed_at),
                }
                for pk, document_id, initiative, year, start, end, confirmed_at in mentions
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


@dataclass
class TableSummary:
    table: Table
    rows: int


@dataclass
class DatasetSummary:
    tables: list[TableSummary]
    body_characters: int
    # Rough: CJK text is 3 bytes a character in UTF-8, plus a little per row.
    approximate_json_bytes: int


def dataset_summary() -> DatasetSummary:
    """Row counts for the data page, in one query per table (seven)."""
    documents = Document.objects.aggregate(rows=Count("pk"), characters=Sum(Length("body")))
    mentions = Mention.objects.confirmed().aggregate(rows=Count("pk"), characters=Sum(F("end") - F("start")))
    counts = {
        "cities": City.objects.with_documents().count(),
        "categories": Category.objects.count(),
        "initiatives": Initiative.objects.count(),
        "aliases": InitiativeAlias.objects.count(),
        "relations": Initiative.related.through.objects.count() // 2,
        "documents": documents["rows"] or 0,
        "mentions": mentions["rows"] or 0,
    }
    characters = (documents["characters"] or 0) + (mentions["characters"] or 0)
    return DatasetSummary(
        tables=[TableSummary(table, counts[table.name]) for table in TABLES],
        body_characters=documents["characters"] or 0,
        approximate_json_bytes=3 * characters + 200 * sum(counts.values()),
    )


# Reading ---------------------------------------------------------------------------------------


def dataset_read_path(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DatasetError(f"文件过大：{size} 字节，上限 {max_bytes} 字节")
        data = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"无法读取 {path}：{error.strerror}") from error
    return dataset_read(data, max_bytes=max_bytes)


def dataset_read(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    """The tables of a JSON export or a zip of CSV files, with CSV values typed as in JSON."""
    if len(data) > max_bytes:
        raise DatasetError(f"文件过大：{len(data)} 字节，上限 {max_bytes} 字节")
    if data[:4] == b"PK\x03\x04":
        return _read_zip(data, max_bytes=max_bytes)
    return _read_json(data)


def _reject_constant(name):
    raise ValueError(f"不是合法的 JSON 数值：{name}")


def _read_json(data: bytes) -> dict:
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_constant=_reject_constant)
    except UnicodeDecodeError as error:
        raise DatasetError(f"既不是 zip 也不是 UTF-8 的 JSON 文件（第 {error.start} 字节无法解码）") from error
    except RecursionError as error:
        raise DatasetError("JSON 嵌套过深") from error
    except ValueError as error:
        raise DatasetError(f"不是合法的 JSON：{error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DatasetError(f'不是本档案导出的数据集（缺少 "format": "{FORMAT}"）')
    if document.get("version") != VERSION:
        raise DatasetError(f"不支持的数据集版本：{document.get('version')!r}（支持 {VERSION}）")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise DatasetError('缺少 "tables" 对象')
    problems = []
    for table in TABLES:
        rows = tables.get(table.name)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            problems.append(f"表 {table.name}：缺少，或不是由对象组成的列表")
    unknown = sorted(set(tables) - set(TABLES_BY_NAME))
    if unknown:
        problems.append(f"未知的表：{'、'.join(unknown)}")
    if problems:
        raise DatasetError(problems)
    return {table.name: tables[table.name] for table in TABLES}


def _read_zip(data: bytes, *, max_bytes: int) -> dict:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise DatasetError(f"不是完好的 zip 文件：{error}") from error
    names = {info.filename for info in infos}
    expected = {table.csv_filename for table in TABLES}
    unknown = sorted(names - expected - {README_NAME, COLUMNS_NAME})
    missing = sorted(expected - names)
    if unknown or missing:
        problems = [f"zip 中缺少 {name}" for name in missing] + [f"zip 中有未知的文件 {name}" for name in unknown]
        raise DatasetError(problems)
    if sum(info.file_size for info in infos if info.filename in expected) > max_bytes:
        raise DatasetError(f"解压后过大：上限 {max_bytes} 字节")
    tables = {}
    for table in TABLES:
        try:
            raw = archive.read(table.csv_filename)
            text = raw.decode(CSV_ENCODING)
        except UnicodeDecodeError as error:
            raise DatasetError(f"{table.csv_filename}：不是 UTF-8 文本（第 {error.start} 字节）") from error
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
            raise DatasetError(f"{table.csv_filename}：无法解压（{error}）") from error
        tables[table.name] = _csv_rows(table, text, max_field=max_bytes)
    return tables


INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")
DECIMAL_TEXT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?")


def _csv_rows(table: Table, text: str, *, max_field: int) -> list[dict]:
    """A CSV file's rows as JSON would have them: '' is null in nullable columns, numbers parsed."""
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(previous_limit, max_field))
    problems = []
    rows = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            raise DatasetError(f"{table.csv_filename}：文件为空，缺少列名行")
        missing = [name for name in table.column_names if name not in header]
        unknown = [name for name in header if name not in table.column_names]
        if missing or unknown or len(set(header)) != len(header):
            raise DatasetError(
                f"{table.csv_filename}：列名应为 {','.join(table.column_names)}"
                + (f"；缺少 {','.join(missing)}" if missing else "")
                + (f"；未知 {','.join(unknown)}" if unknown else "")
            )
        for number, values in enumerate(reader, start=1):
            if len(values) != len(header):
                problems.append(f"{table.name} 表第 {number} 行：应有 {len(header)} 列，实有 {len(values)} 列")
                continue
            row = {}
            for column_name, value in zip(header, values, strict=True):
                column = next(c for c in table.columns if c.name == column_name)
                try:
                    row[column_name] = _csv_value(column, value)
                except ValueError as error:
                    problems.append(f"{table.name} 表第 {number} 行，列 {column_name}：{error}")
            rows.append(row)
            if len(problems) >= MAX_REPORTED_PROBLEMS:
                break
    except csv.Error as error:
        raise DatasetError(f"{table.csv_filename}：CSV 格式错误（{error}）") from error
    finally:
        csv.field_size_limit(previous_limit)
    if problems:
        raise DatasetError(problems)
    return rows


def _csv_value(column: Column, value: str):
    if value == "" and column.nullable:
        return None
    if column.type == INTEGER:
        if not INTEGER_TEXT.fullmatch(value):
            raise ValueError(f"不是整数：{value[:40]!r}")
        return int(value)
    if column.type == DECIMAL:
        if not DECIMAL_TEXT.fullmatch(value):
            raise ValueError(f"不是小数：{value[:40]!r}")
        return float(value)
    return value


# Loading ---------------------------------------------------------------------------------------


def dataset_load_path(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, int]:
    return dataset_load(tables=dataset_read_path(path, max_bytes=max_bytes))


def dataset_load(*, tables: dict) -> dict[str, int]:
    """Load a dataset into an archive that holds no reports, categories or initiatives yet (the
    gazetteer's cities may be there: rows are matched by adcode and take the dataset's values).

    All or nothing: every row is checked first (types, lengths, references, uniqueness, each
    passage against its report's text) and DatasetError lists the problems by table, row and
    column. Report and mention ids are kept. Returns the number of rows per table."""
    checked = _Checker(tables).check()
    try:
        with transaction.atomic():
            _refuse_unless_empty()
            _write(checked)
    except IntegrityError as error:
        raise DatasetError(f"数据库拒绝写入，未写入任何数据：{error}") from error
    return {name: len(rows) for name, rows in tables.items()}


def _refuse_unless_empty() -> None:
    present = [
        f"{label} {count}"
        for label, count in [
            ("报告", Document.objects.count()),
            ("政策领域", Category.objects.count()),
            ("改革举措", Initiative.objects.count()),
        ]
        if count
    ]
    if present:
        raise DatasetError(
            f"档案不是空的（已有{'、'.join(present)}）：数据集只能载入没有报告和改革举措的档案，"
            "例如刚运行过 migrate 的新数据库"
        )


@dataclass
class _Checked:
    cities: list[City]
    categories: list[Category]
    initiatives: list[tuple[Initiative, str]]
    aliases: list[tuple[InitiativeAlias, str]]
    relations: list[tuple[str, str]]
    documents: list[tuple[Document, str]]
    mentions: list[tuple[Mention, int, str]]


class _Checker:
    """Every row of every table checked before anything is written."""

    def __init__(self, tables: dict):
        self.tables = tables
        self.problems: list[str] = []

    def problem(self, table: str, number: int, column: str, message) -> None:
        where = f"{table} 表第 {number} 行" + (f"，列 {column}" if column else "")
        self.problems.append(f"{where}：{message}")
        if len(self.problems) >= MAX_REPORTED_PROBLEMS:
            raise DatasetError([*self.problems, "……（只列出前 50 个问题）"])

    def check(self) -> _Checked:
        cities = self._model_rows("cities", City, key="slug")
        categories = self._model_rows("categories", Category, key="slug")
        initiatives = self._model_rows("initiatives", Initiative, key="slug", references={"category": categories})
        aliases = self._model_rows("aliases", InitiativeAlias, key="name", references={"initiative": initiatives})
        self._unique("cities", cities, "adcode")
        self._unique("categories", categories, "name")
        self._unique("initiatives", initiatives, "name")
        names = {values["name"] for values in initiatives.values()}
        for name, values in aliases.items():
            if name in names:
                self.problem("aliases", values["_number"], "name", "与某项改革举措的名称相同")
        relations = self._relations(initiatives)
        documents = self._model_rows("documents", Document, key="id", references={"city": cities}, derived={"url"})
        mentions = self._model_rows(
            "mentions",
            Mention,
            key="id",
            references={"document": documents, "initiative": initiatives},
            derived={"paragraph", "passage"},
        )
        self._documents(documents)
        self._mentions(mentions, documents)
        if self.problems:
            raise DatasetError(self.problems)
        return self._instances(cities, categories, initiatives, aliases, relations, documents, mentions)

    def _rows(self, name: str) -> list[dict]:
        table = TABLES_BY_NAME[name]
        rows = self.tables.get(name)
        if not isinstance(rows, list):
            raise DatasetError(f"缺少表 {name}")
        good = []
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                self.problem(name, number, "", "不是对象")
                continue
            missing = [column for column in table.column_names if column not in row]
            unknown = [column for column in row if column not in table.column_names]
            if missing or unknown:
                self.problem(
                    name,
                    number,
                    "",
                    (f"缺少列 {','.join(missing)}" if missing else "")
                    + ("；" if missing and unknown else "")
                    + (f"未知的列 {','.join(map(str, unknown))}" if unknown else ""),
                )
                continue
            ok = True
            for column in table.columns:
                message = _type_problem(column, row[column.name])
                if message:
                    self.problem(name, number, column.name, message)
                    ok = False
            if ok:
                good.append((number, row))
        return good

    def _model_rows(self, name, model, *, key, references=None, derived=()):
        """{key: values} for rows that are well typed, fit the model's fields and whose references
        resolve; problems recorded for the others."""
        references = references or {}
        by_key: dict = {}
        for number, row in self._rows(name):
            if row[key] in by_key:
                self.problem(name, number, key, f"重复：{row[key]!r}")
                continue
            for column, targets in references.items():
                if row[column] not in targets:
                    target_table = next(c for c in TABLES_BY_NAME[name].columns if c.name == column).references
                    self.problem(name, number, column, f"{target_table} 中没有 {row[column]!r}")
                    break
            else:
                values = {
                    column: _model_value(model, column, value)
                    for column, value in row.items()
                    if column not in derived and column not in references
                }
                instance = model(**{("pk" if column == "id" else column): value for column, value in values.items()})
                try:
                    instance.clean_fields(exclude=[*references, "content_hash", "raw_text"])
                except ValidationError as error:
                    for field_name, messages in error.message_dict.items():
                        self.problem(name, number, field_name, "；".join(messages))
                    continue
                by_key[row[key]] = {**row, "_number": number}
        return by_key

    def _unique(self, name, rows: dict, column: str) -> None:
        seen = set()
        for values in rows.values():
            if values[column] in seen:
                self.problem(name, values["_number"], column, f"重复：{values[column]!r}")
            seen.add(values[column])

    def _relations(self, initiatives) -> list[tuple[str, str]]:
        pairs = set()
        for number, row in self._rows("relations"):
            a, b = row["initiative"], row["related"]
            if a not in initiatives or b not in initiatives:
                self.problem("relations", number, "", f"initiatives.slug 中没有 {a if a not in initiatives else b!r}")
            elif a == b:
                self.problem("relations", number, "related", "改革举措不能与自身相关")
            elif (pair := tuple(sorted((a, b)))) in pairs:
                self.problem("relations", number, "", "重复的关系")
            else:
                pairs.add(pair)
        return sorted(pairs)

    def _documents(self, documents) -> None:
        hashes: dict[str, int] = {}
        for pk, values in documents.items():
            number = values["_number"]
            if pk < 1:
                self.problem("documents", number, "id", "编号必须是正整数")
            start, end = values["year_start"], values["year_end"]
            if end is not None and (start is None or end < start):
                self.problem("documents", number, "year_end", "结束年份不能早于起始年份，有结束年份时必须有起始年份")
            digest = content_hash_of(values["body"])
            if digest in hashes:
                self.problem("documents", number, "body", f"与 id {hashes[digest]} 的正文相同（重复的报告）")
            hashes[digest] = pk
            values["_hash"] = digest

    def _mentions(self, mentions, documents) -> None:
        passages = set()
        for pk, values in mentions.items():
            number = values["_number"]
            body = documents[values["document"]]["body"]
            start, end = values["start"], values["end"]
            if pk < 1:
                self.problem("mentions", number, "id", "编号必须是正整数")
            if not 0 <= start < end <= len(body):
                self.problem("mentions", number, "end", f"位置 {start}–{end} 不在正文（{len(body)} 字）之内")
                continue
            if body[start:end] != values["passage"]:
                self.problem(
                    "mentions", number, "passage", f"与正文 body[{start}:{end}] 不符：正文为 {body[start:end][:30]!r}"
                )
            if body.count("\n", 0, start) + 1 != values["paragraph"]:
                self.problem("mentions", number, "paragraph", f"应为 {body.count(chr(10), 0, start) + 1}")
            passage = (values["document"], values["initiative"], start, end)
            if passage in passages:
                self.problem("mentions", number, "", "同一报告、同一改革举措、同一位置的提及重复")
            passages.add(passage)

    def _instances(self, cities, categories, initiatives, aliases, relations, documents, mentions) -> _Checked:
        def fields(model, values, *, skip=()):
            return {
                ("pk" if column == "id" else column): _model_value(model, column, value)
                for column, value in values.items()
                if not column.startswith("_") and column not in skip
            }

        return _Checked(
            cities=[City(**fields(City, values)) for values in cities.values()],
            categories=[Category(**fields(Category, values)) for values in categories.values()],
            initiatives=[
                (Initiative(**fields(Initiative, values, skip={"category"})), values["category"])
                for values in initiatives.values()
            ],
            aliases=[(InitiativeAlias(name=values["name"]), values["initiative"]) for values in aliases.values()],
            relations=relations,
            documents=[
                (
                    Document(
                        **fields(Document, values, skip={"city", "url"}),
                        raw_text=values["body"],
                        content_hash=values["_hash"],
                    ),
                    values["city"],
                )
                for values in documents.values()
            ],
            mentions=[
                (
                    Mention(
                        **fields(Mention, values, skip={"document", "initiative", "paragraph", "passage"}),
                        status=MentionStatus.CONFIRMED,
                    ),
                    values["document"],
                    values["initiative"],
                )
                for values in mentions.values()
            ],
        )


def _type_problem(column: Column, value) -> str:
    if value is None:
        return "" if column.nullable else "不能为空"
    if column.type == INTEGER:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
            return ""
        return f"应为整数：{str(value)[:40]!r}"
    if column.type == DECIMAL:
        return (
            "" if isinstance(value, int | float) and not isinstance(value, bool) else f"应为数值：{str(value)[:40]!r}"
        )
    if not isinstance(value, str):
        return f"应为文本：{str(value)[:40]!r}"
    if column.type == DATE:
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                raise ValueError
            datetime.date.fromisoformat(value)
        except ValueError:
            return f"应为日期 YYYY-MM-DD：{value[:40]!r}"
    if column.type == DATETIME:
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return f"应为 ISO 8601 时间：{value[:40]!r}"
        if moment.tzinfo is None:
            return f"时间须带时区：{value[:40]!r}"
    return ""


def _model_value(model, column: str, value):
    """A JSON value as the model field takes it (the value is already known to be well typed)."""
    if value is None:
        return None
    if model is City and column in {"longitude", "latitude"}:
        try:
            return Decimal(repr(float(value))).quantize(Decimal("0.000001"))
        except InvalidOperation:
            return Decimal("NaN")  # clean_fields reports it
    if model is Document and column == "published_on":
        return datetime.date.fromisoformat(value)
    if model is Mention and column == "confirmed_at":
        return datetime.datetime.fromisoformat(value)
    return value


def _write(checked: _Checked) -> None:
    """Bulk inserts (no per-row signals: the search index is rebuilt afterwards as a whole)."""
    existing = City.objects.in_bulk([city.adcode for city in checked.cities], field_name="adcode")
    changed_fields = ["name", "short_name", "slug", "province", "level", "longitude", "latitude"]
    to_update = []
    for city in checked.cities:
        if current := existing.get(city.adcode):
            if any(getattr(current, name) != getattr(city, name) for name in changed_fields):
                for name in changed_fields:
                    setattr(current, name, getattr(city, name))
                to_update.append(current)
    taken = City.objects.filter(slug__in=[city.slug for city in checked.cities]).exclude(
        adcode__in=[city.adcode for city in checked.cities]
    )
    if clash := list(taken.values_list("slug", flat=True)):
        raise DatasetError(f"cities 表：拼音标识 {'、'.join(clash)} 已被地名表中其他城市使用")
    City.objects.bulk_update(to_update, changed_fields)
    City.objects.bulk_create([city for city in checked.cities if city.adcode not in existing])
    cities = dict(City.objects.filter(adcode__in=[c.adcode for c in checked.cities]).values_list("slug", "pk"))

    Category.objects.bulk_create(checked.categories)
    categories = dict(Category.objects.values_list("slug", "pk"))
    for initiative, category in checked.initiatives:
        initiative.category_id = categories[category]
    Initiative.objects.bulk_create([initiative for initiative, _category in checked.initiatives])
    initiatives = dict(Initiative.objects.values_list("slug", "pk"))
    for alias, initiative in checked.aliases:
        alias.initiative_id = initiatives[initiative]
    InitiativeAlias.objects.bulk_create([alias for alias, _initiative in checked.aliases])
    through = Initiative.related.through
    through.objects.bulk_create(
        through(from_initiative_id=initiatives[x], to_initiative_id=initiatives[y])
        for a, b in checked.relations
        for x, y in ((a, b), (b, a))
    )

    for document, city in checked.documents:
        document.city_id = cities[city]
    Document.objects.bulk_create([document for document, _city in checked.documents], batch_size=500)
    for mention, document, initiative in checked.mentions:
        mention.document_id = document
        mention.initiative_id = initiatives[initiative]
    Mention.objects.bulk_create([mention for mention, _document, _initiative in checked.mentions], batch_size=1000)
    _reset_sequences([Document, Mention])

    for document, _city in checked.documents:
        document_facts_extract(document=document)


def _reset_sequences(models) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; the next report would collide (SQLite
    needs nothing)."""
    connection = connections[router.db_for_write(models[0])]
    statements = connection.ops.sequence_reset_sql(_no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _no_style():
    from django.core.management.color import no_style

    return no_style()
