"""The search engine, chosen once from the settings: Whoosh on local disk unless SEARCH_URL names
an OpenSearch cluster. Engines are private to archive/search; base.py says what one must do."""

import importlib
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from archive.search.engines.base import SearchEngine

OPENSEARCH_MODULE = "archive.search.engines.opensearch"

_engines: dict[tuple[str, str], SearchEngine] = {}
_lock = threading.Lock()


def current() -> SearchEngine:
    """The engine the settings choose, built once per process (and again if tests change them)."""
    url = getattr(settings, "SEARCH_URL", "") or ""
    prefix = getattr(settings, "SEARCH_INDEX_PREFIX", "") or ""
    key = (url, prefix)
    engine = _engines.get(key)
    if engine is None:
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = _build(url, prefix)
    return engine


def _build(url: str, prefix: str) -> SearchEngine:
    engine_class = engine_class_for(url)
    return engine_class(url=url, index_prefix=prefix) if url else engine_class()


def engine_class_for(url: str) -> type[SearchEngine]:
    """The engine class for this SEARCH_URL, imported; ImproperlyConfigured if it cannot be."""
    if not url:
        from archive.search.engines.whoosh import Engine

        return Engine
    # Imported only when asked for, so the default installation needs no OpenSearch client.
    try:
        module = importlib.import_module(OPENSEARCH_MODULE)
    except ModuleNotFoundError as error:
        raise ImproperlyConfigured(
            f"SEARCH_URL is set ({url}) but the OpenSearch engine cannot be imported: {error}. "
            "Install requirements.txt, or unset REFORM_SEARCH_URL to search with Whoosh."
        ) from error
    engine_class = getattr(module, "Engine", None)
    if not (isinstance(engine_class, type) and issubclass(engine_class, SearchEngine)):
        raise ImproperlyConfigured(f"{OPENSEARCH_MODULE}.Engine is not a SearchEngine")
    return engine_class


def check_configured() -> None:
    """At start (AppConfig.ready): the engine the settings choose can be imported, so a wrong
    REFORM_SEARCH_URL stops every process at once instead of failing the first search."""
    engine_class_for(getattr(settings, "SEARCH_URL", "") or "")


def reset() -> None:
    """Forget open readers and connections of every engine built so far (tests, after a rebuild)."""
    for engine in list(_engines.values()):
        engine.reset()
