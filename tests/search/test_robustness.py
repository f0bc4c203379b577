"""A missing, empty, locked or damaged index is noticed, said plainly, and rebuilt from the database.

Each kind of damage is made on the seed index, then: searching finds it (detect), the search API
answers 503 with a message and the pages 200 (degrade), and rebuild_search, or the next writer,
restores an index that answers exactly as before (recover)."""

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.models import Document, SearchQueueEntry
from archive.search.engines.whoosh import engine, repair, store, warmup
from archive.search.engines.whoosh.indexing import index_write, queue_drain
from archive.search.queries import parse_query

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["河长", "县管校聘", "改革 -长春", "放管服 OR 最多跑一次", ""]


def answers(client) -> list:
    """What the search API says for a few queries: counts, ids in order, facets."""
    seen = []
    for query in QUERIES:
        data = client.get("/api/search/", {"q": query, "page_size": 100}).json()
        seen.append((data["count"], [r["id"] for r in data["results"]], data["facets"]))
    return seen


def _segment_file(generation: Path, suffix: str) -> Path:
    return next(path for path in generation.iterdir() if path.name.endswith(suffix))


def _truncate(path: Path, fraction: float = 0.5) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(int(path.stat().st_size * fraction))


def damage_missing(search_dir, generation):
    shutil.rmtree(search_dir)


def damage_empty_directory(search_dir, generation):
    shutil.rmtree(search_dir)
    search_dir.mkdir()


def damage_empty_generation(search_dir, generation):
    for path in generation.iterdir():
        if path.is_dir():  # the confirmed terms the readers share
            shutil.rmtree(path)
        else:
            path.unlink()


def damage_dangling_link(search_dir, generation):
    shutil.rmtree(generation)


def damage_postings(search_dir, generation):
    _truncate(_segment_file(generation, ".pst"), 0.0)


def damage_terms(search_dir, generation):
    _truncate(_segment_file(generation, ".trm"))


def damage_table_of_contents(search_dir, generation):
    _truncate(_segment_file(generation, ".toc"), 0.9)


def damage_text_column(search_dir, generation):
    _truncate(_segment_file(generation, ".chars.col"))


def damage_year_column(search_dir, generation):
    _truncate(_segment_file(generation, ".year_start.col"))


def damage_deleted_segment_file(search_dir, generation):
    _segment_file(generation, ".document_id.col").unlink()


def damage_dictionary(search_dir, generation):
    _truncate(generation / store.DICTIONARY_FILE, 0.6)


DAMAGE = {
    "missing": (damage_missing, "missing"),
    "empty directory": (damage_empty_directory, "missing"),
    "empty generation": (damage_empty_generation, "damaged"),
    "dangling link": (damage_dangling_link, "damaged"),
    "truncated postings": (damage_postings, "damaged"),
    "truncated terms": (damage_terms, "damaged"),
    "truncated table of contents": (damage_table_of_contents, "damaged"),
    "truncated text column": (damage_text_column, "damaged"),
    "truncated year column": (damage_year_column, "damaged"),
    "deleted segment file": (damage_deleted_segment_file, "damaged"),
    "truncated dictionary": (damage_dictionary, "damaged"),
}


@pytest.fixture(params=list(DAMAGE), ids=list(DAMAGE))
def damaged(request, client, indexed, search_dir):
    """The seed index, read once (so a reader is open), then damaged; yields its answers from before."""
    before = answers(client)
    damage, problem = DAMAGE[request.param]
    damage(search_dir, store.current_generation())
    return before, problem


def test_damage_is_detected_on_search(damaged):
    _before, problem = damaged
    with pytest.raises(engine.SearchUnavailable) as caught:
        engine.run(parse_query("河长"))
    assert caught.value.problem == problem and caught.value.reason
    assert not caught.value.repairing  # outside a served process nothing starts in the background


def test_damage_is_detected_at_start(damaged, caplog, monkeypatch):
    started = []
    monkeypatch.setattr(repair, "_background", False)  # warm_up_index turns it on, as in gunicorn
    monkeypatch.setattr(repair, "request", lambda reason: started.append(reason) or True)
    engine.reset()
    warmup.warm_up_index()
    assert "search index unusable at start" in caplog.text and started


def test_search_degrades_with_a_message_and_the_site_keeps_working(damaged, client):
    _before, problem = damaged
    api = client.get("/api/search/", {"q": "河长"})
    assert api.status_code == 503
    assert "rebuild_search" in api.json()["error"] and ("损坏" in api.json()["error"]) == (problem == "damaged")
    page = client.get("/search/", {"q": "河长"})
    assert page.status_code == 200 and "rebuild_search" in page.content.decode()
    document = Document.objects.get(city__slug="xuchang")
    for url in ("/", "/cities/xuchang/", document.get_absolute_url() + "?q=县管校聘", "/compare/", "/api/documents/"):
        assert client.get(url).status_code == 200, url


