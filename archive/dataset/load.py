"""Loading checked tables into an empty archive, all or nothing."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction

from archive.dataset.read import dataset_read_path
from archive.dataset.tables import (
    DATE,
    DATETIME,
    DECIMAL,
    DEFAULT_MAX_BYTES,
    INTEGER,
    MAX_REPORTED_PROBLEMS,
    TABLES_BY_NAME,
    Column,
    DatasetError,
)
from archive.models import Category, City, Document, Initiative, InitiativeAlias, Mention, MentionStatus
from archive.services import content_hash_of, document_facts_extract


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
            row = {**{column.name: "" for column in table.columns if column.optional}, **row}
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
    if "\x00" in value:
        return "含有 NUL 字符（U+0000），PostgreSQL 不能保存"
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
    if (model, column) in {(Mention, "confirmed_at"), (Document, "fetched_at")}:
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
