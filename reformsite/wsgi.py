"""WSGI entry point used by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformsite.settings")

application = get_wsgi_application()

# gunicorn preloads this module in the master (preload_app): jieba's dictionary (~1 s, ~100 MB) is
# loaded once there and shared by the forked workers (RESEARCH.md #15).
from archive.text.words import segmenter  # noqa: E402

segmenter()
