"""The research views read through the search engine: their core tests run on both engines, with
the cluster fixtures of tests/search."""

from tests.search.conftest import engine_name, indexed_on, opensearch_url  # noqa: F401
