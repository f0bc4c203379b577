"""Scale benchmark: the archive at 10,000 and 100,000 SYNTHETIC reports, beside the textbook setup.

    .venv/bin/python bench/scale_bench.py --docs 10000 100000 [--import-files 2000] [--var-base DIR]
    .venv/bin/python bench/scale_bench.py --requery DIR...   # queries again on installations kept by --keep
    .venv/bin/python bench/scale_bench.py --reimport DIR... [--import-files 1500]  # and the import (step 5, 6)
    .venv/bin/python bench/scale_bench.py --profile 1000     # where a rebuild spends its time
    .venv/bin/python bench/scale_bench.py --profile-import 300 [--docs 1000]  # and an import (--jobs 2)

Every figure comes from one run on this machine. For each size N, in a throw-away installation
(bench/load_bench.Site: file database, the five seed reports, gunicorn with its production config):

1. N SYNTHETIC reports ("合成报告", never mixed with real data) are written to the database: each
   paragraphs drawn at random from the seed reports (those naming no city) up to a length drawn
   around 2,650 characters (the mean of the issue's corpus), a city and a year.
2. jieba's raw speed: jieba.lcut (precise mode, its defaults) over a sample of those texts.
3. `rebuild_search` of the whole archive, timed, with the peak temporary disk it used beside the
   final index and the peak resident memory of each process taking part.
4. The time to open a reader, the index size on disk; gunicorn is started and a fixed list of
   realistic queries (one character, two, long, several terms, OR, NOT, quoted, rare and very
   common terms, with facets and highlights) is sent over HTTP to /api/search/: p50 and p95, the
   first run of each query reported apart. Then the resident memory of each gunicorn worker.
5. Import, end to end to searchable: `import_reports` on a folder of --import-files new synthetic
   report files into the N-report archive (read, cleaned, extracted, written, indexed), timed to
   its exit, which comes after its last index commit. Meanwhile a curator's save (a report's title
   changed) is made every few seconds and the time until the search API finds it is measured.
6. The textbook setup (haystack's stock Whoosh backend with jieba's ChineseAnalyzer,
   bench/textbook.py) indexes the same report files' texts, in the same run.

Throughputs are in characters of report text per second. The machine is shared: figures are
floors, the ratios in one run are what to compare.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_bench import Site  # noqa: E402

REPORT_LENGTH = 2650  # characters, the mean
JIEBA_SAMPLE = 2000
# (label, query string): fixed, realistic, each with the facets the page shows and highlights.
QUERIES = [
    ("one character", "河"),
    ("one character, common", "改"),
    ("two characters", "河长"),
    ("two characters", "医保"),
    ("common word", "改革"),
    ("common, full-width digits", "２０２０年"),
    ("common, abbreviation", "深改委"),
    ("common, traditional", "國企改革"),
    ("common", "医联体"),
    ("initiative", "河长制"),
    ("initiative, quoted", '"最多跑一次"'),
    ("long", "全面深化改革领导小组"),
    ("long", "优化营商环境"),
    ("multi-term", "放管服 改革"),
    ("multi-term", "营商环境 审批 服务"),
    ("OR", "河长制 OR 林长制"),
    ("NOT", "改革 -试点"),
    ("NOT word", "审批 NOT 医保"),
    ("rare", "县管校聘"),
    ("rare", "一件事一次办"),
    ("absent", "量子计算"),
    ("filtered by year", "改革&year=2020"),
    ("filtered by city", "河长制&city=zhuzhou"),
    ("sorted by date", "营商环境&sort=date"),
    ("page 3", "改革&page=3"),
]
REPEATS = 4


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def rss_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB; PSS splits pages shared with the master and other workers."""
    rss = pss = 0.0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("Pss:"):
            pss = int(line.split()[1]) / 1024
    return rss, pss


