"""Settings for the reform archive, read from the environment with safe single-machine defaults.

Everything the running site writes (database, search index, secret key) lives under VAR_DIR,
which is outside version control.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.functional import lazy
from django.utils.translation import gettext

from reformsite.permissions import private_directory, private_file, private_sqlite

BASE_DIR = Path(__file__).resolve().parent.parent
# 0700, and the database, secret key and backups in it 0600 (reformsite/permissions.py).
VAR_DIR = private_directory(Path(os.environ.get("REFORM_VAR_DIR", BASE_DIR / "var")))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _secret_key() -> str:
    """Use DJANGO_SECRET_KEY when given; otherwise generate one once and keep it in VAR_DIR.

    The file is written under another name with mode 0600 and linked into place, so it is never
    readable by others, never half-written, and two processes starting at once share one key."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        descriptor, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(64))
            os.link(temporary, key_file)
        except FileExistsError:
            pass  # another process got there first: use its key
        finally:
            os.unlink(temporary)
    private_file(key_file)  # a key written before keys were private
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here (no CDN)
    "haystack",
    "axes",
    "csp",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body (CSRF reads POST): an oversized request is refused unread.
    "archive.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user and the language are known: expensive requests past their bound get 429.
    "archive.middleware.ExpensiveRequestLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reformsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "reformsite.wsgi.application"

