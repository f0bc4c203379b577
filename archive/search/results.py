"""A search as the page and the API see it: validated parameters in, one page of results out."""

import time
from dataclasses import dataclass, field

from django import forms
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.display import category_label, city_labels, initiative_label, province_label
from archive.models import Category, City, Document, Initiative, InitiativeAlias
from archive.pagination import PageNumbers
from archive.search import confirm
from archive.search.english import InitiativeNames, latin_runs
from archive.search.errors import SearchUnavailable
from archive.search.highlight import MAX_SNIPPETS, SNIPPET_SCAN_CHARS, Snippets, snippets
from archive.search.proximity import check_for, overlapping, pair_snippet
from archive.search.queries import ParsedQuery, Term, parse_query
from archive.text.normalise import normalise

MAX_PAGE_SIZE = 100
SORTS = {
    "relevance": gettext_lazy("相关度"),
    "date": gettext_lazy("年份（新→旧）"),
    "date_asc": gettext_lazy("年份（旧→新）"),
}
SCOPES = {"all": gettext_lazy("全文"), "title": gettext_lazy("仅标题")}
MAX_WITHIN = 5  # "search within these results", one after another
FILTER_FIELDS = {
    "city": "city",
    "province": "province",
    "year": "years",
    "category": "categories",
    "initiative": "initiatives",
}


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=1000, strip=False)
    city = forms.MultipleChoiceField(required=False)
    province = forms.MultipleChoiceField(required=False)
    year = forms.TypedMultipleChoiceField(required=False, coerce=str)
    category = forms.MultipleChoiceField(required=False)
    initiative = forms.MultipleChoiceField(required=False)
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    scope = forms.ChoiceField(required=False, choices=list(SCOPES.items()))
    within = forms.MultipleChoiceField(required=False)  # queries ANDed onto q: search within results

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Choices are validated against what exists, without loading rows: slugs are checked in clean_*.
        for name in ("city", "province", "category", "initiative", "year", "within"):
            self.fields[name].valid_value = lambda value: True

    def clean_within(self):
        within = [text for text in self.cleaned_data["within"] if text.strip()]
        if len(within) > MAX_WITHIN:
            raise forms.ValidationError(_("最多在结果中再检索 %(count)s 次。") % {"count": MAX_WITHIN})
        if any(len(text) > 1000 for text in within):
            raise forms.ValidationError(_("检索词过长（最多 1000 个字符）。"))
        return within

    def clean(self):
        """Operators that mean nothing (河长制 /s, NEAR/0) are an error to correct, not a guess."""
        cleaned = super().clean()
        for name, texts in (("q", [cleaned.get("q")]), ("within", cleaned.get("within") or [])):
            for text in texts:
                for error in parse_query(text).errors:
                    self.add_error(name, error)
        return cleaned

    def _known(self, values, queryset, field_name):
        if not values:  # most searches filter by nothing: no query
            return values
        known = set(queryset.filter(**{f"{field_name}__in": values}).values_list(field_name, flat=True))
        unknown = [value for value in values if value not in known]
        if unknown:
            raise forms.ValidationError(_("未知的取值：%(values)s") % {"values": "、".join(unknown)})
        return values

    def clean_city(self):
        """Any of a city's names (株洲, 株洲市, zhuzhou, 430200) filters by it; the index knows slugs."""
        # Imported here: selectors marks search hits on report pages through archive.search.
        from archive.selectors import cities_by_name

        if not self.cleaned_data["city"]:
            return []
        cities, errors = cities_by_name(self.cleaned_data["city"])
        if errors:
            raise forms.ValidationError(errors)
        return [city.slug for city in cities]

    def clean_province(self):
        return self._known(self.cleaned_data["province"], City.objects, "province")

    def clean_category(self):
        return self._known(self.cleaned_data["category"], Category.objects, "slug")

    def clean_initiative(self):
        return self._known(self.cleaned_data["initiative"], Initiative.objects, "slug")

    def clean_year(self):
        years = self.cleaned_data["year"]
        for year in years:
            if not year.isdigit() or not 1949 <= int(year) <= 2100:
                raise forms.ValidationError(_("年份应为 1949 至 2100 之间的整数：%(year)s") % {"year": year})
        return years


@dataclass
class ResultItem:
    document: Document
    score: float
    highlights: list[str]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchPage(PageNumbers):
    query: ParsedQuery
    params: dict
    count: int = 0
    page: int = 1
    page_size: int = 20
    items: list[ResultItem] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    unavailable: str = ""

    @property
    def terms(self) -> list[str]:
        return [term.text for term in self.query.terms]


