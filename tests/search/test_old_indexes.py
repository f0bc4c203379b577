"""An index written before the Whoosh engine's modules moved must still open: Whoosh pickles the
classes of its schema and codec by module path into each table of contents."""

import pickle

import pytest

from archive.search.engines.whoosh import analyzers, backend

# Every archive class that an index built before the move names in its table of contents.
PICKLED_BEFORE_THE_MOVE = [
    ("archive.search.analyzers", analyzers.WordField),
    ("archive.search.analyzers", analyzers.CharGramField),
    ("archive.search.analyzers", analyzers.WordTokenizer),
    ("archive.search.analyzers", analyzers.CharGramTokenizer),
    ("archive.search.backend", backend.WriterCodec),
]


@pytest.mark.parametrize(("old_module", "cls"), PICKLED_BEFORE_THE_MOVE)
def test_a_class_pickled_under_its_old_module_loads_as_the_same_class(old_module, cls):
    # Protocol 0 names the class as text: "c<module>\n<name>\n", as the old tables of contents do.
    pickled = pickle.dumps(cls, protocol=0).replace(cls.__module__.encode(), old_module.encode())
    assert old_module.encode() in pickled
    assert pickle.loads(pickled) is cls


def test_a_schema_pickled_under_the_old_modules_loads_and_analyses_alike():
    schema = backend.document_schema()
    pickled = pickle.dumps(schema, protocol=0)
    for new, old in [(analyzers.__name__, "archive.search.analyzers"), (backend.__name__, "archive.search.backend")]:
        pickled = pickled.replace(f"c{new}\n".encode(), f"c{old}\n".encode())
    assert b"carchive.search.analyzers\n" in pickled
    loaded = pickle.loads(pickled)
    assert loaded.names() == schema.names()
    text = "全面推行河长制"
    for name in ("text", "chars"):
        if name in schema:
            assert [t.text for t in loaded[name].analyzer(text)] == [t.text for t in schema[name].analyzer(text)]
