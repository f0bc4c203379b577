"""The normalised text of each indexed document, read straight from the index's memory-mapped
column files.

Confirming a term of three characters or more reads the stored text of every candidate
(engine.py). Through Whoosh's column reader each read is a seek and a buffered read, ~7 µs plus
the copy: a common term at 100,000 reports has ~50,000 candidates, 0.4 s before any matching.
Whoosh's VarBytesColumn keeps each segment's texts end to end with their offsets and lengths at
the end of the file, and the reader has already loaded those arrays; so the segment file is
mapped once and `mmap.find` looks for the term inside the document's bytes without copying them.
Pages come from the OS cache that every worker shares, so no worker holds its own copy.

Only VarBytesColumn readers over real files are mapped; anything else (a compound segment, a
Whoosh that lays columns out differently) is read through Whoosh's own reader, as before.
"""

import mmap
from bisect import bisect_right

import numpy as np
from whoosh.columns import MultiColumnReader, VarBytesColumn


class StoredTexts:
    """`texts[docnum]` gives a document's stored bytes, `texts.lengths` all their lengths, and
    `texts.matching(needle, docnums)` those of `docnums` whose bytes contain `needle`."""

    def __init__(self, column_reader):
        if isinstance(column_reader, MultiColumnReader):
            readers, starts = column_reader._readers, list(column_reader._doc_offsets)
        else:
            readers, starts = [column_reader], [0]
        self._segments = [_MappedSegment.of(reader) or _ReadSegment(reader) for reader in readers]
        self._starts = starts
        ends = [start + len(segment) for start, segment in zip(starts, self._segments, strict=True)]
        self._bounds = np.array(ends, dtype=np.int64)
        self.lengths = np.concatenate([segment.lengths for segment in self._segments] or [np.empty(0, np.int64)])

    def __getitem__(self, docnum: int) -> bytes:
        number = max(0, bisect_right(self._starts, docnum) - 1)
        return self._segments[number].text(docnum - self._starts[number])

    def matching(self, needle: bytes, docnums: np.ndarray) -> list[int]:
        """The document numbers (sorted, as given) whose text contains `needle`."""
        found: list[int] = []
        cuts = np.searchsorted(docnums, self._bounds)
        first = 0
        for number, segment in enumerate(self._segments):
            part = docnums[first : cuts[number]]
            first = cuts[number]
            if len(part):
                start = self._starts[number]
                found.extend(local + start for local in segment.matching(needle, part - start))
        return found

    def close(self) -> None:
        for segment in self._segments:
            segment.close()


class _MappedSegment:
    def __init__(self, mapped: mmap.mmap, positions: np.ndarray, lengths: np.ndarray):
        self._mapped = mapped
        self._positions = positions
        self.lengths = lengths

    def __len__(self) -> int:
        return len(self.lengths)

    @classmethod
    def of(cls, reader) -> "_MappedSegment | None":
        if not isinstance(reader, VarBytesColumn.Reader):
            return None
        try:
            structfile = reader._dbfile
            if not getattr(structfile, "is_real", False):
                return None
            lengths = np.asarray(reader._lengths, dtype=np.int64)
            positions = np.asarray(reader._offsets, dtype=np.int64) + reader._basepos
            mapped = mmap.mmap(structfile.fileno(), 0, access=mmap.ACCESS_READ)
        except (AttributeError, OSError, ValueError, TypeError):
            return None
        if len(lengths) and int((positions + lengths).max()) > len(mapped):
            mapped.close()
            return None  # not laid out as expected: let Whoosh read it
        return cls(mapped, positions, lengths)

    def text(self, local: int) -> bytes:
        start = int(self._positions[local])
        return self._mapped[start : start + int(self.lengths[local])]

    def matching(self, needle: bytes, local: np.ndarray) -> list[int]:
        find = self._mapped.find
        starts = self._positions[local]
        ends = starts + self.lengths[local]
        return [
            docnum
            for docnum, start, end in zip(local.tolist(), starts.tolist(), ends.tolist(), strict=True)
            if find(needle, start, end) >= 0
        ]

    def close(self) -> None:
        self._mapped.close()


class _ReadSegment:
    def __init__(self, reader):
        self._reader = reader
        known = getattr(reader, "_lengths", None)
        self.lengths = (
            np.asarray(known, dtype=np.int64)
            if known is not None
            else np.fromiter((len(text) for text in reader), dtype=np.int64)
        )

    def __len__(self) -> int:
        return len(self.lengths)

    def text(self, local: int) -> bytes:
        return self._reader[local]

    def matching(self, needle: bytes, local: np.ndarray) -> list[int]:
        return [docnum for docnum in local.tolist() if needle in self._reader[docnum]]

    def close(self) -> None:
        pass
