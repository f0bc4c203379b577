from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    """?page=&page_size= on every list endpoint; page_size is capped so one request stays cheap."""

    page_size_query_param = "page_size"
    max_page_size = 200
