"""Read-only JSON API."""

import django_filters
from django import forms
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import charts, selectors
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
                                # every time the sentence names (it is listed once, at the earliest)
                                "dates": event.date_labels,
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
            response = super().retrieve(request, *args, **kwargs)
        except Http404:
            # Renamed or merged: the old address keeps answering, as on the HTML pages.
            moved = selectors.initiative_moved_to(kwargs["slug"])
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(reverse("api-initiative-detail", kwargs={"slug": moved.slug}))
        # As the initiative page: each adopting city with its earliest year, how the reports know
        # it, and the evidence passages.
        adoptions, _curve = selectors.initiative_adoptions(selectors.initiative_mentions(self.get_object()))
        response.data["cities"] = [
            {
                "slug": adoption.city.slug,
                "name": adoption.city.name,
                "province": adoption.city.province,
                "first_year": adoption.earliest_year,
                "year_source": adoption.year_source,
                "evidence": [request.build_absolute_uri(m.get_absolute_url()) for m in adoption.mentions],
            }
            for adoption in adoptions
        ]
        response.data["panel"] = request.build_absolute_uri(
            reverse("api-initiative-panel", kwargs={"slug": kwargs["slug"]})
        )
        return response


class CompareAPIView(APIView):
    """Categories × cities, shared and unique initiatives: ?cities=zhuzhou&cities=xiangtan; with
    &category=education, that policy area only and each city's passages in it."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cities",
                str,
                many=True,
                description="城市：拼音标识、简称、全称或行政区划代码；不填则为全部有报告的城市",
            ),
            OpenApiParameter("category", str, description="政策领域标识：只比较这一领域，并列出各城市的证据段落"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        available = list(selectors.cities_with_documents())
        slugs = request.query_params.getlist("cities") or [city.slug for city in available]
        cities, unknown = selectors.cities_for_comparison(slugs)
        if unknown or not cities:
            raise ValidationError({"cities": unknown or ["请至少选择一个城市"]})
        category = selectors.category_or_none(request.query_params.get("category"))
        if request.query_params.get("category") and category is None:
            raise ValidationError({"category": f"未知的政策领域：{request.query_params['category']}"})
        comparison = selectors.cities_compare(cities, category=category)
        colours = charts.city_colours(available)
        per_year = dict(comparison.counts_per_year())

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
                "cities": [
                    {
                        "slug": city.slug,
                        "name": city.name,
                        "colour": colours.get(city.pk),
                        "years_covered": comparison.years_covered[city],
                    }
                    for city in cities
                ],
                "category": category.slug if category else None,
                "categories": [
                    {
                        "slug": each.slug,
                        "name": each.name,
                        "cities": {city.slug: [initiative_json(item) for item in cells[city]] for city in cities},
                        # initiatives ÷ years the city's reports cover: a ten-year report names more
                        "per_year": dict(zip((city.slug for city in cities), per_year[each], strict=True)),
                    }
                    for each, cells in comparison.matrix.items()
                ],
                "passages": {
                    group.city.slug: [
                        {
                            "initiative": initiative.slug,
                            "passage": mention.passage,
                            "year": mention.year,
                            "document": mention.document_id,
                            "paragraph": mention.paragraph_number,
                            "url": mention.get_absolute_url(),
                        }
                        for initiative, mentions in group.initiatives
                        for mention in mentions
                    ]
                    for group in (selectors.cities_category_passages(cities, category) if category else [])
                },
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


# What /api/ lists: (name, URL name, what it gives).
API_ENDPOINTS = [
    (
        "cities",
        "api-city-list",
        gettext_lazy("有报告的城市（拼音标识、名称、省份、行政区划代码）；/api/cities/<标识>/timeline/ 为城市的时间线"),
    ),
    ("documents", "api-document-list", gettext_lazy("报告列表，可按 city 和 year 筛选；单篇报告含正文和改革举措")),
    ("initiatives", "api-initiative-list", gettext_lazy("改革举措及其别名、政策领域和采用的城市")),
    (
        "search",
        "api-search",
        gettext_lazy("全文检索：q、city、province、year、category、initiative、sort、page，带分面计数和高亮片段"),
    ),
    ("compare", "api-compare", gettext_lazy("城市比较：cities 可重复，category 限定一个政策领域")),
]


class ApiRootView(APIView):
    """What the API offers and where: JSON for a program (the default), a page of the site for a
    browser (which asks for text/html), in the language of the address (/api/ or /en/api/)."""

    renderer_classes = [JSONRenderer, TemplateHTMLRenderer]
    template_name = "archive/api_root.html"

    @extend_schema(exclude=True)
    def get(self, request):
        def url(name, **kwargs):
            return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))

        return Response(
            {
                "description": _("地方改革报告档案的只读 API：城市、报告、改革举措、检索与比较，数据均为 JSON。"),
                "endpoints": [
                    {"name": name, "url": url(url_name), "description": str(text)}
                    for name, url_name, text in API_ENDPOINTS
                ],
                "schema": url("api-schema"),
                "docs": url("api-docs"),
                "exports": {
                    "json": url("api-export-json"),
                    "zip": url("api-export-zip"),
                    "data_page": url("data"),
                },
                "pagination": _("列表接受 page 和 page_size（最多 200）；错误的参数返回 400 和说明。"),
            }
        )


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, downloaded as reform-archive-api.yaml (or .json when asked for JSON)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        suffix = "json" if "json" in request.accepted_renderer.format else "yaml"
        response["Content-Disposition"] = f'attachment; filename="reform-archive-api.{suffix}"'
        return response


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files (no CDN). The split view serves its
    start-up script from this same address (?script), so the page needs no inline script."""

    url_name = "api-schema"
    # The site's policy allows nothing but its own origin; Swagger UI's stylesheet draws its icons
    # as data: images, so this page alone also allows those (a Content-Security-Policy set by the
    # view is left alone by the CSP middleware). Scripts and styles stay 'self' only.
    content_security_policy = (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = self.content_security_policy
        return response
