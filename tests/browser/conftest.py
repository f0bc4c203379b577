"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

- One Chromium per pytest process (per xdist worker); a fresh context and page per test.
- Every test runs on the seed archive (five reports and the curated data), loaded into the
  transactional test database so that the live server thread sees it.
- The pages must work offline: any request that does not go to the live server is aborted, and
  a test that made one fails. So does a test during which the page logged a console error or threw.
- After each test the page is saved as a full-page PNG named after the test, in
  var/screenshots/ (or $REFORM_SCREENSHOT_DIR); tests may save more (e.g. at phone width).

Never run `playwright install`: the browser is the distribution's package (see `make browser-deps`).
"""

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from archive import search

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Playwright's default wait is 30 s; a page of this site that needs more than this is broken.
TIMEOUT_MS = 10_000
CHART_NAMES = {"timeline", "category-counts", "diffusion", "adoption-map"}
# Every chart drawn and its animation over (getZr() is ECharts' public handle on its renderer).
ALL_CHARTS_DRAWN = """() =>
    Array.from(document.querySelectorAll("div.chart[data-chart]")).every(el => el.dataset.rendered === "1")
    && Object.values(window.archiveCharts || {}).every(chart => {
        const animation = chart.getZr && chart.getZr().animation;
        return !animation || !animation.isFinished || animation.isFinished();
    })"""
CHART_GRACE_MS = 3_000

REPO = Path(__file__).resolve().parents[2]
CSP_VIOLATIONS_TO_CONSOLE = """document.addEventListener("securitypolicyviolation", (event) =>
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                  + ` at ${event.sourceFile || location.href}:${event.lineNumber}`));"""


@dataclass
class Watched:
    """A test's page and what went wrong on it that the test itself would not notice."""

    page: Page
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(_text(message)))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def report(self) -> str:
        found = {
            "requests outside the live server (aborted)": self.external_requests,
            "console errors": self.console_errors,
            "uncaught exceptions": self.page_errors,
        }
        return "\n".join(f"{kind}:\n  " + "\n  ".join(items) for kind, items in found.items() if items)


WATCHED = pytest.StashKey[Watched]()