def memory_parts(pid: int) -> dict:
    """What a process's PSS is made of, in MiB: anonymous memory (the heap, numpy arrays, Python
    objects) against file mappings (libraries), and private (this process's own: written after
    fork, or allocated since) against pages still shared with the master or the other worker."""
    parts = {"pss": 0.0, "pss_anon": 0.0, "pss_file": 0.0, "private_anon": 0.0, "shared_anon_pss": 0.0}
    mapping_anonymous = True
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if not fields[0].endswith(":"):  # a mapping's header: "start-end perms offset dev inode [path]"
            mapping_anonymous = len(fields) < 6 or (fields[5].startswith("[") and fields[5] != "[vdso]")
            continue
        key, rest = fields[0][:-1], fields[1]
        if key not in {"Pss", "Private_Dirty", "Private_Clean"}:
            continue
        megabytes = int(rest) / 1024
        if key == "Pss":
            parts["pss"] += megabytes
            parts["pss_anon" if mapping_anonymous else "pss_file"] += megabytes
        elif mapping_anonymous and key in {"Private_Dirty", "Private_Clean"}:
            parts["private_anon"] += megabytes
    parts["shared_anon_pss"] = parts["pss_anon"] - parts["private_anon"]
    return {key: round(value, 1) for key, value in parts.items()}


def descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            stack.append(child)
    return found


class Watcher(threading.Thread):
    """Samples, every half second, a directory's size and the RSS of a process and its children."""

    def __init__(self, directory: Path, pid: int):
        super().__init__(daemon=True)
        self.directory, self.pid = directory, pid
        self.peak_disk = 0
        self.peak_rss: dict[int, float] = {}
        self.peak_pss: dict[int, float] = {}  # pages shared after fork counted once, split
        self.running = True

    def run(self):
        while self.running:
            try:
                self.peak_disk = max(self.peak_disk, directory_size(self.directory))
            except OSError:
                pass  # a file went while we counted
            for pid in [self.pid, *descendants(self.pid)]:
                try:
                    rss, pss = rss_mb(pid)
                except OSError:
                    continue
                self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), rss)
                self.peak_pss[pid] = max(self.peak_pss.get(pid, 0), pss)
            time.sleep(0.5)

    def stop(self):
        self.running = False
        self.join()


# --- one size, in its own process (one Django setup per installation) --------------------------


def _names_a_place(places, text: str) -> bool:
    return bool(places.city_pattern.search(text) or places.county_pattern.search(text))


def synthetic_reports(count: int, seed: int):
    """(city name, title, body, year) of `count` SYNTHETIC reports from the seed paragraphs, one by one."""
    from archive.models import City, Document
    from archive.services import city_matcher

    # Paragraphs naming no city, so that each report's city is the one it is written about.
    matcher = city_matcher()
    seeds = Document.objects.exclude(content_hash__startswith="synthetic").exclude(title__contains="SYNTHETIC")
    paragraphs = [p for d in seeds for p in d.body.split("\n") if len(p) >= 10 and not _names_a_place(matcher, p)]
    # Not the four municipalities: their name is also a province's, which city detection blanks.
    cities = [
        name
        for name, short, province in City.objects.order_by("adcode").values_list("name", "short_name", "province")
        if not province.startswith(short)
    ]
    rng = random.Random(seed)
    for number in range(count):
        city = cities[number % len(cities)]
        year = rng.randint(2012, 2023)
        title = f"{city}{year}年全面深化改革工作总结（合成报告 {seed}-{number}，SYNTHETIC）"
        lead = f"合成报告（SYNTHETIC）{seed}-{number}：{city}{year}年改革工作情况。{city}全面深化改革。"
        # Lengths around those of the corpus (265.6 M characters for 100,000 reports).
        wanted = min(max(int(rng.gauss(REPORT_LENGTH, REPORT_LENGTH / 4)), 800), 3 * REPORT_LENGTH)
        chosen = [lead]
        while sum(map(len, chosen)) < wanted:
            chosen.append(rng.choice(paragraphs))
        body = "\n".join(chosen)
        yield city, title, body, year


