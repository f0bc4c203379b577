"""A newcomer in a real browser: the About page from the footer in both languages and at phone
width, city cards with their years, and an English search for "river chief"."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    ("home", "about", "heading"),
    [("/", "关于本档案", "关于本档案"), ("/en/", "About the archive", "About the archive")],
)
def test_the_about_page_opens_from_the_footer_and_fits_a_phone(page, screenshot, home, about, heading):
    page.set_viewport_size(PHONE)
    page.goto(home)
    expect(page.get_by_role("link", name=re.compile(r"^株洲|^Zhuzhou")).first).to_contain_text("2012–2022")
    page.get_by_role("contentinfo").get_by_role("link", name=about).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("#citing code")).to_have_text(re.compile(r"/documents/\d+/#p3$"))
    _fits(page)
    screenshot("phone")
    page.get_by_role("navigation", name=re.compile("本页目录|On this page")).get_by_role("link").last.click()
    expect(page).to_have_url(re.compile(r"#citing$"))


def test_an_english_search_for_river_chief_says_what_it_searched(page, screenshot):
    page.goto("/en/")
    page.get_by_role("searchbox").fill("river chief")
    page.get_by_role("searchbox").press("Enter")
    expect(page.get_by_text("Searching 河长制 for “river chief”.")).to_be_visible()
    expect(page.locator("li.result")).to_have_count(3)  # 株洲, 湘潭 and 许昌 (whose report says 河湖长制)
    expect(page.locator("li.result mark").first).to_have_text(re.compile("河长制|河湖长制"))
    screenshot("desktop")
    screenshot("phone", viewport=PHONE)
