"""Security: markup in reports and curated data is shown as text everywhere, anonymous clients are
refused what they may not do, the admin login is rate-limited, and the security headers are sent."""

import hashlib
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from archive.models import Category, City, Document, Initiative, InitiativeAlias, Mention, MentionStatus
from archive.search.indexing import index_rebuild

SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
IMG_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
MARKER = "防注入测试"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests log in over and over; the strength of the hash is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hostile(seeded, search_dir):
    """A report, an initiative (name, alias, description), a policy area and a confirmed mention,
    each carrying script markup, on top of the seed archive, with the search index built."""
    category = Category.objects.create(name=f"政策{SCRIPT}", name_en=f"Policy {IMG}", slug="hostile", order=99)
    initiative = Initiative.objects.create(
        name=f"测试举措{SCRIPT}", slug="hostile-initiative", category=category, description=f"说明{SCRIPT}{IMG}"
    )
    InitiativeAlias.objects.create(initiative=initiative, name=f"别名{IMG}")
    passage = f"推行{initiative.name}，{IMG}成效明显。"
    body = f"{MARKER}：{SCRIPT}。\n{passage}\n第三段没有标记。"
    document = Document.objects.create(
        title=f"报告{SCRIPT}{IMG}",
        city=City.objects.get(slug="zhuzhou"),
        year_start=2021,
        year_end=2022,
        source=f"来源{SCRIPT}",
        authors=f"作者{IMG}、第二作者",
        body=body,
        raw_text=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
    )
    start = body.index(passage)
    mention = Mention.objects.create(
        document=document,
        initiative=initiative,
        start=start,
        end=start + len(passage),
        year=2021,
        status=MentionStatus.CONFIRMED,
    )
    index_rebuild()
    return {"document": document, "initiative": initiative, "mention": mention}


def assert_shown_as_text(response, *, shown=True):
    """None of the markup is in the page as markup; where the page shows the hostile data, it is
    there escaped."""
    url = response.wsgi_request.get_full_path()
    assert response.status_code == 200, (url, response.status_code)
    page = response.content.decode()
    for raw in (SCRIPT, IMG, "<script>alert", "<img src=x", "onerror=alert(1)>"):
        assert raw not in page, f"{raw!r} rendered as markup in {url}"
    if shown:
        assert SCRIPT_ESCAPED in page or IMG_ESCAPED in page, url


def public_pages(hostile):
    document, initiative = hostile["document"], hostile["initiative"]
    return [
        "/cities/zhuzhou/",
        "/cities/zhuzhou/?category=hostile",
        document.get_absolute_url(),
        f"{document.get_absolute_url()}?q={MARKER}",
        f"/search/?q={MARKER}",
        "/search/?q=成效明显",
        "/initiatives/",
        initiative.get_absolute_url(),
        "/compare/",
        "/compare/?cities=zhuzhou&cities=xiangtan",
        f"/en{document.get_absolute_url()}",
        f"/en{initiative.get_absolute_url()}",
        "/en/compare/?cities=zhuzhou",
        f"/api/documents/{document.pk}/?format=api",
        f"/api/initiatives/{initiative.slug}/?format=api",
    ]


def test_markup_in_reports_and_initiatives_is_text_on_every_public_page(client, hostile):
    pages = public_pages(hostile)
    for url in ["/", "/cities/", "/en/"]:  # pages that list cities, not reports
        assert_shown_as_text(client.get(url), shown=False)
    for url in pages:
        assert_shown_as_text(client.get(url))


def test_each_hostile_field_appears_escaped_where_it_is_shown(client, hostile):
    document_page = client.get(hostile["document"].get_absolute_url()).content.decode()
    assert f"报告{SCRIPT_ESCAPED}{IMG_ESCAPED}" in document_page  # title
    assert f"来源{SCRIPT_ESCAPED}" in document_page and f"作者{IMG_ESCAPED}" in document_page
    assert f"{MARKER}：{SCRIPT_ESCAPED}" in document_page  # body
    initiative_page = client.get(hostile["initiative"].get_absolute_url()).content.decode()
    assert f"测试举措{SCRIPT_ESCAPED}" in initiative_page  # name
    assert f"别名{IMG_ESCAPED}" in initiative_page  # alias
    assert f"说明{SCRIPT_ESCAPED}{IMG_ESCAPED}" in initiative_page  # description
    assert f"{IMG_ESCAPED}成效明显" in initiative_page  # evidence passage
    search_page = client.get("/search/", {"q": MARKER}).content.decode()
    assert f"报告{SCRIPT_ESCAPED}" in search_page
    assert f"<mark>{MARKER}</mark>：{SCRIPT_ESCAPED}" in re.sub(r"<mark[^>]*>", "<mark>", search_page)  # snippet


