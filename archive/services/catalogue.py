"""Writes: the catalogue of national reform programmes (fixtures/reforms.json).

The curated fixture holds the initiatives the five seed reports name. Reports from other cities name
many reforms those five do not (林长制, 证照分离, 跨省通办 …); most were launched nationally and reach
every city, which is what diffusion research follows. Loaded as initiatives, their names are found by
the same matcher as the curated ones (`suggest_known`), so a curator is shown them as known reforms
with their passage instead of as candidate terms.

The catalogue only adds, and each entry once (`CatalogueEntry`): an initiative a curator already has,
under the same address, name or alias, is left as the curator made it, and one a curator deleted,
merged or renamed after it was loaded, or an alias a curator removed, is not brought back by the next
load (every `make serve`)."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from archive.models import CatalogueEntry, Category, Initiative, InitiativeAlias, InitiativeRedirect
from archive.text.normalise import normalise

REFORM_CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "reforms.json"


class CatalogueError(ValueError):
    pass


@dataclass
class CatalogueCounts:
    initiatives: int = 0
    created: int = 0
    aliases_added: int = 0
    skipped: int = 0


@transaction.atomic
def reform_catalogue_load(*, path: Path = REFORM_CATALOGUE) -> CatalogueCounts:
    """Create the catalogue's initiatives that the archive lacks, with their aliases and relations.
    Idempotent. Needs the categories (curated_fixture_load creates them)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    categories = {category.slug: category for category in Category.objects.all()}
    counts = CatalogueCounts(initiatives=len(data["initiatives"]))
    taken = _names_in_use()
    moved = set(InitiativeRedirect.objects.values_list("old_slug", flat=True))
    existing = set(Initiative.objects.values_list("slug", flat=True))
    loaded = set(CatalogueEntry.objects.values_list("slug", flat=True))
    created: dict[str, Initiative] = {}
    for item in data["initiatives"]:
        if (
            item["slug"] in loaded
            or item["slug"] in existing
            or item["slug"] in moved
            or normalise(item["name"]) in taken
        ):
            counts.skipped += 1
            continue
        category = categories.get(item["category"])
        if category is None:
            raise CatalogueError(f"{item['slug']}: unknown category {item['category']}")
        initiative = Initiative.objects.create(
            slug=item["slug"],
            name=item["name"],
            category=category,
            name_en=item.get("name_en", ""),
            description=item.get("description", ""),
            description_en=item.get("description_en", ""),
        )
        created[item["slug"]] = initiative
        taken.add(normalise(item["name"]))
        counts.created += 1
        counts.aliases_added += _add_aliases(initiative, item.get("aliases", []), taken)
    extra = {
        slug: aliases
        for slug, aliases in data.get("aliases_for_existing", {}).items()
        if _extra_key(slug) not in loaded
    }
    owners = Initiative.objects.in_bulk(extra, field_name="slug")
    for slug, owner in owners.items():
        counts.aliases_added += _add_aliases(owner, extra[slug], taken)
    # Every entry is settled now, created or left to a curator's own initiative, and so is every list of aliases
    # offered to a curated initiative: none is offered again, so what a curator deletes stays deleted.
    settled = [item["slug"] for item in data["initiatives"]] + [_extra_key(slug) for slug in owners]
    CatalogueEntry.objects.bulk_create([CatalogueEntry(slug=key) for key in settled if key not in loaded])
    items = {item["slug"]: item for item in data["initiatives"]}
    wanted = {slug: items[slug].get("related", []) for slug in created}
    by_slug = Initiative.objects.in_bulk({s for slugs in wanted.values() for s in slugs}, field_name="slug")
    for slug, initiative in created.items():
        related = [by_slug[s] for s in wanted[slug] if s in by_slug]
        if related:
            initiative.related.add(*related)
    return counts


def _names_in_use() -> set[str]:
    return {
        normalise(name)
        for name in [
            *Initiative.objects.values_list("name", flat=True),
            *InitiativeAlias.objects.values_list("name", flat=True),
        ]
    }


def _add_aliases(initiative: Initiative, aliases: list[str], taken: set[str]) -> int:
    """Aliases no other initiative uses, by name or alias (a curator's choice stands)."""
    added = 0
    for alias in aliases:
        if normalise(alias) in taken:
            continue
        InitiativeAlias.objects.create(initiative=initiative, name=alias)
        taken.add(normalise(alias))
        added += 1
    return added


def _extra_key(slug: str) -> str:
    """The CatalogueEntry recording that the catalogue's aliases for the curated initiative `slug` were offered."""
    return f"aliases-for-{slug}"
