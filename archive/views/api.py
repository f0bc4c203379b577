"""Read-only JSON API."""

import django_filters
from django import forms
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import selectors
from archive.models import Document, Initiative, Mention
from archive.serializers import CitySerializer, DocumentDetailSerializer, DocumentSerializer, InitiativeSerializer


class CityViewSet(viewsets.ReadOnlyModelViewSet):
    """Cities the archive holds reports for, with how many."""

    serializer_class = CitySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.cities_with_documents()

    @extend_schema(
        parameters=[OpenApiParameter("category", str, description="政策领域标识")],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=True)
    def timeline(self, request, slug=None):
        """The city's years with reports, first-named initiatives and dated statements."""
        city = selectors.city_get(slug)
        category = selectors.category_or_none(request.query_params.get("category"))
        if request.query_params.get("category") and category is None:
            raise ValidationError({"category": "未知的政策领域"})
        years = selectors.city_timeline(city, category=category)
        return Response(
            {
                "city": {"slug": city.slug, "name": city.name, "province": city.province},
                "category": category.slug if category else None,
                "years": [
                    {
                        "year": entry.year,
                        "documents": [
                            {"id": d.pk, "title": d.display_title, "url": d.get_absolute_url(), "years": d.year_label}
                            for d in entry.documents
                        ],
                        "initiatives": [
                            {
                                "slug": item.initiative.slug,
                                "name": item.initiative.name,
                                "name_en": item.initiative.name_en,
                                "category": item.initiative.category.slug,
                                "url": item.initiative.get_absolute_url(),
                                "year": item.earliest_year,
                                "year_source": item.year_source,
                            }
                            for item in entry.initiatives
                        ],
                        "events": [
                            {
                                "date": event.date_label,
                                "year": event.year,
                                "year_end": event.year_end,
                                "month": event.month,
                                "day": event.day,
                                "expression": event.expression,
                                "sentence": event.sentence,
                                "url": event.get_absolute_url(),
                            }
                            for event in entry.events
                        ],
                    }
                    for entry in years
                ],
            }
        )


class CityNameField(forms.CharField):
    """A city by any of its names; one that names no city or several is a 400 saying which."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return selectors.city_by_name(value)
        except selectors.CityNameError as error:
            raise forms.ValidationError(str(error)) from error


@extend_schema_field(OpenApiTypes.STR)
class CityNameFilter(django_filters.Filter):
    field_class = CityNameField


class DocumentFilter(django_filters.FilterSet):
    city = CityNameFilter(
        field_name="city",
        help_text="城市：拼音标识（zhuzhou）、简称（株洲）、全称（株洲市）或行政区划代码（430200）",
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
            confirmed = Mention.objects.confirmed().select_related("initiative").order_by("start", "pk")
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

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            # Renamed or merged: the old address keeps answering, as on the HTML pages.
            moved = selectors.initiative_moved_to(kwargs["slug"])
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(reverse("api-initiative-detail", kwargs={"slug": moved.slug}))


class CompareAPIView(APIView):
    """Categories × cities, shared and unique initiatives: ?cities=zhuzhou&cities=xiangtan."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cities",
                str,
                many=True,
                description="城市：拼音标识、简称、全称或行政区划代码；不填则为全部有报告的城市",
            )
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        slugs = request.query_params.getlist("cities") or [city.slug for city in selectors.cities_with_documents()]
        cities, unknown = selectors.cities_for_comparison(slugs)
        if unknown or not cities:
            raise ValidationError({"cities": unknown or ["请至少选择一个城市"]})
        comparison = selectors.cities_compare(cities)

        def initiative_json(item):
            return {
                "slug": item.initiative.slug,
                "name": item.initiative.name,
                "name_en": item.initiative.name_en,
                "earliest_year": item.earliest_year,
                "year_source": item.year_source,
            }

        def figure_json(figure):
            return {
                "value": figure.value,
                "previous": figure.previous,
                "unit": figure.unit,
                "change": figure.change,
                "subject": figure.subject,
                "expression": figure.expression,
                "sentence": figure.sentence,
                "year": figure.year,
                "document": figure.document_id,
                "paragraph": figure.paragraph_number,
            }

        return Response(
            {
                "cities": [{"slug": city.slug, "name": city.name} for city in cities],
                "categories": [
                    {
                        "slug": category.slug,
                        "name": category.name,
                        "cities": {city.slug: [initiative_json(item) for item in cells[city]] for city in cities},
                    }
                    for category, cells in comparison.matrix.items()
                ],
                "shared": [
                    {
                        "slug": initiative.slug,
                        "name": initiative.name,
                        "name_en": initiative.name_en,
                        "category": initiative.category.slug,
                        "earliest_year": {city.slug: item.earliest_year for city, item in years.items()},
                        "year_source": {city.slug: item.year_source for city, item in years.items()},
                    }
                    for initiative, years in comparison.shared
                ],
                "unique": {
                    city.slug: [initiative_json(item) for item in items] for city, items in comparison.unique.items()
                },
                "figures": [
                    {
                        "measure": measure,
                        "cities": {
                            city.slug: [figure_json(figure) for figure in cell]
                            for city, cell in zip(cities, cells, strict=True)
                        },
                    }
                    for measure, cells in selectors.cities_reported_figures(cities)
                ],
            }
        )
