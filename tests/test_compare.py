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
        initiative.name: {city.slug: year for city, year in years.items()} for initiative, years in comparison.shared
    }
    assert shared["河长制"] == {"zhuzhou": 2022, "xiangtan": 2017, "xuchang": 2020}
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
    with django_assert_max_num_queries(5):
        assert client.get("/compare/").status_code == 200
