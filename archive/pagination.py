from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    """?page=&page_size= on every list endpoint; page_size is capped so one request stays cheap."""

    page_size_query_param = "page_size"
    max_page_size = 200


class PageNumbers:
    """page_count, has_next and has_previous for a result that has `count`, `page` and `page_size`
    (search results, concordance lines), as the pager template reads them."""

    count: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.page > 1
