"""Concordance at scale: the first page of /api/concordance/?q=改革 over N SYNTHETIC reports, beside
a plain alternative, in one run.

    .venv/bin/python bench/concordance_bench.py --docs 10000 --var /tmp/conc-10k [--repeats 5]

The archive (a file database with the five seed reports plus N SYNTHETIC reports, "合成报告", made
by bench/scale_bench.synthetic_reports, and its search index) is built in --var the first time and
reused afterwards, so the timing can be repeated without rebuilding. Then, for each query:

- ours: GET /api/concordance/?q=…&page_size=50 through Django's test client (form, engine, count
  over the index's stored normalised texts, the page's lines cut from the texts as written, JSON),
  in a process whose reader is already open: "first" is a term asked for the first time in this
  index generation (its counts forgotten before each run: every matching text is read and
  counted), "repeat" the same request again and "page 2" the next page (counts remembered);
- plain: what one would write without the index: read every report's title and body from the
  database, normalise it, count the term with a regular expression and cut the first 50 lines.

Both give the count; the script checks they agree. The machine is shared: the load average is
printed with the figures, and the ratio in one run is what to compare.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def set_up_django(var: Path) -> None:
    var.mkdir(parents=True, exist_ok=True)
    os.environ["REFORM_VAR_DIR"] = str(var)
    os.environ["REFORM_SEARCH_DIR"] = str(var / "search")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    for name in ("DATABASE_URL", "REFORM_DATABASE_PATH"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.conf import settings

    # One client asking again and again is what the bench does, not an abuse to throttle.
    settings.THROTTLE_RATES = {scope: "1000000/min" for scope in settings.THROTTLE_RATES}


def build(count: int) -> None:
    """Seeds, N synthetic reports and the index, unless the archive in --var already has them."""
    from django.core.management import call_command

    from archive import search
    from archive.models import Document
    from bench.scale_bench import database_fill, synthetic_reports

    call_command("migrate", "--noinput", verbosity=0)
    if not Document.objects.exclude(content_hash__startswith="synthetic").exists():
        call_command("load_seed", stdout=open(os.devnull, "w"))
    have = Document.objects.filter(content_hash__startswith="synthetic").count()
    if have not in (0, count):
        sys.exit(f"--var holds {have} synthetic reports, not {count}: use another directory")
    if not have:
        started = time.perf_counter()
        characters, _sample = database_fill(synthetic_reports(count, seed=count))
        print(
            f"{count:,} synthetic reports ({characters:,} characters) written in {time.perf_counter() - started:.0f} s"
        )
    health = search.health()
    indexed = health.documents if health.ok else 0
    if indexed != Document.objects.count():
        started = time.perf_counter()
        call_command("rebuild_search", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
        print(f"index rebuilt in {time.perf_counter() - started:.0f} s")
        search.reset()


CPU = []  # CPU seconds of each of our requests: on a machine shared by a dozen processes, the
# wall-clock time is mostly waiting for a core, and CPU time is close to what an idle one takes.


def ours(client, term: str, page_size: int, page: int = 1) -> tuple[float, int]:
    started, cpu = time.perf_counter(), time.thread_time()
    response = client.get("/api/concordance/", {"q": term, "page_size": page_size, "page": page})
    elapsed = time.perf_counter() - started
    CPU.append(time.thread_time() - cpu)
    assert response.status_code == 200, response.content[:300]
    return elapsed, response.json()["count"]


def plain(term: str, page_size: int, width: int = 20) -> tuple[float, int]:
    """Every report from the database, normalised, counted with a regular expression; the first
    page of lines cut with their context."""
    from archive.models import Document
    from archive.text.normalise import normalise

    started = time.perf_counter()
    needle = re.compile(re.escape(normalise(term)))
    count, lines = 0, []
    for title, body in Document.objects.order_by("pk").values_list("title", "body").iterator(chunk_size=500):
        text = normalise(f"{title}\n{body}")
        for match in needle.finditer(text):
            count += 1
            if len(lines) < page_size:
                lines.append(text[max(0, match.start() - width) : match.end() + width])
    return time.perf_counter() - started, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--var", type=Path, required=True, help="where the archive is built (and reused)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--terms", nargs="+", default=["改革", "河长制", "营商环境"])
    parser.add_argument("--build-only", action="store_true")
    arguments = parser.parse_args()

    set_up_django(arguments.var)
    build(arguments.docs)
    if arguments.build_only:
        return

    from django.test import Client

    from archive.models import Document

    client = Client()
    client.get("/api/search/", {"q": "河长制"})  # the process's first search opens the reader
    print(f"{Document.objects.count():,} reports; load average {os.getloadavg()[0]:.1f} at start")
    print(
        f"{'term':<6} {'first':>8} {'repeat':>8} {'page 2':>8} {'plain':>9} {'plain/first':>12}"
        f" {'plain/repeat':>13}  count"
    )
    for term in arguments.terms:
        first, first_cpu = [], []
        for _ in range(arguments.repeats):
            forget_counts(client)
            elapsed, count = ours(client, term, arguments.page_size)
            first.append(elapsed)
            first_cpu.append(CPU[-1])
        repeat = [ours(client, term, arguments.page_size)[0] for _ in range(arguments.repeats)]
        repeat_cpu = CPU[-arguments.repeats :]
        second_page = [ours(client, term, arguments.page_size, page=2)[0] for _ in range(arguments.repeats)]
        plain_cpu = time.thread_time()
        plain_elapsed, plain_count = plain(term, arguments.page_size)
        plain_cpu = time.thread_time() - plain_cpu
        agree = "" if plain_count == count else f"  MISMATCH: plain {plain_count}"
        first_ms, repeat_ms = statistics.median(first) * 1000, statistics.median(repeat) * 1000
        print(
            f"{term:<6} {first_ms:>6.0f}ms {repeat_ms:>6.0f}ms {statistics.median(second_page) * 1000:>6.0f}ms"
            f" {plain_elapsed * 1000:>7.0f}ms {plain_elapsed * 1000 / first_ms:>11.1f}×"
            f" {plain_elapsed * 1000 / repeat_ms:>12.1f}×  {count:,}{agree}",
            flush=True,
        )
        print(
            f"{'  CPU':<6} {statistics.median(first_cpu) * 1000:>6.0f}ms {statistics.median(repeat_cpu) * 1000:>6.0f}ms"
            f" {'':>8} {plain_cpu * 1000:>7.0f}ms",
            flush=True,
        )
    print(f"load average {os.getloadavg()[0]:.1f} at end; medians of {arguments.repeats} runs")


def forget_counts(client) -> None:
    """As for a term never asked for in this index generation: the reader (and the counts it
    remembers) is dropped, and reopened by a search before the timed request."""
    from archive import search

    search.reset()
    client.get("/api/search/", {"q": "河长制"})


if __name__ == "__main__":
    main()
