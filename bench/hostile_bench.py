"""Hostile load: the worst requests found in issue 12 at 20 concurrent clients, while a reader
loads the home page and /healthz.

    .venv/bin/python bench/hostile_bench.py [--seconds 30] [--clients 20] [--slow 8]
        [--fronts direct,nginx] [--addresses distinct] [--old REV]

Builds a throw-away installation as `make serve` does (bench/load_bench.py `Site`: migrate, the
seed archive, the index, static files), imports two hostile reports through `import_reports`
(5 MiB on one line, and 90,000 short lines), then for each server and front starts gunicorn with
reformsite/gunicorn.conf.py on a free loopback port and for --seconds runs at once:

- --clients attackers, each cycling through: the 5 MiB report with ?q=发展, the 90,000-line report
  with ?q=民生, an OR-heavy query on the search API, the concordance of 改革, the whole dataset as
  a ZIP export, and a 60 MiB POST to /search/;
- --slow connections that send half a request's headers and then one header byte every 5 s
  (reopened whenever the server closes one), so they never finish;
- one reader (a process of its own), alternating GET / and GET /healthz, each with a 10 s timeout.

Fronts: `direct` (clients talk to gunicorn) and `nginx` (docs/nginx/reform-archive.conf as shipped,
with a throw-away certificate, in front of gunicorn with REFORM_BEHIND_PROXY=1: production as
docs/deployment.md describes it; clients speak HTTPS to nginx). Addresses: `distinct` gives each
attacker its own loopback address (127.0.1.N; the reader is 127.0.2.1), as twenty clients would
be; `one` sends every attacker from 127.0.0.1, where the per-address bounds do the work.

--old REV also runs the code of that git revision (exported with `git archive` into a temporary
directory, run with this checkout's .venv) on the same installation in the same run, so old and
new are measured side by side under the same machine load.

Reports, per run: the reader's p50/p99 and failures (the targets: p99 < 1 s, no 5xx, no worker
timeouts), the attackers' answers by status, 5xx in gunicorn's access log, "WORKER TIMEOUT" in its
error log, and the machine's load average at the start and end (other processes share the cores).
"""

import argparse
import contextlib
import http.client
import multiprocessing
import os
import random
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_bench import GUNICORN, ROOT, Site, free_port

SEED_DIR = ROOT / "fixtures" / "seeds"
OR_TERMS = ["发展改革", "民生保障", "改革创新", "体制机制", "营商环境", "深化改革", "社会治理", "公共服务", "城乡一体"]
OR_QUERY = " OR ".join([*OR_TERMS, "全面推进"])
BIG_BODY = 60 * 1024 * 1024
READER_TIMEOUT = 10
ATTACK_TIMEOUT = 40  # over gunicorn's 30 s: a worker timeout shows as a reset or a 5xx, not as ours
HOST = "archive.example.org"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
READER_ADDRESS = "127.0.2.1"


def seed_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(SEED_DIR.glob("*.txt")):
        paragraphs += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 20]
    return paragraphs


def hostile_reports(folder: Path) -> dict[str, Path]:
    """A 5 MiB report on one line (with 发展 throughout) and one of 90,000 short lines (with 民生)."""
    paragraphs = seed_paragraphs()
    rng = random.Random(12)
    one_line, size = ["株洲市全面深化改革长篇综述（测试）\n"], 0
    while size < 5 * 1024 * 1024 - 64 * 1024:
        paragraph = rng.choice(paragraphs)
        one_line.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    lines = ["湘潭市民生改革逐条清单（测试）"] + [f"第{n}条，保障和改善民生事项{n % 97}号。" for n in range(90_000)]
    paths = {"one_line": folder / "one-line.txt", "many_lines": folder / "many-lines.txt"}
    paths["one_line"].write_text("".join(one_line), encoding="utf-8")
    paths["many_lines"].write_text("\n".join(lines), encoding="utf-8")
    return paths


def import_hostile(site: Site, paths: dict[str, Path]) -> dict[str, int]:
    for key, city in [("one_line", "zhuzhou"), ("many_lines", "xiangtan")]:
        result = site.manage("import_reports", str(paths[key]), "--city", city, "--year", "2024", check=False)
        if result.returncode != 0:
            sys.exit(f"import of {paths[key].name} failed:\n{result.stdout}\n{result.stderr}")
    code = (
        "from archive.models import Document\n"
        "for title in ['株洲市全面深化改革长篇综述（测试）', '湘潭市民生改革逐条清单（测试）']:\n"
        "    print('ID', Document.objects.get(title=title).pk)"
    )
    output = site.manage("shell", "-c", code).stdout.splitlines()
    ids = [line.split()[1] for line in output if line.startswith("ID ")]
    return {"one_line": int(ids[0]), "many_lines": int(ids[1])}


