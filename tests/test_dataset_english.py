"""The exported dataset carries the initiatives' English names and descriptions; a file exported
before they existed still loads."""

import csv
import io
import json
import zipfile

from archive import dataset
from archive.models import Category, Document, Initiative, InitiativeAlias, Mention


def _empty_archive():
    Mention.objects.all().delete()
    Document.objects.all().delete()
    InitiativeAlias.objects.all().delete()
    Initiative.objects.all().delete()
    Category.objects.all().delete()


def test_export_has_english_names_in_json_and_csv(seeded):
    tables = dataset.dataset_tables(only=["initiatives"])
    river = next(row for row in tables["initiatives"] if row["slug"] == "hezhangzhi")
    assert river["name_en"] == "River Chief System" and river["description_en"].startswith("A system")
    archive = zipfile.ZipFile(io.BytesIO(dataset.dataset_zip(dataset.dataset_tables())))
    rows = list(csv.DictReader(io.StringIO(archive.read("initiatives.csv").decode("utf-8-sig"))))
    assert next(row for row in rows if row["slug"] == "hezhangzhi")["name_en"] == "River Chief System"
    assert "name_en" in archive.read("columns.csv").decode("utf-8-sig")


def test_a_dataset_exported_before_english_names_still_loads(seeded):
    tables = json.loads(dataset.dataset_json(dataset.dataset_tables()))
    for row in tables["tables"]["initiatives"]:
        del row["name_en"], row["description_en"]
    _empty_archive()
    dataset.dataset_load(tables=dataset.dataset_read(json.dumps(tables).encode()))
    assert Initiative.objects.count() == len(tables["tables"]["initiatives"])
    assert set(Initiative.objects.values_list("name_en", flat=True)) == {""}
