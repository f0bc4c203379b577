"""What a reader does in a real browser, on the seed archive (see conftest.py for the set-up).

Every test here also fails if a page asked for anything outside the live server, logged a console
error or threw, and saves a full-page screenshot named after the test."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

SEED_CITIES = ["株洲", "永州", "湘潭", "许昌", "长春"]
COMPARED = {"zhuzhou": "株洲", "xiangtan": "湘潭", "xuchang": "许昌"}
# fixtures/curated.json: 河长制 is the initiative "hezhangzhi" of the category "ecology" (生态环境).
HEZHANGZHI_CITIES = {"株洲", "湘潭", "许昌"}


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_home_lists_the_five_seed_cities_and_leads_to_a_timeline(page, screenshot):
    page.goto("/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("地方改革报告档案")
    city_cards = main.get_by_role("link").filter(has_text="篇报告")
    expect(city_cards).to_have_count(len(SEED_CITIES))  # the gazetteer's cities without reports are not listed
    names = [re.match(r"\s*(\S+?)\s*\d", text).group(1) for text in city_cards.all_inner_texts()]
    assert sorted(names) == sorted(SEED_CITIES)
    screenshot("home")

    main.get_by_role("link", name=re.compile(r"^株洲")).click()
    expect(page).to_have_url(re.compile(r"/cities/zhuzhou/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("株洲市")


def test_city_timeline_runs_from_2012_to_2022_and_filters_by_category(page, screenshot):
    page.goto("/cities/zhuzhou/")
    timeline = page.get_by_role("region", name=re.compile(r"^改革时间线"))
    entries = timeline.get_by_role("list").filter(has=page.get_by_role("heading", level=3))
    years = [int(text) for text in entries.get_by_role("heading", level=3).all_inner_texts()]
    assert years[0] == 2012 and years[-1] == 2022, years
    assert years == sorted(set(years)), "one heading per year, oldest first"
    all_links = entries.get_by_role("link").count()
    expect(entries.get_by_role("link", name="一件事一次办", exact=True)).to_be_visible()  # 营商环境, not 生态环境
    screenshot("phone", viewport=PHONE)

    chips = page.get_by_role("navigation", name="按政策领域筛选")
    expect(chips.get_by_role("link", name="全部", exact=True)).to_have_attribute("aria-current", "true")
    chips.get_by_role("link", name="生态环境", exact=True).click()

    expect(page).to_have_url(re.compile(r"\?category=ecology$"))
    page.wait_for_load_state()  # the whole page is there before counting or asserting what it lacks
    expect(chips.get_by_role("link", name="生态环境", exact=True)).to_have_attribute("aria-current", "true")
    expect(chips.get_by_role("link", name="全部", exact=True)).not_to_have_attribute("aria-current", "true")
    expect(chips.locator("[aria-current]")).to_have_count(1)
    expect(timeline.get_by_role("heading", level=2)).to_have_text("改革时间线：生态环境")
    expect(entries.get_by_role("link", name="河长制", exact=True)).to_be_visible()
    expect(entries.get_by_role("link", name="一件事一次办", exact=True)).to_have_count(0)
    filtered_links = entries.get_by_role("link").count()
    assert 0 < filtered_links < all_links
    filtered_years = [int(text) for text in entries.get_by_role("heading", level=3).all_inner_texts()]
    assert set(filtered_years) <= set(years)


def test_comparing_three_cities_gives_tables_of_exactly_those_cities(page, screenshot):
    page.goto("/compare/")
    picker = page.get_by_role("group", name="选择要比较的城市")
    boxes = picker.get_by_role("checkbox")
    expect(boxes).to_have_count(len(SEED_CITIES))
    for box in boxes.all():
        box.uncheck()
    for name in COMPARED.values():
        picker.get_by_role("checkbox", name=name, exact=True).check()
    picker.get_by_role("button", name="比较", exact=True).click()

    expect(page).to_have_url(re.compile(r"/compare/\?"))
    page.wait_for_load_state()
    assert sorted(query_of(page.url)["cities"]) == sorted(COMPARED)
    for slug, name in COMPARED.items():  # the form shows what is being compared
        expect(picker.get_by_role("checkbox", name=name, exact=True)).to_be_checked()
        assert slug in query_of(page.url)["cities"]

    tables = page.get_by_role("main").get_by_role("table", include_hidden=True)
    assert tables.count() >= 2
    for table in tables.all():
        headers = table.get_by_role("columnheader", include_hidden=True).all_text_contents()
        cities = [header.strip() for header in headers[1:]]
        assert sorted(cities) == sorted(COMPARED.values()), headers

    shared_heading = page.get_by_role("heading", name="共有的改革举措", exact=True)
    expect(shared_heading).to_be_visible()
    shared = page.locator("section").filter(has=shared_heading)
    # "Shared" means adopted by at least two of the compared cities; 河长制 by all three.
    rows = shared.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("rowheader"))
    assert rows.count() >= 1
    for row in rows.all():
        cells = row.get_by_role("cell").all_inner_texts()
        assert len(cells) == len(COMPARED) and sum(cell.startswith("✓") for cell in cells) >= 2, cells
    hezhangzhi = rows.filter(has=page.get_by_role("link", name="河长制", exact=True)).get_by_role("cell")
    assert all(cell.startswith("✓") for cell in hezhangzhi.all_inner_texts())
    screenshot("phone", viewport=PHONE)


def test_initiative_page_lists_the_cities_that_adopted_it(page):
    page.goto("/initiatives/")
    page.get_by_role("main").get_by_role("link", name="河长制", exact=True).click()

    expect(page).to_have_url(re.compile(r"/initiatives/hezhangzhi/$"))
    page.wait_for_load_state()  # the whole page is there before asserting what it lacks
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("河长制")
    expect(main.get_by_role("heading", name=f"采用的城市（{len(HEZHANGZHI_CITIES)}）")).to_be_visible()
    for name in HEZHANGZHI_CITIES:
        expect(main.get_by_role("link", name=name, exact=True).first).to_be_visible()
    for name in set(SEED_CITIES) - HEZHANGZHI_CITIES:
        expect(main.get_by_role("link", name=name, exact=True)).to_have_count(0)


def test_search_from_the_home_page_highlights_the_terms_and_marks_them_in_the_report(page, screenshot):
    page.goto("/")
    page.get_by_role("searchbox", name="全文检索").fill("河长制")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?"))
    page.wait_for_load_state()
    assert query_of(page.url)["q"] == ["河长制"]
    count_text = page.get_by_text(re.compile(r"找到\s*\d+\s*篇报告"))
    expect(count_text).to_be_visible()
    found = int(re.search(r"\d+", count_text.inner_text()).group())
    assert found >= 1
    marks = page.locator("mark")
    expect(marks.first).to_be_visible()
    # 许昌's report says 河湖长制, an alias the search adds (with a notice).
    assert set(marks.all_inner_texts()) == {"河长制", "河湖长制"}
    results = page.get_by_role("listitem").filter(has=marks)
    expect(results).to_have_count(found)
    screenshot("results")

    results.first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/documents/\d+/\?q=.+#hit1$"))
    expect(page.get_by_text(re.compile(r"检索词“河长制”在正文中出现 \d+ 处"))).to_be_visible()
    first_hit = page.locator("mark#hit1")
    expect(first_hit).to_have_text(re.compile(r"^(河长制|河湖长制)$"))
    expect(first_hit).to_be_in_viewport()


def test_every_page_of_the_main_navigation_opens(page, screenshot):
    page.goto("/")
    navigation = page.get_by_role("navigation", name="主导航")
    for name, path, heading in [
        ("城市", "/cities/", "城市"),
        ("改革举措", "/initiatives/", "改革举措"),
        ("比较", "/compare/", "城市比较"),
        ("检索", "/search/", "检索"),
    ]:
        navigation.get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        screenshot(path.strip("/"))
