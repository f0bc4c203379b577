"""The catalogue of national reform programmes (fixtures/reforms.json) and its loader."""

import json
import re

import pytest

from archive.models import (
    CatalogueEntry,
    Category,
    Document,
    Initiative,
    InitiativeAlias,
    InitiativeRedirect,
    MentionStatus,
)
from archive.services import (
    REFORM_CATALOGUE,
    CatalogueError,
    curated_fixture_load,
    document_import,
    document_suggestions_refresh,
    reform_catalogue_load,
)
from archive.text.normalise import normalise
from tests.test_curated_fixture import FIXTURE as CURATED

CATALOGUE = json.loads(REFORM_CATALOGUE.read_text(encoding="utf-8"))
CATEGORIES = {item["slug"] for item in CURATED["categories"]}


def _names(items):
    return [normalise(name) for item in items for name in [item["name"], *item.get("aliases", [])]]


def test_every_entry_is_complete_and_addressable():
    slugs = [item["slug"] for item in CATALOGUE["initiatives"]]
    assert len(slugs) >= 100
    assert len(slugs) == len(set(slugs))
    assert not set(slugs) & {item["slug"] for item in CURATED["initiatives"]}
    for item in CATALOGUE["initiatives"]:
        assert re.fullmatch(r"[a-z0-9-]+", item["slug"]), item["slug"]
        assert item["category"] in CATEGORIES, item["slug"]
        assert item["name_en"] and item["description"] and item["description_en"] and item["source"], item["slug"]
        assert len(item["name"]) <= 80 and all(len(alias) <= 80 for alias in item.get("aliases", []))


def test_no_name_or_alias_is_used_twice_across_the_catalogue_and_the_curated_data():
    """A name used twice would be matched for two initiatives, or silently skipped by the loader."""
    extra = [normalise(alias) for aliases in CATALOGUE.get("aliases_for_existing", {}).values() for alias in aliases]
    names = _names(CATALOGUE["initiatives"]) + _names(CURATED["initiatives"]) + extra
    assert len(names) == len(set(names))


def test_related_slugs_and_alias_owners_exist():
    known = {item["slug"] for item in CATALOGUE["initiatives"]} | {item["slug"] for item in CURATED["initiatives"]}
    assert all(slug in known for item in CATALOGUE["initiatives"] for slug in item.get("related", []))
    assert set(CATALOGUE.get("aliases_for_existing", {})) <= {item["slug"] for item in CURATED["initiatives"]}


def test_names_are_written_without_quotation_marks_and_are_distinctive():
    """Reports write “放管服”改革 and 放管服改革 alike; the matcher sees through the marks, a name with them would
    only match the quoted form. A name of one character would match everywhere."""
    for name in _names(CATALOGUE["initiatives"]):
        assert not re.search(r"[“”\"'‘’《》]", name), name
        assert len(name) >= 2, name


# The loader, on a catalogue of its own.

ENTRIES = {
    "aliases_for_existing": {"hezhangzhi": ["河长制度"]},
    "initiatives": [
        {
            "slug": "linzhangzhi",
            "name": "林长制",
            "aliases": ["林长制改革", "林長制度"],
            "name_en": "Forest Chief System",
            "category": "ecology",
            "description": "各级党政领导担任林长，负责森林草原资源保护发展。",
            "description_en": "Party and government leaders serve as forest chiefs.",
            "source": "test",
            "related": ["hezhangzhi", "tianzhangzhi"],
        },
        {
            "slug": "tianzhangzhi",
            "name": "田长制",
            "aliases": [],
            "name_en": "Field Chief System",
            "category": "agriculture-rural",
            "description": "耕地保护田长责任制。",
            "description_en": "Field chiefs answer for farmland protection.",
            "source": "test",
        },
    ],
}


@pytest.fixture
def categories(db):
    for item in CURATED["categories"]:
        Category.objects.create(slug=item["slug"], name=item["name"], order=item["order"])
    Initiative.objects.create(slug="hezhangzhi", name="河长制", category=Category.objects.get(slug="ecology"))


