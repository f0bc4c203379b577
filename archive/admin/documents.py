"""Reports in the admin: editing metadata and text, uploading files, the review screen where a
curator decides on suggestions and tags passages, and the queue of reports awaiting review."""

from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from archive import selectors
from archive.admin.forms import (
    CandidateForm,
    DocumentAdminForm,
    MentionReviewFormSet,
    TagPassageForm,
    UploadForm,
)
from archive.importing import ReportRejected
from archive.models import Document, DocumentToReview, Mention
from archive.search import batched, drain_quietly
from archive.services import content_hash_of, document_facts_extract, document_import, document_import_from_url
from archive.services.curation import (
    candidate_accept,
    candidate_dismiss,
    document_body_change,
    document_mention_years_refresh,
    document_suggestions_ensure,
    document_suggestions_refresh,
    documents_suggestions_refresh,
    history_record,
    mention_review,
    passage_tag,
)


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    fields = ["initiative", "start", "end", "year", "year_source", "status", "confirmed_by", "confirmed_at"]
    autocomplete_fields = ["initiative"]
    readonly_fields = ["confirmed_by", "confirmed_at"]
    classes = ["collapse"]


def review_link(document) -> str:
    return format_html(
        '<a class="button" href="{}">{}</a>', reverse("admin:archive_document_review", args=[document.pk]), _("审核")
    )


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = ["__str__", "city", "year_start", "year_end", "published_on", "source", "pending", "review"]
    list_filter = ["city__province", "year_start"]
    search_fields = ["title", "city__name", "source", "authors", "original_filename"]
    autocomplete_fields = ["city"]
    readonly_fields = ["content_hash", "original_filename", "fetched_at", "created_at", "updated_at"]
    # The source address is stored as fetched (https or http); a typed one without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MentionInline]
    actions = ["refresh_suggestions"]
    fieldsets = [
        (None, {"fields": ["title", "city", ("year_start", "year_end"), "published_on", "source", "authors"]}),
        (_("来源网页"), {"fields": ["source_url", "fetched_at"]}),
        (_("正文"), {"fields": ["body"]}),
        (
            _("原始文本与导入信息"),
            {
                "classes": ["collapse"],
                "fields": ["raw_text", "extra", "original_filename", "content_hash", "created_at", "updated_at"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("city").with_review_counts()

    @admin.display(description=_("待审核"), ordering="pending_mention_count")
    def pending(self, document):
        return document.pending_mention_count + document.pending_candidate_count

    @admin.display(description=_("审核"))
    def review(self, document):
        return review_link(document)

    def get_urls(self):
        own = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="archive_document_upload"),
            path("<int:pk>/review/", self.admin_site.admin_view(self.review_view), name="archive_document_review"),
        ]
        return own + super().get_urls()

    # --- editing -------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        obj.content_hash = content_hash_of(obj.body)
        obj.raw_text = obj.raw_text or obj.body
        # The text as it was, to move the evidence passages after the edit (see save_related).
        obj._old_body = Document.objects.get(pk=obj.pk).body if change else None
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Mention:
            # A year or source a curator typed in the inline is theirs: dating the report again keeps it.
            for inline_form in formset.forms:
                if {"year", "year_source"} & set(inline_form.changed_data):
                    inline_form.instance.year_curated = True
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        document = form.instance
        if not change:
            with transaction.atomic():
                document_facts_extract(document=document)
                document_suggestions_refresh(document=document)
        elif document._old_body != document.body:
            document_body_change(document=document, old_body=document._old_body, user=request.user)
        elif {"year_start", "year_end"} & set(form.changed_data):
            document_facts_extract(document=document)
            document_mention_years_refresh(document=document)

    @admin.action(description=_("重新生成建议"), permissions=["change"])
    def refresh_suggestions(self, request, queryset):
        counts = documents_suggestions_refresh(documents=queryset)
        added = counts.mentions_added + counts.candidates_added
        self.message_user(request, _("新增建议 %(count)d 条。") % {"count": added}, messages.SUCCESS)

    # --- upload --------------------------------------------------------------------------------

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        results = []
        if request.method == "POST" and form.is_valid():
            # Each file in its own transaction, the index written once for all of them.
            with batched():
                results = [self._import_one(request, file, form) for file in form.cleaned_data["files"]]
                if form.cleaned_data["url"]:
                    results.append(self._import_url(request, form.cleaned_data["url"], form))
            drain_quietly(result["document"].pk for result in results if result["outcome"] == "created")
            form = UploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("上传报告"),
            "form": form,
            "media": self.media + form.media,
            "results": results,
        }
        return TemplateResponse(request, "admin/archive/document/upload.html", context)

    def _import_one(self, request, file, form) -> dict:
        city = form.cleaned_data.get("city")
        try:
            result = document_import(
                data=file.read(),
                filename=file.name,
                city_slug=city.slug if city else None,
                years=form.years,
                source=form.cleaned_data.get("source") or None,
            )
        except (ReportRejected, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            return {"name": file.name, "outcome": "rejected", "message": message}
        document = result.document
        if not result.created:
            return {"name": file.name, "outcome": "duplicate", "document": document}
        history_record(request.user, document, ADDITION, str(_("上传文件 %(name)s") % {"name": file.name}))
        return {
            "name": file.name,
            "outcome": "created",
            "document": document,
            "missing": result.missing_labels,
            "notes": result.notes,
            "pending": document.mentions.suggested().count() + document.candidate_terms.pending().count(),
        }

    def _import_url(self, request, url, form) -> dict:
        city = form.cleaned_data.get("city")
        try:
            result = document_import_from_url(
                url=url,
                city_slug=city.slug if city else None,
                years=form.years,
                source=form.cleaned_data.get("source") or None,
            )
        except (ReportRejected, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            return {"name": url, "outcome": "rejected", "message": message}
        document = result.document
        if not result.created:
            return {"name": url, "outcome": "duplicate", "document": document}
        history_record(request.user, document, ADDITION, str(_("从网址导入 %(url)s") % {"url": url}))
        return {
            "name": url,
            "outcome": "created",
            "document": document,
            "missing": result.missing_labels,
            "notes": result.notes,
            "pending": document.mentions.suggested().count() + document.candidate_terms.pending().count(),
        }

    # --- review --------------------------------------------------------------------------------

    def review_view(self, request, pk):
        document = get_object_or_404(Document.objects.select_related("city"), pk=pk)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        can_change = request.user.has_perm("archive.change_mention") and request.user.has_perm("archive.add_mention")
        tag_form = TagPassageForm(document=document, prefix="tag")
        candidate_error = None
        document_suggestions_ensure(document=document)
        review = selectors.document_review(document)
        mentions = review.suggested + review.confirmed + review.rejected
        formset = MentionReviewFormSet(
            document=document,
            prefix="review",
            initial=[
                {"mention": m.pk, "initiative": m.initiative_id, "year": m.year, "year_source": m.year_source}
                for m in mentions
            ],
        )
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            action = request.POST.get("action")
            if action == "tag":
                tag_form = TagPassageForm(request.POST, document=document, prefix="tag")
                if tag_form.is_valid() and self._tag(request, document, tag_form):
                    return redirect(request.path + "#confirmed")
            elif action == "review":
                formset = MentionReviewFormSet(request.POST, document=document, prefix="review")
                if formset.is_valid() and self._apply_review(request, document, formset):
                    return redirect(request.path)
            elif action == "candidate":
                candidate_form = CandidateForm(request.POST)
                if candidate_form.is_valid() and self._decide_candidate(request, document, candidate_form):
                    return redirect(request.path + "#candidates")
                candidate_error = candidate_form.errors
        # Each mention's row: its form as posted (with its errors) or as first shown. A posted id
        # that is not a number was tampered with; its row is simply not shown.
        rows = {int(value): form for form in formset.forms if str(value := form["mention"].value()).isdigit()}
        for number, group in enumerate(review.candidates):
            group.alias_form = CandidateForm(auto_id=f"id_candidate{number}_%s")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": document,
            "title": _("审核：%(title)s") % {"title": document},
            "document": document,
            "review": review,
            "sections": [
                ("suggested", _("待审核的建议"), [(m, rows.get(m.pk)) for m in review.suggested]),
                ("confirmed", _("已确认"), [(m, rows.get(m.pk)) for m in review.confirmed]),
                ("rejected", _("已否决"), [(m, rows.get(m.pk)) for m in review.rejected]),
            ],
            "formset": formset,
            "tag_form": tag_form,
            "candidate_form": CandidateForm(),
            "candidate_error": candidate_error,
            "can_change": can_change,
            "media": self.media + tag_form.media + formset.media,
        }
        return TemplateResponse(request, "admin/archive/document/review.html", context)

    def _tag(self, request, document, form) -> bool:
        data = form.cleaned_data
        try:
            mention = passage_tag(
                document=document,
                start=data["start"],
                end=data["end"],
                user=request.user,
                initiative=data.get("initiative"),
                new_name=data.get("new_name", ""),
                category=data.get("category"),
                year=data.get("year"),
                year_source=data.get("year_source") or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return False
        self.message_user(request, _("已标注“%(name)s”。") % {"name": mention.initiative.name}, messages.SUCCESS)
        return True

    def _apply_review(self, request, document, formset) -> bool:
        changed = 0
        try:
            with transaction.atomic():
                for form in formset.forms:
                    data = form.cleaned_data
                    changes = mention_review(
                        mention=data["mention"],
                        user=request.user,
                        status=data.get("decision") or None,
                        initiative=data["initiative"],
                        year=data.get("year"),
                        year_source=data.get("year_source") or ...,
                    )
                    changed += bool(changes)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
            return False
        self.message_user(request, _("已保存 %(count)d 条提及的审核结果。") % {"count": changed}, messages.SUCCESS)
        return True

    def _decide_candidate(self, request, document, form) -> bool:
        data = form.cleaned_data
        try:
            if data["choice"] == CandidateForm.DISMISS:
                candidate_dismiss(document=document, normalised_term=data["normalised"], user=request.user)
                self.message_user(request, _("已忽略候选词。"), messages.SUCCESS)
                return True
            initiative = candidate_accept(
                document=document,
                normalised_term=data["normalised"],
                user=request.user,
                initiative=data.get("initiative") if data["choice"] == CandidateForm.ACCEPT_ALIAS else None,
                name=data.get("name", ""),
                category=data.get("category"),
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return False
        self.message_user(request, _("已采纳为“%(name)s”。") % {"name": initiative.name}, messages.SUCCESS)
        return True


@admin.register(DocumentToReview)
class DocumentToReviewAdmin(admin.ModelAdmin):
    """The queue: reports with suggestions nobody has decided on, most waiting first."""

    list_display = ["__str__", "city", "year_start", "pending_mentions", "pending_candidates", "confirmed", "review"]
    list_filter = ["city__province"]
    search_fields = ["title", "city__name", "original_filename"]
    list_display_links = None

    def get_queryset(self, request):
        return (
            Document.objects.awaiting_review()
            .select_related("city")
            .with_review_counts()
            .order_by("-pending_mention_count", "pk")
        )

    @admin.display(description=_("待审核提及"), ordering="pending_mention_count")
    def pending_mentions(self, document):
        return document.pending_mention_count

    @admin.display(description=_("候选新举措"), ordering="pending_candidate_count")
    def pending_candidates(self, document):
        return document.pending_candidate_count

    @admin.display(description=_("已确认"), ordering="confirmed_mention_count")
    def confirmed(self, document):
        return document.confirmed_mention_count

    @admin.display(description=_("审核"))
    def review(self, document):
        return review_link(document)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("archive.view_documenttoreview") or request.user.has_perm("archive.change_mention")
