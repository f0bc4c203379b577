"""Concurrent writes: curators saving in the admin and the importer importing, while readers search.

    .venv/bin/python bench/write_bench.py [--seconds 60] [--editors 4] [--importers 4] [--readers 2]

A throw-away installation (bench/load_bench.py's Site) served by gunicorn with its production
config. For --seconds, at the same time:

- editors: each logs into the admin (a superuser made for the run) and saves the change form of
  its own seed report over and over (CSRF token, every field and inline as the browser sends
  them), with a new title marker, a new source and a new year on one of its tagged mentions;
- importers: each writes new reports (seed paragraphs recombined, a unique marker word in the
  middle) and runs `manage.py import_reports` on three at a time, as a curator would;
- readers: search through /api/search/ without pause.

Then it drains what is left in the queue (`process_search_queue`; normally nothing) and checks:
every imported report is in the database and found by its marker through /api/search/, every
editor's last save is in the database (title, source, mention year) and its title marker is found,
no response was a 5xx and nothing logged "database is locked". Exits non-zero if a check fails.
"""

import argparse
import html.parser
import http.cookiejar
import json
import os
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_bench import ROOT, Site

SEED_DIR = ROOT / "fixtures" / "seeds"
PASSWORD = "bench-Passw0rd-写入"
READER_QUERIES = ["河长", "县管校聘", "放管服 改革", "营商环境", "一件事一次办"]
CITIES = ["zhuzhou", "yongzhou", "xiangtan", "xuchang", "changchun"]


class FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from the first form with id `form_id`."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._selected = name, False
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields.append((self._select, attributes.get("value", "")))
            self._selected = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline right after <textarea>; the parser keeps it.
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None


