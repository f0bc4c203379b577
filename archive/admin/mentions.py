from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from archive.display import candidate_signal_label
from archive.models import CandidateStatus, CandidateTerm, Mention, MentionStatus
from archive.services.curation import candidate_dismiss, mentions_set_status


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = [
        "initiative",
        "document",
        "year",
        "year_source",
        "status",
        "passage_preview",
        "confirmed_by",
        "confirmed_at",
    ]
    list_filter = ["status", "year_source", "initiative__category", "document__city"]
    search_fields = ["initiative__name", "initiative__aliases__name", "document__title", "document__city__name"]
    autocomplete_fields = ["document", "initiative"]
    readonly_fields = ["passage_preview", "confirmed_by", "confirmed_at", "created_at"]
    list_select_related = ["initiative", "document__city", "confirmed_by"]
    actions = ["confirm_selected", "reject_selected"]

    def save_model(self, request, obj, form, change):
        # A year or source a curator typed is theirs: dating the report again keeps it.
        obj.year_curated = obj.year_curated or bool({"year", "year_source"} & set(form.changed_data))
        super().save_model(request, obj, form, change)

    @admin.display(description=_("证据段落"))
    def passage_preview(self, mention):
        passage = mention.passage
        return passage if len(passage) <= 60 else f"{passage[:60]}…"

    def _set_status(self, request, queryset, status):
        changed = mentions_set_status(mentions=queryset.select_related("initiative"), status=status, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d 条提及已更新。", "%(count)d 条提及已更新。", changed) % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("确认所选提及"), permissions=["change"])
    def confirm_selected(self, request, queryset):
        self._set_status(request, queryset, MentionStatus.CONFIRMED)

    @admin.action(description=_("否决所选提及"), permissions=["change"])
    def reject_selected(self, request, queryset):
        self._set_status(request, queryset, MentionStatus.REJECTED)


@admin.register(CandidateTerm)
class CandidateTermAdmin(admin.ModelAdmin):
    """Candidate terms across reports; they are decided on in each report's review screen."""

    list_display = ["term", "signal_label", "document", "status", "initiative", "sentence_preview"]
    list_filter = ["status", "signal", "document__city"]
    search_fields = ["term", "normalised", "document__title", "document__city__name"]
    list_select_related = ["document__city", "initiative"]
    fields = ["term", "signal_label", "document", "status", "initiative", "sentence_preview"]
    readonly_fields = ["term", "signal_label", "document", "initiative", "sentence_preview"]
    actions = ["dismiss_selected"]

    @admin.display(description=_("线索"), ordering="signal")
    def signal_label(self, candidate):
        return candidate_signal_label(candidate.signal)

    @admin.display(description=_("句子"))
    def sentence_preview(self, candidate):
        return candidate.sentence[:80]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("忽略所选候选词"), permissions=["change"])
    def dismiss_selected(self, request, queryset):
        # Through the service, per report and term, so each report's history records it.
        pending = queryset.filter(status=CandidateStatus.PENDING).select_related("document")
        count = sum(
            candidate_dismiss(document=document, normalised_term=normalised, user=request.user)
            for document, normalised in {(c.document, c.normalised) for c in pending}
        )
        self.message_user(request, _("已忽略 %(count)d 个候选词。") % {"count": count}, messages.SUCCESS)
