"""The curated fixture is research data: every claim in it must be checkable against the seeds."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from archive.text.normalise import normalise
from tests.conftest import SEED_DIR, SEED_FILES

FIXTURE = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "curated.json").read_text(encoding="utf-8"))
INITIATIVES = {item["slug"]: item for item in FIXTURE["initiatives"]}


def test_slugs_are_unique_and_url_safe():
    slugs = [item["slug"] for item in FIXTURE["initiatives"]] + [item["slug"] for item in FIXTURE["categories"]]
    assert len(slugs) == len(set(slugs))
    assert all(re.fullmatch(r"[a-z0-9-]+", slug) for slug in slugs)


def test_every_name_and_alias_is_unique_after_normalisation():
    names = [normalise(name) for item in FIXTURE["initiatives"] for name in [item["name"], *item.get("aliases", [])]]
    assert len(names) == len(set(names))


def test_references_resolve():
    categories = {item["slug"] for item in FIXTURE["categories"]}
    for item in FIXTURE["initiatives"]:
        assert item["category"] in categories
        assert all(slug in INITIATIVES for slug in item.get("related", []))
    for mention in FIXTURE["mentions"]:
        assert mention["initiative"] in INITIATIVES
        assert mention["seed_file"] in SEED_FILES.values()


@pytest.mark.parametrize("mention", FIXTURE["mentions"], ids=lambda m: f"{m['seed_file'][:3]}-{m['initiative']}")
def test_passage_is_quoted_from_one_line_and_names_the_initiative(mention):
    lines = (SEED_DIR / mention["seed_file"]).read_text(encoding="utf-8").splitlines()
    assert sum(mention["passage"] in line for line in lines) == 1
    initiative = INITIATIVES[mention["initiative"]]
    assert any(
        normalise(name) in normalise(mention["passage"])
        for name in [initiative["name"], *initiative.get("aliases", [])]
    )
    assert 2010 <= mention["year"] <= 2025


@pytest.mark.parametrize("seed_file", SEED_FILES.values())
def test_each_city_has_at_least_eight_tagged_initiatives(seed_file):
    per_file = defaultdict(set)
    for mention in FIXTURE["mentions"]:
        per_file[mention["seed_file"]].add(mention["initiative"])
    assert len(per_file[seed_file]) >= 8
