"""Reports already in the archive get their reported figures, as new imports do."""

from django.db import migrations


def extract_figures(apps, schema_editor):
    from archive.importing.figures import extract_reported_figures

    Document = apps.get_model("archive", "Document")
    ReportedFigure = apps.get_model("archive", "ReportedFigure")
    for document in Document.objects.filter(figures__isnull=True).iterator():
        ReportedFigure.objects.bulk_create(
            ReportedFigure(
                document=document,
                start=f.start,
                end=f.end,
                measure=f.measure[:40],
                subject=f.subject[:60],
                value=f.value,
                previous=f.previous,
                unit=f.unit[:12],
                change=f.change,
                expression=f.expression[:80],
            )
            for f in extract_reported_figures(document.body)
        )


class Migration(migrations.Migration):
    dependencies = [("archive", "0007_reported_figures")]

    operations = [migrations.RunPython(extract_figures, migrations.RunPython.noop)]
