"""What the search index holds for each report (haystack discovers this module by name)."""

from haystack import indexes

from archive.models import Document, MentionStatus
from archive.text.normalise import normalise


class DocumentIndex(indexes.SearchIndex, indexes.Indexable):
    # The word field (jieba) and the character field hold the same normalised title and body.
    text = indexes.CharField(document=True)
    chars = indexes.CharField()
    document_id = indexes.IntegerField(model_attr="pk")
    city = indexes.CharField(model_attr="city__slug")
    province = indexes.CharField(model_attr="city__province")
    years = indexes.MultiValueField()
    year_start = indexes.IntegerField(null=True)
    categories = indexes.MultiValueField()
    initiatives = indexes.MultiValueField()

    def get_model(self):
        return Document

    def index_queryset(self, using=None):
        return Document.objects.with_city().prefetch_related("mentions__initiative__category")

    def prepare(self, document):
        data = super().prepare(document)
        data["text"] = data["chars"] = normalise(f"{document.title}\n{document.body}")
        return data

    def prepare_years(self, document):
        if document.year_start is None:
            return []
        return [str(year) for year in range(document.year_start, (document.year_end or document.year_start) + 1)]

    def prepare_year_start(self, document):
        return document.year_start or 0

    def _confirmed_mentions(self, document):
        return [m for m in document.mentions.all() if m.status == MentionStatus.CONFIRMED]

    def prepare_categories(self, document):
        return sorted({m.initiative.category.slug for m in self._confirmed_mentions(document)})

    def prepare_initiatives(self, document):
        return sorted({m.initiative.slug for m in self._confirmed_mentions(document)})