def database_fill(reports) -> tuple[int, list[str]]:
    """Write the reports in chunks (the bench's own memory stays small); returns the characters
    written and the first JIEBA_SAMPLE texts."""
    from archive.models import City, Document

    cities = {city.name: city for city in City.objects.all()}
    characters, sample, batch = 0, [], []
    for number, (city, title, body, year) in enumerate(reports):
        text = f"{title}\n{body}"
        characters += len(text)
        if len(sample) < JIEBA_SAMPLE:
            sample.append(text)
        batch.append(
            Document(
                title=title,
                city=cities[city],
                year_start=year,
                year_end=year,
                body=body,
                raw_text=text,
                content_hash=f"synthetic-{number}",
            )
        )
        if len(batch) == 1000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    return characters, sample


def stamp(label: str) -> str:
    """The time, the load average and the code's commit, for the log of a long run."""
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    line = f"{label}: {time.strftime('%H:%M:%S UTC', time.gmtime())}, load {load}, code {commit.stdout.strip()}"
    print(line, flush=True)
    return line


def measure_queries(site: Site, counts: dict | None = None) -> dict:
    """p50/p95 of the fixed queries over HTTP; each query's result count goes into `counts`, so two
    engines' answers can be compared."""
    latencies, cold, server = [], [], []
    for _label, query in QUERIES:
        text, _, rest = query.partition("&")
        path = "/api/search/?" + urllib.parse.urlencode({"q": text, "page_size": 20}) + (f"&{rest}" if rest else "")
        for repeat in range(REPEATS):
            started = time.perf_counter()
            status, body = site.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise RuntimeError(f"{path}: {status} {body[:200]!r}")
            (cold if repeat == 0 else latencies).append(elapsed)
            if repeat:
                server.append(json.loads(body).get("elapsed_ms", 0))
        if counts is not None:
            counts[query] = json.loads(body)["count"]
    return {
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "max": max(latencies),
        "cold_p95": percentile(cold, 0.95),
        "server_p50": percentile(server, 0.5),
    }


def reader_open_ms() -> float:
    from archive import search

    search.reset()
    started = time.perf_counter()
    search.health()  # opens and checks the index
    return (time.perf_counter() - started) * 1000


def write_report_files(folder: Path, reports) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    characters = 0
    for number, (_city, title, body, _year) in enumerate(reports):
        (folder / f"report-{number:06d}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")
        characters += len(body)
    return characters


def curator_saves(site: Site, importer: subprocess.Popen, every: float = 5.0) -> list[float]:
    """While the import runs: change a seed report's title and time until search finds it."""
    from django.db import transaction

    from archive.models import Document
    from archive.text.words import segmenter

    segmenter()  # loaded before any save, as in a served process (reformsite/wsgi.py preloads it)
    document = Document.objects.exclude(content_hash__startswith="synthetic").order_by("pk").first()
    original = document.title
    waits = []
    number = 0
    time.sleep(every)
    while importer.poll() is None:
        number += 1
        marker = f"zqxjmark{number}"
        started = time.perf_counter()
        with transaction.atomic():
            document.title = f"{original} {marker}"
            document.save()
        path = "/api/search/?" + urllib.parse.urlencode({"q": marker})
        while time.perf_counter() - started < 120:
            status, body = site.get(path)
            if status == 200 and json.loads(body)["count"] == 1:
                break
            time.sleep(0.05)
        waits.append(time.perf_counter() - started)
        time.sleep(every)
    return waits


def textbook_index(reports) -> float:
    """The textbook setup indexing these reports (title and body, as in its index); seconds."""
    from haystack import connections
    from haystack.utils.loading import UnifiedIndex

    from archive.models import Document
    from bench.textbook import TextbookIndex

    textbook = connections["textbook"]
    unified = UnifiedIndex()
    unified.build(indexes=[TextbookIndex()])
    textbook._index = unified
    backend = textbook.get_backend()
    backend.clear()
    documents = [
        Document(pk=number + 1, title=title, body=body) for number, (_c, title, body, _y) in enumerate(reports)
    ]
    started = time.perf_counter()
    for offset in range(0, len(documents), 500):
        backend.update(TextbookIndex(), documents[offset : offset + 500])
    return time.perf_counter() - started


