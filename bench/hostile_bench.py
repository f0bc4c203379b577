"""Hostile load: the worst requests found in issue 12 at 20 concurrent clients, while a reader
loads the home page and /healthz.

    .venv/bin/python bench/hostile_bench.py [--seconds 30] [--clients 20] [--slow 8] [--modes throttled,open]

Builds a throw-away installation as `make serve` does (bench/load_bench.py `Site`: migrate, the
seed archive, the index, static files), imports two hostile reports through `import_reports`
(5 MiB on one line, and 90,000 short lines), starts gunicorn with reformsite/gunicorn.conf.py on
a free loopback port, then for --seconds runs at once:

- --clients attackers, each cycling through: the 5 MiB report with ?q=发展, the 90,000-line report
  with ?q=民生, an OR-heavy query on the search API, and a 60 MiB POST to /search/;
- --slow connections that send half a request's headers and then one header byte every 5 s
  (reopened whenever the server closes one), so they never finish;
- one reader, alternating GET / and GET /healthz, each with a 10 s timeout.

It reports the reader's p50/p99 (the targets: p99 < 1 s, no 5xx, no worker timeouts), the
attackers' answers by status, 5xx in gunicorn's access log and "WORKER TIMEOUT" in its error log.

Two modes, each on a fresh gunicorn: `throttled` with the production rates (every attacker comes
from 127.0.0.1, so the throttles answer most of them with 429), and `open` with the rates raised
out of reach, so that every request reaches the application, as from many addresses at once.
"""

import argparse
import http.client
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_bench import ROOT, Site

SEED_DIR = ROOT / "fixtures" / "seeds"
OR_TERMS = ["发展改革", "民生保障", "改革创新", "体制机制", "营商环境", "深化改革", "社会治理", "公共服务", "城乡一体"]
OR_QUERY = " OR ".join([*OR_TERMS, "全面推进"])
BIG_BODY = 60 * 1024 * 1024
READER_TIMEOUT = 10
ATTACK_TIMEOUT = 40  # over gunicorn's 30 s: a worker timeout shows as a reset or a 5xx, not as ours


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


def timed_get(site: Site, path: str, timeout: float) -> tuple[str, float]:
    """('200' | '429' | ... | 'timeout' | 'error'), seconds."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        outcome = str(response.status)
    except TimeoutError:
        outcome = "timeout"
    except OSError:
        outcome = "error"
    finally:
        connection.close()
    return outcome, time.monotonic() - started


def big_post(site: Site, timeout: float) -> tuple[str, float]:
    """A 60 MiB POST to /search/, sent as fast as the server takes it; its answer, if any."""
    started = time.monotonic()
    chunk = b"q=" + b"x" * (1024 * 1024 - 2)
    try:
        with socket.create_connection(("127.0.0.1", site.port), timeout=timeout) as sock:
            sock.sendall(
                b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + f"Content-Length: {BIG_BODY}\r\n\r\n".encode()
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


def slow_headers(site: Site, stop: threading.Event, tally: Counter, lock: threading.Lock) -> None:
    """Half a request, then a header byte every 5 s, for as long as the run lasts."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", site.port), timeout=10) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                with lock:
                    tally["slow-header connections opened"] += 1
                while not stop.wait(5):
                    sock.sendall(b"a")
        except OSError:
            with lock:
                tally["slow-header connections closed by the server"] += 1
            stop.wait(0.5)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def run_mode(site: Site, ids: dict[str, int], *, seconds: int, clients: int, slow: int) -> dict:
    attacks = [
        ("5 MiB one-line report ?q=发展", f"/documents/{ids['one_line']}/?q=" + urllib.parse.quote("发展")),
        ("90,000-line report ?q=民生", f"/documents/{ids['many_lines']}/?q=" + urllib.parse.quote("民生")),
        ("search API, 10 ORs", "/api/search/?q=" + urllib.parse.quote(OR_QUERY)),
        ("60 MiB POST /search/", None),
    ]
    stop = threading.Event()
    lock = threading.Lock()
    outcomes: dict[str, Counter] = {label: Counter() for label, _path in attacks}
    durations: dict[str, list[float]] = {label: [] for label, _path in attacks}
    reader: dict[str, list[tuple[str, float]]] = {"/": [], "/healthz": []}
    tally: Counter = Counter()

    def attacker(offset: int):
        n = offset
        while not stop.is_set():
            label, path = attacks[n % len(attacks)]
            n += 1
            outcome, took = big_post(site, ATTACK_TIMEOUT) if path is None else timed_get(site, path, ATTACK_TIMEOUT)
            with lock:
                outcomes[label][outcome] += 1
                durations[label].append(took)

    def read():
        while not stop.is_set():
            for path in ("/", "/healthz"):
                outcome, took = timed_get(site, path, READER_TIMEOUT)
                with lock:
                    reader[path].append((outcome, took))
            stop.wait(0.1)

    threads = [threading.Thread(target=slow_headers, args=(site, stop, tally, lock)) for _ in range(slow)]
    threads += [threading.Thread(target=attacker, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=read))
    errors_before = site.server_errors()
    log = site.var / "error.log"
    timeouts_before = log.read_text(errors="replace").count("WORKER TIMEOUT") if log.exists() else 0
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=ATTACK_TIMEOUT + 10)
    time.sleep(1)  # the access log is written after each response
    return {
        "attacks": attacks,
        "outcomes": outcomes,
        "durations": durations,
        "reader": reader,
        "tally": tally,
        "server_5xx": site.server_errors() - errors_before,
        "worker_timeouts": (log.read_text(errors="replace").count("WORKER TIMEOUT") if log.exists() else 0)
        - timeouts_before,
    }


