"""Build a fresh search index beside the live one and swap it in."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from archive.models import Document
from archive.search.indexing import index_rebuild


class Command(BaseCommand):
    help = "重建检索索引：在现有索引旁构建新索引后原子切换，重建期间检索照常可用。"

    def handle(self, *args, **options):
        total = Document.objects.count()
        started = time.perf_counter()

        def progress(items):
            return tqdm(items, total=total, unit="篇", file=self.stderr, disable=None, desc="索引")

        count = index_rebuild(progress=progress)
        self.stdout.write(f"检索索引已重建：{count} 篇报告，用时 {time.perf_counter() - started:.1f} 秒")
