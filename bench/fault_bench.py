"""Faults: kill -9 of gunicorn workers in the middle of writes, and of a rebuild in the middle.

    .venv/bin/python bench/fault_bench.py [--seconds 40] [--kill-every 3] [--documents 600]

(a) The write load of write_bench.py (admin editors, importers, readers) runs while a gunicorn
    worker is killed with SIGKILL every --kill-every seconds, whatever it is doing (most of the
    time an admin save: the change form, its 40-odd mention inlines, the index update after
    commit). Then gunicorn is stopped and started again, as after a crash, and the checks are:
    nothing a client was told was saved is missing from the database, the queue of index updates
    left by killed workers is drained by the restart, and the index equals the database
    (every document, in its latest version, and nothing else).
(b) With --documents synthetic reports added (enough for the rebuild to take a while and use
    Whoosh's parallel writer, whose forked sub-writers must not outlive it), `manage.py
    rebuild_search` is killed with SIGKILL once it has started writing the new generation. Then:
    search answers from the old generation, the writer lock is free (a save is indexed at once),
    no sub-writer is left running, a second rebuild succeeds and leaves no half-built generation.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_bench import GUNICORN, PYTHON, ROOT, Site
from bench.write_bench import Load, index_versus_database, set_up_with_curator

SYNTHETIC = """
import random
from archive.models import City, Document
paragraphs = [p for d in Document.objects.all() for p in d.body.split("\\n") if len(p) >= 10]
cities = list(City.objects.with_documents())
rng = random.Random(7)
Document.objects.bulk_create(
    [
        Document(
            title=f"合成文档 {n}（synthetic）", city=cities[n % len(cities)], year_start=2015, year_end=2015,
            body="\\n".join(rng.sample(paragraphs, 20)), raw_text="x", content_hash=f"synthetic-{n}",
        )
        for n in range(COUNT)
    ]
)
print(Document.objects.count())
"""


def queued(site: Site) -> int:
    script = "from archive.models import SearchQueueEntry; print(SearchQueueEntry.objects.count())"
    return int(site.manage("shell", "-c", script).stdout.strip().splitlines()[-1])


def count(site: Site, query: str) -> int:
    status, body = site.get("/api/search/?" + urllib.parse.urlencode({"q": query}))
    return json.loads(body)["count"] if status == 200 else -status


def descendants(pid: int) -> set[int]:
    found_pids, frontier = set(), [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            for child in map(int, children):
                if child not in found_pids:
                    found_pids.add(child)
                    frontier.append(child)
    return found_pids


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def workers_killed_during_writes(seconds: int, kill_every: float) -> list[tuple[str, object]]:
    with Site(prefix="reform-fault-bench-a-") as site:
        set_up_with_curator(site).start()
        load = Load(site, editors=4, importers=2, readers=2)
        kills = []
        stop = threading.Event()

        def killer():
            rng = random.Random(1)
            while not stop.wait(kill_every):
                workers = site.workers()
                if workers:
                    victim = rng.choice(workers)
                    os.kill(victim, signal.SIGKILL)
                    kills.append(victim)

        thread = threading.Thread(target=killer)
        thread.start()
        load.run(seconds)
        stop.set()
        thread.join()
        left_by_the_kills = queued(site)
        site.stop()  # and start again, as after a crash
        site.start()
        time.sleep(2)  # the workers' start-up drain
        after_restart = queued(site)
        drained = site.manage("process_search_queue").stdout.strip()
        lost = load.problems()
        tally = load.tally
        interrupted = sum(n for (_kind, code), n in tally.statuses.items() if code == 0)
        five = sum(n for (_kind, code), n in tally.statuses.items() if code >= 500)
        site.stop()
        rows = [
            ("(a) workers killed with SIGKILL during the write load", len(kills)),
            ("(a) requests cut off by the kills (connection reset)", interrupted),
            ("(a) admin saves confirmed (302)", tally.counts["admin saves"]),
            ("(a) reports imported", tally.counts["reports imported"]),
            ("(a) searches", tally.counts["searches"]),
            ("(a) 5xx answered", five),
            ("(a) index updates queued after the load / after restart", f"{left_by_the_kills} / {after_restart}"),
            ("(a) process_search_queue after restart", drained),
        ]
        rows += [(f"(a) {label}", len(items) if not items else items[:5]) for label, items in lost.items()]
        rows += [("(a) other failures", tally.failures[:5] or 0)]
        return rows


def rebuild_killed_halfway(documents: int) -> list[tuple[str, object]]:
    with Site(prefix="reform-fault-bench-b-") as site:
        set_up_with_curator(site)
        total = int(site.manage("shell", "-c", SYNTHETIC.replace("COUNT", str(documents))).stdout.split()[-1])
        site.manage("rebuild_search")
        site.start()
        search_dir = site.var / "search"
        old = (search_dir / "current").resolve()
        before = count(site, "县管校聘"), count(site, "河长")

        started = time.monotonic()
        rebuild = subprocess.Popen(
            [str(PYTHON), "manage.py", "rebuild_search"],
            cwd=ROOT,
            env=site.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        new = None
        # Wait until it writes the new generation with Whoosh's parallel writer (its sub-writers started).
        while new is None or not descendants(rebuild.pid):
            others = [g for g in (search_dir / "generations").iterdir() if g.resolve() != old]
            new = others[0] if others else None
            if rebuild.poll() is not None:
                raise RuntimeError("the rebuild finished before it could be killed: use more --documents")
            time.sleep(0.05)
        time.sleep(1.0)  # well into writing
        sub_writers = descendants(rebuild.pid)
        os.kill(rebuild.pid, signal.SIGKILL)
        rebuild.wait()
        killed_after = time.monotonic() - started

        during = count(site, "县管校聘"), count(site, "河长")
        health = site.get("/healthz")[0]
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in sub_writers) and time.monotonic() < deadline:
            time.sleep(0.05)
        orphans = [pid for pid in sub_writers if alive(pid)]
        lock_started = time.monotonic()
        drain = site.manage("process_search_queue", check=False)
        lock_wait = time.monotonic() - lock_started
        half_built = new.exists()

        second_started = time.monotonic()
        second = site.manage("rebuild_search", check=False)
        second_time = time.monotonic() - second_started
        after = count(site, "县管校聘"), count(site, "河长")
        generations = sorted(g.name for g in (search_dir / "generations").iterdir())
        current = (search_dir / "current").resolve().name
        comparison = index_versus_database(site)
        site.stop()
        return [
            ("(b) documents in the archive", total),
            ("(b) rebuild killed after, s", f"{killed_after:.1f}"),
            ("(b) sub-writer processes at the kill / left running", f"{len(sub_writers)} / {len(orphans)}"),
            ("(b) 县管校聘, 河长 found before / after the kill", f"{before} / {during}"),
            ("(b) /healthz after the kill", health),
            (
                "(b) process_search_queue after the kill (writer lock free)",
                f"exit {drain.returncode}, {lock_wait:.1f} s",
            ),
            ("(b) half-built generation left until the next rebuild", half_built),
            ("(b) second rebuild_search", f"exit {second.returncode}, {second_time:.1f} s"),
            ("(b) found after the second rebuild", after),
            ("(b) generations left (current + previous)", len(generations)),
            (
                "(b) current among them / half-built one gone",
                f"{current in generations} / {new.name not in generations}",
            ),
            ("(b) index differs from the database", [f"{k}: {v[:5]}" for k, v in comparison.items() if v] or 0),
        ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=40, help="length of the write load in (a)")
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between worker kills in (a)")
    parser.add_argument("--documents", type=int, default=600, help="synthetic reports added for (b)")
    parser.add_argument("--only", choices=["a", "b"])
    args = parser.parse_args()
    assert GUNICORN.exists(), "run `make setup` first"
    rows = []
    if args.only in {None, "a"}:
        rows += workers_killed_during_writes(args.seconds, args.kill_every)
    if args.only in {None, "b"}:
        rows += rebuild_killed_halfway(args.documents)
    print(f"load average {os.getloadavg()[0]:.1f}\n")
    print("| check | result |")
    print("|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
