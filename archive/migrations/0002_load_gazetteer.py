"""Every database gets the gazetteer, so a report from any prefecture-level city can be imported."""

from pathlib import Path

from django.conf import settings
from django.db import migrations

from archive.importing.gazetteer import read_gazetteer


def load_gazetteer(apps, schema_editor):
    City = apps.get_model("archive", "City")
    entries = read_gazetteer(Path(settings.BASE_DIR) / "fixtures" / "gazetteer")
    existing = set(City.objects.values_list("adcode", flat=True))
    City.objects.bulk_create(
        City(
            adcode=e.adcode,
            name=e.name,
            short_name=e.short_name,
            slug=e.slug,
            province=e.province,
            level=e.level,
            longitude=e.longitude or None,
            latitude=e.latitude or None,
        )
        for e in entries
        if e.adcode not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(load_gazetteer, migrations.RunPython.noop)]
