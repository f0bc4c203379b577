"""Search results that leave the site: every matching report as CSV rows (with the snippets of its
hits) and the newest matching reports for an Atom feed. Reads only."""

import html
from collections.abc import Iterator

from archive.dataset.cells import cell_neutralise
from archive.models import Document
from archive.search import FILTER_FIELDS, evaluate, search_query, snippets

MAX_EXPORTED = 100_000
FEED_ENTRIES = 50
CSV_HEADER = ["report_id", "title", "city", "province", "years", "published_on", "source", "url", "snippets"]
_CHUNK = 200


def _matching_ids(params: dict, *, sort: str) -> list[int]:
    query = search_query(params)
    filters = {index_field: params.get(name) or [] for name, index_field in FILTER_FIELDS.items()}
    found = evaluate(query, filters=filters, sort=sort, limit=MAX_EXPORTED, facet_fields=())
    return [hit.document_id for hit in found.hits]


def plain_snippet(snippet_html: str) -> str:
    """A highlighted snippet as text, each hit in 【】 so it still shows in a spreadsheet."""
    text = snippet_html.replace("<mark>", "【").replace("</mark>", "】")
    return html.unescape(text)


def search_export_rows(params: dict, *, base_url: str, generated) -> Iterator[list]:
    """Two rows stamping the query, its filters and the date, the header, then every matching
    report in the search's order, read from the database a chunk at a time."""
    query = search_query(params)
    terms = [term.text for term in query.terms]
    stamped = (*FILTER_FIELDS, "scope", "within")
    filters = [f"{name}={','.join(map(str, params.get(name)))}" for name in stamped if params.get(name)]
    yield ["# query", cell_neutralise(params.get("q") or ""), *(cell_neutralise(f) for f in filters)]
    yield ["# generated", generated.isoformat(timespec="seconds")]
    yield CSV_HEADER
    ids = _matching_ids(params, sort=params.get("sort") or "relevance")
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        documents = Document.objects.with_city().defer("raw_text").in_bulk(chunk)
        for pk in chunk:
            document = documents.get(pk)
            if document is None:  # deleted since the index was read
                continue
            text = f"{document.title}\n{document.body}" if document.title else document.body
            found = snippets(text, terms).html if terms else []
            yield [
                document.pk,
                cell_neutralise(document.display_title),
                cell_neutralise(document.city.name),
                cell_neutralise(document.city.province),
                document.year_label,
                document.published_on.isoformat() if document.published_on else "",
                cell_neutralise(document.source),
                base_url + document.get_absolute_url(),
                cell_neutralise(" … ".join(plain_snippet(s) for s in found)),
            ]


def feed_documents(params: dict) -> list[Document]:
    """The matching reports newest in the archive first (a report imported today comes first)."""
    ids = _matching_ids(params, sort="relevance")
    return list(
        Document.objects.with_city().defer("raw_text").filter(pk__in=ids).order_by("-created_at", "-pk")[:FEED_ENTRIES]
    )
