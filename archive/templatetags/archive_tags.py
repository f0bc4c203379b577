import re

from django import template
from django.urls import translate_url

from archive.display import (
    candidate_signal_label,
    category_label,
    city_label,
    initiative_description,
    initiative_html,
    initiative_label,
    province_label,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def toggle_query(context, name, value):
    """The current query string with `value` added to or removed from `name`, back on page 1."""
    params = context["request"].GET.copy()
    values = params.getlist(name)
    value = str(value)
    params.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    params.pop("page", None)
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def with_query(context, **changes):
    """The current query string with some parameters replaced (an empty value removes one)."""
    params = context["request"].GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            params.pop(name, None)
        else:
            params[name] = str(value)
    return f"?{params.urlencode()}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter(name="signal_label")
def signal_label_filter(signal):
    return candidate_signal_label(signal)


@register.filter(name="city_label")
def city_label_filter(city):
    """株洲 on Chinese pages, Zhuzhou 株洲 on English ones."""
    return city_label(city)


@register.filter(name="province_label")
def province_label_filter(province):
    return province_label(province)


@register.filter(name="category_label")
def category_label_filter(category):
    return category_label(category)


@register.filter(name="initiative_name")
def initiative_name_filter(initiative):
    """河长制 on Chinese pages, River Chief System 河长制 on English ones (HTML, languages marked)."""
    return initiative_html(initiative)


@register.filter(name="initiative_label")
def initiative_label_filter(initiative):
    """The same as plain text, for titles and attributes."""
    return initiative_label(initiative)


@register.simple_tag
def initiative_description_of(initiative):
    """(text, language) of the description shown in the interface language."""
    return initiative_description(initiative)


@register.simple_tag(takes_context=True)
def language_url(context, language_code):
    """This page (path and query) in another interface language: /cities/zhuzhou/ ↔ /en/cities/zhuzhou/."""
    return translate_url(context["request"].get_full_path(), language_code)


@register.filter
def any_selected(facets) -> bool:
    """Whether a facet value in this list is in use (its folded list then opens)."""
    return any(facet.selected for facet in facets)


@register.filter
def author_names(authors: str) -> list[str]:
    """A report's authors field (names separated by 、 or commas) as a list of names."""
    return [name.strip() for name in re.split(r"[、，,;；]", authors or "") if name.strip()]


@register.simple_tag
def citation_styles() -> list[tuple[str, str]]:
    """The formats the cite dialog offers, with their labels."""
    return [
        ("gb7714", "GB/T 7714-2015"),
        ("bibtex", "BibTeX"),
        ("ris", "RIS (Zotero, EndNote, NoteExpress)"),
        ("csl-json", "CSL-JSON"),
    ]


@register.simple_tag
def panel_columns() -> dict:
    """The adoption panel's and cascade file's columns with their meanings (the data page)."""
    from archive.research.panel import CASCADE_COLUMNS, PANEL_COLUMNS

    return {"panel": PANEL_COLUMNS, "cascade": CASCADE_COLUMNS}
