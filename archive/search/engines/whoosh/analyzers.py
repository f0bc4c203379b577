"""Tokenising normalised Chinese text for the two index fields, at index and at query time alike.

- The *word* field holds jieba words (precise mode, HMM off, user dictionary of initiative names,
  aliases and city names), numbered per token so that phrase queries work (jieba's own
  ChineseAnalyzer numbers them by character offset, which breaks phrases: RESEARCH.md #2). It ranks.
- The *chars* field holds every character and every pair of neighbouring characters. A document
  contains a query term only if it holds all the term's bigrams, so their intersection is a
  superset of the true matches; it guarantees recall, and the engine confirms each candidate.

Both fields take text already normalised (archive/text/normalise.py), segment it as
archive/text/words.py does, and compute their postings directly instead of going through Whoosh's
per-token generator pipeline, which cost more than jieba itself.
"""

from whoosh.analysis import Token, Tokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import TEXT
from whoosh.formats import Existence

from archive.text.normalise import normalise
from archive.text.words import char_gram_set, char_grams, word_positions, words_of


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
