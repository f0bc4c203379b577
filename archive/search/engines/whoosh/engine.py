"""Evaluating a parsed query against the Whoosh index: exact substrings, facets, BM25 ranking.

Whoosh stores the postings; the set algebra runs on numpy arrays of document numbers, so its cost
barely grows with the number of matches (Whoosh's own phrase matcher decoded positions in Python
for every candidate and took ~40 ms on 2,000 documents). Per query term:

- 1 or 2 characters: the posting list of that unigram or bigram is exactly the documents
  containing the term.
- 3 or more: the intersection of the term's bigram postings holds every document containing it
  (recall); each candidate is then confirmed against its normalised text, kept in a Whoosh column
  that texts.py reads in blocks (precision). A confirmed term is kept for the next
  search on the same reader.

Ranking is BM25 over the jieba word field for the query's words, so documents where a term stands
as a word, and often, come first. Everything cached here belongs to one index generation and one
reader version and is dropped when either changes.
"""

import collections
import contextlib
import functools
import logging
import math
import os
import threading
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import TermNotFound

from archive.search.engines.base import FACET_FIELDS, MAX_QUERY_TERMS, EngineResult, Hit, terms_within_budget
from archive.search.engines.whoosh import columns, repair, store
from archive.search.engines.whoosh.backend import document_schema
from archive.search.engines.whoosh.postings import posting_arrays
from archive.search.engines.whoosh.shared_terms import SharedConfirmedTerms
from archive.search.engines.whoosh.texts import StoredTexts
from archive.search.errors import SearchUnavailable
from archive.search.queries import ParsedQuery, Term
from archive.text.words import loaded_user_words, use_user_words

logger = logging.getLogger(__name__)

BM25_K1 = 1.2
BM25_B = 0.75
DOCNUM = np.int32
EMPTY = np.empty(0, dtype=DOCNUM)
# Cached posting arrays per process; a common term's array holds every document (4 bytes each),
# so counts alone would allow (1024 + 512 × 3) × 4 bytes × documents: 1 GB a worker at 100,000
# reports. The byte budgets bound them whatever the archive's size, and they are what a worker's
# memory grows by as it serves (the target is 150 MB a worker at 100,000 reports; the rest of a
# worker is ~115 MB there, README). At 100,000 reports they hold the ~40 most recently used
# grams, the ~10–20 most recent words.
CHAR_POSTINGS_CACHED = 1024
WORD_POSTINGS_CACHED = 512
CHAR_POSTINGS_CACHE_BYTES = 16 * 2**20
WORD_POSTINGS_CACHE_BYTES = 8 * 2**20
# Confirmed terms: 4 bytes per matching document (~100 terms at 10,000 reports, the ~10 most
# recent common ones at 100,000). Small, because every answer is also kept on disk beside the
# index (shared_terms.py) and read back from there in well under a millisecond.
CONFIRMED_TERMS_CACHED = 512
CONFIRMED_TERMS_CACHE_BYTES = 4 * 2**20
# Concordance counts: 4 bytes per document for each term remembered (64 terms at 10,000 reports,
# 10 at 100,000).
OCCURRENCES_CACHED = 64
OCCURRENCES_CACHE_BYTES = 4 * 2**20
# The cost of one query, bounded whatever was typed (queries.py bounds what is parsed; aliases can
# add terms after that; base.MAX_QUERY_TERMS bounds the terms evaluated). Confirming a candidate
# reads and searches its stored text (~3 µs for a 2,650-character report), so both the number of
# candidates and the bytes read are limited: at most ~0.5 s of one core, enough to confirm a
# common term once across 100,000 reports (~800 MB) and keep it for the next searches; past
# either limit, candidates are left unconfirmed (dropped for a term, kept for an exclusion) and
# the results say so.
MAX_CONFIRMATIONS = 150_000
MAX_CONFIRM_BYTES = 1024 * 2**20


