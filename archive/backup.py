"""Backups: a consistent snapshot of the database with the dataset export and a manifest, and
restoring one. (The commands backup_archive and restore_archive are thin wrappers.)

Backup: a consistent snapshot of the database, the dataset export taken from that
same snapshot, and a manifest (row counts, applied migrations, sha256 of each member), in one
.tar.gz. Safe while the site serves and writes: SQLite's backup API copies the database in one
step inside a read transaction (WAL lets writers carry on); PostgreSQL is dumped by pg_dump from
an exported snapshot that the dataset export reads too.

Restore: verify it completely first (nothing is touched when it
is corrupt, truncated or from a newer version of the code), then swap the database in atomically,
migrate it and rebuild the search index.

SQLite: the restore refuses while any other process has the database open (stop gunicorn first):
a worker holding the old file would keep writing into a file that no longer has a name, and a
leftover -wal file would be replayed into the restored one. The restored file is written beside
the live one and renamed over it (os.replace), so a crash leaves either the old database or the
new one, never half of each.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone

from archive.dataset import dataset_json, dataset_tables
from reformsite.permissions import PRIVATE_FILE, private_directory

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
    private_directory(output_dir)  # backups hold password hashes and sessions: 0700, files 0600
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
        partial.chmod(PRIVATE_FILE)
        target = output_dir / name
        os.replace(partial, target)
    return target


def backup_manifest(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as archive:
        return json.load(archive.extractfile(MANIFEST_NAME))


MEMBERS = {MANIFEST_NAME, SQLITE_MEMBER, POSTGRES_MEMBER, DATASET_MEMBER}


def backup_verify(archive: Path, work: Path) -> dict:
    """Extract the backup into `work` and check it: known members only, every checksum and size
    as the manifest says, the SQLite file's integrity, migrations this code knows. Returns the
    manifest; raises BackupError otherwise."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name not in MEMBERS or not member.isfile():
                    raise BackupError(f"备份中有意外的内容：{member.name}")
                with tar.extractfile(member) as source, (work / member.name).open("wb") as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"备份文件损坏或不完整：{error}") from error
    try:
        manifest = json.loads((work / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"备份中没有可读的 {MANIFEST_NAME}") from error
    if manifest.get("format") != BACKUP_FORMAT or manifest.get("version") != BACKUP_VERSION:
        raise BackupError("不是本档案的备份，或备份格式的版本不受支持")
    for name, expected in manifest["members"].items():
        path = work / name
        if name not in MEMBERS or not path.is_file():
            raise BackupError(f"备份中缺少 {name}")
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(f"{name} 的校验和与清单不符：备份已损坏")
    if manifest["database"]["member"] not in manifest["members"]:
        raise BackupError("清单中没有数据库文件")
    if manifest["database"]["vendor"] == "sqlite":
        try:
            check = sqlite3.connect(work / SQLITE_MEMBER)
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
            check.close()
        except sqlite3.Error as error:
            raise BackupError(f"数据库快照无法打开：{error}") from error
        if result != "ok":
            raise BackupError(f"数据库快照未通过完整性检查：{result}")
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(f"备份来自更新的代码版本（本代码没有迁移 {'、'.join(unknown)}）：请先更新代码")
    return manifest


def sqlite_replace(snapshot: Path, database: Path) -> None:
    """Rename the verified snapshot over the database, refusing while anyone else has it open."""
    snapshot.chmod(PRIVATE_FILE)  # it becomes the live database (and gives its mode to -wal and -shm)
    if database.exists():
        try:
            # Leaving WAL mode needs every other connection closed; timeout=0: do not wait for them.
            guard = sqlite3.connect(database, timeout=0, isolation_level=None)
            mode = guard.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if mode != "delete":
                raise sqlite3.OperationalError(f"journal_mode is {mode}")
            guard.execute("BEGIN EXCLUSIVE")  # nobody opens it until the new file is in place
        except sqlite3.OperationalError as error:
            raise BackupError(
                f"数据库正在被其他进程使用（{error}）：请先停止网站（gunicorn）和其他 manage.py 命令，再恢复"
            ) from error
        try:
            snapshot.replace(database)
        finally:
            guard.close()
    else:
        database.parent.mkdir(parents=True, exist_ok=True)
        snapshot.replace(database)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def postgres_restore(dump: Path, alias: str) -> None:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("数据库是 PostgreSQL，但找不到 pg_restore（Debian: apt-get install postgresql-client）")
    connections[alias].close()
    command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
               f"--dbname={connections[alias].settings_dict['NAME']}", str(dump)]  # fmt: skip
    result = subprocess.run(command, env=postgres_environment(alias), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败，数据库未改动：{result.stderr.strip()}")


@dataclass
class RestoreResult:
    manifest: dict
    dataset_matches: bool | None  # None: migrations ran since the backup, so not compared


def backup_restore(*, archive: Path, database: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Verify, replace the database, migrate, and compare its dataset export with the backup's."""
    connection = connections[database]
    if connection.vendor == "sqlite":
        live = Path(connection.settings_dict["NAME"])
        live.parent.mkdir(parents=True, exist_ok=True)
        work_parent = live.parent  # beside the database: os.replace stays on one filesystem
    else:
        work_parent = None
    with tempfile.TemporaryDirectory(dir=work_parent, prefix=".restore-") as work:
        work = Path(work)
        manifest = backup_verify(archive, work)
        if manifest["database"]["vendor"] != connection.vendor:
            raise BackupError(f"备份的数据库是 {manifest['database']['vendor']}，本档案用的是 {connection.vendor}")
        if connection.vendor == "sqlite":
            connection.close()
            sqlite_replace(work / SQLITE_MEMBER, live)
        else:
            postgres_restore(work / POSTGRES_MEMBER, database)
        call_command("migrate", database=database, interactive=False, verbosity=0)
        dataset, _counts, migrations = database_description(database)
        matches = dataset == (work / DATASET_MEMBER).read_bytes() if migrations == manifest["migrations"] else None
    return RestoreResult(manifest=manifest, dataset_matches=matches)
