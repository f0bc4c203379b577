"""A term's posting list as numpy arrays, decoded a block at a time.

Whoosh hands postings out one by one through Python calls (`matcher.id()`, `weight()`, `next()`,
`all_ids()` through its wrappers), ~1–3 µs each: a common word's 50,000 postings at 100,000 reports
took ~0.15 s before any arithmetic, on every search that had not cached them. Its W3 codec stores
them in blocks of up to 128 (delta-coded ids and an array of weights), so each leaf matcher's
blocks are read whole and laid end to end. Deleted documents are left in: the caller keeps the
live ones. A matcher of another kind is walked the slow way.
"""

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

DOCNUM = np.int32


def posting_arrays(
    reader, fieldname: str, text: str, *, weights: bool, leaves=None
) -> tuple[np.ndarray, np.ndarray | None]:
    """(sorted document numbers, their weights or None) of `text` in `fieldname`, across the
    reader's segments (or only `leaves`, some of its (segment reader, base) pairs), deleted
    documents included."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for leaf, base in reader.leaf_readers() if leaves is None else leaves:
        found = leaf_postings(leaf, fieldname, text, weights=weights)
        if found is not None:
            id_parts.append(found[0] + base)
            if weights:
                weight_parts.append(found[1])
    ids = np.concatenate(id_parts).astype(DOCNUM, copy=False) if id_parts else np.empty(0, dtype=DOCNUM)
    if not weights:
        return ids, None
    return ids, np.concatenate(weight_parts) if weight_parts else np.empty(0, dtype=np.float32)


def leaf_postings(
    leaf, fieldname: str, text: str | bytes, *, weights: bool = True, values: bool = False
) -> tuple[np.ndarray, np.ndarray | None, list[bytes] | None] | None:
    """One segment's posting list of a term, deleted documents included, or None if the segment
    lacks the term: its document numbers (int64), weights (float32) if asked, and values if asked
    and the format has any (positions; None for a format without them)."""
    try:
        matcher = leaf.postings(fieldname, text)
    except TermNotFound:
        return None
    if isinstance(matcher, FilterMatcher):  # the deletions wrapper: the caller filters instead
        matcher = matcher.child
    id_parts: list = []
    weight_parts: list = []
    found_values: list = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            id_parts.append(np.asarray(matcher._ids, dtype=np.int64))
            if weights:
                if matcher._weights is None:
                    matcher._read_weights()
                weight_parts.append(np.asarray(matcher._weights, dtype=np.float32))
            if values:
                if matcher._values is None:
                    matcher._read_values()
                found_values.extend(matcher._values)
            matcher._next_block()
    else:
        numbers, found_weights = [], []
        while matcher.is_active():
            numbers.append(matcher.id())
            if weights:
                found_weights.append(matcher.weight())
            if values:
                found_values.append(matcher.value())
            matcher.next()
        id_parts.append(np.asarray(numbers, dtype=np.int64))
        weight_parts.append(np.asarray(found_weights, dtype=np.float32))
    ids = np.concatenate(id_parts) if id_parts else np.empty(0, dtype=np.int64)
    found_weights = (np.concatenate(weight_parts) if weight_parts else np.empty(0, np.float32)) if weights else None
    return ids, found_weights, ([value or b"" for value in found_values] if any(found_values) else None)
