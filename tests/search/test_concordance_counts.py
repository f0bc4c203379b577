"""The concordance's counts are remembered per index generation: pages and filters of a term reuse
them, and a changed index counts again."""

from archive import search
from archive.models import City, Document
from archive.search.engines.whoosh import engine
from archive.text.normalise import normalise


def grep_count(term: str) -> int:
    return sum(normalise(f"{d.title}\n{d.body}").count(term) for d in Document.objects.all())


def test_a_new_report_is_counted_after_the_index_changes(client, indexed):
    before = client.get("/api/concordance/", {"q": "改革"}).json()["count"]
    assert before == grep_count("改革")
    Document.objects.create(
        title="合成测试报告",
        body="改革。改革！深化改革",
        raw_text="改革。改革！深化改革",
        city=City.objects.get(slug="zhuzhou"),
        content_hash="concordance-counts",
    )
    search.rebuild()
    after = client.get("/api/concordance/", {"q": "改革"}).json()["count"]
    assert after == before + 3 == grep_count("改革")


def test_counts_of_a_filtered_concordance_reuse_those_of_the_whole(client, indexed, monkeypatch):
    whole = client.get("/api/concordance/", {"q": "改革"}).json()["count"]
    read = []
    snap = engine.snapshot()
    original = snap.occurrences

    def counting(key, count, docnums):
        read.append(key)
        return original(key, lambda text: read.append(text) or count(text), docnums)

    monkeypatch.setattr(snap, "occurrences", counting)
    filtered = client.get("/api/concordance/", {"q": "改革", "city": "xuchang"}).json()["count"]
    assert 0 < filtered < whole
    assert read == ["改革"]  # the key only: no text was read again
