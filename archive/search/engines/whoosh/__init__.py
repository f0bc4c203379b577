"""The default engine: a Whoosh index on local disk (generations, a file writer lock), searched by
numpy set algebra over its postings. Private to archive/search; `Engine` is its SearchEngine.

  engine.py     query evaluation on an open reader (Snapshot), research reads
  backend.py    the Whoosh schema and haystack's backend, corrected
  analyzers.py  the word and character fields over archive/text/words.py
  indexing.py   the durable queue drained into Whoosh, rebuilds
  segments.py   the fast segment writers
  store.py      generations on disk, manifest, locks
  repair.py     who rebuilds an unusable index
  warmup.py     gunicorn start-up
"""

from collections.abc import Iterable, Mapping, Sequence

from archive.search.engines.base import FACET_FIELDS, EngineResult, IndexHealth, Progress, SearchEngine
from archive.search.engines.whoosh import engine, indexing, repair, warmup
from archive.search.errors import SearchUnavailable
from archive.search.queries import ParsedQuery
from archive.text.words import loaded_user_words


class Engine(SearchEngine):
    name = "whoosh"

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
        return engine.run(query, filters=filters, sort=sort, offset=offset, limit=limit, facet_fields=facet_fields)

    def documents_containing(self, text: str) -> list[int]:
        return engine.documents_containing(text)

    def normalised_texts(self, document_ids: list[int]) -> dict[int, bytes]:
        return engine.normalised_texts(document_ids)

    def word_frequencies(self, words: list[str], document_ids: list[int]) -> dict[str, int]:
        return engine.word_frequencies(words, document_ids)

    def occurrence_counts(self, key: str, count, document_ids: list[int]) -> dict[int, int]:
        return engine.occurrence_counts(key, count, document_ids)

    def health(self) -> IndexHealth:
        try:
            snap = engine.snapshot()
        except SearchUnavailable as error:
            return IndexHealth(
                ok=False,
                problem=error.problem,
                error=error.reason,
                repairing=error.repairing or repair.running(),
            )
        return IndexHealth(
            ok=True,
            documents=snap.document_count,
            details={"generation": snap.generation.name, "verified": snap.verified},
        )

    def merge_segments(self) -> int:
        return indexing.segments_merge_piled_up()

    def preload(self) -> None:
        warmup.load_user_words()

    def open(self) -> None:
        warmup.warm_up_index()

    def reset(self) -> None:
        engine.reset()

    def enqueue(self, document_ids: Iterable[int]) -> None:
        indexing.index_enqueue(document_ids)

    def dictionary_changed(self) -> None:
        indexing.index_dictionary_changed()

    def batched(self):
        return indexing.index_batched()

    def drain(self, *, timeout: float | None = None, document_ids: Iterable[int] | None = None) -> int:
        if timeout is None:
            return indexing.queue_drain(document_ids=document_ids)
        return indexing.queue_drain(timeout=timeout, document_ids=document_ids)

    def drain_quietly(self, document_ids: Iterable[int]) -> None:
        indexing.index_drain_quietly(document_ids)

    def bulk_drain(self) -> int:
        return indexing.bulk_drain()

    def rebuild(self, *, progress: Progress = lambda items: items) -> int:
        return indexing.index_rebuild(progress=progress)

    def repair(self, *, progress: Progress = lambda items: items) -> int | None:
        return indexing.index_repair(progress=progress)

    def text_analyse(self, *, title: str, body: str) -> object:
        # The words the worker segmented with travel along: a drain uses the analysis only if its
        # dictionary is still the same.
        return (*indexing.document_text_analyse(title=title, body=body), loaded_user_words())

    def analysed_keep(self, *, document_id: int, analysis: object) -> None:
        normalised, postings, words = analysis
        indexing.index_analysed_ahead(document_id=document_id, normalised=normalised, postings=postings, words=words)