# SQLite in WAL mode with a busy timeout and IMMEDIATE transactions, so that several
# gunicorn workers can write without "database is locked".
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _database(url: str | None) -> dict:
    """DATABASE_URL (sqlite:////abs/path, postgres://user:pass@host:5432/name,
    postgres://%2Frun%2Fpostgresql/name for a Unix socket); SQLite under VAR_DIR when not given."""
    if not url:
        path = os.environ.get("REFORM_DATABASE_PATH") or VAR_DIR / "db.sqlite3"
        private_sqlite(Path(path))
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": dict(SQLITE_OPTIONS)}
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite connections are cheap to open and each runs the PRAGMAs; keep Django's default.
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        if config["NAME"] and config["NAME"] != ":memory:":
            private_sqlite(Path(config["NAME"]))
    else:
        # Reuse a server connection for a while (a worker serves one request at a time) and check
        # it before reuse, so a restarted PostgreSQL costs one retry rather than an error page.
        config["CONN_MAX_AGE"] = env_int("REFORM_DB_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username+address is refused before its password is even checked.
    # It needs the request: tests log in with client.force_login(), or client.login(request=HttpRequest(), ...).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The top level of the repository is fixed, so the catalogue lives in the app; makemessages run at
# the root scans templates/ too and writes here.
LOCALE_PATHS = [BASE_DIR / "archive" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("REFORM_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "archive.schema.ArchiveAutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Sessions only (the admin's login, rate-limited by axes): no Basic auth sending passwords with
    # every request, and no second way to guess them.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "archive.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Every API request counts against the client's "anon" budget; search and export views add
    # their own scope (archive/throttling.py). Rates are THROTTLE_RATES below, read per request.
    "DEFAULT_THROTTLE_CLASSES": ["archive.throttling.AnonThrottle"],
    "EXCEPTION_HANDLER": "archive.throttling.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "地方改革报告档案 API",
    "DESCRIPTION": "Read-only API of the archive of Chinese local reform reports.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The Whoosh index generations, the writer lock and jieba's dictionary cache live here.
SEARCH_DIR = Path(os.environ.get("REFORM_SEARCH_DIR", VAR_DIR / "search"))
# Unset: search runs on the Whoosh index in SEARCH_DIR. Set (http://host:9200): on that OpenSearch
# cluster, in indexes whose names start with SEARCH_INDEX_PREFIX (archive/search/engines/).
SEARCH_URL = os.environ.get("REFORM_SEARCH_URL", "").strip()
SEARCH_INDEX_PREFIX = os.environ.get("REFORM_SEARCH_INDEX_PREFIX", "reform-archive").strip()

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "archive.search.engines.whoosh.backend.ChineseWhooshEngine",
        "PATH": str(SEARCH_DIR),
        "INCLUDE_SPELLING": False,
    },
}
# Index updates go through our queue (archive/signals.py), not haystack's realtime processor,
# which fires before commit and misses what admin inlines save afterwards (RESEARCH.md #12).
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# The importer refuses files larger than this (bytes).
IMPORT_MAX_BYTES = env_int("REFORM_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Importing from a web address (import_reports --url, the admin's upload screen): a timeout for the
# whole download, the same size limit as files, an honest User-Agent. Private, loopback and
# link-local addresses are refused unless REFORM_FETCH_ALLOW_PRIVATE=1 (tests, an intranet archive).
FETCH_TIMEOUT_SECONDS = env_int("REFORM_FETCH_TIMEOUT", 20)
FETCH_ALLOW_PRIVATE = env_bool("REFORM_FETCH_ALLOW_PRIVATE", False)
FETCH_USER_AGENT = os.environ.get(
    "REFORM_FETCH_USER_AGENT",
    "ReformArchiveImporter/1.0 (local reform report archive; fetches one page a curator asked for)",
)

# Uploads. A report up to the import limit stays in memory; bigger files spill to a temporary file
# and the importer refuses them. The largest form without files is a report's change form in the
# admin: body and raw text, each up to IMPORT_MAX_BYTES, percent-encoded (a CJK character's 3 bytes
# become 9), so 6x the limit; anything larger is refused before it is parsed.
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * IMPORT_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("REFORM_UPLOAD_MAX_FILES", 50)
# A report's change form carries ~8 fields per mention in its inline; suggested mentions run to hundreds.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Security headers and cookies, always.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script here reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): everything from this site, no inline script or style, no
# plugins, not framed, no <base> to redirect relative URLs. The pages load their scripts and
# styles from static files and pass data to scripts with json_script (not executed, so allowed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        # Style attributes only (not <style> elements, which stay 'self'): ECharts 4.9 writes its
        # tooltips with innerHTML whose colour markers carry style="…". An attribute cannot run
        # script or, without selectors, read the page; our own templates have none (tested).
        "style-src-attr": ["'unsafe-inline'"],
    },
}

# Request bodies, checked on Content-Length before any view or middleware reads them. Public
# pages and the API take no body at all (a search is a GET); the admin takes a report's change
# form (DATA_UPLOAD_MAX_MEMORY_SIZE) or an upload of several reports. Bodies without a length
# (chunked) are refused: Django would not read them anyway.
REQUEST_MAX_BYTES = env_int("REFORM_REQUEST_MAX_BYTES", 64 * 1024)
ADMIN_REQUEST_MAX_BYTES = env_int("REFORM_ADMIN_REQUEST_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE + 2 * 1024 * 1024)
ADMIN_URL_PREFIX = "/admin/"

# Throttling (archive/throttling.py): requests per client address, per scope, for anonymous
# clients; logged-in staff are not throttled. "anon" is every API request; "search" the search
# page and API together; "document" a report's page (with ?q= it highlights the whole text);
# "export" the dataset downloads. Over the limit: 429 with Retry-After.
THROTTLE_RATES = {
    "anon": os.environ.get("REFORM_THROTTLE_ANON", "120/min"),
    "search": os.environ.get("REFORM_THROTTLE_SEARCH", "30/min"),
    "concordance": os.environ.get("REFORM_THROTTLE_CONCORDANCE", "30/min"),
    "document": os.environ.get("REFORM_THROTTLE_DOCUMENT", "60/min"),
    "export": os.environ.get("REFORM_THROTTLE_EXPORT", "20/hour"),
}

# At most EXPENSIVE_PER_CLIENT expensive requests (a report's page, searches, concordance, trends,
# exports: archive/middleware.py) in flight per client address, and EXPENSIVE_MAX over all workers
# of this machine; past either, 429 at once (archive/throttling.py). The per-minute rates above do
# not stop a few slow requests running at the same time. EXPENSIVE_MAX stays below gunicorn's
# threads per worker (reformsite/gunicorn.conf.py), so every worker keeps threads for cheap pages.
EXPENSIVE_PER_CLIENT = env_int("REFORM_EXPENSIVE_PER_CLIENT", 2)
EXPENSIVE_MAX = env_int("REFORM_EXPENSIVE_MAX", 2 * (os.cpu_count() or 1))
EXPENSIVE_RETRY_AFTER = env_int("REFORM_EXPENSIVE_RETRY_AFTER", 5)
# The slots are lock files, released by the kernel if a worker dies holding one: local disk only.
SLOTS_DIR = Path(os.environ.get("REFORM_SLOTS_DIR", VAR_DIR / "slots"))

# The throttles' counters must be shared by every gunicorn worker (a per-process LocMem cache
# would multiply each limit by the number of workers): files under VAR_DIR by default, Redis
# when several machines serve the site (REFORM_REDIS_URL, needs the redis package).
if os.environ.get("REFORM_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REFORM_REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("REFORM_CACHE_DIR") or str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# HTTPS deployments (REFORM_HTTPS=1): redirect to HTTPS, cookies only over HTTPS, HSTS.
HTTPS = env_bool("REFORM_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("REFORM_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
# Both commit every subdomain (and, once submitted, browsers' built-in lists) to HTTPS for a long
# time: only when asked for.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("REFORM_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("REFORM_HSTS_PRELOAD", False)
# check --deploy warns when they are off; here that is the deployer's decision, made by the two
# variables above (docs/deployment.md), not something to switch on behind their back.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# Monitors probe gunicorn directly over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a reverse proxy that terminates TLS (REFORM_BEHIND_PROXY=1) the request reaches us over
# HTTP; the proxy says what the client used. Only trust this when nothing but the proxy can reach
# gunicorn, or any client could claim HTTPS.
BEHIND_PROXY = env_bool("REFORM_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Origins allowed to POST besides the site itself, e.g. https://archive.example.org when the proxy
# rewrites the Host header.
CSRF_TRUSTED_ORIGINS = env_list("REFORM_CSRF_TRUSTED_ORIGINS", "")


# Proxies whose X-Forwarded-For is believed (gunicorn's FORWARDED_ALLOW_IPS by default): a request
# reaching gunicorn from anywhere else is counted under its own address, whatever it claims.
TRUSTED_PROXIES = set(env_list("REFORM_TRUSTED_PROXIES", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")))


def client_address(request) -> str | None:
    """The client's address for axes and the throttles: behind the proxy, the last X-Forwarded-For
    entry, which the proxy appended itself (the ones before it are whatever the client sent)."""
    if BEHIND_PROXY and ("*" in TRUSTED_PROXIES or request.META.get("REMOTE_ADDR") in TRUSTED_PROXIES):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


# Admin login rate limiting (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused for the cool-off, even with the right password.
# `manage.py axes_reset_username <name>` (or axes_reset) unlocks early; see docs/deployment.md.
LOGIN_FAILURE_LIMIT = env_int("REFORM_LOGIN_FAILURE_LIMIT", 5)
# Password spraying (a few guesses at many usernames) never trips the per-username limit: one
# address is also locked out after this many failures across all usernames.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("REFORM_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_COOLOFF_MINUTES = env_int("REFORM_LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# The order matters: archive.lockout.LockoutHandler reads the pair's count first, the address's
# second, and applies LOGIN_ADDRESS_FAILURE_LIMIT to the second.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "archive.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = client_address
AXES_COOLOFF_MESSAGE = lazy(
    lambda: (
        gettext("登录失败次数过多，该账户已暂时锁定。请在 %(minutes)s 分钟后再试，或请管理员解锁。")
        % {"minutes": LOGIN_COOLOFF_MINUTES}
    ),
    str,
)()

# After a login whose ?next= was refused (another host), Django goes here: the admin's index.
LOGIN_REDIRECT_URL = "admin:index"
LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403: a curator outside their permissions, a CSRF failure) is logged in
    # one line; its traceback says nothing the status does not.
    "filters": {"no_traceback_for_4xx": {"()": "archive.middleware.NoTracebackFor4xx"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_traceback_for_4xx"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("REFORM_LOG_LEVEL", "WARNING")},
}
