"""gunicorn's start-up in the Whoosh engine: the index's jieba user words loaded in the master
(archive/search/engines/whoosh/warmup.py), so the forked workers share them."""

import pytest

from archive.search.engines.whoosh import store, warmup
from archive.text import words


@pytest.fixture
def no_user_words():
    words.use_user_words(frozenset())
    yield
    words.use_user_words(frozenset())


def test_the_index_user_words_are_loaded_without_opening_a_reader(indexed, no_user_words, monkeypatch):
    expected = store.read_dictionary(store.current_generation())
    assert expected and words.loaded_user_words() == frozenset()
    opened = []
    monkeypatch.setattr("archive.search.engines.whoosh.engine.Snapshot", lambda *a: opened.append(a))
    warmup.load_user_words()
    assert words.loaded_user_words() == expected
    assert not opened  # a reader's files would be shared with every forked worker


def test_no_index_loads_nothing(search_dir, no_user_words):
    warmup.load_user_words()
    assert words.loaded_user_words() == frozenset()


def test_a_damaged_dictionary_is_left_to_the_worker_to_report(indexed, no_user_words, caplog):
    path = store.current_generation() / store.DICTIONARY_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one word short of its count
    warmup.load_user_words()
    assert words.loaded_user_words() == frozenset()
    assert "not preloaded" in caplog.text
