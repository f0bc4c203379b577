"""The research instrument: concordance, trends and search results that leave the site (CSV, Atom).

Each takes the search's query and filters (plus its own sort, width, page …) in the address, so a
link reproduces what a researcher saw."""

import csv
import io
import itertools

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import citations
from archive.dataset.cells import cell_neutralise
from archive.feeds import SearchFeed
from archive.models import Document, Initiative
from archive.research.concordance import (
    SORTS,
    ConcordanceForm,
    concordance,
    concordance_collocates,
    csv_rows,
)
from archive.research.leaving import search_export_rows
from archive.research.panel import CASCADE_COLUMNS, PANEL_COLUMNS, adoption_cascades, adoption_panel
from archive.research.trends import BY, RATE_PER, TrendsForm, term_trends
from archive.search import SearchForm
from archive.throttling import AnonThrottle, ConcordanceThrottle, ExportThrottle, SearchThrottle, throttle

FILTER_NAMES = ("city", "province", "year", "category", "initiative")


@require_safe
@throttle(ConcordanceThrottle)
def concordance_page(request):
    form = ConcordanceForm(request.GET)
    context = {"form": form, "sorts": list(SORTS.items()), "tab": request.GET.get("tab") or "lines"}
    if not form.is_valid():
        return render(request, "archive/concordance.html", {**context, "errors": form.errors}, status=400)
    if context["tab"] == "collocates":
        found = concordance_collocates(form.cleaned_data)
        context.update(result=found.concordance, collocates=found)
    else:
        context["result"] = concordance(form.cleaned_data)
    return render(request, "archive/concordance.html", context)


def _line_json(row) -> dict:
    document = row.document
    return {
        "document": {"id": document.pk, "title": document.display_title, "url": document.get_absolute_url()},
        "city": {"slug": document.city.slug, "name": document.city.name},
        "year": document.year_start,
        "paragraph": row.line.paragraph,
        "left": row.line.left,
        "match": row.line.match,
        "right": row.line.right,
        "url": row.url,
    }


_PARAMETERS = [
    OpenApiParameter("q", str, description="检索词（同检索）；每处出现为一行"),
    *(OpenApiParameter(name, str, many=True) for name in FILTER_NAMES),
    OpenApiParameter("scope", str, enum=["all", "title"], description="all：全文；title：只看标题含检索词的报告"),
    OpenApiParameter("within", str, many=True, description="在结果中检索：只决定哪些报告，索引行仍为 q 中各词"),
    OpenApiParameter("sort", str, enum=list(SORTS)),
    OpenApiParameter("width", int, description="左右语境的字数，5–100"),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int, description="1–200"),
]