def opensearch_figures(count: int, characters: int, site: Site, url: str, whoosh_counts: dict) -> dict:
    """The same archive rebuilt on the OpenSearch cluster at `url` and the same queries sent to it
    through gunicorn: rebuild time, p50/p95, worker and cluster memory, and whether every query
    counted what Whoosh counted."""
    from bench.engines_bench import timed_rebuild, wait_for_cluster

    wait_for_cluster(url)

    pidfile = Path(os.environ.get("SEARCH_CLUSTER_DIR", "/nonexistent")) / "cluster.pid"
    cluster_pid = int(pidfile.read_text()) if pidfile.exists() else None
    whoosh_env = site.env
    engine_env = {**whoosh_env, "REFORM_SEARCH_URL": url, "REFORM_SEARCH_INDEX_PREFIX": f"bench-{os.getpid()}-"}
    figures = {"stamp": stamp(f"[{count}] opensearch rebuild start")}
    figures.update(timed_rebuild(site, engine_env, cluster_pid))
    figures["rebuild"] = characters / figures["rebuild_s"]
    print(f"[{count}] opensearch rebuild {figures}", flush=True)
    site.env = engine_env
    try:
        site.start(timeout=600)
        for _ in range(2):
            site.get("/api/search/?q=%E6%94%B9%E9%9D%A9")
        figures["counts"] = {}
        figures["queries"] = measure_queries(site, figures["counts"])
        figures["worker_rss"] = [rss_mb(pid) for pid in site.workers()]
        figures["jvm_rss_mb"] = rss_mb(cluster_pid)[0] if cluster_pid else None
        site.stop()
    finally:
        site.env = whoosh_env
    figures["count_differences"] = {
        query: (whoosh_counts.get(query), found)
        for query, found in figures["counts"].items()
        if whoosh_counts.get(query) != found
    }
    print(f"[{count}] opensearch {figures}", flush=True)
    return figures


