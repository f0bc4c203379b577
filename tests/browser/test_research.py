"""The research instrument in a real browser: concordance lines and collocates, term trends with
their chart, at desktop and phone width."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_concordance_lists_lines_sorts_them_and_links_to_the_paragraph(page, screenshot):
    page.goto("/concordance/?q=河长制")
    table = page.locator("table.kwic")
    expect(table.locator("tbody tr").first).to_be_visible()
    matches = table.locator("td.kwic-match").all_inner_texts()
    assert matches and all(text.strip() in {"河长制", "河長制"} for text in matches)
    screenshot("desktop")
    screenshot("phone", viewport=PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    page.get_by_role("navigation", name="排序").get_by_role("link", name="右侧语境").click()
    expect(page).to_have_url(re.compile(r"sort=right"))
    rights = page.locator("td.kwic-right").all_inner_texts()
    assert rights == sorted(rights)

    page.locator("td.kwic-match a").first.click()
    expect(page).to_have_url(re.compile(r"/documents/\d+/#p\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_contain_text("河长制")


def test_collocates_tab_ranks_words_by_log_dice(page, screenshot):
    page.goto("/concordance/?q=改革")
    page.get_by_role("link", name="搭配词").click()
    rows = page.locator("table.collocates tbody tr")
    expect(rows.first).to_be_visible()
    scores = [float(text) for text in page.locator("table.collocates tbody td:last-child").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    screenshot()


def test_trends_draws_a_chart_whose_point_opens_the_search(page, screenshot):
    page.goto("/trends/?q=河长制,放管服&by=city")
    chart = page.locator('div.chart[data-chart="trends"]')
    expect(chart).to_have_attribute("data-rendered", "1")
    expect(page.locator("table.matrix tbody tr").first).to_be_visible()
    screenshot("desktop")
    screenshot("phone", viewport=PHONE)
    page.locator("table.matrix tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/search/\?q=.+&city=[a-z]+"))
    expect(page.get_by_text(re.compile(r"找到 \d+ 篇报告"))).to_be_visible()


def test_cite_dialog_offers_every_format_for_the_report_and_for_a_paragraph(page, screenshot):
    page.goto("/cities/xuchang/")
    page.locator("a[href^='/documents/']").first.click()
    title = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="引用", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("textarea[data-style='gb7714']")).to_have_value(
        re.compile(re.escape(title) + r"\[(N|EB)/OL\]")
    )
    expect(dialog.locator("textarea[data-style='bibtex']")).to_have_value(re.compile(r"^@\w+\{reform_archive_\d+,"))
    screenshot("report")
    dialog.get_by_role("button", name="关闭").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="引用第 3 段").click()
    expect(dialog.locator("textarea[data-style='gb7714']")).to_have_value(re.compile(r"/documents/\d+/#p3\.$"))
    expect(dialog.locator("a.cite-download[data-style='ris']")).to_have_attribute(
        "href", re.compile(r"style=ris&paragraph=3$")
    )
    screenshot("paragraph", viewport=PHONE)
