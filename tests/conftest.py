from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.utils import translation

from archive import search

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

SEED_FILES = {
    "zhuzhou": "000_58195b53df05f18d.txt",
    "yongzhou": "001_184599867ecce798.txt",
    "xiangtan": "002_902fda2616251a1b.txt",
    "xuchang": "003_70904a6dfc86bffb.txt",
    "changchun": "004_5962f9c09731c44d.txt",
}


def seed_bytes(city_slug: str) -> bytes:
    return (SEED_DIR / SEED_FILES[city_slug]).read_bytes()


def seed_text(city_slug: str) -> str:
    return seed_bytes(city_slug).decode("utf-8")


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the last request's language active in the thread; each test starts
    from the archive's default, so a URL reversed in one test does not depend on the one before."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Throttle counters live in the cache: each test starts from zero, in memory, never in var/.
    Tests fire requests far faster than a reader; those about throttling set their own rates."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    settings.THROTTLE_RATES = {scope: "100000/min" for scope in settings.THROTTLE_RATES}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_slots(settings, tmp_path_factory):
    """The lock files bounding expensive requests in flight (archive/throttling.py) are each test's
    own, never var/'s, which a served site may be holding."""
    settings.SLOTS_DIR = tmp_path_factory.mktemp("slots")


@pytest.fixture(autouse=True)
def _no_shared_search_index(settings, tmp_path_factory):
    """No test reads or writes the developer's index in var/: tests that want an index build one
    (`search_dir`, `indexed`); the others see none."""
    settings.SEARCH_DIR = tmp_path_factory.mktemp("no-index") / "search"
    search.reset()
    yield
    search.reset()


@pytest.fixture(scope="session")
def _seeded_rows(tmp_path_factory):
    """Where the seeded archive's rows are kept once load_seed has built them in this process."""
    return tmp_path_factory.mktemp("seeded") / "archive.json"


@pytest.fixture
def seeded(db, _seeded_rows):
    """The archive as `make serve` leaves it: five seed reports, the curated fixture and the reform catalogue.

    load_seed (import, extraction, suggestions: ~2 s) runs once per test process; every later test
    loads the rows it wrote, with the same primary keys (`_load_rows`). tests/test_commands.py runs
    load_seed itself."""
    if _seeded_rows.exists():
        _load_rows(_seeded_rows)
        return
    call_command("load_seed", stdout=open("/dev/null", "w"))
    call_command("dumpdata", "archive", output=str(_seeded_rows), verbosity=0)


def _load_rows(path) -> None:
    """What `loaddata` does for these rows, in one bulk insert per table: loaddata saves row by row, and since the
    national reform catalogue joined the seeded archive (1,100 more rows) that took 0.85 s a test instead of 0.3.
    Constraints are deferred to the end of the test's transaction, so the order of the tables does not matter;
    the sequences are reset as loaddata resets them, for PostgreSQL. No signals fire: loaddata's only queued
    the seeded reports for an index drain that never came (the test transaction never commits); a test that
    searches builds its index (`indexed`)."""
    rows = defaultdict(list)
    relations = defaultdict(list)
    with open(path, encoding="utf-8") as stream:
        for item in serializers.deserialize("json", stream):
            model = type(item.object)
            rows[model].append(item.object)
            for name, targets in (item.m2m_data or {}).items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                relations[through] += [
                    through(**{f"{source}_id": item.object.pk, f"{target}_id": pk}) for pk in targets
                ]
    for model, objects in [*rows.items(), *relations.items()]:
        # The migrations already hold some rows (the gazetteer's cities): loaddata updates them, and so does this.
        fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
        model.objects.bulk_create(
            objects, batch_size=500, update_conflicts=bool(fields), update_fields=fields or None, unique_fields=["pk"]
        )
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(rows)):
            cursor.execute(statement)


@pytest.fixture
def search_dir(settings, tmp_path):
    """Each test gets its own index directory."""
    settings.SEARCH_DIR = tmp_path / "search"
    search.reset()
    yield settings.SEARCH_DIR
    search.reset()


@pytest.fixture
def indexed(seeded, search_dir):
    """The seed archive with its search index built."""
    search.rebuild()
