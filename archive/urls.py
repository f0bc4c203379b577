from django.urls import path

from archive.views import api, data, pages, research

urlpatterns = [
    path("", pages.home, name="home"),
    path("cities/", pages.city_list, name="city-list"),
    path("cities/<slug:slug>/", pages.city_detail, name="city-detail"),
    path("documents/<int:pk>/", pages.document_detail, name="document-detail"),
    path("search/", pages.search, name="search"),
    path("search/feed/", research.search_feed, name="search-feed"),
    path("compare/", pages.compare, name="compare"),
    path("initiatives/", pages.initiative_list, name="initiative-list"),
    path("initiatives/<slug:slug>/", pages.initiative_detail, name="initiative-detail"),
    path("data/", data.data_page, name="data"),
    path("api/", api.ApiRootView.as_view(), name="api-root"),
    path("about/", pages.about, name="about"),
    path("concordance/", research.concordance_page, name="concordance"),
    path("trends/", research.trends_page, name="trends"),
]