def run_one(count: int, import_files: int, site: Site, opensearch_url: str | None = None) -> dict:
    import jieba

    from archive import search

    result = {"documents": count, "stamp": stamp(f"[{count}] start")}
    result["characters"], sample = database_fill(synthetic_reports(count, seed=count))
    print(f"[{count}] {result['characters']:,} characters in the database", flush=True)

    jieba.initialize()
    started = time.perf_counter()
    for text in sample:
        jieba.lcut(text)
    result["jieba"] = sum(map(len, sample)) / (time.perf_counter() - started)
    print(f"[{count}] jieba {result['jieba']:,.0f} chars/s", flush=True)
    del sample

    watcher = Watcher(Path(site.var) / "search" / "generations", os.getpid())
    watcher.start()
    started = time.perf_counter()

    def progress(items):
        # Partial figures in the log, should a run at 100,000 be stopped before the end.
        for number, item in enumerate(items, 1):
            yield item
            if number % max(count // 20, 1) == 0:
                elapsed = time.perf_counter() - started
                disk, rss = watcher.peak_disk / 2**20, max(watcher.peak_rss.values(), default=0)
                print(
                    f"[{count}] rebuild: {number:,} documents sent in {elapsed:.0f} s; "
                    f"peak disk {disk:,.0f} MB, peak RSS {rss:,.0f} MB",
                    flush=True,
                )

    search.rebuild(progress=progress)
    result["rebuild_s"] = time.perf_counter() - started
    watcher.stop()
    result["rebuild"] = result["characters"] / result["rebuild_s"]
    index_dir = Path(site.var) / "search" / "current"
    result["index_mb"] = directory_size(index_dir.resolve()) / 2**20
    result["rebuild_peak_disk_mb"] = watcher.peak_disk / 2**20
    result["rebuild_peak_rss_mb"] = watcher.peak_rss.pop(os.getpid())  # reads the database, feeds the writers
    result["rebuild_writer_rss_mb"] = max(watcher.peak_rss.values(), default=0)
    result["rebuild_peak_pss_mb"] = watcher.peak_pss.pop(os.getpid())
    result["rebuild_writer_pss_mb"] = max(watcher.peak_pss.values(), default=0)
    result["rebuild_processes"] = len(watcher.peak_rss)
    print(f"[{count}] rebuild {result['rebuild']:,.0f} chars/s; {result}", flush=True)

    result["reader_open_ms"] = reader_open_ms()
    result["serve_stamp"] = stamp(f"[{count}] gunicorn start")
    site.start(timeout=600)
    for _ in range(2):  # every worker opens its reader
        site.get("/api/search/?q=%E6%94%B9%E9%9D%A9")
    result["counts"] = {}
    result["queries"] = measure_queries(site, result["counts"])
    result["worker_rss"] = [rss_mb(pid) for pid in site.workers()]
    print(f"[{count}] queries {result['queries']}; workers {result['worker_rss']}", flush=True)
    if opensearch_url:
        site.stop()
        result["opensearch"] = opensearch_figures(count, result["characters"], site, opensearch_url, result["counts"])
        site.start(timeout=600)

    result.update(measure_import(site, import_files, seed=count + 7, label=str(count)))
    return result


def _served(site: Site) -> Site:
    """The site as the benchmark serves it: two workers, quiet logs, no throttles."""
    site.env["WEB_CONCURRENCY"] = "2"
    site.env["REFORM_GUNICORN_LOG_LEVEL"] = "warning"
    # One client sends every query and the curator's probes: the per-address throttles
    # (archive/throttling.py) would answer 429 to a benchmark, not to the engine.
    for scope in ("ANON", "SEARCH", "DOCUMENT", "EXPORT", "CONCORDANCE"):
        site.env[f"REFORM_THROTTLE_{scope}"] = "1000000/min"
    return site


def measure_import(site: Site, import_files: int, seed: int, label: str) -> dict:
    """`import_reports` of `import_files` new SYNTHETIC report files into the served site, to searchable, with a
    curator's saves meanwhile; then, the site stopped, the textbook setup indexing the same texts."""
    result: dict = {}
    new_reports = list(synthetic_reports(import_files, seed=seed))
    folder = Path(site.var) / "incoming"
    shutil.rmtree(folder, ignore_errors=True)
    result["import_characters"] = write_report_files(folder, new_reports)
    result["import_files"] = import_files
    result["import_stamp"] = stamp(f"[{label}] import start")
    started = time.perf_counter()
    importer = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "manage.py", "import_reports", str(folder)],
        cwd=ROOT,
        env=site.env,
        stdout=open(Path(site.var) / "import.out", "w"),
        stderr=open(Path(site.var) / "import.log", "w"),
    )
    waits = curator_saves(site, importer)
    importer.wait()
    result["import_s"] = time.perf_counter() - started
    result["import_exit"] = importer.returncode
    # After its last batch is searchable the command may merge piled-up segments (a tier full of
    # earlier imports' batches): that is not part of the time to searchable, and is reported apart.
    merged = re.search(r"检索索引段已合并（([\d.]+) s）", (Path(site.var) / "import.out").read_text(encoding="utf-8"))
    result["import_merge_s"] = float(merged[1]) if merged else 0.0
    result["import"] = result["import_characters"] / (result["import_s"] - result["import_merge_s"])
    result["curator_waits"] = waits
    search_after = json.loads(site.get("/api/search/?" + urllib.parse.urlencode({"q": f"合成报告 {seed}-"}))[1])
    result["imported_searchable"] = search_after["count"]
    print(
        f"[{label}] import {result['import']:,.0f} chars/s to searchable, then {result['import_merge_s']:.1f} s"
        f" merging segments; saves {waits}",
        flush=True,
    )
    site.stop()

    textbook_s = textbook_index(new_reports)
    result["textbook"] = sum(len(t) + len(b) + 1 for _c, t, b, _y in new_reports) / textbook_s
    print(f"[{label}] textbook {result['textbook']:,.0f} chars/s", flush=True)
    return result


