"""Server-rendered pages. Each view reads like a sentence: fetch through a selector, render."""

from django.shortcuts import render

from archive import selectors


def home(request):
    return render(
        request,
        "archive/home.html",
        {
            "summary": selectors.archive_summary(),
            "provinces": selectors.cities_by_province(),
        },
    )


def city_list(request):
    return render(request, "archive/city_list.html", {"provinces": selectors.cities_by_province()})


def city_detail(request, slug):
    city = selectors.city_get(slug)
    return render(
        request,
        "archive/city_detail.html",
        {
            "city": city,
            "documents": selectors.city_documents(city),
            "initiative_groups": selectors.city_initiatives_by_category(city),
        },
    )


def document_detail(request, pk):
    document = selectors.document_get(pk)
    return render(
        request,
        "archive/document_detail.html",
        {
            "document": document,
            "initiatives": selectors.document_initiatives(document),
            "paragraphs": selectors.document_paragraphs(document),
        },
    )


def initiative_list(request):
    return render(request, "archive/initiative_list.html", {"categories": selectors.initiatives_by_category()})


def initiative_detail(request, slug):
    initiative = selectors.initiative_get(slug)
    return render(
        request,
        "archive/initiative_detail.html",
        {"initiative": initiative, "mentions": selectors.initiative_mentions(initiative)},
    )
