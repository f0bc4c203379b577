"""Writing Whoosh segments fast and in bounded memory and disk, alone or several processes at once.

Profiled on 2,000 synthetic reports (bench/scale_bench.py --profile), Whoosh 2.7.4's own
SegmentWriter spent most of a rebuild not in jieba but in its posting pool: every posting (6.3
million of them, 77 % from the unigram+bigram `chars` field) was pickled to a run file one by one,
unpickled, heap-merged and passed through three Python calls into the codec. Its runs took ~100
times the text in temporary disk (55 GB at 100,000 reports). And SegmentWriter ignores the
`poolclass` argument it is given, so the pool cannot be swapped by configuration.

This writer keeps the postings grouped by term instead: one compact array of document numbers and
one of weights per term, appended to as documents arrive in document order, so each term's list is
already sorted and a run is sorted by sorting the terms only. Over its memory limit the pool writes
a run of whole terms (arrays as bytes, a few bytes a posting); at the end the runs are merged term
by term and each posting list is written to the codec in whole blocks. The index files are the
ones Whoosh writes, read by the ordinary Whoosh reader.

`write_segments` spreads documents over several processes, each writing its own segment, and
publishes all the segments in one table of contents (no merge), as Whoosh's MpWriter does with
`multisegment=True`, but with this writer in each process.

`segment_write_apart` writes a segment without the index's lock, in a scratch directory of its own
(Whoosh's commit deletes every segment file of the index folder its table of contents does not
name, and every writer of an index shares and destroys the same temporary folder); the writer that
holds the lock later adopts it (`FastSegmentWriter.commit_adopting`) by moving its files in and
naming it in the table of contents: a bulk import's batch holds the lock for that only.
"""

import heapq
import multiprocessing
import os
import pickle
import queue as queue_module
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from archive.search.engines.whoosh.postings import leaf_postings

TERM_OVERHEAD = 160  # dict entry, key tuple, bytes and two arrays, roughly
POSTING_BYTES = 8  # a document number and a weight


class TermPool:
    """Postings grouped by (field, term), spilled to sorted runs of whole terms over `limitmb`."""

    def __init__(self, tempstore, limitmb: int):
        self.tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.terms: dict[tuple[str, bytes], list] = {}
        self.size = 0
        self.runs: list[str] = []
        self.fieldnames: set[str] = set()

    # Whoosh's interface (SegmentWriter.add_reader and generic fields call add).
    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_postings(fieldname, docnum, [tbytes], [weight], [vbytes] if vbytes else None)

    def add_postings(
        self, fieldname: str, docnum: int, terms: list[bytes], weights: list[float] | None, values: list[bytes] | None
    ) -> None:
        """One document's postings in one field. weights None: all 1.0 (stored as such: no array is
        kept); values None: the format has none."""
        table = self.terms.setdefault(fieldname, {})
        before = len(table)
        if weights is None and values is None:
            for tbytes in terms:
                entry = table.get(tbytes)
                if entry is None:
                    entry = table[tbytes] = [array("I"), None, None]
                entry[0].append(docnum)
            added = 4 * len(terms)
        else:
            added = POSTING_BYTES * len(terms)
            for index, tbytes in enumerate(terms):
                entry = table.get(tbytes)
                if entry is None:
                    entry = table[tbytes] = [array("I"), array("f", [1.0]) * 0, [] if values else None]
                if entry[1] is None or (len(entry[1]) != len(entry[0])):
                    entry[1] = array("f", [1.0]) * len(entry[0])
                entry[0].append(docnum)
                entry[1].append(weights[index] if weights is not None else 1.0)
                if values is not None:
                    if entry[2] is None:  # a format whose values are sometimes empty
                        entry[2] = [b""] * (len(entry[0]) - 1)
                    entry[2].append(values[index])
                    added += len(values[index]) + 33
                elif entry[2] is not None:
                    entry[2].append(b"")
        self.fieldnames.add(fieldname)
        self.size += added + (len(table) - before) * TERM_OVERHEAD
        if self.size > self.limit:
            self.spill()

    def add_term(self, fieldname: str, tbytes: bytes, docnums: list[int], weights: list[float], values) -> None:
        """A whole posting list (from a segment being merged in), after the postings added so far."""
        table = self.terms.setdefault(fieldname, {})
        entry = table.get(tbytes)
        count = len(docnums)
        if entry is None:
            entry = table[tbytes] = [array("I"), None, None]
            self.size += TERM_OVERHEAD
        before = len(entry[0])
        entry[0].extend(docnums)
        if entry[1] is not None or any(weight != 1.0 for weight in weights):
            if entry[1] is None:
                entry[1] = array("f", [1.0]) * before
            entry[1].extend(weights)
        if values is not None or entry[2] is not None:
            if entry[2] is None:
                entry[2] = [b""] * before
            entry[2].extend(values if values is not None else [b""] * count)
            self.size += sum(len(value) + 33 for value in values or ())
        self.fieldnames.add(fieldname)
        self.size += POSTING_BYTES * count
        if self.size > self.limit:
            self.spill()

    def _sorted_terms(self) -> Iterator[tuple]:
        """((fieldname, tbytes), docnums, weights|None, values|None) in order, emptying the pool."""
        tables, self.terms = self.terms, {}
        self.size = 0
        for fieldname in sorted(tables):
            table = tables[fieldname]
            for tbytes in sorted(table):
                docnums, weights, values = table.pop(tbytes)
                yield (fieldname, tbytes), docnums, weights, values

    def spill(self) -> None:
        if not self.terms:
            return
        name = f"{os.getpid()}-{len(self.runs)}-{id(self)}.terms"
        with self.tempstore.create_file(name).raw_file() as handle:
            for key, docnums, weights, values in self._sorted_terms():
                weights = weights.tobytes() if weights is not None else None
                pickle.dump((key, docnums.tobytes(), weights, values), handle, pickle.HIGHEST_PROTOCOL)
        self.runs.append(name)

    def _read_run(self, name: str) -> Iterator[tuple]:
        with self.tempstore.open_file(name).raw_file() as handle:
            while True:
                try:
                    key, docnums, weights, values = pickle.load(handle)
                except EOFError:
                    return
                ids = array("I")
                ids.frombytes(docnums)
                if weights is not None:
                    ws = array("f")
                    ws.frombytes(weights)
                    weights = ws
                yield key, ids, weights, values

    def iter_terms(self) -> Iterator[tuple]:
        """(fieldname, tbytes, docnums, weights|None, values|None) in term order; runs were written
        in document order, so concatenating one term's lists run by run keeps them sorted."""
        sources = [self._read_run(name) for name in self.runs] + [self._sorted_terms()]
        merged = heapq.merge(*sources, key=lambda item: item[0]) if len(sources) > 1 else sources[0]
        current = None
        for key, docnums, weights, values in merged:
            if current is not None and current[0] == key:
                _extend(current, docnums, weights, values)
                continue
            if current is not None:
                yield (*current[0], current[1], current[2], current[3])
            current = [key, docnums, weights, values]
        if current is not None:
            yield (*current[0], current[1], current[2], current[3])

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.terms = {}

    def temporary_bytes(self) -> int:
        return sum(self.tempstore.file_length(name) for name in self.runs)


