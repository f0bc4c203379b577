"""Marked passages in a report, in a real browser: an evidence link lands on its own mark, and which
initiative(s) a mark belongs to shows on arrival, focus and tap, not only in a tooltip."""

import pytest
from playwright.sync_api import expect

from archive.models import Document
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

AFTER_CONTENT = "element => getComputedStyle(element, '::after').content"


def test_an_evidence_link_lands_on_its_mark_and_names_the_initiative(page, screenshot):
    page.goto("/initiatives/hezhangzhi/")
    evidence = page.locator("a[href*='/documents/'][href*='#m']").first
    mention = evidence.get_attribute("href").split("#")[1]
    evidence.click()
    mark = page.locator(f"mark#{mention}")
    expect(mark).to_be_in_viewport()
    assert "河长制" in mark.evaluate(AFTER_CONTENT)
    screenshot()


def test_a_mark_where_passages_overlap_names_every_initiative_on_focus_and_tap(page, screenshot):
    # The innermost, so that a tap on it lands on it and not on a mark inside.
    overlapping = page.locator("mark.mention[data-label*=' · ']:not(:has(mark.mention))").first
    for document in Document.objects.order_by("pk"):
        page.goto(document.get_absolute_url())
        if overlapping.count():
            break
    expect(overlapping).to_be_attached()
    labels = overlapping.get_attribute("data-label").split(" · ")
    assert overlapping.evaluate(AFTER_CONTENT) == "none"  # hidden until asked for
    overlapping.focus()
    shown = overlapping.evaluate(AFTER_CONTENT)
    assert all(label in shown for label in labels) and len(labels) >= 2, (shown, labels)
    screenshot("focus")

    page.set_viewport_size(PHONE)
    page.locator("h1").click()  # away from the mark
    overlapping.scroll_into_view_if_needed()
    overlapping.click()  # a tap focuses it
    shown = overlapping.evaluate(AFTER_CONTENT)
    assert all(label in shown for label in labels), (shown, labels)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("tap", viewport=PHONE)


def test_every_mention_is_in_the_tab_order_once(page):
    page.goto(Document.objects.order_by("pk").first().get_absolute_url())
    anchors = page.locator("mark.mention[id]")
    assert anchors.count() == page.locator("mark.mention[tabindex='0']").count() > 0
    assert page.locator("mark.mention:not([id])").count() == page.locator("mark.mention[tabindex='-1']").count()
    anchors.first.focus()
    assert page.evaluate("document.activeElement.matches('mark.mention[id]')")
