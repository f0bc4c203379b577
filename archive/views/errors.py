"""The site's error pages: in the site's layout and in the language of the address (/en/… is
English), with the navigation and a search box, so a reader who hits one can go on.

Django's own handlers for 400 and 500 render their template without the request, so the layout's
language switch and context processors would be missing; these render with it. The 500 page reads
nothing from the database: it is shown when the database may be what failed."""

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token


def _language(request) -> str:
    return translation.get_language_from_path(request.path_info) or translation.get_language() or "zh-hans"


def _render(request, template: str, status: int):
    with translation.override(_language(request)):
        return render(request, template, {"request_path": request.path}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    return _render(request, "500.html", 500)
