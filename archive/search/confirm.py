"""Searches with proximity operators or title scope: the engine retrieves, this module confirms.

Every engine can find the reports that contain all of a query's terms. Whether two of them meet in
one sentence, one paragraph or within n characters, or stand in the title, is then checked here on
the reports' texts from the database (archive/search/proximity.py), the same way for any engine.
The confirmed reports go back to the engine as a `document_id` filter for the page, the order and
the facets, so counts, pages and facets are those of the confirmed reports.

Confirming reads texts, so it is bounded: at most MAX_TEXT_CHECKS reports (MAX_TEXT_CHARS
characters) when texts must be read, MAX_TITLE_CHECKS when titles decide; candidates are checked in
the order asked for (relevance first by default), and a notice says when some were not checked.
"""

import logging
from dataclasses import replace

from django.utils.translation import gettext as _

from archive.models import Document
from archive.search.engines import current
from archive.search.engines.base import FACET_FIELDS, EngineResult
from archive.search.proximity import Check, check_for
from archive.search.queries import ParsedQuery

logger = logging.getLogger(__name__)

MAX_TEXT_CHECKS = 2_000
MAX_TEXT_CHARS = 20_000_000
MAX_TITLE_CHECKS = 40_000
_CHUNK = 500


def retrieval_query(query: ParsedQuery) -> ParsedQuery:
    """What the engine evaluates: every term anywhere (a superset of title-only matches), and only
    the exclusions that apply to the whole text (a title-only exclusion must not remove a report
    that has the word only in its text)."""
    title_scope = query.scope == "title"
    return replace(
        query,
        excluded=[term for term in query.excluded if not (title_scope or term.title)],
        notices=[],
        proximities=[],
    )


def confirmed_ids(check: Check, candidates: list[int]) -> tuple[list[int], int]:
    """The candidates (ids, in their order) that pass the check, and how many were checked."""
    fields = ("pk", "title", "body") if check.needs_body else ("pk", "title")
    limit = MAX_TEXT_CHECKS if check.needs_body else MAX_TITLE_CHECKS
    kept, checked, characters = [], 0, 0
    for start in range(0, min(len(candidates), limit), _CHUNK):
        chunk = candidates[start : min(start + _CHUNK, limit)]
        rows = {row[0]: row for row in Document.objects.filter(pk__in=chunk).values_list(*fields)}
        for pk in chunk:
            row = rows.get(pk)
            if row is None:  # deleted since the index was read
                continue
            if check.needs_body:
                if characters > MAX_TEXT_CHARS:
                    return kept, checked
                characters += len(row[2])
                passed = check.matches(row[1], row[2])
            else:
                passed = check.title_matches(row[1])
            checked += 1
            if passed:
                kept.append(pk)
    return kept, checked


def evaluate(
    query: ParsedQuery,
    *,
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facet_fields=FACET_FIELDS,
) -> EngineResult:
    """The engine's evaluate, with the query's proximities and title scope confirmed before
    counting, paging and faceting."""
    engine = current()
    check = check_for(query)
    if check is None:
        return engine.evaluate(query, filters=filters, sort=sort, offset=offset, limit=limit, facet_fields=facet_fields)
    retrieval = retrieval_query(query)
    most = MAX_TEXT_CHECKS if check.needs_body else MAX_TITLE_CHECKS
    candidates = engine.evaluate(retrieval, filters=filters, sort=sort, offset=0, limit=most, facet_fields=())
    ids, checked = confirmed_ids(check, [hit.document_id for hit in candidates.hits])
    notices = list(candidates.notices)
    if checked < candidates.count:
        notice = _(
            "同句、同段、NEAR 与标题检索要逐篇核对：只核对了 %(checked)s 篇候选报告（共 %(count)s 篇），"
            "结果可能不完整；可加筛选条件缩小范围。"
        )
        notices.append(notice % {"checked": f"{checked:,}", "count": f"{candidates.count:,}"})
    if not ids:
        return EngineResult(count=0, hits=[], facets={name: [] for name in facet_fields}, notices=notices)
    found = engine.evaluate(
        retrieval,
        filters={**(filters or {}), "document_id": [str(pk) for pk in ids]},
        sort=sort,
        offset=offset,
        limit=limit,
        facet_fields=facet_fields,
    )
    found.notices = notices + [notice for notice in found.notices if notice not in notices]
    return found
