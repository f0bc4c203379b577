"""What a search engine must do, so that the rest of search (parsing, normalisation, alias
expansion, highlighting, result shaping) is written once and only query evaluation and index
writing differ per engine.

An engine is a subclass of `SearchEngine`, built once per process by `engines.current()` from the
settings: `SEARCH_URL` unset → the Whoosh engine (`engines/whoosh/`, the default); set → the
OpenSearch engine, `archive.search.engines.opensearch.Engine`, constructed as
`Engine(url=settings.SEARCH_URL, index_prefix=settings.SEARCH_INDEX_PREFIX)`. Nothing outside
`archive/search/` calls an engine directly: callers use the functions of `archive.search`.

What the index holds, per report (haystack's `archive/search_indexes.py` `DocumentIndex.full_prepare`
gives exactly these values; `document_id` is `Document.pk`):

    text, chars   str        normalise(f"{title}\\n{body}") (archive/text/normalise.py), the same
                             string in both; a term must match it as an exact substring
    document_id   int
    city          str        the city's slug
    province      str
    years         list[str]  every year the report covers ("2017", "2018"), [] when unknown
    year_start    int        0 when unknown
    categories    list[str]  slugs of the categories of its confirmed mentions
    initiatives   list[str]  slugs of the initiatives of its confirmed mentions

Meaning of `evaluate(query, filters=…, sort=…, offset=…, limit=…, facet_fields=…)`, which must
agree exactly with the Whoosh engine (`engines/whoosh/engine.py`, `_evaluate`):

- Start from every indexed report. `filters` maps an index field (`FACET_FIELDS`) to values: a
  report passes a field when it has any of the values (OR), and must pass every field given (AND).
  An empty list filters nothing.
  `filters` may also hold `document_id`: ids (as strings) of the only reports to consider; the
  proximity and title checks (confirm.py) send the reports they confirmed back this way, so the
  count, order, page and facets are theirs.
- `query.clauses` is a list of clauses, each a list of `Term`s (`queries.py`); a report must match
  every clause, and matches a clause when its normalised text contains any of the clause's terms
  (`term.text`, already normalised) as an exact substring. `query.excluded` terms remove the
  reports containing them. An empty query (`query.is_empty`) matches every report that passes the
  filters. Evaluate only what `terms_within_budget(query)` keeps (at most `MAX_QUERY_TERMS`
  terms), adding its notice.
- `count` is the number of matching reports; `facets[field]` lists `(value, count)` over all of
  them for each field in `facet_fields`, values with a count of 0 left out, sorted by count
  descending then value ascending.
- Scores are BM25 (k1 1.2, b 0.75) over the jieba word field (archive/text/words.py, with the
  index's user dictionary loaded) for the words of the query's positive terms (`term.words`,
  longest term first, each word once); 0 for every report when there are no words.
- `sort`: "relevance" = score descending, then `year_start` descending; "date" = `year_start`
  descending, then score descending; "date_asc" = `year_start` ascending with unknown (0) last,
  then score descending; the last ties by `document_id` ascending. Before all of these, when
  alias expansion added terms (`term.alias`), the reports that match every clause with a term as
  typed come first: 株洲 (河长制) before 许昌 (only its alias 河湖长制).
- `hits` is the page `[offset:offset + limit]` of that order, as `Hit(document_id, score)` with the
  score rounded to 4 places; `notices` are translated sentences saying what a budget cut.
- Raise `SearchUnavailable` (errors.py) when the index cannot be read; never anything else for
  user input.

Writing: the database is the source of truth, and `SearchQueueEntry` rows are the durable queue.
`enqueue` adds rows in the caller's transaction and drains after commit; a drain writes the queued
reports (as `DocumentIndex.full_prepare` makes them now, or removes those gone), then deletes their
rows; whatever fails stays queued. One writer at a time (raise `IndexBusy` after `timeout`).
`rebuild` builds a complete new index beside the live one and swaps it in atomically.
"""

import abc
import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from archive.search.queries import ParsedQuery, Term

# The index fields search filters and counts facets on (results.FILTER_FIELDS maps the request's
# parameter names to these).
FACET_FIELDS: tuple[str, ...] = ("city", "province", "years", "categories", "initiatives")

# Terms evaluated per query, aliases and OR branches included: queries.py bounds what is parsed,
# but alias and English-name expansion add terms after that, and each term costs a set to compute.
MAX_QUERY_TERMS = 32

Progress = Callable[[Iterable], Iterable]


def terms_within_budget(
    query: ParsedQuery, *, limit: int = MAX_QUERY_TERMS
) -> tuple[list[list[Term]], list[Term], list[str]]:
    """The clauses and exclusions to evaluate, at most `limit` terms in all, and the notice when
    some were cut: each clause keeps its first term, then OR branches (aliases come last) and
    exclusions while the budget lasts. Every engine evaluates exactly these."""
    clauses, excluded = query.clauses, query.excluded
    if sum(map(len, clauses)) + len(excluded) <= limit:
        return clauses, excluded, []
    left = max(limit - len(clauses), 0)
    kept = []
    for clause in clauses:
        extra = min(len(clause) - 1, left)
        kept.append(clause[: 1 + extra])
        left -= extra
    notice = _("检索词过多：只使用了前 %(count)s 个（含别名与 OR 的各项）。") % {"count": limit}
    return kept, excluded[:left], [notice]


