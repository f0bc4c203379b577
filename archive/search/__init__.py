"""Chinese full-text search: what the rest of the archive may use of it.

Everything outside archive/search imports from here, never from its modules (tests/search/
test_public_face.py checks). Parsing (queries.py), alias and English-name expansion (results.py,
english.py), highlighting (highlight.py) and result shaping (results.py) are shared; only query
evaluation and index writing differ per engine (engines/, chosen by settings.SEARCH_URL; see
engines/base.py for what an engine must do). Text normalisation and jieba segmentation are not
search's own: they live in archive/text.
"""

from archive.search.dictionary import user_dictionary_words
from archive.search.engines.base import FACET_FIELDS, EngineResult, Hit, IndexHealth
from archive.search.errors import IndexBusy, SearchUnavailable
from archive.search.highlight import (
    MAX_MARKS,
    SNIPPET_SCAN_CHARS,
    Matches,
    Snippets,
    find_matches,
    highlight_text,
    hit_spans,
    snippets,
)
from archive.search.operations import (
    analysed_keep,
    batched,
    bulk_drain,
    dictionary_changed,
    documents_containing,
    drain,
    drain_quietly,
    engine_check,
    enqueue,
    evaluate,
    health,
    merge_segments,
    normalised_texts,
    occurrence_counts,
    open_index,
    preload_before_fork,
    rebuild,
    repair,
    reset,
    text_analyse,
    word_frequencies,
)
from archive.search.queries import ParsedQuery, Term, parse_query
from archive.search.results import (
    FILTER_FIELDS,
    SCOPES,
    SORTS,
    FacetValue,
    ResultItem,
    SearchForm,
    SearchPage,
    parse_query_with_aliases,
    search_documents,
    search_query,
)

__all__ = [
    "FACET_FIELDS",
    "FILTER_FIELDS",
    "MAX_MARKS",
    "SCOPES",
    "SNIPPET_SCAN_CHARS",
    "SORTS",
    "EngineResult",
    "FacetValue",
    "Hit",
    "IndexBusy",
    "IndexHealth",
    "Matches",
    "ParsedQuery",
    "ResultItem",
    "SearchForm",
    "SearchPage",
    "SearchUnavailable",
    "Snippets",
    "Term",
    "analysed_keep",
    "batched",
    "bulk_drain",
    "dictionary_changed",
    "documents_containing",
    "drain",
    "drain_quietly",
    "engine_check",
    "enqueue",
    "evaluate",
    "find_matches",
    "health",
    "highlight_text",
    "hit_spans",
    "merge_segments",
    "normalised_texts",
    "occurrence_counts",
    "open_index",
    "parse_query",
    "parse_query_with_aliases",
    "preload_before_fork",
    "rebuild",
    "repair",
    "reset",
    "search_documents",
    "search_query",
    "snippets",
    "text_analyse",
    "user_dictionary_words",
    "word_frequencies",
]
