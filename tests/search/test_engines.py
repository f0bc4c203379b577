"""The engine is chosen once from the settings: Whoosh unless SEARCH_URL names a cluster."""

import sys
import types

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive.search import engine_check, engines
from archive.search.engines.base import SearchEngine
from archive.search.engines.whoosh import Engine as WhooshEngine


def test_without_search_url_search_runs_on_whoosh(settings):
    settings.SEARCH_URL = ""
    engine = engines.current()
    assert isinstance(engine, WhooshEngine) and isinstance(engine, SearchEngine)
    assert engines.current() is engine


def test_a_search_url_without_the_opensearch_engine_is_a_clear_configuration_error(settings, monkeypatch):
    monkeypatch.setattr(engines, "OPENSEARCH_MODULE", "archive.search.engines.not_installed")
    settings.SEARCH_URL = "http://127.0.0.1:9"
    with pytest.raises(ImproperlyConfigured, match="REFORM_SEARCH_URL"):
        engine_check()  # what AppConfig.ready runs, so the process stops at start
    with pytest.raises(ImproperlyConfigured, match="REFORM_SEARCH_URL"):
        engines.current()


def test_a_search_url_builds_the_opensearch_engine_with_url_and_prefix(settings, monkeypatch):
    class Engine(WhooshEngine):
        def __init__(self, *, url, index_prefix):
            self.url, self.index_prefix = url, index_prefix

    module = types.ModuleType("archive.search.engines.fake_cluster")
    module.Engine = Engine
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(engines, "OPENSEARCH_MODULE", module.__name__)
    settings.SEARCH_URL, settings.SEARCH_INDEX_PREFIX = "http://127.0.0.1:9", "test-archive"
    engine = engines.current()
    assert isinstance(engine, Engine) and (engine.url, engine.index_prefix) == ("http://127.0.0.1:9", "test-archive")
    settings.SEARCH_URL = ""
    assert isinstance(engines.current(), WhooshEngine) and not isinstance(engines.current(), Engine)


def test_an_engine_must_implement_the_whole_interface():
    class Partial(SearchEngine):
        def evaluate(self, query, **kwargs):
            raise NotImplementedError

    with pytest.raises(TypeError, match="abstract"):
        Partial()