def _no_progress(items: Iterable) -> Iterable:
    return items


@dataclass
class Hit:
    document_id: int
    score: float


@dataclass
class EngineResult:
    count: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # what the query-cost budget cut


@dataclass
class IndexHealth:
    """What /healthz reports about the index. `details` is engine-specific and JSON-serialisable
    (Whoosh: generation, verified; a cluster: its status and nodes)."""

    ok: bool
    documents: int = 0
    details: dict = field(default_factory=dict)
    problem: str = ""  # when not ok: "missing", "damaged" or "down"
    error: str = ""  # when not ok: what is wrong, for the operator
    repairing: bool = False


class SearchEngine(abc.ABC):
    """One search engine: it evaluates parsed queries and keeps its index equal to the database."""

    name: str = ""

    # Reading ------------------------------------------------------------------------------------

    @abc.abstractmethod
    def evaluate(
        self,
        query: ParsedQuery,
        *,
        filters: Mapping[str, Sequence[str]] | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
        facet_fields: Sequence[str] = FACET_FIELDS,
    ) -> EngineResult:
        """Matching reports, counted, faceted, sorted and paged (see the module docstring)."""

    @abc.abstractmethod
    def documents_containing(self, text: str) -> list[int]:
        """Ids of every indexed report whose normalised text contains `text` (already normalised),
        in any order. Used to re-index what a change of the jieba dictionary affects."""

    @abc.abstractmethod
    def normalised_texts(self, document_ids: list[int]) -> dict[int, bytes]:
        """The indexed normalised text (the `chars` value, UTF-8) of each of these reports that the
        index holds, by id: a concordance counts exactly what the search matched."""

    def occurrence_counts(self, key: str, count: Callable[[bytes], int], document_ids: list[int]) -> dict[int, int]:
        """`count` applied to the normalised text of each of these reports, by id. An engine may
        remember the results under `key` until its index changes (Whoosh does, per generation)."""
        return {pk: count(text) for pk, text in self.normalised_texts(document_ids).items()}

    @abc.abstractmethod
    def word_frequencies(self, words: list[str], document_ids: list[int]) -> dict[str, int]:
        """For each word, how often the word field holds it in these reports (0 if never)."""

    @abc.abstractmethod
    def health(self) -> IndexHealth:
        """Whether the index serves; never raises."""

    def merge_segments(self) -> int:
        """After a bulk job that finished, consolidate what bulk writes left piled up; returns how
        many merges were made. Not for a request: it may take minutes on a large index. The
        default, for engines that merge by themselves, does nothing."""
        return 0

    def preload(self) -> None:  # noqa: B027 (optional hook)
        """Called once in gunicorn's master before it forks the workers, so that what is loaded
        here is shared by them (copy-on-write). Must open no files the workers would inherit, and
        must not raise."""

    def open(self) -> None:  # noqa: B027 (optional hook)
        """Called once in each served process after fork (gunicorn's post_fork): open and check
        the index, switch to background repair, and drain what a killed process left queued.
        Must not raise."""

    def reset(self) -> None:  # noqa: B027 (optional hook)
        """Forget open readers and connections (tests, after a rebuild)."""

    # Writing ------------------------------------------------------------------------------------

    @abc.abstractmethod
    def enqueue(self, document_ids: Iterable[int]) -> None:
        """Queue these reports for re-indexing in the current transaction (SearchQueueEntry rows)
        and drain after it commits (not while `batched()` is active in this thread)."""

    @abc.abstractmethod
    def dictionary_changed(self) -> None:
        """Initiative names, aliases or city names changed: after commit, load the new jieba user
        words (archive.search.dictionary.user_dictionary_words) and re-index the reports that
        contain words that came or went."""

    @abc.abstractmethod
    def batched(self) -> contextlib.AbstractContextManager[None]:
        """A bulk job runs inside this: reports are still queued, but the job drains (bulk_drain)
        instead of every commit; other processes drain only what they queued themselves."""

    @abc.abstractmethod
    def drain(self, *, timeout: float | None = None, document_ids: Iterable[int] | None = None) -> int:
        """Write queued reports (all, or only these ids) under the writer lock, waiting up to
        `timeout` seconds for it (None: the engine's default) or raising IndexBusy; returns how
        many queue entries were done. Entries that fail stay queued."""

    @abc.abstractmethod
    def drain_quietly(self, document_ids: Iterable[int]) -> None:
        """As after a commit: drain, logging instead of raising; what cannot be written stays queued."""

    @abc.abstractmethod
    def bulk_drain(self) -> int:
        """drain() for a bulk job, in large batches; returns how many entries were done."""

    @abc.abstractmethod
    def rebuild(self, *, progress: Progress = _no_progress) -> int:
        """Build a whole new index from the database and swap it in atomically, keeping the
        previous one; returns the number of reports. `progress` wraps the iterable of reports."""

    @abc.abstractmethod
    def repair(self, *, progress: Progress = _no_progress) -> int | None:
        """Rebuild only if the index is unusable; None when it was usable or another repair runs."""

    def text_analyse(self, *, title: str, body: str) -> object:
        """Optional: work a bulk import's worker processes do ahead for the index (picklable).
        The result comes back to `analysed_keep` in the writing process."""
        return None

    def analysed_keep(self, *, document_id: int, analysis: object) -> None:  # noqa: B027 (optional hook)
        """Optional: keep `text_analyse`'s result for the report just written, for the next drain."""
