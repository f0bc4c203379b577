from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
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
    """The archive as `make serve` leaves it: five seed reports and the curated fixture.

    load_seed (import, extraction, suggestions: ~2 s) runs once per test process; every later test
    loads the rows it wrote, with the same primary keys (~0.3 s). tests/test_commands.py runs
    load_seed itself."""
    if _seeded_rows.exists():
        call_command("loaddata", str(_seeded_rows), verbosity=0)
        return
    call_command("load_seed", stdout=open("/dev/null", "w"))
    call_command("dumpdata", "archive", output=str(_seeded_rows), verbosity=0)


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
