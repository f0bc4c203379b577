"""The data behind each page's charts, as plain JSON-able dicts for `json_script`.

The pages draw these with ECharts (static/js/charts.js); the same selector output also renders as
the tables beside each chart, so a reader without JavaScript or with a screen reader loses nothing.
Pure functions of what the selectors return: no queries here.
"""

from django.utils.translation import gettext as _

from archive.display import category_label, city_label
from archive.importing.gazetteer import province_short


def _year_axis(years: list[int]) -> list[int]:
    """Every year from the first to the last, so gaps between reports show as gaps."""
    return list(range(min(years), max(years) + 1)) if years else []


def timeline_chart(timeline, documents) -> dict | None:
    """Per year: initiatives first named, dated statements, and the span each report covers."""
    dated = [document for document in documents if document.year_start]
    years = _year_axis(
        [entry.year for entry in timeline] + [year for d in dated for year in (d.year_start, d.year_end) if year]
    )
    if not years:
        return None
    by_year = {entry.year: entry for entry in timeline}
    return {
        "years": years,
        "anchors": [year in by_year for year in years],
        "series": [
            {
                "name": _("首次提到的改革举措"),
                "data": [len(by_year[y].initiatives) if y in by_year else 0 for y in years],
            },
            {
                "name": _("带年份的陈述"),
                "data": [len(by_year[y].events) if y in by_year else 0 for y in years],
            },
        ],
        "reports": [{"name": d.display_title, "start": d.year_start, "end": d.year_end or d.year_start} for d in dated],
        "reportLabel": _("报告覆盖的年份"),
    }


def category_counts_chart(comparison) -> dict:
    """Initiatives per policy area and city, with where a click on a bar leads."""
    counts = comparison.counts()
    return {
        "categories": [category_label(category) for category, _counts in counts],
        "categorySlugs": [category.slug for category, _counts in counts],
        "cities": [
            {"name": city_label(city), "url": city.get_absolute_url(), "data": [row[i] for _c, row in counts]}
            for i, city in enumerate(comparison.cities)
        ],
    }


def diffusion_chart(diffusion) -> dict | None:
    """Cities adopting by each year (cumulative) and the cities new in that year, those whose year is
    only their report's ("no later than") apart, so the chart can draw them differently."""
    if not diffusion:
        return None
    new_by_year = {year: adoptions for year, _total, adoptions in diffusion}
    years = _year_axis(list(new_by_year))
    cumulative, total = [], 0
    dated, no_later_than = [], []
    for year in years:
        adoptions = new_by_year.get(year, [])
        total += len(adoptions)
        cumulative.append(total)
        dated.append([city_label(a.city) for a in adoptions if not a.no_later_than])
        no_later_than.append([city_label(a.city) for a in adoptions if a.no_later_than])
    return {
        "years": years,
        "cumulative": cumulative,
        "newCities": dated,
        "noLaterThanCities": no_later_than,
        "cumulativeLabel": _("累计城市数"),
        "newLabel": _("当年新采用（年份写明）"),
        "noLaterThanLabel": _("不晚于当年（仅报告年份）"),
    }


def adoption_map_chart(adoptions) -> dict | None:
    """Adopting cities at their gazetteer coordinates, with their earliest year and province; a city
    whose year is only its report's is marked, for a hollow symbol."""
    points = [
        {
            "name": city_label(adoption.city),
            "value": [float(adoption.city.longitude), float(adoption.city.latitude), adoption.earliest_year],
            "yearLabel": adoption.year_label,
            "noLaterThan": adoption.no_later_than,
            "region": province_short(adoption.city.province),
            "url": adoption.city.get_absolute_url(),
        }
        for adoption in adoptions
        if adoption.city.longitude is not None and adoption.city.latitude is not None
    ]
    if not points:
        return None
    return {
        "points": points,
        "unknownYear": _("年份未知"),
        "datedLabel": _("采用年份写明"),
        "noLaterThanLabel": _("仅知不晚于报告年份"),
    }
