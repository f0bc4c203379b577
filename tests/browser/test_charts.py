"""The charts in a real browser: drawn from the vendored ECharts, offline, and clickable through to
the page they summarise. The tables beside them are tested in tests/test_pages.py."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_chart

pytestmark = pytest.mark.browser


def click_chart_at(page, name: str, finder: str, value) -> None:
    """Click where the chart draws `value` (ECharts' own coordinate conversion, so no guessed pixels)."""
    chart = wait_for_chart(page, name)
    x, y = page.evaluate(
        f"([name, value]) => window.archiveCharts[name].convertToPixel({finder}, value)", [name, value]
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_timeline_chart_spans_the_report_and_a_click_on_a_year_jumps_to_it(page):
    page.goto("/cities/zhuzhou/")
    wait_for_chart(page, "timeline")
    years = page.evaluate("() => window.archiveCharts.timeline.getOption().xAxis[0].data")
    assert years == [str(year) for year in range(2012, 2023)]

    click_chart_at(page, "timeline", "{xAxisIndex: 0, yAxisIndex: 0}", ["2021", 1])

    expect(page).to_have_url(re.compile(r"#y2021$"))
    expect(page.locator("#y2021")).to_be_in_viewport()


def test_category_chart_has_a_bar_series_per_compared_city_and_a_bar_opens_that_citys_passages(page):
    page.goto("/compare/?cities=zhuzhou&cities=xiangtan&cities=xuchang")
    wait_for_chart(page, "category-counts")
    series = page.evaluate("() => window.archiveCharts['category-counts'].getOption().series.map(s => s.name)")
    assert series == ["株洲", "湘潭", "许昌"]
    # with the chart drawn, its table folds away but stays one click off
    expect(page.locator("details.chart-data").first).not_to_have_attribute("open", "")

    # 湘潭's bar in 生态环境 (the sixth category): 4 initiatives
    bar = page.evaluate(
        """() => {
            const chart = window.archiveCharts['category-counts'];
            const layout = chart.getModel().getSeriesByIndex(1).getData().getItemLayout(5);
            return [layout.x + layout.width / 2, layout.y + layout.height / 2];
        }"""
    )
    box = page.locator('div.chart[data-chart="category-counts"]').bounding_box()
    page.mouse.click(box["x"] + bar[0], box["y"] + bar[1])

    # the comparison in that area, at 湘潭's passages
    expect(page).to_have_url(
        re.compile(r"/compare/\?cities=zhuzhou&cities=xiangtan&cities=xuchang&category=ecology#city-xiangtan$")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("城市比较：生态环境")
    column = page.get_by_role("region", name="湘潭", exact=True)
    expect(column).to_be_in_viewport()
    expect(column.get_by_role("heading", level=4, name="河长制")).to_be_visible()


def test_a_city_keeps_its_colour_in_every_comparison(page):
    colours = {}
    for url in ["/compare/?cities=zhuzhou&cities=xuchang", "/compare/?cities=xuchang&cities=changchun&cities=zhuzhou"]:
        page.goto(url)
        wait_for_chart(page, "category-counts")
        option = page.evaluate("() => window.archiveCharts['category-counts'].getOption()")
        for series, colour in zip(option["series"], option["color"], strict=False):
            assert colours.setdefault(series["name"], colour) == colour, (url, series["name"])
    assert len(set(colours.values())) == len(colours) == 3


def test_initiative_map_marks_adopting_cities_and_a_city_opens_its_timeline(page):
    page.goto("/initiatives/hezhangzhi/")
    wait_for_chart(page, "diffusion")
    wait_for_chart(page, "adoption-map")
    series = page.evaluate(
        """() => window.archiveCharts['adoption-map'].getOption().series.map(
            s => [s.name, s.symbol, s.data.map(p => [p.name, p.value])])"""
    )
    points = [point for _name, _symbol, data in series for point in data]
    assert {name for name, _ in points} == {"株洲", "湘潭", "许昌"}
    # Filled where the reports date it (许昌 2020), hollow where only the report's year does.
    (dated, dated_symbol, dated_points), (hollow, hollow_symbol, hollow_points) = series
    assert {name for name, _ in dated_points} == {"许昌"} and {name for name, _ in hollow_points} == {"株洲", "湘潭"}
    assert (dated_symbol, hollow_symbol) == ("circle", "emptyCircle")
    legend = page.evaluate("() => window.archiveCharts['adoption-map'].getOption().legend[0].data")
    assert legend == [dated, hollow]
    diffusion = page.evaluate("() => window.archiveCharts.diffusion.getOption().series.map(s => s.data)")
    cumulative, dated_bars, no_later_than_bars, share = diffusion
    assert cumulative[-1] == 3 and cumulative == sorted(cumulative)
    assert sum(dated_bars) == 1 and sum(no_later_than_bars) == 2
    # Adopters as a share of the cities with reports by then, as the table's last row gives it ("3/4").
    adopted, observed = page.locator("table.diffusion tbody tr").last.locator("td").last.text_content().split("/")
    assert int(adopted) == cumulative[-1] and share[-1] == round(100 * int(adopted) / int(observed), 1)
    assert all(value is None or 0 <= value <= 100 for value in share)

    xuchang = next(value for name, value in points if name == "许昌")
    click_chart_at(page, "adoption-map", "{geoIndex: 0}", xuchang[:2])

    expect(page).to_have_url(re.compile(r"/cities/xuchang/$"))


def test_english_pages_draw_the_same_charts_with_english_labels(page):
    page.goto("/en/compare/?cities=zhuzhou&cities=changchun")
    wait_for_chart(page, "category-counts")
    option = page.evaluate("() => window.archiveCharts['category-counts'].getOption()")
    assert [series["name"] for series in option["series"]] == ["Zhuzhou 株洲", "Changchun 长春"]
    assert "Ecology and environment" in option["yAxis"][0]["data"]
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="中文").click()
    expect(page).to_have_url(re.compile(r"/compare/\?cities=zhuzhou&cities=changchun$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("城市比较")


def test_changchuns_one_year_report_is_named_in_the_legend_not_in_a_clipped_label(page):
    page.goto("/cities/changchun/")
    wait_for_chart(page, "timeline")
    option = page.evaluate("() => window.archiveCharts.timeline.getOption()")
    legend = [item["name"] if isinstance(item, dict) else item for item in option["legend"][0]["data"]]
    assert "报告覆盖的年份" in legend
    spans = [series for series in option["series"] if series.get("markArea", {}).get("data")]
    assert len(spans) == 1 and spans[0]["markArea"]["label"]["show"] is False


def test_neighbouring_cities_on_the_map_are_named_away_from_each_other(page):
    page.goto("/initiatives/hezhangzhi/")
    wait_for_chart(page, "adoption-map")
    sides = page.evaluate(
        """() => Object.fromEntries(window.archiveCharts['adoption-map'].getOption().series
            .flatMap(series => series.data).map(point => [point.name, point.label.position]))"""
    )
    # 株洲 lies just east of 湘潭: 株洲's name goes east, 湘潭's west
    assert sides["株洲"] == "right" and sides["湘潭"] == "left", sides
