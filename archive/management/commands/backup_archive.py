"""Back up the archive: a consistent snapshot of the database, the dataset export taken from that
same snapshot, and a manifest (row counts, applied migrations, sha256 of each member), in one
.tar.gz. Safe while the site serves and writes: SQLite's backup API copies the database in one
step inside a read transaction (WAL lets writers carry on); PostgreSQL is dumped by pg_dump from
an exported snapshot that the dataset export reads too."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone

from archive.dataset import dataset_json, dataset_tables

BACKUP_FORMAT = "reform-archive-backup"
BACKUP_VERSION = 1
MANIFEST_NAME = "manifest.json"
SQLITE_MEMBER = "db.sqlite3"
POSTGRES_MEMBER = "db.pgdump"
DATASET_MEMBER = "dataset.json"


class BackupError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def sqlite_alias(path: Path, *, like: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """A temporary database alias for another SQLite file, to read it through the ORM (`.using()`).
    The connection is registered without a settings entry, as Django does for dynamic aliases."""
    alias = f"file-{os.getpid()}-{id(path)}"
    settings_dict = {**connections[like].settings_dict, "NAME": str(path), "OPTIONS": {"timeout": 20}}
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def sqlite_snapshot(source: str, target: Path) -> None:
    """Copy the live database in a single backup step (one read transaction: consistent), then make
    the copy a self-contained file with a rollback journal."""
    live = sqlite3.connect(source, timeout=20)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)  # pages=-1: every page in one step
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        live.close()


def database_description(alias: str) -> tuple[bytes, dict[str, int], list[str]]:
    """The dataset export, row counts per model and the applied migrations, read through `alias`."""
    dataset = dataset_json(dataset_tables(using=alias))
    counts = {
        model._meta.label: model.objects.using(alias).count()
        for model in sorted(apps.get_app_config("archive").get_models(), key=lambda model: model._meta.label)
        if not model._meta.proxy
    }
    migrations = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connections[alias]).applied_migrations())
    return dataset, counts, migrations


def _postgres_dump(alias: str, target: Path) -> tuple[bytes, dict[str, int], list[str]]:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("数据库是 PostgreSQL，但找不到 pg_dump（Debian: apt-get install postgresql-client）")
    connection = connections[alias]
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        # pg_dump reads the snapshot this transaction holds; the dataset below reads it too.
        command = [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"]
        result = subprocess.run(command, env=postgres_environment(alias), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
        return database_description(alias)


def postgres_environment(alias: str) -> dict[str, str]:
    config = connections[alias].settings_dict
    environment = dict(os.environ)
    for variable, key in [("PGDATABASE", "NAME"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGHOST", "HOST"), ("PGPORT", "PORT")]:  # fmt: skip
        if config.get(key):
            environment[variable] = str(config[key])
    return environment


def default_backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def backup_create(*, output_dir: Path, database: str = DEFAULT_DB_ALIAS) -> Path:
    """Write reform-archive-YYYYmmdd-HHMMSS.tar.gz into output_dir and return its path. The file
    appears complete or not at all (written under a temporary name, then renamed)."""
    connection = connections[database]
    output_dir.mkdir(parents=True, exist_ok=True)
    created = timezone.localtime()
    name = f"reform-archive-{created:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        work = Path(work)
        if connection.vendor == "sqlite":
            source = str(connection.settings_dict["NAME"])
            if not Path(source).is_file():
                raise BackupError(f"数据库文件不存在：{source}")
            database_member = SQLITE_MEMBER
            sqlite_snapshot(source, work / SQLITE_MEMBER)
            with sqlite_alias(work / SQLITE_MEMBER, like=database) as alias:
                dataset, counts, migrations = database_description(alias)
        elif connection.vendor == "postgresql":
            database_member = POSTGRES_MEMBER
            dataset, counts, migrations = _postgres_dump(database, work / POSTGRES_MEMBER)
        else:
            raise BackupError(f"不支持备份 {connection.vendor} 数据库")
        (work / DATASET_MEMBER).write_bytes(dataset)
        members = [database_member, DATASET_MEMBER]
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "created_at": created.isoformat(),
            "database": {"vendor": connection.vendor, "member": database_member},
            "migrations": migrations,
            "counts": counts,
            "members": {
                member: {"size": (work / member).stat().st_size, "sha256": sha256_of(work / member)}
                for member in members
            },
        }
        (work / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        partial = work / name
        with tarfile.open(partial, "w:gz") as archive:
            for member in [MANIFEST_NAME, *members]:
                archive.add(work / member, arcname=member, recursive=False)
        target = output_dir / name
        os.replace(partial, target)
    return target


class Command(BaseCommand):
    help = (
        "备份档案：数据库的一致快照（SQLite 备份接口或 pg_dump）、由同一快照导出的数据集和清单（行数、迁移、校验和），"
        "写成一个 .tar.gz。网站运行时也可以备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="输出目录，默认 var/backups/")

    def handle(self, *args, output, **options):
        try:
            path = backup_create(output_dir=output or default_backup_dir())
        except (BackupError, OSError, sqlite3.Error) as error:
            raise CommandError(f"备份失败：{error}") from error
        manifest = backup_manifest(path)
        counts = manifest["counts"]
        self.stdout.write(
            f"已备份到 {path}（{path.stat().st_size:,} 字节）：报告 {counts.get('archive.Document', 0)}，"
            f"提及 {counts.get('archive.Mention', 0)}，迁移 {len(manifest['migrations'])} 个"
        )


def backup_manifest(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as archive:
        return json.load(archive.extractfile(MANIFEST_NAME))
