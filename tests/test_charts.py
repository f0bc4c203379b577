"""The data each page's charts are drawn from (archive/charts.py), on the seed reports."""

import json
from pathlib import Path

import pytest

from archive import charts, selectors
from archive.models import City

CHINA_MAP = Path(__file__).resolve().parent.parent / "static" / "vendor" / "echarts-4.9.0" / "china.json"


def test_timeline_chart_spans_every_year_of_zhuzhous_report(seeded):
    city = City.objects.get(slug="zhuzhou")
    documents = list(selectors.city_documents(city))
    timeline = selectors.city_timeline(city, documents=documents)
    chart = charts.timeline_chart(timeline, documents)

    assert chart["years"] == list(range(2012, 2023))  # gaps between reports stay on the axis
    assert chart["reports"] == [{"name": documents[0].display_title, "start": 2012, "end": 2022}]
    initiatives, events = chart["series"]
    assert sum(initiatives["data"]) == sum(len(entry.initiatives) for entry in timeline)
    assert sum(events["data"]) == sum(len(entry.events) for entry in timeline)
    # only years that have an entry on the page are click targets
    assert [year for year, anchored in zip(chart["years"], chart["anchors"], strict=True) if anchored] == [
        entry.year for entry in timeline
    ]


def test_timeline_chart_is_absent_without_any_dated_content(db):
    assert charts.timeline_chart([], []) is None


def test_category_counts_chart_matches_the_comparison_matrix(seeded):
    cities, _ = selectors.cities_for_comparison(["zhuzhou", "xiangtan", "xuchang"])
    comparison = selectors.cities_compare(cities)
    colours = charts.city_colours(selectors.cities_with_documents())
    chart = charts.category_counts_chart(comparison, colours=colours, compare_url="/compare/?cities=zhuzhou")

    assert [city["name"] for city in chart["cities"]] == ["株洲", "湘潭", "许昌"]
    assert len(chart["categories"]) == len(chart["categorySlugs"]) == len(comparison.categories)
    for column, city in zip(chart["cities"], cities, strict=True):
        assert column["slug"] == city.slug and column["colour"] == colours[city.pk]
        assert sum(column["data"]) == sum(len(comparison.matrix[c][city]) for c in comparison.categories)
    assert chart["compareUrl"] == "/compare/?cities=zhuzhou" and not chart["perYear"]


def test_per_year_counts_divide_by_the_years_the_reports_cover(seeded):
    """株洲's one report covers 2012—2022 (11 years), 许昌's 2020: the chart can put them on one footing."""
    cities, _ = selectors.cities_for_comparison(["zhuzhou", "xuchang"])
    comparison = selectors.cities_compare(cities)
    assert [len(comparison.years_covered[city]) for city in cities] == [11, 1]
    chart = charts.category_counts_chart(comparison, colours={}, compare_url="/compare/", per_year=True)
    totals = dict(comparison.counts())
    for index, category in enumerate(comparison.categories):
        zhuzhou, xuchang = (column["data"][index] for column in chart["cities"])
        assert zhuzhou == round(totals[category][0] / 11, 2) and xuchang == totals[category][1]


def test_a_city_keeps_its_colour_whichever_cities_are_compared(seeded):
    archive_cities = list(selectors.cities_with_documents())
    colours = charts.city_colours(archive_cities)
    assert len(set(colours.values())) == len(archive_cities)  # five cities, five colours
    assert charts.city_colours(list(reversed(archive_cities))) == colours  # not the order given
    for slugs in (["zhuzhou", "xuchang"], ["xuchang", "changchun", "zhuzhou"]):
        cities, _ = selectors.cities_for_comparison(slugs)
        chart = charts.category_counts_chart(selectors.cities_compare(cities), colours=colours, compare_url="/")
        assert {column["slug"]: column["colour"] for column in chart["cities"]} == {
            city.slug: colours[city.pk] for city in cities
        }


def test_diffusion_chart_accumulates_the_cities_naming_fangguanfu(seeded):
    initiative = selectors.initiative_get("fangguanfu")
    adoptions, diffusion = selectors.initiative_adoptions(list(selectors.initiative_mentions(initiative)))
    chart = charts.diffusion_chart(diffusion)

    assert chart["years"] == list(range(2017, 2024))
    assert chart["cumulative"][0] == 1 and chart["cumulative"][-1] == 4
    assert chart["cumulative"] == sorted(chart["cumulative"])
    assert chart["newCities"][0] + chart["noLaterThanCities"][0] == ["湘潭"]
    assert sum(len(cities) for cities in chart["newCities"] + chart["noLaterThanCities"]) == len(adoptions)


def test_report_years_are_drawn_apart_in_the_diffusion_chart_and_on_the_map(seeded):
    """许昌's report dates its 河长制 work 2020; 株洲's and 湘潭's only by the report: hollow, "no later than"."""
    initiative = selectors.initiative_get("hezhangzhi")
    adoptions, diffusion = selectors.initiative_adoptions(list(selectors.initiative_mentions(initiative)))
    chart = charts.diffusion_chart(diffusion)
    by_year = dict(zip(chart["years"], zip(chart["newCities"], chart["noLaterThanCities"], strict=True), strict=True))
    assert by_year[2017] == ([], ["湘潭"]) and by_year[2020] == (["许昌"], []) and by_year[2022] == ([], ["株洲"])
    points = {point["name"]: point for point in charts.adoption_map_chart(adoptions)["points"]}
    assert points["株洲"]["noLaterThan"] and points["株洲"]["yearLabel"] == "不晚于2022"
    assert not points["许昌"]["noLaterThan"] and points["许昌"]["yearLabel"] == "2020"


@pytest.mark.parametrize("slug", ["fangguanfu", "hezhangzhi"])
def test_map_points_sit_in_provinces_the_vendored_map_outlines(seeded, slug):
    outlines = {feature["properties"]["name"] for feature in json.loads(CHINA_MAP.read_text("utf-8"))["features"]}
    initiative = selectors.initiative_get(slug)
    adoptions, _ = selectors.initiative_adoptions(list(selectors.initiative_mentions(initiative)))
    chart = charts.adoption_map_chart(adoptions)

    assert len(chart["points"]) == len(adoptions) >= 2
    for point in chart["points"]:
        longitude, latitude, _year = point["value"]
        assert isinstance(longitude, float) and 73 < longitude < 135 and 18 < latitude < 54
        assert point["region"] in outlines


def test_every_gazetteer_province_has_an_outline_on_the_map(db):
    from archive.importing.gazetteer import province_short

    outlines = {feature["properties"]["name"] for feature in json.loads(CHINA_MAP.read_text("utf-8"))["features"]}
    provinces = set(City.objects.values_list("province", flat=True))
    assert len(provinces) >= 31
    assert {province_short(province) for province in provinces} <= outlines
