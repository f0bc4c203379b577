"""Writes. `documents`: importing reports and loading the seed data; `curation`: what curators do
(suggestions, review, tagging, merging and splitting initiatives); `catalogue`: the national reform
programmes loaded as initiatives."""

from archive.services.catalogue import REFORM_CATALOGUE, CatalogueCounts, CatalogueError, reform_catalogue_load
from archive.services.curation import document_suggestions_refresh, documents_suggestions_refresh
from archive.services.documents import (
    CURATED_FIXTURE,
    FIXTURES_DIR,
    HTML_SUFFIXES,
    REPORT_SUFFIXES,
    SEED_DIR,
    ImportResult,
    ReadReport,
    SeedDataError,
    city_matcher,
    content_hash_of,
    curated_fixture_load,
    document_create,
    document_events_extract,
    document_facts_extract,
    document_figures_extract,
    document_import,
    document_import_from_url,
    report_paths,
    report_read,
    seed_manifest,
)

__all__ = [
    "CURATED_FIXTURE",
    "FIXTURES_DIR",
    "HTML_SUFFIXES",
    "REFORM_CATALOGUE",
    "REPORT_SUFFIXES",
    "SEED_DIR",
    "CatalogueCounts",
    "CatalogueError",
    "ImportResult",
    "ReadReport",
    "SeedDataError",
    "city_matcher",
    "content_hash_of",
    "curated_fixture_load",
    "document_create",
    "document_events_extract",
    "document_facts_extract",
    "document_figures_extract",
    "document_import",
    "document_import_from_url",
    "document_suggestions_refresh",
    "documents_suggestions_refresh",
    "reform_catalogue_load",
    "report_paths",
    "report_read",
    "seed_manifest",
]
