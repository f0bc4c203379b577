"""How names are shown in the interface language: Chinese pages use the characters as written,
English pages put the pinyin first so readers who do not read Chinese can still tell cities apart."""

from django.utils.translation import get_language

from archive.importing.gazetteer import province_english


def is_chinese_interface() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def city_label(city) -> str:
    """株洲 on Chinese pages, Zhuzhou 株洲 on English ones."""
    return city.short_name if is_chinese_interface() else f"{city.pinyin_name} {city.short_name}"


def city_full_label(city) -> str:
    """株洲市 on Chinese pages, Zhuzhou 株洲市 on English ones."""
    return city.name if is_chinese_interface() else f"{city.pinyin_name} {city.name}"


def province_label(province: str) -> str:
    return province if is_chinese_interface() else f"{province_english(province)} {province}"


def category_label(category) -> str:
    """A policy area's name in the interface language (the Chinese name when no English one is set)."""
    return category.name if is_chinese_interface() else (category.name_en or category.name)
