"""Tokenising normalised Chinese text for the two index fields, at index and at query time alike.

- The *word* field holds jieba words (precise mode, HMM off, user dictionary of initiative names,
  aliases and city names), numbered per token so that phrase queries work (jieba's own
  ChineseAnalyzer numbers them by character offset, which breaks phrases: RESEARCH.md #2). It ranks.
- The *chars* field holds every character and every pair of neighbouring characters. A document
  contains a query term only if it holds all the term's bigrams, so their intersection is a
  superset of the true matches; it guarantees recall, and the engine confirms each candidate.

Both fields take text already normalised (normalise.py) and compute their postings directly
instead of going through Whoosh's per-token generator pipeline, which cost more than jieba itself.
"""

import logging
import operator
import threading
from collections import defaultdict
from pathlib import Path

import jieba
from whoosh.analysis import Token, Tokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import TEXT
from whoosh.formats import Existence

from archive.search.normalise import normalise

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_segmenter: jieba.Tokenizer | None = None
_loaded_words: frozenset[str] = frozenset()


def segmenter() -> jieba.Tokenizer:
    """One jieba dictionary per process, initialised once (gunicorn preloads it before forking)."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                from django.conf import settings

                tokenizer = jieba.Tokenizer()
                cache_dir = Path(settings.SEARCH_DIR)
                cache_dir.mkdir(parents=True, exist_ok=True)
                tokenizer.tmp_dir = str(cache_dir)
                tokenizer.cache_file = "jieba.cache"
                tokenizer.initialize()
                _segmenter = tokenizer
    return _segmenter


def use_user_words(words: frozenset[str]) -> bool:
    """Make jieba keep these (normalised) words whole; returns True if the dictionary changed."""
    global _loaded_words
    if words == _loaded_words:
        return False
    tokenizer = segmenter()
    with _lock:
        for word in _loaded_words - words:
            tokenizer.del_word(word)
        for word in words - _loaded_words:
            tokenizer.add_word(word, freq=max(tokenizer.suggest_freq(word, tune=False), 100000))
        _loaded_words = words
    return True


def loaded_user_words() -> frozenset[str]:
    return _loaded_words


def words_of(normalised: str) -> list[str]:
    """jieba words of already-normalised text."""
    return [word for word in segmenter().lcut(normalised, HMM=False) if word.strip()]


def char_grams(normalised: str) -> dict[str, list[int]]:
    """Every character and every neighbouring pair, each with the positions where it starts."""
    positions: dict[str, list[int]] = defaultdict(list)
    last = len(normalised) - 1
    for index, char in enumerate(normalised):
        positions[char].append(index)
        if index < last:
            positions[normalised[index : index + 2]].append(index)
    return positions


def char_gram_set(normalised: str) -> set[str]:
    """The distinct characters and neighbouring pairs (what the index stores: presence only)."""
    grams = set(normalised)
    grams.update(map(operator.add, normalised, normalised[1:]))
    return grams


def word_positions(normalised: str) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = defaultdict(list)
    for index, word in enumerate(words_of(normalised)):
        positions[word].append(index)
    return positions


class Analysed(str):
    """Normalised text carrying its postings for one field, computed before the writer lock is
    taken (a bulk drain analyses outside it, so a curator's save waits only for the writing)."""

    postings: tuple | None = None


def analysed(field, normalised: str) -> Analysed:
    value = Analysed(normalised)
    value.postings = field.postings(normalised)
    return value


class WordField(TEXT):
    """jieba words with per-token positions, for BM25 ranking and phrases. Takes normalised text."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=WordTokenizer(), phrase=True, **kwargs)

    def index(self, value, **kwargs):
        encode = self.format.encode
        for term, positions in word_positions(value).items():
            yield term.encode("utf-8"), len(positions), float(len(positions)), encode(positions)

    def postings(self, value) -> tuple[list[bytes], list[float], list[bytes], int]:
        """Terms, weights, encoded positions and the field length, in one call (for
        segments.FastSegmentWriter; the same postings index() yields)."""
        if isinstance(value, Analysed) and value.postings is not None:
            return value.postings
        encode = self.format.encode
        terms, weights, values = [], [], []
        length = 0
        for term, positions in word_positions(value).items():
            terms.append(term.encode("utf-8"))
            weights.append(float(len(positions)))
            values.append(encode(positions))
            length += len(positions)
        return terms, weights, values, length


class CharGramField(TEXT):
    """Unigrams and bigrams, present/absent per document, plus the normalised text as a column.

    A 1- or 2-character term is one posting list, exact by construction. A longer term's bigrams
    give candidates, which the column's text confirms (see engine.py). Takes normalised text."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=CharGramTokenizer(), phrase=False, sortable=VarBytesColumn(), **kwargs)
        self.format = Existence(field_boost=1.0)

    def to_column_value(self, value):
        return value.encode("utf-8")

    def from_column_value(self, value):
        return value.decode("utf-8")

    def index(self, value, **kwargs):
        for term in char_gram_set(value):
            yield term.encode("utf-8"), 1, 1.0, b""

    def postings(self, value) -> tuple[list[bytes], None, None, int]:
        """Presence only: weight 1 and no positions, since nothing reads more (the engine confirms
        longer terms against the stored text); constant weights are also stored as one number per
        block. The length counts the distinct grams, as index() makes Whoosh count them."""
        if isinstance(value, Analysed) and value.postings is not None:
            return value.postings
        terms = [term.encode("utf-8") for term in char_gram_set(value)]
        return terms, None, None, len(terms)


class WordTokenizer(Tokenizer):
    """The same words as WordField, as a Whoosh token stream (for Whoosh's own query tools)."""

    def __call__(self, value, positions=False, chars=False, **kwargs):
        token = Token(positions, chars, **kwargs)
        for index, word in enumerate(words_of(normalise(value))):
            token.text = word
            token.pos = index
            token.boost = 1.0
            yield token


class CharGramTokenizer(Tokenizer):
    def __call__(self, value, positions=False, chars=False, **kwargs):
        token = Token(positions, chars, **kwargs)
        for gram, starts in char_grams(normalise(value)).items():
            for start in starts:
                token.text = gram
                token.pos = start
                token.boost = 1.0
                yield token
