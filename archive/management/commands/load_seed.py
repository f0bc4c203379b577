"""Import the five seed reports, load the curated categories, initiatives and mentions and the catalogue of
national reform programmes. Idempotent."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.models import Document
from archive.services import (
    SEED_DIR,
    curated_fixture_load,
    document_events_extract,
    document_figures_extract,
    documents_suggestions_refresh,
    reform_catalogue_load,
    seed_manifest,
)


class Command(BaseCommand):
    help = "导入种子报告，加载人工整理的政策领域、改革举措和提及以及全国改革目录（可重复运行，不会产生重复数据）。"

    def handle(self, *args, **options):
        for entry in seed_manifest():
            overrides = {key: entry[key] for key in ("city", "source") if key in entry}
            if "years" in entry:
                overrides["year"] = entry["years"]
            call_command(
                "import_reports", str(SEED_DIR / entry["file"]), stdout=self.stdout, stderr=self.stderr, **overrides
            )
        counts = curated_fixture_load()
        catalogue = reform_catalogue_load()
        # Reports imported before event or figure extraction existed get them now.
        for document in Document.objects.filter(events__isnull=True):
            document_events_extract(document=document)
        for document in Document.objects.filter(figures__isnull=True):
            document_figures_extract(document=document)
        # Now that the curated and catalogued initiatives are known, propose their other mentions in the seeds.
        seed_files = [entry["file"] for entry in seed_manifest()]
        suggested = documents_suggestions_refresh(documents=Document.objects.filter(original_filename__in=seed_files))
        self.stdout.write(
            f"人工整理数据：政策领域 {counts['categories']}，改革举措 {counts['initiatives']}，"
            f"提及 {counts['mentions']}（新增 {counts['mentions_created']}）；"
            f"全国改革目录：{catalogue.initiatives} 项（新增 {catalogue.created}）；"
            f"待审核建议：新增提及 {suggested.mentions_added}，新增候选词 {suggested.candidates_added}"
        )
