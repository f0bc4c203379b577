"""The textbook setup the issue compares us with: haystack's stock Whoosh backend, its TEXT
fields analysed by jieba's ChineseAnalyzer instead of StemmingAnalyzer (what blog tutorials do by
copying whoosh_backend.py), raw text, no normalisation, auto_query for searching."""

from haystack import indexes
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from jieba.analyse import ChineseAnalyzer
from whoosh.fields import TEXT

from archive.models import Document


class TextbookBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for name, field in list(schema.items()):
            if isinstance(field, TEXT):
                schema.remove(name)
                schema.add(name, TEXT(stored=True, analyzer=ChineseAnalyzer()))
        return content_field_name, schema


class TextbookWhooshEngine(WhooshEngine):
    backend = TextbookBackend


class TextbookIndex(indexes.SearchIndex):
    text = indexes.CharField(document=True)

    def get_model(self):
        return Document

    def index_queryset(self, using=None):
        return Document.objects.order_by("pk")

    def prepare_text(self, document):
        return f"{document.title}\n{document.body}"
