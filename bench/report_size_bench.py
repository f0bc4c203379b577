"""Server time and peak memory of a report's page against the report's size (issue 12), ours side by
side with the quadratic marking it replaced, in the same run.

    .venv/bin/python bench/report_size_bench.py [--sizes 0.1 1 5] [--timeout 60] [--repeats 3]

Runs in a temporary directory: migrates, loads the seeds, then stores reports of each size (MiB of
UTF-8 text from the 株洲 seed) in two shapes: one line, and short lines of 20 characters (a 5 MiB
report is then ~90,000 paragraphs), each with 100 confirmed mentions. Each is rendered through
Django's test client, without and with ?q=发展, by our code and by the old algorithm (kept only
here, as the baseline): every span tested against every piece of every paragraph. A run of the old
one longer than --timeout is stopped and reported as such. Time is the best of --repeats; peak
memory is tracemalloc's peak in a separate run (Python allocations only)."""

import argparse
import os
import signal
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["REFORM_VAR_DIR"] = tempfile.mkdtemp(prefix="reform-size-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils.html import escape, format_html_join  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402

from archive import selectors  # noqa: E402
from archive.models import City, Document, Initiative, Mention, MentionStatus  # noqa: E402
from archive.text.normalise import normalise_with_positions  # noqa: E402

MiB = 2**20
MENTIONS = 100


# --- The baseline: the marking as it was before issue 12 (archive/highlighting.py, search/highlight.py).
@dataclass(frozen=True)
class OldSpan:
    start: int
    end: int
    attrs: dict = field(default_factory=dict, hash=False, compare=False)


def old_mark_spans(text, spans, *, offset=0):
    boundaries = {0, len(text)}
    local = []
    for span in spans:
        start, end = max(span.start - offset, 0), min(span.end - offset, len(text))
        if start < end:
            local.append((start, end, span))
            boundaries.update((start, end))
    pieces = []
    anchored = set()
    for left, right in pairwise(sorted(boundaries)):
        covering = [span for start, end, span in local if start <= left and right <= end]
        chunk = escape(text[left:right])
        if covering:
            span = covering[0]
            attrs = dict(span.attrs)
            if "id" in attrs and id(span) in anchored:
                del attrs["id"]
            anchored.add(id(span))
            attr_html = format_html_join("", ' {}="{}"', attrs.items())
            pieces.append(f"<mark{attr_html}>{chunk}</mark>")
        else:
            pieces.append(chunk)
    return mark_safe("".join(pieces))


def old_find_matches(text, terms):
    normalised, positions = normalise_with_positions(text)
    taken = bytearray(len(normalised))
    matches = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        start = normalised.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * len(term)
                matches.append((positions[start], positions[end - 1] + 1))
            start = normalised.find(term, start + 1)
    return sorted(matches)


def old_document_text(document, *, highlight_terms=()):
    hits = [
        OldSpan(start, end, {"class": "hit", **({"id": "hit1"} if index == 0 else {})})
        for index, (start, end) in enumerate(old_find_matches(document.body, list(highlight_terms)))
    ]
    mentions = [
        OldSpan(m.start, m.end, {"id": f"m{m.pk}", "class": "mention", "title": m.initiative.name})
        for m in document.confirmed_mentions
    ]
    paragraphs, offset, hit_count = [], 0, 0
    for number, text in enumerate(document.body.split("\n"), start=1):
        end = offset + len(text)
        hit_count += sum(1 for span in hits if offset <= span.start < end)
        paragraphs.append(selectors.Paragraph(number, old_mark_spans(text, hits + mentions, offset=offset)))
        offset = end + 1
    return selectors.DocumentText(paragraphs, hit_count, True)


# --- The reports.
def report_text(size: int, shape: str, seed: str) -> str:
    text = seed.replace("\n", "")
    text = (text * (size // len(text.encode()) + 1))[: size * len(text) // len(text.encode())]
    if shape == "short lines":
        text = "\n".join(text[i : i + 20] for i in range(0, len(text), 20))
    return text


def stored_report(size: int, shape: str, seed: str, initiative: Initiative) -> Document:
    body = report_text(size, shape, seed)
    document = Document.objects.create(
        city=City.objects.get(slug="zhuzhou"), title="", body=body, raw_text="", content_hash=f"{size}-{shape}"
    )
    step = len(body) // MENTIONS
    Mention.objects.bulk_create(
        Mention(
            document=document, initiative=initiative, start=i * step, end=i * step + 60, status=MentionStatus.CONFIRMED
        )
        for i in range(MENTIONS)
    )
    return document


class TimedOut(Exception):
    pass


@contextmanager
def deadline(seconds: float):
    def stop(signum, frame):
        raise TimedOut

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def measure(client, url: str, *, repeats: int, timeout: float) -> tuple[str, str]:
    """(best seconds, peak MiB) as table cells; '> timeout' when stopped."""
    best = float("inf")
    try:
        with deadline(timeout):
            for _ in range(repeats):
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                best = min(best, time.perf_counter() - started)
                if best * repeats > timeout:
                    break
    except TimedOut:
        return f"> {timeout:.0f} s (stopped)", "—"
    tracemalloc.start()
    try:
        with deadline(timeout * 3):
            client.get(url)
        peak = f"{tracemalloc.get_traced_memory()[1] / MiB:.0f}"
    except TimedOut:
        peak = "—"
    finally:
        tracemalloc.stop()
    return f"{best:.2f}", peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.1, 1, 5])
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    devnull = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    call_command("load_seed", stdout=devnull)
    seed = Document.objects.get(city__slug="zhuzhou").body
    initiative = Initiative.objects.get(slug="hezhangzhi")
    client = Client()
    ours = selectors.document_text
    print(f"{MENTIONS} confirmed mentions per report; seconds (best of {args.repeats}) / peak MiB (tracemalloc)")
    print("| size | shape | paragraphs | query | ours s | ours MiB | old s | old MiB |")
    print("|---:|---|---:|---|---:|---:|---:|---:|")
    for size in args.sizes:
        for shape in ("one line", "short lines"):
            document = stored_report(int(size * MiB), shape, seed, initiative)
            paragraphs = document.body.count("\n") + 1
            for query in ("", "?q=发展"):
                url = document.get_absolute_url() + query
                selectors.document_text = ours
                our_time, our_peak = measure(client, url, repeats=args.repeats, timeout=args.timeout)
                selectors.document_text = old_document_text
                old_time, old_peak = measure(client, url, repeats=args.repeats, timeout=args.timeout)
                selectors.document_text = ours
                print(
                    f"| {size:g} MiB | {shape} | {paragraphs:,} | {query or '—'} "
                    f"| {our_time} | {our_peak} | {old_time} | {old_peak} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
