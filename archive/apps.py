from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_curator_group(sender, **kwargs):
    # Permissions are created by post_migrate too, so the group is synced after them, on every
    # migrate: a new model's permissions reach curators without a hand-written data migration.
    from archive.services.curation import curator_group_sync

    curator_group_sync()


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = "地方改革报告档案"

    def ready(self):
        from archive import signals  # noqa: F401  (connects the index-update handlers)
        from archive.search import engine_check

        engine_check()  # a REFORM_SEARCH_URL without its engine stops the process here

        post_migrate.connect(_sync_curator_group, sender=self, dispatch_uid="archive-curator-group")