def unavailable(problem: str, reason: str) -> SearchUnavailable:
    """The error for readers, after asking for a repair (which only served processes start)."""
    repairing = repair.request(reason)
    if repairing:
        message = _("检索索引正在从数据库重建，请稍后再试。")
    elif problem == "missing":
        message = _("检索索引尚未建立，请运行 manage.py rebuild_search。")
    else:
        message = _("检索索引已损坏，请运行 manage.py rebuild_search 从数据库重建。")
    return SearchUnavailable(message, problem=problem, reason=reason, repairing=repairing)


@dataclass
class Budget:
    """What one query may still spend on confirming candidates against their stored text."""

    confirmations: int
    bytes: int
    exhausted: bool = False


class ArrayCache:
    """`function`'s results, or what `put` was given (numpy arrays, or tuples of them), for its last
    arguments, least recently used first out, within `entries` results and `max_bytes` of arrays
    (a result larger than that is returned, not kept)."""

    def __init__(self, function, *, entries: int, max_bytes: int):
        self.function, self.entries, self.max_bytes = function, entries, max_bytes
        self.kept: collections.OrderedDict = collections.OrderedDict()
        self.bytes = 0
        self._lock = threading.Lock()

    def __call__(self, *key):
        value = self.get(key)
        if value is None:
            value = self.function(*key)
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self.kept.clear()
            self.bytes = 0

    def items(self) -> list:
        """(key, value) of everything kept, least recently used first."""
        with self._lock:
            return list(self.kept.items())

    def get(self, key):
        with self._lock:
            if key in self.kept:
                self.kept.move_to_end(key)
                return self.kept[key]
        return None

    def put(self, key, value) -> None:
        size = sum(array.nbytes for array in (value if isinstance(value, tuple) else (value,)))
        if size > self.max_bytes:
            return
        with self._lock:
            if key not in self.kept:
                self.kept[key] = value
                self.bytes += size
            while len(self.kept) > self.entries or self.bytes > self.max_bytes:
                _key, dropped = self.kept.popitem(last=False)
                self.bytes -= sum(array.nbytes for array in (dropped if isinstance(dropped, tuple) else (dropped,)))


