"""Request-level defences that must act before any view: body size limits, a bound on expensive
requests in flight, and quiet 4xx logs."""

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from archive.throttling import Busy, SlotTicket


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than its part of the site accepts, before it is read.

    Django applies DATA_UPLOAD_MAX_MEMORY_SIZE only when a view reads request.POST or .body, so a
    view that ignores the body (a search is a GET) would otherwise answer a 60 MiB POST after the
    server had taken it all in. The admin may take a report's change form or an upload
    (ADMIN_REQUEST_MAX_BYTES); everything else REQUEST_MAX_BYTES. A body without a declared length
    (Transfer-Encoding: chunked) is refused with 411: Django reads only CONTENT_LENGTH bytes, so
    such a body would be ignored at best."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.ADMIN_REQUEST_MAX_BYTES if self._is_admin(request) else settings.REQUEST_MAX_BYTES
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self._refuse(411, _("请求须注明长度（Content-Length）。"))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._refuse(400, _("请求长度（Content-Length）无效。"))
        if length > limit:
            return self._refuse(
                413, _("请求过大：最多 %(limit)s 字节，收到 %(length)s 字节。") % {"limit": limit, "length": length}
            )
        return self.get_response(request)

    @staticmethod
    def _is_admin(request) -> bool:
        return request.path_info.startswith(settings.ADMIN_URL_PREFIX)

    @staticmethod
    def _refuse(status: int, message: str) -> HttpResponse:
        # No "Connection: close" (a hop-by-hop header, not the application's to send): gunicorn
        # drains an unread body before reusing the connection, within its own time limit.
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


# Views whose work grows with a report's size or with the archive (URL names): a report's page
# (a 90,000-paragraph report takes seconds even without ?q=), searches, concordance, trends and
# every export. The search, concordance and trends pages only with a query: bare, they are forms.
EXPENSIVE_VIEWS = {
    "document-detail",
    "search-feed",
    "api-search",
    "api-search-export",
    "api-concordance",
    "api-concordance-collocates",
    "concordance-csv",
    "api-trends",
    "trends-csv",
    "api-export-adoption-panel",
    "api-export-adoption-cascades",
    "api-initiative-panel",
    "api-export-json",
    "api-export-zip",
    "api-export-table-csv",
}
EXPENSIVE_WITH_QUERY = {"search", "concordance", "trends"}


class ExpensiveRequestLimitMiddleware:
    """At most a few expensive requests in flight per client and per machine; the rest get 429 at
    once (archive/throttling.py).

    Queueing them instead would hold gunicorn's threads, and with them the home page and /healthz,
    for as long as the slowest ran. A place is held until the response is complete: a streamed
    export holds it until its last chunk is sent or the client goes away. Logged-in staff are
    not bounded, as they are not throttled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except BaseException:
            self._release(request)
            raise
        ticket = getattr(request, "expensive_slots", None)
        if ticket is not None:
            if response.streaming:
                response.streaming_content = _ReleasingChunks(response.streaming_content, ticket)
            else:
                ticket.release()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Not at the top: LOGGING imports this module (NoTracebackFor4xx) while settings load, and
        # archive.throttling imports DRF's throttling, whose settings import archive.throttling.
        from archive import throttling

        if not self._is_expensive(request):
            return None
        try:
            request.expensive_slots = throttling.expensive_slots_take(request)
        except throttling.Busy as busy:
            return self._refuse(request, busy)
        return None

    @staticmethod
    def _is_expensive(request) -> bool:
        match = request.resolver_match
        name = match.url_name if match else None
        if name not in EXPENSIVE_VIEWS and not (name in EXPENSIVE_WITH_QUERY and request.GET):
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated and user.is_staff)

    @staticmethod
    def _release(request) -> None:
        ticket = getattr(request, "expensive_slots", None)
        if ticket is not None:
            ticket.release()

    @staticmethod
    def _refuse(request, busy: "Busy") -> HttpResponse:
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"error": busy.message}, status=429, json_dumps_params={"ensure_ascii": False})
        else:
            response = render(request, "429.html", {"message": busy.message, "concurrent": True}, status=429)
        response["Retry-After"] = str(busy.seconds)
        return response


class _ReleasingChunks:
    """A streamed response's chunks; its place is given back after the last one, or when the server
    closes the response early (the client went away), whichever comes first."""

    def __init__(self, chunks, ticket: "SlotTicket"):
        self._chunks = iter(chunks)
        self._ticket = ticket

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._chunks)
        except BaseException:
            self._ticket.release()
            raise

    def close(self) -> None:
        self._ticket.release()


class NoTracebackFor4xx(logging.Filter):
    """Drop the traceback from a log record about a 4xx response.

    Django logs a PermissionDenied (403) or SuspiciousOperation (400) with the exception's
    traceback, which says nothing the status does not and buries real errors in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
