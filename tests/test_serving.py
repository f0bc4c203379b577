"""gunicorn with reformsite/gunicorn.conf.py, as `make serve` runs it: slow clients and expensive
requests held elsewhere do not keep the cheap pages from answering.

One worker, so nothing is spread over several: with the former sync worker, one client that sent
half its headers stalled every page, /healthz included."""

import contextlib
import fcntl
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUR_VARIABLES = ("DJANGO_", "REFORM_", "DATABASE_URL", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS")

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One gunicorn worker with the production configuration on a migrated, empty archive."""
    var = tmp_path_factory.mktemp("serving") / "var"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(OUR_VARIABLES)}
    env.update(
        DJANGO_SETTINGS_MODULE="reformsite.settings",
        REFORM_VAR_DIR=str(var),
        REFORM_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        REFORM_EXPENSIVE_MAX="2",
        REFORM_ACCESS_LOG=str(var / "access.log"),
        REFORM_ERROR_LOG=str(var / "error.log"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "reformsite/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, (var / "error.log").read_text()
        with contextlib.suppress(OSError):
            if get(port, "/healthz") in {200, 503}:
                break
        assert time.monotonic() < deadline, "gunicorn did not answer"
        time.sleep(0.3)
    yield {"port": port, "var": var}
    process.terminate()
    process.wait(timeout=30)


def test_clients_that_never_finish_their_headers_leave_the_pages_answering(server):
    """Five clients each sending a header byte every half second, never the end of their headers."""
    stop = threading.Event()
    stalled = [socket.create_connection(("127.0.0.1", server["port"]), timeout=10) for _ in range(5)]

    def trickle():
        for sock in stalled:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        while not stop.wait(0.5):
            for sock in stalled:
                with contextlib.suppress(OSError):
                    sock.sendall(b"a")

    sender = threading.Thread(target=trickle)
    sender.start()
    try:
        time.sleep(1)  # let the worker take each of them up
        assert get(server["port"], "/healthz") in {200, 503}  # 503: no search index in this archive
        assert get(server["port"], "/api/cities/") == 200  # pages need collectstatic, not run here
    finally:
        stop.set()
        sender.join()
        for sock in stalled:
            sock.close()


def test_a_place_held_by_another_process_refuses_expensive_requests_at_once(server):
    """This test's process holds both of the machine's places, as two other workers would: the
    worker refuses a search with 429 and still serves cheap requests."""
    folder = server["var"] / "slots" / "all"
    folder.mkdir(parents=True, exist_ok=True)
    held = []
    try:
        for index in range(2):
            descriptor = os.open(folder / str(index), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held.append(descriptor)
        assert get(server["port"], "/api/search/?q=%E6%B2%B3%E9%95%BF") == 429
        assert get(server["port"], "/api/cities/") == 200  # pages need collectstatic, not run here
    finally:
        for descriptor in held:
            os.close(descriptor)
    assert get(server["port"], "/api/search/?q=%E6%B2%B3%E9%95%BF") != 429
