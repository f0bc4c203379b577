"""Every kind of page, in both languages, on a desktop and on phones: it fits the phone's width and
axe-core finds nothing serious or critical in it.

axe-core is vendored in tests/browser/vendor/ (from npm, version in its header, MPL-2.0 licence
beside it), so the tests never download it. It is evaluated through the DevTools protocol, which a
Content-Security-Policy does not apply to, so the site's CSP needs no exception for it."""

from pathlib import Path

import pytest

from archive.models import Document
from tests.browser.conftest import WATCHED

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PHONE_WIDTHS = [360, 390, 414]
PHONE_HEIGHT = 800
# Every page type: a name (for the screenshot) and its address without the language prefix.
PAGES = {
    "home": "/",
    "cities": "/cities/",
    "city": "/cities/changchun/",
    "document": "/documents/{document}/",
    "initiatives": "/initiatives/",
    "initiative": "/initiatives/hezhangzhi/",
    "compare": "/compare/?cities=zhuzhou&cities=xuchang&category=education",
    "compare-all": "/compare/",
    "search": "/search/?q=河长制",
    "data": "/data/",
    "api": "/api/",
    "error": "/no-such-page/",
}
LANGUAGES = {"zh": "", "en": "/en"}
SERIOUS = ("serious", "critical")


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    n => n.target.join(" ") + " :: " + n.failureSummary.split("\\n").slice(0, 3).join(" ")),
            }));
        }"""
    )


def describe(violations: list[dict]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


def page_width(page) -> dict:
    return page.evaluate(
        """() => {
            const wide = Array.from(document.querySelectorAll("body *"))
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(el => !el.closest(".table-scroll, .chips, .chart"))
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase()
                    + (el.className && typeof el.className === "string" ? "." + el.className : ""));
            return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide};
        }"""
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_and_has_no_serious_accessibility_violation(page, screenshot, request, name, language):
    path = LANGUAGES[language] + PAGES[name]
    if "{document}" in path:
        path = path.format(document=Document.objects.filter(city__slug="xiangtan").order_by("pk").first().pk)
    if name == "api" and language == "en":
        path = "/en/api/"
    response = page.goto(path)
    expected_status = 404 if name == "error" else 200
    assert response.status == expected_status, (path, response.status)
    assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-Hans")

    problems = [v for v in run_axe(page) if v["impact"] in SERIOUS]
    assert not problems, f"axe on {path} at desktop width:\n{describe(problems)}"

    for width in PHONE_WIDTHS:
        # Loaded afresh at that size, as a phone would (charts size themselves when drawn).
        page.set_viewport_size({"width": width, "height": PHONE_HEIGHT})
        page.reload()
        measured = page_width(page)
        assert measured["scroll"] <= measured["inner"], f"{path} at {width} px: {measured}"
        if width == 390:
            screenshot(f"phone-{width}")
            problems = [v for v in run_axe(page) if v["impact"] in SERIOUS]
            assert not problems, f"axe on {path} at {width} px:\n{describe(problems)}"

    if name == "error":
        # Chromium logs the page's own 404 status as a console error; that one is expected here.
        watched = request.node.stash[WATCHED]
        watched.console_errors[:] = [
            error for error in watched.console_errors if not ("404 (Not Found)" in error and "no-such-page" in error)
        ]
