"""Reading English and pinyin initiative names in a query (pure: no database)."""

import pytest

from archive.search.english import InitiativeNames, is_latin, latin_runs, pinyin_pattern

NAMES = InitiativeNames.from_rows(
    [
        ("河长制", "River Chief System"),
        ("河湖长+检察长", "River and lake chiefs plus procurators"),
        ("县管校聘", "County-managed, school-hired teachers"),
        ("长株潭一体化", "Chang-Zhu-Tan integration"),
        ("司法体制改革", "Judicial system reform"),
        ("文化体制改革", "Cultural system reform"),
        ("三块地改革", ""),
    ]
)


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("river chief", ["河长制"]),
        ("river chief system", ["河长制"]),
        ("hezhangzhi", ["河长制"]),
        ("he zhang zhi", ["河长制"]),
        ("county-managed school-hired", ["县管校聘"]),
        ("xianguanxiaopin", ["县管校聘"]),
        ("changzhutanyitihua", ["长株潭一体化"]),  # 长 read as chang, not only pypinyin's zhang
        ("sankuaidigaige", ["三块地改革"]),  # no English name: pinyin still finds it
    ],
)
def test_english_and_pinyin_names_find_the_initiative(typed, names):
    assert NAMES.match_run(typed.split()) == [(0, len(typed.split()), names)]


def test_generic_words_alone_name_nothing():
    """ "system reform" is in several English names; two filler words do not pick one."""
    assert NAMES.match_run(["system", "reform"]) == [(0, 2, [])]
    assert NAMES.match_run(["river"]) == [(0, 1, [])]


def test_a_run_is_read_longest_name_first_and_unknown_words_are_grouped():
    assert NAMES.match_run(["foo", "bar", "river", "chief", "judicial", "system", "reform"]) == [
        (0, 2, []),
        (2, 4, ["河长制"]),
        (4, 7, ["司法体制改革"]),
    ]


def test_latin_runs_skip_chinese_terms_and_or_clauses():
    clauses = [["river"], ["chief"], ["河长制"], ["a", "b"], ["hezhangzhi"], ["绿色gdp"]]
    assert latin_runs(clauses) == [[0, 1], [4]]
    assert not is_latin("绿色gdp") and not is_latin("2017") and is_latin("one-stop")


def test_pinyin_pattern_keeps_digits_and_drops_signs():
    assert pinyin_pattern("3+3+2现代产业体系").fullmatch("332xiandaichanyetixi")
    assert pinyin_pattern("River") is None