def test_a_query_made_of_markup_is_echoed_as_text(client, hostile):
    for url in ["/search/", "/en/search/"]:
        response = client.get(url, {"q": f"{SCRIPT} {IMG}"})
        page = response.content.decode()
        assert SCRIPT not in page and IMG not in page
        assert SCRIPT_ESCAPED in page
    assert SCRIPT not in client.get("/api/search/", {"q": SCRIPT}).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/archive/document/",
        "/admin/archive/document/{document}/change/",
        "/admin/archive/initiative/",
        "/admin/archive/initiative/{initiative}/change/",
        "/admin/archive/mention/",
        "/admin/archive/mention/{mention}/change/",
        "/admin/archive/category/",
    ],
)
def test_admin_shows_markup_as_text(admin_client, hostile, url):
    ids = {name: obj.pk for name, obj in hostile.items()}
    assert_shown_as_text(admin_client.get(url.format(**ids)))


# Anonymous clients


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/documents/"),
        ("put", "/api/documents/{document}/"),
        ("patch", "/api/documents/{document}/"),
        ("delete", "/api/documents/{document}/"),
        ("post", "/api/initiatives/"),
        ("put", "/api/initiatives/hezhangzhi/"),
        ("delete", "/api/initiatives/hezhangzhi/"),
        ("post", "/api/cities/"),
        ("patch", "/api/cities/zhuzhou/"),
        ("post", "/api/search/"),
        ("post", "/api/compare/"),
    ],
)
def test_api_refuses_anonymous_writes(client, seeded, method, url):
    document = Document.objects.get(city__slug="zhuzhou")
    response = getattr(client, method)(
        url.format(document=document.pk), data='{"title": "x"}', content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert Document.objects.get(pk=document.pk).title == document.title


def test_api_has_no_write_endpoints_even_for_staff(admin_client, seeded):
    document = Document.objects.get(city__slug="zhuzhou")
    response = admin_client.patch(
        f"/api/documents/{document.pk}/", data='{"title": "x"}', content_type="application/json"
    )
    assert response.status_code == 405


def test_api_does_not_take_basic_auth(client, seeded):
    """Only the admin's session logs in (and is rate-limited): a password in a header is not even tried."""
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    response = client.post(
        "/api/documents/", HTTP_AUTHORIZATION="Basic Y3VyYXRvcjpjb3JyZWN0IGhvcnNlIGJhdHRlcnkgc3RhcGxl"
    )
    assert response.status_code == 403


def test_admin_sends_anonymous_visitors_to_the_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/")
    assert client.get("/admin/archive/document/").status_code == 302


def test_admin_login_without_csrf_token_is_refused(db):
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "curator", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_every_post_form_carries_a_csrf_token(client, admin_client, hostile):
    urls = ["/", "/cities/", *public_pages(hostile)[:10]]
    pages = [client.get(url).content.decode() for url in urls]
    pages += [client.get("/admin/login/").content.decode()]
    pages += [admin_client.get(f"/admin/archive/document/{hostile['document'].pk}/change/").content.decode()]
    post_forms = [
        form
        for page in pages
        for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S | re.I)
        if re.search(r'method="post"', form, flags=re.I)
    ]
    assert len(post_forms) >= 2
    for form in post_forms:
        assert 'name="csrfmiddlewaretoken"' in form


@pytest.mark.parametrize("url", ["/", "/en/cities/zhuzhou/", "/api/cities/", "/admin/login/"])
def test_security_headers_on_every_response(client, seeded, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_http_only(client, db):
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    client.post("/admin/login/", {"username": "curator", "password": PASSWORD, "next": "/admin/"})
    assert client.cookies["sessionid"]["httponly"]


# Admin login rate limiting (django-axes)


def log_in(client, password, address="127.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "curator", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)


def test_correct_login_works(client, curator):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_five_wrong_passwords_lock_out_even_the_right_one(client, curator, caplog):
    for attempt in range(4):
        assert log_in(client, f"wrong {attempt}").status_code == 200  # the form again, with its error
    with caplog.at_level(logging.WARNING):
        locked = log_in(client, "wrong 4")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode() and "15 分钟" in locked.content.decode()
    assert any("Locking out" in record.getMessage() for record in caplog.records)

    refused = log_in(client, PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_lockout_is_per_username_and_address(client, curator):
    for attempt in range(5):
        log_in(client, f"wrong {attempt}")
    assert log_in(Client(), PASSWORD, address="192.0.2.7").status_code == 302


def test_axes_reset_unlocks(client, curator):
    for attempt in range(5):
        log_in(client, f"wrong {attempt}")
    assert log_in(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "curator", stdout=open("/dev/null", "w"))
    assert log_in(client, PASSWORD).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, curator):
    for attempt in range(4):
        log_in(client, f"wrong {attempt}")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        assert log_in(client, f"again wrong {attempt}").status_code == 200
