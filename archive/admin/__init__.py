"""The curators' admin: content of the archive only (users and groups stay with superusers).

`documents`: reports, upload, the review screen and queue; `initiatives`: initiatives, aliases,
merges and splits; `mentions`: mentions and candidate terms with bulk decisions; `extracted`: what
is read off the text (dated events, figures) and the gazetteer."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from archive.admin import documents, extracted, initiatives, mentions  # noqa: F401  (registers the admins)

admin.site.site_header = _("地方改革报告档案 · 管理")
admin.site.site_title = _("改革报告档案")
admin.site.index_title = _("整理与标注")
