"""Backups: a consistent snapshot while the site writes, restored exactly, and corrupt or truncated
backups refused with the database untouched. Every database here is a file in a temporary
directory (the seed archive copied out of the test database), read through its own alias."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest
from django.db import connection

from archive.backup import BackupError, backup_create, backup_restore, sqlite_alias
from archive.dataset import dataset_json, dataset_tables
from archive.models import Document

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def live_file(seeded, tmp_path):
    """The seed archive as a SQLite file in WAL mode, like var/db.sqlite3 under gunicorn."""
    path = tmp_path / "live" / "db.sqlite3"
    path.parent.mkdir()
    connection.ensure_connection()
    target = sqlite3.connect(path)
    target.executescript("\n".join(connection.connection.iterdump()))
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return path


@pytest.fixture
def live(live_file):
    with sqlite_alias(live_file) as alias:
        yield alias


def export(alias: str) -> bytes:
    return dataset_json(dataset_tables(using=alias))


def members(backup: Path) -> dict[str, bytes]:
    with tarfile.open(backup, "r:gz") as archive:
        return {member.name: archive.extractfile(member).read() for member in archive}


def test_backup_holds_a_snapshot_the_dataset_and_a_manifest_with_checksums(live, tmp_path):
    backup = backup_create(output_dir=tmp_path / "backups", database=live)
    assert backup.name.startswith("reform-archive-") and backup.name.endswith(".tar.gz")
    files = members(backup)
    assert sorted(files) == ["dataset.json", "db.sqlite3", "manifest.json"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["counts"]["archive.Document"] == 5
    assert "archive.0001_initial" in manifest["migrations"]
    assert files["dataset.json"] == export(live)
    import hashlib

    for name, member in manifest["members"].items():
        assert hashlib.sha256(files[name]).hexdigest() == member["sha256"]
    assert list((tmp_path / "backups").iterdir()) == [backup]  # no temporary files left


def test_backup_while_writes_happen_is_a_consistent_snapshot(live, live_file, tmp_path):
    """A writer adds a category and its initiative in one transaction, again and again; every
    snapshot has both or neither, and its dataset and counts describe the snapshot itself."""
    stop = threading.Event()
    written = []

    def write():
        writer = sqlite3.connect(live_file, timeout=20)
        number = 0
        while not stop.is_set():
            number += 1
            with writer:
                cursor = writer.execute(
                    'INSERT INTO archive_category (name, name_en, slug, "order", description) VALUES (?, ?, ?, 0, "")',
                    (f"写入{number}", f"w{number}", f"w-{number}"),
                )
                writer.execute(
                    "INSERT INTO archive_initiative (name, name_en, slug, category_id, description, description_en)"
                    " VALUES (?, '', ?, ?, '', '')",
                    (f"举措{number}", f"w-{number}", cursor.lastrowid),
                )
            written.append(number)
        writer.close()

    reader = sqlite3.connect(live_file)
    seeded_initiatives = reader.execute("SELECT count(*) FROM archive_initiative").fetchone()[0]
    reader.close()
    thread = threading.Thread(target=write)
    thread.start()
    try:
        backups = [backup_create(output_dir=tmp_path / f"backups{i}", database=live) for i in range(3)]
    finally:
        stop.set()
        thread.join()
    assert written
    for backup in backups:
        snapshot = tmp_path / f"check-{backup.parent.name}.sqlite3"
        snapshot.write_bytes(members(backup)["db.sqlite3"])
        check = sqlite3.connect(snapshot)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        categories = check.execute("SELECT count(*) FROM archive_category WHERE slug LIKE 'w-%'").fetchone()[0]
        initiatives = check.execute("SELECT count(*) FROM archive_initiative WHERE slug LIKE 'w-%'").fetchone()[0]
        check.close()
        assert categories == initiatives
        manifest = json.loads(members(backup)["manifest.json"])
        with sqlite_alias(snapshot) as alias:
            assert members(backup)["dataset.json"] == export(alias)
            assert manifest["counts"]["archive.Initiative"] == initiatives + seeded_initiatives


def test_restore_brings_back_exactly_the_reports_and_mentions(live, tmp_path):
    before = export(live)
    backup = backup_create(output_dir=tmp_path / "backups", database=live)
    Document.objects.using(live).filter(city__slug="zhuzhou").delete()
    assert export(live) != before

    result = backup_restore(archive=backup, database=live)

    assert export(live) == before
    assert result.dataset_matches is True
    assert sorted(p.name for p in (tmp_path / "live").iterdir() if p.name.startswith(".")) == []


def test_backups_and_the_restored_database_are_private_whatever_the_umask(live, live_file, tmp_path):
    """They hold password hashes and live sessions: 0600 in a 0700 directory, even under umask 022."""
    live_file.chmod(0o644)
    previous = os.umask(0o022)
    try:
        backup = backup_create(output_dir=tmp_path / "backups", database=live)
        backup_restore(archive=backup, database=live)
    finally:
        os.umask(previous)
    assert (tmp_path / "backups").stat().st_mode & 0o777 == 0o700
    assert backup.stat().st_mode & 0o777 == 0o600
    assert live_file.stat().st_mode & 0o777 == 0o600


def _truncated(backup: Path, tmp_path: Path) -> Path:
    path = tmp_path / "truncated.tar.gz"
    path.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return path


def _flipped(backup: Path, tmp_path: Path) -> Path:
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "flipped.tar.gz"
    path.write_bytes(bytes(data))
    return path


def _rebuilt(backup: Path, tmp_path: Path, change) -> Path:
    files = members(backup)
    change(files)
    path = tmp_path / "rebuilt.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _future_manifest(files):
    manifest = json.loads(files["manifest.json"])
    manifest["migrations"].append("archive.9999_from_the_future")
    files["manifest.json"] = json.dumps(manifest).encode()


BROKEN = {
    "truncated": (_truncated, "损坏或不完整"),
    "a flipped byte": (_flipped, "损坏"),
    "a member changed": (
        lambda backup, tmp: _rebuilt(backup, tmp, lambda f: f.update({"dataset.json": b"{}"})),
        "校验和与清单不符",
    ),
    "a member missing": (lambda backup, tmp: _rebuilt(backup, tmp, lambda f: f.pop("db.sqlite3")), "缺少 db.sqlite3"),
    "an unexpected member": (
        lambda backup, tmp: _rebuilt(backup, tmp, lambda f: f.update({"../../etc/passwd": b"x"})),
        "意外的内容",
    ),
    "from newer code": (lambda backup, tmp: _rebuilt(backup, tmp, _future_manifest), "更新的代码版本"),
    "not a backup": (lambda backup, tmp: _write(tmp / "x.tar.gz", b"hello"), "损坏或不完整"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_corrupt_or_truncated_backup_is_refused_and_the_database_untouched(live, live_file, tmp_path, case):
    backup = backup_create(output_dir=tmp_path / "backups", database=live)
    Document.objects.using(live).filter(city__slug="zhuzhou").delete()
    changed = export(live)
    make, message = BROKEN[case]
    with pytest.raises(BackupError, match=message):
        backup_restore(archive=make(backup, tmp_path), database=live)
    assert export(live) == changed
    assert [p.name for p in live_file.parent.iterdir() if p.name.startswith(".")] == []


def test_restore_refuses_while_another_process_has_the_database_open(live, live_file, tmp_path):
    backup = backup_create(output_dir=tmp_path / "backups", database=live)
    Document.objects.using(live).filter(city__slug="zhuzhou").delete()
    changed = export(live)
    other = sqlite3.connect(live_file)  # e.g. a gunicorn worker
    other.execute("SELECT count(*) FROM archive_document").fetchone()
    try:
        with pytest.raises(BackupError, match="正在被其他进程使用"):
            backup_restore(archive=backup, database=live)
    finally:
        other.close()
    assert export(live) == changed


@pytest.mark.slow
def test_make_backup_and_restore_commands_end_to_end(tmp_path):
    """The commands as `make backup` and `make restore FILE=…` run them, on a database of their own."""
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
        "REFORM_VAR_DIR": str(tmp_path / "var"),
        "REFORM_DATABASE_PATH": str(tmp_path / "var" / "db.sqlite3"),
        "REFORM_SEARCH_DIR": str(tmp_path / "var" / "search"),
        "DJANGO_SECRET_KEY": "test",
    }

    def manage(*args):
        result = subprocess.run(  # a permissive umask: the archive's files must be private regardless
            [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, umask=0o022
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "-v", "0")
    manage("load_seed")
    output = manage("backup_archive")
    backup = next((tmp_path / "var" / "backups").glob("reform-archive-*.tar.gz"))
    assert "已备份到" in output
    before = manage("export_dataset", "--output", "-")
    database = sqlite3.connect(tmp_path / "var" / "db.sqlite3")
    with database:
        database.execute("DELETE FROM archive_mention")
    database.close()
    output = manage("restore_archive", str(backup))
    assert "数据集导出与备份中的 dataset.json 一致" in output and "检索索引已重建" in output
    assert manage("export_dataset", "--output", "-") == before
    modes = {
        path.relative_to(tmp_path): oct(path.stat().st_mode & 0o777)
        for path in [tmp_path / "var", tmp_path / "var" / "backups", backup, tmp_path / "var" / "db.sqlite3"]
    }
    assert modes == {
        Path("var"): "0o700",
        Path("var/backups"): "0o700",
        backup.relative_to(tmp_path): "0o600",
        Path("var/db.sqlite3"): "0o600",
    }
