"""The archive's data: cities, reform reports (documents), policy categories, named reform
initiatives and the evidence-backed mentions that tie an initiative to a passage of a report."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from archive.display import is_chinese_interface
from archive.importing.gazetteer import pinyin_name, province_english


class CityLevel(models.TextChoices):
    MUNICIPALITY = "municipality", _("直辖市")
    SUB_PROVINCIAL = "sub_provincial", _("副省级市")
    PREFECTURE_CITY = "prefecture_city", _("地级市")
    AUTONOMOUS_PREFECTURE = "autonomous_prefecture", _("自治州")
    PREFECTURE = "prefecture", _("地区")
    LEAGUE = "league", _("盟")


class CityQuerySet(models.QuerySet):
    def with_document_count(self):
        return self.annotate(document_count=Count("documents", distinct=True))

    def with_documents(self):
        """Only the cities the archive holds reports for."""
        return self.filter(documents__isnull=False).distinct()

    def named(self, keys: list[str]):
        """The cities any of these normalised names could mean: slug (zhuzhou), short name (株洲),
        full name (株洲市), adcode (430200 or 430200000000), or a pinyin that several cities
        share (fuzhou: fuzhou-fujian and fuzhou-jiangxi). A superset; the caller decides."""
        adcodes = [key.ljust(12, "0") for key in keys if key.isdigit() and len(key) in (6, 12)]
        lookup = Q(slug__in=keys) | Q(short_name__in=keys) | Q(name__in=keys) | Q(adcode__in=adcodes)
        for key in keys:
            if key.isascii() and key.isalpha():
                lookup |= Q(slug__startswith=f"{key}-")
        return self.filter(lookup)


class City(models.Model):
    """A prefecture-level unit (or municipality) from the gazetteer."""

    adcode = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=40, help_text=_("全称，如 株洲市"))
    short_name = models.CharField(_("简称"), max_length=20, db_index=True, help_text=_("如 株洲"))
    slug = models.SlugField(_("拼音标识"), max_length=60, unique=True)
    province = models.CharField(_("省级行政区"), max_length=20, db_index=True)
    level = models.CharField(_("行政级别"), max_length=24, choices=CityLevel.choices)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["adcode"]
        verbose_name = _("城市")
        verbose_name_plural = _("城市")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("city-detail", kwargs={"slug": self.slug})

    @cached_property
    def pinyin_name(self) -> str:
        """Zhuzhou: how English pages name the city, beside its characters."""
        return pinyin_name(self.short_name)

    @cached_property
    def province_english(self) -> str:
        return province_english(self.province)


class DocumentQuerySet(models.QuerySet):
    def for_city(self, city):
        return self.filter(city=city)

    def with_city(self):
        return self.select_related("city")

    def chronological(self):
        return self.order_by("year_start", "published_on", "pk")

    def with_review_counts(self):
        """How many suggested mentions and pending candidate terms wait for a curator."""
        return self.annotate(
            pending_mention_count=Count("mentions", filter=Q(mentions__status=MentionStatus.SUGGESTED), distinct=True),
            pending_candidate_count=Count(
                "candidate_terms", filter=Q(candidate_terms__status=CandidateStatus.PENDING), distinct=True
            ),
            confirmed_mention_count=Count(
                "mentions", filter=Q(mentions__status=MentionStatus.CONFIRMED), distinct=True
            ),
        )

    def awaiting_review(self):
        # Exists, not a join: a join here would be reused by with_review_counts and skew its counts.
        suggested = Mention.objects.filter(document=OuterRef("pk"), status=MentionStatus.SUGGESTED)
        pending = CandidateTerm.objects.filter(document=OuterRef("pk"), status=CandidateStatus.PENDING)
        # A bulk-imported report whose suggestions are not computed yet may have some: it is listed.
        return self.filter(Exists(suggested) | Exists(pending) | Q(suggestions_due=True))

    def covering_year(self, year: int):
        """Reports whose span of years includes `year`."""
        return self.filter(year_start__lte=year).filter(
            Q(year_end__gte=year) | Q(year_end__isnull=True, year_start=year)
        )


class Document(models.Model):
    """A reform report: its cleaned text, the raw text as imported, and what is known about it."""

    title = models.CharField(_("标题"), max_length=300, blank=True)
    city = models.ForeignKey(City, verbose_name=_("城市"), on_delete=models.PROTECT, related_name="documents")
    year_start = models.PositiveSmallIntegerField(_("起始年份"), null=True, blank=True, db_index=True)
    year_end = models.PositiveSmallIntegerField(_("结束年份"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    authors = models.CharField(_("作者"), max_length=300, blank=True, help_text=_("多位作者以“、”分隔"))
    body = models.TextField(_("正文"), help_text=_("清理后的正文，段落以换行分隔"))
    raw_text = models.TextField(_("原始文本"), blank=True, help_text=_("导入时的原文；手工录入时可留空"))
    extra = models.JSONField(_("其他元数据"), default=dict, blank=True)
    original_filename = models.CharField(_("原始文件名"), max_length=255, blank=True)
    source_url = models.URLField(
        _("原始网址"), max_length=2000, blank=True, help_text=_("从网址导入时抓取的网页地址（重定向后的地址）")
    )
    fetched_at = models.DateTimeField(_("抓取时间"), null=True, blank=True)
    content_hash = models.CharField(_("内容哈希"), max_length=64, unique=True, editable=False)
    # A bulk import leaves the curator's suggestions to the first opening of the review screen.
    suggestions_due = models.BooleanField(_("建议待生成"), default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["city__adcode", "year_start", "pk"]
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        constraints = [
            models.CheckConstraint(
                condition=Q(year_end__isnull=True) | Q(year_start__lte=models.F("year_end")),
                name="document_year_span_ordered",
            ),
        ]

    def __str__(self):
        return self.display_title

    def get_absolute_url(self):
        return reverse("document-detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.year_end is not None and self.year_start is None:
            raise ValidationError({"year_start": _("有结束年份时必须填写起始年份。")})
        if self.year_start and self.year_end and self.year_end < self.year_start:
            raise ValidationError({"year_end": _("结束年份不能早于起始年份。")})

    @property
    def display_title(self) -> str:
        """The report's own title, or a supplied one in square brackets (archival convention)."""
        if self.title:
            return self.title
        city = self.city.name if is_chinese_interface() else self.city.pinyin_name
        if not self.year_label:
            return _("[%(city)s改革报告]") % {"city": city}
        return _("[%(city)s改革报告 %(years)s]") % {"city": city, "years": self.year_label}

    @property
    def year_label(self) -> str:
        if self.year_start is None:
            return ""
        if self.year_end and self.year_end != self.year_start:
            return f"{self.year_start}—{self.year_end}"
        return str(self.year_start)

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n")


