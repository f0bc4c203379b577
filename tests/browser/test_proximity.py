"""Proximity, scope and search within results in a real browser, on the seed archive."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from archive.text.normalise import normalise
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_same_sentence_search_then_search_within_then_remove_it(page, screenshot):
    page.goto("/search/")
    page.get_by_role("searchbox", name="检索词").fill("河长制 /s 检察")
    page.get_by_role("searchbox", name="检索词").press("Enter")
    first = page.locator("li.result .snippet").first
    expect(first.locator("mark").first).to_be_visible()
    marked = {normalise(text) for text in first.locator("mark").all_inner_texts()}
    # The passage where the pair meets, both marked (河湖长制 is an alias of 河长制: 许昌 says only that).
    assert "检察" in marked and marked & {"河长制", "河湖长制"} and marked <= {"检察", "河长制", "河湖长制"}
    count = int(page.locator(".result-count strong").inner_text())

    page.get_by_role("searchbox", name="在结果中检索").fill("公益诉讼")
    page.get_by_role("searchbox", name="在结果中检索").press("Enter")
    expect(page).to_have_url(re.compile(r"within="))
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["河长制 /s 检察"] and query["within"] == ["公益诉讼"]
    narrowed = int(page.locator(".result-count strong").inner_text())
    assert narrowed <= count
    screenshot("within")
    screenshot("within-phone", viewport=PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    page.locator(".within-terms a").click()
    expect(page).not_to_have_url(re.compile(r"within="))
    assert int(page.locator(".result-count strong").inner_text()) == count


def test_title_scope_and_the_syntax_help(page, screenshot):
    page.goto("/search/?q=改革")
    everywhere = int(page.locator(".result-count strong").inner_text())
    page.get_by_label("检索范围").select_option("title")
    page.get_by_role("button", name="检索").first.click()
    expect(page).to_have_url(re.compile(r"scope=title"))
    in_titles = int(page.locator(".result-count strong").inner_text())
    assert in_titles < everywhere
    page.locator("details.search-syntax summary").click()
    expect(page.locator("details.search-syntax")).to_contain_text("NEAR/10")
    screenshot("syntax")