class Snapshot:
    """One open reader of one index generation, with its caches."""

    def __init__(self, generation, previous: "Snapshot | None" = None):
        self.generation = generation
        self.index = FileStorage(str(generation)).open_index(schema=document_schema())
        self.reader = self.index.reader()
        self.version = self.index.latest_generation()
        try:
            self._check_at_open()
        except BaseException:
            self.reader.close()  # a damaged index is tried again on every search: leak no files
            raise
        self.doc_limit = self.reader.doc_count_all()
        self.live_mask = columns.live_mask(self.reader)
        self.live = np.flatnonzero(self.live_mask).astype(DOCNUM)
        # Per document, for every search: the smallest types the values fit (a worker's memory
        # at 100,000 reports is what is short, not arithmetic).
        self.document_ids = _narrowest(self._column_array("document_id"))
        self.year_start = _narrowest(self._column_array("year_start"))
        # Raw UTF-8 bytes (translate=False): a UTF-8 byte substring is exactly a character substring,
        # so confirming candidates needs no decoding.
        has_texts = self.reader.has_column("chars")
        self._texts = StoredTexts(self.reader.column_reader("chars", translate=False)) if has_texts else None
        self._word_lengths = None
        self._average_length = 1.0
        self._lock = threading.Lock()
        self._facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._occurrences: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
        self.postings = ArrayCache(self._postings, entries=CHAR_POSTINGS_CACHED, max_bytes=CHAR_POSTINGS_CACHE_BYTES)
        self.word_postings = ArrayCache(
            self._word_postings, entries=WORD_POSTINGS_CACHED, max_bytes=WORD_POSTINGS_CACHE_BYTES
        )
        # Terms of three characters or more, confirmed against every live text: the costly part of a
        # query. Its next page, sort, facet click or filter reuses them.
        self.confirmed = ArrayCache(None, entries=CONFIRMED_TERMS_CACHED, max_bytes=CONFIRMED_TERMS_CACHE_BYTES)
        self.shared_confirmed = SharedConfirmedTerms(generation, self.version, self.doc_limit)
        self.layout = [
            (leaf.segment().segment_id() if leaf.segment() else None, base, leaf.doc_count_all())
            for leaf, base in self.reader.leaf_readers()
        ]
        if previous is not None:
            try:
                self._inherit(previous)
            except Exception:  # caches are an optimisation: a reader starts without them rather than fail
                logger.exception("reader caches could not be carried over; starting without them")
                self._forget_caches()

    def _forget_caches(self) -> None:
        for cache in (self.postings, self.word_postings, self.confirmed):
            cache.clear()
        with self._lock:
            self._facets.clear()

    def _inherit(self, previous: "Snapshot") -> None:
        """Carry the previous reader's caches over where its segments are still ours.

        A commit (a curator's save, a bulk batch) adds a segment after the others, may merge the
        small last ones and marks replaced documents deleted; the large segments before them stay,
        at the same document numbers. For those numbers a cached posting list, confirmed term or
        facet table is still right once the newly deleted documents are dropped, so only the
        segments after them are read: a worker's first search after a save costs what the new
        segment costs, not what the whole archive does (0.4-1 s at 100,000 reports)."""
        if previous.generation != self.generation:
            return
        shared = 0  # document numbers below this are in the same segments in both readers
        for mine, theirs in zip(self.layout, previous.layout, strict=False):
            if mine != theirs or mine[0] is None:
                break
            shared = mine[1] + mine[2]
        if not shared:
            return
        tail = [(leaf, base) for leaf, base in self.reader.leaf_readers() if base >= shared]

        def kept(ids: np.ndarray) -> np.ndarray:
            """Which of the previous reader's document numbers stand for the same, still live, document."""
            return (ids < shared) & self.live_mask[np.minimum(ids, shared - 1)]

        def tail_postings(fieldname: str, term: str, *, weights: bool = False):
            ids, found = posting_arrays(self.reader, fieldname, term, weights=weights, leaves=tail)
            live = self.live_mask[ids]
            return ids[live], (found[live] if weights else None)

        for (fieldname, term), ids in previous.postings.items():
            self.postings.put((fieldname, term), np.concatenate([ids[kept(ids)], tail_postings(fieldname, term)[0]]))
        for (word,), (ids, frequencies) in previous.word_postings.items():
            mask = kept(ids)
            new, new_frequencies = tail_postings("text", word, weights=True)
            self.word_postings.put(
                (word,), (np.concatenate([ids[mask], new]), np.concatenate([frequencies[mask], new_frequencies]))
            )
        tail_live = self.live[np.searchsorted(self.live, shared) :]
        for text, found in previous.confirmed.items():
            self.confirmed.put(text, np.concatenate([found[kept(found)], self._containing(text, tail_live, None)]))
        with previous._lock:
            facets = dict(previous._facets)
        tail_values = {
            fieldname: sorted({v for leaf, _base in tail for v in _field_values(leaf, fieldname)})
            for fieldname in facets
        }
        for fieldname, (values, posted, value_of) in facets.items():
            keep = kept(posted)
            values = list(values)
            index_of = {value: number for number, value in enumerate(values)}
            parts, owners = [posted[keep]], [value_of[keep]]
            for value in tail_values[fieldname]:
                ids = tail_postings(fieldname, value)[0]
                if value not in index_of:
                    index_of[value] = len(values)
                    values.append(value)
                parts.append(ids)
                owners.append(np.full(len(ids), index_of[value], dtype=np.int32))
            self._facets[fieldname] = (values, np.concatenate(parts), np.concatenate(owners))

    def _column_array(self, name) -> np.ndarray:
        return columns.numeric_column(self.reader, name)

    def _check_at_open(self) -> None:
        generation = self.generation
        segment_ids = [leaf.segment().segment_id() for leaf, _base in self.reader.leaf_readers() if leaf.segment()]
        expected = store.expected_sizes(generation, segment_ids)
        self.verified = expected is not None
        self._expected = expected or {}
        # Whoosh never rewrites a table of contents: the one read stays as it was, or is damaged.
        table_of_contents = generation / f"_{self.index.indexname}_{self.version}.toc"
        self._expected[table_of_contents] = table_of_contents.stat().st_size
        self._dictionary_path = generation / store.DICTIONARY_FILE
        self._dictionary_stamp = _stamp(self._dictionary_path)
        self.dictionary = store.read_dictionary(generation)
        self.verify()

    def is_current(self, generation) -> bool:
        return generation == self.generation and self.index.latest_generation() == self.version

    def verify(self) -> None:
        """Raise store.IndexDamaged if a file this reader reads is missing or truncated (a few stat
        calls). A dictionary replaced by a drain (words came or went) is read again."""
        store.check_sizes(self._expected)
        stamp = _stamp(self._dictionary_path)
        if stamp != self._dictionary_stamp:
            if stamp is None:
                raise store.IndexDamaged(f"{store.DICTIONARY_FILE} is missing")
            self.dictionary = store.read_dictionary(self.generation)
            self._dictionary_stamp = stamp

    @property
    def document_count(self) -> int:
        return len(self.live)

    def close(self):
        self.reader.close()  # the stored texts are read through its files

    def _postings(self, fieldname: str, term: str) -> np.ndarray:
        """Sorted live document numbers whose `fieldname` holds `term`."""
        ids, _weights = posting_arrays(self.reader, fieldname, term, weights=False)
        return ids[self.live_mask[ids]] if len(ids) else EMPTY

    def _word_postings(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Live document numbers holding `word` in the word field, and how often."""
        ids, weights = posting_arrays(self.reader, "text", word, weights=True)
        if not len(ids):
            return EMPTY, np.empty(0, dtype=np.float32)
        live = self.live_mask[ids]
        return ids[live], weights[live]

    @property
    def word_lengths(self) -> np.ndarray:
        if self._word_lengths is None:
            with self._lock:
                lengths = columns.field_lengths(self.reader, "text").astype(np.int32)  # words a document has
                lengths[~self.live_mask] = 0
                if len(self.live):
                    self._average_length = float(lengths[self.live].astype(np.float64).mean())
                self._word_lengths = lengths
        return self._word_lengths

    def text_bytes(self, docnum: int) -> bytes:
        return self._texts[docnum]

    def containing(self, term: Term, within: np.ndarray, budget: Budget | None = None) -> np.ndarray:
        """Document numbers in `within` whose text contains `term`; with a budget, only those
        confirmed before it ran out (the rest are left out and `budget.exhausted` is set)."""
        text = term.text
        whole = len(within) == len(self.live)  # `within` is always among the live documents
        if len(text) > 2:
            known = self.confirmed.get(text)
            if known is None and (known := self.shared_confirmed.get(text)) is not None:
                self.confirmed.put(text, known)
            if known is not None:
                return known if whole else np.intersect1d(known, within, assume_unique=True)
        found = self._containing(text, within, budget)
        if whole and len(text) > 2 and not (budget and budget.exhausted):
            self.confirmed.put(text, found)
            self.shared_confirmed.put(text, found)
        return found

    def _containing(self, text: str, within: np.ndarray, budget: Budget | None) -> np.ndarray:
        grams = [text] if len(text) <= 2 else sorted({text[i : i + 2] for i in range(len(text) - 1)})
        candidates = within
        for gram in sorted(grams, key=lambda g: len(self.postings("chars", g))):
            if not len(candidates):
                return EMPTY
            candidates = np.intersect1d(candidates, self.postings("chars", gram), assume_unique=True)
        if len(text) <= 2 or not len(candidates):
            return candidates
        if budget is not None:
            # Candidates are confirmed in order while both budgets last: a candidate is read if
            # confirmations remain and the bytes read before it are within the byte budget.
            allowed = candidates[: max(budget.confirmations, 0)]
            read = np.cumsum(self._texts.lengths[allowed])
            affordable = int(np.searchsorted(read - self._texts.lengths[allowed], budget.bytes, side="left"))
            allowed = allowed[:affordable]
            budget.confirmations -= len(allowed)
            budget.bytes -= int(read[len(allowed) - 1]) if len(allowed) else 0
            budget.exhausted = budget.exhausted or len(allowed) < len(candidates)
            candidates = allowed
        return np.array(self._texts.matching(text.encode("utf-8"), candidates), dtype=DOCNUM)

    def occurrences(self, key: str, count, docnums: np.ndarray) -> np.ndarray:
        """count(stored text) for each document number, remembered under `key` for this reader
        (one index generation and version): a concordance of a common term reads every matching
        text once, and later pages, sorts and filters of it read none."""
        with self._lock:
            known = self._occurrences.pop(key, None)
            if known is None:
                known = np.full(self.doc_limit, -1, dtype=np.int32)
            self._occurrences[key] = known
            most = max(1, min(OCCURRENCES_CACHED, OCCURRENCES_CACHE_BYTES // max(known.nbytes, 1)))
            while len(self._occurrences) > most:
                self._occurrences.popitem(last=False)
        for docnum in docnums[known[docnums] < 0].tolist():
            known[docnum] = count(self._texts[docnum])
        return known[docnums]

    def keyword(self, fieldname: str, values: list[str]) -> np.ndarray:
        if fieldname == "document_id":  # reports confirmed by archive/search/confirm.py
            wanted = np.isin(self.document_ids, np.array(values, dtype=np.int64))
            return np.intersect1d(np.flatnonzero(wanted).astype(DOCNUM), self.live, assume_unique=True)
        arrays = [self.postings(fieldname, value) for value in values]
        return functools.reduce(np.union1d, arrays) if arrays else EMPTY

    def facet_counts(self, fieldname: str, matched: np.ndarray) -> list[tuple[str, int]]:
        if not len(matched):
            return []
        values, posted, value_of = self._facet_postings(fieldname)
        mask = np.zeros(self.doc_limit, dtype=bool)
        mask[matched] = True
        counts = np.bincount(value_of[mask[posted]], minlength=len(values))
        found = [(values[i], int(counts[i])) for i in np.flatnonzero(counts).tolist()]
        return sorted(found, key=lambda item: (-item[1], item[0]))

    def _facet_postings(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every value of a facet field with all their postings laid end to end, and for each
        posting the index of its value: a facet count is then one gather and one bincount
        instead of a lexicon walk and a posting list per value on every search."""
        with self._lock:
            known = self._facets.get(fieldname)
        if known is None:
            values = list(self.reader.field_terms(fieldname))
            postings = [self._postings(fieldname, value) for value in values]
            posted = np.concatenate(postings) if postings else EMPTY
            value_of = np.repeat(_narrowest(np.arange(len(values))), [len(p) for p in postings])
            known = (values, posted, value_of)
            with self._lock:
                self._facets[fieldname] = known
        return known

    def bm25(self, words: list[str], matched: np.ndarray) -> np.ndarray:
        """BM25 of `words` in the word field, for each document number in `matched`."""
        scores = np.zeros(self.doc_limit, dtype=np.float64)
        live_count = max(len(self.live), 1)
        lengths = self.word_lengths
        average = self._average_length
        for word in words:
            ids, frequencies = self.word_postings(word)
            if not len(ids):
                continue
            idf = math.log(1 + (live_count - len(ids) + 0.5) / (len(ids) + 0.5))
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[ids] / average)
            scores[ids] += idf * frequencies * (BM25_K1 + 1) / (frequencies + norm)
        return scores[matched]


