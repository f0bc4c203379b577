"""The same code on PostgreSQL: a throw-away cluster on a Unix socket, then migrate, load the seeds
and run a representative part of the suite against it in a subprocess (DATABASE_URL set).

Skipped when the server binaries are missing (Debian: `apt-get install postgresql`)."""

import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Pages, API, comparison and the write services: most of the ORM the site uses. Set
# REFORM_POSTGRES_SUITE="tests --ignore=tests/browser" to run (nearly) everything on PostgreSQL.
SUITE = os.environ.get(
    "REFORM_POSTGRES_SUITE",
    "tests/test_services.py tests/test_pages.py tests/test_api.py tests/test_compare.py "
    "tests/search/test_opensearch_lock.py",
).split()
DATABASE = "reform"
# UTF-8 with C collation: text sorts by code point, as it does in SQLite.
INITDB_OPTIONS = ["-E", "UTF8", "--no-locale", "--no-sync"]


def _server_bin_dir() -> Path | None:
    """The newest installed server's bin directory (Debian keeps one per major version)."""
    found = [Path(path).parent for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if not found:
        return None
    return max(found, key=lambda bin_dir: int(bin_dir.parent.name) if bin_dir.parent.name.isdigit() else 0)


BIN_DIR = _server_bin_dir()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        BIN_DIR is None,
        reason="no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); Debian: apt-get install postgresql",
    ),
]


def _server_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """initdb and postgres refuse to run as root: as root, run them as `postgres` (or `nobody`)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], user
    pytest.skip("running as root and neither a postgres nor a nobody user exists to run the server")


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, **kwargs)


@pytest.fixture
def postgres_url():
    """A cluster in a temporary directory, listening only on a Unix socket there; stopped and removed after."""
    as_server, user = _server_user()
    base = Path(tempfile.mkdtemp(prefix="reform-pg-"))
    data = base / "data"
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    try:
        initdb = _run(
            [*as_server, BIN_DIR / "initdb", "-D", data, "-U", "postgres", "--auth=trust", *INITDB_OPTIONS],
            timeout=120,
        )
        assert initdb.returncode == 0, initdb.stdout + initdb.stderr
        # No TCP, no durability (a test cluster), the socket next to the data.
        options = f"-k {base} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        start = _run(
            [*as_server, BIN_DIR / "pg_ctl", "-D", data, "-l", base / "server.log", "-w", "-o", options, "start"],
            timeout=90,
        )
        log = base / "server.log"
        assert start.returncode == 0, start.stdout + start.stderr + (log.read_text() if log.exists() else "")
        created = _run([BIN_DIR / "createdb", "-h", base, "-U", "postgres", DATABASE], timeout=60)
        assert created.returncode == 0, created.stderr
        yield f"postgres://postgres@{quote(str(base), safe='')}/{DATABASE}"
    finally:
        if (data / "postmaster.pid").exists():
            _run([*as_server, BIN_DIR / "pg_ctl", "-D", data, "-m", "immediate", "stop"], timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def test_migrate_seed_and_suite_pass_on_postgresql(postgres_url, tmp_path):
    """Migrations, the seed import (twice: it duplicates nothing) and the pages, API and services
    tests pass with DATABASE_URL pointing at PostgreSQL; pytest-django makes its test database there."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=postgres_url,
        REFORM_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="reformsite.settings",
    )

    def run(*command: str, timeout: int = 300) -> str:
        result = _run([sys.executable, *command], cwd=ROOT, env=env, timeout=timeout)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(command)} failed on PostgreSQL:\n{output[-6000:]}"
        return output

    assert "postgresql" in run(
        "-c", "from django.db import connection; import django; django.setup(); print(connection.vendor)"
    )
    run("manage.py", "migrate", "--noinput")
    run("manage.py", "load_seed")
    run("manage.py", "load_seed")
    counts = run(
        "-c",
        "import django; django.setup()\n"
        "from archive.models import City, Document, Mention\n"
        "print(City.objects.count(), Document.objects.count(), Mention.objects.confirmed().count() > 0)",
    )
    cities, documents, has_mentions = counts.split()[-3:]
    assert (int(cities), int(documents), has_mentions) == (338, 5, "True")

    output = run("-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "--ignore=tests/test_postgres.py", *SUITE)
    summary = output.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and not re.search(r"failed|error", summary), summary
