"""Memory and time of one dataset download: the export built whole in memory (as every request did
before it was streamed) against the streamed export, on a synthetic archive.

    .venv/bin/python bench/export_bench.py [--reports 1000] [--repeats 3]

Runs in a temporary directory: migrates, loads the five seed reports and the curated fixture, then
copies the seeds (with their confirmed mentions) until the archive holds `--reports` reports. For
the JSON file, the CSV zip and documents.csv it measures, side by side in the same process:

- whole: the code before streaming (archive/dataset/export.py as of commit ba587f3, read with
  `git show`): every row read into memory, the file built as one bytes object, sent in one piece;
- streamed: the current view (archive/views/data.py) through a RequestFactory request, its chunks
  consumed one by one and dropped, as a WSGI server writing to a socket does.

Peak memory is tracemalloc's peak of Python allocations during the download (a run of its own,
since tracing slows Python down); time is the median wall time of `--repeats` untraced runs."""

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["REFORM_VAR_DIR"] = tempfile.mkdtemp(prefix="reform-export-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import reverse  # noqa: E402

from archive.models import Document, Mention, MentionStatus  # noqa: E402
from archive.views import data  # noqa: E402

BEFORE_COMMIT = "ba587f3"  # main's export.py just before streaming (mentions already carry year_source)


def old_export_module() -> types.ModuleType:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BEFORE_COMMIT}:archive/dataset/export.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("old_export")
    exec(compile(source, "old_export.py", "exec"), module.__dict__)
    return module


def synthesise(reports: int) -> None:
    """Copies of the seed reports, each with a marker line so its text (and hash) is its own, and
    with the seed's confirmed mentions at the same offsets."""
    seeds = list(Document.objects.order_by("pk"))
    mentions = {seed.pk: list(Mention.objects.filter(document=seed, status=MentionStatus.CONFIRMED)) for seed in seeds}
    copies = []
    for number in range(reports - len(seeds)):
        seed = seeds[number % len(seeds)]
        body = f"{seed.body}\n（第 {number} 份副本）"
        copies.append(
            Document(
                title=f"{seed.title}（副本 {number}）",
                city_id=seed.city_id,
                year_start=seed.year_start,
                year_end=seed.year_end,
                source=seed.source,
                authors=seed.authors,
                body=body,
                raw_text=body,
                original_filename=f"copy-{number}.txt",
                content_hash=f"bench-{number}",
            )
        )
    Document.objects.bulk_create(copies, batch_size=200)
    created = Document.objects.filter(content_hash__startswith="bench-").order_by("pk")
    new_mentions = []
    for number, document in enumerate(created.only("pk")):
        seed = seeds[number % len(seeds)]
        for mention in mentions[seed.pk]:
            new_mentions.append(
                Mention(
                    document_id=document.pk,
                    initiative_id=mention.initiative_id,
                    start=mention.start,
                    end=mention.end,
                    year=mention.year,
                    status=MentionStatus.CONFIRMED,
                    confirmed_at=mention.confirmed_at,
                )
            )
    Mention.objects.bulk_create(new_mentions, batch_size=1000)


def downloads(old):
    factory = RequestFactory()
    base = "http://testserver"

    def whole_json(request):
        content = old.dataset_json(old.dataset_tables(base_url=base))
        return HttpResponse(content, content_type="application/json; charset=utf-8")

    def whole_zip(request):
        return HttpResponse(old.dataset_zip(old.dataset_tables(base_url=base)), content_type="application/zip")

    def whole_csv(request, table):
        rows = old.dataset_tables(base_url=base, only=[table])[table]
        return HttpResponse(old.table_csv(table, rows), content_type="text/csv; charset=utf-8")

    return [
        ("dataset.json", "/api/export/dataset.json", whole_json, data.export_json, {}),
        ("dataset.zip", "/api/export/dataset.zip", whole_zip, data.export_zip, {}),
        ("documents.csv", "/api/export/documents.csv", whole_csv, data.export_table_csv, {"table": "documents"}),
    ], factory


def send(response) -> int:
    """What a WSGI server does with the response: write every chunk out, keep none."""
    size = 0
    for chunk in response:
        size += len(chunk)
    response.close()
    return size


def measure(view, request, kwargs, repeats: int) -> tuple[float, float, int]:
    times = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        size = send(view(request, **kwargs))
        times.append(time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    send(view(request, **kwargs))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    devnull = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    call_command("load_seed", stdout=devnull)
    synthesise(args.reports)
    old = old_export_module()
    cases, factory = downloads(old)
    reverse("document-detail", kwargs={"pk": 1})  # load the URL configuration before timing anything
    print(
        f"{Document.objects.count()} reports, {Mention.objects.confirmed().count()} confirmed mentions, "
        f"{sum(len(body) for body in Document.objects.values_list('body', flat=True)):,} characters of text\n"
    )
    print(
        f"{'download':15}{'size MB':>9}{'whole s':>9}{'streamed s':>12}{'whole peak MiB':>16}{'streamed peak MiB':>19}"
    )
    for name, url, whole, streamed, kwargs in cases:
        request = factory.get(url)
        whole_time, whole_peak, whole_size = measure(whole, request, kwargs, args.repeats)
        streamed_time, streamed_peak, streamed_size = measure(streamed, request, kwargs, args.repeats)
        # The streamed zip is 16 bytes a member larger (a data descriptor after each member's data).
        assert abs(whole_size - streamed_size) <= 16 * 16, (name, whole_size, streamed_size)
        size = f"{streamed_size / 1e6:.1f}"
        print(f"{name:15}{size:>9}{whole_time:>9.2f}{streamed_time:>12.2f}{whole_peak:>16.1f}{streamed_peak:>19.1f}")


if __name__ == "__main__":
    main()
