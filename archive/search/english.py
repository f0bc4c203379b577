"""Reading English and pinyin initiative names in a query. Pure code: the caller passes the
names in, so it is tested without a database.

The reports are in Chinese, so "river chief" cannot be found in them as typed; it can be read as
the name of 河长制 and searched as that. A run of Latin words names an initiative when it is its
whole English name ("River Chief System"), at least two words of it in order that are not filler
("river chief", not "system reform"), or the pinyin of its Chinese name with or without spaces
("hezhangzhi", "he zhang zhi"; every reading of a character counts, so 长 is zhang or chang).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from pypinyin import Style, pinyin

from archive.text.normalise import normalise

# Words too common in English names to say which initiative is meant on their own.
FILLER = frozenset(
    "a an and at by for in into of on or the to with plus reform reforms system systems pilot pilots "
    "mechanism mechanisms model".split()
)
_WORD = re.compile(r"[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


@functools.lru_cache(maxsize=4096)
def words_of(text: str) -> tuple[str, ...]:
    """River Chief System → (river, chief, system); People's → peoples, as normalise() reads a
    query term (NFKC, lower case, apostrophes dropped). English names need no OpenCC, which would
    cost a search tens of milliseconds over a few hundred names."""
    text = unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("’", "")
    return tuple(_WORD.findall(text))


def is_latin(term: str) -> bool:
    """A normalised query term written in Latin letters (digits and hyphens allowed): river, one-stop."""
    return term.isascii() and any("a" <= ch <= "z" for ch in term)


def latin_runs(clauses: list[list[str]]) -> list[list[int]]:
    """Indexes of consecutive clauses that are one Latin term each (OR clauses are left alone)."""
    runs: list[list[int]] = []
    previous = None
    for index, clause in enumerate(clauses):
        if len(clause) == 1 and is_latin(clause[0]):
            if previous == index - 1:
                runs[-1].append(index)
            else:
                runs.append([index])
            previous = index
    return runs


@functools.lru_cache(maxsize=4096)
def pinyin_pattern(name: str) -> re.Pattern | None:
    """河长制 → (?:he)(?:zhang|chang)(?:zhi); digits and Latin letters stay, signs are dropped.
    None for a name with no Chinese characters."""
    if not _HAN.search(name):
        return None
    parts = []
    for ch in normalise(name):
        if _HAN.match(ch):
            readings = sorted({reading for reading in pinyin(ch, style=Style.NORMAL, heteronym=True)[0] if reading})
            parts.append("(?:" + "|".join(map(re.escape, readings)) + ")")
        elif ch.isascii() and ch.isalnum():
            parts.append(re.escape(ch))
    return re.compile("".join(parts))


@functools.lru_cache(maxsize=4096)
def pinyin_starts(name: str) -> tuple[str, ...]:
    """How the pinyin of a name can begin (every reading of its first character, or its first
    letter or digit): a cheap test before the regular expression."""
    for ch in normalise(name):
        if _HAN.match(ch):
            return tuple({reading for reading in pinyin(ch, style=Style.NORMAL, heteronym=True)[0] if reading})
        if ch.isascii() and ch.isalnum():
            return (ch,)
    return ()


@dataclass(frozen=True)
class NamedInitiative:
    name: str
    english: tuple[str, ...]


@dataclass
class InitiativeNames:
    initiatives: list[NamedInitiative]

    @classmethod
    def from_rows(cls, rows) -> "InitiativeNames":
        """From (Chinese name, English name) pairs; the English name may be empty."""
        return cls([NamedInitiative(name, words_of(name_en or "")) for name, name_en in rows])

    def find(self, words: list[str]) -> list[str]:
        """The Chinese names of the initiatives these words name (usually one, possibly none)."""
        if not words:
            return []
        words = tuple(words)
        content = [word for word in words if word not in FILLER]
        joined = "".join(words)
        found = []
        for initiative in self.initiatives:
            english = initiative.english
            if english and (words == english or (len(content) >= 2 and _contains(english, words))):
                found.append(initiative.name)
                continue
            if not joined.startswith(pinyin_starts(initiative.name)):
                continue
            pattern = pinyin_pattern(initiative.name)
            if pattern is not None and pattern.fullmatch(joined):
                found.append(initiative.name)
        return found

    def match_run(self, terms: list[str]) -> list[tuple[int, int, list[str]]]:
        """Read a run of Latin terms left to right, longest names first: (start, end, names) for
        each stretch that names initiatives, and (start, end, []) for each stretch that does not."""
        matches: list[tuple[int, int, list[str]]] = []
        start = 0
        while start < len(terms):
            for end in range(len(terms), start, -1):
                names = self.find([word for term in terms[start:end] for word in _WORD.findall(term)])
                if names:
                    matches.append((start, end, names))
                    start = end
                    break
            else:
                if matches and not matches[-1][2] and matches[-1][1] == start:
                    matches[-1] = (matches[-1][0], start + 1, [])
                else:
                    matches.append((start, start + 1, []))
                start += 1
        return matches


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))
