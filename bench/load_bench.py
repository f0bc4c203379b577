"""Load: gunicorn with its production config, wrk against the search API and the pages, on loopback.

    .venv/bin/python bench/load_bench.py [--duration 30] [--connections 32] [--threads 2]

Needs wrk (`apt-get install wrk`). Sets up a throw-away var directory (file database, the five
seed reports, the index, collected static files) as `make serve` does, starts gunicorn with
reformsite/gunicorn.conf.py on a free loopback port, and runs wrk against each URL in turn (one URL
per run, so each row is that endpoint's own throughput and latency). Prints a table for the README.

`Site` (the throw-away installation and its gunicorn) is shared by write_bench.py and fault_bench.py.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

URLS = [
    ("search API 河长制", "/api/search/?q=" + urllib.parse.quote("河长制")),
    ("search API 放管服 改革", "/api/search/?q=" + urllib.parse.quote("放管服 改革")),
    ("city page (株洲)", "/cities/zhuzhou/"),
    ("comparison page (five cities)", "/compare/"),
    ("document page (株洲, 42 mentions)", "/documents/1/"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """A throw-away installation (var dir, seeds, index, static files) and its gunicorn."""

    def __init__(self, *, keep: bool = False, prefix: str = "reform-bench-"):
        self.var = Path(tempfile.mkdtemp(prefix=prefix))
        self.keep = keep
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None
        self.env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REFORM_DATABASE_PATH"}}
        self.env.update(
            DJANGO_SETTINGS_MODULE="reformsite.settings",
            REFORM_VAR_DIR=str(self.var),
            REFORM_SEARCH_DIR=str(self.var / "search"),
            REFORM_STATIC_ROOT=str(self.var / "static"),
            PORT=str(self.port),
            REFORM_BIND=f"127.0.0.1:{self.port}",
            REFORM_ACCESS_LOG=str(self.var / "access.log"),
            REFORM_ERROR_LOG=str(self.var / "error.log"),
            PYTHONUNBUFFERED="1",
        )

    @classmethod
    def existing(cls, var: Path) -> "Site":
        """An installation a run kept (`--keep`), served again as it was left; never removed."""
        site = cls(keep=True, prefix="reform-bench-unused-")
        shutil.rmtree(site.var, ignore_errors=True)
        site.var = Path(var)
        for name, value in {
            "REFORM_VAR_DIR": site.var,
            "REFORM_SEARCH_DIR": site.var / "search",
            "REFORM_STATIC_ROOT": site.var / "static",
            "REFORM_ACCESS_LOG": site.var / "access.log",
            "REFORM_ERROR_LOG": site.var / "error.log",
        }.items():
            site.env[name] = str(value)
        return site

    def manage(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(PYTHON), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            **kwargs,
        )

    def set_up(self) -> "Site":
        """As `make data` does: migrate, seeds, index, static files."""
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_seed")
        self.manage("rebuild_search")
        self.manage("collectstatic", "--noinput", "-v", "0")
        return self

    def start(self, timeout: float = 60) -> "Site":
        self.server = subprocess.Popen(
            [str(GUNICORN), "-c", "reformsite/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.server.returncode}; see {self.var / 'error.log'}")
            with contextlib.suppress(OSError):
                if self.get("/healthz")[0] in {200, 503}:
                    return self
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.2)

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def workers(self) -> list[int]:
        """Process ids of gunicorn's workers (the master's children)."""
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def server_errors(self) -> int:
        """5xx responses in gunicorn's access log (the status is the field after the request line)."""
        log = self.var / "access.log"
        if not log.exists():
            return 0
        count = 0
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            after = line.split('" ', 1)[1] if '" ' in line else ""
            if after[:1] == "5":
                count += 1
        return count

    def clean(self) -> None:
        self.stop()
        if not self.keep:
            shutil.rmtree(self.var, ignore_errors=True)

    def __enter__(self) -> "Site":
        return self

    def __exit__(self, *exc) -> None:
        self.clean()


def wrk(site: Site, path: str, *, duration: int, connections: int, threads: int) -> dict:
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "report.lua"),
            site.base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line[len("WRK_JSON ") :])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away var directory")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")

    with Site(keep=args.keep, prefix="reform-load-bench-") as site:
        site.set_up().start()
        for _label, path in URLS:  # warm every worker's templates, reader and caches
            for _ in range(20):
                assert site.get(path)[0] == 200, path
        workers = len(site.workers())
        print(
            f"gunicorn {workers} workers (reformsite/gunicorn.conf.py), wrk -t{args.threads} -c{args.connections} "
            f"-d{args.duration}s per URL, loopback, {os.cpu_count()} cores shared by wrk and the server\n"
        )
        print("| URL | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        total_bad = 0
        for label, path in URLS:
            figures = wrk(site, path, duration=args.duration, connections=args.connections, threads=args.threads)
            rate = figures["requests"] / (figures["duration_us"] / 1e6)
            errors = figures["connect"] + figures["read"] + figures["write"] + figures["timeout"]
            total_bad += figures["status"] + errors
            print(
                f"| {label} | {rate:,.0f} | {figures['p50'] / 1000:.1f} | {figures['p90'] / 1000:.1f} | "
                f"{figures['p99'] / 1000:.1f} | {figures['max'] / 1000:.1f} | {figures['status']} | {errors} |"
            )
        print(f"\n5xx in gunicorn's access log: {site.server_errors()}; load average {os.getloadavg()[0]:.1f}")
        if total_bad:
            sys.exit(1)


if __name__ == "__main__":
    main()