class Browser:
    """A curator's browser: cookies, CSRF tokens, forms."""

    def __init__(self, site: Site):
        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.site.base + path, data=body)
        if body is not None:
            request.add_header("Referer", self.site.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except OSError:  # the connection died with its worker (fault_bench.py kills them)
            return 0, ""

    def form(self, path: str, form_id: str) -> tuple[int, list[tuple[str, str]]]:
        status, page = self.request(path)
        parser = FormFields(form_id)
        parser.feed(page)
        return status, parser.fields

    def log_in(self, username: str) -> None:
        for _attempt in range(5):  # a login cut off by a killed worker (fault_bench.py) is tried again
            status, fields = self.form("/admin/login/", "login-form")
            if status != 200:
                continue
            fields = [(k, v) for k, v in fields if k not in {"username", "password"}]
            status, _page = self.request(
                "/admin/login/?next=/admin/", [*fields, ("username", username), ("password", PASSWORD)]
            )
            if status == 302:
                return
        raise RuntimeError(f"admin login failed: {status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.counts: Counter = Counter()
        self.failures: list[str] = []

    def status(self, kind: str, code: int) -> None:
        with self.lock:
            self.statuses[(kind, code)] += 1

    def add(self, key: str, number: int = 1) -> None:
        with self.lock:
            self.counts[key] += number

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def seed_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(SEED_DIR.glob("*.txt")):
        paragraphs += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 30]
    return paragraphs


def marker(kind: str, client: int, number: int) -> str:
    # Fixed width and a closing letter, so no marker is a substring of another.
    return f"{kind}{client}n{number:05d}q"


def editor(
    site: Site, client: int, document_id: int, deadline: float, tally: Tally, saved: dict, attempted: dict
) -> None:
    """Saves its report until the deadline; `saved` holds each report's last confirmed save, `attempted`
    every title sent (a save whose worker was killed may or may not have committed)."""
    browser = Browser(site)
    browser.log_in("bench")
    path = f"/admin/archive/document/{document_id}/change/"
    number = 0
    while time.monotonic() < deadline:
        number += 1
        status, fields = browser.form(path, "document_form")
        tally.status("admin GET", status)
        if status == 0:
            continue
        if status != 200:
            tally.fail(f"editor {client}: change form {status}")
            continue
        title_marker = marker("ed", client, number)
        values = dict(fields)
        title = f"{values['title'].split('（编辑')[0]}（编辑{title_marker}）"
        source = f"压测来源 {client}-{number}"
        year_field = next((k for k, _v in fields if k.startswith("mentions-") and k.endswith("-year")), None)
        year = str(2000 + number % 20)
        changed = []
        for key, value in fields:
            if key == "title":
                value = title
            elif key == "source":
                value = source
            elif key == year_field:
                value = year
            changed.append((key, value))
        started = time.perf_counter()
        attempted.setdefault(document_id, []).append(title)
        status, page = browser.request(path, changed)
        tally.add("admin save ms", round((time.perf_counter() - started) * 1000))
        tally.status("admin POST", status)
        if status == 0:
            continue  # interrupted: committed or not, the check below accepts either
        if status == 302:
            tally.add("admin saves")
            mention_index = year_field.split("-")[1] if year_field else None
            mention_id = values.get(f"mentions-{mention_index}-id") if mention_index else None
            saved[document_id] = {
                "title": title,
                "marker": title_marker,
                "source": source,
                "mention": mention_id,
                "year": year,
            }
        else:
            tally.fail(f"editor {client}: save answered {status}: {page[:300]!r}")


def importer(site: Site, client: int, deadline: float, tally: Tally, imported: dict, paragraphs: list[str]) -> None:
    rng = random.Random(client)
    folder = Path(tempfile.mkdtemp(prefix=f"importer-{client}-", dir=site.var))
    number = 0
    while time.monotonic() < deadline:
        files = []
        for _ in range(3):
            number += 1
            word = marker("im", client, number)
            body = rng.sample(paragraphs, 8)
            body.insert(4, f"本市试行“{word}”改革，成效明显。")
            city = rng.choice(CITIES)
            path = folder / f"{word}.txt"
            path.write_text(f"{word}改革工作报告\n" + "\n".join(body), encoding="utf-8")
            files.append((path, word, city))
        for city in {city for _p, _w, city in files}:
            batch = [(p, w) for p, w, c in files if c == city]
            started = time.perf_counter()
            result = site.manage(
                "import_reports", *[str(p) for p, _w in batch], "--city", city, "--year", "2021", check=False
            )
            tally.add("import runs")
            tally.add("import ms", round((time.perf_counter() - started) * 1000))
            tally.add("database is locked", (result.stdout + result.stderr).count("database is locked"))
            for path, word in batch:
                line = next((line for line in result.stdout.splitlines() if path.name in line), "")
                if line.startswith("imported"):
                    imported[word] = city
                    tally.add("reports imported")
                else:
                    tally.fail(f"importer {client}: {path.name}: {line or result.stderr[-300:]!r}")


def reader(site: Site, deadline: float, tally: Tally) -> None:
    rng = random.Random()
    while time.monotonic() < deadline:
        query = rng.choice(READER_QUERIES)
        try:
            status, _body = site.get("/api/search/?" + urllib.parse.urlencode({"q": query}), timeout=60)
        except OSError:  # the connection died with its worker (fault_bench.py kills them)
            status = 0
        tally.status("search", status)
        tally.add("searches")


def database_state(site: Site) -> dict:
    script = (
        "import json; from archive.models import Document, Mention, SearchQueueEntry;"
        "print(json.dumps({'documents': {d.pk: [d.title, d.source] for d in Document.objects.all()},"
        "'mentions': {m.pk: m.year for m in Mention.objects.all()},"
        "'queued': SearchQueueEntry.objects.count()}))"
    )
    return json.loads(site.manage("shell", "-c", script).stdout.strip().splitlines()[-1])


def found(site: Site, word: str) -> int:
    status, body = site.get("/api/search/?" + urllib.parse.urlencode({"q": word}))
    return json.loads(body)["count"] if status == 200 else -status


INDEX_EQUALS_DATABASE = """
import json
from archive.models import Document
from archive.search import ParsedQuery, evaluate, normalised_texts
from archive.text.normalise import normalise
everything = evaluate(ParsedQuery(), limit=10**9, facet_fields=())
texts = normalised_texts([hit.document_id for hit in everything.hits])
indexed = {pk: text.decode() for pk, text in texts.items()}
database = {d.pk: normalise(f"{d.title}\\n{d.body}") for d in Document.objects.all()}
print(json.dumps({
    "missing": sorted(set(database) - set(indexed)),
    "extra": sorted(set(indexed) - set(database)),
    "stale": sorted(pk for pk in set(database) & set(indexed) if database[pk] != indexed[pk]),
}))
"""


def index_versus_database(site: Site) -> dict:
    """Documents the index lacks, holds beyond the database, or holds in an older version."""
    return json.loads(site.manage("shell", "-c", INDEX_EQUALS_DATABASE).stdout.strip().splitlines()[-1])


class Load:
    """Editors, importers and readers running together until a deadline (see the module docstring)."""

    def __init__(self, site: Site, *, editors: int, importers: int, readers: int):
        self.site = site
        self.tally = Tally()
        self.saved: dict = {}
        self.attempted: dict = {}
        self.imported: dict = {}
        self.sizes = (editors, importers, readers)
        self.elapsed = 0.0

    def run(self, seconds: float) -> "Load":
        editors, importers, readers = self.sizes
        site, tally, paragraphs = self.site, self.tally, seed_paragraphs()
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=editor, args=(site, n, n + 1, deadline, tally, self.saved, self.attempted))
            for n in range(editors)
        ]
        threads += [
            threading.Thread(target=importer, args=(site, n, deadline, tally, self.imported, paragraphs))
            for n in range(importers)
        ]
        threads += [threading.Thread(target=reader, args=(site, deadline, tally)) for _ in range(readers)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - started
        return self

    def problems(self) -> dict[str, list[str]]:
        """What the database or the index lost (call with the server running, the queue drained)."""
        site = self.site
        state = database_state(site)
        titles = [title for title, _source in state["documents"].values()]
        lost = {
            "imported reports missing from the database": [
                w for w in self.imported if not any(w in title for title in titles)
            ],
            "imported reports not found by their marker": [w for w in self.imported if found(site, w) != 1],
            "editors' last saves missing (DB or index)": [],
        }
        edits = lost["editors' last saves missing (DB or index)"]
        for document_id, edit in self.saved.items():
            title, source = state["documents"][str(document_id)]
            later = self.attempted[document_id][self.attempted[document_id].index(edit["title"]) :]
            if title not in later:
                edits.append(f"document {document_id}: {title!r}, last saved {edit['title']!r}")
            elif title == edit["title"] and source != edit["source"]:
                edits.append(f"document {document_id}: source {source!r}, saved {edit['source']!r}")
            if title == edit["title"] and edit["mention"]:
                year = state["mentions"][str(edit["mention"])]
                if str(year) != edit["year"]:
                    edits.append(f"mention {edit['mention']}: year {year}, saved {edit['year']}")
            marker_in_title = title.rsplit("（编辑", 1)[-1].rstrip("）")
            if found(site, marker_in_title) != 1:
                edits.append(f"document {document_id}: its title marker {marker_in_title} is not found by search")
        comparison = index_versus_database(site)
        lost["index differs from the database (missing, extra, stale)"] = [
            f"{kind}: {ids}" for kind, ids in comparison.items() if ids
        ]
        return lost


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--importers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away var directory")
    args = parser.parse_args()
    if args.editors > 5:
        sys.exit("at most 5 editors: each edits a seed report of its own")

    with Site(keep=args.keep, prefix="reform-write-bench-") as site:
        set_up_with_curator(site).start()
        load_average = os.getloadavg()[0]
        load = Load(site, editors=args.editors, importers=args.importers, readers=args.readers).run(args.seconds)
        drained = site.manage("process_search_queue").stdout.strip()
        lost = load.problems()
        site.stop()
        tally = load.tally
        server_errors = site.server_errors()
        error_log = (site.var / "error.log").read_text(encoding="utf-8", errors="replace")
        locked = tally.counts["database is locked"] + error_log.count("database is locked")
        five = sum(n for (_kind, code), n in tally.statuses.items() if code >= 500)
        saves = tally.counts["admin saves"]
        runs = tally.counts["import runs"]
        print(
            f"{args.seconds} s, {args.editors} admin editors + {args.importers} importers + {args.readers} "
            f"search readers, gunicorn with reformsite/gunicorn.conf.py, load average at start {load_average:.1f}\n"
        )
        print("| figure | value |")
        print("|---|---:|")
        rows = [
            ("admin saves (change form + 1 mention)", saves),
            ("admin save, mean ms", round(tally.counts["admin save ms"] / max(saves, 1))),
            ("reports imported (import_reports, 3 per run)", tally.counts["reports imported"]),
            (
                "import_reports run, mean s (incl. process start)",
                f"{tally.counts['import ms'] / max(runs, 1) / 1000:.1f}",
            ),
            ("searches", tally.counts["searches"]),
            ("searches per second", f"{tally.counts['searches'] / load.elapsed:.0f}"),
            ("5xx seen by clients / in the access log", f"{five} / {server_errors}"),
            ("other failures", len(tally.failures)),
            ('"database is locked"', locked),
            ("left queued at the end (process_search_queue)", drained),
            *[(label, len(items)) for label, items in lost.items()],
        ]
        for label, value in rows:
            print(f"| {label} | {value} |")
        for failure in tally.failures[:10] + [item for items in lost.values() for item in items][:10]:
            print("  !", failure)
        statuses = ", ".join(f"{kind} {code}: {n}" for (kind, code), n in sorted(tally.statuses.items()))
        print(f"\nresponses: {statuses}")
        if five or server_errors or tally.failures or locked or any(lost.values()):
            sys.exit(1)


def set_up_with_curator(site: Site) -> Site:
    """The seed installation plus the superuser the editors log in as."""
    site.set_up()
    site.env["DJANGO_SUPERUSER_PASSWORD"] = PASSWORD
    site.manage("createsuperuser", "--noinput", "--username", "bench", "--email", "bench@example.org")
    return site


if __name__ == "__main__":
    main()
