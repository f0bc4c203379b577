import pytest

from archive.search import engine
from archive.search.indexing import index_rebuild


@pytest.fixture
def search_dir(settings, tmp_path):
    """Each test gets its own index directory."""
    settings.SEARCH_DIR = tmp_path / "search"
    engine.reset()
    yield settings.SEARCH_DIR
    engine.reset()


@pytest.fixture
def indexed(seeded, search_dir):
    """The seed archive with its search index built."""
    index_rebuild()