def test_rebuild_search_restores_the_same_answers(damaged, client):
    before, _problem = damaged
    call_command("rebuild_search", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    assert answers(client) == before
    # A repair keeps no broken generation beside the new one.
    assert store.generations() == [store.current_generation()]


def test_the_next_writer_rebuilds_and_loses_nothing(damaged, client, django_capture_on_commit_callbacks):
    """Outside gunicorn the first writer to find the index unusable rebuilds it, then writes."""
    before, _problem = damaged
    document = Document.objects.get(city__slug="changchun")
    with django_capture_on_commit_callbacks(execute=True):
        document.source = "长春日报（修订）"
        document.save()
    assert not SearchQueueEntry.objects.exists()
    assert answers(client) == before


def test_in_a_served_process_damage_starts_one_background_rebuild(damaged, client, monkeypatch):
    started = []

    class FakeProcess:
        pid = 4242

        def wait(self):
            return 0

    monkeypatch.setattr(repair, "_background", True)
    monkeypatch.setattr(repair, "_last_started", float("-inf"))
    monkeypatch.setattr(repair.subprocess, "Popen", lambda command, **kwargs: started.append(command) or FakeProcess())
    for _ in range(3):
        api = client.get("/api/search/", {"q": "河长"})
        assert api.status_code == 503 and "正在从数据库重建" in api.json()["error"]
    assert len(started) == 1 and started[0][-2:] == ["rebuild_search", "--if-unusable"]


def test_in_a_served_process_writes_stay_queued_until_the_rebuild(
    damaged, client, monkeypatch, django_capture_on_commit_callbacks
):
    before, _problem = damaged
    monkeypatch.setattr(repair, "_background", True)
    monkeypatch.setattr(repair, "request", lambda reason: True)
    document = Document.objects.get(city__slug="changchun")
    with django_capture_on_commit_callbacks(execute=True):
        document.body += "\n长春市设立量子改革试验区。"
        document.save()
    assert SearchQueueEntry.objects.filter(document_id=document.pk).exists()

    monkeypatch.setattr(repair, "_background", False)  # what the background `rebuild_search --if-unusable` does:
    call_command("rebuild_search", "--if-unusable", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    assert not SearchQueueEntry.objects.exists()
    assert engine.run(parse_query("量子改革试验区")).count == 1
    assert answers(client)[1:] == before[1:]  # 河长 is the one query the new sentence does not touch


def test_rebuild_if_unusable_leaves_a_good_index_alone(indexed):
    generation = store.current_generation()
    call_command("rebuild_search", "--if-unusable", stdout=open(os.devnull, "w"))
    assert store.current_generation() == generation


def test_a_healthy_index_is_verified_against_its_manifest(indexed):
    snap = engine.snapshot()
    assert snap.verified and snap._expected
    assert all(path.parent == snap.generation for path in snap._expected)


def test_a_write_records_its_segments_in_the_manifest(indexed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = Document.objects.get(city__slug="changchun")
        document.body += "\n新的一段。"
        document.save()
    engine.reset()
    snap = engine.snapshot()
    segments = {leaf.segment().segment_id() for leaf, _base in snap.reader.leaf_readers()}
    recorded = json.loads((snap.generation / store.MANIFEST_FILE).read_text())["segments"]
    assert segments == set(recorded)


# Locks left by dead processes ------------------------------------------------------------------


def _die_holding_the_writer_lock():
    with store.writer_lock(timeout=5):
        os.kill(os.getpid(), signal.SIGKILL)


def _die_holding_whooshs_lock(generation):
    from whoosh.filedb.filestore import FileStorage

    from archive.search.engines.whoosh.backend import document_schema

    writer = FileStorage(str(generation)).open_index(schema=document_schema()).writer()
    writer.add_document(id="archive.document.999", text="半截", chars="半截", document_id=999)
    os.kill(os.getpid(), signal.SIGKILL)


def _run_and_reap(target, *args):
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    process.start()
    process.join(timeout=30)
    assert process.exitcode == -signal.SIGKILL


def test_a_writer_lock_held_by_a_killed_process_does_not_block(indexed, django_capture_on_commit_callbacks):
    _run_and_reap(_die_holding_the_writer_lock)
    assert (store.search_dir() / "writer.lock").exists()  # the file stays; the lock went with its holder
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        document = Document.objects.get(city__slug="changchun")
        document.body += "\n锁后写入。"
        document.save()
    assert time.monotonic() - started < 5
    assert engine.run(parse_query("锁后写入")).count == 1


def test_whooshs_own_lock_held_by_a_killed_process_does_not_block(indexed):
    _run_and_reap(_die_holding_whooshs_lock, store.current_generation())
    started = time.monotonic()
    with store.writer_lock(timeout=5):
        index_write(documents=[], removed_ids=[12345])
    assert time.monotonic() - started < 5
    engine.reset()
    assert engine.run(parse_query("半截")).count == 0  # the dead writer's document never committed
    assert queue_drain() == 0


def _fork_a_child_then_die(pid_file):
    with store.writer_lock(timeout=5):
        child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
        child.start()
        Path(pid_file).write_text(str(child.pid))
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_forked_by_a_killed_writer_neither_keeps_the_lock_nor_lives_on(indexed, tmp_path):
    """Whoosh's parallel writer forks sub-writers while the writer lock is held. When the writer is
    killed, they would keep the lock (flock belongs to the open file, which they share) and wait
    on their job queue forever."""
    _run_and_reap(_fork_a_child_then_die, tmp_path / "child.pid")
    child = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while _alive(child) or store.is_locked("writer.lock"):
        assert time.monotonic() < deadline, "the orphaned child kept the lock or lived on"
        time.sleep(0.05)


# A rebuild killed with -9, in a process of its own --------------------------------------------


def _env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REFORM_DATABASE_PATH"}}
    env.update(REFORM_VAR_DIR=str(var_dir), REFORM_SEARCH_DIR=str(var_dir / "search"))
    env["DJANGO_SETTINGS_MODULE"] = "reformsite.settings"
    return env


def _manage(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=_env(var_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@pytest.fixture(scope="module")
def served_var(tmp_path_factory):
    """A var directory as `make serve` leaves it (file database, seeds, index)."""
    var_dir = tmp_path_factory.mktemp("served-var")
    _manage(var_dir, "migrate", "--noinput", "-v", "0")
    _manage(var_dir, "load_seed")
    _manage(var_dir, "rebuild_search")
    return var_dir


STALLED_REBUILD = """
import os, sys, time
from pathlib import Path
import django
django.setup()
from whoosh.multiproc import MpWriter
from archive.search.engines.whoosh import indexing
# Whoosh's parallel writer, with its forked sub-writers started from the first document.
indexing.PARALLEL_REBUILD_MIN_DOCUMENTS = 1
MpWriter.__init__.__defaults__ = (None, 1, None, False)  # procs, batchsize, subargs, multisegment

def stall(items):
    for number, item in enumerate(items):
        if number == 3:
            Path(sys.argv[1]).write_text("writing")
            time.sleep(600)
        yield item

indexing.index_rebuild(progress=stall)
"""


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_rebuild_killed_halfway_leaves_search_and_the_lock_working(served_var, settings, tmp_path):
    settings.SEARCH_DIR = served_var / "search"
    engine.reset()
    before = engine.run(parse_query("县管校聘")).count
    old = store.current_generation()
    marker = tmp_path / "writing"
    rebuild = subprocess.Popen(
        [sys.executable, "-c", STALLED_REBUILD, str(marker)], env=_env(served_var), cwd=ROOT, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert rebuild.poll() is None, rebuild.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert len(store.generations()) >= 2 and store.is_locked("writer.lock")
        sub_writers = _children(rebuild.pid)
        assert sub_writers  # the parallel writer's processes
    finally:
        rebuild.send_signal(signal.SIGKILL)
        rebuild.wait()
        rebuild.stderr.close()

    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in sub_writers) or store.is_locked("writer.lock"):
        assert time.monotonic() < deadline, "the killed rebuild's sub-writers kept the writer lock"
        time.sleep(0.05)

    engine.reset()
    assert store.current_generation() == old
    assert engine.run(parse_query("县管校聘")).count == before == 1

    _manage(served_var, "rebuild_search")
    engine.reset()
    assert engine.run(parse_query("县管校聘")).count == 1
    remaining = store.generations()
    assert store.current_generation() in remaining and old in remaining and len(remaining) == 2


def test_a_served_process_rebuilds_a_damaged_index_in_the_background(served_var, settings, monkeypatch):
    """End to end: the web process starts `rebuild_search --if-unusable`, which repairs the index."""
    settings.SEARCH_DIR = served_var / "search"
    monkeypatch.setenv("REFORM_VAR_DIR", str(served_var))
    monkeypatch.setenv("REFORM_SEARCH_DIR", str(served_var / "search"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "reformsite.settings")
    monkeypatch.setattr(repair, "_background", True)
    monkeypatch.setattr(repair, "_last_started", float("-inf"))
    engine.reset()
    damage_postings(settings.SEARCH_DIR, store.current_generation())
    with pytest.raises(engine.SearchUnavailable) as caught:
        engine.snapshot()
    assert caught.value.repairing
    deadline = time.monotonic() + 120
    while True:
        try:
            assert engine.run(parse_query("县管校聘")).count == 1
            break
        except engine.SearchUnavailable:
            assert time.monotonic() < deadline, "the background rebuild did not repair the index"
            time.sleep(0.2)
    deadline = time.monotonic() + 10
    while repair.running():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert store.generations() == [store.current_generation()]
