"""Chinese full-text search: normalisation, analysers, the haystack backend, queries, highlighting."""
