import pytest

from archive.models import Document


def test_cities_lists_the_five_with_document_counts(client, seeded):
    data = client.get("/api/cities/").json()
    assert data["count"] == 5
    by_slug = {city["slug"]: city for city in data["results"]}
    assert set(by_slug) == {"zhuzhou", "yongzhou", "xiangtan", "xuchang", "changchun"}
    assert by_slug["xuchang"] == by_slug["xuchang"] | {"name": "许昌市", "province": "河南省", "document_count": 1}


def test_documents_filter_by_city(client, seeded):
    data = client.get("/api/documents/?city=zhuzhou").json()
    assert data["count"] == 1
    document = data["results"][0]
    assert document["city"] == {"slug": "zhuzhou", "name": "株洲市"}
    assert (document["year_start"], document["year_end"]) == (2012, 2022)
    assert document["url"] == f"/documents/{document['id']}/"
    assert "body" not in document


def test_documents_filter_by_year_covered(client, seeded):
    slugs = {d["city"]["slug"] for d in client.get("/api/documents/?year=2017").json()["results"]}
    assert slugs == {"zhuzhou", "xiangtan"}  # 株洲 covers 2012—2022


@pytest.mark.parametrize("query", ["city=atlantis", "year=abc", "year=99999"])
def test_bad_filter_values_are_400_with_a_message(client, seeded, query):
    response = client.get(f"/api/documents/?{query}")
    assert response.status_code == 400
    assert response.json()


def test_document_detail_has_text_and_confirmed_mentions(client, seeded):
    document = Document.objects.get(city__slug="xuchang")
    data = client.get(f"/api/documents/{document.pk}/").json()
    assert data["body"] == document.body
    passages = {m["initiative_name"]: m for m in data["mentions"]}
    assert "县管校聘" in passages["县管校聘"]["passage"]
    mention = passages["县管校聘"]
    assert data["body"][mention["start"] : mention["end"]] == mention["passage"]
    assert {m["year_source"] for m in data["mentions"]} <= {"stated", "context", "report"}
    assert (mention["year"], mention["year_source"]) == (2020, "report")


def test_initiatives_with_aliases_and_city_counts(client, seeded):
    """The curated initiatives and the national reform catalogue, over pages of the largest size."""
    pages = [client.get("/api/initiatives/?page_size=200").json()]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
    slugs = [item["slug"] for page in pages for item in page["results"]]
    assert pages[0]["count"] == len(slugs) == len(set(slugs)) > 400 and len(pages) == 3
    assert {"hezhangzhi", "linzhangzhi"} <= set(slugs)
    river = client.get("/api/initiatives/hezhangzhi/").json()
    assert river["aliases"] == ["河湖长制", "湖长制"] and river["city_count"] == 3
    assert river["category"]["name"] == "生态环境"


def test_page_size_is_capped(client, seeded):
    data = client.get("/api/initiatives/?page_size=100000").json()
    assert len(data["results"]) == min(data["count"], 200)
    assert len(client.get("/api/initiatives/?page_size=7").json()["results"]) == 7


def test_api_is_read_only_for_anonymous_clients(client, seeded):
    assert client.post("/api/documents/", {"title": "x"}).status_code in {401, 403, 405}


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/documents/" in response.content
