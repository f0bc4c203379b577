"""Every kind of page under the Content-Security-Policy, in Chromium: the policy is sent and nothing
on the page breaks it (conftest.py turns each violation into a console error, which fails the test).
Charts, the API browser, the admin and the review screen all load scripts and styles of their own."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from archive.models import Document
from archive.services.curation import CURATOR_GROUP
from tests.browser.conftest import wait_for_chart

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/cities/",
    "/cities/zhuzhou/",
    "/initiatives/",
    "/search/?q=河长制",
    "/data/",
    "/en/compare/?cities=zhuzhou&cities=xiangtan",
    "/api/",
    "/api/cities/zhuzhou/",
    "/api/documents/?city=zhuzhou",
    "/api/search/?q=河长",
]


def assert_policy(response):
    policy = response.header_value("content-security-policy") or ""
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, policy


def test_public_pages_and_the_api_browser_keep_to_the_policy(page):
    for url in PUBLIC:
        response = page.goto(url)
        assert response.status == 200, url
        assert_policy(response)
    # The API browser's menus work: they are Bootstrap's scripts, loaded from static files.
    page.goto("/api/documents/")
    page.locator('button[data-target="#filtersModal"]').click()
    expect(page.locator("#filtersModal")).to_be_visible()


def test_charts_and_the_document_page_keep_to_the_policy(page):
    page.goto("/cities/zhuzhou/")
    wait_for_chart(page, "timeline")
    page.goto("/compare/")
    wait_for_chart(page, "category-counts")
    page.goto("/initiatives/hezhangzhi/")
    wait_for_chart(page, "adoption-map")
    wait_for_chart(page, "diffusion")
    document = Document.objects.get(city__slug="zhuzhou")
    assert_policy(page.goto(f"{document.get_absolute_url()}?q=河长"))
    expect(page.locator("mark").first).to_be_visible()


def test_the_admin_and_the_review_screen_keep_to_the_policy(page):
    user = User.objects.create_user("lin", password="a long curator password", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    assert_policy(page.goto("/admin/login/"))
    page.fill("#id_username", "lin")
    page.fill("#id_password", "a long curator password")
    page.click("input[type=submit]")
    expect(page.locator("#curation-module")).to_be_visible()
    document = Document.objects.get(city__slug="xuchang")
    for url in [
        "/admin/archive/document/",
        f"/admin/archive/document/{document.pk}/change/",
        f"/admin/archive/document/{document.pk}/review/",
        "/admin/archive/documenttoreview/",
        "/admin/archive/document/upload/",
        "/admin/archive/initiative/",
        "/admin/archive/initiative/add/",
        "/admin/archive/mention/",
        "/admin/archive/datedevent/",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        assert_policy(response)
    # The review screen's own script ran: its "select a passage to tag" form is wired up.
    page.goto(f"/admin/archive/document/{document.pk}/review/")
    page.wait_for_load_state("load")
