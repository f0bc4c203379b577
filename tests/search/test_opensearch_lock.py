"""One writer per cluster: a PostgreSQL advisory lock when the database is PostgreSQL (several web
servers share it), a file lock with SQLite. tests/test_postgres.py runs this file on PostgreSQL."""

import threading

import pytest
from django.db import connection

from archive.search.engines.opensearch._lock import writer_lock
from archive.search.errors import IndexBusy


def _try_elsewhere(name: str, timeout: float) -> str:
    """Take the lock from another thread (another database connection, another file handle)."""
    outcome = []

    def attempt():
        try:
            with writer_lock(name, timeout):
                outcome.append("taken")
        except IndexBusy:
            outcome.append("busy")
        finally:
            connection.close()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return outcome[0]


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_is_refused_while_the_first_holds_the_lock_and_served_after(search_dir):
    with writer_lock("test-documents", 0):
        assert _try_elsewhere("test-documents", 0.2) == "busy"
        assert _try_elsewhere("other-documents", 0) == "taken"  # each index family has its own
    assert _try_elsewhere("test-documents", 0) == "taken"


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_the_databases_on_postgresql_and_a_file_with_sqlite(search_dir):
    with writer_lock("test-documents", 0):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
                assert cursor.fetchone()[0] == 1
            assert not list(search_dir.glob("*.lock")) if search_dir.exists() else True
        else:
            assert (search_dir / "test-documents.writer.lock").exists()
