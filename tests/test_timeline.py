"""City timelines: documents, initiatives at the year of their first mention, dated statements."""

import pytest

from archive.models import City, DatedEvent, Document
from archive.selectors import category_or_none, city_timeline


def years_of(slug, category=None):
    return {
        entry.year: entry for entry in city_timeline(City.objects.get(slug=slug), category=category_or_none(category))
    }


def test_zhuzhou_alone_spans_2012_to_2022(seeded):
    timeline = years_of("zhuzhou")
    assert min(timeline) == 2012 and max(timeline) == 2022
    assert timeline[2012].documents and "十八大以来" in [e.expression for e in timeline[2012].events]
    assert any(e.expression == "截至2021年底" for e in timeline[2021].events)
    assert {i.initiative.name for i in timeline[2021].initiatives} >= {"交房即交证", "拿地即开工"}


@pytest.mark.parametrize("slug", ["zhuzhou", "yongzhou", "xiangtan", "xuchang", "changchun"])
def test_every_seed_city_has_documents_initiatives_and_events(seeded, slug):
    timeline = years_of(slug)
    assert any(entry.documents for entry in timeline.values())
    assert sum(len(entry.initiatives) for entry in timeline.values()) >= 8
    # dated sentences, each once (长春's shortest report has four)
    assert sum(len(entry.events) for entry in timeline.values()) >= 4


def test_a_sentence_naming_several_times_is_shown_once_with_all_of_them(seeded):
    """长春's sentence on its three plans was three events: it is one entry, at 2014, with the three spans."""
    timeline = years_of("changchun")
    entries = [e for entry in timeline.values() for e in entry.events if "实施规划" in e.sentence]
    assert len(entries) == 1
    (plans,) = entries
    assert plans.year == 2014 and plans in timeline[2014].events
    assert plans.date_labels == ["2014—2020", "2016—2020", "2018—2022"]
    sentences = [(e.document_id, e.start) for entry in timeline.values() for e in entry.events]
    assert len(sentences) == len(set(sentences))


def test_category_filter_keeps_only_that_area(seeded):
    timeline = years_of("zhuzhou", "ecology")
    initiatives = {i.initiative.name for entry in timeline.values() for i in entry.initiatives}
    assert "河长制" in initiatives and "一件事一次办" not in initiatives


def test_hidden_events_leave_the_timeline_and_curated_ones_survive_reextraction(seeded):
    from archive.services import document_events_extract

    event = DatedEvent.objects.filter(document__city__slug="zhuzhou", expression="去年").get()
    event.hidden = True
    event.curated = True
    event.save()
    assert "去年" not in [e.expression for entry in years_of("zhuzhou").values() for e in entry.events]
    document_events_extract(document=Document.objects.get(city__slug="zhuzhou"))
    assert DatedEvent.objects.get(pk=event.pk).hidden


def test_city_page_shows_the_timeline_with_links_to_paragraphs(client, seeded):
    page = client.get("/cities/zhuzhou/").content.decode()
    assert page.index('id="y2012"') < page.index('id="y2021"') < page.index('id="y2022"')
    assert "截至2021年底,全市实现了160个项目拿地即开工" in page
    assert "/documents/" in page and "#p" in page


def test_unknown_category_is_404_on_the_page_and_400_in_the_api(client, seeded):
    assert client.get("/cities/zhuzhou/", {"category": "nope"}).status_code == 404
    assert client.get("/api/cities/zhuzhou/timeline/", {"category": "nope"}).status_code == 400


def test_timeline_api(client, seeded):
    data = client.get("/api/cities/xuchang/timeline/").json()
    assert data["city"]["name"] == "许昌市"
    year_2020 = next(entry for entry in data["years"] if entry["year"] == 2020)
    assert year_2020["documents"][0]["url"].startswith("/documents/")
    assert "xianguanxiaopin" in {i["slug"] for i in year_2020["initiatives"]}
    river = next(i for i in year_2020["initiatives"] if i["slug"] == "hezhangzhi")
    assert (river["year"], river["year_source"]) == (2020, "stated")
    assert all(event["sentence"] and "#p" in event["url"] for event in year_2020["events"])


def test_city_page_marks_years_only_the_report_gives(client, seeded):
    page = client.get("/cities/zhuzhou/").content.decode()
    assert '<span class="year year-report">不晚于2022</span>' in page  # the initiatives beside the timeline
    assert "不晚于2022</span></li>" in page and ">2021</span>" in page


def test_city_page_query_count_is_fixed(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        assert client.get("/cities/zhuzhou/?category=ecology").status_code == 200