def _field_values(leaf, fieldname: str) -> list[str]:
    try:
        return list(leaf.field_terms(fieldname))
    except TermNotFound:  # no document of the segment has the field
        return []


def _narrowest(values: np.ndarray) -> np.ndarray:
    """`values` (integers) as int16, int32 or as they are, whichever is the first that holds them all."""
    if not len(values):
        return values
    low, high = int(values.min()), int(values.max())
    for dtype in (np.int16, np.int32):
        limits = np.iinfo(dtype)
        if limits.min <= low and high <= limits.max:
            return values.astype(dtype)
    return values


def _stamp(path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_size, status.st_mtime_ns


_snapshot: Snapshot | None = None
_snapshot_lock = threading.Lock()
# gunicorn's gthread workers serve several requests in one process, and Whoosh reads its files
# with seek() then read() on shared file objects: searches take turns on the reader (they are
# Python under the GIL anyway), and a reader replaced meanwhile is closed once no search uses it.
_read_lock = threading.RLock()
_retired: list[Snapshot] = []


def _retire(old: Snapshot) -> None:
    """Close a reader that is no longer current, or leave that to the search still reading it."""
    if _read_lock.acquire(blocking=False):
        try:
            old.close()
        finally:
            _read_lock.release()
    else:
        _retired.append(old)


def _close_retired() -> None:
    """Called by a search, holding _read_lock, when it is done with its reader."""
    while _retired:
        with contextlib.suppress(Exception):
            _retired.pop().close()


def snapshot() -> Snapshot:
    """The reader for the current generation, checked and reopened when a write or a rebuild
    changed it. Raises SearchUnavailable when the index is missing or damaged."""
    try:
        return _checked_snapshot()
    except store.IndexDamaged as error:
        # Files may vanish under a reader because a commit merged their segments away: look again
        # once, at whatever is current now, before calling the index damaged.
        _forget()
        try:
            return _checked_snapshot()
        except store.IndexDamaged as again:
            logger.error("search index damaged: %s (first look: %s)", again, error)
            _forget()
            raise unavailable("damaged", str(again)) from again


def _checked_snapshot() -> Snapshot:
    global _snapshot
    generation = store.current_generation()
    if generation is None:
        problem = store.link_problem() or "no current index generation"
        missing = not (store.search_dir() / "current").is_symlink()
        raise unavailable("missing" if missing else "damaged", problem)
    current = _snapshot
    if current is not None and current.is_current(generation):
        current.verify()
        if loaded_user_words() != current.dictionary:
            use_user_words(current.dictionary)
        return current
    with _snapshot_lock:
        if _snapshot is None or not _snapshot.is_current(generation):
            try:
                fresh = Snapshot(generation, previous=_snapshot)
            except store.IndexDamaged:
                raise
            except Exception as error:  # a damaged table of contents, segment or column
                raise store.IndexDamaged(f"{generation.name} cannot be opened: {error!r}") from error
            if _snapshot is not None:
                _retire(_snapshot)
            _snapshot = fresh
        else:
            _snapshot.verify()
        if loaded_user_words() != _snapshot.dictionary:
            use_user_words(_snapshot.dictionary)
        return _snapshot


def _forget():
    global _snapshot
    with _snapshot_lock:
        if _snapshot is not None:
            with contextlib.suppress(Exception):
                _retire(_snapshot)
        _snapshot = None


def reset():
    """Forget the open reader (tests and rebuilds)."""
    _forget()


def run(
    query: ParsedQuery,
    *,
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facet_fields: list[str] | tuple[str, ...] = FACET_FIELDS,
) -> EngineResult:
    with _read_lock:
        snap = snapshot()
        try:
            return _evaluate(snap, query, filters, sort, offset, limit, facet_fields)
        except Exception as error:
            # A read failed under a reader that passed its checks: a file changed under it. Whatever
            # it was, the reader answers no more; the next search opens and checks a fresh one.
            logger.exception("search index read failed in %s", snap.generation)
            _forget()
            raise unavailable("damaged", f"reading {snap.generation.name} failed: {error!r}") from error
        finally:
            _close_retired()


def _within_term_budget(query: ParsedQuery) -> tuple[list[list[Term]], list[Term], list[str]]:
    return terms_within_budget(query, limit=MAX_QUERY_TERMS)


def _evaluate(snap, query, filters, sort, offset, limit, facet_fields) -> EngineResult:
    clauses, excluded, notices = _within_term_budget(query)
    budget = Budget(confirmations=MAX_CONFIRMATIONS, bytes=MAX_CONFIRM_BYTES)
    matched = snap.live
    for fieldname, values in (filters or {}).items():
        if values:
            matched = np.intersect1d(matched, snap.keyword(fieldname, values), assume_unique=True)
    for clause in clauses:
        alternatives = [snap.containing(term, matched, budget) for term in clause]
        matched = functools.reduce(np.union1d, alternatives) if alternatives else EMPTY
    for term in excluded:
        matched = np.setdiff1d(matched, snap.containing(term, matched, budget), assume_unique=True)
    if budget.exhausted:
        notices.append(
            _("检索过于复杂：只核对了 %(count)s 篇候选文档，结果可能不完整，请减少检索词或加上筛选条件。")
            % {"count": MAX_CONFIRMATIONS - budget.confirmations}
        )

    facets = {fieldname: snap.facet_counts(fieldname, matched) for fieldname in facet_fields}
    if not len(matched):
        return EngineResult(count=0, hits=[], facets=facets, notices=notices)

    terms = {term.text: term for clause in clauses for term in clause}.values()
    words = [word for term in sorted(terms, key=lambda t: -len(t.text)) for word in dict.fromkeys(term.words)]
    scores = snap.bm25(words, matched) if words else np.zeros(len(matched))
    years = snap.year_start[matched]
    # The last ties go by document id, which every engine can follow (index order differs between them).
    ids = snap.document_ids[matched]
    if sort == "date":
        keys = [ids, -scores, -years]
    elif sort == "date_asc":
        keys = [ids, -scores, np.where(years > 0, years, 9999)]
    else:
        keys = [ids, -years, -scores]
    # Reports with every clause's term as typed come before those found only through an alias.
    typed_clauses = [[term for term in clause if not term.alias] for clause in clauses]
    if typed_clauses != clauses and all(typed_clauses):
        typed = matched
        for clause in typed_clauses:
            typed = functools.reduce(np.union1d, [snap.containing(term, typed) for term in clause])
        keys.append(~np.isin(matched, typed))
    order = np.lexsort(keys)
    page = order[offset : offset + limit]
    hits = [Hit(int(snap.document_ids[matched[i]]), round(float(scores[i]), 4)) for i in page]
    return EngineResult(count=len(matched), hits=hits, facets=facets, notices=notices)


def documents_containing(text: str) -> list[int]:
    """Ids of every indexed document whose normalised text contains `text` (already normalised)."""
    with _read_lock:
        snap = snapshot()
        try:
            return [int(snap.document_ids[d]) for d in snap.containing(Term(text), snap.live).tolist()]
        finally:
            _close_retired()


def normalised_texts(document_ids: list[int]) -> dict[int, bytes]:
    """The indexed (normalised, UTF-8) title and body of each of these documents, by id: what the
    search matched, so a concordance counts exactly that without normalising texts again."""
    with _read_lock:
        snap = snapshot()
        try:
            wanted = set(document_ids)
            found = {}
            for docnum in snap.live.tolist():
                document_id = int(snap.document_ids[docnum])
                if document_id in wanted:
                    found[document_id] = snap.text_bytes(docnum)
            return found
        finally:
            _close_retired()


def occurrence_counts(key: str, count, document_ids: list[int]) -> dict[int, int]:
    """`count` applied to the stored normalised text (UTF-8 bytes) of each of these documents, by
    id; cached per index generation under `key` (say, the pattern counted)."""
    with _read_lock:
        snap = snapshot()
        try:
            docnums = np.flatnonzero(np.isin(snap.document_ids, np.array(document_ids, dtype=np.int64)))
            docnums = docnums[np.isin(docnums, snap.live, assume_unique=True)]
            counts = snap.occurrences(key, count, docnums)
            return dict(zip(snap.document_ids[docnums].tolist(), counts.tolist(), strict=True))
        finally:
            _close_retired()


def word_frequencies(words: list[str], document_ids: list[int]) -> dict[str, int]:
    """How often each word (as the word field segments it) occurs in these documents."""
    with _read_lock:
        snap = snapshot()
        try:
            docnums = np.flatnonzero(np.isin(snap.document_ids, np.array(document_ids, dtype=np.int64)))
            docnums = docnums[np.isin(docnums, snap.live)]
            frequencies = {}
            for word in words:
                ids, weights = snap.word_postings(word)
                frequencies[word] = int(weights[np.isin(ids, docnums)].sum()) if len(ids) else 0
            return frequencies
        finally:
            _close_retired()
