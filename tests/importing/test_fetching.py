"""Fetching a report page: against a local HTTP server serving saved pages; never the internet."""

import socket
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from requests.adapters import BaseAdapter

from archive.importing import fetching
from archive.importing.fetching import FetchRefused, check_address, decode_page, fetch_page

PAGES = Path(__file__).parent / "pages"
MAX_BYTES = 64 * 1024


class _Handler(BaseHTTPRequestHandler):
    routes = {
        "/zhuzhou.html": ("text/html", "zhuzhou_gbk.html"),  # GBK, its charset only in <meta>
        "/xuchang.html": ("text/html; charset=utf-8", "xuchang_utf8.html"),
    }

    def do_GET(self):
        if self.path in self.routes:
            content_type, name = self.routes[self.path]
            self._send(200, content_type, (PAGES / name).read_bytes())
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/xuchang.html")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/big":
            self._send(200, "text/html", b"<p>" + "改革".encode() * MAX_BYTES + b"</p>")
        elif self.path == "/big-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"<p>" + b"x" * 4096 + b"</p>")
        elif self.path == "/image":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
        elif self.path == "/nul":
            self._send(200, "text/html", b"<html>\x00\x00\x00</html>")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, "text/html", b"<p>late</p>")
        else:
            self._send(404, "text/html", b"<p>not found</p>")

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gave up on a refused page (too big, too slow) is expected here


@pytest.fixture(scope="module")
def server():
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(url, **kwargs):
    options = {"timeout": 2, "max_bytes": MAX_BYTES, "user_agent": "test-agent", "allow_private": True}
    return fetch_page(url, **{**options, **kwargs})


def test_a_gbk_page_whose_charset_is_only_in_its_meta_tag_is_read(server):
    page = fetch(f"{server}/zhuzhou.html")
    assert page.encoding == "gb18030"
    assert "株洲市委全面深化改革委员会" in page.html
    assert (page.title, page.published_on, page.source) == ("株洲市全面深化改革工作综述", date(2019, 1, 10), "株洲日报")
    assert page.final_url == f"{server}/zhuzhou.html"
    assert page.fetched_at.tzinfo is not None


def test_open_graph_title_and_date_and_a_header_charset(server):
    page = fetch(f"{server}/xuchang.html")
    assert page.encoding == "utf-8"
    assert page.title == "改革兴许百业盛——许昌市全面深化改革工作掠影"
    assert page.published_on == date(2021, 2, 3)


def test_a_redirect_is_followed_and_the_final_address_kept(server):
    page = fetch(f"{server}/moved")
    assert page.final_url == f"{server}/xuchang.html"
    assert page.redirects == [f"{server}/moved"]


def test_endless_redirects_are_refused(server):
    with pytest.raises(FetchRefused, match="重定向超过"):
        fetch(f"{server}/loop")


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_oversized_pages_are_refused(server, path):
    with pytest.raises(FetchRefused, match="网页过大"):
        fetch(f"{server}{path}")


@pytest.mark.parametrize(("path", "message"), [("/image", "不是网页"), ("/nul", "二进制"), ("/missing", "HTTP 404")])
def test_binary_bodies_and_errors_are_refused(server, path, message):
    with pytest.raises(FetchRefused, match=message):
        fetch(f"{server}{path}")


def test_a_page_that_does_not_answer_in_time_is_refused(server):
    with pytest.raises(FetchRefused, match="超时"):
        fetch(f"{server}/slow", timeout=1)


def test_loopback_is_refused_unless_allowed(server):
    with pytest.raises(FetchRefused, match="本机"):
        fetch(f"{server}/xuchang.html", allow_private=False)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "只能抓取 http 或 https"),
        ("ftp://example.org/report.html", "只能抓取 http 或 https"),
        ("javascript:alert(1)", "只能抓取 http 或 https"),
        ("http://user:secret@example.org/", "用户名或密码"),
        ("http://169.254.169.254/latest/meta-data/", "链路本地"),
        ("http://10.0.0.8/", "内网"),
        ("http://[::1]/", "本机"),
        ("http://[::ffff:127.0.0.1]/", "本机"),
        ("http://[fd00::1]/", "内网"),
        ("http://0.0.0.0/", "不抓取"),
        ("http://100.64.0.1/", "不抓取"),
    ],
)
def test_addresses_that_must_not_be_fetched(url, message):
    with pytest.raises(FetchRefused, match=message):
        check_address(url)


class _RedirectToLoopback(BaseAdapter):
    """A public site (as far as the resolver says) that redirects to the archive's own machine."""

    def __init__(self, target):
        super().__init__()
        self.target = target

    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code, response.url, response.request = 302, request.url, request
        response.headers["Location"] = self.target
        response.raw = None
        return response

    def close(self):
        pass


def test_a_redirect_to_a_private_address_is_refused(server, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "reports.example.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "getaddrinfo", resolve)
    session = requests.Session()
    session.mount("http://reports.example.org", _RedirectToLoopback(f"{server}/xuchang.html"))
    with pytest.raises(FetchRefused, match="本机"):
        fetch("http://reports.example.org/report", allow_private=False, session=session)


def test_a_host_that_resolves_public_then_private_is_refused_after_connecting(server, monkeypatch):
    """DNS rebinding: the name is public when checked and loopback when connected to."""
    real, port = socket.getaddrinfo, int(server.rsplit(":", 1)[1])
    answers = iter([("93.184.216.34", port)])

    def resolve(host, *args, **kwargs):
        if host == "rebind.example.org":
            address = next(answers, ("127.0.0.1", port))
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address)]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "getaddrinfo", resolve)
    with pytest.raises(FetchRefused, match="本机"):
        fetch(f"http://rebind.example.org:{port}/xuchang.html", allow_private=False)


def test_detected_encoding_when_neither_header_nor_meta_says():
    text = "<p>株洲市深化改革，推进一件事一次办，河长制全面推行，群众办事更方便。</p>" * 5
    html, encoding = decode_page(text.encode("gb18030"), None)
    assert html == text
    assert encoding in {"gb18030", "gbk", "gb2312", "big5hkscs"} or "gb" in encoding.lower()
