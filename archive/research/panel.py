"""Adoption panels for event-history analysis, and cascades for network-inference tools.

One row per city × year × initiative, for every city the archive holds reports of, from the city's
first covered year until it adopts (the adoption year is its last row) or, if it never does, until
its last covered year (right-censored there). A year without a report is `covered = 0`: a missing
report is not non-adoption, so models can drop or weight those rows. The adoption year is the
earliest year the confirmed passages give, with how they know it (`year_source`: stated, context,
or report, which means "no later than"). Initiatives no city has adopted are left out.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from archive.models import Document, Initiative, Mention
from archive.selectors import Adoption, cities_with_documents, initiative_adoptions

PANEL_COLUMNS = [
    ("city", _("城市拼音标识")),
    ("adcode", _("城市行政区划代码")),
    ("province", _("所属省份")),
    ("year", _("年份")),
    ("initiative", _("改革举措标识")),
    ("covered", _("该年是否有该市的报告涵盖（1/0）；0 表示缺报告，不等于未采用")),
    ("adopted", _("该市是否在该年采用（1 只出现在采用当年，即该市的最后一行）")),
    ("first_year", _("该市采用的年份（未采用则为空）")),
    ("year_source", _("采用年份的依据：stated 句中写明，context 上下文，report 仅为报告年份（意为“不晚于”）")),
    ("prior_adopters_national", _("该年之前已采用的城市数（全国）")),
    ("prior_adopters_province", _("该年之前已采用的同省城市数")),
    ("evidence_url", _("采用当年那一行：证据段落的地址")),
]
CASCADE_COLUMNS = [
    ("node", _("城市拼音标识")),
    ("cascade", _("改革举措标识")),
    ("time", _("采用年份")),
]


@dataclass(frozen=True)
class PanelRow:
    city: str
    adcode: str
    province: str
    year: int
    initiative: str
    covered: int
    adopted: int
    first_year: int | None
    year_source: str
    prior_adopters_national: int
    prior_adopters_province: int
    evidence_url: str

    def values(self) -> list:
        return [getattr(self, name) if getattr(self, name) is not None else "" for name, _label in PANEL_COLUMNS]


def _covered_years() -> dict[int, set[int]]:
    covered: dict[int, set[int]] = defaultdict(set)
    for city_id, start, end in Document.objects.exclude(year_start=None).values_list(
        "city_id", "year_start", "year_end"
    ):
        covered[city_id].update(range(start, (end or start) + 1))
    return covered


def _adoptions_by_initiative(initiatives) -> dict[Initiative, list[Adoption]]:
    mentions = (
        Mention.objects.confirmed()
        .filter(initiative__in=initiatives)
        .select_related("document__city", "initiative")
        .order_by("initiative__slug", "year", "document__city__adcode", "start", "pk")
    )
    grouped: dict[Initiative, list[Mention]] = defaultdict(list)
    for mention in mentions:
        grouped[mention.initiative].append(mention)
    return {initiative: initiative_adoptions(found)[0] for initiative, found in grouped.items()}


def _evidence(adoption: Adoption) -> str:
    for mention in adoption.mentions:
        if mention.year == adoption.earliest_year:
            return mention.get_absolute_url()
    return adoption.mentions[0].get_absolute_url() if adoption.mentions else ""


def adoption_panel(initiatives=None, *, base_url: str = "") -> Iterator[PanelRow]:
    """Panel rows for these initiatives (all by default), initiative by initiative, city by city."""
    initiatives = initiatives if initiatives is not None else Initiative.objects.all()
    covered = _covered_years()
    cities = {city.pk: city for city in cities_with_documents()}
    for initiative, adoptions in sorted(_adoptions_by_initiative(initiatives).items(), key=lambda x: x[0].slug):
        by_city = {a.city.pk: a for a in adoptions if a.earliest_year}
        first_years = [(a.earliest_year, a.city.province) for a in by_city.values()]
        for city_id, city in sorted(cities.items(), key=lambda item: item[1].adcode):
            years = covered.get(city_id)
            if not years:
                continue
            adoption = by_city.get(city_id)
            first_year = adoption.earliest_year if adoption else None
            start = min(min(years), first_year or 9999)
            end = first_year if first_year else max(years)
            for year in range(start, end + 1):
                adopted = int(year == first_year)
                yield PanelRow(
                    city=city.slug,
                    adcode=city.adcode,
                    province=city.province,
                    year=year,
                    initiative=initiative.slug,
                    covered=int(year in years),
                    adopted=adopted,
                    first_year=first_year,
                    year_source=adoption.year_source if adoption else "",
                    prior_adopters_national=sum(1 for y, _p in first_years if y < year),
                    prior_adopters_province=sum(1 for y, p in first_years if y < year and p == city.province),
                    evidence_url=base_url + _evidence(adoption) if adopted else "",
                )


def adoption_cascades(initiatives=None) -> list[tuple[str, str, int]]:
    """(node, cascade, time): each city's adoption of each initiative, for cascade and
    network-inference tools (NetInf, NetRate), ordered by cascade then time."""
    initiatives = initiatives if initiatives is not None else Initiative.objects.all()
    rows = []
    for initiative, adoptions in _adoptions_by_initiative(initiatives).items():
        rows += [(a.city.slug, initiative.slug, a.earliest_year) for a in adoptions if a.earliest_year]
    return sorted(rows, key=lambda row: (row[1], row[2], row[0]))
