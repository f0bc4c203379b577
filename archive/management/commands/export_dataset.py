"""Export the curated dataset as one JSON file or a zip of CSV files (what /api/export/ serves)."""

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.dataset import dataset_json_chunks, dataset_tables_lazily, dataset_zip_chunks, export_filename


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
        counts = {}
        tables = {name: _counted(rows, counts, name) for name, rows in dataset_tables_lazily(base_url=base_url).items()}
        chunks = dataset_json_chunks(tables) if format == "json" else dataset_zip_chunks(tables)
        if str(output) == "-":
            if format != "json":
                raise CommandError("zip 不能写到标准输出，请用 --output 指定文件")
            for chunk in chunks:  # each JSON chunk is whole characters
                self.stdout.write(chunk.decode("utf-8"), ending="")
            return
        path = output or Path(export_filename("json" if format == "json" else "zip"))
        # Written beside the target and renamed into place: an interrupted export leaves no half file.
        partial = path.with_name(f".{path.name}.partial")
        size = 0
        try:
            with partial.open("wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    size += len(chunk)
            os.replace(partial, path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"无法写入 {path}：{error.strerror}") from error
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        summary = "，".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"已导出 {path}（{size:,} 字节，用时 {time.perf_counter() - started:.2f} 秒）：{summary}")


def _counted(rows, counts: dict, name: str):
    counts[name] = 0
    for row in rows:
        counts[name] += 1
        yield row
