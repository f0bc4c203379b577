"""The dataset: the public "download the data" page and the export files under /api/export/."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive import dataset
from archive.throttling import ExportThrottle, throttle


@require_safe
def data_page(request):
    return render(
        request,
        "archive/data.html",
        {"summary": dataset.dataset_summary(), "tables": dataset.TABLES, "json_format": dataset.FORMAT},
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
@throttle(ExportThrottle)
def export_json(request):
    tables = dataset.dataset_tables(base_url=_base_url(request))
    return _attachment(dataset.dataset_json(tables), "application/json; charset=utf-8", dataset.export_filename("json"))


@require_safe
@throttle(ExportThrottle)
def export_zip(request):
    tables = dataset.dataset_tables(base_url=_base_url(request))
    return _attachment(dataset.dataset_zip(tables), "application/zip", dataset.export_filename("zip"))


@require_safe
@throttle(ExportThrottle)
def export_table_csv(request, table):
    if table not in dataset.TABLES_BY_NAME:
        raise Http404(table)
    rows = dataset.dataset_tables(base_url=_base_url(request), only=[table])[table]
    return _attachment(
        dataset.table_csv(table, rows), "text/csv; charset=utf-8", dataset.export_filename("csv", table=table)
    )