def _extend(current: list, docnums, weights, values) -> None:
    """Append one run's list of a term to the lists so far (weights None meaning all 1.0)."""
    before = len(current[1])
    current[1].extend(docnums)
    if weights is not None or current[2] is not None:
        if current[2] is None:
            current[2] = array("f", [1.0]) * before
        current[2].extend(weights if weights is not None else array("f", [1.0]) * len(docnums))
    if values is not None or current[3] is not None:
        if current[3] is None:
            current[3] = [b""] * before
        current[3].extend(values if values is not None else [b""] * len(docnums))


class FastSegmentWriter(SegmentWriter):
    """SegmentWriter with a TermPool, and bulk postings for fields that offer `postings(value)`."""

    def __init__(self, ix, limitmb: int = 256, **kwargs):
        kwargs.pop("poolclass", None)
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = TermPool(self._tempstorage, limitmb)
        self.peak_temporary_bytes = 0

    def add_document(self, **fields):
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        perdocwriter.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                if hasattr(field, "postings"):
                    terms, weights, values, length = field.postings(value)
                else:
                    scorable = field.scorable
                    terms, weights, values = [], [], []
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        terms.append(tbytes)
                        weights.append(weight)
                        values.append(vbytes)
                    if not any(values):
                        values = None
                pool.add_postings(fieldname, docnum, terms, weights, values)
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """A segment merged in: its posting lists term by term (Whoosh adds them one by one)."""
        pool = self.pool
        schema = self.schema
        for fieldname, btext in reader.all_terms():
            if fieldname not in schema:
                continue
            matcher = reader.postings(fieldname, btext)
            docnums, weights, values = [], [], []
            while matcher.is_active():
                docnum = matcher.id()
                docnums.append(docmap[docnum] if docmap is not None else startdoc + docnum)
                weights.append(matcher.weight())
                values.append(matcher.value() or b"")
                matcher.next()
            if docnums:
                pool.add_term(fieldname, btext, docnums, weights, values if any(values) else None)

    def add_segment(self, reader) -> np.ndarray:
        """Whoosh's add_reader for one segment, with each posting list copied a block at a time
        (Whoosh's merge, and add_postings_to_pool, pass every posting through Python calls: ~2 µs
        each, 12 million of them in 5,000 reports). Returns the document map: the new document
        number of each of the reader's, -1 for a deleted one."""
        self._check_state()
        base = self.docnum
        schema = self.schema
        fieldnames = set(schema.names()) | {name for name in reader.indexed_field_names() if name in schema}
        kept = self.write_per_doc(fieldnames, reader)
        count = reader.doc_count_all()
        if kept is None:
            docmap = np.arange(base, base + count, dtype=np.int64)
        else:
            docmap = np.full(count, -1, dtype=np.int64)
            if kept:
                docmap[np.fromiter(kept.keys(), np.int64, len(kept))] = np.fromiter(kept.values(), np.int64, len(kept))
        pool = self.pool
        for fieldname, btext in reader.all_terms():
            if fieldname not in schema:
                continue
            ids, weights, values = leaf_postings(reader, fieldname, btext, values=True)
            new = docmap[ids]
            live = new >= 0
            if not live.all():
                new, weights = new[live], weights[live]
                values = [value for value, keep in zip(values, live.tolist(), strict=True) if keep] if values else None
            if len(new):
                pool.add_term(
                    fieldname, btext, array("I", new.astype(np.uint32).tobytes()), array("f", weights.tobytes()), values
                )
        self._added = True
        return docmap

    def _flush_segment(self):
        self.perdocwriter.close()
        self.peak_temporary_bytes = max(self.peak_temporary_bytes, self.pool.temporary_bytes())
        self._write_terms(self.pool.iter_terms())
        self.fieldwriter.close()

    def _write_terms(self, terms) -> None:
        """Each posting list straight into the codec's blocks (the codec's own add() takes one
        posting per call, with type asserts, which cost more than building the lists)."""
        fieldwriter = self.fieldwriter
        schema = self.schema
        lastfield = None
        for fieldname, tbytes, docnums, weights, values in terms:
            if fieldname != lastfield:
                if lastfield is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lastfield = fieldname
            fieldwriter.start_term(tbytes)
            postwriter = fieldwriter._postwriter
            limit = postwriter._blocklimit
            count = len(docnums)
            for start in range(0, count, limit):
                if start:
                    postwriter._write_block()
                    postwriter._new_block()
                ids = docnums[start : start + limit]
                postwriter._ids = ids
                if weights is None:
                    postwriter._weights = array("f", [1.0]) * len(ids)
                    postwriter._maxweight = 1.0
                else:
                    postwriter._weights = weights[start : start + limit]
                    postwriter._maxweight = max(postwriter._weights)
                postwriter._values = values[start : start + limit] if values else []
            fieldwriter.finish_term()
        if lastfield is not None:
            fieldwriter.finish_field()

    def commit_adopting(self, segment, directory: Path, *, mergetype: Callable) -> None:
        """Commit this writer's changes (deletions, documents added) with `segment`, written apart
        in `directory` by segment_write_apart, added last: its files are moved into the index's
        folder (same file system, so each a rename) before the table of contents names them."""
        self._check_state()
        final = mergetype(self, self.segments)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        for name in segment.list_files(FileStorage(str(directory))):
            os.replace(Path(directory) / name, Path(self.storage.folder) / name)
        self._commit_toc([*final, segment])
        self._finish()


