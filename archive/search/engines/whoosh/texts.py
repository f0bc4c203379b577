"""The normalised text of each indexed document, read straight from the index's column files.

Confirming a term of three characters or more reads the stored text of every candidate
(engine.py). Through Whoosh's column reader each read is a seek and a buffered read, ~7 µs plus
the copy: a common term at 100,000 reports has ~50,000 candidates, 0.4 s before any matching.
Whoosh's VarBytesColumn keeps each segment's texts end to end with their offsets and lengths at
the end of the file, and the reader has already loaded those arrays; so the candidates' bytes are
read with one pread per block of neighbours, and `bytes.find` looks for the term inside each
document's range of the block without copying it again.

Only VarBytesColumn readers over real files are read this way; anything else (a compound segment, a
Whoosh that lays columns out differently) is read through Whoosh's own reader, as before.
"""

import os
from bisect import bisect_right

import numpy as np
from whoosh.columns import MultiColumnReader, VarBytesColumn

LENGTH = np.int32  # a document's stored bytes (positions in a column file stay int64)


def _lengths(values) -> np.ndarray:
    """Text lengths as LENGTH: a worker holds them for every document, twice."""
    lengths = np.asarray(values, dtype=np.int64)
    return lengths.astype(LENGTH) if not len(lengths) or int(lengths.max()) <= np.iinfo(LENGTH).max else lengths


class StoredTexts:
    """`texts[docnum]` gives a document's stored bytes, `texts.lengths` all their lengths, and
    `texts.matching(needle, docnums)` those of `docnums` whose bytes contain `needle`."""

    def __init__(self, column_reader):
        if isinstance(column_reader, MultiColumnReader):
            readers, starts = column_reader._readers, list(column_reader._doc_offsets)
        else:
            readers, starts = [column_reader], [0]
        self._segments = [_FileSegment.of(reader) or _ReadSegment(reader) for reader in readers]
        self._starts = starts
        ends = [start + len(segment) for start, segment in zip(starts, self._segments, strict=True)]
        self._bounds = np.array(ends, dtype=np.int64)
        self.lengths = np.concatenate([segment.lengths for segment in self._segments] or [np.empty(0, LENGTH)])

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


class _FileSegment:
    """A VarBytesColumn in a real file, read with os.pread (which leaves Whoosh's own file offset
    alone): candidates that lie close together are read in one block and each is looked for in
    place in it. Not a memory map: mapped pages would count in every worker's resident memory."""

    BLOCK_BYTES = 1 << 20  # candidates spanning at most this much are read together
    GAP_BYTES = 64 << 10  # and only when the bytes between them are fewer than this

    def __init__(self, fileno: int, positions: np.ndarray, lengths: np.ndarray):
        self._fileno = fileno
        self._positions = positions
        self.lengths = lengths

    def __len__(self) -> int:
        return len(self.lengths)

    @classmethod
    def of(cls, reader) -> "_FileSegment | None":
        if not isinstance(reader, VarBytesColumn.Reader):
            return None
        try:
            structfile = reader._dbfile
            if not getattr(structfile, "is_real", False):
                return None
            fileno = structfile.fileno()
            lengths = _lengths(reader._lengths)
            positions = np.asarray(reader._offsets, dtype=np.int64) + reader._basepos
            size = os.fstat(fileno).st_size
        except (AttributeError, OSError, ValueError, TypeError):
            return None
        if len(lengths) and int((positions + lengths).max()) > size:
            return None  # not laid out as expected: let Whoosh read it
        return cls(fileno, positions, lengths)

    def text(self, local: int) -> bytes:
        return os.pread(self._fileno, int(self.lengths[local]), int(self._positions[local]))

    def matching(self, needle: bytes, local: np.ndarray) -> list[int]:
        docnums = local.tolist()
        starts = self._positions[local].tolist()
        ends = (self._positions[local] + self.lengths[local]).tolist()
        found = []
        first, count = 0, len(docnums)
        while first < count:
            last = first + 1
            while (
                last < count
                and ends[last] - starts[first] <= self.BLOCK_BYTES
                and starts[last] - ends[last - 1] <= self.GAP_BYTES
            ):
                last += 1
            base = starts[first]
            block = os.pread(self._fileno, ends[last - 1] - base, base)
            find = block.find
            found.extend(docnums[i] for i in range(first, last) if find(needle, starts[i] - base, ends[i] - base) >= 0)
            first = last
        return found


class _ReadSegment:
    def __init__(self, reader):
        self._reader = reader
        known = getattr(reader, "_lengths", None)
        self.lengths = _lengths(known if known is not None else np.fromiter((len(t) for t in reader), dtype=np.int64))

    def __len__(self) -> int:
        return len(self.lengths)

    def text(self, local: int) -> bytes:
        return self._reader[local]

    def matching(self, needle: bytes, local: np.ndarray) -> list[int]:
        return [docnum for docnum in local.tolist() if needle in self._reader[docnum]]
