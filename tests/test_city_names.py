"""A city is named the way a researcher writes it: slug, short or full name, traditional
characters or adcode, in the import command, the pages and the API; an ambiguous name is an
error that lists the cities it could mean, never a server error."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Document
from archive.selectors import CityNameError, cities_by_name, city_by_name
from tests.conftest import SEED_DIR

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("zhuzhou", "zhuzhou"),
        ("Zhuzhou", "zhuzhou"),
        ("株洲", "zhuzhou"),
        ("株洲市", "zhuzhou"),
        (" 株洲市 ", "zhuzhou"),
        ("430200", "zhuzhou"),
        ("430200000000", "zhuzhou"),
        ("長春", "changchun"),
        ("長春市", "changchun"),
        ("Xi'an", "xian"),
        ("延边", "yanbian"),  # 延边朝鲜族自治州's short name
        ("fuzhou-jiangxi", "fuzhou-jiangxi"),
        ("吉林", "jilin"),  # the city, not the province
    ],
)
def test_a_city_is_found_by_any_of_its_names(text, slug):
    assert city_by_name(text).slug == slug


def test_a_pinyin_two_cities_share_is_an_error_listing_both():
    """No two prefecture-level units share a Chinese name (朝阳 is only 辽宁's: Beijing's is a
    district); five pinyin are shared: fuzhou, suzhou, taizhou, yichun, yulin."""
    with pytest.raises(CityNameError) as error:
        city_by_name("fuzhou")
    message = str(error.value)
    assert "福州市（fuzhou-fujian，福建省）" in message and "抚州市（fuzhou-jiangxi，江西省）" in message
    assert city_by_name("朝阳").province == "辽宁省"


@pytest.mark.parametrize("text", ["atlantis", "株", "", "99", "<script>", "zhuzhou-", "株" * 5000])
def test_a_name_of_no_city_is_an_error_saying_how_to_name_one(text):
    with pytest.raises(CityNameError, match="未知的城市"):
        city_by_name(text)


def test_several_names_resolve_in_one_query_in_order_and_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        cities, errors = cities_by_name(["湘潭", "株洲", "zhuzhou", "suzhou", "nowhere"])
    assert [city.slug for city in cities] == ["xiangtan", "zhuzhou"]
    assert len(errors) == 2 and "苏州市" in errors[0] and "宿州市" in errors[0] and "nowhere" in errors[1]


def test_import_reports_takes_the_chinese_name():
    file = SEED_DIR / "003_70904a6dfc86bffb.txt"  # 许昌's report
    call_command("import_reports", str(file), city="株洲市", stdout=StringIO(), stderr=StringIO())
    assert Document.objects.get().city.slug == "zhuzhou"


def test_import_reports_refuses_an_ambiguous_city_before_importing_anything():
    with pytest.raises(CommandError, match=r"福州市.*抚州市"):
        call_command("import_reports", str(SEED_DIR), city="fuzhou", stdout=StringIO(), stderr=StringIO())
    assert Document.objects.count() == 0


@pytest.mark.parametrize("city", ["株洲", "株洲市", "430200", "zhuzhou"])
def test_api_documents_filter_takes_any_name(client, seeded, city):
    data = client.get("/api/documents/", {"city": city}).json()
    assert [row["city"]["slug"] for row in data["results"]] == ["zhuzhou"]


@pytest.mark.parametrize(("city", "expected"), [("fuzhou", "抚州市"), ("atlantis", "atlantis")])
def test_api_documents_bad_city_is_a_400_naming_the_problem(client, seeded, city, expected):
    response = client.get("/api/documents/", {"city": city})
    assert response.status_code == 400 and expected in str(response.json()["city"])


def test_compare_page_and_api_take_chinese_names(client, seeded):
    page = client.get("/compare/", {"cities": ["株洲", "許昌市"]})
    assert page.status_code == 200
    assert [city.slug for city in page.context["comparison"].cities] == ["zhuzhou", "xuchang"]
    data = client.get("/api/compare/", {"cities": ["株洲", "430300"]}).json()
    assert [city["slug"] for city in data["cities"]] == ["zhuzhou", "xiangtan"]


def test_compare_with_an_ambiguous_city_is_a_400_listing_the_choices(client, seeded):
    page = client.get("/en/compare/", {"cities": ["zhuzhou", "yulin"]})
    assert page.status_code == 400
    text = page.content.decode()
    assert "could mean several cities" in text and "Yulin 榆林市 (yulin-shanxi, Shaanxi 陕西省)" in text
    api = client.get("/api/compare/", {"cities": ["yulin"]})
    assert api.status_code == 400 and "榆林市" in str(api.json()["cities"])


def test_the_schema_declares_the_documents_city_filter_a_string(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/documents/"]["get"]["parameters"]
    city = next(parameter for parameter in parameters if parameter["name"] == "city")
    assert city["schema"]["type"] == "string"


def test_the_search_page_turns_a_city_name_into_its_slug(client, seeded):
    """So the address is the one to cite, and the selected facet can be switched off again."""
    response = client.get("/en/search/", {"q": "改革", "city": ["株洲", "zhuzhou"]})
    assert response.status_code == 302
    assert response["Location"] == "/en/search/?q=%E6%94%B9%E9%9D%A9&city=zhuzhou"
