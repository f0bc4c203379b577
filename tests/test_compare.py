"""Cross-city comparison: categories × cities, shared initiatives lined up, what is unique."""

import pytest

from archive.models import City
from archive.selectors import cities_compare


def compare(*slugs):
    cities = [City.objects.get(slug=slug) for slug in slugs]
    return cities_compare(cities)


def test_shared_initiatives_are_lined_up_with_each_citys_earliest_year(seeded):
    comparison = compare("zhuzhou", "xiangtan", "xuchang")
    shared = {
        initiative.name: {city.slug: item.earliest_year for city, item in years.items()}
        for initiative, years in comparison.shared
    }
    assert shared["河长制"] == {"zhuzhou": 2022, "xiangtan": 2017, "xuchang": 2020}
    sources = {
        city.slug: item.year_source
        for initiative, years in comparison.shared
        for city, item in years.items()
        if initiative.name == "河长制"
    }
    assert sources == {"zhuzhou": "report", "xiangtan": "report", "xuchang": "stated"}
    assert set(shared["放管服"]) == {"zhuzhou", "xiangtan", "xuchang"}
    assert "县管校聘" not in shared  # 许昌 only


def test_unique_initiatives_belong_to_one_city(seeded):
    comparison = compare("zhuzhou", "xuchang")
    unique = {city.slug: {item.initiative.name for item in items} for city, items in comparison.unique.items()}
    assert "县管校聘" in unique["xuchang"] and "土地码" in unique["zhuzhou"]
    assert not unique["xuchang"] & unique["zhuzhou"]


def test_matrix_has_every_category_and_city(seeded):
    comparison = compare("yongzhou", "changchun")
    assert len(comparison.matrix) == 15
    assert all(set(cells) == set(comparison.cities) for cells in comparison.matrix.values())
    education = next(cells for category, cells in comparison.matrix.items() if category.slug == "education")
    assert sum(len(items) for items in education.values()) == sum(
        counts[0] + counts[1] for c, counts in comparison.counts() if c.slug == "education"
    )


def test_compare_page_with_three_cities(client, seeded):
    page = client.get("/compare/", {"cities": ["zhuzhou", "xiangtan", "xuchang"]}).content.decode()
    assert "共有的改革举措" in page and "河长制" in page and "各城市独有" in page
    assert page.count('type="checkbox"') == 5 and page.count("checked") == 3


def test_compare_defaults_to_every_city_with_reports(client, seeded):
    assert client.get("/compare/").content.decode().count("checked") == 5


