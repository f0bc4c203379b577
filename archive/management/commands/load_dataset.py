"""Load an exported dataset (JSON or zip of CSV files) into an archive that has no reports yet."""

import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from archive.dataset import DEFAULT_MAX_BYTES, DatasetError, dataset_load_path


class Command(BaseCommand):
    help = (
        "载入导出的数据集（JSON 文件或 CSV 的 zip 压缩包）到还没有报告和改革举措的档案（先运行 migrate）。"
        "逐行核对，有任何问题都不写入。载入后重建检索索引。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="reform-archive-….json 或 .zip")
        parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="文件大小上限（字节）")
        parser.add_argument(
            "--skip-search", action="store_true", help="不重建检索索引（之后须运行 manage.py rebuild_search）"
        )

    def handle(self, *args, path, max_bytes, skip_search, **options):
        started = time.perf_counter()
        try:
            counts = dataset_load_path(path, max_bytes=max_bytes)
        except DatasetError as error:
            raise CommandError("数据集未载入，档案未改动：\n" + "\n".join(error.problems)) from error
        summary = "，".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"已载入 {path}（用时 {time.perf_counter() - started:.2f} 秒）：{summary}")
        # The search index is not part of the dataset; rows were bulk-inserted, so nothing is queued.
        if skip_search:
            self.stdout.write("检索索引未更新：请运行 manage.py rebuild_search")
        else:
            call_command("rebuild_search", stdout=self.stdout, stderr=self.stderr)
