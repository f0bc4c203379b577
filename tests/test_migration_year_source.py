"""Migration 0010 dates existing mentions again and says where each year comes from, keeping years
curators had changed."""

import importlib

from django.apps import apps

from archive.models import Mention

migration = importlib.import_module("archive.migrations.0010_adoption_mention_year_source")


def test_existing_mentions_get_a_source_and_machine_years_are_redated(seeded):
    zhuzhou = Mention.objects.filter(document__city__slug="zhuzhou")
    river = zhuzhou.get(initiative__slug="hezhangzhi", status="confirmed")
    # Before the migration: the old rule's years (the report's 2022 where the sentence names none), every
    # source the column's default; one year a curator had changed.
    zhuzhou.filter(year_source="report").update(year=2022, year_source="stated")
    zhuzhou.filter(year=2021).update(year_source="report")
    by_curator = zhuzhou.exclude(pk=river.pk).filter(year=2022).first()
    Mention.objects.filter(pk=by_curator.pk).update(year=2016)

    migration.date_mentions(apps, None)

    river.refresh_from_db()
    assert (river.year, river.year_source, river.year_curated) == (2022, "report", False)
    # 去年又创新推行“拿地即开工”: the old rule had written 2021 too, now with its source.
    assert zhuzhou.filter(year=2021, year_source="stated").exists()
    assert not zhuzhou.filter(year=2021, year_source="report").exists()
    by_curator.refresh_from_db()
    assert (by_curator.year, by_curator.year_curated) == (2016, True)
    assert by_curator.year_source == "context"
