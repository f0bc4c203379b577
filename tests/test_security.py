"""Security: markup in reports and curated data is shown as text everywhere, anonymous clients are
refused what they may not do, the admin login is rate-limited, the security headers are sent,
anonymous clients are throttled, and request bodies are bounded before anything reads them."""

import hashlib
import io
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from archive.models import Category, City, Document, Initiative, InitiativeAlias, Mention, MentionStatus
from archive.search import rebuild
from archive.services.curation import CURATOR_GROUP

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
    rebuild()
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


def test_a_spoofed_forwarded_address_does_not_escape_the_lockout(client, curator):
    """Without the proxy, X-Forwarded-For is whatever the client sends: it is not the address."""
    for attempt in range(5):
        client.post(
            "/admin/login/", {"username": "curator", "password": f"wrong {attempt}"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )  # fmt: skip
    assert log_in(client, PASSWORD).status_code == 429


def test_one_address_trying_many_usernames_is_locked_out(client, curator, settings):
    """Password spraying: one guess at each of many usernames never reaches the per-username limit,
    but the address as a whole is locked after LOGIN_ADDRESS_FAILURE_LIMIT failures, for every
    username, while other addresses still log in."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(7):
        response = client.post("/admin/login/", {"username": f"user{number}", "password": "123456"})
        assert response.status_code == 200, number  # the form again: each name failed only once
    assert client.post("/admin/login/", {"username": "user7", "password": "123456"}).status_code == 429
    assert log_in(client, PASSWORD).status_code == 429  # even the right password, for another name
    assert log_in(Client(), PASSWORD, address="192.0.2.7").status_code == 302


def test_a_refused_next_after_login_lands_on_the_admin_index(client, curator):
    response = client.post(
        "/admin/login/", {"username": "curator", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


# Curators


@pytest.fixture
def curator_client(seeded):
    user = get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    client = Client()
    client.force_login(user)
    return client


def test_a_curator_can_delete_a_report_with_what_was_extracted_from_it(curator_client):
    document = Document.objects.get(city__slug="zhuzhou")
    assert document.events.exists() and document.figures.exists() and document.candidate_terms.exists()
    url = f"/admin/archive/document/{document.pk}/delete/"
    assert curator_client.get(url).status_code == 200
    response = curator_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()


def test_a_curator_can_delete_a_renamed_initiative(curator_client):
    """A renamed initiative has an old address (InitiativeRedirect) that goes with it."""
    initiative = Initiative.objects.get(slug="hezhangzhi")
    initiative.redirects.create(old_slug="old-hezhangzhi", reason="test")
    response = curator_client.post(f"/admin/archive/initiative/{initiative.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Initiative.objects.filter(pk=initiative.pk).exists()


def test_a_refused_request_is_logged_in_one_line(curator_client):
    """A 403 (a curator outside their permissions) is a warning without a traceback."""
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        assert curator_client.get("/admin/auth/user/").status_code == 403
    finally:
        handler.setStream(previous)
    assert "Forbidden" in stream.getvalue()
    assert "Traceback" not in stream.getvalue()


# Throttling anonymous clients


@pytest.fixture
def low_rates(settings):
    settings.THROTTLE_RATES = {"anon": "100/min", "search": "3/min", "document": "2/min", "export": "1/hour"}
    return settings.THROTTLE_RATES


def test_search_api_over_its_rate_is_a_429_with_retry_after_and_a_message(client, indexed, low_rates):
    for _ in range(3):
        assert client.get("/api/search/", {"q": "河长"}).status_code == 200
    refused = client.get("/api/search/", {"q": "河长"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json() == {"error": f"请求过于频繁，请在 {refused['Retry-After']} 秒后再试。"}


def test_search_page_and_api_share_one_budget_and_the_page_explains_in_both_languages(client, indexed, low_rates):
    assert client.get("/search/", {"q": "河长"}).status_code == 200
    assert client.get("/api/search/", {"q": "河长"}).status_code == 200
    assert client.get("/en/search/", {"q": "河长"}).status_code == 200
    chinese = client.get("/search/", {"q": "河长"})
    assert chinese.status_code == 429 and int(chinese["Retry-After"]) >= 1
    assert "请求过于频繁" in chinese.content.decode() and 'class="site-header"' in chinese.content.decode()
    english = client.get("/en/search/", {"q": "河长"})
    assert english.status_code == 429
    assert "Too many requests" in english.content.decode()


def test_document_pages_and_exports_are_throttled(client, seeded, low_rates):
    url = Document.objects.get(city__slug="zhuzhou").get_absolute_url()
    assert [client.get(url, {"q": "改革"}).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/cities/zhuzhou/").status_code == 200  # other pages are not
    assert [client.get("/api/export/cities.csv").status_code for _ in range(2)] == [200, 429]


def test_the_anonymous_api_budget_covers_every_endpoint(client, seeded, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/min"}
    assert client.get("/api/cities/").status_code == 200
    assert client.get("/api/initiatives/").status_code == 200
    assert client.get("/api/documents/").status_code == 429


def test_each_client_address_has_its_own_budget_whatever_it_claims(client, indexed, low_rates):
    for number in range(3):
        client.get("/api/search/", {"q": "河长"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert client.get("/api/search/", {"q": "河长"}, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429
    assert client.get("/api/search/", {"q": "河长"}, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_curators_are_not_throttled(curator_client, indexed, low_rates):
    statuses = {curator_client.get("/api/search/", {"q": "河长"}).status_code for _ in range(5)}
    statuses |= {curator_client.get("/search/", {"q": "河长"}).status_code for _ in range(5)}
    assert statuses == {200}


# Methods and request sizes


@pytest.mark.parametrize("method", ["post", "put", "delete", "trace"])
@pytest.mark.parametrize(
    "url", ["/", "/cities/", "/cities/zhuzhou/", "/search/", "/compare/", "/initiatives/", "/data/"]
)
def test_public_pages_answer_only_get_and_head(client, seeded, method, url):
    assert getattr(client, method)(url).status_code == 405
    assert client.head(url).status_code == 200


def test_public_document_and_initiative_pages_answer_only_get_and_head(client, seeded):
    for url in [Document.objects.first().get_absolute_url(), "/initiatives/hezhangzhi/", "/en/search/"]:
        assert client.post(url).status_code == 405, url


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def send_body(client, path, length, **extra):
    return client.generic("POST", path, **{"CONTENT_LENGTH": str(length), "wsgi.input": Unreadable(), **extra})


def test_a_big_body_is_refused_before_anything_reads_it(client, db):
    response = send_body(client, "/search/", 60 * 1024 * 1024)
    assert response.status_code == 413
    assert "请求过大" in response.content.decode()
    assert send_body(client, "/api/search/", 65 * 1024).status_code == 413
    assert send_body(client, "/admin/login/", 60 * 1024 * 1024).status_code == 413


def test_a_body_without_a_length_is_refused(client, db):
    assert send_body(client, "/search/", 0, HTTP_TRANSFER_ENCODING="chunked").status_code == 411


def test_the_admin_takes_a_report_sized_body(admin_client, settings):
    """A change form carrying a report at the import limit, percent-encoded, is not refused by size."""
    assert settings.ADMIN_REQUEST_MAX_BYTES >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = "x" * (6 * 1024 * 1024)
    response = admin_client.post("/admin/login/", {"username": "curator", "password": "wrong", "padding": body})
    assert response.status_code != 413


# Content-Security-Policy


@pytest.mark.parametrize("url", ["/", "/search/?q=河长", "/api/cities/?format=api", "/admin/login/", "/healthz"])
def test_content_security_policy_on_every_response(client, seeded, url):
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in client.get(url)["Content-Security-Policy"].split("; ")
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "script-src" not in policy and "style-src" not in policy  # default-src: no 'unsafe-inline'
    assert policy["style-src-attr"] == ["'unsafe-inline'"]  # ECharts' tooltips; not <style> elements


@pytest.mark.parametrize(
    "url", ["/", "/cities/zhuzhou/", "/compare/", "/initiatives/hezhangzhi/", "/api/cities/zhuzhou/?format=api",
            "/api/documents/?format=api"],
)  # fmt: skip
def test_pages_carry_no_inline_script_or_style(client, seeded, url):
    """What the policy would block: <script> with code in it, on*= handlers, style attributes."""
    page = client.get(url).content.decode()
    for script in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S):
        attributes, code = script
        assert "src=" in attributes or 'type="application/json"' in attributes or not code.strip(), script
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page), url
    assert not re.search(r"<[^>]+\sstyle\s*=", page), url
