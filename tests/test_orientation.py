"""A newcomer is oriented: city cards say which years the reports cover and how many initiatives
they confirm, and the About page says what the archive holds and how it is made, in both languages."""

import html
import re

import pytest

from archive.models import MentionStatus


def _card(page: str, slug: str) -> str:
    return re.search(rf'<a href="(?:/en)?/cities/{slug}/">(.*?)</a>', page, re.S).group(1)


@pytest.mark.parametrize("url", ["/", "/cities/"])
def test_city_cards_show_years_covered_and_confirmed_initiatives(client, seeded, url):
    page = client.get(url).content.decode()
    zhuzhou = _card(page, "zhuzhou")
    assert "2012–2022" in zhuzhou and "30 项改革举措" in zhuzhou
    assert "2017" in _card(page, "xiangtan") and "–" not in _card(page, "xiangtan")
    english = _card(client.get(f"/en{url}").content.decode(), "changchun")
    assert "2020" in english and "21 initiatives" in english


def test_city_card_counts_confirmed_initiatives_only(seeded):
    from archive.selectors import cities_with_documents

    city = next(city for city in cities_with_documents() if city.slug == "xiangtan")
    confirmed = city.documents.get().mentions.filter(status=MentionStatus.CONFIRMED)
    mention = confirmed.first()
    assert city.initiative_count == confirmed.values("initiative").distinct().count()
    confirmed.filter(initiative=mention.initiative).update(status=MentionStatus.SUGGESTED)
    again = next(city for city in cities_with_documents() if city.slug == "xiangtan")
    assert again.initiative_count == city.initiative_count - 1


def test_api_cities_carry_years_and_initiative_count(client, seeded):
    zhuzhou = next(row for row in client.get("/api/cities/").json()["results"] if row["slug"] == "zhuzhou")
    assert (zhuzhou["first_year"], zhuzhou["last_year"], zhuzhou["initiative_count"]) == (2012, 2022, 30)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/about/",
            ["关于本档案", "来源与选择", "已确认", "不晚于", "#p3", "5 篇报告", 'id="citing"', "/data/"],
        ),
        (
            "/en/about/",
            [
                "About the archive",
                "Sources and selection",
                "the year the passage states",
                "or otherwise the report's year, which means no later than",
                "#p3",
                "5 reports from 5 cities",
                "/en/data/",
            ],
        ),
    ],
)
def test_about_page_explains_the_archive_in_both_languages(client, seeded, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for text in expected:
        assert text in page, text
    assert re.search(r"<code>http://testserver(/en)?/documents/\d+/#p3</code>", page)


def test_every_page_links_the_about_page(client, seeded):
    assert 'href="/about/"' in client.get("/cities/").content.decode()
    assert 'href="/en/about/"' in client.get("/en/initiatives/").content.decode()


def test_about_page_works_on_an_empty_archive(client, db):
    page = client.get("/about/").content.decode()
    assert "0 篇报告" in page and "#p3</code>" not in page


def test_about_page_runs_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # the four counts and the report the citation example uses
        assert client.get("/en/about/").status_code == 200
