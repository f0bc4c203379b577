from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from archive.models import Category, City, DatedEvent, Document, Initiative, InitiativeAlias, Mention, ReportedFigure
from archive.services import content_hash_of

admin.site.site_header = _("地方改革报告档案 · 管理")
admin.site.site_title = _("改革报告档案")
admin.site.index_title = _("整理与标注")


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "province", "level", "adcode"]
    list_filter = ["level", "province"]
    search_fields = ["name", "short_name", "slug", "province", "adcode"]
    ordering = ["adcode"]


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    fields = ["initiative", "start", "end", "year", "status", "confirmed_by", "confirmed_at"]
    autocomplete_fields = ["initiative"]
    readonly_fields = ["confirmed_by", "confirmed_at"]


class DocumentAdminForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = [
            "title",
            "city",
            "year_start",
            "year_end",
            "published_on",
            "source",
            "authors",
            "body",
            "raw_text",
            "extra",
        ]

    def clean_body(self):
        """The body decides the content hash; a body another report already has is a duplicate."""
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        duplicate = Document.objects.filter(content_hash=content_hash_of(body)).exclude(pk=self.instance.pk).first()
        if duplicate:
            raise forms.ValidationError(
                _("与已有报告 #%(pk)s《%(title)s》正文相同。") % {"pk": duplicate.pk, "title": duplicate}
            )
        return body


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = ["__str__", "city", "year_start", "year_end", "published_on", "source", "updated_at"]
    list_filter = ["city__province", "year_start"]
    search_fields = ["title", "city__name", "source", "authors", "original_filename"]
    autocomplete_fields = ["city"]
    readonly_fields = ["content_hash", "original_filename", "created_at", "updated_at"]
    inlines = [MentionInline]

    def save_model(self, request, obj, form, change):
        obj.content_hash = content_hash_of(obj.body)
        obj.raw_text = obj.raw_text or obj.body
        super().save_model(request, obj, form, change)

    fieldsets = [
        (None, {"fields": ["title", "city", ("year_start", "year_end"), "published_on", "source", "authors"]}),
        (_("正文"), {"fields": ["body"]}),
        (
            _("原始文本与导入信息"),
            {
                "classes": ["collapse"],
                "fields": ["raw_text", "extra", "original_filename", "content_hash", "created_at", "updated_at"],
            },
        ),
    ]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class InitiativeAliasInline(admin.TabularInline):
    model = InitiativeAlias
    extra = 1


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category"]
    list_filter = ["category"]
    search_fields = ["name", "slug", "aliases__name", "description"]
    autocomplete_fields = ["category", "related"]
    inlines = [InitiativeAliasInline]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["initiative", "document", "year", "status", "passage_preview", "confirmed_by", "confirmed_at"]
    list_filter = ["status", "initiative__category", "document__city"]
    search_fields = ["initiative__name", "initiative__aliases__name", "document__title", "document__city__name"]
    autocomplete_fields = ["document", "initiative"]
    readonly_fields = ["passage_preview", "confirmed_by", "confirmed_at", "created_at"]
    list_select_related = ["initiative", "document__city", "confirmed_by"]

    @admin.display(description=_("证据段落"))
    def passage_preview(self, mention):
        passage = mention.passage
        return passage if len(passage) <= 60 else f"{passage[:60]}…"


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
