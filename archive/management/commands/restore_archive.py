"""从备份恢复档案（见 archive/backup.py）。"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, backup_restore


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
