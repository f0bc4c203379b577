"""The OpenSearch index: its settings and mapping, its name, and how documents are sent to it.

One alias (`<prefix>documents`) names the live index; a rebuild fills a new concrete index
(`<prefix>documents-<stamp>`) and moves the alias in one atomic `_aliases` call, keeping the
previous index for a reader that resolved the alias a moment ago (the Whoosh store keeps the
previous generation for the same reason).

Everything the cluster holds is already normalised and segmented in Python (normalise(), the
jieba word field of analyzers.py), so the cluster's analysers only cut: unigrams and bigrams of the
normalised text with positions, and the jieba words at the spaces we put between them.
"""

import time
import uuid

from archive.text.words import words_of

# One primary shard: BM25's statistics (document frequencies, average length) are then those of
# the whole collection, as Whoosh computes them, so both engines rank alike. A few hundred thousand
# reports fit one shard (docs/opensearch.md); the replica is on the other node.
REPLICAS = 1
INDEX_SETTINGS = {
    "number_of_shards": 1,
    "number_of_replicas": REPLICAS,
    "analysis": {
        "tokenizer": {
            "unigram": {"type": "ngram", "min_gram": 1, "max_gram": 1, "token_chars": []},
            "bigram": {"type": "ngram", "min_gram": 2, "max_gram": 2, "token_chars": []},
        },
        "analyzer": {
            "unigrams": {"type": "custom", "tokenizer": "unigram"},
            "bigrams": {"type": "custom", "tokenizer": "bigram"},
            "words": {"type": "custom", "tokenizer": "whitespace"},
        },
    },
}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "document_id": {"type": "long"},
        # The normalised title and body as the index matched them (concordance and trends read it);
        # its unigrams and bigrams are the fields that match.
        "text": {"type": "text", "index": False, "copy_to": ["unigrams", "bigrams"]},
        "unigrams": {"type": "text", "analyzer": "unigrams", "index_options": "docs", "norms": False},
        "bigrams": {"type": "text", "analyzer": "bigrams", "index_options": "positions", "norms": False},
        # jieba words joined by spaces: term frequencies and lengths for BM25, never for matching.
        "words": {"type": "text", "analyzer": "words", "index_options": "freqs"},
        "city": {"type": "keyword"},
        "province": {"type": "keyword"},
        "years": {"type": "keyword"},
        "categories": {"type": "keyword"},
        "initiatives": {"type": "keyword"},
        "year_start": {"type": "integer"},
        # year_start with "no year" last, for the oldest-first sort (Whoosh sorts 0 as 9999 there).
        "year_ascending": {"type": "integer"},
    },
}
FACET_SIZE = 10_000


DEFAULT_PREFIX = "reform-archive"


def alias_name(prefix: str) -> str:
    """`<prefix>-documents`: the alias searches read; its indices are `<prefix>-documents-<stamp>`."""
    return f"{(prefix or DEFAULT_PREFIX).rstrip('-_')}-documents"


def new_index_name(alias: str) -> str:
    return f"{alias}-{time.strftime('%Y%m%dt%H%M%S')}-{uuid.uuid4().hex[:8]}"


def index_body(*, dictionary: frozenset[str] = frozenset(), building: bool = False) -> dict:
    """Settings and mapping for a new index. While a rebuild fills it, it has no replica and no
    refreshes (both come when it is swapped in)."""
    index_settings = dict(INDEX_SETTINGS)
    if building:
        index_settings = {**index_settings, "number_of_replicas": 0, "refresh_interval": "-1"}
    return {"settings": index_settings, "mappings": {**MAPPINGS, "_meta": {"dictionary": sorted(dictionary)}}}


def source(prepared: dict) -> dict:
    """A document as the cluster stores it, from haystack's prepared values (search_indexes.py);
    `text` is already normalised there."""
    text = str(prepared.get("text") or "")
    year_start = int(prepared.get("year_start") or 0)
    return {
        "document_id": int(prepared["document_id"]),
        "text": text,
        "words": " ".join(words_of(text)),
        "city": prepared.get("city"),
        "province": prepared.get("province"),
        "years": [str(year) for year in prepared.get("years") or []],
        "categories": [str(slug) for slug in prepared.get("categories") or []],
        "initiatives": [str(slug) for slug in prepared.get("initiatives") or []],
        "year_start": year_start,
        "year_ascending": year_start or 9999,
    }


def bulk_actions(index: str, documents, removed_ids):
    """Bulk API actions (a generator, so a rebuild streams): index these, delete those."""
    for document in documents:
        yield {"_op_type": "index", "_index": index, "_id": str(document["document_id"]), "_source": document}
    for pk in removed_ids:
        yield {"_op_type": "delete", "_index": index, "_id": str(pk)}
