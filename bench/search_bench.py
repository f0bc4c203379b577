"""Search benchmark: our index against the textbook setup, on a synthetic corpus, in one run.

    .venv/bin/python bench/search_bench.py --docs 1000 10000

For each corpus size N it builds N SYNTHETIC documents (random seed paragraphs, labelled
"合成文档" and never mixed with real data: everything lives in a temporary directory) and reports,
for ours and for the textbook setup (haystack's stock Whoosh backend with jieba's ChineseAnalyzer,
as most Django tutorials do it):

- recall against substring truth (every query term, normalised, is a substring of the normalised text);
- index build throughput in characters per second, next to jieba's own segmentation speed
  (jieba.lcut, default precise mode) measured on the same texts in the same run;
- query latency p50/p95 over a fixed query list: ours through GET /api/search/ (view, validation,
  engine, highlighting, JSON), the textbook through SearchQuerySet.auto_query + count + first page;
- peak memory (RSS) and index size on disk.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="reform-bench-"))
os.environ["REFORM_VAR_DIR"] = str(WORKDIR)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

import jieba  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from haystack import connections  # noqa: E402
from haystack.query import SearchQuerySet  # noqa: E402
from haystack.utils.loading import UnifiedIndex  # noqa: E402

from archive.models import City, Document  # noqa: E402
from archive.search import evaluate, parse_query, rebuild, reset  # noqa: E402
from archive.text.normalise import normalise  # noqa: E402
from bench.textbook import TextbookIndex  # noqa: E402

QUERY_FILES = [ROOT / "tests" / "search" / name for name in ("dev_queries.txt", "issue_queries.txt")]
QUERIES = [line for path in QUERY_FILES for line in path.read_text(encoding="utf-8").splitlines() if line]
PARAGRAPHS_PER_DOCUMENT = 20


def synthetic_corpus(count: int, seed: int = 20261124) -> None:
    paragraphs = [p for d in Document.objects.all() for p in d.body.split("\n") if len(p) >= 10]
    cities = list(City.objects.with_documents())
    rng = random.Random(seed)
    Document.objects.all().delete()
    batch = []
    for number in range(count):
        body = "\n".join(rng.sample(paragraphs, PARAGRAPHS_PER_DOCUMENT))
        year = rng.randint(2012, 2023)
        batch.append(
            Document(
                title=f"合成文档 {number}（synthetic）",
                city=cities[number % len(cities)],
                year_start=year,
                year_end=year,
                body=body,
                raw_text=body,
                content_hash=f"synthetic-{count}-{number}",
            )
        )
    Document.objects.bulk_create(batch, batch_size=500)


def truth(texts: dict[int, str], query: str) -> set[int]:
    terms = [normalise(term) for term in query.split()]
    return {pk for pk, text in texts.items() if all(term in text for term in terms)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run(count: int, repeats: int) -> dict:
    synthetic_corpus(count)
    documents = list(Document.objects.all())
    raw_texts = [f"{d.title}\n{d.body}" for d in documents]
    characters = sum(len(text) for text in raw_texts)

    started = time.perf_counter()
    for text in raw_texts:
        jieba.lcut(text)
    jieba_speed = characters / (time.perf_counter() - started)

    # Ours: a full rebuild from the database (preparing, normalising, segmenting, writing).
    started = time.perf_counter()
    rebuild()
    ours_build = time.perf_counter() - started
    reset()

    # Textbook: haystack's update of every document through the stock backend.
    textbook = connections["textbook"]
    unified = UnifiedIndex()
    unified.build(indexes=[TextbookIndex()])
    textbook._index = unified
    backend = textbook.get_backend()
    backend.clear()
    started = time.perf_counter()
    queryset = TextbookIndex().index_queryset()
    for offset in range(0, count, 500):
        backend.update(TextbookIndex(), list(queryset[offset : offset + 500]))
    textbook_build = time.perf_counter() - started

    normalised = {d.pk: normalise(text) for d, text in zip(documents, raw_texts, strict=True)}
    client = Client()
    ours = {"relevant": 0, "found": 0, "latencies": [], "cold": []}
    book = {"relevant": 0, "found": 0, "latencies": []}
    for query in QUERIES:
        relevant = truth(normalised, query)
        for repeat in range(repeats):
            started = time.perf_counter()
            response = client.get("/api/search/", {"q": query, "page_size": 20})
            elapsed = (time.perf_counter() - started) * 1000
            (ours["cold"] if repeat == 0 else ours["latencies"]).append(elapsed)
            assert response.status_code == 200, response.content
        ours_found = {hit.document_id for hit in evaluate(parse_query(query), limit=count).hits}
        ours["relevant"] += len(relevant)
        ours["found"] += len(relevant & ours_found)

        for _ in range(max(1, repeats - 1)):
            started = time.perf_counter()
            results = SearchQuerySet(using="textbook").auto_query(query)
            results.count()
            list(results[:20])
            book["latencies"].append((time.perf_counter() - started) * 1000)
        book_found = {int(result.pk) for result in SearchQuerySet(using="textbook").auto_query(query)[:count]}
        book["relevant"] += len(relevant)
        book["found"] += len(relevant & book_found)

    return {
        "documents": count,
        "characters": characters,
        "jieba_chars_per_s": jieba_speed,
        "ours_chars_per_s": characters / ours_build,
        "book_chars_per_s": characters / textbook_build,
        "ours_recall": ours["found"] / max(ours["relevant"], 1),
        "book_recall": book["found"] / max(book["relevant"], 1),
        "ours_p50": percentile(ours["latencies"], 0.5),
        "ours_p95": percentile(ours["latencies"], 0.95),
        "ours_cold_p95": percentile(ours["cold"], 0.95),
        "book_p50": percentile(book["latencies"], 0.5),
        "book_p95": percentile(book["latencies"], 0.95),
        "ours_index_mb": directory_size(Path(os.environ["REFORM_VAR_DIR"]) / "search" / "current") / 2**20,
        "book_index_mb": directory_size(Path(os.environ["REFORM_VAR_DIR"]) / "textbook") / 2**20,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=4, help="runs per query; the first is reported as cold")
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_seed", stdout=open(os.devnull, "w"))
    print(f"SYNTHETIC corpus from the seed paragraphs ({PARAGRAPHS_PER_DOCUMENT} per document); {len(QUERIES)} queries")
    print(f"machine: {os.cpu_count()} cores; work dir {WORKDIR}")
    for count in arguments.docs:
        r = run(count, arguments.repeats)
        print(f"\n== {r['documents']:,} documents, {r['characters']:,} characters")
        print(f"{'':26}{'ours':>14}{'textbook':>14}")
        print(f"{'recall':26}{r['ours_recall']:>14.3f}{r['book_recall']:>14.3f}")
        print(f"{'index chars/s':26}{r['ours_chars_per_s']:>14,.0f}{r['book_chars_per_s']:>14,.0f}")
        shares = [r[key] / r["jieba_chars_per_s"] for key in ("ours_chars_per_s", "book_chars_per_s")]
        jieba_note = f"(jieba.lcut: {r['jieba_chars_per_s']:,.0f} chars/s)"
        print(f"{'  share of jieba speed':26}{shares[0]:>14.0%}{shares[1]:>14.0%}   {jieba_note}")
        print(f"{'query p50 ms':26}{r['ours_p50']:>14.1f}{r['book_p50']:>14.1f}")
        print(f"{'query p95 ms':26}{r['ours_p95']:>14.1f}{r['book_p95']:>14.1f}")
        print(f"{'query p95 ms, first run':26}{r['ours_cold_p95']:>14.1f}{'':>14}")
        print(f"{'index size MB':26}{r['ours_index_mb']:>14.1f}{r['book_index_mb']:>14.1f}")
        print(f"{'peak RSS MB (process)':26}{r['peak_rss_mb']:>14.0f}")


if __name__ == "__main__":
    main()