class DocumentToReview(Document):
    """The review queue in the admin: reports with suggestions no curator has decided on yet."""

    class Meta:
        proxy = True
        verbose_name = _("待审核报告")
        verbose_name_plural = _("待审核报告")


class Category(models.Model):
    """A policy area reforms are grouped by (营商环境与政务服务, 教育, …)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True, help_text=_("英文界面显示的名称"))
    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("政策领域")
        verbose_name_plural = _("政策领域")

    def __str__(self):
        return self.name


class InitiativeQuerySet(models.QuerySet):
    def with_city_count(self):
        # Aggregation drops Meta.ordering (GROUP BY), so order explicitly.
        return self.order_by("category__order", "name").annotate(
            city_count=Count(
                "mentions__document__city",
                filter=Q(mentions__status=MentionStatus.CONFIRMED),
                distinct=True,
            )
        )


class Initiative(models.Model):
    """A named reform (放管服, 河长制 …).

    Variant names of the same reform are aliases (河湖长制 is an alias of 河长制: the 2018 extension
    to lakes of the same river-chief system); distinct but kindred reforms are separate initiatives
    linked through `related` (医共体 and 医联体)."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    slug = models.SlugField(_("标识"), max_length=120, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("政策领域"), on_delete=models.PROTECT, related_name="initiatives"
    )
    description = models.TextField(_("简介"), blank=True)
    name_en = models.CharField(
        _("英文名称"),
        max_length=160,
        blank=True,
        help_text=_("英文界面显示的名称，如 River Chief System；留空则显示中文名称和拼音"),
    )
    description_en = models.TextField(_("英文简介"), blank=True)
    related = models.ManyToManyField("self", verbose_name=_("相关改革"), blank=True, symmetrical=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "name"]
        verbose_name = _("改革举措")
        verbose_name_plural = _("改革举措")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("initiative-detail", kwargs={"slug": self.slug})

    @property
    def all_names(self) -> list[str]:
        return [self.name, *(alias.name for alias in self.aliases.all())]


