"""A parsed query as an OpenSearch request body: the same matches, order and facets as Whoosh.

- A term of one character is a term query on the unigram field; a longer one is a phrase of its
  bigrams (match_phrase on the bigram field, whose analyser cuts the term the same way), which
  holds exactly where the term is a substring of the normalised text.
- A clause (a term and its OR branches and aliases) is a bool `should`; clauses and exclusions
  are filters, so they decide what matches and nothing of the score.
- The score is BM25 over the jieba word field for the words of the query's terms, as in Whoosh
  (Lucene's BM25 leaves out the constant factor k1 + 1, which changes no order).
"""

from archive.search.engines.opensearch._index import FACET_SIZE
from archive.text.words import words_of

BM25_K1 = 1.2


def term_query(text: str) -> dict:
    if len(text) == 1:
        return {"term": {"unigrams": text}}
    return {"match_phrase": {"bigrams": {"query": text}}}


def clause_query(terms) -> dict:
    if len(terms) == 1:
        return term_query(terms[0].text)
    return {"bool": {"should": [term_query(term.text) for term in terms], "minimum_should_match": 1}}


def ranking_words(clauses) -> list[str]:
    """The words BM25 scores, as the Whoosh engine lists them: each distinct term's words, longest
    term first (a word in two terms counts twice there, and here)."""
    terms = {term.text: term for clause in clauses for term in clause}.values()
    return [word for term in sorted(terms, key=lambda t: -len(t.text)) for word in dict.fromkeys(words_of(term.text))]


def search_body(*, clauses, excluded, filters, extra_filters=(), extra_excluded=()) -> dict:
    """The bool query: what must match (filters, clauses, exclusions) and what scores (words)."""
    conditions = [{"terms": {field: list(values)}} for field, values in (filters or {}).items() if values]
    conditions += [clause_query(clause) for clause in clauses]
    conditions += list(extra_filters)
    must_not = [term_query(term.text) for term in excluded] + list(extra_excluded)
    scoring = [{"term": {"words": word}} for word in ranking_words(clauses)]
    return {"bool": {"filter": conditions, "must_not": must_not, "should": scoring, "minimum_should_match": 0}}


def sort_order(sort: str) -> list:
    # Whoosh breaks the last ties by index order; here by document id, which rebuilds follow too.
    if sort == "date":
        return [{"year_start": "desc"}, {"_score": "desc"}, {"document_id": "asc"}]
    if sort == "date_asc":
        return [{"year_ascending": "asc"}, {"_score": "desc"}, {"document_id": "asc"}]
    return [{"_score": "desc"}, {"year_start": "desc"}, {"document_id": "asc"}]


def facet_aggregations(facet_fields) -> dict:
    # Every value with its count, most first, then by value (as Whoosh's facet_counts); one shard,
    # so the counts are exact.
    return {
        field: {"terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}}
        for field in facet_fields
    }


def facets_of(response: dict, facet_fields) -> dict[str, list[tuple[str, int]]]:
    aggregations = response.get("aggregations") or {}
    return {
        field: [(bucket["key"], bucket["doc_count"]) for bucket in aggregations.get(field, {}).get("buckets", [])]
        for field in facet_fields
    }


def hit_score(hit: dict) -> float:
    """The BM25 score on Whoosh's scale (times k1 + 1), rounded as Whoosh's engine rounds it."""
    return round(float(hit.get("_score") or 0.0) * (BM25_K1 + 1), 4)
