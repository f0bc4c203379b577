"""haystack's Whoosh backend, corrected for Chinese and for several processes.

What differs from `haystack.backends.whoosh_backend.WhooshSearchBackend`, and why:
- schema: our word and character fields (analyzers.py) instead of StemmingAnalyzer TEXT fields,
  which cannot segment Chinese (RESEARCH.md #1, #2, #9); facet fields are plain keywords.
- writes: every write takes the cross-process writer lock (store.py) and uses a plain writer that
  either commits or raises, never AsyncWriter or SILENTLY_FAIL, which lose updates (#11).
- the index lives in the current generation directory, so rebuilds can swap it (#13).
- search: our engine (engine.py) instead of Whoosh's query parser, highlighter and the unlimited
  per-model "narrow" query haystack runs on every search (#6, #7).
"""

from pathlib import Path

from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID as WhooshID
from whoosh.fields import KEYWORD, NUMERIC, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError

from archive.search.engines.whoosh import store
from archive.search.engines.whoosh.analyzers import CharGramField, WordField
from archive.search.engines.whoosh.segments import FastSegmentWriter

MULTI_VALUED = {"years", "categories", "initiatives"}
WRITER_LOCK_TIMEOUT = 30.0


def document_schema() -> Schema:
    return Schema(
        **{
            ID: WhooshID(stored=True, unique=True),
            DJANGO_CT: WhooshID(stored=True),
            DJANGO_ID: WhooshID(stored=True),
            "text": WordField(),
            "chars": CharGramField(),
            "document_id": NUMERIC(numtype=int, bits=64, sortable=True, signed=False),
            "city": KEYWORD(lowercase=False),
            "province": KEYWORD(lowercase=False),
            "years": KEYWORD(commas=True, lowercase=False),
            "categories": KEYWORD(commas=True, lowercase=False),
            "initiatives": KEYWORD(commas=True, lowercase=False),
            "year_start": NUMERIC(numtype=int, bits=32, sortable=True),
        }
    )


class WriterCodec(W3Codec):
    """Whoosh's codec without per-block length statistics. With them, a commit reads a document's
    field length from disk once per posting, for block bounds that only Whoosh's own scorer uses;
    our engine computes BM25 from the per-document lengths, which are still stored."""

    length_stats = False


def writer_options() -> dict:
    # compound=False: a compound segment is read through BytesIO, which copies the whole postings
    # file into every reader (150 MB per worker at 10,000 documents); plain files are read through
    # the page cache, which all workers share.
    return {"codec": WriterCodec(), "compound": False, "timeout": WRITER_LOCK_TIMEOUT}


def whoosh_document(prepared: dict) -> dict:
    """haystack's prepared values as Whoosh field values."""
    document = {}
    for key, value in prepared.items():
        if value is None:
            continue
        if key in MULTI_VALUED:
            document[key] = ",".join(str(item) for item in value)
        elif key in {"document_id", "year_start"}:
            document[key] = int(value)
        else:
            document[key] = str(value)
    return document


def open_or_create(generation):
    storage = FileStorage(str(generation))
    try:
        return storage.open_index(schema=document_schema())
    except EmptyIndexError:
        return storage.create_index(document_schema())


def current_or_empty_generation():
    """The current generation, publishing an empty one first if there is none (caller holds the lock)."""
    generation = store.current_generation()
    if generation is None:
        generation = store.new_generation()
        open_or_create(generation)
        store.write_manifest(generation)
        store.publish(generation, keep_previous=False)
    return generation


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def setup(self):
        generation = store.current_generation()
        if generation is None:
            with store.writer_lock(WRITER_LOCK_TIMEOUT):
                generation = current_or_empty_generation()
        self.path = str(generation)
        self.content_field_name, self.schema = "text", document_schema()
        self.index = open_or_create(generation)
        self.setup_complete = True

    def reset(self):
        """Reopen on the current generation (after a rebuild swapped it)."""
        self.setup_complete = False

    def build_schema(self, fields):
        return "text", document_schema()

    def update(self, index, iterable, commit=True):
        documents = [whoosh_document(index.full_prepare(obj)) for obj in iterable]
        self._write(lambda writer: [writer.update_document(**doc) for doc in documents])

    def remove(self, obj_or_string, commit=True):
        identifier = get_identifier(obj_or_string)
        self._write(lambda writer: writer.delete_by_term(ID, identifier))

    def clear(self, models=None, commit=True):
        self._write(lambda writer: writer.delete_by_query(self._everything()))

    def _everything(self):
        from whoosh.query import Every

        return Every()

    def _write(self, change):
        self.setup_complete = False  # always write to the current generation
        with store.writer_lock(WRITER_LOCK_TIMEOUT):
            self.setup()
            writer = FastSegmentWriter(self.index, **writer_options())
            try:
                change(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            store.write_manifest(Path(self.path))

    def search(self, query_string, start_offset=0, end_offset=None, facets=None, **kwargs):
        """The user's query text (SearchQuerySet().raw_search(q)) through our engine."""
        from archive.search.engines.whoosh import engine
        from archive.search.queries import parse_query

        limit = (end_offset or start_offset + 20) - start_offset
        page = engine.run(parse_query(query_string), offset=start_offset, limit=limit, facet_fields=facets or [])
        results = [SearchResult("archive", "document", hit.document_id, hit.score) for hit in page.hits]
        return {"results": results, "hits": page.count, "facets": {"fields": page.facets}, "spelling_suggestion": None}


class ChineseWhooshSearchQuery(WhooshSearchQuery):
    pass


class ChineseWhooshEngine(BaseEngine):
    backend = ChineseWhooshSearchBackend
    query = ChineseWhooshSearchQuery