def screenshot_dir() -> Path:
    return Path(os.environ.get("REFORM_SCREENSHOT_DIR") or REPO / "var" / "screenshots")


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """One headless Chromium for this pytest process (each xdist worker has its own).

    It needs django_db_setup so that the test database exists before Playwright's loop starts:
    the connection the loop's context is given below is then the one pytest-django set up."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium fonts-noto-cjk)")
    # Playwright's sync API keeps its asyncio event loop running on this thread (suspended in a
    # greenlet) for as long as the browser is open. Django takes that for an async context:
    # - its async-safety check would refuse the ORM calls the test database fixtures make here
    #   (loading the seed, flushing after each test) with SynchronousOnlyOperation. They never
    #   overlap with Playwright's own work, so the check is switched off while the browser is open;
    # - it keeps database connections per async context there, so this thread would open a second
    #   connection to the test database, one without what pytest-django set up on the first (the
    #   snapshot that serialized_rollback restores). Registering the thread's connections in the
    #   loop's context too keeps one connection per database.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    thread_connections = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in thread_connections.items():
                connections[alias] = connection
            # A launch without user_data_dir gets a fresh, empty temporary profile.
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_archive(live_server, django_db_serialized_rollback, settings, tmp_path):
    """The live server's URL, serving the seed archive with its search index built.

    live_server implies transactional_db: the data is committed so that the server thread sees it,
    and the tables are flushed after the test. serialized_rollback puts back what the migrations
    loaded (the gazetteer of cities), which the flush would otherwise leave empty for the next test.

    Here commits really happen, and each one drains the search queue into the index: so the index
    goes to this test's own directory (never the developer's var/search), and the seed is loaded in
    one transaction, which builds the index with one drain instead of one per saved row (0.5 s, not 1.3)."""
    settings.SEARCH_DIR = tmp_path / "search"
    search.reset()
    output = io.StringIO()
    try:
        with transaction.atomic():
            call_command("load_seed", stdout=output, stderr=output)
    except CommandError as error:
        pytest.fail(f"load_seed failed: {error}\n{output.getvalue()}", pytrace=False)
    yield live_server.url
    search.reset()


@pytest.fixture
def page(browser, live_archive, request):
    """A fresh page (own context: no cookies or cache shared between tests) on the live server.

    Requests to anywhere but the live server are aborted and recorded; console errors and uncaught
    exceptions are recorded too. pytest_runtest_call below fails the test if there were any."""
    origin = _origin(live_archive)
    context = browser.new_context(
        base_url=live_archive,
        viewport=DESKTOP,
        # Sent as Accept-Language: the site picks its language from it, and these tests read Chinese.
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        # Steadier screenshots from pages that honour it (animations off).
        reduced_motion="reduce",
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT_MS)

    def only_local(route):
        if _origin(route.request.url) == origin:
            route.continue_()
        else:
            watched.external_requests.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    # Content-Security-Policy violations become console errors, so the check above fails on them
    # whatever Chromium itself logs (a blocked inline style, script, handler, frame or plugin).
    context.add_init_script(CSP_VIOLATIONS_TO_CONSOLE)
    watched = Watched(page=context.new_page())
    watched.watch(watched.page)
    request.node.stash[WATCHED] = watched
    yield watched.page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """save(suffix="", viewport=None) -> Path: a full-page PNG of the page named after the test.

    With a viewport (e.g. PHONE), the page's URL is opened afresh at that size, as a phone would
    load it, in a second tab that is watched like the first; the test's own page is left alone."""

    def save(suffix: str = "", *, viewport: dict[str, int] | None = None) -> Path:
        if not viewport or viewport == page.viewport_size:
            return _save_screenshot(page, request.node, suffix)
        watched = request.node.stash[WATCHED]
        other = page.context.new_page()
        try:
            watched.watch(other)
            other.set_viewport_size(viewport)
            other.goto(page.url)
            return _save_screenshot(other, request.node, suffix)
        finally:
            other.close()

    return save


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: save its desktop screenshot (on failure too), then fail the test if the
    page reached outside the live server, logged a console error or threw an uncaught exception."""
    watched = item.stash.get(WATCHED, None)
    try:
        result = yield
    except BaseException:
        if watched is not None:
            if not watched.page.is_closed():
                try:
                    _save_screenshot(watched.page, item, "")
                except Exception as error:  # the test's own failure is the one to report
                    item.add_report_section("call", "screenshot", f"could not save the screenshot: {error}")
            if watched.report():
                item.add_report_section("call", "browser problems", watched.report())
        raise
    if watched is not None:
        # Taking the screenshot also lets Playwright deliver console events still on their way.
        _save_screenshot(watched.page, item, "")
        if watched.report():
            pytest.fail("the page must work offline and without errors\n" + watched.report(), pytrace=False)
    return result


def wait_for_chart(page, name: str, *, timeout: float = TIMEOUT_MS):
    """Wait until charts.js has drawn the chart NAME and return its locator.

    The contract with static/js/charts.js: each chart is a div.chart[data-chart=NAME]; once ECharts
    has drawn it, the div gets data-rendered="1" and window.archiveCharts[NAME] is its instance."""
    if name not in CHART_NAMES:
        raise ValueError(f"unknown chart {name!r}; the charts are {sorted(CHART_NAMES)}")
    chart = page.locator(f'div.chart[data-chart="{name}"][data-rendered="1"]')
    chart.wait_for(state="attached", timeout=timeout)
    return chart


def _save_screenshot(page, node, suffix: str) -> Path:
    name = re.sub(r"[^\w.-]+", "_", node.name).strip("_") + (f"-{suffix}" if suffix else "")
    path = screenshot_dir() / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # A test's last step may have started a navigation: measure the page once it has loaded
    # (its stylesheet applied), or the picture gets the height of the half-loaded page.
    page.wait_for_load_state("load")
    # Give the page's charts a moment to draw (the map loads its outline first) and to finish their
    # animation, so that the picture shows them; a chart that never draws is for the chart tests to
    # report, not for this.
    try:
        page.wait_for_function(ALL_CHARTS_DRAWN, timeout=CHART_GRACE_MS)
    except PlaywrightTimeoutError:
        pass
    page.screenshot(path=path, full_page=True, animations="disabled")
    return path


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _text(message) -> str:
    location = message.location or {}
    where = location.get("url", "")
    if where:
        where = f" ({where}:{location.get('lineNumber', '?')})"
    return f"{message.text}{where}"
