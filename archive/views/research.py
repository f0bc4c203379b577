"""The research instrument: the concordance page, its JSON API and its CSV download.

All three take the same parameters (the search's query and filters, plus sort, width, page), so a
link reproduces what a researcher saw."""

import csv
import io

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.research.concordance import SORTS, ConcordanceForm, concordance, concordance_collocates, csv_rows
from archive.throttling import AnonThrottle, ConcordanceThrottle, throttle

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

    def stream():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        for row in csv_rows(form.cleaned_data, base_url=base_url, generated=timezone.now()):
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reform-archive-concordance-{stamp}.csv"'
    return response


def _bad_request(form) -> HttpResponseBadRequest:
    messages = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return HttpResponseBadRequest(messages, content_type="text/plain; charset=utf-8")
