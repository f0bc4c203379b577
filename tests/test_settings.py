"""Settings read from the environment: production checks, databases, the secret key file, limits."""

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from reformsite import settings as settings_module

ROOT = Path(__file__).resolve().parent.parent
# Variables that would change what the subprocesses below see.
OUR_VARIABLES = ("DJANGO_", "REFORM_", "DATABASE_URL", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS")


def clean_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(OUR_VARIABLES)}
    env.update({"REFORM_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "reformsite.settings"})
    env.update(variables)
    return env


def settings_under(tmp_path: Path, names: list[str], **variables: str) -> dict:
    """The named settings as a fresh process computes them from these environment variables."""
    code = (
        "import json, sys\nfrom reformsite import settings as s\n"
        "print(json.dumps({name: getattr(s, name, None) for name in sys.argv[1:]}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env=clean_environment(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
    "REFORM_HTTPS": "1",
}


def test_deploy_check_passes_with_production_environment(tmp_path):
    """`manage.py check --deploy` has nothing to say, not even a warning, with the production variables."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environment(tmp_path, **PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_settings_follow_reform_https(tmp_path):
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        "ALLOWED_HOSTS",
    ]
    plain = settings_under(tmp_path, names)
    assert plain["DEBUG"] is False
    assert plain["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert not plain["SECURE_SSL_REDIRECT"] and not plain["SESSION_COOKIE_SECURE"] and not plain["CSRF_COOKIE_SECURE"]
    assert plain["SECURE_HSTS_SECONDS"] == 0
    assert plain["SECURE_PROXY_SSL_HEADER"] is None

    https = settings_under(
        tmp_path,
        names,
        REFORM_HTTPS="1",
        REFORM_BEHIND_PROXY="1",
        REFORM_CSRF_TRUSTED_ORIGINS="https://archive.example.org, https://www.archive.example.org",
    )
    assert https["SECURE_SSL_REDIRECT"] and https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert https["CSRF_TRUSTED_ORIGINS"] == ["https://archive.example.org", "https://www.archive.example.org"]

    assert settings_under(tmp_path, ["SECURE_HSTS_SECONDS"], REFORM_HTTPS="1", REFORM_HSTS_SECONDS="3600") == {
        "SECURE_HSTS_SECONDS": 3600
    }


def test_hsts_preload_and_subdomains_only_when_asked_for(tmp_path):
    """Both bind more than this site (every subdomain; browsers' built-in lists): HTTPS alone does
    not turn them on."""
    names = ["SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
    assert settings_under(tmp_path, names, REFORM_HTTPS="1") == dict.fromkeys(names, False)
    asked = settings_under(
        tmp_path, names, REFORM_HTTPS="1", REFORM_HSTS_INCLUDE_SUBDOMAINS="1", REFORM_HSTS_PRELOAD="1"
    )
    assert asked == dict.fromkeys(names, True)


def test_default_database_is_sqlite_in_var_with_wal_busy_timeout_and_immediate_transactions(tmp_path):
    database = settings_under(tmp_path, ["DATABASES"])["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "var" / "db.sqlite3")
    assert database["OPTIONS"]["timeout"] == 20
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_reform_database_path_still_chooses_the_sqlite_file(tmp_path):
    database = settings_under(tmp_path, ["DATABASES"], REFORM_DATABASE_PATH=str(tmp_path / "other.sqlite3"))
    assert database["DATABASES"]["default"]["NAME"] == str(tmp_path / "other.sqlite3")


def test_sqlite_database_url_keeps_the_concurrency_options():
    database = settings_module._database("sqlite:////srv/archive/db.sqlite3")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == "/srv/archive/db.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_postgres_database_url_keeps_connections_and_checks_them(monkeypatch):
    monkeypatch.delenv("REFORM_DB_CONN_MAX_AGE", raising=False)
    database = settings_module._database("postgres://archive:s%40cret@db.example.org:5433/reform")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("reform", "archive", "s@cret")
    assert (database["HOST"], database["PORT"]) == ("db.example.org", 5433)
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert "OPTIONS" not in database or "transaction_mode" not in database["OPTIONS"]


def test_postgres_over_a_unix_socket():
    database = settings_module._database("postgres://%2Frun%2Fpostgresql/reform")
    assert (database["HOST"], database["NAME"]) == ("/run/postgresql", "reform")


def test_secret_key_file_is_created_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    key = settings_module._secret_key()
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) >= 50
    assert settings_module._secret_key() == key
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left


def test_secret_key_from_the_environment_writes_no_file(tmp_path):
    assert settings_under(tmp_path, ["SECRET_KEY"], DJANGO_SECRET_KEY="k" * 60) == {"SECRET_KEY": "k" * 60}
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_fresh_process_creates_the_key_once_and_the_next_one_reads_it(tmp_path):
    first = settings_under(tmp_path, ["SECRET_KEY"])["SECRET_KEY"]
    assert stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode) == 0o600
    assert settings_under(tmp_path, ["SECRET_KEY"])["SECRET_KEY"] == first


def test_upload_limits_fit_the_import_limit():
    """A report at the import limit stays in memory and its change form (body and raw text,
    percent-encoded) fits; the number of files in one request is bounded."""
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.IMPORT_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 2 * 3 * settings.IMPORT_MAX_BYTES
    assert 1 <= settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 100


def test_gunicorn_configuration(tmp_path):
    """Workers from the CPU count (capped), the app preloaded, response times in the access log."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "reformsite/gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = dict(line.split(" = ", 1) for line in result.stdout.splitlines() if " = " in line)
    config = {key.strip(): value.strip() for key, value in config.items()}
    assert 1 <= int(config["workers"]) <= min(os.cpu_count() * 2 + 1, 8)
    assert config["preload_app"] == "True"
    # A client slow to send its headers holds a thread, not a whole worker.
    assert config["worker_class"] == "gthread" and int(config["threads"]) >= 2
    assert config["timeout"] == "30"
    assert int(config["max_requests"]) > 0 and int(config["max_requests_jitter"]) > 0
    assert "%(M)s" in config["access_log_format"]
    assert config["forwarded_allow_ips"] == "['127.0.0.1', '::1']"


@pytest.mark.parametrize("bound", ["4", "12"])
def test_every_worker_keeps_threads_for_cheap_pages_whatever_the_expensive_bound(tmp_path, bound):
    """All REFORM_EXPENSIVE_MAX expensive requests in one worker still leave it two threads."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "reformsite/gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env={**clean_environment(tmp_path), "REFORM_EXPENSIVE_MAX": bound, "REFORM_THREADS": "4"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    threads = next(line for line in result.stdout.splitlines() if line.startswith("threads "))
    assert int(threads.split(" = ")[1]) >= int(bound) + 2
    bounds = settings_under(tmp_path, ["EXPENSIVE_MAX", "EXPENSIVE_PER_CLIENT"], REFORM_EXPENSIVE_MAX=bound)
    assert bounds["EXPENSIVE_MAX"] == int(bound) and bounds["EXPENSIVE_PER_CLIENT"] >= 1


def test_forwarded_addresses_are_believed_only_from_the_trusted_proxy(monkeypatch, rf):
    """A client reaching gunicorn past the proxy cannot pick the address it is counted under."""
    monkeypatch.setattr(settings_module, "BEHIND_PROXY", True)
    direct = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="198.51.100.20")
    assert settings_module.client_address(direct) == "198.51.100.20"
    monkeypatch.setattr(settings_module, "TRUSTED_PROXIES", {"198.51.100.20"})
    assert settings_module.client_address(direct) == "203.0.113.5"


def test_login_rate_limiting_counts_the_client_address_the_proxy_saw(monkeypatch, rf):
    """Behind the proxy, the last X-Forwarded-For entry (appended by the proxy) is the client;
    anything before it is whatever the client sent. Without the proxy, the header is ignored."""
    request = rf.get("/admin/login/", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.5", REMOTE_ADDR="127.0.0.1")
    monkeypatch.setattr(settings_module, "BEHIND_PROXY", True)
    assert settings_module.client_address(request) == "203.0.113.5"
    monkeypatch.setattr(settings_module, "BEHIND_PROXY", False)
    assert settings_module.client_address(request) == "127.0.0.1"


def test_throttle_counters_are_shared_by_all_workers(tmp_path):
    """A per-process cache (LocMem) would give each gunicorn worker its own count."""
    cache = settings_under(tmp_path, ["CACHES"])["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert cache["LOCATION"] == str(tmp_path / "var" / "cache")
    redis = settings_under(tmp_path, ["CACHES"], REFORM_REDIS_URL="redis://127.0.0.1:6379/1")["CACHES"]["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_throttle_rates_come_from_the_environment(tmp_path):
    rates = settings_under(tmp_path, ["THROTTLE_RATES"], REFORM_THROTTLE_SEARCH="5/min")["THROTTLE_RATES"]
    assert rates["search"] == "5/min"
    assert {"anon", "search", "concordance", "document", "export"} <= set(rates)


def test_request_limits_leave_room_for_the_admin_only(tmp_path):
    limits = settings_under(tmp_path, ["REQUEST_MAX_BYTES", "ADMIN_REQUEST_MAX_BYTES", "DATA_UPLOAD_MAX_MEMORY_SIZE"])
    assert limits["REQUEST_MAX_BYTES"] <= 64 * 1024
    assert limits["ADMIN_REQUEST_MAX_BYTES"] > limits["DATA_UPLOAD_MAX_MEMORY_SIZE"]