def search_documents(params: dict, *, default_page_size: int = 20) -> SearchPage:
    """Run a validated search (params = SearchForm.cleaned_data)."""
    started = time.perf_counter()
    query = search_query(params)
    page = params.get("page") or 1
    page_size = params.get("page_size") or default_page_size
    result = SearchPage(query=query, params=params, page=page, page_size=page_size)
    filters = {index_field: params.get(name) or [] for name, index_field in FILTER_FIELDS.items()}
    try:
        found = confirm.evaluate(
            query,
            filters=filters,
            sort=params.get("sort") or "relevance",
            offset=(page - 1) * page_size,
            limit=page_size,
        )
    except SearchUnavailable as error:
        result.unavailable = str(error)
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    query.notices.extend(found.notices)
    # Snippets read only the start of each body (SNIPPET_SCAN_CHARS): a page of 5 MiB reports
    # loads and scans a bounded amount of text.
    documents = (
        Document.objects.with_city()
        .defer("raw_text", "body")
        .annotate(body_start=Substr("body", 1, SNIPPET_SCAN_CHARS))
        .in_bulk([hit.document_id for hit in found.hits])
    )
    terms = result.terms
    check = check_for(query) if query.proximities else None
    scan_cut = False
    for hit in found.hits:
        document = documents.get(hit.document_id)
        if document is None:  # deleted since the index was read; its removal is queued
            continue
        text = f"{document.title}\n{document.body_start}" if document.title else document.body_start
        found_snippets = snippets(text, terms) if terms else Snippets([])
        scan_cut = scan_cut or (not found_snippets.complete and len(document.body_start) == SNIPPET_SCAN_CHARS)
        highlights = found_snippets.html
        if check is not None:  # where the terms meet first, then the usual snippets not repeating it
            pairs = [pair_snippet(text, span, terms) for span in check.meetings(text)]
            highlights = pairs + [html for html in highlights if not any(overlapping(html, pair) for pair in pairs)]
            highlights = highlights[: max(MAX_SNIPPETS, len(pairs))]
        result.items.append(ResultItem(document, hit.score, highlights))
    if scan_cut:
        notice = _("部分报告很长，摘要只取自正文的前 %(count)s 字。")
        query.notices.append(notice % {"count": f"{SNIPPET_SCAN_CHARS:,}"})
    result.count = found.count
    result.facets = _labelled_facets(found.facets, params)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def search_query(params: dict, *, aliases: bool = True) -> ParsedQuery:
    """The whole query of a search: `q`, each `within` ANDed onto it ("search within these
    results"), and the scope (`all` or `title`)."""
    parse = parse_query_with_aliases if aliases else parse_query
    query = parse(params.get("q"))
    for text in params.get("within") or []:
        more = parse(text)
        query.clauses += more.clauses
        query.excluded += more.excluded
        query.proximities += more.proximities
        query.notices += [notice for notice in more.notices if notice not in query.notices]
        query.errors += more.errors
    query.scope = params.get("scope") or "all"
    return query


def parse_query_with_aliases(raw: str | None) -> ParsedQuery:
    """The query as search runs it; the report page marks the same terms a result was found by."""
    query = parse_query(raw)
    _add_english_names(query)
    _add_aliases(query)
    return query


def _add_english_names(query: ParsedQuery) -> None:
    """Words in Latin letters that name an initiative in English or pinyin are searched as its
    Chinese name (the reports are in Chinese): "river chief", "River Chief System" and
    "hezhangzhi" search 河长制, and the notice says so. Latin words that name nothing get a notice
    too, so an English query never comes back empty without a word. One query, and only when
    the query has Latin words."""
    runs = latin_runs([[term.text for term in clause] for clause in query.clauses])
    if not runs:
        return
    names = InitiativeNames.from_rows(Initiative.objects.values_list("name", "name_en").order_by("pk"))
    replaced: dict[int, list[Term]] = {}
    dropped: set[int] = set()
    for run in runs:
        for start, end, found in names.match_run([query.clauses[i][0].text for i in run]):
            typed = " ".join(query.clauses[i][0].text for i in run[start:end])
            if not found:
                notice = _("“%(typed)s”不是档案中任何改革举措的英文名称或拼音，按原文在中文报告中检索。")
                query.notices.append(notice % {"typed": typed})
                continue
            replaced[run[start]] = [Term(normalise(name)) for name in found]
            dropped.update(run[start + 1 : end])
            notice = _("按改革举措%(names)s检索“%(typed)s”。")
            query.notices.append(notice % {"names": _("、").join(found), "typed": typed})
    query.clauses = [replaced.get(index, clause) for index, clause in enumerate(query.clauses) if index not in dropped]


def _add_aliases(query: ParsedQuery) -> None:
    """A term that is an initiative's name or alias also finds the other names it goes by:
    河长制 finds the reports that only say 河湖长制. One query (only initiatives with aliases can
    expand); the notice says what was added, so the count is never a surprise."""
    wanted = {term.text for clause in query.clauses for term in clause}
    if not wanted:
        return
    names: dict[int, list[str]] = {}
    for alias, name, pk in InitiativeAlias.objects.values_list("name", "initiative__name", "initiative_id"):
        names.setdefault(pk, [name]).append(alias)
    groups = {normalise(n): group for group in names.values() for n in group if len(normalise(n)) >= 2}
    if not wanted & groups.keys():
        return
    for clause in query.clauses:
        present = {term.text for term in clause}
        for term in list(clause):
            added = [n for n in groups.get(term.text, []) if normalise(n) not in present]
            for name in added:
                clause.append(Term(normalise(name), alias=True))
                present.add(normalise(name))
            if added:
                notice = _("“%(term)s”是改革举措的名称之一，也检索了：%(names)s")
                query.notices.append(notice % {"term": term.text, "names": "、".join(added)})


def _labelled_facets(raw: dict[str, list[tuple[str, int]]], params: dict) -> dict[str, list[FacetValue]]:
    cities = City.objects.filter(slug__in=[value for value, _count in raw.get("city", [])])
    city_rows = cities.values_list("slug", "name", "short_name")
    labels = {
        "city": city_labels(city_rows),
        "province": {province: province_label(province) for province, _count in raw.get("province", [])},
        "categories": {category.slug: category_label(category) for category in Category.objects.all()},
        "initiatives": {
            initiative.slug: initiative_label(initiative)
            for initiative in Initiative.objects.filter(slug__in=[v for v, _count in raw.get("initiatives", [])]).only(
                "slug", "name", "name_en"
            )
        },
    }
    facets = {}
    for name, index_field in FILTER_FIELDS.items():
        selected = set(params.get(name) or [])
        values = [
            FacetValue(value, labels.get(index_field, {}).get(value, value), count, value in selected)
            for value, count in raw.get(index_field, [])
        ]
        if name == "year":
            values.sort(key=lambda facet: facet.value, reverse=True)
        facets[name] = values
    return facets
