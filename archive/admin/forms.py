"""Forms of the curator screens. They validate input and turn it into arguments for the services;
they write nothing themselves."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from archive.models import Category, City, Document, Initiative, Mention, MentionStatus, YearSource
from archive.services import REPORT_SUFFIXES, content_hash_of
from archive.services.curation import body_change_problems, name_taken
from archive.text.normalise import normalise

MAX_FILES_PER_UPLOAD = 20


def initiative_autocomplete():
    return AutocompleteSelect(Mention._meta.get_field("initiative"), admin.site)


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
        """The body decides the content hash; a body another report already has is a duplicate. An
        edit may not lose the passage of a confirmed mention."""
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        duplicate = Document.objects.filter(content_hash=content_hash_of(body)).exclude(pk=self.instance.pk).first()
        if duplicate:
            raise forms.ValidationError(
                _("与已有报告 #%(pk)s《%(title)s》正文相同。") % {"pk": duplicate.pk, "title": duplicate}
            )
        if self.instance.pk and body != self.instance.body:
            lost = body_change_problems(document=self.instance, new_body=body)
            if lost:
                raise forms.ValidationError(
                    [_("修改后的正文中找不到以下已确认提及的证据段落，请先在审核页面处理它们："), *lost]
                )
        return body


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(REPORT_SUFFIXES))}))
        kwargs.setdefault("error_messages", {"required": _("请选择至少一个报告文件。")})
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if not files and not self.required:
            return []
        if not files:
            raise forms.ValidationError(_("请选择至少一个报告文件。"))
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("报告文件"),
        help_text=_(
            "纯文本（.txt，任何常见中文编码）或网页（.html/.htm）；每个文件不超过 %(size)s，一次最多 %(count)s 个。"
        )
        % {"size": filesizeformat(settings.IMPORT_MAX_BYTES), "count": MAX_FILES_PER_UPLOAD},
        required=False,
    )
    url = forms.CharField(
        label=_("或网页地址"),
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://", "size": 80}),
        help_text=_("报告网页的地址（http 或 https）：抓取该网页并导入，网址和抓取时间记为来源。"),
    )
    city = forms.ModelChoiceField(
        label=_("城市"),
        queryset=City.objects.all(),
        required=False,
        widget=AutocompleteSelect(Document._meta.get_field("city"), admin.site),
        help_text=_("留空则从标题和正文识别。"),
    )
    year_start = forms.IntegerField(label=_("起始年份"), min_value=1949, max_value=2100, required=False)
    year_end = forms.IntegerField(label=_("结束年份"), min_value=1949, max_value=2100, required=False)
    source = forms.CharField(label=_("来源"), max_length=200, required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(_("一次最多上传 %(count)s 个文件。") % {"count": MAX_FILES_PER_UPLOAD})
        problems = []
        for file in files:
            if Path(file.name).suffix.lower() not in REPORT_SUFFIXES:
                problems.append(_("%(name)s：只接受 .txt、.html、.htm 文件。") % {"name": file.name})
            elif file.size > settings.IMPORT_MAX_BYTES:
                problems.append(
                    _("%(name)s：文件太大（%(size)s，上限 %(limit)s）。")
                    % {
                        "name": file.name,
                        "size": filesizeformat(file.size),
                        "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
                    }
                )
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("只能抓取 http 或 https 网址。"))
        return url

    def clean(self):
        data = super().clean()
        if not data.get("files") and not data.get("url") and not self.errors:
            raise forms.ValidationError(_("请选择报告文件，或填写报告网页的地址。"))
        start, end = data.get("year_start"), data.get("year_end")
        if end and not start:
            self.add_error("year_start", _("有结束年份时必须填写起始年份。"))
        elif start and end and end < start:
            self.add_error("year_end", _("结束年份不能早于起始年份。"))
        return data

    @property
    def years(self) -> tuple[int, int] | None:
        start = self.cleaned_data.get("year_start")
        return (start, self.cleaned_data.get("year_end") or start) if start else None


class TagPassageForm(forms.Form):
    """Tag the passage selected in the text (offsets filled in by review.js, or typed)."""

    start = forms.IntegerField(label=_("起始位置"), min_value=0)
    end = forms.IntegerField(label=_("结束位置"), min_value=1)
    initiative = forms.ModelChoiceField(
        label=_("已有举措"), queryset=Initiative.objects.all(), required=False, widget=initiative_autocomplete()
    )
    new_name = forms.CharField(label=_("或新建举措"), max_length=80, required=False)
    category = forms.ModelChoiceField(label=_("新举措的政策领域"), queryset=Category.objects.all(), required=False)
    year = forms.IntegerField(
        label=_("所指年份"), min_value=1949, max_value=2100, required=False, help_text=_("留空则按正文推断")
    )
    year_source = forms.ChoiceField(label=_("年份依据"), choices=[("", "—"), *YearSource.choices], required=False)

    def __init__(self, *args, document: Document, **kwargs):
        self.document = document
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and not (start < end <= len(self.document.body)):
            raise forms.ValidationError(_("所选段落超出了正文范围，请重新选择。"))
        if not data.get("initiative") and not data.get("new_name", "").strip():
            raise forms.ValidationError(_("请选择一项已有举措，或填写新举措的名称。"))
        if data.get("initiative") and data.get("new_name", "").strip():
            raise forms.ValidationError(_("已有举措和新举措只能二选一。"))
        if data.get("new_name", "").strip() and not data.get("category"):
            self.add_error("category", _("新建举措需要选择政策领域。"))
        return data


class Decision:
    KEEP = ""
    CONFIRM = MentionStatus.CONFIRMED.value
    REJECT = MentionStatus.REJECTED.value
    CHOICES = [(KEEP, _("不变")), (CONFIRM, _("确认")), (REJECT, _("否决"))]


class MentionReviewForm(forms.Form):
    mention = forms.ModelChoiceField(queryset=Mention.objects.none(), widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("决定"), choices=Decision.CHOICES, required=False, widget=forms.RadioSelect)
    initiative = forms.ModelChoiceField(
        label=_("举措"), queryset=Initiative.objects.all(), widget=initiative_autocomplete()
    )
    year = forms.IntegerField(label=_("年份"), min_value=1949, max_value=2100, required=False)
    # Blank keeps the source as it is (a form posted without the field changes nothing).
    year_source = forms.ChoiceField(label=_("年份依据"), choices=[("", "—"), *YearSource.choices], required=False)

    def __init__(self, *args, document: Document, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mention"].queryset = document.mentions.all()


class BaseMentionReviewFormSet(forms.BaseFormSet):
    def __init__(self, *args, document: Document, **kwargs):
        self.document = document
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "document": self.document}


MentionReviewFormSet = forms.formset_factory(
    MentionReviewForm, formset=BaseMentionReviewFormSet, extra=0, max_num=5000, absolute_max=5000
)


class CandidateForm(forms.Form):
    """Take a candidate term in as a new initiative or as an alias of an existing one, or dismiss it."""

    ACCEPT_NEW, ACCEPT_ALIAS, DISMISS = "new", "alias", "dismiss"

    normalised = forms.CharField(widget=forms.HiddenInput, max_length=80)
    choice = forms.ChoiceField(
        choices=[(ACCEPT_NEW, _("新建举措")), (ACCEPT_ALIAS, _("作为已有举措的别名")), (DISMISS, _("忽略"))],
        widget=forms.HiddenInput,
    )
    name = forms.CharField(label=_("名称"), max_length=80, required=False)
    category = forms.ModelChoiceField(label=_("政策领域"), queryset=Category.objects.all(), required=False)
    initiative = forms.ModelChoiceField(
        label=_("已有举措"), queryset=Initiative.objects.all(), required=False, widget=initiative_autocomplete()
    )

    def clean(self):
        data = super().clean()
        if data.get("choice") == self.ACCEPT_NEW and not data.get("category"):
            self.add_error("category", _("新建举措需要选择政策领域。"))
        if data.get("choice") == self.ACCEPT_ALIAS and not data.get("initiative"):
            self.add_error("initiative", _("请选择这个词要并入的举措。"))
        return data


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("合并到"),
        queryset=Initiative.objects.all(),
        widget=initiative_autocomplete(),
        help_text=_("其余所选举措的提及、别名和相关举措都移到这一项，它们的名称成为别名，旧地址跳转到这一项。"),
    )


class SplitForm(forms.Form):
    name = forms.CharField(label=_("新举措名称"), max_length=80)
    category = forms.ModelChoiceField(label=_("政策领域"), queryset=Category.objects.all())
    mentions = forms.ModelMultipleChoiceField(
        label=_("移到新举措的提及"),
        queryset=Mention.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    aliases = forms.ModelMultipleChoiceField(
        label=_("移到新举措的别名"),
        queryset=Initiative.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentions"].queryset = initiative.mentions.select_related("document__city")
        self.fields["mentions"].label_from_instance = lambda m: f"{m.document}：{m.passage[:50]}"
        self.fields["aliases"].queryset = initiative.aliases.all()
        self.fields["category"].initial = initiative.category_id

    def clean(self):
        data = super().clean()
        if not data.get("mentions") and not data.get("aliases"):
            raise forms.ValidationError(_("请至少选择一条提及或一个别名移到新举措。"))
        return data


class InitiativeAdminForm(forms.ModelForm):
    keep_old_name = forms.BooleanField(
        label=_("原名称保留为别名"),
        required=False,
        initial=True,
        help_text=_("更名后，报告中的原名称仍能被识别。"),
    )

    class Meta:
        model = Initiative
        fields = ["name", "slug", "category", "description", "name_en", "description_en", "related"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("网址中的标识；留空则按拼音生成。修改后旧网址会跳转到新网址。")

    def clean_name(self):
        """No two initiatives may share a name or alias (compared normalised); renaming an
        initiative to one of its own aliases is fine (the alias goes)."""
        name = self.cleaned_data["name"].strip()
        instance = self.instance if self.instance.pk else None
        own_aliases = {normalise(alias.name) for alias in instance.aliases.all()} if instance else set()
        clash = None if normalise(name) in own_aliases else name_taken(name, exclude=instance)
        if clash:
            raise forms.ValidationError(clash)
        return name
