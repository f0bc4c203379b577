"""Mentions say where their year comes from (stated / context / report), and existing mentions are
dated again by that rule.

Until now a mention's year was its sentence's first dated statement or, failing that, the report's
(last) year. A stored year that this old rule gives was the machine's, and is replaced by the new
rule's year and source (株洲's retrospective: 37 mentions dated 2022 become "no later than 2022").
A stored year the old rule does not give was a curator's correction: it stays, marked curated,
with the source the text supports (`context` if the text does not give it)."""

from django.db import migrations, models


def date_mentions(apps, schema_editor):
    from archive.importing.adoption_years import CONTEXT, MentionYears

    Document = apps.get_model("archive", "Document")
    Mention = apps.get_model("archive", "Mention")
    DatedEvent = apps.get_model("archive", "DatedEvent")
    Initiative = apps.get_model("archive", "Initiative")
    InitiativeAlias = apps.get_model("archive", "InitiativeAlias")

    names: dict[int, list[str]] = {}
    for pk, name in Initiative.objects.values_list("pk", "name"):
        names.setdefault(pk, []).insert(0, name)
    for pk, name in InitiativeAlias.objects.values_list("initiative_id", "name"):
        names.setdefault(pk, []).append(name)

    for document in Document.objects.filter(mentions__isnull=False).distinct().iterator():
        reader = MentionYears(document.body, year_start=document.year_start, year_end=document.year_end)
        events = list(
            DatedEvent.objects.filter(document=document, hidden=False, approximate=False)
            .order_by("start")
            .values_list("start", "end", "year", "year_end")
        )
        fallback = document.year_end or document.year_start

        def old_rule(start, end, events=events, fallback=fallback):
            for event_start, event_end, year, year_end in events:
                if event_start < end and event_end > start:
                    return year_end or year
            return fallback

        changed = []
        for mention in Mention.objects.filter(document=document):
            found = reader.year_of(mention.start, mention.end, names=names.get(mention.initiative_id, ()))
            if mention.year is None or mention.year == old_rule(mention.start, mention.end):
                mention.year, mention.year_source = found.year, found.source
            else:
                mention.year_source = found.source if found.year == mention.year else CONTEXT
                mention.year_curated = True
            changed.append(mention)
        Mention.objects.bulk_update(changed, ["year", "year_source", "year_curated"])


class Migration(migrations.Migration):
    dependencies = [("archive", "0009_curation")]

    operations = [
        migrations.AddField(
            model_name="mention",
            name="year_source",
            field=models.CharField(
                choices=[("stated", "文中写明"), ("context", "上下文"), ("report", "仅报告年份")],
                default="report",
                max_length=8,
                verbose_name="年份依据",
            ),
        ),
        migrations.AddField(
            model_name="mention",
            name="year_curated",
            field=models.BooleanField(default=False, editable=False, verbose_name="年份经人工修订"),
        ),
        migrations.RunPython(date_mentions, migrations.RunPython.noop),
    ]
