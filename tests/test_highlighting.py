from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.highlighting import Span, mark_paragraphs, mark_spans


class _Marks(HTMLParser):
    """Reads rendered marks back: for each character, the spans (data-i) whose elements enclose it,
    and each element's id and label."""

    def __init__(self):
        super().__init__()
        self.text = []
        self.covering = []
        self.stack = []
        self.ids = []
        self.labels = {}

    def handle_starttag(self, tag, attrs):
        assert tag == "mark"
        attrs = dict(attrs)
        self.stack.append(int(attrs["data-i"]))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        self.labels.setdefault(len(self.text), []).append(attrs.get("data-label"))

    def handle_endtag(self, tag):
        assert tag == "mark"
        self.stack.pop()

    def handle_data(self, data):
        for ch in data:
            self.text.append(ch)
            self.covering.append(frozenset(self.stack))


def _read(html: str) -> _Marks:
    parser = _Marks()
    parser.feed(html)
    parser.close()
    assert parser.stack == [], "every <mark> is closed in its paragraph"
    return parser


def _spans(pairs):
    return [Span(start, end, {"id": f"s{i}", "data-i": i}) for i, (start, end) in enumerate(pairs)]


texts = st.text(alphabet="河长制改革<&\"'\n", max_size=40)


@settings(max_examples=300)
@given(texts, st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45)), max_size=8))
def test_marks_nest_so_every_character_is_inside_exactly_the_spans_covering_it(text, pairs):
    spans = _spans([(min(a, b), max(a, b)) for a, b in pairs])
    paragraphs = mark_paragraphs(text, spans)
    lines = text.split("\n")
    assert len(paragraphs) == len(lines)
    offset = 0
    ids = []
    for line, html in zip(lines, paragraphs, strict=True):
        read = _read(str(html))
        assert "".join(read.text) == line
        for index, covering in enumerate(read.covering):
            position = offset + index
            assert covering == {i for i, s in enumerate(spans) if s.start <= position < s.end}
        ids += read.ids
        offset += len(line) + 1
    # Every span starting in the text has its id exactly once (empty ones as an empty anchor).
    expected = [f"s{i}" for i, s in enumerate(spans) if s.start <= len(text)]
    assert sorted(ids) == sorted(expected)


def test_overlapping_mentions_each_keep_their_anchor_and_the_overlap_names_both():
    text = "推进河湖长制改革"
    spans = [
        Span(2, 6, {"id": "m1", "class": "mention"}, label="河长制"),
        Span(4, 8, {"id": "m2", "class": "mention"}, label="制度改革"),
    ]
    html = str(mark_spans(text, spans))
    assert html == (
        '推进<mark id="m1" class="mention" tabindex="0" data-label="河长制">河湖'
        '<mark id="m2" class="mention" tabindex="0" data-label="河长制 · 制度改革">长制</mark></mark>'
        '<mark class="mention" tabindex="-1" data-label="制度改革">改革</mark>'
    )


def test_a_passage_across_a_paragraph_break_is_anchored_once_and_continues():
    paragraphs = mark_paragraphs("第一段河长\n制第二段", [Span(3, 7, {"id": "m1"}, label="河长制")])
    assert paragraphs[0] == '第一段<mark id="m1" tabindex="0" data-label="河长制">河长</mark>'
    assert paragraphs[1] == '<mark tabindex="-1" data-label="河长制">制</mark>第二段'


def test_text_and_attributes_are_escaped_and_only_mark_is_added():
    html = str(mark_spans('<b>"x"</b>', [Span(3, 6, {"title": '"><script>'}, label="<i>")]))
    assert html == (
        '&lt;b&gt;<mark title="&quot;&gt;&lt;script&gt;" tabindex="0" data-label="&lt;i&gt;">'
        "&quot;x&quot;</mark>&lt;/b&gt;"
    )


def test_an_empty_span_with_an_id_is_still_an_anchor():
    assert str(mark_spans("河长制", [Span(1, 1, {"id": "m9"})])) == '河<mark id="m9"></mark>长制'


def test_spans_outside_the_text_are_ignored():
    assert str(mark_spans("河长制", [Span(5, 9, {"id": "m9"}), Span(-3, -1)])) == "河长制"
