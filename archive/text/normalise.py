"""The one text normalisation used at index time, at query time and for the relevance truth.

NFKC (full-width ２０２０ → 2020), traditional → simplified (OpenCC t2s), lower case, and removal of
quotation marks, brackets, the enumeration comma 、, middle dots and whitespace, so that 放管服改革
matches “放管服”改革 and 双随机一公开 matches “双随机、一公开”.
"""

import functools
import unicodedata

import numpy as np
import opencc

_REMOVED_CATEGORIES = {"Ps", "Pe", "Pi", "Pf", "Zs", "Zl", "Zp", "Cc", "Cf"}
_REMOVED_CHARS = set("\"'`、·・•‧‐")


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


@functools.cache
def _normalise_char(ch: str) -> str:
    out = []
    for piece in unicodedata.normalize("NFKC", ch).lower():
        if piece in _REMOVED_CHARS or unicodedata.category(piece) in _REMOVED_CATEGORIES:
            continue
        out.append(piece)
    return "".join(out)


@functools.cache
def _tables() -> tuple[dict[int, str | None], np.ndarray, np.ndarray]:
    """For every BMP character: what it becomes (str.translate table), whether it is removed, and
    whether it becomes more than one character. Built once per process (~0.1 s)."""
    translate: dict[int, str | None] = {}
    removed = np.zeros(0x10000, dtype=bool)
    expands = np.zeros(0x10000, dtype=bool)
    for code in range(0x10000):
        ch = chr(code)
        out = _normalise_char(ch)
        if out == ch:
            continue
        translate[code] = out or None
        removed[code] = not out
        expands[code] = len(out) > 1
    return translate, removed, expands


def _simplified(text: str) -> str:
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        # OpenCC replaced a phrase with one of another length: convert char by char to keep alignment.
        simplified = "".join(to_simplified(ch) if len(to_simplified(ch)) == 1 else ch for ch in text)
    return simplified


@functools.cache
def _output_lengths() -> np.ndarray:
    """How many characters each BMP character becomes (0 when removed)."""
    lengths = np.ones(0x10000, dtype=np.int64)
    for code, out in _tables()[0].items():
        lengths[code] = len(out) if out else 0
    return lengths


def normalise_with_offsets(text: str) -> tuple[str, np.ndarray]:
    """The normalised text and, for each of its characters, the index it came from in `text`, as
    an array: vectorised, so a 5 MiB report with an ellipsis (…, which NFKC expands) costs no
    per-character Python.

    The positions let highlighting find a match in normalised text and mark it in the original."""
    simplified = _simplified(text)
    codes, lengths = _codes_and_lengths(simplified)
    return _translated(simplified, codes, lengths), np.repeat(np.arange(len(codes)), lengths)


def _codes_and_lengths(simplified: str) -> tuple[np.ndarray, np.ndarray]:
    """Each character's code point, and how many characters it becomes (the table covers the
    BMP; characters beyond it stay as they are)."""
    codes = np.frombuffer(simplified.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return codes, np.where(codes > 0xFFFF, 1, _output_lengths()[np.minimum(codes, 0xFFFF)])


def normalise_with_positions(text: str) -> tuple[str, list[int]]:
    """normalise_with_offsets with the positions as a list."""
    normalised, positions = normalise_with_offsets(text)
    return normalised, positions.tolist()


def normalise(text: str) -> str:
    simplified = _simplified(text)
    if len(simplified) < _VECTOR_FROM:
        return simplified.translate(_tables()[0])
    return _translated(simplified, *_codes_and_lengths(simplified))


# Below this many characters str.translate is as quick as setting up the arrays.
_VECTOR_FROM = 64


def _translated(simplified: str, codes: np.ndarray, lengths: np.ndarray) -> str:
    """simplified.translate(the table), in numpy when no character becomes more than one: str.translate
    looks each character up in a dict (~100 ns a character, 0.2 ms for a 2,000-character snippet
    scan); this is one gather. The rare text with an expanding character (…, ㈠) takes the dict."""
    if len(codes) < _VECTOR_FROM or (lengths > 1).any():
        return simplified.translate(_tables()[0])
    mapped = np.where(codes > 0xFFFF, codes, _single_codes()[np.minimum(codes, 0xFFFF)])
    return mapped[lengths == 1].tobytes().decode("utf-32-le", "surrogatepass")


@functools.cache
def _single_codes() -> np.ndarray:
    """What each BMP character becomes when that is one character (itself when unchanged)."""
    codes = np.arange(0x10000, dtype=np.uint32)
    for code, out in _tables()[0].items():
        if out and len(out) == 1:
            codes[code] = ord(out)
    return codes
