"""Server-rendered pages. Each view reads like a sentence: fetch through a selector, render."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_safe

from archive import charts, selectors
from archive.search import SCOPES, SORTS, SearchForm, parse_query_with_aliases, search_documents
from archive.throttling import DocumentThrottle, SearchThrottle, throttle

FACET_LABELS = [
    ("city", pgettext_lazy("field", "城市")),
    ("province", gettext_lazy("省份")),
    ("year", gettext_lazy("年份")),
    ("category", gettext_lazy("政策领域")),
    ("initiative", pgettext_lazy("field", "改革举措")),
]


@require_safe
def home(request):
    return render(
        request,
        "archive/home.html",
        {
            "summary": selectors.archive_summary(),
            "provinces": selectors.cities_by_province(),
        },
    )


@require_safe
def about(request):
    """What the archive holds and how it is made, with a citation built on a real report."""
    example = selectors.example_document()
    return render(
        request,
        "archive/about.html",
        {
            "summary": selectors.archive_summary(),
            "example_url": request.build_absolute_uri(example.get_absolute_url()) + "#p3" if example else "",
        },
    )


@require_safe
def city_list(request):
    return render(request, "archive/city_list.html", {"provinces": selectors.cities_by_province()})


@require_safe
def city_detail(request, slug):
    """The city's timeline; ?category= narrows it to one policy area (an unknown one is a 404)."""
    city = selectors.city_get(slug)
    category = selectors.category_or_none(request.GET.get("category"))
    if request.GET.get("category") and category is None:
        raise Http404(_("未知的政策领域"))
    documents = list(selectors.city_documents(city))
    initiative_groups = selectors.city_initiatives_by_category(city)
    timeline = selectors.city_timeline(
        city, category=category, documents=documents, initiative_groups=initiative_groups
    )
    return render(
        request,
        "archive/city_detail.html",
        {
            "city": city,
            "category": category,
            "categories": selectors.categories(),
            "timeline": timeline,
            "timeline_chart": charts.timeline_chart(timeline, documents),
            "documents": documents,
            "initiative_groups": initiative_groups,
        },
    )


@require_safe
@throttle(DocumentThrottle)
def document_detail(request, pk):
    """The report; with ?q= the query's terms are marked too and #hit1 is the first of them."""
    document = selectors.document_get(pk)
    terms = [term.text for term in parse_query_with_aliases(request.GET.get("q")).terms]
    text = selectors.document_text(document, highlight_terms=terms)
    return render(
        request,
        "archive/document_detail.html",
        {
            "document": document,
            "initiatives": selectors.document_initiatives(document),
            "text": text,
            "query": request.GET.get("q", "") if terms else "",
        },
    )


@require_safe
def initiative_list(request):
    return render(request, "archive/initiative_list.html", {"categories": selectors.initiatives_by_category()})


@require_safe
def initiative_detail(request, slug):
    try:
        initiative = selectors.initiative_get(slug)
    except Http404:
        # Renamed or merged: the old address, as cited, still leads to the initiative.
        moved = selectors.initiative_moved_to(slug)
        if moved is None:
            raise
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(moved.get_absolute_url() + (f"?{query}" if query else ""))
    mentions = list(selectors.initiative_mentions(initiative))
    adoptions, diffusion = selectors.initiative_adoptions(mentions)
    observed = selectors.cities_observed_by([year for year, _total, _new in diffusion])
    return render(
        request,
        "archive/initiative_detail.html",
        {
            "initiative": initiative,
            "mentions": mentions,
            "adoptions": adoptions,
            "diffusion": diffusion,
            "observed": observed,
            "diffusion_chart": charts.diffusion_chart(diffusion, observed),
            "map_chart": charts.adoption_map_chart(adoptions),
        },
    )


@require_safe
@throttle(SearchThrottle)
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        scope = request.GET.get("scope")
        context = {"form": form, "errors": form.errors, "scopes": SCOPES.items(), "current_scope": scope}
        return render(request, "archive/search.html", context, status=400)
    if form.cleaned_data["city"] != request.GET.getlist("city"):
        # ?city=株洲 works; the address to cite, and the facet links to toggle, use the slug.
        params = request.GET.copy()
        params.setlist("city", form.cleaned_data["city"])
        return redirect(f"{request.path}?{params.urlencode()}")
    result = search_documents(form.cleaned_data)
    return render(
        request,
        "archive/search.html",
        {
            "form": form,
            "result": result,
            "facet_labels": FACET_LABELS,
            "sorts": SORTS.items(),
            "current_sort": form.cleaned_data.get("sort") or "relevance",
            "first_number": (result.page - 1) * result.page_size + 1,
            "scopes": SCOPES.items(),
            "current_scope": form.cleaned_data.get("scope") or "all",
            "within": _within_chips(request, form.cleaned_data["within"]),
            # The report page marks every term the results were found by, `within` included.
            "marked_query": " ".join([form.cleaned_data.get("q") or "", *form.cleaned_data["within"]]).strip(),
        },
    )


def _within_chips(request, within: list[str]) -> list[dict]:
    """Each query searched within the results, with the address of the search without it."""
    chips = []
    for index, text in enumerate(within):
        params = request.GET.copy()
        params.setlist("within", within[:index] + within[index + 1 :])
        params.pop("page", None)
        chips.append({"text": text, "without": f"?{params.urlencode()}"})
    return chips


@require_safe
def compare(request):
    """Cities side by side: ?cities=zhuzhou&cities=xiangtan (any number; none means every city);
    &category=education narrows it to one policy area and shows each city's passages there;
    &per=year divides the counts by the years each city's reports cover."""
    available = list(selectors.cities_with_documents())
    slugs = request.GET.getlist("cities") or [city.slug for city in available]
    cities, unknown = selectors.cities_for_comparison(slugs)
    category = selectors.category_or_none(request.GET.get("category"))
    unknown_category = request.GET.get("category") if request.GET.get("category") and category is None else None
    per_year = request.GET.get("per") == "year"
    categories = selectors.categories()
    comparison = selectors.cities_compare(cities, category=category, categories=categories) if cities else None
    colours = charts.city_colours(available)
    compare_url = reverse("compare") + "?" + urlencode([("cities", city.slug) for city in cities])
    return render(
        request,
        "archive/compare.html",
        {
            "available": available,
            "categories": categories,
            "selected": {city.slug for city in cities},
            "unknown": unknown,
            "unknown_category": unknown_category,
            "category": category,
            "per_year": per_year,
            "comparison": comparison,
            "colours": colours,
            "compare_url": compare_url,
            "per_year_url": _with_query(request, per="year"),
            "totals_url": _with_query(request, per=None),
            "count_rows": _count_rows(comparison, colours, per_year=per_year) if comparison else [],
            "counts_chart": (
                charts.category_counts_chart(comparison, colours=colours, compare_url=compare_url, per_year=per_year)
                if comparison
                else None
            ),
            "passages": selectors.cities_category_passages(cities, category) if cities and category else [],
            "figures": selectors.cities_reported_figures(cities) if cities else [],
        },
        status=400 if unknown or unknown_category else 200,
    )


def _with_query(request, **changes) -> str:
    """This page's query string with some parameters set (or removed, with None)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode()


def _count_rows(comparison, colours, *, per_year: bool):
    """The counts table's rows: each category with (count or rate, city colour) per compared city."""
    rows = comparison.counts_per_year() if per_year else comparison.counts()
    return [
        (category, [(value, colours[city.pk]) for value, city in zip(values, comparison.cities, strict=True)])
        for category, values in rows
    ]
