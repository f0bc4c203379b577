"""docs/nginx/reform-archive.conf, run as shipped (with a throw-away certificate and free ports, in
front of a stub upstream): it passes requests on with the client's address, refuses bodies over its
limits, answers 429 past its rates and bounds each address's expensive requests in flight."""

import contextlib
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docs" / "nginx" / "reform-archive.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="nginx is not installed (apt-get install nginx-light)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Echo(http.server.BaseHTTPRequestHandler):
    """The upstream: says what request reached it. A request with "hold" in its address is held
    (as a slow report page would be) until `gate` opens; `arrived` counts those that reached it."""

    arrived = threading.Semaphore(0)
    gate = threading.Event()

    def _answer(self):
        if "hold" in self.path:
            Echo.arrived.release()
            Echo.gate.wait(timeout=30)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "body_bytes": len(self.rfile.read(length)) if length else 0,
                "x_forwarded_for": self.headers.get("X-Forwarded-For"),
                "x_forwarded_proto": self.headers.get("X-Forwarded-Proto"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """nginx with the shipped server blocks, shared by the tests that do not use up a rate."""
    with nginx_running(tmp_path_factory) as ports:
        yield ports


@pytest.fixture
def fresh_proxy(tmp_path_factory):
    """An nginx of its own, for a test that empties a rate limit's bucket: the bucket takes seconds
    to refill, and the next test on a shared nginx would meet its 429s."""
    with nginx_running(tmp_path_factory) as ports:
        yield ports


@contextlib.contextmanager
def nginx_running(tmp_path_factory):
    """nginx with the shipped server blocks, its certificate paths, ports and upstream replaced."""
    work = tmp_path_factory.mktemp("nginx")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    http_port, https_port = free_port(), free_port()
    site = CONFIG.read_text(encoding="utf-8")
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream.server_address[1]};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/letsencrypt/live/archive.example.org/fullchain.pem", str(work / "cert.pem")),
        ("/etc/letsencrypt/live/archive.example.org/privkey.pem", str(work / "key.pem")),
    ]:
        assert old in site, old
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (work / "site.conf").write_text(site, encoding="utf-8")
    (work / "nginx.conf").write_text(
        # Workers as root only so they can write to this test's root-owned temporary directory.
        f"daemon off;\n{'user root;' if os.geteuid() == 0 else ''}\n"
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {work}/body;\n proxy_temp_path {work}/proxy;\n"
        f" include {work}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(work), "-c", str(work / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
    try:
        yield {"http": http_port, "https": https_port}
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=10)
        upstream.shutdown()


def connect(proxy) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", proxy["https"], context=context, timeout=10)


def request(proxy, method, path, body=None, headers=None, connection=None):
    own = connection is None
    connection = connection or connect(proxy)
    try:
        connection.request(method, path, body=body, headers={"Host": "archive.example.org", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def test_configuration_passes_requests_on_with_the_client_address_and_https(proxy):
    status, body = request(proxy, "GET", "/cities/", headers={"X-Forwarded-For": "198.51.100.1"})
    seen = json.loads(body)
    assert status == 200 and seen["path"] == "/cities/"
    # The client's own claim comes first; the last entry, the one the application counts, is nginx's.
    assert seen["x_forwarded_for"] == "198.51.100.1, 127.0.0.1"
    assert seen["x_forwarded_proto"] == "https"


def test_plain_http_is_sent_to_https(proxy):
    connection = http.client.HTTPConnection("127.0.0.1", proxy["http"], timeout=10)
    connection.request("GET", "/cities/", headers={"Host": "archive.example.org"})
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://archive.example.org/cities/"


def test_bodies_over_the_limits_are_refused_before_the_application(proxy):
    assert request(proxy, "POST", "/search/", body=b"x" * (65 * 1024))[0] == 413
    # The admin takes a report's change form or an upload.
    status, body = request(proxy, "POST", "/admin/archive/document/upload/", body=b"x" * (6 * 1024 * 1024))
    assert status == 200 and json.loads(body)["body_bytes"] == 6 * 1024 * 1024
    assert request(proxy, "POST", "/admin/archive/document/upload/", body=b"x" * (33 * 1024 * 1024))[0] == 413


def test_searching_faster_than_the_rate_is_answered_429(fresh_proxy):
    connection = connect(fresh_proxy)  # one kept-alive connection: no handshake between requests
    statuses = [request(fresh_proxy, "GET", f"/api/search/?q={n}", connection=connection)[0] for n in range(30)]
    assert statuses[0] == 200
    assert statuses.count(429) >= 10, statuses  # a burst of 10 at 2 a second
    # Other pages have their own, higher rate.
    assert request(fresh_proxy, "GET", "/cities/", connection=connection)[0] == 200


def test_an_address_has_at_most_two_expensive_requests_in_flight(proxy):
    """Two report pages held by the application: the third expensive request from that address is
    answered 429 with Retry-After at once, cheap pages and /healthz still pass."""
    Echo.gate.clear()
    answers = []
    held = [
        threading.Thread(target=lambda path=path: answers.append(request(proxy, "GET", path)[0]))
        for path in ("/documents/1/?q=hold", "/en/documents/2/?hold")
    ]
    for thread in held:
        thread.start()
    try:
        for _ in held:
            assert Echo.arrived.acquire(timeout=10)
        connection = connect(proxy)
        connection.request("GET", "/documents/3/", headers={"Host": "archive.example.org"})
        refused = connection.getresponse()
        body = refused.read().decode()
        connection.close()
        assert refused.status == 429 and refused.getheader("Retry-After") == "5"
        assert "请求过多" in body and "Too many requests" in body
        assert request(proxy, "GET", "/api/export/dataset.zip")[0] == 429
        assert request(proxy, "GET", "/cities/")[0] == 200
        assert request(proxy, "GET", "/search/")[0] == 200  # the bare search form is cheap
        assert request(proxy, "GET", "/healthz")[0] == 200
    finally:
        Echo.gate.set()
        for thread in held:
            thread.join(timeout=30)
    assert answers == [200, 200]
    assert request(proxy, "GET", "/documents/3/")[0] == 200