def reimport(var: Path, import_files: int) -> None:
    """The import figures again, this code importing new SYNTHETIC files into an installation a run kept (which
    keeps them: each run draws files it has not seen, from a seed past every earlier one)."""
    site = _served(Site.existing(var))
    os.environ.update(site.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from archive.models import Document

    seed = 1_000_000 + Document.objects.count()
    result = {"installation": str(var), "documents": Document.objects.count()}
    try:
        site.start(timeout=600)
        result.update(measure_import(site, import_files, seed=seed, label=var.name))
    finally:
        site.stop()
    result["ratio"] = result["import"] / result["textbook"]
    print(json.dumps(result, ensure_ascii=False), flush=True)


def requery(var: Path, fill: int = 0) -> None:
    """The query figures again, this code serving an installation a run kept: gunicorn with 2
    workers, the same queries, their counts and each worker's memory. With `fill`, then that many
    different one-word searches (common jieba words, the same every time) and the queries again,
    with the memory after each: a worker that has served a while, its caches full."""
    site = _served(Site.existing(var))
    result = {"installation": str(var), "stamp": stamp(f"[{var.name}] gunicorn start"), "counts": {}}
    try:
        site.start(timeout=600)
        for _ in range(2):
            site.get("/api/search/?q=%E6%94%B9%E9%9D%A9")
        result["memory_warm"] = [memory_parts(pid) for pid in site.workers()]
        result["queries"] = measure_queries(site, result["counts"])
        result["worker_rss"] = [rss_mb(pid) for pid in site.workers()]
        result["memory"] = [memory_parts(pid) for pid in site.workers()]
        result["master_memory"] = memory_parts(site.server.pid)
        if fill:
            for word in fill_words(fill):
                status, body = site.get("/api/search/?" + urllib.parse.urlencode({"q": word, "page_size": 20}))
                if status != 200:
                    raise RuntimeError(f"{word}: {status} {body[:200]!r}")
            result["memory_filled"] = [memory_parts(pid) for pid in site.workers()]
            result["queries_again"] = measure_queries(site)
            result["memory_again"] = [memory_parts(pid) for pid in site.workers()]
    finally:
        site.stop()
    print(json.dumps(result, ensure_ascii=False), flush=True)


def fill_words(count: int) -> list[str]:
    """`count` different common words of jieba's own dictionary (2–4 Chinese characters)."""
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    words = sorted(
        word
        for word, frequency in tokenizer.FREQ.items()
        if frequency > 1000 and 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word)
    )
    return random.Random(11).sample(words, min(count, len(words)))


def profile(count: int) -> None:
    """cProfile of a one-process rebuild of `count` SYNTHETIC reports: where the time goes."""
    import cProfile
    import pstats

    from django.conf import settings

    from archive import search

    database_fill(synthetic_reports(count, seed=count))
    settings.SEARCH_REBUILD_PROCESSES = 1
    profiler = cProfile.Profile()
    profiler.runcall(search.rebuild)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(r"segments|analyzers|jieba/__init__|codec|indexing", 25)


