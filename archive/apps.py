from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = "地方改革报告档案"

    def ready(self):
        from archive import signals  # noqa: F401  (connects the index-update handlers)
