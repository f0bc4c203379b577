from django.urls import include, path
from rest_framework.routers import DefaultRouter

from archive.views import api, data, research, search_api

# The API's root (/api/, /en/api/) is a page of its own in archive/urls.py, in both languages.
router = DefaultRouter()
router.include_root_view = False
router.register("cities", api.CityViewSet, basename="api-city")
router.register("documents", api.DocumentViewSet, basename="api-document")
router.register("initiatives", api.InitiativeViewSet, basename="api-initiative")

urlpatterns = [
    path("schema/", api.SchemaView.as_view(), name="api-schema"),
    path("docs/", api.DocsView.as_view(), name="api-docs"),
    path("search/", search_api.SearchAPIView.as_view(), name="api-search"),
    path("search/export.csv", research.search_export_csv, name="api-search-export"),
    path("concordance/", research.ConcordanceAPIView.as_view(), name="api-concordance"),
    path("concordance/collocates/", research.CollocatesAPIView.as_view(), name="api-concordance-collocates"),
    path("concordance/export.csv", research.concordance_csv, name="concordance-csv"),
    path("trends/", research.TrendsAPIView.as_view(), name="api-trends"),
    path("trends/export.csv", research.trends_csv, name="trends-csv"),
    path("compare/", api.CompareAPIView.as_view(), name="api-compare"),
    path("export/adoption_panel.csv", research.adoption_panel_csv, name="api-export-adoption-panel"),
    path("export/adoption_cascades.csv", research.adoption_cascades_csv, name="api-export-adoption-cascades"),
    path("export/dataset.json", data.export_json, name="api-export-json"),
    path("export/dataset.zip", data.export_zip, name="api-export-zip"),
    path("export/<slug:table>.csv", data.export_table_csv, name="api-export-table-csv"),
    # Before the router, whose documents/<pk>/ would otherwise not reach it.
    path("documents/<int:pk>/citation/", research.document_citation, name="api-document-citation"),
    path("initiatives/<slug:slug>/panel.csv", research.adoption_panel_csv, name="api-initiative-panel"),
    path("", include(router.urls)),
]
