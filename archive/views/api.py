"""Read-only JSON API."""

import django_filters
from django.db.models import Prefetch
from rest_framework import viewsets

from archive import selectors
from archive.models import City, Document, Initiative, Mention
from archive.serializers import CitySerializer, DocumentDetailSerializer, DocumentSerializer, InitiativeSerializer


class CityViewSet(viewsets.ReadOnlyModelViewSet):
    """Cities the archive holds reports for, with how many."""

    serializer_class = CitySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.cities_with_documents()


class DocumentFilter(django_filters.FilterSet):
    city = django_filters.ModelChoiceFilter(
        field_name="city", to_field_name="slug", queryset=City.objects.all(), help_text="城市拼音标识，如 zhuzhou"
    )
    year = django_filters.NumberFilter(method="filter_year", min_value=1949, max_value=2100, help_text="报告所涉年份")

    class Meta:
        model = Document
        fields = ["city", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.covering_year(int(value))


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Reports: the list has metadata, one report also its clean text and confirmed mentions."""

    filterset_class = DocumentFilter

    def get_queryset(self):
        documents = Document.objects.with_city().order_by("city__adcode", "year_start", "pk")
        if self.action == "retrieve":
            confirmed = Mention.objects.confirmed().select_related("initiative").order_by("start")
            return documents.prefetch_related(Prefetch("mentions", queryset=confirmed, to_attr="confirmed_mentions"))
        return documents.defer("body", "raw_text")

    def get_serializer_class(self):
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer


class InitiativeViewSet(viewsets.ReadOnlyModelViewSet):
    """Named reforms, with their aliases and how many cities' reports confirm them."""

    serializer_class = InitiativeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Initiative.objects.with_city_count().select_related("category").prefetch_related("aliases")
