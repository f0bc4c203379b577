import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.models import Category, City, Document, Initiative, Mention
from archive.search import evaluate, parse_query, reset
from tests.conftest import SEED_DIR

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue()


def test_import_reports_prints_one_line_per_file_and_imports_a_folder():
    output = run("import_reports", str(SEED_DIR))
    lines = [line for line in output.splitlines() if line.startswith(("imported", "duplicate", "failed"))]
    assert len(lines) == 5 and all(line.startswith("imported") for line in lines)
    assert "未找到" in output
    assert Document.objects.count() == 5


def test_import_reports_says_when_all_is_searchable_then_merges_piled_up_segments(monkeypatch):
    from archive.management.commands import import_reports

    asked = []
    monkeypatch.setattr(
        import_reports, "merge_segments", lambda: asked.append(evaluate(parse_query("县管校聘")).count) or 1
    )
    output = run("import_reports", str(SEED_DIR))
    assert "完成：导入 5，重复 0，失败 0；均已可检索" in output and "检索索引段已合并" in output
    assert asked == [evaluate(parse_query("县管校聘")).count] and asked[0] >= 1  # after they were searchable


def test_an_index_too_busy_to_merge_leaves_the_segments_for_the_next_import(monkeypatch):
    from archive.management.commands import import_reports
    from archive.search import IndexBusy

    def busy():
        raise IndexBusy("search index writer.lock busy for 30s")

    monkeypatch.setattr(import_reports, "merge_segments", busy)
    out, err = StringIO(), StringIO()
    call_command("import_reports", str(SEED_DIR), stdout=out, stderr=err)
    assert "均已可检索" in out.getvalue() and "索引段留待下次导入时合并" in err.getvalue()
    assert Document.objects.count() == 5


def test_import_reports_fails_non_zero_but_keeps_the_good_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="1 个文件导入失败"):
        call_command("import_reports", str(SEED_DIR / "003_70904a6dfc86bffb.txt"), str(empty), stdout=StringIO())
    assert list(Document.objects.values_list("city__slug", flat=True)) == ["xuchang"]


def test_bad_year_override_is_refused_before_any_import():
    with pytest.raises(CommandError, match="年份格式"):
        run("import_reports", str(SEED_DIR), year="twenty")
    assert Document.objects.count() == 0


def test_load_seed_is_idempotent():
    run("load_seed")
    counts = (Document.objects.count(), Category.objects.count(), Initiative.objects.count(), Mention.objects.count())
    output = run("load_seed")
    assert "重复 1" in output
    again = (Document.objects.count(), Category.objects.count(), Initiative.objects.count(), Mention.objects.count())
    assert again == counts
    assert counts[0] == 5 and counts[3] >= 40
    assert Document.objects.get(city__slug="changchun").year_start == 2020
    assert City.objects.count() == 338


# --- a bulk import killed midway ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CITIES = ["株洲市", "湘潭市", "永州市", "许昌市", "长春市"]


def _synthetic_folder(folder: Path, count: int) -> list[str]:
    """`count` report files, each naming its city twice and carrying a marker of its own; returns
    the markers."""
    paragraphs = [
        line
        for path in sorted(SEED_DIR.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line) >= 30 and not any(city[:2] in line for city in CITIES)
    ]
    folder.mkdir()
    markers = []
    for number in range(count):
        rng = random.Random(number)
        city = CITIES[number % len(CITIES)]
        marker = f"批量编号q{number:04d}"
        lines = [f"{city}2020年改革工作总结", f"{city}全面深化改革，{marker}。", *rng.sample(paragraphs, 6)]
        (folder / f"report-{number:04d}.txt").write_text("\n".join(lines), encoding="utf-8")
        markers.append(marker)
    return markers


def _bulk_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REFORM_DATABASE_PATH"}}
    env.update(REFORM_VAR_DIR=str(var_dir), REFORM_SEARCH_DIR=str(var_dir / "search"), PYTHONUNBUFFERED="1")
    env["DJANGO_SETTINGS_MODULE"] = "reformsite.settings"
    return env


def _rows(var_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(var_dir / "db.sqlite3") as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.slow
def test_an_import_killed_midway_keeps_what_it_committed_queued_and_a_rerun_finishes(tmp_path, settings):
    """kill -9 in the middle of a bulk import: every report it committed is in the database and in
    the search queue; the same command again skips them and imports the rest, each once, all
    searchable."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=_bulk_env(var_dir), cwd=ROOT, check=True, timeout=300)
    markers = _synthetic_folder(tmp_path / "incoming", 120)

    importer = subprocess.Popen(
        [*manage, "import_reports", str(tmp_path / "incoming"), "--jobs", "2"],
        env=_bulk_env(var_dir),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    reported = 0
    try:
        for line in importer.stdout:
            reported += line.startswith("imported")
            if reported == 30:
                break
    finally:
        os.killpg(importer.pid, signal.SIGKILL)
        importer.wait()
        importer.stdout.close()

    committed = {pk for (pk,) in _rows(var_dir, "SELECT id FROM archive_document")}
    queued = {pk for (pk,) in _rows(var_dir, "SELECT document_id FROM archive_searchqueueentry")}
    assert 30 <= len(committed) < len(markers)  # killed midway, after the 30 it reported
    assert committed <= queued  # none drained yet (a drain comes every 500), none lost

    rerun = subprocess.run(
        [*manage, "import_reports", str(tmp_path / "incoming"), "--jobs", "2"],
        env=_bulk_env(var_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"导入 {len(markers) - len(committed)}，重复 {len(committed)}，失败 0" in rerun.stdout
    assert _rows(var_dir, "SELECT COUNT(*), COUNT(DISTINCT content_hash) FROM archive_document") == [(120, 120)]
    assert _rows(var_dir, "SELECT COUNT(*) FROM archive_searchqueueentry") == [(0,)]

    settings.SEARCH_DIR = var_dir / "search"
    reset()
    found = [evaluate(parse_query(marker)).count for marker in markers]
    assert found == [1] * len(markers)


def test_a_bulk_import_leaves_suggestions_for_the_review_screen(seeded, admin_client):
    """The part-of-speech pass for candidate terms is deferred: the report is in the review queue,
    and its suggestions are computed when the review screen first opens."""
    report = "\n".join(
        ["许昌市2023年深化改革纪要", "许昌市推行县管校聘改革，深化河长制。", "许昌市推进“智慧河湖”建设。"]
    )
    folder = Path(tempfile.mkdtemp())
    (folder / "xuchang-2023.txt").write_text(report, encoding="utf-8")
    run("import_reports", str(folder))
    document = Document.objects.get(original_filename="xuchang-2023.txt")
    assert document.suggestions_due and not document.mentions.exists()
    assert Document.objects.awaiting_review().filter(pk=document.pk).exists()

    assert admin_client.get(f"/admin/archive/document/{document.pk}/review/").status_code == 200
    document.refresh_from_db()
    assert not document.suggestions_due
    assert document.mentions.suggested().filter(initiative__slug="xianguanxiaopin").exists()
