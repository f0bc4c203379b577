"""Restore a backup made by backup_archive: verify it completely first (nothing is touched when it
is corrupt, truncated or from a newer version of the code), then swap the database in atomically,
migrate it and rebuild the search index.

SQLite: the restore refuses while any other process has the database open (stop gunicorn first):
a worker holding the old file would keep writing into a file that no longer has a name, and a
leftover -wal file would be replayed into the restored one. The restored file is written beside
the live one and renamed over it (os.replace), so a crash leaves either the old database or the
new one, never half of each."""

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from archive.management.commands.backup_archive import (
    BACKUP_FORMAT,
    BACKUP_VERSION,
    DATASET_MEMBER,
    MANIFEST_NAME,
    POSTGRES_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    database_description,
    postgres_environment,
    sha256_of,
)

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


class Command(BaseCommand):
    help = (
        "从 backup_archive 的备份恢复：先完整校验（损坏或不完整的备份不会动到数据库），再原子地替换数据库、"
        "运行 migrate、重建检索索引。SQLite 数据库正被其他进程使用时拒绝恢复：请先停止网站。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="reform-archive-YYYYmmdd-HHMMSS.tar.gz")
        parser.add_argument("--skip-search", action="store_true", help="不重建检索索引")

    def handle(self, *args, archive, skip_search, **options):
        if not archive.is_file():
            raise CommandError(f"找不到备份文件 {archive}")
        try:
            result = backup_restore(archive=archive)
        except BackupError as error:
            raise CommandError(f"未恢复：{error}") from error
        counts = result.manifest["counts"]
        self.stdout.write(
            f"已恢复 {result.manifest['created_at']} 的备份：报告 {counts.get('archive.Document', 0)}，"
            f"提及 {counts.get('archive.Mention', 0)}"
        )
        if result.dataset_matches is False:
            self.stderr.write(self.style.WARNING("注意：恢复后的数据集导出与备份中的 dataset.json 不同"))
        elif result.dataset_matches:
            self.stdout.write("数据集导出与备份中的 dataset.json 一致")
        if skip_search:
            self.stdout.write("检索索引未更新：请运行 manage.py rebuild_search")
        else:
            call_command("rebuild_search", stdout=self.stdout, stderr=self.stderr)