def segments_merge_apart(directory: Path, index_folder: Path, schema, segments: list, **options):
    """Merge `segments` of the index in `index_folder` (as its table of contents names them now,
    with their deletions) into one new segment of an index of its own in `directory`, outside any
    lock, as segment_write_apart writes one; for commit_adopting. Returns the segment and, for each
    merged segment, its document map: the new document number of each old one, -1 if deleted.

    The segments' files are not changed: a concurrent commit may delete more of their documents
    (the caller carries those deletions over through the maps) but not the files, which only a
    commit that drops the segments from the table of contents removes (a merge of them, which the
    caller rules out, or a rebuild, which replaces the whole generation)."""
    from whoosh.reading import SegmentReader

    ix = FileStorage(str(directory)).create().create_index(schema)
    options = {key: value for key, value in options.items() if key != "timeout"}
    writer = FastSegmentWriter(ix, _lk=False, **options)
    storage = FileStorage(str(index_folder))
    maps = []
    try:
        for segment in segments:
            reader = SegmentReader(storage, schema, segment)
            try:
                maps.append(writer.add_segment(reader))
            finally:
                reader.close()
    except BaseException:
        writer.cancel()
        raise
    merged = writer._finalize_segment()
    writer._finish()
    return merged, maps


def segment_write_apart(directory: Path, schema, documents: Iterable[dict], **options):
    """Write `documents` as one new segment in an index of its own in `directory` (created empty,
    outside any lock: nobody else writes there) and return the segment, for commit_adopting; None
    when there are no documents."""
    ix = FileStorage(str(directory)).create().create_index(schema)
    options = {key: value for key, value in options.items() if key != "timeout"}
    writer = FastSegmentWriter(ix, _lk=False, **options)
    try:
        for document in documents:
            writer.add_document(**document)
    except BaseException:
        writer.cancel()
        raise
    if not writer._added:
        writer.cancel()
        return None
    segment = writer._finalize_segment()
    writer._finish()
    return segment


