"""Where indexes built before the Whoosh engine moved to engines/whoosh/ find their codec class.

Whoosh pickles the codec with its module path into every segment's table of contents; see
archive/search/analyzers.py. Nothing else should import from here."""

from archive.search.engines.whoosh.backend import WriterCodec

__all__ = ["WriterCodec"]
