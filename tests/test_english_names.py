"""English pages name initiatives in English with the Chinese beside it; an initiative nobody
has translated yet shows its Chinese name and pinyin, never nothing."""

import json
import re
from pathlib import Path

import pytest

from archive.models import Document, Initiative

CURATED = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "curated.json").read_text("utf-8"))
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
RIVER_CHIEF = 'River Chief System <span lang="zh-Hans">河长制</span>'


def test_every_curated_initiative_has_english_name_and_description():
    names = [item["name_en"] for item in CURATED["initiatives"]]
    assert all(names) and all(item["description_en"] for item in CURATED["initiatives"])
    assert not [name for name in names if IDEOGRAPH.search(name)]
    assert len(set(names)) == len(names)
    by_slug = {item["slug"]: item["name_en"] for item in CURATED["initiatives"]}
    assert by_slug["hezhangzhi"] == "River Chief System"
    assert by_slug["fangguanfu"] == "Streamline administration, delegate power, improve services"
    assert by_slug["xianguanxiaopin"] == "County-managed, school-hired teachers"


def test_load_seed_stores_the_english(seeded):
    river = Initiative.objects.get(slug="hezhangzhi")
    assert river.name_en == "River Chief System" and river.description_en.startswith("A system in which")


@pytest.mark.parametrize(
    "url",
    [
        "/en/initiatives/",
        "/en/initiatives/hezhangzhi/",
        "/en/cities/zhuzhou/",
        "/en/compare/?cities=zhuzhou&cities=xiangtan",
    ],
)
def test_english_pages_name_initiatives_in_english_beside_the_chinese(client, seeded, url):
    page = client.get(url).content.decode()
    assert RIVER_CHIEF in page
    chinese = client.get(url.removeprefix("/en")).content.decode()
    assert "River Chief System" not in chinese and "河长制" in chinese


def test_english_initiative_page_has_the_english_description(client, seeded):
    page = client.get("/en/initiatives/hezhangzhi/").content.decode()
    assert f"<h1>{RIVER_CHIEF}</h1>" in page
    assert '<p class="lead" lang="en">A system in which Party and government leaders' in page
    assert "<title>River Chief System 河长制 · Reform initiatives</title>" in page


def test_english_report_page_chips_name_initiatives_in_english(client, seeded):
    document = Document.objects.get(city__slug="zhuzhou")
    assert RIVER_CHIEF in client.get(f"/en{document.get_absolute_url()}").content.decode()


def test_an_untranslated_initiative_shows_chinese_and_pinyin(client, seeded):
    Initiative.objects.filter(slug="hezhangzhi").update(name_en="", description_en="")
    page = client.get("/en/initiatives/hezhangzhi/").content.decode()
    assert '<h1><span lang="zh-Hans">河长制</span> <span class="pinyin">he zhang zhi</span></h1>' in page
    assert '<p class="lead" lang="zh-Hans">由各级党政负责人担任河长' in page


def test_api_carries_the_english(client, seeded):
    river = client.get("/api/initiatives/hezhangzhi/").json()
    assert river["name_en"] == "River Chief System" and river["description_en"]
    document = Document.objects.get(city__slug="zhuzhou")
    mentions = client.get(f"/api/documents/{document.pk}/").json()["mentions"]
    assert {"河长制": "River Chief System"}.items() <= {
        m["initiative_name"]: m["initiative_name_en"] for m in mentions
    }.items()
    compare = client.get("/api/compare/", {"cities": ["zhuzhou", "xiangtan"]}).json()
    assert any(row["name_en"] == "River Chief System" for row in compare["shared"])


def test_english_search_facets_name_initiatives_in_english(client, indexed):
    page = client.get("/en/search/", {"q": "河长制"}).content.decode()
    assert "River Chief System 河长制" in page


def test_curators_edit_the_english_in_the_admin(admin_client, seeded):
    river = Initiative.objects.get(slug="hezhangzhi")
    page = admin_client.get(f"/admin/archive/initiative/{river.pk}/change/").content.decode()
    assert 'name="name_en"' in page and 'value="River Chief System"' in page and 'name="description_en"' in page
    listing = admin_client.get("/admin/archive/initiative/", {"q": "river chief"}).content.decode()
    assert "河长制" in listing
