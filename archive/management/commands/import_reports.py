"""Import report files (.txt, .html) or folders of them, one transaction per file.

Files are read, cleaned and analysed in worker processes (--jobs); this process writes each report
in its own transaction, which also queues it for the search index, and drains that queue in large
batches while the import runs and once at the end. Killed at any point, every report committed so
far is in the database and queued; running the same command again skips them as duplicates."""

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.importing import ReportRejected
from archive.importing.metadata import parse_year_span
from archive.search import (
    IndexBusy,
    analysed_keep,
    batched,
    bulk_drain,
    merge_segments,
    text_analyse,
    user_dictionary_words,
)
from archive.selectors import city_by_name
from archive.services import city_matcher, document_create, document_import_from_url, report_paths, report_read
from archive.services.documents import ReadReport
from archive.text.words import use_user_words

PROGRESS_BAR_MIN_FILES = 10
DRAIN_EVERY = 500  # reports imported between two index drains during an import
# Files handed to each worker ahead of the writer. Enough for the workers to go on reading while
# the writer drains a batch to the index (~2 s for DRAIN_EVERY reports, when a worker on the other
# core reads ~75), instead of waiting idle; and a bound on memory (a report read and analysed is
# ~80 KB: ~13 MB for two workers).
IN_FLIGHT_PER_JOB = 80

_worker_options: dict = {}


def _worker_init(options: dict, words: frozenset[str]) -> None:
    _worker_options.update(options)
    use_user_words(words)


def _read(path: Path) -> tuple[ReadReport, object] | str:
    """In a worker process: the report read and its text analysed for the index (with the
    dictionary given), or the reason it cannot be imported."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return f"无法读取文件（{error.strerror}）"
    try:
        read = report_read(data=data, filename=path.name, **_worker_options)
    except ReportRejected as error:
        return str(error)
    title = read.report.title[:300]
    return read, text_analyse(title=title, body=read.report.body)


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
        parser.add_argument(
            "--jobs", type=int, default=os.cpu_count() or 1, help="读取和清理文件的并行进程数（默认：CPU 核数）"
        )

    def handle(self, *args, paths, city, year, source, url, jobs, **options):
        try:
            years = parse_year_span(year) if year else None
            city = city_by_name(city).slug if city else None
        except ValueError as error:  # CityNameError is one: it names the choices
            raise CommandError(str(error)) from error
        if jobs < 1:
            raise CommandError("--jobs 至少为 1")
        if url:
            return self._import_urls(url, city=city, years=years, source=source, also_files=bool(paths))
        files = report_paths(paths)
        if not files:
            raise CommandError("没有找到 .txt 或 .html 报告文件")

        reader_options = {"years": years, "matcher": city_matcher()}
        words = user_dictionary_words()
        use_user_words(words)
        failed = 0
        counts = {"imported": 0, "duplicate": 0}
        characters = 0
        started = time.perf_counter()
        progress = tqdm(
            total=len(files), unit="篇", disable=len(files) < PROGRESS_BAR_MIN_FILES or None, file=self.stderr
        )
        with batched():
            queued = 0
            for path, read in self._read_all(files, jobs, reader_options, words):
                line, status = self._write_one(path, read, city=city, years=years, source=source)
                if status == "failed":
                    failed += 1
                else:
                    counts[status] += 1
                if status == "imported":
                    queued += 1
                    characters += read[0].characters
                with progress.external_write_mode():
                    self.stdout.write(line)
                progress.update()
                progress.set_postfix_str(f"{characters / max(time.perf_counter() - started, 1e-9):,.0f} 字/s")
                if queued >= DRAIN_EVERY:
                    self._drain()
                    queued = 0
            self._drain()
            progress.close()
            searchable = time.perf_counter()
            self.stdout.write(
                f"完成：导入 {counts['imported']}，重复 {counts['duplicate']}，失败 {failed}；"
                f"均已可检索（{searchable - started:.1f} s）"
            )
        # Then, the reports searchable, the batches this and earlier imports piled up are merged
        # (a tier's worth at a time; never in a request, such as the admin upload).
        try:
            if merge_segments():
                self.stdout.write(f"检索索引段已合并（{time.perf_counter() - searchable:.1f} s）")
        except IndexBusy as error:  # searchable as they are; the next import merges them
            self.stderr.write(f"检索索引忙，索引段留待下次导入时合并：{error}")
        if failed:
            raise CommandError(f"{failed} 个文件导入失败")

    def _read_all(self, files: list[Path], jobs: int, reader_options: dict, words: frozenset[str]):
        """(path, (ReadReport, analysis) or reason) in the order of `files`, read `jobs` at a time."""
        if jobs == 1:
            _worker_init(reader_options, words)
            for path in files:
                yield path, _read(path)
            return
        window = jobs * IN_FLIGHT_PER_JOB
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(reader_options, words)) as pool:
            pending = [(path, pool.submit(_read, path)) for path in files[:window]]
            ahead = window
            while pending:
                path, future = pending.pop(0)
                result = future.result()
                if ahead < len(files):
                    pending.append((files[ahead], pool.submit(_read, files[ahead])))
                    ahead += 1
                yield path, result

    def _drain(self) -> None:
        try:
            bulk_drain()
        except IndexBusy as error:
            self.stderr.write(f"检索索引忙，已导入的报告留在索引队列中，稍后自动写入：{error}")

    def _write_one(self, path: Path, read: tuple | str, *, city, years, source) -> tuple[str, str]:
        if isinstance(read, str):
            return self.style.ERROR(f"failed     {path}: {read}"), "failed"
        read, analysis = read
        try:
            result = document_create(read=read, city_slug=city, years=years, source=source, defer_suggestions=True)
        except ReportRejected as error:
            return self.style.ERROR(f"failed     {path}: {error}"), "failed"
        document = result.document
        if not result.created:
            return f"duplicate  {path}: 已存在 #{document.pk} {document.display_title}", "duplicate"
        analysed_keep(document_id=document.pk, analysis=analysis)
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
