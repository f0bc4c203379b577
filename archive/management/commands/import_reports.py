"""Import report files (.txt, .html) or folders of them, one transaction per file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.importing import ReportRejected
from archive.importing.metadata import parse_year_span
from archive.selectors import city_by_name
from archive.services import city_matcher, document_import, document_import_from_url, report_paths

PROGRESS_BAR_MIN_FILES = 10


class Command(BaseCommand):
    help = "导入改革报告文件（.txt/.html，或包含它们的文件夹）。每个文件单独提交；任一文件失败则以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="文件或文件夹")
        parser.add_argument("--url", action="append", default=[], help="报告网页的地址（可重复）：抓取后导入")
        parser.add_argument(
            "--city",
            help="城市：拼音标识（zhuzhou）、简称（株洲）、全称（株洲市）或行政区划代码（430200），覆盖自动识别",
        )
        parser.add_argument("--year", help="报告所涉年份：2020 或 2012-2022，覆盖自动识别")
        parser.add_argument("--source", help="来源/出版者，覆盖自动识别")

    def handle(self, *args, paths, city, year, source, url, **options):
        try:
            years = parse_year_span(year) if year else None
            city = city_by_name(city).slug if city else None
        except ValueError as error:  # CityNameError is one: it names the choices
            raise CommandError(str(error)) from error
        if url:
            return self._import_urls(url, city=city, years=years, source=source, also_files=bool(paths))
        files = report_paths(paths)
        if not files:
            raise CommandError("没有找到 .txt 或 .html 报告文件")

        matcher = city_matcher()
        failed = 0
        counts = {"imported": 0, "duplicate": 0}
        progress = tqdm(files, unit="file", disable=len(files) < PROGRESS_BAR_MIN_FILES or None, file=self.stderr)
        for path in progress:
            line, status = self._import_one(path, city=city, years=years, source=source, matcher=matcher)
            if status == "failed":
                failed += 1
            else:
                counts[status] += 1
            with progress.external_write_mode():
                self.stdout.write(line)
        self.stdout.write(f"完成：导入 {counts['imported']}，重复 {counts['duplicate']}，失败 {failed}")
        if failed:
            raise CommandError(f"{failed} 个文件导入失败")

    def _import_one(self, path: Path, **overrides) -> tuple[str, str]:
        try:
            data = path.read_bytes()
        except OSError as error:
            return self.style.ERROR(f"failed     {path}: 无法读取文件（{error.strerror}）"), "failed"
        city, years, source, matcher = (overrides[key] for key in ("city", "years", "source", "matcher"))
        try:
            result = document_import(
                data=data, filename=path.name, city_slug=city, years=years, source=source, matcher=matcher
            )
        except ReportRejected as error:
            return self.style.ERROR(f"failed     {path}: {error}"), "failed"
        document = result.document
        if not result.created:
            return f"duplicate  {path}: 已存在 #{document.pk} {document.display_title}", "duplicate"
        years = document.year_label or "年份未知"
        summary = f"imported   {path}: #{document.pk} {document.city.name} {years} 《{document.display_title}》"
        if result.notes:
            summary += f"；{'；'.join(result.notes)}"
        if result.missing:
            summary += self.style.WARNING(f"；未找到：{'、'.join(result.missing_labels)}（留空）")
        return self.style.SUCCESS(summary) if not result.missing else summary, "imported"

    def _import_urls(self, urls: list[str], *, also_files: bool, **overrides) -> None:
        if also_files:
            raise CommandError("--url 与文件路径不能同时给出")
        failed = 0
        matcher = city_matcher()
        for address in urls:
            try:
                result = document_import_from_url(
                    url=address,
                    city_slug=overrides["city"],
                    years=overrides["years"],
                    source=overrides["source"],
                    matcher=matcher,
                )
            except ReportRejected as error:
                failed += 1
                self.stdout.write(self.style.ERROR(f"failed     {address}: {error}"))
                continue
            document = result.document
            if not result.created:
                self.stdout.write(f"duplicate  {address}: 已存在 #{document.pk} {document.display_title}")
                continue
            years = document.year_label or "年份未知"
            line = f"imported   {address}: #{document.pk} {document.city.name} {years} 《{document.display_title}》"
            line += f"；{'；'.join(result.notes)}"
            if result.missing:
                line += self.style.WARNING(f"；未找到：{'、'.join(result.missing_labels)}（留空）")
            self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} 个网址导入失败")
