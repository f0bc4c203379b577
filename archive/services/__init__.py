"""Writes. `documents`: importing reports and loading the seed data; `curation`: what curators do
(suggestions, review, tagging, merging and splitting initiatives)."""

from archive.services.curation import document_suggestions_refresh, documents_suggestions_refresh
from archive.services.documents import (
    CURATED_FIXTURE,
    FIXTURES_DIR,
    HTML_SUFFIXES,
    REPORT_SUFFIXES,
    SEED_DIR,
    ImportResult,
    SeedDataError,
    city_matcher,
    content_hash_of,
    curated_fixture_load,
    document_events_extract,
    document_facts_extract,
    document_figures_extract,
    document_import,
    document_import_from_url,
    report_paths,
    seed_manifest,
)

__all__ = [
    "CURATED_FIXTURE",
    "FIXTURES_DIR",
    "HTML_SUFFIXES",
    "REPORT_SUFFIXES",
    "SEED_DIR",
    "ImportResult",
    "SeedDataError",
    "city_matcher",
    "content_hash_of",
    "curated_fixture_load",
    "document_events_extract",
    "document_facts_extract",
    "document_figures_extract",
    "document_import",
    "document_import_from_url",
    "document_suggestions_refresh",
    "documents_suggestions_refresh",
    "report_paths",
    "seed_manifest",
]
