"""Term trends on the seed archive: points add up to the concordance count, a report spanning
years counts once in the years its sentences name, rates are per 10,000 characters."""

import csv
import io

import pytest

from archive.models import Document


def concordance_count(client, term, **filters) -> int:
    return client.get("/api/concordance/", {"q": term, "page_size": 1, **filters}).json()["count"]


@pytest.mark.parametrize("by", ["year", "province", "city"])
def test_points_add_up_to_the_concordance_count(client, indexed_on, by):
    data = client.get("/api/trends/", {"q": "河长制,改革，营商环境", "by": by}).json()
    assert [series["normalised"] for series in data["terms"]] == ["河长制", "改革", "营商环境"]
    for series in data["terms"]:
        assert series["total"] == sum(p["hits"] for p in series["points"]) == concordance_count(client, series["term"])
        assert series["total"] > 0


def test_a_report_spanning_years_counts_in_the_years_its_sentences_name(client, indexed):
    zhuzhou = Document.objects.get(city__slug="zhuzhou")
    assert (zhuzhou.year_start, zhuzhou.year_end) == (2012, 2022)  # the ten-year retrospective
    # "截至2021年底,全市实现了160个项目拿地即开工" names 2021; sentences naming no year go to 2022.
    data = client.get("/api/trends/", {"q": "拿地即开工,改革", "city": "zhuzhou"}).json()
    named, unnamed = ({p["key"]: p["hits"] for p in series["points"] if p["hits"]} for series in data["terms"])
    assert named["2021"] >= 1 and set(named) <= {"2021", "2022"}
    assert sum(named.values()) == concordance_count(client, "拿地即开工", city="zhuzhou")
    assert unnamed == {"2022": concordance_count(client, "改革", city="zhuzhou")}
    points = data["terms"][0]["points"]
    assert all(2012 <= int(p["key"]) <= 2022 for p in points)
    # Characters are shared out the same way: together they are the report's, once.
    indexed_characters = client.get("/api/trends/", {"q": "改革", "by": "city", "city": "zhuzhou"}).json()
    assert sum(p["characters"] for p in points) == pytest.approx(
        indexed_characters["terms"][0]["points"][0]["characters"], rel=0.01
    )


def test_rate_is_hits_per_ten_thousand_characters(client, indexed):
    data = client.get("/api/trends/", {"q": "改革", "by": "city"}).json()
    for point in data["terms"][0]["points"]:
        assert point["rate"] == pytest.approx(point["hits"] * 10_000 / point["characters"], abs=0.001)
        assert point["reports"] <= 1  # one report per seed city


def test_filters_narrow_the_corpus(client, indexed_on):
    data = client.get("/api/trends/", {"q": "改革", "by": "city", "province": "湖南省"}).json()
    assert {p["key"] for p in data["terms"][0]["points"]} == {"zhuzhou", "yongzhou", "xiangtan"}


def test_page_draws_a_chart_with_a_table_and_says_how_spanning_reports_count(client, indexed):
    page = client.get("/trends/", {"q": "河长制,放管服"}).content.decode()
    assert 'data-chart="trends"' in page and "<table" in page
    assert "只计一次" in page
    assert "/search/?q=%E6%B2%B3%E9%95%BF%E5%88%B6&amp;year=" in page
    english = client.get("/en/trends/", {"q": "河长制,放管服"}).content.decode()
    assert "Term trends" in english and "counts once" in english


def test_csv_has_a_row_per_term_and_point(client, indexed):
    response = client.get("/api/trends/export.csv", {"q": "河长制,放管服", "by": "province"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["# query", "河长制,放管服"] and rows[2][:3] == ["term", "province", "hits"]
    data = client.get("/api/trends/", {"q": "河长制,放管服", "by": "province"}).json()
    assert len(rows) - 3 == sum(len(series["points"]) for series in data["terms"])


@pytest.mark.parametrize(
    "params", [{"q": "改革", "by": "decade"}, {"q": ",".join("一二三四五六七八九")}, {"q": "改革", "year": "x"}]
)
def test_bad_parameters_are_a_400(client, indexed, params):
    assert client.get("/api/trends/", params).status_code == 400
    assert client.get("/trends/", params).status_code == 400
    assert client.get("/api/trends/export.csv", params).status_code == 400
