"""Write queued document changes to the search index (normally done right after each commit)."""

from django.core.management.base import BaseCommand, CommandError

from archive.search import IndexBusy, drain


class Command(BaseCommand):
    help = "把排队中的报告变更写入检索索引（索引缺失或损坏时先从数据库重建）。"

    def handle(self, *args, **options):
        try:
            done = drain()
        except IndexBusy as error:
            raise CommandError(f"索引写入锁被占用，稍后再试：{error}") from error
        self.stdout.write(f"已处理 {done} 条待索引记录")
