"""Per-document arrays read a segment at a time (archive/search/engines/whoosh/columns.py), checked
against Whoosh's own reader, one value at a time."""

import numpy as np
import pytest
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import NO_MERGE

from archive.search.engines.whoosh import columns


@pytest.fixture
def several_segments(tmp_path):
    """Three segments, with deletions, negative and large values, and documents without a value."""
    schema = Schema(
        year=NUMERIC(numtype=int, bits=32, sortable=True),  # signed: stored shifted
        ident=NUMERIC(numtype=int, bits=64, sortable=True, signed=False),
        body=TEXT(),
    )
    ix = FileStorage(str(tmp_path)).create().create_index(schema)
    number = 0
    for batch in range(3):
        writer = ix.writer()
        for _ in range(5 + batch):
            fields = {"body": "改革 " * (number % 7 + 1) + "河长制"}
            if number % 4 != 3:  # every fourth has no year
                fields["year"] = -40 + 9 * number
            if number % 5 != 4:
                fields["ident"] = 2**40 + number
            writer.add_document(**fields)
            number += 1
        writer.commit(mergetype=NO_MERGE)
    writer = ix.writer()
    for docnum in (1, 7, 16):
        writer.delete_document(docnum)
    writer.commit(mergetype=NO_MERGE)
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 3 and reader.has_deletions()
    return ix


def test_live_documents_are_whooshs(several_segments):
    with several_segments.reader() as reader:
        assert np.flatnonzero(columns.live_mask(reader)).tolist() == list(reader.all_doc_ids())


def test_numeric_columns_are_whooshs_values(several_segments):
    with several_segments.reader() as reader:
        for name in ("year", "ident"):
            expected = list(reader.column_reader(name))
            # Whoosh gives a document without a value the default, 2**64 - 1 for `ident`: we give 0.
            expected = [0 if value > 2**62 or value < -(2**62) else value for value in expected]
            assert columns.numeric_column(reader, name).tolist() == expected
        assert -40 in columns.numeric_column(reader, "year").tolist()


def test_field_lengths_are_whooshs(several_segments):
    with several_segments.reader() as reader:
        expected = [reader.doc_field_length(docnum, "body", 0) or 0 for docnum in range(reader.doc_count_all())]
        assert columns.field_lengths(reader, "body").tolist() == expected
        assert len(set(expected)) > 3


def test_a_column_of_another_kind_is_read_through_whoosh(several_segments, monkeypatch):
    monkeypatch.setattr(columns, "_fixed_width_values", lambda column, count: None)
    with several_segments.reader() as reader:
        assert columns.numeric_column(reader, "ident").tolist()[:3] == [2**40, 2**40 + 1, 2**40 + 2]
        expected = [reader.doc_field_length(docnum, "body", 0) or 0 for docnum in range(reader.doc_count_all())]
        assert columns.field_lengths(reader, "body").tolist() == expected
