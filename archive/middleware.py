"""Request-level defences that must act before any view: body size limits, and quiet 4xx logs."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


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
