"""备份档案（见 archive/backup.py）。"""

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, backup_create, backup_manifest, default_backup_dir


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
