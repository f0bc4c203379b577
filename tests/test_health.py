"""/healthz says whether the database and the search index can serve: 200 when both can, 503 with the reason."""

import pytest
from django.db import OperationalError

from archive.models import Document, SearchQueueEntry
from archive.search.engines.whoosh import store
from archive.views import health


def test_healthy_archive_is_200_with_the_figures(client, indexed):
    response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"] == {"ok": True, "migrations_applied": True, "documents": 5, "queued": 0}
    index = data["index"]
    assert index["ok"] and index["documents"] == 5 and index["in_sync"] and index["verified"]
    assert index["generation"] == store.current_generation().name


def test_healthz_sets_no_cookie_needs_no_login_and_is_not_cached(client, indexed):
    response = client.get("/healthz")
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_has_no_language_prefix(client, indexed):
    assert client.get("/en/healthz").status_code == 404


def test_healthz_is_cheap(client, indexed, django_assert_max_num_queries):
    client.get("/healthz")  # migrations are checked once per process
    with django_assert_max_num_queries(2):
        client.get("/healthz")


def test_a_damaged_index_is_503_with_the_reason(client, indexed):
    client.get("/healthz")
    generation = store.current_generation()
    postings = next(path for path in generation.iterdir() if path.name.endswith(".pst"))
    postings.write_bytes(b"")
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable" and data["database"]["ok"]
    assert data["index"]["problem"] == "damaged" and ".pst is 0 bytes" in data["index"]["error"]


def test_a_missing_index_is_503(client, seeded, search_dir):
    data = client.get("/healthz").json()
    assert data["index"] == {
        "ok": False,
        "problem": "missing",
        "error": "no current index generation",
        "repairing": False,
    }


def test_queued_updates_are_counted_and_keep_the_index_in_sync(client, indexed):
    # In a test the drain after commit does not run: the deletion stays queued.
    Document.objects.get(city__slug="changchun").delete()
    data = client.get("/healthz").json()
    assert data["database"]["queued"] >= 1 and data["database"]["documents"] == 4
    assert data["index"]["documents"] == 5 and data["index"]["in_sync"]


def test_an_index_missing_documents_with_nothing_queued_is_out_of_sync(client, indexed):
    SearchQueueEntry.objects.all().delete()
    Document.objects.filter(city__slug="changchun").delete()
    SearchQueueEntry.objects.all().delete()  # the delete queued its removal; pretend it was lost
    data = client.get("/healthz").json()
    assert data["index"]["in_sync"] is False


def test_unapplied_migrations_are_503(client, indexed, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [(_Migration(), False)])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["error"] == "1 migrations not applied: archive.0099_future"


def test_an_unreachable_database_is_503(client, indexed, monkeypatch):
    monkeypatch.setattr(health, "_migrated", True)

    def broken(*args, **kwargs):
        raise OperationalError("unable to open database file")

    monkeypatch.setattr(Document.objects, "count", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError: unable to open database file"}


class _Migration:
    app_label = "archive"
    name = "0099_future"


@pytest.fixture(autouse=True)
def _fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
