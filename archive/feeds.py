"""An Atom feed for any search: /search/feed/?q=…&city=… lists the matching reports newest in the
archive first, so a researcher's feed reader shows a newly imported report that matches."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from archive.research.leaving import feed_documents
from archive.search import search_query, snippets


class SearchFeed(Feed):
    feed_type = Atom1Feed

    def __init__(self, params: dict):
        super().__init__()
        self.params = params

    def title(self):
        query = self.params.get("q") or ""
        return _("地方改革报告档案：%(query)s") % {"query": query} if query else _("地方改革报告档案：新收录的报告")

    def link(self):
        return self.request_path

    def subtitle(self):
        return _("与检索条件相符的报告，最新收录的在前。")

    def get_object(self, request, *args, **kwargs):
        self.request_path = request.get_full_path().replace("/feed/", "/", 1)
        return None

    def items(self):
        return feed_documents(self.params)

    def item_title(self, document):
        return f"{document.display_title}（{document.city.name} {document.year_label}）"

    def item_description(self, document):
        terms = [term.text for term in search_query(self.params).terms]
        text = f"{document.title}\n{document.body}" if document.title else document.body
        found = snippets(text, terms).html if terms else []
        return " … ".join(found) if found else document.body[:200]

    def item_link(self, document):
        return document.get_absolute_url()

    def item_pubdate(self, document):
        return document.created_at

    def item_updateddate(self, document):
        return document.updated_at

    def item_author_name(self, document):
        return document.source or document.authors or None
