"""jieba words and character grams of normalised text: the one segmentation that indexing and
querying share, whatever the search engine.

Precise mode, HMM off (RESEARCH.md #5), with a user dictionary of initiative names, aliases and city
names so that 一件事一次办 or 县管校聘 stay whole (#3). jieba's `add_word` changes only the process
that calls it (#3), so whoever writes or reads an index loads that index's words with
`use_user_words` first. Words are numbered per token, not per character (#2).
"""

import logging
import operator
import threading
from collections import defaultdict
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_segmenter: jieba.Tokenizer | None = None
_loaded_words: frozenset[str] = frozenset()


def segmenter() -> jieba.Tokenizer:
    """One jieba dictionary per process, initialised once (gunicorn preloads it before forking).
    Its cache goes to SEARCH_DIR, which is writable, rather than /tmp (#15)."""
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


def word_positions(normalised: str) -> dict[str, list[int]]:
    """Each word with the token numbers where it stands (0, 1, 2 … per word, not per character)."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, word in enumerate(words_of(normalised)):
        positions[word].append(index)
    return positions


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
    """The distinct characters and neighbouring pairs (what a presence-only field stores)."""
    grams = set(normalised)
    grams.update(map(operator.add, normalised, normalised[1:]))
    return grams
