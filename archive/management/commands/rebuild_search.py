"""Build a fresh search index beside the live one and swap it in."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.models import Document
from archive.search import IndexBusy, rebuild, repair


class Command(BaseCommand):
    help = "重建检索索引：在现有索引旁构建新索引后原子切换，重建期间检索照常可用。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-unusable",
            action="store_true",
            help="只在索引缺失或损坏时重建（网站发现索引不可用时自动以此启动）。",
        )

    def handle(self, *args, **options):
        total = Document.objects.count()
        started = time.perf_counter()

        def progress(items):
            return tqdm(items, total=total, unit="篇", file=self.stderr, disable=None, desc="索引")

        try:
            count = repair(progress=progress) if options["if_unusable"] else rebuild(progress=progress)
        except IndexBusy as error:
            raise CommandError(f"索引写入锁被占用，稍后再试：{error}") from error
        if count is None:
            self.stdout.write("检索索引完好（或正由另一进程重建），无需重建")
            return
        self.stdout.write(f"检索索引已重建：{count} 篇报告，用时 {time.perf_counter() - started:.1f} 秒")