class Front:
    """Where clients connect: gunicorn itself, or nginx (TLS) in front of it."""

    def __init__(self, port: int, tls: bool):
        self.port = port
        self.tls = tls
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def socket(self, source: str, timeout: float) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout, source_address=(source, 0))
        return self.context.wrap_socket(sock) if self.tls else sock

    def connection(self, source: str, timeout: float) -> http.client.HTTPConnection:
        if self.tls:
            return http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=timeout, source_address=(source, 0), context=self.context
            )
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))


def timed_get(front: Front, path: str, timeout: float, source: str) -> tuple[str, float]:
    """('200' | '429' | ... | 'timeout' | 'error'), seconds."""
    started = time.monotonic()
    connection = front.connection(source, timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        response.read()
        outcome = str(response.status)
    except TimeoutError:
        outcome = "timeout"
    except (OSError, http.client.HTTPException):
        outcome = "error"
    finally:
        connection.close()
    return outcome, time.monotonic() - started


def big_post(front: Front, timeout: float, source: str) -> tuple[str, float]:
    """A 60 MiB POST to /search/, sent as fast as the server takes it; its answer, if any."""
    started = time.monotonic()
    chunk = b"q=" + b"x" * (1024 * 1024 - 2)
    try:
        with front.socket(source, timeout) as sock:
            sock.sendall(
                f"POST /search/ HTTP/1.1\r\nHost: {HOST}\r\n".encode()
                + f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {BIG_BODY}\r\n\r\n".encode()
            )
            try:
                for _ in range(BIG_BODY // len(chunk)):
                    sock.sendall(chunk)
            except OSError:
                pass  # refused before the end: the answer is already there
            reply = sock.recv(64)
        outcome = reply.split(b" ", 2)[1].decode() if reply.startswith(b"HTTP/") else "error"
    except TimeoutError:
        outcome = "timeout"
    except (OSError, IndexError):
        outcome = "error"
    return outcome, time.monotonic() - started


def slow_headers(front: Front, source: str, stop: threading.Event, tally: Counter, lock: threading.Lock) -> None:
    """Half a request, then a header byte every 5 s, for as long as the run lasts."""
    while not stop.is_set():
        try:
            with front.socket(source, 10) as sock:
                sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode())
                with lock:
                    tally["slow-header connections opened"] += 1
                while not stop.wait(5):
                    sock.sendall(b"a")
        except OSError:
            with lock:
                tally["slow-header connections closed by the server"] += 1
            stop.wait(0.5)


def read(front: Front, stop, results) -> None:
    """The reader: GET / and GET /healthz in turn until told to stop, then its samples."""
    samples: dict[str, list[tuple[str, float]]] = {"/": [], "/healthz": []}
    while not stop.is_set():
        for path in samples:
            samples[path].append(timed_get(front, path, READER_TIMEOUT, READER_ADDRESS))
        stop.wait(0.1)
    results.put(samples)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def attacker_address(number: int, addresses: str) -> str:
    return f"127.0.1.{number + 1}" if addresses == "distinct" else "127.0.0.1"


def run_load(front: Front, site: Site, ids: dict[str, int], *, seconds: int, clients: int, slow: int, addresses: str):
    attacks = [
        ("5 MiB one-line report ?q=发展", f"/documents/{ids['one_line']}/?q=" + urllib.parse.quote("发展")),
        ("90,000-line report ?q=民生", f"/documents/{ids['many_lines']}/?q=" + urllib.parse.quote("民生")),
        ("search API, 10 ORs", "/api/search/?q=" + urllib.parse.quote(OR_QUERY)),
        ("concordance 改革", "/concordance/?q=" + urllib.parse.quote("改革")),
        ("dataset ZIP export", "/api/export/dataset.zip"),
        ("60 MiB POST /search/", None),
    ]
    stop = threading.Event()
    lock = threading.Lock()
    outcomes: dict[str, Counter] = {label: Counter() for label, _path in attacks}
    durations: dict[str, list[float]] = {label: [] for label, _path in attacks}
    reader: dict[str, list[tuple[str, float]]] = {"/": [], "/healthz": []}
    tally: Counter = Counter()

    def attacker(number: int):
        source = attacker_address(number, addresses)
        n = number
        while not stop.is_set():
            label, path = attacks[n % len(attacks)]
            n += 1
            if path is None:
                outcome, took = big_post(front, ATTACK_TIMEOUT, source)
            else:
                outcome, took = timed_get(front, path, ATTACK_TIMEOUT, source)
            with lock:
                outcomes[label][outcome] += 1
                durations[label].append(took)
            if outcome == "429":
                stop.wait(0.2)  # a client told to come back does not hammer at full speed

    # The reader runs in a process of its own: in this one it would wait for the GIL behind the
    # attackers' threads, and that wait would count as the server's.
    reader_stop = multiprocessing.Event()
    reader_results = multiprocessing.Queue()
    reader_process = multiprocessing.get_context("fork").Process(target=read, args=(front, reader_stop, reader_results))

    threads = [
        threading.Thread(target=slow_headers, args=(front, attacker_address(n, addresses), stop, tally, lock))
        for n in range(slow)
    ]
    threads += [threading.Thread(target=attacker, args=(n,)) for n in range(clients)]
    errors_before = site.server_errors()
    log = site.var / "error.log"
    timeouts_before = log.read_text(errors="replace").count("WORKER TIMEOUT") if log.exists() else 0
    load_before = os.getloadavg()[0]
    for thread in threads:
        thread.start()
    reader_process.start()
    time.sleep(seconds)
    stop.set()
    reader_stop.set()
    load_after = os.getloadavg()[0]
    reader.update(reader_results.get(timeout=READER_TIMEOUT * 3))
    reader_process.join()
    for thread in threads:
        thread.join(timeout=ATTACK_TIMEOUT + 10)
    time.sleep(1)  # the access log is written after each response
    return {
        "attacks": attacks,
        "outcomes": outcomes,
        "durations": durations,
        "reader": reader,
        "tally": tally,
        "load": (load_before, load_after),
        "server_5xx": site.server_errors() - errors_before,
        "worker_timeouts": (log.read_text(errors="replace").count("WORKER TIMEOUT") if log.exists() else 0)
        - timeouts_before,
    }


def start_gunicorn(site: Site, code: Path, env: dict[str, str], timeout: float = 90) -> None:
    site.server = subprocess.Popen(
        [str(GUNICORN), "-c", "reformsite/gunicorn.conf.py"],
        cwd=code,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while True:
        if site.server.poll() is not None:
            sys.exit(f"gunicorn exited with {site.server.returncode}; see {site.var / 'error.log'}")
        with contextlib.suppress(OSError):
            if site.get("/healthz")[0] in {200, 503}:
                return
        if time.monotonic() > deadline:
            sys.exit("gunicorn did not answer in time")
        time.sleep(0.2)


def start_nginx(code: Path, upstream_port: int, work: Path) -> tuple[subprocess.Popen, int]:
    """That code's docs/nginx/reform-archive.conf, with a throw-away certificate and free ports."""
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    http_port, https_port = free_port(), free_port()
    conf = (code / "docs" / "nginx" / "reform-archive.conf").read_text(encoding="utf-8")
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/letsencrypt/live/archive.example.org/fullchain.pem", str(work / "cert.pem")),
        ("/etc/letsencrypt/live/archive.example.org/privkey.pem", str(work / "key.pem")),
    ]:
        conf = conf.replace(old, new)
    conf = "\n".join(line for line in conf.splitlines() if "listen [::]" not in line)
    (work / "site.conf").write_text(conf, encoding="utf-8")
    (work / "nginx.conf").write_text(
        f"daemon off;\n{'user root;' if os.geteuid() == 0 else ''}\nworker_processes auto;\n"
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n access_log off;\n client_body_temp_path {work}/body;\n proxy_temp_path {work}/proxy;\n"
        f" include {work}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(work / "nginx.conf")], stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            return server, https_port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"nginx did not start; see {work / 'error.log'}")
            time.sleep(0.1)


def export_revision(revision: str, folder: Path) -> Path:
    """The code of a git revision in `folder`, sharing this checkout's .venv."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def summarise(result: dict) -> dict:
    every = [sample for samples in result["reader"].values() for sample in samples]
    times = {path: [took for _o, took in samples] for path, samples in result["reader"].items()}
    answered = Counter()
    for label, _path in result["attacks"]:
        answered.update(result["outcomes"][label])
    return {
        "home": (statistics.median(times["/"]), percentile(times["/"], 0.99)) if times["/"] else (None, None),
        "healthz": (statistics.median(times["/healthz"]), percentile(times["/healthz"], 0.99))
        if times["/healthz"]
        else (None, None),
        "p99": percentile([took for _o, took in every], 0.99),
        "reader_requests": len(every),
        "reader_failed": sum(1 for outcome, _took in every if outcome != "200"),
        "answers": answered,
    }


def print_details(title: str, result: dict) -> None:
    print(f"\n### {title}\n")
    print("| reader | requests | p50 ms | p99 ms | max ms | not 200 | timeouts (10 s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for path, samples in result["reader"].items():
        times = [took * 1000 for _outcome, took in samples] or [float("nan")]
        bad = sum(1 for outcome, _took in samples if outcome != "200")
        timeouts = sum(1 for outcome, _took in samples if outcome == "timeout")
        print(
            f"| GET {path} | {len(samples)} | {statistics.median(times):.0f} | {percentile(times, 0.99):.0f} | "
            f"{max(times):.0f} | {bad} | {timeouts} |"
        )
    print("\n| attack | requests | answers | median s | max s |")
    print("|---|---:|---|---:|---:|")
    for label, _path in result["attacks"]:
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(result["outcomes"][label].items()))
        took = result["durations"][label] or [float("nan")]
        print(
            f"| {label} | {sum(result['outcomes'][label].values())} | {answers} | "
            f"{statistics.median(took):.2f} | {max(took):.2f} |"
        )
    for name, count in sorted(result["tally"].items()):
        print(f"{name}: {count}")
    print(
        f"5xx in gunicorn's access log: {result['server_5xx']}; WORKER TIMEOUT: {result['worker_timeouts']}; "
        f"load average {result['load'][0]:.1f} -> {result['load'][1]:.1f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--slow", type=int, default=8, help="slow-header connections held open")
    parser.add_argument("--fronts", default="direct,nginx")
    parser.add_argument("--addresses", default="distinct", help="distinct, one, or both: distinct,one")
    parser.add_argument("--old", help="also run this git revision's code (e.g. main before a change)")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away var directory")
    args = parser.parse_args()
    fronts = [front.strip() for front in args.fronts.split(",") if front.strip()]
    address_modes = [mode.strip() for mode in args.addresses.split(",") if mode.strip()]

    with Site(keep=args.keep, prefix="reform-hostile-bench-") as site, tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        codes = {"new": ROOT}
        if args.old:
            codes = {f"old ({args.old})": export_revision(args.old, Path(folder) / "old"), **codes}
        site.set_up()
        ids = import_hostile(site, hostile_reports(Path(folder)))
        print(f"installation with the seeds and two hostile reports ready in {time.monotonic() - started:.0f} s")
        rows = []
        all_met = True
        for name, code in codes.items():
            for front_name in fronts:
                for addresses in address_modes:
                    env = dict(site.env)
                    env["DJANGO_ALLOWED_HOSTS"] = f"127.0.0.1,localhost,{HOST}"
                    if front_name == "nginx":
                        env["REFORM_BEHIND_PROXY"] = "1"
                    for entry in (site.var / "cache").glob("*"):  # fresh throttle counters
                        entry.unlink()
                    start_gunicorn(site, code, env)
                    nginx = None
                    try:
                        for _ in range(10):
                            site.get("/")
                            site.get("/healthz")
                        workers = len(site.workers())
                        if front_name == "nginx":
                            nginx, port = start_nginx(code, site.port, Path(folder) / f"nginx-{len(rows)}")
                            front = Front(port, tls=True)
                        else:
                            front = Front(site.port, tls=False)
                        result = run_load(
                            front, site, ids, seconds=args.seconds, clients=args.clients, slow=args.slow,
                            addresses=addresses,
                        )  # fmt: skip
                    finally:
                        if nginx is not None:
                            nginx.send_signal(signal.SIGQUIT)
                            nginx.wait(timeout=20)
                        site.stop()
                    title = f"{name}, {front_name}, attackers from {addresses} addresses, {workers} workers"
                    print_details(title, result)
                    summary = summarise(result)
                    met = (
                        summary["p99"] < 1.0
                        and summary["reader_failed"] == 0
                        and result["server_5xx"] == 0
                        and result["worker_timeouts"] == 0
                    )
                    all_met &= met or name != "new"
                    rows.append((name, front_name, addresses, summary, result, met))
                    sys.stdout.flush()

        print(
            f"\n## Summary: {args.clients} attackers + {args.slow} slow-header connections for {args.seconds} s, "
            f"{os.cpu_count()} cores shared by the clients and the servers\n"
        )
        print(
            "| code | front | attackers | reader `/` p50 / p99 ms | `/healthz` p50 / p99 ms | reader failed | "
            "5xx | worker timeouts | attackers' answers | load avg | targets |"
        )
        print("|---|---|---|---:|---:|---:|---:|---:|---|---|---|")
        for name, front_name, addresses, summary, result, met in rows:
            home, health = summary["home"], summary["healthz"]

            def ms(pair):
                return "—" if pair[0] is None else f"{pair[0] * 1000:.0f} / {pair[1] * 1000:.0f}"

            answers = ", ".join(f"{status}: {count}" for status, count in sorted(summary["answers"].items()))
            print(
                f"| {name} | {front_name} | {addresses} | {ms(home)} | {ms(health)} | "
                f"{summary['reader_failed']} of {summary['reader_requests']} | {result['server_5xx']} | "
                f"{result['worker_timeouts']} | {answers} | {result['load'][0]:.1f}–{result['load'][1]:.1f} | "
                f"{'met' if met else 'NOT met'} |"
            )
        sys.exit(0 if all_met else 1)


if __name__ == "__main__":
    main()
