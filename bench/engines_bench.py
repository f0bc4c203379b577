"""Both search engines side by side on the same SYNTHETIC archive: Whoosh and OpenSearch.

    archive/search/cluster/with-cluster .venv/bin/python bench/engines_bench.py --docs 10000
    .venv/bin/python bench/engines_bench.py --docs 10000 --url http://127.0.0.1:9200 --cluster-pid PID

For each size N, in one throw-away installation (bench/load_bench.Site: file database, the seed
reports plus N SYNTHETIC reports made as bench/scale_bench.py makes them):

1. `rebuild_search` on each engine, timed (characters of report text per second), with the peak
   resident memory of the command (and of the cluster's JVM, for OpenSearch).
2. gunicorn (production config, 2 workers) on each engine in turn; scale_bench's fixed list of
   realistic queries is sent to /api/search/ (page of 20, facets, highlights): p50 and p95 of the
   warm runs, first runs reported apart; each query's count is checked to be the same on both.
3. The resident memory of each worker, and of the cluster's JVM (both nodes share it).

The cluster is the one `with-cluster` started (SEARCH_TEST_URL, and its pid file in
SEARCH_CLUSTER_DIR) or --url/--cluster-pid. The machine is shared: figures are floors; the two
engines in one run are what to compare.
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_bench import Site  # noqa: E402
from bench.scale_bench import measure_queries, rss_mb  # noqa: E402


class PeakRss(threading.Thread):
    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids, self.peak, self.running = pids, {}, True

    def run(self):
        while self.running:
            for pid in self.pids():
                try:
                    self.peak[pid] = max(self.peak.get(pid, 0), rss_mb(pid)[0])
                except OSError:
                    continue
            time.sleep(0.5)

    def stop(self):
        self.running = False
        self.join()
        return max(self.peak.values(), default=0.0)


def timed_rebuild(site: Site, env: dict, cluster_pid: int | None) -> dict:
    import subprocess

    started = time.perf_counter()
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "manage.py", "rebuild_search"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    command = PeakRss(lambda: [process.pid])
    command.start()
    jvm = PeakRss(lambda: [cluster_pid] if cluster_pid else [])
    jvm.start()
    _out, errors = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"rebuild_search failed: {errors[-2000:]}")
    return {"rebuild_s": seconds, "rebuild_rss_mb": command.stop(), "jvm_rss_mb": jvm.stop()}


def query_figures(site: Site) -> tuple[dict, dict]:
    counts: dict = {}
    return measure_queries(site, counts), counts


def run(count: int, url: str, cluster_pid: int | None, only: list[str]) -> dict:
    from bench.scale_bench import database_fill, synthetic_reports

    site = Site(prefix=f"reform-engines-{count}-")
    site.env["WEB_CONCURRENCY"] = "2"
    site.env["REFORM_GUNICORN_LOG_LEVEL"] = "warning"
    for scope in ("ANON", "SEARCH", "CONCORDANCE", "DOCUMENT", "EXPORT"):  # measure the engines, not the throttle
        site.env[f"REFORM_THROTTLE_{scope}"] = "1000000/min"
    engines = {
        "whoosh": dict(site.env),
        "opensearch": {**site.env, "REFORM_SEARCH_URL": url, "REFORM_SEARCH_INDEX_PREFIX": f"bench-{os.getpid()}-"},
    }
    result = {"documents": count}
    try:
        site.set_up()
        os.environ.update(site.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        import django

        django.setup()
        result["characters"], _sample = database_fill(synthetic_reports(count, seed=count))
        print(f"[{count}] {result['characters']:,} characters in the database", flush=True)
        all_counts = {}
        for name, env in engines.items():
            if name not in only:
                continue
            figures = timed_rebuild(site, env, cluster_pid if name == "opensearch" else None)
            figures["rebuild"] = result["characters"] / figures["rebuild_s"]
            print(f"[{count}] {name} rebuild {figures}", flush=True)
            site.env = env
            site.start(timeout=600)
            try:
                for _ in range(2):
                    site.get("/api/search/?q=%E6%94%B9%E9%9D%A9")
                figures["queries"], all_counts[name] = query_figures(site)
                figures["worker_rss_mb"] = [rss_mb(pid)[0] for pid in site.workers()]
                if name == "opensearch" and cluster_pid:
                    figures["jvm_serving_rss_mb"] = rss_mb(cluster_pid)[0]
            finally:
                site.stop()
            print(f"[{count}] {name} {figures}", flush=True)
            result[name] = figures
        if len(all_counts) == 2:
            result["same_counts"] = all_counts["whoosh"] == all_counts["opensearch"]
            result["count_differences"] = {
                q: (all_counts["whoosh"][q], all_counts["opensearch"][q])
                for q in all_counts["whoosh"]
                if all_counts["whoosh"][q] != all_counts["opensearch"][q]
            }
        result["counts"] = all_counts
    finally:
        site.clean()
    return result


def table(result: dict) -> str:
    w, o = result["whoosh"], result["opensearch"]
    rows = [
        ("rebuild (chars/s)", f"{w['rebuild']:,.0f}", f"{o['rebuild']:,.0f}"),
        ("rebuild time (s)", f"{w['rebuild_s']:,.0f}", f"{o['rebuild_s']:,.0f}"),
        ("search API p50 (ms)", f"{w['queries']['p50']:,.0f}", f"{o['queries']['p50']:,.0f}"),
        ("search API p95 (ms)", f"{w['queries']['p95']:,.0f}", f"{o['queries']['p95']:,.0f}"),
        ("first run p95 (ms)", f"{w['queries']['cold_p95']:,.0f}", f"{o['queries']['cold_p95']:,.0f}"),
        ("rebuild command peak RSS (MB)", f"{w['rebuild_rss_mb']:,.0f}", f"{o['rebuild_rss_mb']:,.0f}"),
        (
            "gunicorn worker RSS (MB)",
            "/".join(f"{m:,.0f}" for m in w["worker_rss_mb"]),
            "/".join(f"{m:,.0f}" for m in o["worker_rss_mb"]),
        ),
        ("cluster JVM RSS, both nodes (MB)", "—", f"{o.get('jvm_serving_rss_mb', 0):,.0f}"),
    ]
    lines = [f"{result['documents']:,} SYNTHETIC reports ({result['characters']:,} characters)", ""]
    lines += ["| measure | Whoosh | OpenSearch (2 nodes) |", "|---|---|---|"]
    lines += [f"| {label} | {a} | {b} |" for label, a, b in rows]
    lines.append(f"\nSame count for every query on both engines: {result['same_counts']} {result['count_differences']}")
    return "\n".join(lines)


def wait_for_cluster(url: str, seconds: int = 300) -> None:
    """Until the cluster at `url` is green: with-cluster starts it alongside the command."""
    import requests

    for _ in range(seconds):
        try:
            if requests.get(f"{url}/_cluster/health?wait_for_status=green&timeout=5s", timeout=10).ok:
                return
        except requests.RequestException:
            time.sleep(1)
    raise RuntimeError(f"no green cluster at {url} after {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10000])
    parser.add_argument("--url", default=os.environ.get("SEARCH_TEST_URL"))
    parser.add_argument("--cluster-pid", type=int)
    parser.add_argument("--engines", nargs="+", default=["whoosh", "opensearch"], choices=["whoosh", "opensearch"])
    args = parser.parse_args()
    if not args.url:
        parser.error("no cluster: run under archive/search/cluster/with-cluster, or give --url")
    pid = args.cluster_pid
    pidfile = Path(os.environ.get("SEARCH_CLUSTER_DIR", "/nonexistent")) / "cluster.pid"
    if pid is None and pidfile.exists():
        pid = int(pidfile.read_text())
    wait_for_cluster(args.url)
    pid = pid or (int(pidfile.read_text()) if pidfile.exists() else None)
    for count in args.docs:
        result = run(count, args.url, pid, args.engines)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if set(args.engines) == {"whoosh", "opensearch"}:
            print(table(result), flush=True)


if __name__ == "__main__":
    main()
