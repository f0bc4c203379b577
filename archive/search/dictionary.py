"""The jieba user dictionary every engine's word field is built with: initiative names, aliases and
the names of cities with reports, normalised, so that 一件事一次办 or 县管校聘 stay one word
(RESEARCH.md #3). An index records the words it was built with; when they change, what contains
the words that came or went is re-indexed."""

from collections.abc import Iterable

from archive.models import City, Initiative, InitiativeAlias
from archive.text.normalise import normalise


def user_dictionary_words() -> frozenset[str]:
    names: Iterable[str] = [
        *Initiative.objects.values_list("name", flat=True),
        *InitiativeAlias.objects.values_list("name", flat=True),
        *City.objects.with_documents().values_list("name", flat=True),
        *City.objects.with_documents().values_list("short_name", flat=True),
    ]
    return frozenset(word for word in (normalise(name) for name in names) if len(word) >= 2)
