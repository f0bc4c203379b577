"""A reader's per-document values as numpy arrays, read a segment at a time: live documents,
numeric columns and field lengths.

Whoosh hands column values out one by one (a seek, a read and an unpack each, ~4 µs): at
100,000 reports the two numeric columns took ~0.2 s and the word counts ~0.18 s, and a worker
pays that on the first search after every change to the index (a curator's save is one). Its
NumericColumn, which the lengths use too, keeps a segment's values as one fixed-width big-endian
array in the column file, followed by nothing (documents past its end have the default); so each
segment's column is one read and one numpy view. A column stored another way (a compound
segment, another column type) is read through Whoosh's own reader, as before.
"""

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.columns import NumericColumn
from whoosh.util.numeric import byte_to_length

# byte → length, Whoosh's logarithmic encoding of a field's length in one byte (0 is no length).
_LENGTH_OF_BYTE = np.array([0] + [byte_to_length(byte) for byte in range(1, 256)], dtype=np.int64)


def live_mask(reader) -> np.ndarray:
    """True for each document number that is not deleted."""
    mask = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, base in reader.leaf_readers():
        segment = leaf.segment() if leaf.has_deletions() else None
        deleted = list(segment.deleted_docs()) if segment is not None else []
        if deleted:
            mask[np.asarray(deleted, dtype=np.int64) + base] = False
    return mask


def numeric_column(reader, fieldname: str) -> np.ndarray:
    """The values of an integer NUMERIC field's column for every document number (int64), as
    Whoosh's column reader gives them; for a document without a value that is the column's default
    (2147483647 for a signed 32-bit field), or 0 where the default fits no int64 (2**64 - 1)."""
    field = reader.schema[fieldname]
    values = np.zeros(reader.doc_count_all(), dtype=np.int64)
    for leaf, base in reader.leaf_readers():
        if not leaf.has_column(fieldname):
            continue
        column = leaf.column_reader(fieldname, translate=False)
        count = leaf.doc_count_all()
        raw = _fixed_width_values(column, count)
        if raw is None:  # not a plain numeric column: Whoosh's reader, one value at a time
            translated = leaf.column_reader(fieldname, translate=True)
            values[base : base + count] = [value if -(2**63) <= value < 2**63 else 0 for value in translated]
            continue
        default = field.from_column_value(column._default)
        fill = default if -(2**63) <= default < 2**63 else 0
        values[base : base + count] = fill  # documents past the stored values have the default
        wide = raw.astype(np.uint64)
        if field.signed:
            # Stored shifted by half the range so that the bytes sort (whoosh.util.numeric.to_sortable);
            # the subtraction wraps modulo 2**64, which viewed as int64 is the signed value.
            shifted = (wide - np.uint64(1 << (field.bits - 1))).view(np.int64)
        else:
            shifted = wide.view(np.int64)
        shifted = np.where(wide == np.uint64(column._default), fill, shifted)  # gaps hold the default
        values[base : base + len(raw)] = shifted
    return values


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Each document's length in `fieldname` as the index stores it (one byte, logarithmic), as
    Whoosh's doc_field_length gives it; 0 where there is none."""
    lengths = np.zeros(reader.doc_count_all(), dtype=np.int64)
    for leaf, base in reader.leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN) if perdoc is not None else None
        count = leaf.doc_count_all()
        raw = _fixed_width_values(column, count) if column is not None else None
        if raw is None:
            lengths[base : base + count] = [leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(count)]
        else:  # past the stored values the default, 0: no length
            lengths[base : base + len(raw)] = _LENGTH_OF_BYTE[raw]
    return lengths


def _fixed_width_values(column, count: int) -> np.ndarray | None:
    """A NumericColumn reader's stored values (for at most `count` documents: those after them have
    the column's default), or None for a column of another kind."""
    if type(column) is not NumericColumn.Reader:
        return None
    stored = min(column._count, count)
    dtype = np.dtype(">" + column._typecode)
    if not stored:
        return np.empty(0, dtype=dtype.newbyteorder("="))
    data = column._dbfile.get(column._basepos, stored * column._fixedlen)
    return np.frombuffer(data, dtype=dtype, count=stored).astype(dtype.newbyteorder("="))
