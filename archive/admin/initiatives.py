"""Initiatives in the admin: names and aliases (a rename keeps the old address and, by choice, the
old name), merging several into one, and splitting one in two."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from archive.admin.forms import InitiativeAdminForm, MergeForm, SplitForm
from archive.models import Category, Initiative, InitiativeAlias, InitiativeRedirect
from archive.services.curation import (
    initiative_merge,
    initiative_renamed,
    initiative_split,
    names_suggestions_refresh,
    unique_initiative_slug,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class InitiativeAliasInline(admin.TabularInline):
    model = InitiativeAlias
    extra = 1


class InitiativeRedirectInline(admin.TabularInline):
    model = InitiativeRedirect
    extra = 0
    fields = ["old_slug", "reason", "created_at"]
    readonly_fields = ["old_slug", "reason", "created_at"]
    can_delete = False
    verbose_name_plural = _("旧地址（跳转到本项）")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    form = InitiativeAdminForm
    list_display = ["name", "name_en", "slug", "category", "mention_count", "alias_names"]
    list_filter = ["category"]
    search_fields = ["name", "name_en", "slug", "aliases__name", "description"]
    autocomplete_fields = ["category", "related"]
    inlines = [InitiativeAliasInline, InitiativeRedirectInline]
    actions = ["merge_selected"]
    fields = ["name", "keep_old_name", "slug", "category", "description", "name_en", "description_en", "related"]

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("category").prefetch_related("aliases")).annotate(
            mention_total=Count("mentions", distinct=True)
        )

    @admin.display(description=_("提及"), ordering="mention_total")
    def mention_count(self, initiative):
        return initiative.mention_total

    @admin.display(description=_("别名"))
    def alias_names(self, initiative):
        return "、".join(alias.name for alias in initiative.aliases.all())

    def get_urls(self):
        own = [path("<int:pk>/split/", self.admin_site.admin_view(self.split_view), name="archive_initiative_split")]
        return own + super().get_urls()

    def save_model(self, request, obj, form, change):
        old = Initiative.objects.get(pk=obj.pk) if change else None
        obj.slug = obj.slug or unique_initiative_slug(obj.name)
        obj._old_name_slug = (old.name, old.slug) if old else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        initiative = form.instance
        if initiative._old_name_slug:
            old_name, old_slug = initiative._old_name_slug
            initiative_renamed(
                initiative=initiative,
                old_name=old_name,
                old_slug=old_slug,
                user=request.user,
                keep_old_name=form.cleaned_data.get("keep_old_name", False),
            )
        new_names = [
            alias.name
            for formset in formsets
            if formset.model is InitiativeAlias
            for alias in formset.new_objects + [obj for obj, _fields in formset.changed_objects]
        ]
        if not change:
            new_names.append(initiative.name)
        if new_names:
            names_suggestions_refresh(names=new_names)

    # --- merge ---------------------------------------------------------------------------------

    @admin.action(description=_("合并所选举措……"), permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        chosen = list(queryset.annotate(total=Count("mentions")).order_by("-total", "pk"))
        if "apply" in request.POST:
            form = MergeForm(request.POST)
            if form.is_valid():
                target = form.cleaned_data["target"]
                sources = [initiative for initiative in chosen if initiative.pk != target.pk]
                if not sources:
                    form.add_error("target", _("请选择至少两项举措，或合并到另一项举措。"))
                else:
                    with transaction.atomic():
                        results = [initiative_merge(source=s, target=target, user=request.user) for s in sources]
                    moved = sum(r.mentions_moved + r.mentions_merged for r in results)
                    self.message_user(
                        request,
                        _("已把 %(count)d 项举措并入“%(target)s”，移入提及 %(moved)d 条。")
                        % {"count": len(sources), "target": target.name, "moved": moved},
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:archive_initiative_change", args=[target.pk]))
        else:
            form = MergeForm(initial={"target": chosen[0].pk if chosen else None})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("合并改革举措"),
            "initiatives": chosen,
            "form": form,
            "media": self.media + form.media,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/archive/initiative/merge.html", context)

    # --- split ---------------------------------------------------------------------------------

    def split_view(self, request, pk):
        initiative = get_object_or_404(Initiative, pk=pk)
        if not (self.has_change_permission(request, initiative) and self.has_add_permission(request)):
            raise PermissionDenied
        form = SplitForm(request.POST if request.method == "POST" else None, initiative=initiative)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                new = initiative_split(
                    initiative=initiative,
                    name=data["name"],
                    category=data["category"],
                    mentions=data["mentions"],
                    aliases=data["aliases"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("已从“%(old)s”拆分出“%(new)s”。") % {"old": initiative.name, "new": new.name},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:archive_initiative_change", args=[new.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": initiative,
            "title": _("拆分：%(name)s") % {"name": initiative.name},
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/archive/initiative/split.html", context)


@admin.register(InitiativeRedirect)
class InitiativeRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "initiative", "reason", "created_at"]
    search_fields = ["old_slug", "initiative__name", "initiative__slug"]
    readonly_fields = ["old_slug", "initiative", "reason", "created_at"]

    def has_add_permission(self, request):
        return False
