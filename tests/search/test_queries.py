import pytest

from archive.search.queries import (
    MAX_ALTERNATIVES,
    MAX_EXCLUDED,
    MAX_QUERY_CHARS,
    MAX_TERM_CHARS,
    MAX_TERMS,
    parse_query,
)
from archive.text.normalise import normalise


def texts(query):
    return [[term.text for term in clause] for clause in query.clauses]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("株洲 改革", [["株洲"], ["改革"]]),
        ("株洲\u3000改革", [["株洲"], ["改革"]]),  # full-width space
        ("湘潭  园区   试点", [["湘潭"], ["园区"], ["试点"]]),
        ("“放管服”改革", [["放管服改革"]]),  # pasted from a report: one term
        ('"最多 跑一次"', [["最多跑一次"]]),  # a quoted phrase keeps its words together
        ("營商環境", [["营商环境"]]),
        ("１３项", [["13项"]]),
        ('"县管校聘', [["县管校聘"]]),  # unbalanced quote
        ("河长制 AND 放管服", [["河长制"], ["放管服"]]),
        ("河长制 OR 河湖长制", [["河长制", "河湖长制"]]),
        ("县管* 校聘?", [["县管"], ["校聘"]]),
        ("", []),
        ("   ", []),
        ("“”", []),
    ],
)
def test_terms(raw, expected):
    assert texts(parse_query(raw)) == expected


def test_exclusions():
    query = parse_query("改革 -株洲 NOT 湘潭")
    assert texts(query) == [["改革"]]
    assert [term.text for term in query.excluded] == ["株洲", "湘潭"]


@pytest.mark.parametrize("raw", ["(((", "a:b:c", "\x00\x07\x1b[31m", "😀🚀", "AND OR NOT", "-", "*?*", "\\", "'" * 50])
def test_hostile_input_parses_into_clean_terms(raw):
    """Whatever is typed, the terms are non-empty, printable, normalised and within the limits."""
    query = parse_query(raw)
    terms = [term.text for clause in query.clauses for term in clause] + [term.text for term in query.excluded]
    assert all(term and term.isprintable() and term == normalise(term) for term in terms)
    assert all(len(term) <= MAX_TERM_CHARS for term in terms) and len(query.clauses) <= MAX_TERMS


def test_long_queries_are_cut_with_a_notice():
    query = parse_query("改革" * 1000)
    assert query.notices and len(query.clauses[0][0].text) <= 100
    assert len(parse_query("改 " * 1000).clauses) <= 12
    assert len("改革" * 1000) > MAX_QUERY_CHARS


def test_terms_longest_first_for_highlighting():
    assert [term.text for term in parse_query("河长 河长制").terms] == ["河长制", "河长"]


def test_or_branches_are_limited_with_a_notice_and_every_clause_keeps_its_first_term():
    """An OR-heavy query took 15.6 s: each branch is a set to compute."""
    raw = " OR ".join(f"改革{i:02d}" for i in range(60)) + " 株洲 " + " OR ".join(["河长制", "河湖长制"])
    query = parse_query(raw)
    assert sum(len(clause) for clause in query.clauses) == MAX_ALTERNATIVES
    assert texts(query)[1] == ["株洲"] and texts(query)[2][0] == "河长制"
    assert texts(query)[0][:2] == ["改革00", "改革01"]
    assert any(str(MAX_ALTERNATIVES) in notice for notice in query.notices)


def test_a_query_within_the_limits_has_no_notice():
    query = parse_query(" OR ".join(f"改革{i}" for i in range(MAX_ALTERNATIVES)))
    assert len(query.clauses[0]) == MAX_ALTERNATIVES and not query.notices


def test_exclusions_are_limited_with_a_notice():
    query = parse_query("改革 " + " ".join(f"-词{i}" for i in range(20)))
    assert len(query.excluded) == MAX_EXCLUDED and query.notices
