"""gunicorn settings for `make serve`; environment variables override the defaults (docs/deployment.md)."""

import multiprocessing
import os

bind = os.environ.get("REFORM_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
wsgi_app = "reformsite.wsgi:application"
# What the site writes (database and its -wal/-shm, index, backups) is for this account only;
# set here, before the app loads, so the master and every worker inherit it.
os.umask(0o077)

# Threaded workers (gthread): a new connection waits for its first bytes before it takes a thread,
# and a client slow to send the rest of its headers holds one thread, not the whole worker (with
# sync workers, six such clients stalled every page, /healthz included). Each worker runs
# REFORM_THREADS requests at once; the search index is read by one thread at a time
# (archive/search/engine.py). Slow clients are still best met by the buffering proxy in front
# (docs/nginx/reform-archive.conf), which is part of a production deployment.
worker_class = "gthread"
# A worker queues what it accepted until one of its own threads is free, whatever its neighbours
# are doing. At most REFORM_EXPENSIVE_MAX expensive requests run on the whole machine
# (archive/middleware.py), so even if all of them land in one worker, two threads there are left
# for the home page, /healthz and the other cheap pages.
EXPENSIVE_MAX = int(os.environ.get("REFORM_EXPENSIVE_MAX") or 2 * multiprocessing.cpu_count())
threads = max(int(os.environ.get("REFORM_THREADS") or 8), EXPENSIVE_MAX + 2)

# Workers: 2 x cores + 1, but no more than memory allows. A worker grows to
# ~250 MiB (Django, the jieba dictionary it shares with the master until written to, the Whoosh
# reader), so at most one per 256 MiB of RAM, and at most 8 unless WEB_CONCURRENCY says otherwise.
WORKER_MEMORY = 256 * 1024 * 1024
MAX_WORKERS = 8


def _default_workers() -> int:
    by_cpu = multiprocessing.cpu_count() * 2 + 1
    try:
        by_memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // WORKER_MEMORY
    except (ValueError, OSError):
        by_memory = MAX_WORKERS
    return max(1, min(by_cpu, by_memory, MAX_WORKERS))


workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())
# Load the app (and jieba's dictionary) once in the master and share it with the workers.
preload_app = True

# A page takes milliseconds and a search tens of them; a request still running after 30 s is stuck.
timeout = int(os.environ.get("REFORM_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then (slow leaks, jieba's dictionary growing with user words); the
# jitter keeps them from restarting all at once.
max_requests = int(os.environ.get("REFORM_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# The heartbeat file lives in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The addresses of the proxies whose X-Forwarded-Proto gunicorn believes (gunicorn's own variable).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("REFORM_ACCESS_LOG", "-")
errorlog = os.environ.get("REFORM_ERROR_LOG", "-")
loglevel = os.environ.get("REFORM_GUNICORN_LOG_LEVEL", "info")
# Combined log format, then the client as the proxy saw it and the response time in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" xff="%({x-forwarded-for}i)s" %(M)sms'


def pre_fork(server, worker):
    """Workers must not inherit a database connection the master opened: they would share its socket."""
    from django.db import connections

    connections.close_all()


def post_fork(server, worker):
    from archive.search import open_index

    open_index()
