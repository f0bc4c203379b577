"""How names are shown in the interface language: Chinese pages use the characters as written,
English pages put the pinyin first so readers who do not read Chinese can still tell cities apart."""

from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from archive.importing.gazetteer import pinyin_name, province_english


def is_chinese_interface() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def city_label(city) -> str:
    """株洲 on Chinese pages, Zhuzhou 株洲 on English ones."""
    return city.short_name if is_chinese_interface() else f"{city.pinyin_name} {city.short_name}"


def city_full_label(city) -> str:
    """株洲市 on Chinese pages, Zhuzhou 株洲市 on English ones."""
    return city.name if is_chinese_interface() else f"{city.pinyin_name} {city.name}"


def city_labels(rows) -> dict[str, str]:
    """slug → city_full_label for (slug, name, short_name) rows: a facet of 300 cities needs
    neither 300 models nor 300 looks at the interface language."""
    if is_chinese_interface():
        return {slug: name for slug, name, _short in rows}
    return {slug: f"{pinyin_name(short)} {name}" for slug, name, short in rows}


def province_label(province: str) -> str:
    return province if is_chinese_interface() else f"{province_english(province)} {province}"


def category_label(category) -> str:
    """A policy area's name in the interface language (the Chinese name when no English one is set)."""
    return category.name if is_chinese_interface() else (category.name_en or category.name)


def initiative_pinyin(name: str) -> str:
    """河长制 → he zhang zhi: syllables without tones (pypinyin's guess at a tone can be wrong, as in
    长株潭), so a reader can say the name; digits and signs stay as written."""
    return " ".join(syllable for syllable in lazy_pinyin(name) if syllable.strip())


def initiative_label(initiative) -> str:
    """河长制 on Chinese pages; River Chief System 河长制 on English ones, or 河长制 he zhang zhi when
    no English name has been set (the Chinese name is always there, as researchers cite it)."""
    if is_chinese_interface():
        return initiative.name
    if initiative.name_en:
        return f"{initiative.name_en} {initiative.name}"
    return f"{initiative.name} {initiative_pinyin(initiative.name)}"


def initiative_html(initiative) -> str:
    """initiative_label as HTML, each part marked with its language, for links and headings."""
    if is_chinese_interface():
        return conditional_escape(initiative.name)  # the page itself is lang="zh-Hans"
    if initiative.name_en:
        return format_html('{} <span lang="zh-Hans">{}</span>', initiative.name_en, initiative.name)
    return format_html(
        '<span lang="zh-Hans">{}</span> <span class="pinyin">{}</span>',
        initiative.name,
        initiative_pinyin(initiative.name),
    )


def initiative_description(initiative) -> tuple[str, str]:
    """The description in the interface language and its language code: English pages fall back
    to the Chinese description when no English one has been written."""
    if not is_chinese_interface() and initiative.description_en:
        return initiative.description_en, "en"
    return initiative.description, "zh-Hans"


# Candidate terms' signals (importing/suggestions.py) are stored as short codes; most are the head
# word that ended the term (改革, 试点, 机制 …) and read as they are, the others get a label.
_SIGNAL_LABELS = {
    "quoted": _("引号"),
    "plus": _("加号组合"),
    "numbered": _("数字体系"),
    "document": _("文件名"),
    "审议": _("会议审议的文件"),
    "即": _("X即Y"),
    "一X一X": _("一X一X"),
}


def candidate_signal_label(signal: str) -> str:
    """What found a candidate term, for the curator: 引号 for "quoted", X改革's head 改革 as it is."""
    return str(_SIGNAL_LABELS.get(signal, signal))