def merge_tiny(limit: int) -> Callable:
    """A merge policy for commits that must stay short: Whoosh's MERGE_SMALL among the segments of
    at most `limit` documents (a curator's one-report commits), the larger ones left as they are."""
    from whoosh.writing import MERGE_SMALL

    def policy(writer, segments):
        small = [segment for segment in segments if segment.doc_count_all() <= limit]
        large = [segment for segment in segments if segment.doc_count_all() > limit]
        return large + MERGE_SMALL(writer, small)

    return policy


# --- several processes, one segment each -----------------------------------------------------


def _segment_worker(ix, options: dict, jobs, results) -> None:
    try:
        writer = FastSegmentWriter(ix, _lk=False, **options)
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for document in batch:
                writer.add_document(**document)
        if writer._added:
            segment = writer._finalize_segment()
        else:
            writer._close_segment()
            segment = None
        results.put(("ok", segment, writer.peak_temporary_bytes))
    except BaseException as error:  # reported to the parent, which cancels the whole write
        results.put(("error", repr(error), 0))
        raise


class SegmentsWriter:
    """Documents spread over `procs` processes, each writing one segment; `commit` publishes them
    all at once, beside the index's existing segments (no merge). With procs=1 no process is started.

    The caller holds the index's lock (our writer lock); this writer takes Whoosh's WRITELOCK too."""

    BATCH = 50

    def __init__(self, ix, *, procs: int, limitmb: int, **options):
        self.ix = ix
        self.procs = max(1, procs)
        self.main = FastSegmentWriter(ix, limitmb=limitmb, **options)
        sub_options = {key: value for key, value in options.items() if key not in {"timeout"}}
        sub_options["limitmb"] = limitmb
        self.workers = []
        self.buffer: list[dict] = []
        self.next_worker = 0
        self.peak_temporary_bytes = 0
        if self.procs > 1:
            context = multiprocessing.get_context("fork")
            self.results = context.Queue()
            for _ in range(self.procs):
                jobs = context.Queue(maxsize=4)
                process = context.Process(target=_segment_worker, args=(ix, sub_options, jobs, self.results))
                process.daemon = True
                process.start()
                self.workers.append((process, jobs))

    def add_document(self, **document) -> None:
        if not self.workers:
            self.main.add_document(**document)
            return
        self.buffer.append(document)
        if len(self.buffer) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        process, jobs = self.workers[self.next_worker]
        while True:
            try:
                jobs.put(self.buffer, timeout=1)
                break
            except queue_module.Full:
                if not process.is_alive():
                    raise RuntimeError("an index writer process died") from None
        self.buffer = []
        self.next_worker = (self.next_worker + 1) % len(self.workers)

    def commit(self) -> None:
        from whoosh.writing import NO_MERGE

        segments = []
        if self.workers:
            if self.buffer:
                self._send()
            for _process, jobs in self.workers:
                jobs.put(None)
            for _ in self.workers:
                status, segment, temporary = self._result()
                if status != "ok":
                    self.cancel()
                    raise RuntimeError(f"an index writer process failed: {segment}")
                self.peak_temporary_bytes += temporary
                if segment is not None:
                    segments.append(segment)
            for process, _jobs in self.workers:
                process.join()
            self.workers = []
        main = self.main
        existing = NO_MERGE(main, main.segments)
        if main._added:
            segments.append(main._finalize_segment())
            self.peak_temporary_bytes += main.peak_temporary_bytes
        else:
            main._close_segment()
        main._commit_toc(existing + segments)
        main._finish()

    def _result(self):
        """The next worker's result, in whatever order they finish; an error once none is left
        running and nothing is left to read."""
        while True:
            try:
                return self.results.get(timeout=1)
            except queue_module.Empty:
                if not any(process.is_alive() for process, _jobs in self.workers) and self.results.empty():
                    return "error", "the writer processes exited without a result", 0

    def cancel(self) -> None:
        for process, _jobs in self.workers:
            if process.is_alive():
                process.kill()
            process.join()
        self.workers = []
        self.main.cancel()