class InitiativeAlias(models.Model):
    """Another name under which the same initiative appears in reports."""

    initiative = models.ForeignKey(
        Initiative, verbose_name=_("改革举措"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("别名"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("别名")
        verbose_name_plural = _("别名")

    def __str__(self):
        return self.name

    def clean(self):
        if Initiative.objects.filter(name=self.name).exists():
            raise ValidationError({"name": _("该别名与某项改革举措的名称相同。")})


class CatalogueEntry(models.Model):
    """An entry of the national reform catalogue (fixtures/reforms.json) the archive has loaded once, by its slug,
    or `aliases-for-<slug>` for the aliases it offered a curated initiative. A curator may delete, merge or rename
    the initiative or remove an alias afterwards; loading the catalogue again (every `make serve`) does not bring
    it back."""

    slug = models.SlugField(_("标识"), max_length=120, unique=True)
    loaded_at = models.DateTimeField(_("加载时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("改革目录条目")
        verbose_name_plural = _("改革目录条目")

    def __str__(self):
        return self.slug


class InitiativeRedirect(models.Model):
    """An address an initiative had before a rename or a merge; its old URL redirects here, so
    citations of /initiatives/<old-slug>/ keep working."""

    old_slug = models.SlugField(_("原标识"), max_length=120, unique=True)
    initiative = models.ForeignKey(
        Initiative, verbose_name=_("改革举措"), on_delete=models.CASCADE, related_name="redirects"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]
        verbose_name = _("旧地址")
        verbose_name_plural = _("旧地址")

    def __str__(self):
        return f"{self.old_slug} → {self.initiative.slug}"


class MentionStatus(models.TextChoices):
    SUGGESTED = "suggested", _("待审核")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否决")


class YearSource(models.TextChoices):
    """How the report supports a mention's year (see importing/adoption_years.py)."""

    STATED = "stated", _("文中写明")
    CONTEXT = "context", _("上下文")
    REPORT = "report", _("仅报告年份")


class MentionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=MentionStatus.CONFIRMED)

    def suggested(self):
        return self.filter(status=MentionStatus.SUGGESTED)

    def with_related(self):
        return self.select_related("initiative__category", "document__city")


class Mention(models.Model):
    """An initiative named in a document, with the evidence passage as offsets into its clean body."""

    document = models.ForeignKey(Document, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="mentions")
    initiative = models.ForeignKey(
        Initiative, verbose_name=_("改革举措"), on_delete=models.CASCADE, related_name="mentions"
    )
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    year = models.PositiveSmallIntegerField(_("所指年份"), null=True, blank=True)
    # A REPORT year means only "no later than": diffusion research must not read it as the adoption year.
    year_source = models.CharField(_("年份依据"), max_length=8, choices=YearSource.choices, default=YearSource.REPORT)
    # Set when a curator corrects the year or its source; re-extraction then leaves both alone.
    year_curated = models.BooleanField(_("年份经人工修订"), default=False, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=MentionStatus.choices, default=MentionStatus.SUGGESTED, db_index=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "start"]
        verbose_name = _("提及")
        verbose_name_plural = _("提及")
        constraints = [
            models.UniqueConstraint(fields=["document", "initiative", "start", "end"], name="mention_unique_passage"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="mention_passage_not_empty"),
        ]

    def __str__(self):
        return f"{self.initiative} @ {self.document_id}:{self.start}-{self.end}"

    def get_absolute_url(self):
        return f"{self.document.get_absolute_url()}#m{self.pk}"

    def clean(self):
        if self.document_id and self.end is not None and self.end > len(self.document.body):
            raise ValidationError({"end": _("结束位置超出了正文长度。")})

    @property
    def passage(self) -> str:
        return self.document.body[self.start : self.end]

    @property
    def year_label(self) -> str:
        """2017, or 不晚于2022 when only the report's year dates the mention."""
        return year_label(self.year, self.year_source)

    @property
    def paragraph_number(self) -> int:
        """1-based number of the paragraph the passage starts in (paragraph anchors are #p<N>)."""
        return self.document.body.count("\n", 0, self.start) + 1


def year_label(year: int | None, source: str) -> str:
    if year is None:
        return str(_("年份未知"))
    if source == YearSource.REPORT:
        return str(_("不晚于%(year)s") % {"year": year})
    return str(year)


class SentenceOfDocument:
    """For rows that point at a sentence of a report by offsets (`document`, `start`, `end`): the
    sentence itself and a link to its paragraph."""

    def get_absolute_url(self):
        return f"{self.document.get_absolute_url()}#p{self.paragraph_number}"

    @property
    def sentence(self) -> str:
        return self.document.body[self.start : self.end]

    @property
    def paragraph_number(self) -> int:
        return self.document.body.count("\n", 0, self.start) + 1


_QUOTE_MARKS = str.maketrans("", "", "“”‘’「」『』\"'《》")


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    DISMISSED = "dismissed", _("已忽略")


class CandidateTermQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=CandidateStatus.PENDING)


class CandidateTerm(SentenceOfDocument, models.Model):
    """A term the text itself marks as a possible new initiative (in quotation marks, or shaped like
    X模式, X制, X改革, 一X一X), found by the suggestion engine. A curator turns it into an initiative
    (or an alias of one) with the sentence as evidence, or dismisses it; a dismissed term is not
    proposed again for the same report."""

    document = models.ForeignKey(
        Document, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="candidate_terms"
    )
    term = models.CharField(_("词语"), max_length=80)
    normalised = models.CharField(_("规范形式"), max_length=80, db_index=True)
    signal = models.CharField(_("线索"), max_length=16)
    start = models.PositiveIntegerField(_("句子起始位置"))
    end = models.PositiveIntegerField(_("句子结束位置"))
    match_start = models.PositiveIntegerField(_("词语起始位置"))
    match_end = models.PositiveIntegerField(_("词语结束位置"))
    status = models.CharField(
        _("状态"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.PENDING, db_index=True
    )
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("采纳为"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate_terms",
    )

    objects = CandidateTermQuerySet.as_manager()

    class Meta:
        ordering = ["document", "match_start"]
        verbose_name = _("候选新举措")
        verbose_name_plural = _("候选新举措")
        constraints = [
            models.UniqueConstraint(fields=["document", "normalised", "start"], name="candidate_unique_in_sentence"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="candidate_sentence_not_empty"),
        ]

    def __str__(self):
        return self.term

    @property
    def proposed_name(self) -> str:
        """The term as an initiative's name: 株洲“一件事一次办”改革 → 株洲一件事一次办改革."""
        return self.term.translate(_QUOTE_MARKS).strip() or self.term


class HideableQuerySet(models.QuerySet):
    """For what is extracted automatically and a curator may hide (events, figures)."""

    def visible(self):
        return self.filter(hidden=False)


class DatedEvent(SentenceOfDocument, models.Model):
    """A sentence of a report that names a time, with the year it refers to (see importing/events.py).

    Extracted automatically; a curator may correct the year or hide the event, and such an event is
    then `curated` and never replaced by a later extraction."""

    document = models.ForeignKey(Document, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="events")
    start = models.PositiveIntegerField(_("句子起始位置"))
    end = models.PositiveIntegerField(_("句子结束位置"))
    year = models.PositiveSmallIntegerField(_("年份"), db_index=True)
    year_end = models.PositiveSmallIntegerField(_("结束年份"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("月"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True)
    expression = models.CharField(_("时间表述"), max_length=40)
    approximate = models.BooleanField(_("约略时间"), default=False, help_text=_("如“近年来”"))
    hidden = models.BooleanField(_("隐藏"), default=False)
    curated = models.BooleanField(_("人工修订"), default=False, editable=False)

    objects = HideableQuerySet.as_manager()

    class Meta:
        ordering = ["year", "month", "day", "document", "start"]
        verbose_name = _("时间事件")
        verbose_name_plural = _("时间事件")
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="event_sentence_not_empty"),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12), name="event_month_valid"
            ),
        ]

    def __str__(self):
        return f"{self.date_label} {self.sentence[:30]}"

    @property
    def date_label(self) -> str:
        if self.year_end and self.year_end != self.year:
            return f"{self.year}—{self.year_end}"
        # Django's localised formats: 2022年3月31日 on Chinese pages, March 31, 2022 on English ones.
        label = _("%(year)s年") % {"year": self.year}
        if self.month:
            try:
                day = datetime.date(self.year, self.month, self.day or 1)
                label = date_format(day, "DATE_FORMAT" if self.day else "YEAR_MONTH_FORMAT")
            except ValueError:  # a day the month does not have, as written in the report: keep the month
                label = date_format(datetime.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")
        return _("约%(date)s") % {"date": label} if self.approximate else label


class FigureChange(models.TextChoices):
    TOTAL = "total", _("总数")
    REDUCED = "reduced", _("减少")
    INCREASED = "increased", _("增加")
    PERCENT_CHANGE = "percent_change", _("变化百分比")


class ReportedFigure(SentenceOfDocument, models.Model):
    """A number a report states about its reforms (行政审批事项由822项减至98项), under a measure that
    lines it up with other cities' figures (see importing/figures.py). Extracted automatically; a
    curator may correct or hide one, and it is then `curated` and kept by later extractions."""

    document = models.ForeignKey(Document, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="figures")
    start = models.PositiveIntegerField(_("句子起始位置"))
    end = models.PositiveIntegerField(_("句子结束位置"))
    measure = models.CharField(_("指标"), max_length=40, db_index=True)
    subject = models.CharField(_("原文主语"), max_length=60)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4)
    previous = models.DecimalField(_("原数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=12)
    change = models.CharField(_("类型"), max_length=16, choices=FigureChange.choices)
    expression = models.CharField(_("原文表述"), max_length=80)
    hidden = models.BooleanField(_("隐藏"), default=False)
    curated = models.BooleanField(_("人工修订"), default=False, editable=False)

    objects = HideableQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "document", "start"]
        verbose_name = _("报告中的数字")
        verbose_name_plural = _("报告中的数字")
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="figure_sentence_not_empty"),
        ]

    def __str__(self):
        return f"{self.measure} {self.value_label}"

    @property
    def year(self) -> int | None:
        """The report's (last) year: figures are stated as of the time of writing."""
        return self.document.year_end or self.document.year_start

    @property
    def value_label(self) -> str:
        """822→98项, 1165项, −85%: the figure as a reader compares it."""
        value = _plain_number(self.value)
        if self.change == FigureChange.PERCENT_CHANGE:
            return f"{'+' if self.value > 0 else '−'}{_plain_number(abs(self.value))}%"
        if self.previous is not None:
            return f"{_plain_number(self.previous)}→{value}{self.unit}"
        return f"{value}{self.unit}"


def _plain_number(number) -> str:
    """Decimal('98.0000') → 98, Decimal('357.1400') → 357.14."""
    return format(number.normalize(), "f")


class SearchQueueEntry(models.Model):
    """A document whose search index entry is out of date.

    Written in the same transaction as the change that caused it, so no change can commit without
    its entry; removed only after the index writer has committed the document."""

    document_id = models.BigIntegerField(db_index=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("待索引报告")
        verbose_name_plural = _("待索引报告")

    def __str__(self):
        return f"document {self.document_id}"
