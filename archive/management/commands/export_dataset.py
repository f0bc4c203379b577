"""Export the curated dataset as one JSON file or a zip of CSV files (what /api/export/ serves)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.dataset import dataset_json, dataset_tables, dataset_zip, export_filename


class Command(BaseCommand):
    help = "导出数据集：城市、政策领域、改革举措（含别名和关系）、报告及已确认的提及，JSON 或 CSV（zip）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=["json", "csv"], default="json", help="json（默认）或 csv（zip 压缩包）"
        )
        parser.add_argument(
            "--output", type=Path, help="输出文件；默认为当前目录下带日期的文件名；- 为标准输出（仅 json）"
        )
        parser.add_argument(
            "--base-url", default="", help="档案的网址（如 https://archive.example.org），使报告的 url 列为完整地址"
        )

    def handle(self, *args, format, output, base_url, **options):
        started = time.perf_counter()
        tables = dataset_tables(base_url=base_url)
        content = dataset_json(tables) if format == "json" else dataset_zip(tables)
        if str(output) == "-":
            if format != "json":
                raise CommandError("zip 不能写到标准输出，请用 --output 指定文件")
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        path = output or Path(export_filename("json" if format == "json" else "zip"))
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入 {path}：{error.strerror}") from error
        counts = "，".join(f"{name} {len(rows)}" for name, rows in tables.items())
        self.stdout.write(
            f"已导出 {path}（{len(content):,} 字节，用时 {time.perf_counter() - started:.2f} 秒）：{counts}"
        )