def print_report(mode: str, result: dict, *, seconds: int, clients: int, slow: int, workers: int) -> bool:
    print(f"\n### {mode}: {clients} attackers + {slow} slow-header connections for {seconds} s, {workers} workers\n")
    print("| reader | requests | p50 ms | p99 ms | max ms | not 200 | timeouts (10 s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    every = []
    for path, samples in result["reader"].items():
        times = [took * 1000 for _outcome, took in samples]
        every += samples
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
        took = result["durations"][label]
        print(
            f"| {label} | {sum(result['outcomes'][label].values())} | {answers} | "
            f"{statistics.median(took) if took else float('nan'):.2f} | {max(took) if took else float('nan'):.2f} |"
        )
    for name, count in sorted(result["tally"].items()):
        print(f"\n{name}: {count}", end="")
    all_times = [took for _outcome, took in every]
    reader_p99 = percentile(all_times, 0.99)
    reader_bad = sum(1 for outcome, _took in every if outcome != "200")
    total_5xx = result["server_5xx"]
    answered_429 = sum(result["outcomes"][label]["429"] for label, _path in result["attacks"])
    timeouts = result["worker_timeouts"]
    print(f"\n\n5xx in gunicorn's access log: {total_5xx}; WORKER TIMEOUT in its error log: {timeouts}")
    print(f"429 answers to attackers: {answered_429}")
    met = reader_p99 < 1.0 and total_5xx == 0 and result["worker_timeouts"] == 0 and reader_bad == 0
    print(
        f"reader p99 over both URLs: {reader_p99 * 1000:.0f} ms, not-200 {reader_bad} -> "
        f"targets (p99 < 1 s, no 5xx, no worker timeouts) {'met' if met else 'NOT met'}"
    )
    return met


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--slow", type=int, default=8, help="slow-header connections held open")
    parser.add_argument("--modes", default="throttled,open")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away var directory")
    args = parser.parse_args()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]

    with Site(keep=args.keep, prefix="reform-hostile-bench-") as site, tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        site.set_up()
        ids = import_hostile(site, hostile_reports(Path(folder)))
        print(f"installation with the seeds and two hostile reports ready in {time.monotonic() - started:.0f} s")
        all_met = True
        for mode in modes:
            if mode == "open":
                for scope in ("ANON", "SEARCH", "DOCUMENT", "EXPORT", "CONCORDANCE"):
                    site.env[f"REFORM_THROTTLE_{scope}"] = "1000000/min"
            else:
                for scope in ("ANON", "SEARCH", "DOCUMENT", "EXPORT", "CONCORDANCE"):
                    site.env.pop(f"REFORM_THROTTLE_{scope}", None)
            # Each mode on a fresh gunicorn and with fresh throttle counters.
            for entry in (site.var / "cache").glob("*"):
                entry.unlink()
            site.start()
            for _ in range(10):
                site.get("/")
                site.get("/healthz")
            workers = len(site.workers())
            result = run_mode(site, ids, seconds=args.seconds, clients=args.clients, slow=args.slow)
            site.stop()
            all_met &= print_report(
                mode, result, seconds=args.seconds, clients=args.clients, slow=args.slow, workers=workers
            )
        print(f"\n{os.cpu_count()} cores shared by the clients and the server; loopback.")
        sys.exit(0 if all_met else 1)


if __name__ == "__main__":
    main()
