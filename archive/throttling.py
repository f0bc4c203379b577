"""Per-client request budgets for anonymous clients, shared by the API and the HTML pages.

DRF's SimpleRateThrottle keeps each client's recent request times in the default cache (shared by
all gunicorn workers, see CACHES); the same classes guard the HTML search and document pages
through the `throttle` decorator, so a client has one budget whichever face it uses. Rates come
from settings.THROTTLE_RATES on every request (DRF would read its own settings once, at import).
Logged-in staff (curators) are not throttled. Over budget: 429 with Retry-After, and a message
in the page's language (JSON `{"error"}` from the API, templates/429.html for pages)."""

import functools
import math

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, throttling
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ScopedThrottle(throttling.SimpleRateThrottle):
    """A budget of requests per client address for one scope of THROTTLE_RATES."""

    scope = "anon"

    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # The same address django-axes counts: behind the proxy, the entry the proxy appended to
        # X-Forwarded-For (DRF's default would trust the whole header, which the client writes).
        return settings.AXES_CLIENT_IP_CALLABLE(request) or ""

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonThrottle(ScopedThrottle):
    scope = "anon"


class SearchThrottle(ScopedThrottle):
    scope = "search"


class ConcordanceThrottle(ScopedThrottle):
    scope = "concordance"


class DocumentThrottle(ScopedThrottle):
    scope = "document"


class ExportThrottle(ScopedThrottle):
    scope = "export"


def retry_after(seconds: float | None) -> int:
    return max(1, math.ceil(seconds or 1))


def throttled_message(seconds: int) -> str:
    return _("请求过于频繁，请在 %(seconds)s 秒后再试。") % {"seconds": seconds}


def throttle(throttle_class: type[ScopedThrottle]):
    """Decorate a page view: over the client's budget for this scope, render the 429 page."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            limiter = throttle_class()
            if limiter.allow_request(request, None):
                return view(request, *args, **kwargs)
            seconds = retry_after(limiter.wait())
            response = render(request, "429.html", {"message": throttled_message(seconds)}, status=429)
            response["Retry-After"] = str(seconds)
            return response

        return wrapped

    return decorator


def exception_handler(exc, context):
    """DRF's handler, with a throttled request answered as `{"error": message}` like the API's other
    refusals, and Retry-After in whole seconds."""
    if isinstance(exc, exceptions.Throttled):
        seconds = retry_after(exc.wait)
        return Response({"error": throttled_message(seconds)}, status=429, headers={"Retry-After": str(seconds)})
    return drf_exception_handler(exc, context)