def _catalogue(tmp_path, data=ENTRIES):
    path = tmp_path / "reforms.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_loader_creates_initiatives_with_aliases_and_relations_once(categories, tmp_path):
    path = _catalogue(tmp_path)
    counts = reform_catalogue_load(path=path)
    assert (counts.created, counts.aliases_added, counts.skipped) == (2, 3, 0)
    forest = Initiative.objects.get(slug="linzhangzhi")
    assert forest.category.slug == "ecology" and forest.name_en == "Forest Chief System"
    assert sorted(forest.all_names) == sorted(["林长制", "林长制改革", "林長制度"])
    assert {i.slug for i in forest.related.all()} == {"hezhangzhi", "tianzhangzhi"}
    assert Initiative.objects.get(slug="hezhangzhi").all_names == ["河长制", "河长制度"]

    again = reform_catalogue_load(path=path)
    assert (again.created, again.aliases_added, again.skipped) == (0, 0, 2)
    assert Initiative.objects.count() == 3 and InitiativeAlias.objects.count() == 3


def test_a_curators_initiative_and_alias_stand(categories, tmp_path):
    """A curator who already made 林长制 (under another address) keeps it; an alias a curator gave another
    initiative is not moved; an initiative merged away (its address now a redirect) is not brought back."""
    ecology = Category.objects.get(slug="ecology")
    mine = Initiative.objects.create(slug="lin-zhang", name="林长制", category=ecology, description="curator's")
    InitiativeAlias.objects.create(initiative=Initiative.objects.get(slug="hezhangzhi"), name="河长制度")
    InitiativeRedirect.objects.create(old_slug="tianzhangzhi", initiative=mine)

    counts = reform_catalogue_load(path=_catalogue(tmp_path))
    assert (counts.created, counts.skipped) == (0, 2)
    mine.refresh_from_db()
    assert mine.description == "curator's" and mine.all_names == ["林长制"]
    assert InitiativeAlias.objects.get(name="河长制度").initiative.slug == "hezhangzhi"
    assert not Initiative.objects.filter(slug__in=["linzhangzhi", "tianzhangzhi"]).exists()


def test_an_initiative_a_curator_deleted_is_not_loaded_again(categories, tmp_path):
    path = _catalogue(tmp_path)
    reform_catalogue_load(path=path)
    Initiative.objects.get(slug="tianzhangzhi").delete()
    again = reform_catalogue_load(path=path)
    assert again.created == 0 and not Initiative.objects.filter(slug="tianzhangzhi").exists()
    grown = json.loads(json.dumps(ENTRIES))
    grown["initiatives"].append({**ENTRIES["initiatives"][1], "slug": "hutianzhi", "name": "湖田制"})
    assert reform_catalogue_load(path=_catalogue(tmp_path, grown)).created == 1  # a new entry still comes


def test_an_alias_a_curator_removed_from_a_curated_initiative_is_not_added_again(categories, tmp_path):
    path = _catalogue(tmp_path)
    reform_catalogue_load(path=path)
    InitiativeAlias.objects.get(name="河长制度").delete()
    assert reform_catalogue_load(path=path).aliases_added == 0
    assert Initiative.objects.get(slug="hezhangzhi").all_names == ["河长制"]


def test_an_entry_in_an_unknown_category_is_refused_and_nothing_is_written(categories, tmp_path):
    broken = json.loads(json.dumps(ENTRIES))
    broken["initiatives"][1]["category"] = "no-such-field"
    with pytest.raises(CatalogueError, match="no-such-field"):
        reform_catalogue_load(path=_catalogue(tmp_path, broken))
    assert Initiative.objects.count() == 1 and not InitiativeAlias.objects.exists()
    assert not CatalogueEntry.objects.exists()


def test_the_real_catalogue_loads_over_the_curated_data_and_its_names_are_proposed(seeded):
    """After load_seed (which loads the catalogue), a report naming a catalogued reform in traditional characters
    and inside quotation marks is proposed that initiative, with its passage."""
    assert Initiative.objects.count() == len(CURATED["initiatives"]) + len(CATALOGUE["initiatives"])
    entry = next(item for item in CATALOGUE["initiatives"] if item["slug"] == "linzhangzhi")
    text = f"2021年以来，我市全面推行「{entry['name']}」，由市委書記擔任總林長，全市森林覆蓋率提高到百分之六十。"
    document = document_import(data=text.encode(), filename="lin.txt", city_slug="zhuzhou").document
    document_suggestions_refresh(document=Document.objects.get(pk=document.pk))
    mention = document.mentions.get(initiative__slug="linzhangzhi")
    assert mention.status == MentionStatus.SUGGESTED and "總林長" in mention.passage
    assert mention.year == 2021


def test_curated_fixture_load_leaves_the_catalogue_alone(seeded):
    before = Initiative.objects.count()
    curated_fixture_load()
    assert Initiative.objects.count() == before
