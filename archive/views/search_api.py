"""GET /api/search/: the search page's results as JSON."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.search import SORTS, SearchForm, search_documents
from archive.throttling import AnonThrottle, SearchThrottle


def _facet_json(values, key="slug"):
    return [{key: facet.value, "name": facet.label, "count": facet.count} for facet in values]


class SearchAPIView(APIView):
    throttle_classes = [AnonThrottle, SearchThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="检索词，空格分隔，全部须出现；\u201c引号\u201d内为一个词"),
            OpenApiParameter("scope", str, enum=["all", "title"], description="all：全文；title：只在标题中检索"),
            OpenApiParameter("within", str, many=True, description="在结果中检索：每个值与 q 同时须满足"),
            OpenApiParameter("city", str, many=True, description="城市：拼音标识、简称、全称或行政区划代码"),
            OpenApiParameter("province", str, many=True),
            OpenApiParameter("year", int, many=True),
            OpenApiParameter("category", str, many=True),
            OpenApiParameter("initiative", str, many=True),
            OpenApiParameter("sort", str, enum=list(SORTS)),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="1–100"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form = SearchForm(request.GET)
        if not form.is_valid():
            return Response({"errors": form.errors.get_json_data()}, status=400)
        result = search_documents(form.cleaned_data)
        if result.unavailable:
            return Response({"error": result.unavailable}, status=503)
        return Response(
            {
                "count": result.count,
                "page": result.page,
                "page_size": result.page_size,
                "notices": result.query.notices,
                "elapsed_ms": round(result.elapsed_ms, 1),
                "results": [
                    {
                        "id": item.document.pk,
                        "title": item.document.display_title,
                        "url": item.document.get_absolute_url(),
                        "city": {"slug": item.document.city.slug, "name": item.document.city.name},
                        "year": item.document.year_start,
                        "years": item.document.year_label,
                        "score": item.score,
                        "highlights": item.highlights,
                    }
                    for item in result.items
                ],
                "facets": {
                    "city": _facet_json(result.facets["city"]),
                    "province": _facet_json(result.facets["province"], key="value"),
                    "year": [{"value": int(f.value), "count": f.count} for f in result.facets["year"]],
                    "category": _facet_json(result.facets["category"]),
                    "initiative": _facet_json(result.facets["initiative"]),
                },
            }
        )
