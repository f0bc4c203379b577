"""Adoption panels and cascades on the seed archive: the adopted rows are the initiative pages'
adoptions, each city leaves the panel when it adopts, and uncovered years are marked."""

import csv
import io
import re
from collections import defaultdict

from archive.models import Document, Initiative


def panel(client, url="/api/export/adoption_panel.csv"):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_adopted_rows_match_every_initiative_page(client, seeded):
    rows = panel(client)
    adopted = {(r["initiative"], r["city"], int(r["year"]), r["year_source"]) for r in rows if r["adopted"] == "1"}
    expected = set()
    for initiative in Initiative.objects.filter(mentions__status="confirmed").distinct():
        for city in client.get(f"/api/initiatives/{initiative.slug}/").json()["cities"]:
            if city["first_year"]:
                expected.add((initiative.slug, city["slug"], city["first_year"], city["year_source"]))
    assert adopted == expected and len(adopted) > 50


def test_a_city_leaves_the_panel_the_year_it_adopts_and_years_run_without_gaps(client, seeded):
    rows = panel(client, "/api/initiatives/hezhangzhi/panel.csv")
    by_city = defaultdict(list)
    for row in rows:
        assert row["initiative"] == "hezhangzhi"
        by_city[row["city"]].append(row)
    assert set(by_city) == {"zhuzhou", "yongzhou", "xiangtan", "xuchang", "changchun"}  # every covered city
    for city, city_rows in by_city.items():
        years = [int(r["year"]) for r in city_rows]
        assert years == list(range(years[0], years[-1] + 1))
        flags = [r["adopted"] for r in city_rows]
        assert flags.count("1") <= 1 and ("1" not in flags or flags[-1] == "1"), city
        if "1" in flags:
            assert city_rows[-1]["evidence_url"].startswith("http://testserver/documents/")
            assert int(city_rows[-1]["first_year"]) == years[-1]


def test_covered_marks_years_a_report_covers(client, seeded):
    rows = panel(client, "/api/initiatives/hezhangzhi/panel.csv")
    for row in rows:
        covering = Document.objects.filter(city__slug=row["city"]).covering_year(int(row["year"])).exists()
        assert row["covered"] == ("1" if covering else "0")


def test_prior_adopters_count_the_cities_adopting_before_that_year(client, seeded):
    rows = panel(client, "/api/initiatives/hezhangzhi/panel.csv")
    firsts = {r["city"]: int(r["first_year"]) for r in rows if r["adopted"] == "1"}
    for row in rows:
        year = int(row["year"])
        assert int(row["prior_adopters_national"]) == sum(1 for y in firsts.values() if y < year)
        assert int(row["prior_adopters_province"]) <= int(row["prior_adopters_national"])


def test_cascades_list_each_adoption_once(client, seeded):
    response = client.get("/api/export/adoption_cascades.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["node", "cascade", "time"]
    adopted = {(r["city"], r["initiative"], r["year"]) for r in panel(client) if r["adopted"] == "1"}
    assert {tuple(row) for row in rows[1:]} == adopted


def test_unknown_initiative_panel_is_a_404(client, seeded):
    assert client.get("/api/initiatives/no-such-reform/panel.csv").status_code == 404


def test_data_page_documents_the_panel_columns(client, seeded):
    page = client.get("/data/").content.decode()
    for column in ("prior_adopters_province", "year_source", "evidence_url", "/api/export/adoption_panel.csv"):
        assert column in page


def test_diffusion_is_also_a_share_of_the_cities_with_reports_by_then(client, seeded):
    from archive.selectors import cities_observed_by

    assert cities_observed_by([2011, 2012, 2030]) == {2011: 0, 2012: 1, 2030: 5}  # 株洲's report starts in 2012
    page = client.get("/initiatives/hezhangzhi/").content.decode()
    assert "占已有报告城市" in page
    assert re.search(r"<td>\d+/\d+</td>", page)
