"""Settings for the benchmark: the site's, plus the textbook search setup to compare against."""

from reformsite.settings import *  # noqa: F403
from reformsite.settings import HAYSTACK_CONNECTIONS, VAR_DIR

ALLOWED_HOSTS = ["testserver", "localhost"]
HAYSTACK_CONNECTIONS = {
    **HAYSTACK_CONNECTIONS,
    "textbook": {"ENGINE": "bench.textbook.TextbookWhooshEngine", "PATH": str(VAR_DIR / "textbook")},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
