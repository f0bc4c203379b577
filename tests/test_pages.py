import json

import pytest
from django.urls import reverse

from archive.models import City, Document, Initiative, Mention, MentionStatus

SEED_CITIES = ["株洲", "永州", "湘潭", "许昌", "长春"]


def test_home_shows_what_the_archive_holds_and_all_five_cities(client, seeded):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    for name in SEED_CITIES:
        assert name in page
    assert "<strong>5</strong> 篇报告" in page
    assert 'action="/search/"' in page


def test_city_list_groups_by_province(client, seeded):
    page = client.get(reverse("city-list")).content.decode()
    assert page.index("吉林省") < page.index("长春") < page.index("河南省") < page.index("许昌") < page.index("湖南省")
    assert page.index("湖南省") < page.index("株洲")


def test_city_page_lists_its_reports_and_initiatives(client, seeded):
    page = client.get("/cities/zhuzhou/").content.decode()
    assert "株洲市" in page and "湖南省" in page
    assert "[株洲市改革报告 2012—2022]" in page
    assert "一件事一次办" in page and "河长制" in page
    assert "县管校聘" not in page  # a 许昌 reform


def test_unknown_city_is_404(client, db):
    assert client.get("/cities/atlantis/").status_code == 404


def test_document_page_has_paragraph_anchors_metadata_and_marked_initiatives(client, seeded):
    document = Document.objects.get(city__slug="yongzhou")
    page = client.get(document.get_absolute_url()).content.decode()
    assert 'id="p1"' in page and f'id="p{len(document.paragraphs)}"' in page
    assert "永州日报" in page and "欧春涛、唐斌" in page
    mention = Mention.objects.confirmed().filter(document=document, initiative__slug="yizhaotong").first()
    assert f'<mark id="m{mention.pk}" class="mention" tabindex="0" data-label="一照通">' in page
    assert "频道精选" not in page


def test_document_lists_each_tagged_initiative_once(client, seeded):
    document = Document.objects.get(city__slug="yongzhou")
    page = client.get(document.get_absolute_url()).content.decode()
    chips = page.split('class="doc-initiatives"')[1].split("</section>")[0]
    assert chips.count(">一照通</a>") == 1
    assert Mention.objects.confirmed().filter(document=document, initiative__name="一照通").count() > 1


def test_document_without_a_title_says_its_title_is_supplied(client, seeded):
    page = client.get(Document.objects.get(city__slug="xiangtan").get_absolute_url()).content.decode()
    assert "[湘潭市改革报告 2017]" in page and "补拟" in page


def test_suggested_mentions_are_not_shown_publicly(client, seeded):
    mention = Mention.objects.confirmed().filter(document__city__slug="xuchang").first()
    Mention.objects.filter(pk=mention.pk).update(status=MentionStatus.SUGGESTED)
    page = client.get(mention.document.get_absolute_url()).content.decode()
    assert f'id="m{mention.pk}"' not in page


def test_script_in_document_text_and_title_is_shown_as_text(client, db):
    city = City.objects.get(slug="zhuzhou")
    document = Document.objects.create(
        title="<script>alert(1)</script>标题",
        city=city,
        body="正文<img src=x onerror=alert(2)>第一段\n第二段</p><script>alert(3)</script>",
        raw_text="x",
        content_hash="h",
    )
    page = client.get(document.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_initiative_pages_list_evidence(client, seeded):
    assert "河长制" in client.get("/initiatives/").content.decode()
    page = client.get(Initiative.objects.get(name="河长制").get_absolute_url()).content.decode()
    assert "河湖长制" in page  # alias
    for city in ["株洲", "湘潭", "许昌"]:
        assert city in page


@pytest.mark.parametrize(
    ("url", "max_queries"),
    [("/", 5), ("/cities/", 2), ("/cities/zhuzhou/", 5), ("/initiatives/", 3), ("/initiatives/hezhangzhi/", 6)],
)
def test_pages_run_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries, url, max_queries):
    with django_assert_max_num_queries(max_queries):
        assert client.get(url).status_code == 200


def test_document_page_query_count_does_not_grow_with_mentions(client, seeded, django_assert_max_num_queries):
    document = Document.objects.get(city__slug="zhuzhou")
    assert document.mentions.count() > 20
    with django_assert_max_num_queries(3):
        client.get(document.get_absolute_url())


def test_initiative_page_shows_diffusion_by_earliest_year(client, seeded):
    from archive.selectors import initiative_adoptions, initiative_get, initiative_mentions

    initiative = initiative_get("hezhangzhi")
    adoptions, curve = initiative_adoptions(list(initiative_mentions(initiative)))
    assert [(a.city.slug, a.earliest_year, a.year_source) for a in adoptions] == [
        ("xiangtan", 2017, "report"),
        ("xuchang", 2020, "stated"),  # 2020年,我市将落实“河湖长+检察长”工作机制列入全市河湖长制重点工作台账
        ("zhuzhou", 2022, "report"),
    ]
    assert [(year, total) for year, total, _ in curve] == [(2017, 1), (2020, 2), (2022, 3)]
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "采用的城市（3）" in page and "累计城市数" in page


def test_initiative_page_says_no_later_than_for_a_report_year(client, seeded):
    """A year only the report gives reads 不晚于2022 in the table and the evidence, never a bare 2022."""
    page = client.get("/initiatives/hezhangzhi/").content.decode()
    assert '<td class="year-report">不晚于2022</td>' in page
    assert "不晚于2017" in page and ">2020</td>" in page
    assert '<span class="year-report" title="仅报告年份">不晚于2022</span>' in page
    english = client.get("/en/initiatives/hezhangzhi/").content.decode()
    assert "no later than 2022" in english and "不晚于" not in english.replace("不晚于”", "")


@pytest.mark.parametrize(
    ("url", "charts"),
    [
        ("/cities/zhuzhou/", ["timeline"]),
        ("/compare/?cities=zhuzhou&cities=xiangtan&cities=xuchang", ["category-counts"]),
        ("/initiatives/fangguanfu/", ["adoption-map", "diffusion"]),
    ],
)
def test_chart_pages_embed_their_data_and_load_the_vendored_library(client, seeded, url, charts):
    page = client.get(url).content.decode()
    assert "/static/vendor/echarts-4.9.0/echarts.min.js" in page
    assert "//cdn" not in page and "https://" not in page
    for name in charts:
        assert f'data-chart="{name}"' in page
        script = page.split(f'<script id="{name}-data" type="application/json">', 1)[1].split("</script>", 1)[0]
        assert json.loads(script)  # the data the chart is drawn from, also shown as the table beside it


def test_pages_without_charts_do_not_load_the_chart_library(client, seeded):
    assert "echarts" not in client.get("/").content.decode()
    assert "echarts" not in client.get("/search/?q=河长制").content.decode()
