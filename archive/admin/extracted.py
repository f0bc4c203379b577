from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from archive.models import City, DatedEvent, ReportedFigure
from archive.services.curation import document_mention_years_refresh


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "province", "level", "adcode"]
    list_filter = ["level", "province"]
    search_fields = ["name", "short_name", "slug", "province", "adcode"]
    ordering = ["adcode"]


@admin.register(DatedEvent)
class DatedEventAdmin(admin.ModelAdmin):
    """Curators correct an event's year or hide it; either makes it curated, so re-extraction keeps it."""

    list_display = ["date_label", "document", "expression", "sentence_preview", "hidden", "curated"]
    list_filter = ["hidden", "curated", "approximate", "document__city"]
    search_fields = ["expression", "document__title", "document__city__name"]
    fields = ["document", "year", "year_end", "month", "day", "approximate", "hidden", "expression", "sentence_preview"]
    readonly_fields = ["document", "expression", "sentence_preview"]
    list_select_related = ["document__city"]

    @admin.display(description=_("句子"))
    def sentence_preview(self, event):
        return event.sentence[:80]

    def save_model(self, request, obj, form, change):
        obj.curated = True
        super().save_model(request, obj, form, change)
        # The mentions this sentence dates follow the correction.
        document_mention_years_refresh(document=obj.document)

    def has_add_permission(self, request):
        return False


@admin.register(ReportedFigure)
class ReportedFigureAdmin(admin.ModelAdmin):
    """Curators correct a figure's measure or numbers, or hide a misread one; either makes it
    curated, so re-extraction keeps it."""

    list_display = ["measure", "value_label", "document", "expression", "hidden", "curated"]
    list_filter = ["hidden", "curated", "change", "document__city"]
    search_fields = ["measure", "subject", "expression", "document__title", "document__city__name"]
    fields = ["document", "measure", "subject", "previous", "value", "unit", "change", "hidden", "sentence_preview"]
    readonly_fields = ["document", "subject", "sentence_preview"]
    list_select_related = ["document__city"]

    @admin.display(description=_("句子"))
    def sentence_preview(self, figure):
        return figure.sentence

    def save_model(self, request, obj, form, change):
        obj.curated = True
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        return False
