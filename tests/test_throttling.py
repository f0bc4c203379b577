"""Expensive requests in flight: at most EXPENSIVE_PER_CLIENT per client address and EXPENSIVE_MAX
per machine, the rest answered 429 at once with Retry-After, while cheap pages keep answering.

No test here times anything: each holds places itself (as another request, thread or worker
would) and checks what the next request is answered."""

import subprocess
import sys
import textwrap

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archive import throttling
from archive.models import Document

# Pool behaviour


def test_a_pool_gives_out_as_many_places_as_its_size_and_takes_them_back(tmp_path):
    pool = throttling.SlotPool(tmp_path / "pool", 2)
    first, second = pool.take(), pool.take()
    assert first is not None and second is not None
    assert pool.take() is None
    first.release()
    first.release()  # twice is harmless: it must not free someone else's place
    third = pool.take()
    assert third is not None
    assert pool.take() is None
    second.release()
    third.release()


def test_places_held_by_another_process_count_and_come_back_when_it_dies(tmp_path):
    """Another gunicorn worker holding both places (its flock on each file); killed with -9, the
    kernel drops its locks and the places are free again."""
    pool = throttling.SlotPool(tmp_path / "pool", 2)
    (tmp_path / "pool").mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import fcntl, os, sys
                held = []
                for index in range(2):
                    fd = os.open({str(tmp_path / "pool")!r} + f"/{{index}}", os.O_RDWR | os.O_CREAT, 0o600)
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    held.append(fd)
                print("held", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert pool.take() is None
    finally:
        holder.kill()
        holder.wait()
    assert pool.take() is not None


def test_an_ipv6_client_is_its_slash_64_and_an_ipv4_client_its_address(rf):
    def ident(address):
        return throttling.client_ident(rf.get("/", REMOTE_ADDR=address))

    assert ident("2001:db8:1:2:aaaa::1") == ident("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert ident("2001:db8:1:3::1") != ident("2001:db8:1:2::1")
    assert ident("::ffff:192.0.2.7") == ident("192.0.2.7") == "192.0.2.7"
    assert ident("192.0.2.7") != ident("192.0.2.8")


# The middleware


@pytest.fixture
def bounds(settings):
    settings.EXPENSIVE_PER_CLIENT = 2
    settings.EXPENSIVE_MAX = 3
    settings.EXPENSIVE_RETRY_AFTER = 5
    return settings


@pytest.fixture
def report_url(seeded):
    return Document.objects.get(city__slug="zhuzhou").get_absolute_url()


def hold(pool: throttling.SlotPool, count: int) -> list[throttling.Slot]:
    slots = [pool.take() for _ in range(count)]
    assert all(slots)
    return slots


def release(slots):
    for slot in slots:
        slot.release()


def test_a_client_with_its_places_taken_is_answered_429_at_once_in_both_languages(client, bounds, report_url):
    held = hold(throttling.client_slots("127.0.0.1"), 2)
    chinese = client.get(report_url, {"q": "改革"})
    assert chinese.status_code == 429
    assert chinese["Retry-After"] == "5"
    page = chinese.content.decode()
    assert "您已有 2 个检索、报告或导出请求正在处理" in page and 'class="site-header"' in page
    english = client.get("/en" + report_url, {"q": "改革"})
    assert english.status_code == 429 and english["Retry-After"] == "5"
    assert "You already have 2 searches, reports or exports in progress" in english.content.decode()
    # Another address is not affected.
    assert client.get(report_url, {"q": "改革"}, REMOTE_ADDR="192.0.2.7").status_code == 200
    release(held)
    assert client.get(report_url, {"q": "改革"}).status_code == 200


def test_with_every_server_place_taken_expensive_requests_get_429_and_cheap_pages_still_answer(
    client, bounds, indexed, report_url
):
    held = hold(throttling.server_slots(), 3)
    refused = client.get("/api/search/", {"q": "河长"}, REMOTE_ADDR="192.0.2.8")
    assert refused.status_code == 429 and refused["Retry-After"] == "5"
    assert refused.json() == {"error": "服务器正忙于处理其他检索和导出，请在 5 秒后再试。"}
    assert client.get(report_url, REMOTE_ADDR="192.0.2.9").status_code == 429
    english = client.get("/en/search/", {"q": "河长"})
    assert english.status_code == 429
    assert "The server is busy with other searches and exports" in english.content.decode()
    for cheap in ["/", "/healthz", "/cities/zhuzhou/", "/search/", "/en/", "/api/cities/"]:
        assert client.get(cheap).status_code == 200, cheap
    release(held)
    assert client.get("/api/search/", {"q": "河长"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=河长",
        "/concordance/?q=河长",
        "/trends/?q=河长",
        "/api/search/?q=河长",
        "/api/concordance/?q=河长",
        "/api/trends/?q=河长",
        "/api/export/cities.csv",
        "/api/export/dataset.zip",
    ],
)
def test_searches_concordance_trends_and_exports_are_bounded(client, bounds, indexed, url):
    held = hold(throttling.server_slots(), 3)
    assert client.get(url).status_code == 429
    release(held)
    assert client.get(url).status_code == 200


def test_each_request_gives_its_places_back(client, bounds, report_url):
    """Were a place kept after the answer, the fourth request would find none."""
    assert [client.get(report_url, {"q": "改革"}).status_code for _ in range(6)] == [200] * 6
    assert len(hold(throttling.server_slots(), 3)) == 3


def test_a_streamed_export_holds_its_place_until_its_last_chunk(client, bounds, seeded, settings):
    settings.EXPENSIVE_MAX = 1
    response = client.get("/api/export/documents.csv")
    assert response.status_code == 200 and response.streaming
    assert client.get("/api/export/cities.csv", REMOTE_ADDR="192.0.2.7").status_code == 429
    assert b"".join(response.streaming_content)
    assert client.get("/api/export/cities.csv", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_streamed_export_the_client_left_gives_its_place_back(client, bounds, seeded, settings):
    settings.EXPENSIVE_MAX = 1
    response = client.get("/api/export/documents.csv")
    next(iter(response.streaming_content))
    response.close()  # what the WSGI server does when the client goes away
    assert client.get("/api/export/cities.csv", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_staff_are_not_bounded(bounds, indexed):
    user = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    curator = Client()
    curator.force_login(user)
    held = hold(throttling.server_slots(), 3) + hold(throttling.client_slots("127.0.0.1"), 2)
    assert curator.get("/api/search/", {"q": "河长"}).status_code == 200
    release(held)


def test_behind_the_proxy_each_forwarded_client_has_its_own_places(client, bounds, report_url, settings):
    """The address the trusted proxy appended is the client: one client's places taken leave the
    next client through the same proxy its own."""
    from reformsite import settings as settings_module

    settings_module.BEHIND_PROXY, before = True, settings_module.BEHIND_PROXY
    try:
        held = hold(throttling.client_slots("203.0.113.5"), 2)
        assert client.get(report_url, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
        assert client.get(report_url, HTTP_X_FORWARDED_FOR="203.0.113.5, 203.0.113.6").status_code == 200
        release(held)
    finally:
        settings_module.BEHIND_PROXY = before
