"""The interface in Chinese (default, at /) and English (under /en/), with the catalogue complete."""

import gettext
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "archive" / "locale" / "en" / "LC_MESSAGES" / "django.po"
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
# Template text that is Chinese on purpose: the language switch names Chinese in Chinese.
NOT_INTERFACE_TEXT = {"中文"}


def test_every_message_has_an_english_translation_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 150
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.obsolete_entries() == []
    for entry in catalogue:
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                assert not IDEOGRAPH.search(text) or "e.g." in text or "“" in text, entry.msgid


def test_compiled_catalogue_matches_the_source():
    """The .mo that Django reads is committed; it must say what the .po says."""
    compiled = gettext.GNUTranslations(CATALOGUE.with_suffix(".mo").open("rb"))
    for entry in polib.pofile(str(CATALOGUE)):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            assert compiled.ngettext(key, entry.msgid_plural, 1) == entry.msgstr_plural[0]
            assert compiled.ngettext(key, entry.msgid_plural, 2) == entry.msgstr_plural[1]
        else:
            assert compiled.gettext(key) == entry.msgstr, entry.msgid


def _interface_text(source: str) -> str:
    """A template with its translated strings, variables, tags and comments taken out."""
    source = re.sub(r"{% comment %}.*?{% endcomment %}", "", source, flags=re.S)
    source = re.sub(r"{% blocktranslate.*?%}.*?{% endblocktranslate %}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", source, flags=re.S)
    return source


@pytest.mark.parametrize("template", sorted((ROOT / "templates").rglob("*.html")), ids=lambda path: path.name)
def test_templates_have_no_untranslated_chinese(template):
    text = _interface_text(template.read_text(encoding="utf-8"))
    for word in NOT_INTERFACE_TEXT:
        text = text.replace(word, "")
    assert not IDEOGRAPH.findall(text), f"untranslated text in {template.name}: {IDEOGRAPH.findall(text)}"


def test_chinese_is_the_default_whatever_the_browser_asks_for(client, seeded):
    page = client.get("/cities/zhuzhou/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "改革时间线" in page and "Reform timeline" not in page
    assert 'href="/en/cities/zhuzhou/" hreflang="en"' in page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/en/",
            ["Archive of Local Reform Reports", "Browse by city", "Zhuzhou 株洲", "Hunan 湖南省", "5</strong> reports"],
        ),
        ("/en/cities/zhuzhou/", ["Zhuzhou", "Reform timeline", "Prefecture-level city", "Initiatives first named"]),
        ("/en/cities/zhuzhou/?category=ecology", ["Ecology and environment", 'aria-current="true">Ecology']),
        ("/en/initiatives/", ["Business environment and government services", "4 cities", "1 city"]),
        ("/en/initiatives/hezhangzhi/", ["Adopting cities", "Earliest year", "Diffusion", "Evidence passages"]),
        ("/en/compare/?cities=zhuzhou&cities=xiangtan", ["Compare cities", "Shared initiatives", "Xiangtan 湘潭"]),
    ],
)
def test_english_pages_translate_the_interface_and_keep_the_texts(client, seeded, url, expected):
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    for text in expected:
        assert text in page


def test_english_search_page(client, indexed):
    page = client.get("/en/search/", {"q": "河长制"}).content.decode()
    assert '<html lang="en">' in page
    for text in ["reports found", "Relevance", "Policy area", "Zhuzhou 株洲市"]:
        assert text in page


def test_english_document_page_keeps_the_report_as_written(client, seeded):
    from archive.models import Document

    document = Document.objects.get(city__slug="xiangtan")
    page = client.get(f"/en/documents/{document.pk}/").content.decode()
    assert "[Xiangtan reform report 2017]" in page  # the archive's supplied title, in the interface language
    assert '<div class="doc-body" lang="zh-Hans">' in page
    assert document.body.split("\n")[0][:20] in page


def test_language_switch_keeps_the_page_and_its_query(client, seeded):
    page = client.get("/en/compare/?cities=zhuzhou&cities=xuchang").content.decode()
    assert 'href="/compare/?cities=zhuzhou&amp;cities=xuchang" hreflang="zh-Hans"' in page
    page = client.get("/compare/?cities=zhuzhou&cities=xuchang").content.decode()
    assert 'href="/en/compare/?cities=zhuzhou&amp;cities=xuchang" hreflang="en"' in page


def test_links_on_english_pages_stay_english(client, seeded):
    page = client.get("/en/").content.decode()
    assert 'href="/en/cities/zhuzhou/"' in page and 'href="/cities/zhuzhou/"' not in page
    assert 'action="/en/search/"' in page


def test_errors_and_dates_are_in_the_interface_language(client, seeded):
    response = client.get("/en/search/", {"year": "abc"})
    assert response.status_code == 400
    assert "A year must be a whole number from 1949 to 2100: abc" in response.content.decode()
    page = client.get("/en/cities/zhuzhou/").content.decode()
    assert "March 31, 2022" in page and "c. 2022" in page
    assert "2022年3月31日" in client.get("/cities/zhuzhou/").content.decode()


@pytest.mark.parametrize(("url", "max_queries"), [("/en/", 5), ("/en/cities/zhuzhou/", 5), ("/en/initiatives/", 3)])
def test_english_pages_run_as_many_queries_as_chinese_ones(
    client, seeded, django_assert_max_num_queries, url, max_queries
):
    with django_assert_max_num_queries(max_queries):
        assert client.get(url).status_code == 200
