"""Server-rendered pages. Each view reads like a sentence: fetch through a selector, render."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_safe

from archive import charts, selectors
from archive.search.results import SORTS, SearchForm, parse_query_with_aliases, search_documents
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
    return render(
        request,
        "archive/initiative_detail.html",
        {
            "initiative": initiative,
            "mentions": mentions,
            "adoptions": adoptions,
            "diffusion": diffusion,
            "diffusion_chart": charts.diffusion_chart(diffusion),
            "map_chart": charts.adoption_map_chart(adoptions),
        },
    )


@require_safe
@throttle(SearchThrottle)
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "archive/search.html", {"form": form, "errors": form.errors}, status=400)
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
        },
    )


@require_safe
def compare(request):
    """Cities side by side: ?cities=zhuzhou&cities=xiangtan (any number; none means every city)."""
    available = list(selectors.cities_with_documents())
    slugs = request.GET.getlist("cities") or [city.slug for city in available]
    cities, unknown = selectors.cities_for_comparison(slugs)
    status = 400 if unknown else 200
    comparison = selectors.cities_compare(cities) if cities else None
    return render(
        request,
        "archive/compare.html",
        {
            "available": available,
            "selected": {city.slug for city in cities},
            "unknown": unknown,
            "comparison": comparison,
            "counts_chart": charts.category_counts_chart(comparison) if comparison else None,
            "figures": selectors.cities_reported_figures(cities) if cities else [],
        },
        status=status,
    )
