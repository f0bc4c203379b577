"""The edges of the site: error pages in the site's layout and language, the API's root and docs."""

import re

import pytest
from django.test import RequestFactory, override_settings

from archive.views import errors


@pytest.mark.parametrize(
    ("path", "language", "text"),
    [("/no-such-page/", "zh-Hans", "找不到这个页面"), ("/en/no-such-page/", "en", "Page not found")],
)
@override_settings(DEBUG=False)
def test_404_is_the_sites_page_in_the_language_of_the_address(client, db, path, language, text):
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in page and text in page
    assert 'name="viewport"' in page and 'role="search"' in page
    assert 'name="q"' in page and "/search/" in page


@override_settings(DEBUG=False)
def test_unknown_city_and_document_are_404_pages_of_the_site(client, db):
    for path in ["/cities/atlantis/", "/en/documents/999999/"]:
        response = client.get(path)
        assert response.status_code == 404 and 'class="error-code">404<' in response.content.decode()


@pytest.mark.parametrize(
    ("view", "status", "text_zh", "text_en"),
    [
        (errors.bad_request, 400, "请求有误", "Bad request"),
        (errors.permission_denied, 403, "没有访问权限", "Access denied"),
        (errors.server_error, 500, "网站出错了", "Something went wrong"),
    ],
)
@override_settings(DEBUG=False)
def test_error_pages_render_without_the_database_in_both_languages(view, status, text_zh, text_en):
    """No `db` fixture: any query here raises, as it would with the database down."""
    for path, language, text in [("/cities/", "zh-Hans", text_zh), ("/en/cities/", "en", text_en)]:
        request = RequestFactory().get(path)
        response = view(request) if view is errors.server_error else view(request, Exception("x"))
        page = response.content.decode()
        assert response.status_code == status
        assert f'<html lang="{language}">' in page and text in page and f">{status}<" in page
        assert 'role="search"' in page


@override_settings(DEBUG=False)
def test_a_failing_view_gets_the_500_page(client, db, monkeypatch):
    from archive import selectors

    def broken():
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(selectors, "cities_by_province", broken)
    client.raise_request_exception = False
    response = client.get("/en/cities/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


def test_api_root_describes_the_api_as_json(client, db):
    data = client.get("/api/", HTTP_ACCEPT="application/json").json()
    assert data["description"]
    names = {endpoint["name"] for endpoint in data["endpoints"]}
    assert names == {"cities", "documents", "initiatives", "search", "compare"}
    assert data["schema"].endswith("/api/schema/") and data["docs"].endswith("/api/docs/")
    assert data["exports"]["json"].endswith("/api/export/dataset.json")


@pytest.mark.parametrize(("path", "language"), [("/api/", "zh-Hans"), ("/en/api/", "en")])
def test_api_root_is_a_page_of_the_site_for_a_browser(client, db, path, language):
    page = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8").content.decode()
    assert f'<html lang="{language}">' in page
    for link in ["/api/schema/", "/api/docs/", "/api/export/dataset.json", "/api/cities/", "/api/compare/"]:
        assert f'href="http://testserver{link}"' in page


def test_schema_downloads_as_reform_archive_api_yaml(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="reform-archive-api.yaml"'
    assert response.content.startswith(b"openapi:")
    json_response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert json_response["Content-Disposition"] == 'attachment; filename="reform-archive-api.json"'


def test_api_docs_are_served_offline_without_inline_script_or_style(client, db):
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert "<style" not in page and " style=" not in page
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle" in page and "//cdn" not in page
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()
