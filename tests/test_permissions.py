"""Data at rest is private to the account that runs the archive: directories 0700, files 0600,
whatever the umask of whoever created them (reformsite/permissions.py, the Makefile, gunicorn)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reformsite.permissions import private_directory, private_file, private_sqlite

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def permissive_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_directory_is_created_private_and_an_open_one_is_closed(tmp_path, permissive_umask):
    assert mode(private_directory(tmp_path / "new" / "var")) == 0o700
    opened = tmp_path / "opened"
    opened.mkdir(mode=0o755)
    private_directory(opened)
    assert mode(opened) == 0o700


def test_a_file_is_tightened_never_loosened(tmp_path):
    readable, read_only = tmp_path / "readable", tmp_path / "read-only"
    readable.write_text("x")
    readable.chmod(0o644)
    read_only.write_text("x")
    read_only.chmod(0o400)
    private_file(readable)
    private_file(read_only)
    private_file(tmp_path / "missing")  # nothing to do
    assert (mode(readable), mode(read_only)) == (0o600, 0o400)


def test_sqlite_database_and_its_wal_and_shm_files_are_born_private(tmp_path, permissive_umask):
    """SQLite gives -wal and -shm the database file's mode, so a database created 0600 keeps them
    0600 even under umask 022."""
    path = tmp_path / "db.sqlite3"
    private_sqlite(path)
    database = sqlite3.connect(path)
    try:
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("CREATE TABLE t (x)")
        database.execute("INSERT INTO t VALUES (1)")
        database.commit()
        files = {name: mode(tmp_path / name) for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm")}
    finally:
        database.close()
    assert files == {"db.sqlite3": 0o600, "db.sqlite3-wal": 0o600, "db.sqlite3-shm": 0o600}


def test_an_existing_open_database_is_closed_with_its_companions(tmp_path):
    path = tmp_path / "db.sqlite3"
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (tmp_path / name).write_bytes(b"")
        (tmp_path / name).chmod(0o644)
    private_sqlite(path)
    assert {mode(tmp_path / name) for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm")} == {0o600}


def _settings_in_a_fresh_process(environment: dict) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.VAR_DIR)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "reformsite.settings"},
        capture_output=True,
        text=True,
        umask=0o022,
    )


def test_settings_close_an_open_var_directory_database_and_secret_key(tmp_path):
    """An installation made before files were private (0755 directory, 0644 files) is tightened
    when the site starts, and a fresh one starts private."""
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    for name in ("db.sqlite3", "secret_key"):
        (var / name).write_text("old-key" if name == "secret_key" else "")
        (var / name).chmod(0o644)
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_SECRET_KEY"}}
    environment.update(REFORM_VAR_DIR=str(var), REFORM_DATABASE_PATH=str(var / "db.sqlite3"))
    result = _settings_in_a_fresh_process(environment)
    assert result.returncode == 0, result.stderr
    assert (mode(var), mode(var / "db.sqlite3"), mode(var / "secret_key")) == (0o700, 0o600, 0o600)

    fresh = tmp_path / "fresh"
    environment.update(REFORM_VAR_DIR=str(fresh), REFORM_DATABASE_PATH=str(fresh / "db.sqlite3"))
    result = _settings_in_a_fresh_process(environment)
    assert result.returncode == 0, result.stderr
    assert (mode(fresh), mode(fresh / "db.sqlite3"), mode(fresh / "secret_key")) == (0o700, 0o600, 0o600)


def test_gunicorn_config_sets_a_private_umask():
    code = "import os, runpy; os.umask(0o022); runpy.run_path('reformsite/gunicorn.conf.py'); print(oct(os.umask(0)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0o77"


def test_make_runs_everything_that_writes_data_under_umask_077():
    """Static files are public (a proxy may serve them); everything else the recipes run is private."""
    result = subprocess.run(
        ["make", "-n", "--always-make", "data", "serve", "backup", "restore", "FILE=x.tar.gz"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line or "gunicorn -c" in line]
    assert len(commands) >= 7
    for command in commands:
        expected = "umask 022 && " if "collectstatic" in command else "umask 077 && "
        assert command.startswith(expected), command
