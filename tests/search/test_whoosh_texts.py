"""The stored texts read straight from the column files (archive/search/engines/whoosh/texts.py)."""

import numpy as np
import pytest

from archive.search.engines.whoosh import engine
from archive.search.engines.whoosh.texts import StoredTexts, _FileSegment, _ReadSegment


def test_texts_are_read_from_the_column_files_and_agree_with_whooshs_own_reader(indexed):
    snap = engine.snapshot()
    column = snap.reader.column_reader("chars", translate=False)
    texts = StoredTexts(column)
    assert texts._segments and all(isinstance(segment, _FileSegment) for segment in texts._segments)
    everything = np.arange(snap.doc_limit, dtype=np.int64)
    for docnum in everything.tolist():
        assert texts[docnum] == column[docnum]
        assert texts.lengths[docnum] == len(column[docnum])
    for needle in ("河长制", "放管服", "全面深化改革", "不在任何报告里的词"):
        encoded = needle.encode("utf-8")
        expected = [docnum for docnum in everything.tolist() if encoded in column[docnum]]
        assert texts.matching(encoded, everything) == expected
    assert texts.matching("河长制".encode(), everything[:0]) == []


def test_a_column_that_cannot_be_read_directly_is_read_through_whoosh(indexed):
    snap = engine.snapshot()
    column = snap.reader.column_reader("chars", translate=False)
    inner = column._readers[0] if hasattr(column, "_readers") else column
    segment = _ReadSegment(inner)
    local = np.arange(len(segment), dtype=np.int64)
    needle = "改革".encode()
    assert segment.matching(needle, local) == [d for d in local.tolist() if needle in inner[d]]
    assert segment.lengths.tolist() == [len(inner[d]) for d in local.tolist()]


@pytest.mark.parametrize(("block", "gap"), [(1, 0), (64, 0), (1 << 20, 1 << 16)])
def test_candidates_read_alone_or_in_blocks_find_the_same(indexed, monkeypatch, block, gap):
    """However candidates are grouped into reads (one each, or neighbours together), the same
    documents contain the term."""
    monkeypatch.setattr(_FileSegment, "BLOCK_BYTES", block)
    monkeypatch.setattr(_FileSegment, "GAP_BYTES", gap)
    snap = engine.snapshot()
    column = snap.reader.column_reader("chars", translate=False)
    texts = StoredTexts(column)
    everything = np.arange(snap.doc_limit, dtype=np.int64)
    for needle in ("河长制", "改革", "全面深化改革"):
        encoded = needle.encode("utf-8")
        expected = [docnum for docnum in everything.tolist() if encoded in column[docnum]]
        assert expected and texts.matching(encoded, everything) == expected
        odd = everything[1::2]
        assert texts.matching(encoded, odd) == [d for d in expected if d % 2]
