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


# Qualitative colours for cities, each at least 3:1 against white (WCAG's minimum for graphics).
CITY_PALETTE = [
    "#9b2c2c",
    "#2b6cb0",
    "#2f855a",
    "#b7791f",
    "#6b46c1",
    "#c05621",
    "#319795",
    "#702459",
    "#4a5568",
    "#975a16",
]


def city_colours(archive_cities) -> dict[int, str]:
    """A colour per city (by primary key) that stays the same whichever cities are compared and in
    whatever order: it follows the city's place among the archive's cities (by adcode), so it
    changes only when a city is added to the archive, and cities differ until there are more than
    ten of them."""
    ordered = sorted(archive_cities, key=lambda city: city.adcode)
    return {city.pk: CITY_PALETTE[index % len(CITY_PALETTE)] for index, city in enumerate(ordered)}


def category_counts_chart(comparison, *, colours: dict[int, str], compare_url: str, per_year: bool = False) -> dict:
    """Initiatives per policy area and city, with where a click on a bar leads: that city's passages
    in that area, in the comparison itself (`compare_url` is the comparison's address without a
    category). With `per_year`, the counts are divided by the years each city's reports cover."""
    rows = comparison.counts_per_year() if per_year else comparison.counts()
    return {
        "categories": [category_label(category) for category, _counts in rows],
        "categorySlugs": [category.slug for category, _counts in rows],
        "compareUrl": compare_url,
        "perYear": per_year,
        "cities": [
            {
                "name": city_label(city),
                "slug": city.slug,
                "colour": colours.get(city.pk, CITY_PALETTE[0]),
                "data": [row[i] for _c, row in rows],
            }
            for i, city in enumerate(comparison.cities)
        ],
    }


def diffusion_chart(diffusion, observed: dict[int, int] | None = None) -> dict | None:
    """Cities adopting by each year (cumulative) and the cities new in that year, those whose year is
    only their report's ("no later than") apart, so the chart can draw them differently."""
    if not diffusion:
        return None
    new_by_year = {year: adoptions for year, _total, adoptions in diffusion}
    years = _year_axis(list(new_by_year))
    cumulative, total = [], 0
    dated, no_later_than, share = [], [], []
    for year in years:
        adoptions = new_by_year.get(year, [])
        total += len(adoptions)
        cumulative.append(total)
        dated.append([city_label(a.city) for a in adoptions if not a.no_later_than])
        no_later_than.append([city_label(a.city) for a in adoptions if a.no_later_than])
        seen = (observed or {}).get(year)
        share.append(round(100 * total / seen, 1) if seen else None)
    return {
        "years": years,
        "cumulative": cumulative,
        "newCities": dated,
        "noLaterThanCities": no_later_than,
        "cumulativeLabel": _("累计城市数"),
        "newLabel": _("当年新采用（年份写明）"),
        "noLaterThanLabel": _("不晚于当年（仅报告年份）"),
        "share": share if observed else [],
        "shareLabel": _("占已有报告城市的比例（%）"),
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
