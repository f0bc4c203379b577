"""The search_dir and indexed fixtures live in tests/conftest.py: pages outside search use them too.
Here: the OpenSearch cluster of this test run."""

import os
import time
import uuid
from pathlib import Path

import pytest
import requests

CLUSTER_WAIT_SECONDS = 300


@pytest.fixture(scope="session")
def opensearch_url():
    """The cluster `make test` started for this run (archive/search/cluster/with-cluster), once
    green. Without one, the OpenSearch half is skipped, saying how to run it; with one that never
    gets green, it fails with the cluster's log."""
    url = os.environ.get("SEARCH_TEST_URL")
    if not url:
        pytest.skip(
            "no OpenSearch cluster for this run: `make test` starts one; or run "
            "`archive/search/cluster/with-cluster .venv/bin/pytest …`, or set SEARCH_TEST_URL to a cluster's URL"
        )
    deadline = time.monotonic() + CLUSTER_WAIT_SECONDS
    while True:
        try:
            health = requests.get(
                f"{url}/_cluster/health", params={"wait_for_status": "green", "timeout": "5s"}, timeout=10
            ).json()
            if health.get("status") == "green" and not health.get("timed_out"):
                return url
        except (requests.RequestException, ValueError):
            pass
        if time.monotonic() > deadline:
            log = Path(os.environ.get("SEARCH_TEST_CLUSTER_LOG", "/nonexistent"))
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
            pytest.fail(f"the OpenSearch cluster at {url} is not green after {CLUSTER_WAIT_SECONDS} s:\n{tail}")
        time.sleep(2)


@pytest.fixture(params=["whoosh", "opensearch"])
def engine_name(request, settings):
    """Runs a test on each engine: Whoosh in its own directory, OpenSearch in indices of its own."""
    if request.param == "whoosh":
        yield "whoosh"
        return
    from archive.search.engines import current

    settings.SEARCH_URL = request.getfixturevalue("opensearch_url")
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:12]}-"
    yield "opensearch"
    current().drop()


@pytest.fixture
def indexed_on(engine_name, indexed):
    """The seed archive indexed on one engine, then the other."""
    return engine_name