@pytest.mark.parametrize("url", ["/compare/?cities=atlantis", "/api/compare/?cities=atlantis"])
def test_unknown_city_is_a_400_with_a_message(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 400 and "atlantis" in response.content.decode()


def test_compare_api(client, seeded):
    data = client.get("/api/compare/", {"cities": ["zhuzhou", "yongzhou"]}).json()
    assert [city["slug"] for city in data["cities"]] == ["zhuzhou", "yongzhou"]
    assert any(item["name"] == "放管服" for item in data["shared"])
    assert len(data["categories"]) == 15


def test_comparison_of_all_cities_runs_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    # cities with reports, cities picked, categories, mention counts, their initiatives, the years the
    # reports cover (for counts per year), reported figures
    with django_assert_max_num_queries(7):
        assert client.get("/compare/").status_code == 200


def test_comparison_in_one_policy_area_runs_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    # as above, plus the category named and the cities' passages in it
    with django_assert_max_num_queries(9):
        response = client.get("/compare/", {"category": "education"})
    assert response.status_code == 200


def test_reported_figures_line_up_the_same_measure_across_cities(seeded):
    from archive.selectors import cities_reported_figures

    cities = [City.objects.get(slug=slug) for slug in ["zhuzhou", "yongzhou", "xiangtan", "xuchang", "changchun"]]
    rows = dict(cities_reported_figures(cities))
    # every city reports how many reform tasks it did, so that row comes first and is full
    assert next(iter(rows)) == "改革任务"
    assert [[figure.value_label for figure in cell] for cell in rows["改革任务"]] == [
        ["896项"],
        ["175项"],
        ["213项"],
        ["150项"],
        ["1165项"],
    ]
    approvals = rows["行政审批事项"][3][0]
    assert approvals.value_label == "822→98项" and approvals.year == 2020
    assert "行政审批事项已由822项减至98项" in approvals.sentence
    assert rows["行政审批事项"][0] == []  # 株洲 states no such figure


def test_compare_page_shows_reported_figures_linked_to_their_sentence(client, seeded):
    from archive.models import ReportedFigure

    page = client.get("/compare/", {"cities": ["xuchang", "changchun"]}).content.decode()
    assert "报告中的数字" in page
    assert "822→98项" in page and "1165项" in page and "352个" in page
    figure = ReportedFigure.objects.get(measure="行政审批事项", document__city__slug="xuchang")
    assert f'href="{figure.get_absolute_url()}"' in page


def test_hidden_figures_are_not_compared(client, seeded):
    from archive.models import ReportedFigure

    ReportedFigure.objects.filter(measure="行政审批事项").update(hidden=True)
    assert "822→98项" not in client.get("/compare/", {"cities": ["xuchang"]}).content.decode()


def test_compare_api_has_reported_figures(client, seeded):
    data = client.get("/api/compare/", {"cities": ["xuchang", "changchun"]}).json()
    figures = {row["measure"]: row["cities"] for row in data["figures"]}
    (approvals,) = figures["行政审批事项"]["xuchang"]
    assert (approvals["previous"], approvals["value"], approvals["unit"]) == (822, 98, "项")
    assert approvals["change"] == "reduced" and approvals["paragraph"] >= 1
    assert figures["改革任务"]["changchun"][0]["value"] == 1165


def test_comparison_in_one_policy_area_shows_each_citys_passages_linked_to_their_marks(client, seeded):
    from archive.models import Mention

    page = client.get("/compare/", {"cities": ["zhuzhou", "xuchang"], "category": "education"}).content.decode()
    assert 'id="city-zhuzhou"' in page and 'id="city-xuchang"' in page
    education = Mention.objects.confirmed().filter(
        initiative__category__slug="education", document__city__slug__in=["zhuzhou", "xuchang"]
    )
    assert education.exists()
    for mention in education:
        assert f'href="{mention.get_absolute_url()}"' in page  # /documents/N/#mNN
        assert f'id="{mention.document.city.slug}-{mention.initiative.slug}"' in page
    assert "县管校聘" in page  # 许昌's education initiative
    # only that policy area: no initiative of another one
    assert "河长制" not in page.split("共有的改革举措")[0]


def test_unknown_policy_area_is_a_400_with_a_message(client, seeded):
    for url in ["/compare/", "/api/compare/"]:
        response = client.get(url, {"cities": ["zhuzhou"], "category": "astrology"})
        assert response.status_code == 400 and "astrology" in response.content.decode()


def test_matrix_cells_lead_to_the_citys_passages_in_the_comparison(client, seeded):
    page = client.get("/compare/", {"cities": ["zhuzhou", "xuchang"]}).content.decode()
    matrix = page.split("领域 × 城市")[1]
    assert "/compare/?cities=zhuzhou&amp;cities=xuchang&amp;category=education#xuchang-xianguanxiaopin" in matrix
    assert "/initiatives/" not in matrix


def test_per_year_counts_state_the_caveat(client, seeded):
    page = client.get("/compare/", {"cities": ["zhuzhou", "xuchang"], "per": "year"}).content.decode()
    assert "2012—2022（11 年）" in page and "2020（1 年）" in page
    assert "总数不宜直接比较" in page and "/年" in page


def test_compare_api_in_one_policy_area(client, seeded):
    data = client.get("/api/compare/", {"cities": ["zhuzhou", "xuchang"], "category": "education"}).json()
    assert data["category"] == "education" and [c["slug"] for c in data["categories"]] == ["education"]
    assert {city["slug"]: len(city["years_covered"]) for city in data["cities"]} == {"zhuzhou": 11, "xuchang": 1}
    assert all(city["colour"].startswith("#") for city in data["cities"])
    passages = data["passages"]["xuchang"]
    assert passages and all("#m" in item["url"] and item["passage"] for item in passages)
    assert any(item["initiative"] == "xianguanxiaopin" for item in passages)
