"""The dataset: the public "download the data" page and the export files under /api/export/.

Exports are streamed: rows are read from the database in chunks and written out as they come, so a
download holds a few hundred rows in memory, not the archive (bench/export_bench.py)."""

from collections.abc import Iterator

from django.http import Http404, StreamingHttpResponse
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


def _download(request, chunks: Iterator[bytes], content_type: str, filename: str) -> StreamingHttpResponse:
    # A HEAD request gets the headers without running the export (gunicorn would drain the body).
    response = StreamingHttpResponse(iter(()) if request.method == "HEAD" else chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _tables(request) -> dict[str, Iterator[dict]]:
    return dataset.dataset_tables_lazily(base_url=request.build_absolute_uri("/").rstrip("/"))


@require_safe
@throttle(ExportThrottle)
def export_json(request):
    chunks = dataset.dataset_json_chunks(_tables(request))
    return _download(request, chunks, "application/json; charset=utf-8", dataset.export_filename("json"))


@require_safe
@throttle(ExportThrottle)
def export_zip(request):
    chunks = dataset.dataset_zip_chunks(_tables(request))
    return _download(request, chunks, "application/zip", dataset.export_filename("zip"))


@require_safe
@throttle(ExportThrottle)
def export_table_csv(request, table):
    if table not in dataset.TABLES_BY_NAME:
        raise Http404(table)
    chunks = dataset.table_csv_chunks(table, _tables(request)[table])
    return _download(request, chunks, "text/csv; charset=utf-8", dataset.export_filename("csv", table=table))
