"""What the dataset holds, for the public data page."""

from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.db.models.functions import Length

from archive.dataset.tables import (
    TABLES,
    Table,
)
from archive.models import Category, City, Document, Initiative, InitiativeAlias, Mention


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
