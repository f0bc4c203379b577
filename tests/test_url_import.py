"""Importing a report from a web address: the service, the command, the admin and the provenance shown
and exported. Pages come from a local HTTP server serving saved pages; nothing reaches the internet."""

import functools
import threading
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from archive.dataset import dataset_tables
from archive.importing import ReportRejected
from archive.models import Document
from archive.services import document_import_from_url
from archive.services.curation import CURATOR_GROUP

PAGES = Path(__file__).parent / "importing" / "pages"


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = {".html": "text/html"}  # no charset: the GBK page says it only in its <meta>

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(PAGES)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local_fetching(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the test server is on loopback
    settings.FETCH_TIMEOUT_SECONDS = 5


@pytest.mark.django_db
def test_a_page_is_imported_with_its_address_and_fetch_time_as_provenance(pages, local_fetching):
    result = document_import_from_url(url=f"{pages}/zhuzhou_gbk.html")
    document = result.document
    assert (document.city.slug, document.title) == ("zhuzhou", "株洲市全面深化改革工作综述")
    assert document.published_on == date(2019, 1, 10)  # from <meta name="PubDate">
    assert (document.year_start, document.year_end) == (2018, 2018)  # 过去的一年, published 2019
    assert document.source == "株洲日报"
    assert document.source_url == f"{pages}/zhuzhou_gbk.html" and document.fetched_at is not None
    assert document.extra["portal"]["发布机构"] == "株洲市人民政府办公室"
    assert "版权所有" not in document.body and "当前位置" not in document.body
    assert "抓取自" in result.notes[0]


@pytest.mark.django_db
def test_loopback_addresses_are_refused_by_default_and_nothing_is_written(pages):
    with pytest.raises(ReportRejected, match="本机"):
        document_import_from_url(url=f"{pages}/zhuzhou_gbk.html")
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_import_reports_url(pages, local_fetching):
    out = StringIO()
    call_command("import_reports", "--url", f"{pages}/xuchang_utf8.html", stdout=out)
    assert "imported" in out.getvalue() and "许昌市" in out.getvalue()
    assert Document.objects.get().source_url.endswith("/xuchang_utf8.html")
    with pytest.raises(CommandError, match="1 个网址导入失败"):
        call_command("import_reports", "--url", "file:///etc/passwd", stdout=StringIO())


@pytest.mark.django_db
def test_the_admin_upload_screen_takes_a_web_address(pages, local_fetching, client):
    curator = User.objects.create_user("curator", password="not-used", is_staff=True)
    curator.groups.add(Group.objects.get(name=CURATOR_GROUP))
    client.force_login(curator)
    response = client.post("/admin/archive/document/upload/", {"url": f"{pages}/xuchang_utf8.html"})
    assert response.status_code == 200 and "已导入" in response.content.decode()
    refused = client.post("/admin/archive/document/upload/", {"url": "ftp://example.org/a.html"})
    assert "只能抓取 http 或 https 网址" in refused.content.decode()
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_provenance_is_shown_cited_and_exported(pages, local_fetching, client):
    document = document_import_from_url(url=f"{pages}/xuchang_utf8.html").document
    page = client.get(document.get_absolute_url()).content.decode()
    assert f'href="{pages}/xuchang_utf8.html"' in page and "抓取于" in page
    assert "引用本报告" in page and "原载" in page
    api = client.get(f"/api/documents/{document.pk}/").json()
    assert api["source_url"] == document.source_url and api["fetched_at"]
    row = dataset_tables(only=["documents"])["documents"][0]
    assert row["source_url"] == document.source_url and row["fetched_at"].startswith(str(document.fetched_at.year))