class ConcordanceAPIView(APIView):
    throttle_classes = [AnonThrottle, ConcordanceThrottle]

    @extend_schema(
        parameters=_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form = ConcordanceForm(request.GET)
        if not form.is_valid():
            return Response({"errors": form.errors.get_json_data()}, status=400)
        result = concordance(form.cleaned_data)
        if result.unavailable:
            return Response({"error": result.unavailable}, status=503)
        return Response(
            {
                "count": result.count,
                "reports": result.reports_with_lines,
                "page": result.page,
                "page_size": result.page_size,
                "sort": result.sort,
                "width": result.width,
                "notices": result.notices,
                "results": [_line_json(row) for row in result.lines],
            }
        )


class CollocatesAPIView(APIView):
    throttle_classes = [AnonThrottle, ConcordanceThrottle]

    @extend_schema(
        parameters=[*_PARAMETERS[:-4], OpenApiParameter("window", int, description="左右各多少字之内，1–30")],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form = ConcordanceForm(request.GET)
        if not form.is_valid():
            return Response({"errors": form.errors.get_json_data()}, status=400)
        found = concordance_collocates(form.cleaned_data)
        if found.concordance.unavailable:
            return Response({"error": found.concordance.unavailable}, status=503)
        return Response(
            {
                "count": found.concordance.count,
                "window": found.window,
                "results": [
                    {
                        "word": row.word,
                        "count": row.count,
                        "left": row.left,
                        "right": row.right,
                        "frequency": row.frequency,
                        "log_dice": row.log_dice,
                    }
                    for row in found.rows
                ],
            }
        )


@require_safe
@throttle(ConcordanceThrottle)
def concordance_csv(request):
    form = ConcordanceForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    base_url = request.build_absolute_uri("/").rstrip("/")

    rows = csv_rows(form.cleaned_data, base_url=base_url, generated=timezone.now())
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(_csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reform-archive-concordance-{stamp}.csv"'
    return response


def _csv_stream(rows):
    """CSV text a row at a time, UTF-8 with a BOM so Excel and WPS read the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _bad_request(form) -> HttpResponseBadRequest:
    messages = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return HttpResponseBadRequest(messages, content_type="text/plain; charset=utf-8")


def _trends_chart(trends, search_url: str) -> dict:
    """What static/js/charts.js draws: one series per term over the points (years in order)."""
    points = [point for point in trends.points if point.key]
    return {
        "by": trends.by,
        "labels": [point.label for point in points],
        "keys": [point.key for point in points],
        "search_url": search_url,
        "filter": trends.by if trends.by != "year" else "year",
        "series": [
            {
                "name": typed,
                "term": term,
                "rates": [point.rate(term) for point in points],
                "hits": [point.hits[term] for point in points],
            }
            for typed, term in trends.terms
        ],
    }


@require_safe
@throttle(SearchThrottle)
def trends_page(request):
    form = TrendsForm(request.GET)
    context = {"form": form, "by_choices": list(BY.items())}
    if not form.is_valid():
        return render(request, "archive/trends.html", {**context, "errors": form.errors}, status=400)
    trends = term_trends(form)
    context.update(
        by_label=BY[trends.by], trends=trends, chart=_trends_chart(trends, reverse("search")) if trends.points else None
    )
    return render(request, "archive/trends.html", context)


def _trends_json(trends) -> dict:
    return {
        "by": trends.by,
        "rate_per": RATE_PER,
        "terms": [
            {
                "term": typed,
                "normalised": term,
                "total": trends.total(term),
                "points": [
                    {
                        "key": point.key or None,
                        "label": point.label,
                        "hits": point.hits[term],
                        "reports": point.reports[term],
                        "characters": point.characters,
                        "rate": point.rate(term),
                    }
                    for point in trends.points
                ],
            }
            for typed, term in trends.terms
        ],
    }


class TrendsAPIView(APIView):
    throttle_classes = [AnonThrottle, SearchThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="逗号分隔的词，如 河长制,林长制（最多 8 个）"),
            OpenApiParameter("by", str, enum=list(BY)),
            *(OpenApiParameter(name, str, many=True) for name in FILTER_NAMES),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form = TrendsForm(request.GET)
        if not form.is_valid():
            return Response({"errors": form.errors.get_json_data()}, status=400)
        trends = term_trends(form)
        if trends.unavailable:
            return Response({"error": trends.unavailable}, status=503)
        return Response(_trends_json(trends))


@require_safe
@throttle(SearchThrottle)
def trends_csv(request):
    form = TrendsForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    trends = term_trends(form)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["# query", cell_neutralise(form.cleaned_data.get("q") or ""), f"by={trends.by}"])
    writer.writerow(["# generated", timezone.now().isoformat(timespec="seconds")])
    writer.writerow(["term", trends.by, "hits", "reports", "characters", f"rate_per_{RATE_PER}"])
    for typed, term in trends.terms:
        for point in trends.points:
            writer.writerow(
                [
                    cell_neutralise(typed),
                    cell_neutralise(point.label),
                    point.hits[term],
                    point.reports[term],
                    point.characters,
                    point.rate(term),
                ]
            )
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reform-archive-trends-{stamp}.csv"'
    return response


@require_safe
@throttle(SearchThrottle)
def search_export_csv(request):
    """Every report a search finds, with metadata and snippets: /api/search/export.csv?q=…"""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    base_url = request.build_absolute_uri("/").rstrip("/")
    rows = search_export_rows(form.cleaned_data, base_url=base_url, generated=timezone.now())
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(_csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reform-archive-search-{stamp}.csv"'
    return response


@require_safe
@throttle(SearchThrottle)
def search_feed(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    return SearchFeed(form.cleaned_data)(request)


CITATION_TYPES = {
    "gb7714": "text/plain; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


@require_safe
@throttle(AnonThrottle)
def document_citation(request, pk):
    """/api/documents/<id>/citation/?style=gb7714|bibtex|ris|csl-json&paragraph=N: one format as a
    file; without style, all four as JSON (what the 引用 popover shows)."""
    document = get_object_or_404(Document.objects.with_city(), pk=pk)
    style = request.GET.get("style") or ""
    if style and style not in citations.STYLES:
        return JsonResponse(
            {
                "errors": {
                    "style": [
                        _("未知的格式：%(style)s；可用 %(styles)s")
                        % {"style": style, "styles": ", ".join(citations.STYLES)}
                    ]
                }
            },
            status=400,
        )
    paragraph = None
    if request.GET.get("paragraph"):
        count = len(document.paragraphs)
        try:
            paragraph = int(request.GET["paragraph"])
        except ValueError:
            paragraph = 0
        if not 1 <= paragraph <= count:
            return JsonResponse(
                {"errors": {"paragraph": [_("段落应为 1 至 %(count)s 之间的整数") % {"count": count}]}}, status=400
            )
    item = citations.csl_item(
        citations.cited_report(document, base_url=request.build_absolute_uri("/").rstrip("/")),
        paragraph=paragraph,
        accessed=timezone.localdate(),
    )
    if not style:
        return JsonResponse({name.replace("-", "_"): citations.render(item, name) for name in citations.STYLES})
    response = HttpResponse(citations.render(item, style), content_type=CITATION_TYPES[style])
    extension = {"gb7714": "txt", "bibtex": "bib", "ris": "ris", "csl-json": "json"}[style]
    suffix = f"-p{paragraph}" if paragraph else ""
    response["Content-Disposition"] = f'inline; filename="reform-archive-{document.pk}{suffix}.{extension}"'
    return response


def _panel_csv(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@throttle(ExportThrottle)
def adoption_panel_csv(request, slug=None):
    """/api/export/adoption_panel.csv, or one initiative's at /api/initiatives/<slug>/panel.csv."""
    initiatives = None
    name = "adoption-panel"
    if slug is not None:
        initiatives = [get_object_or_404(Initiative, slug=slug)]
        name = f"adoption-panel-{slug}"
    base_url = request.build_absolute_uri("/").rstrip("/")
    header = [[column for column, _label in PANEL_COLUMNS]]
    rows = (row.values() for row in adoption_panel(initiatives, base_url=base_url))
    return _panel_csv(itertools.chain(header, rows), f"reform-archive-{name}-{timezone.localdate().isoformat()}.csv")


@require_safe
@throttle(ExportThrottle)
def adoption_cascades_csv(request):
    rows = itertools.chain([[column for column, _label in CASCADE_COLUMNS]], adoption_cascades())
    return _panel_csv(rows, f"reform-archive-adoption-cascades-{timezone.localdate().isoformat()}.csv")
