"""gunicorn settings for `make serve`; environment variables override the defaults."""

import multiprocessing
import os

bind = os.environ.get("REFORM_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Load the app (and later jieba's dictionary) once in the master and share it with the workers.
preload_app = True
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("REFORM_ACCESS_LOG", "-")
wsgi_app = "reformsite.wsgi:application"


def post_fork(server, worker):
    from archive.search.warmup import warm_up_index

    warm_up_index()
