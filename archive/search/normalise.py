"""The one text normalisation used at index time, at query time and for the relevance truth.

NFKC (full-width ２０２０ → 2020), traditional → simplified (OpenCC t2s), lower case, and removal of
quotation marks, brackets, the enumeration comma 、, middle dots and whitespace, so that 放管服改革
matches “放管服”改革 and 双随机一公开 matches “双随机、一公开”.
"""

import functools
import unicodedata

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


def normalise_with_positions(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from in `text`.

    The positions let highlighting find a match in normalised text and mark it in the original."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        # OpenCC replaced a phrase with one of another length: convert char by char to keep alignment.
        simplified = "".join(to_simplified(ch) if len(to_simplified(ch)) == 1 else ch for ch in text)
    chars: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(simplified):
        for piece in _normalise_char(ch):
            chars.append(piece)
            positions.append(index)
    return "".join(chars), positions


def normalise(text: str) -> str:
    return normalise_with_positions(text)[0]
