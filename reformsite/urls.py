from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from archive.views.health import healthz

# Public pages are Chinese at / and English under /en/, so every page has a citable address in
# each language; the admin and the API stay outside the prefix (the API's data is language-neutral).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("archive.urls_api")),
    path("healthz", healthz, name="healthz"),  # for monitors: no language prefix, no session
    *i18n_patterns(path("", include("archive.urls")), prefix_default_language=False),
]

handler400 = "archive.views.errors.bad_request"
handler403 = "archive.views.errors.permission_denied"
handler404 = "archive.views.errors.page_not_found"
handler500 = "archive.views.errors.server_error"