def profile_import(count: int, files: int, site: "Site") -> None:
    """cProfile of `import_reports --jobs 2` (its main process: the workers only read and analyse)
    of `files` new SYNTHETIC reports into an indexed archive of `count`."""
    import pstats

    from archive import search

    database_fill(synthetic_reports(count, seed=count))
    search.rebuild()
    folder = Path(site.var) / "incoming"
    characters = write_report_files(folder, synthetic_reports(files, seed=count + 7))
    output = Path(site.var) / "import.prof"
    command = [str(ROOT / ".venv/bin/python"), "-m", "cProfile", "-o", str(output), "manage.py", "import_reports"]
    started = time.perf_counter()
    command += [str(folder), "--jobs", "2"]
    subprocess.run(command, cwd=ROOT, env=site.env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    print(f"import of {files} files ({characters:,} chars) in {elapsed:.1f} s: {characters / elapsed:,.0f} chars/s")
    stats = pstats.Stats(str(output))
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(r"archive|django/db|whoosh", 40)


def one(
    count: int,
    import_files: int,
    var_base: str | None,
    out: Path | None,
    profile_only: bool = False,
    profile_import_files: int = 0,
    opensearch_url: str | None = None,
    keep: bool = False,
) -> None:
    if var_base:
        os.environ["TMPDIR"] = var_base
    import tempfile

    tempfile.tempdir = None
    site = _served(Site(prefix=f"reform-scale-{count}-", keep=keep))
    try:
        site.set_up()
        os.environ.update(site.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        import django

        django.setup()
        if profile_only:
            profile(count)
            return
        if profile_import_files:
            profile_import(count, profile_import_files, site)
            return
        result = run_one(count, import_files, site, opensearch_url)
        out.write_text(json.dumps(result), encoding="utf-8")
    finally:
        site.clean()


def table(results: list[dict]) -> str:
    def row(label, values, target=""):
        return f"| {label} | " + " | ".join(values) + f" | {target} |"

    sizes = [f"{r['documents']:,}" for r in results]
    lines = [
        "| SYNTHETIC reports | " + " | ".join(sizes) + " | target |",
        "|---|" + "---:|" * len(results) + "---|",
        row("characters", [f"{r['characters'] / 1e6:.1f} M" for r in results]),
        row("jieba.lcut, chars/s", [f"{r['jieba']:,.0f}" for r in results]),
        row(
            "rebuild_search, chars/s (× jieba)",
            [f"{r['rebuild']:,.0f} ({r['rebuild'] / r['jieba']:.2f}×)" for r in results],
            "≥ 0.6× jieba",
        ),
        row("rebuild time", [f"{r['rebuild_s']:.0f} s" for r in results]),
        row("index size on disk", [f"{r['index_mb']:,.0f} MB" for r in results]),
        row(
            "rebuild peak disk (final + temporary)",
            [
                f"{r['rebuild_peak_disk_mb']:,.0f} MB ({r['rebuild_peak_disk_mb'] / r['index_mb']:.1f}× index)"
                for r in results
            ],
            "temporary ≤ 2× index",
        ),
        row(
            "rebuild peak RSS (PSS): main process; each writer process",
            [
                f"{r['rebuild_peak_rss_mb']:,.0f} ({r['rebuild_peak_pss_mb']:,.0f}) MB; "
                f"{r['rebuild_writer_rss_mb']:,.0f} ({r['rebuild_writer_pss_mb']:,.0f}) MB"
                for r in results
            ],
            "≤ 1 GB",
        ),
        row(
            f"import to searchable, chars/s ({results[0]['import_files']:,} files)",
            [f"{r['import']:,.0f}" for r in results],
        ),
        row("textbook indexing, same files, chars/s", [f"{r['textbook']:,.0f}" for r in results]),
        row("import ÷ textbook", [f"{r['import'] / r['textbook']:.2f}×" for r in results], "≥ 1.0×"),
        row(
            "curator save searchable during import (max, median)",
            [
                f"{max(r['curator_waits']):.2f} s, {statistics.median(r['curator_waits']):.2f} s"
                if r["curator_waits"]
                else "—"
                for r in results
            ],
            "≤ 2 s",
        ),
        row("open a reader", [f"{r['reader_open_ms']:.0f} ms" for r in results]),
        row("search API over HTTP, p50", [f"{r['queries']['p50']:.0f} ms" for r in results]),
        row("search API over HTTP, p95", [f"{r['queries']['p95']:.0f} ms" for r in results], "≤ 50 / 150 ms"),
        row("search API, p95 of first runs", [f"{r['queries']['cold_p95']:.0f} ms" for r in results]),
        row(
            "RSS per gunicorn worker (PSS)",
            [", ".join(f"{rss:.0f} ({pss:.0f})" for rss, pss in r["worker_rss"]) + " MB" for r in results],
            "≤ 150 MB",
        ),
    ]
    if all("opensearch" in r for r in results):
        lines += [
            row("OpenSearch (2 nodes): rebuild, chars/s", [f"{r['opensearch']['rebuild']:,.0f}" for r in results]),
            row(
                "OpenSearch: search API over HTTP, p50",
                [f"{r['opensearch']['queries']['p50']:.0f} ms" for r in results],
            ),
            row(
                "OpenSearch: search API over HTTP, p95",
                [f"{r['opensearch']['queries']['p95']:.0f} ms" for r in results],
                "≤ 50 ms at 100,000",
            ),
            row("OpenSearch: p95 of first runs", [f"{r['opensearch']['queries']['cold_p95']:.0f} ms" for r in results]),
            row(
                "OpenSearch: RSS per gunicorn worker; cluster JVM",
                [
                    ", ".join(f"{rss:.0f}" for rss, _pss in r["opensearch"]["worker_rss"])
                    + f" MB; {r['opensearch']['jvm_rss_mb'] or 0:,.0f} MB"
                    for r in results
                ],
            ),
            row(
                "same count as Whoosh for every query",
                [
                    ("yes" if not r["opensearch"]["count_differences"] else str(r["opensearch"]["count_differences"]))
                    for r in results
                ],
            ),
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--import-files", type=int, default=2000)
    parser.add_argument("--var-base", help="where the throw-away installations go (needs disk: ~3× the text)")
    parser.add_argument("--profile", type=int, metavar="N", help="profile a one-process rebuild of N reports instead")
    parser.add_argument(
        "--profile-import", type=int, metavar="FILES", help="profile import_reports of FILES files instead"
    )
    parser.add_argument(
        "--opensearch",
        action="store_true",
        help="also rebuild and query on the OpenSearch cluster (run under archive/search/cluster/with-cluster)",
    )
    parser.add_argument("--keep", action="store_true", help="keep each throw-away installation (var directory)")
    parser.add_argument(
        "--requery",
        type=Path,
        nargs="+",
        metavar="DIR",
        help="serve installations a run kept (--keep) with this code and measure the queries again",
    )
    parser.add_argument(
        "--fill",
        type=int,
        default=0,
        metavar="N",
        help="with --requery: then N different one-word searches, the queries again, and the memory",
    )
    parser.add_argument(
        "--reimport",
        type=Path,
        nargs="+",
        metavar="DIR",
        help="import --import-files new files into installations a run kept (--keep), beside the textbook",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reimport-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    opensearch_url = os.environ.get("SEARCH_TEST_URL") if arguments.opensearch else None
    if arguments.opensearch and not opensearch_url:
        parser.error("--opensearch: no cluster; run under archive/search/cluster/with-cluster")
    if arguments.requery:
        for var in arguments.requery:
            requery(var, arguments.fill)
        return
    if arguments.reimport:
        for var in arguments.reimport:
            # One process each: Django is set up for one installation per process.
            command = [
                sys.executable,
                __file__,
                "--reimport-one",
                str(var),
                "--import-files",
                str(arguments.import_files),
            ]
            subprocess.run(command, check=True)
        return
    if arguments.reimport_one:
        reimport(arguments.reimport_one, arguments.import_files)
        return
    if arguments.profile:
        one(arguments.profile, 0, arguments.var_base, None, profile_only=True)
        return
    if arguments.profile_import:
        one(arguments.docs[0], 0, arguments.var_base, None, profile_import_files=arguments.profile_import)
        return
    if arguments.one:
        one(
            arguments.one,
            arguments.import_files,
            arguments.var_base,
            arguments.out,
            opensearch_url=opensearch_url,
            keep=arguments.keep,
        )
        return

    print(f"scale benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores (shared)")
    results = []
    for count in arguments.docs:
        out = Path(arguments.var_base or "/tmp") / f"scale-{count}-{os.getpid()}.json"
        command = [sys.executable, __file__, "--one", str(count), "--import-files", str(arguments.import_files)]
        command += ["--out", str(out)] + (["--var-base", arguments.var_base] if arguments.var_base else [])
        command += (["--opensearch"] if arguments.opensearch else []) + (["--keep"] if arguments.keep else [])
        subprocess.run(command, check=True)
        results.append(json.loads(out.read_text(encoding="utf-8")))
        print(table(results), flush=True)


if __name__ == "__main__":
    main()
