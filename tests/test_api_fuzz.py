"""Hostile input gets a clear 4xx or a message, never a server error, and writes nothing.

schemathesis generates requests from /api/schema/ and sends them through the WSGI application in
this process (no network); explicit cases cover what a schema cannot describe (bytes that are not
UTF-8, NUL, absurd page numbers)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from archive.models import Document, Initiative, Mention, SearchQueueEntry

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _rows(indexed):
    """Counts of what a request could write; the same after any request."""
    return lambda: (Document.objects.count(), Mention.objects.count(), Initiative.objects.count())


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_answers_every_generated_request_without_a_server_error(case, _rows):
    before = _rows()
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    assert _rows() == before and not SearchQueueEntry.objects.exists()


HOSTILE_QUERIES = [
    "改革" * 5000,  # 10,000 characters
    "河" * 1001,  # over the form's limit
    "!!!???...，。、；：“”‘’（）《》【】",
    '"河长制',
    "河长制)",
    "((((((((((河长",
    "「」『』“”",
    "河长\x00制",
    "\x00",
    "-",
    "- - - NOT OR AND",
    "OR OR OR",
    "NOT",
    "*?*?*",
    "\\",
    "%00%ff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    " " * 600,
    " ".join(["改革"] * 40),
]


def test_hostile_queries_are_answered_or_refused_clearly(client, indexed):
    for query in HOSTILE_QUERIES:
        for url in ("/search/", "/api/search/"):
            response = client.get(url, {"q": query})
            assert response.status_code in {200, 400}, (url, query[:20], response.status_code)
            if response.status_code == 400:
                body = response.content.decode()
                assert ("errors" in response.json()) if url.startswith("/api/") else "检索条件有误" in body


NOT_UTF8 = [
    b"q=%FF%FE%FD",  # not UTF-8
    b"q=%E6%B2%B3%E9%95",  # UTF-8 cut in the middle of a character
    b"q=%C0%80",  # overlong NUL
    b"q=%00%00",
    b"q=%ED%A0%80",  # an encoded surrogate
    b"city=%FF&q=%E6%B2%B3",
    b"q=&q=&q=",
    b"q[]=1&q[x]=2",
    b"%FF=%FF",
    b"q=" + b"%E6%B2%B3" * 3000,
]


def test_bytes_that_are_not_utf8_in_the_query_string_never_cause_a_server_error(client, indexed):
    for query_string in NOT_UTF8:
        for path in ("/search/", "/api/search/", "/api/documents/", "/compare/", "/cities/"):
            response = client.generic("GET", path, QUERY_STRING=query_string.decode("latin-1"))
            assert response.status_code < 500, (path, query_string[:40], response.status_code)


ABSURD_SEARCH = [
    {"page": "99999999999999999999"},
    {"page": "10001"},
    {"page": "-1"},
    {"page": "1e9"},
    {"page": "NaN"},
    {"page_size": "-5"},
    {"page_size": "0"},
    {"page_size": "99999999999999999999"},
    {"page_size": "1.5"},
    {"year": "99999999999999999999"},
    {"year": "-2020"},
    {"sort": "relevance; DROP TABLE archive_document"},
    {"city": "x" * 10_000},
]


def test_absurd_search_parameters_are_a_400_with_a_message(client, indexed):
    for params in ABSURD_SEARCH:
        api = client.get("/api/search/", {"q": "改革", **params})
        assert api.status_code == 400 and api.json()["errors"], params
        page = client.get("/search/", {"q": "改革", **params})
        assert page.status_code == 400 and "检索条件有误" in page.content.decode(), params


ABSURD_LIST = [
    {"page": "99999999999999999999"},
    {"page": "-1"},
    {"page": "0"},
    {"page_size": "-5"},
    {"page_size": "0"},
    {"page_size": "99999999999999999999"},
    {"year": "99999999999999999999"},
    {"year": "abc"},
    {"city": "\x00"},
]


def test_absurd_list_parameters_never_cause_a_server_error(client, indexed):
    for params in ABSURD_LIST:
        for path in ("/api/documents/", "/api/cities/", "/api/initiatives/"):
            response = client.get(path, params)
            assert response.status_code in {200, 400, 404}, (path, params, response.status_code)


def test_anonymous_writes_are_refused_and_write_nothing(client, indexed):
    before = Document.objects.count()
    for path in ("/api/documents/", "/api/documents/1/", "/api/cities/", "/api/initiatives/", "/api/search/"):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path, data={"title": "x"}, content_type="application/json")
            assert response.status_code in {403, 405}, (method, path, response.status_code)
    assert Document.objects.count() == before
