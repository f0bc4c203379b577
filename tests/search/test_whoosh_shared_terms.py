"""Confirmed terms shared between the processes reading one index version
(archive/search/engines/whoosh/shared_terms.py)."""

import numpy as np

from archive.search.engines.whoosh import engine, shared_terms
from archive.search.engines.whoosh.shared_terms import SharedConfirmedTerms
from archive.search.queries import parse_query
from archive.text.normalise import normalise


def _grep_count(text):
    from archive.models import Document

    return sum(text in normalise(f"{d.title}\n{d.body}") for d in Document.objects.all())


def test_another_worker_reads_the_confirmed_term_instead_of_confirming_again(indexed, monkeypatch):
    first = engine.run(parse_query("全面深化"), limit=100)
    assert first.count == _grep_count("全面深化") >= 3
    engine.reset()  # what another process sees: a reader of its own, with empty memory caches
    monkeypatch.setattr(engine, "MAX_CONFIRMATIONS", 0)
    again = engine.run(parse_query("全面深化"), limit=100)
    assert again.count == first.count and not again.notices


def test_a_damaged_or_foreign_file_is_ignored(tmp_path):
    shared = SharedConfirmedTerms(tmp_path, version=3, doc_limit=10)
    shared.put("河长制", np.array([1, 4, 7], dtype=np.int32))
    assert shared.get("河长制").tolist() == [1, 4, 7]
    path = shared._path("河长制")
    path.write_bytes(path.read_bytes()[:20])  # truncated
    assert shared.get("河长制") is None
    np.save(path, np.array([1, 40], dtype=np.int32))  # a document number this index does not have
    assert shared.get("河长制") is None
    np.save(path, np.array([4, 1], dtype=np.int32))  # not sorted
    assert shared.get("河长制") is None
    assert shared.get("放管服") is None


def test_a_new_version_removes_the_old_versions_answers_and_the_count_is_bounded(tmp_path, monkeypatch):
    old = SharedConfirmedTerms(tmp_path, version=3, doc_limit=10)
    old.put("河长制", np.array([1], dtype=np.int32))
    new = SharedConfirmedTerms(tmp_path, version=4, doc_limit=10)
    assert new.get("河长制") is None
    new.put("林长制", np.array([2], dtype=np.int32))
    assert old.get("河长制") is None and new.get("林长制").tolist() == [2]
    monkeypatch.setattr(shared_terms, "MAX_FILES", 3)
    for number in range(6):
        new.put(f"词{number}", np.array([number], dtype=np.int32))
    assert len(list((tmp_path / shared_terms.DIRECTORY).glob("4-*.npy"))) == 3
