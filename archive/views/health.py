"""GET /healthz: whether the database and the search index can serve, as JSON for monitors.

200 when both can, 503 with the reasons otherwise. Outside the language prefixes, no login, no
session or CSRF cookie, no template: a few cheap queries and the already-open index reader."""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from archive.models import Document, SearchQueueEntry
from archive.search import health

logger = logging.getLogger(__name__)

# Migrations do not come undone while a process runs: once all are applied, that is remembered.
_migrated = False


def _migrations_pending() -> list[str]:
    global _migrated
    if _migrated:
        return []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    _migrated = not pending
    return pending


def _database() -> dict:
    try:
        pending = _migrations_pending()
        documents = Document.objects.count()
        queued = SearchQueueEntry.objects.count()
    except DatabaseError as error:
        logger.exception("health check: database unusable")
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    result = {"ok": not pending, "migrations_applied": not pending, "documents": documents, "queued": queued}
    if pending:
        result["error"] = f"{len(pending)} migrations not applied: {', '.join(pending[:5])}"
    return result


def _index(database: dict) -> dict:
    index = health()
    if not index.ok:
        return {"ok": False, "problem": index.problem, "error": index.error, "repairing": index.repairing}
    result = {"ok": True, **index.details, "documents": index.documents}
    if database.get("ok"):
        # Equal unless updates are queued (or a write is between its commit and its drain).
        result["in_sync"] = index.documents == database["documents"] or database["queued"] > 0
    return result


@never_cache
@require_safe
def healthz(request):
    database = _database()
    index = _index(database)
    healthy = database["ok"] and index["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "index": index},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
