"""Server time of the archive's pages on the seed data (issue 4: the five-city comparison must
render in well under 100 ms).

    .venv/bin/python bench/pages_bench.py [--repeats 50]

Runs in a temporary directory: migrates, loads the seeds, builds the index, then times each page
through Django's test client (server time: URL routing, views, queries, templates)."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["REFORM_VAR_DIR"] = tempfile.mkdtemp(prefix="reform-pages-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

PAGES = [
    ("home", "/"),
    ("city timeline (株洲)", "/cities/zhuzhou/"),
    ("city timeline (株洲), English", "/en/cities/zhuzhou/"),
    ("compare all five cities", "/compare/"),
    ("compare all five cities, English", "/en/compare/"),
    ("compare three cities", "/compare/?cities=zhuzhou&cities=xiangtan&cities=xuchang"),
    ("initiative (河长制)", "/initiatives/hezhangzhi/"),
    ("document (株洲, 42 mentions)", "/documents/1/"),
    ("search 河长", "/search/?q=河长"),
    ("api compare", "/api/compare/"),
    ("api timeline", "/api/cities/zhuzhou/timeline/"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    repeats = parser.parse_args().repeats
    devnull = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    call_command("load_seed", stdout=devnull)
    call_command("rebuild_search", stdout=devnull, stderr=devnull)
    client = Client()
    print(f"{'page':32}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, url in PAGES:
        assert client.get(url).status_code == 200, url  # warm templates and caches
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{name:32}{statistics.median(times):>10.1f}{p95:>10.1f}{times[-1]:>10.1f}")


if __name__ == "__main__":
    main()
