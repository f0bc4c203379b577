"""Where indexes built before the Whoosh engine moved to engines/whoosh/ find their field classes.

Whoosh pickles the schema, with each field's and tokenizer's class by module path, into every
index's table of contents. An archive indexed before the move names this module there; without it
every such index reads as damaged until rebuilt. Nothing else should import from here."""

from archive.search.engines.whoosh.analyzers import CharGramField, CharGramTokenizer, WordField, WordTokenizer

__all__ = ["CharGramField", "CharGramTokenizer", "WordField", "WordTokenizer"]
