"""Posting lists decoded a block at a time (archive/search/engines/whoosh/postings.py)."""

import numpy as np

from archive import search
from archive.models import Document
from archive.search.engines.whoosh import engine
from archive.search.engines.whoosh.postings import posting_arrays


def _walked(reader, fieldname, text):
    """Whoosh's own answer, posting by posting (deleted documents left out)."""
    matcher = reader.postings(fieldname, text)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def test_block_decoding_gives_whooshs_postings_across_segments_and_deletions(
    indexed, django_capture_on_commit_callbacks
):
    document = Document.objects.get(city__slug="zhuzhou")
    with django_capture_on_commit_callbacks(execute=True):
        document.body += "\n改革发展河长制再上新台阶。"
        document.save()
        search.enqueue([document.pk])
    search.drain()  # the old version is deleted in its segment, the new one is in another
    snap = engine.snapshot()
    assert len(snap.reader.leaf_readers()) >= 2 and snap.reader.has_deletions()
    for fieldname, text in [("text", "改革"), ("text", "河长制"), ("text", "发展"), ("chars", "改革"), ("chars", "河")]:
        ids, weights = posting_arrays(snap.reader, fieldname, text, weights=True)
        live = snap.live_mask[ids]
        expected_ids, expected_weights = _walked(snap.reader, fieldname, text)
        assert ids[live].tolist() == expected_ids and expected_ids
        assert np.allclose(weights[live], expected_weights)
    raw, _ = posting_arrays(snap.reader, "text", "改革", weights=False)
    assert not snap.live_mask[raw].all()  # the deleted version is in the raw postings, left to the caller
    assert posting_arrays(snap.reader, "text", "不在索引里的词", weights=True)[0].tolist() == []
