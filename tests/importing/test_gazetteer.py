from pathlib import Path

import pytest

from archive.importing.gazetteer import (
    CityCandidate,
    CityMatcher,
    CityNotFound,
    pinyin_name,
    pinyin_slug,
    province_english,
    read_gazetteer,
)

GAZETTEER = read_gazetteer(Path(__file__).resolve().parents[2] / "fixtures" / "gazetteer")
BY_NAME = {entry.name: entry for entry in GAZETTEER}
MATCHER = CityMatcher([CityCandidate(e.slug, e.name, e.short_name, e.province) for e in GAZETTEER])


def test_gazetteer_has_every_prefecture_level_unit_and_the_municipalities():
    assert len(GAZETTEER) == 338
    assert BY_NAME["北京市"].level == "municipality"
    assert "市辖区" not in BY_NAME


@pytest.mark.parametrize(
    ("name", "slug", "province", "level"),
    [
        ("株洲市", "zhuzhou", "湖南省", "prefecture_city"),
        ("永州市", "yongzhou", "湖南省", "prefecture_city"),
        ("湘潭市", "xiangtan", "湖南省", "prefecture_city"),
        ("许昌市", "xuchang", "河南省", "prefecture_city"),
        ("长春市", "changchun", "吉林省", "sub_provincial"),
    ],
)
def test_seed_cities(name, slug, province, level):
    entry = BY_NAME[name]
    assert (entry.slug, entry.province, entry.level) == (slug, province, level)
    assert entry.longitude and entry.latitude


def test_slugs_are_unique_and_homophones_carry_their_province():
    assert len({entry.slug for entry in GAZETTEER}) == len(GAZETTEER)
    assert BY_NAME["福州市"].slug == "fuzhou-fujian"
    assert BY_NAME["抚州市"].slug == "fuzhou-jiangxi"


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("延边朝鲜族自治州", "延边"),
        ("黔东南苗族侗族自治州", "黔东南"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("阿里地区", "阿里"),
        ("株洲市", "株洲"),
    ],
)
def test_short_names(name, short):
    assert BY_NAME[name].short_name == short


def test_pinyin_slug_keeps_digits():
    assert pinyin_slug("一件事一次办") == "yijianshiyiciban"
    assert pinyin_slug("3+3+2现代产业体系") == "3-3-2xiandaichanyetixi"


def test_province_names_do_not_count_for_a_city():
    """吉林省长春市: 吉林 in the province's name is not the city of 吉林."""
    assert MATCHER.match("", "吉林省长春市，长春市委深改委……吉林省委").slug == "changchun"


def test_traditional_characters_match():
    assert MATCHER.match("", "長春市委深改委。長春市完成改革任務。").slug == "changchun"


def test_no_city_named_twice_is_not_guessed():
    with pytest.raises(CityNotFound, match="--city"):
        MATCHER.match("", "我市深入推进放管服改革，成效显著。")


def test_tie_between_two_cities_is_not_guessed():
    with pytest.raises(CityNotFound, match="出现次数相同"):
        MATCHER.match("", "株洲和湘潭联合推进改革。株洲、湘潭两地共建。")


@pytest.mark.parametrize(
    ("name", "english"),
    [("株洲", "Zhuzhou"), ("长春", "Changchun"), ("西安", "Xi'an"), ("延安", "Yan'an"), ("重庆", "Chongqing")],
)
def test_pinyin_name_is_a_proper_noun_with_apostrophes_between_run_on_syllables(name, english):
    assert pinyin_name(name) == english


@pytest.mark.parametrize(
    ("province", "english"),
    [
        ("湖南省", "Hunan"),
        ("吉林省", "Jilin"),
        ("广西壮族自治区", "Guangxi"),
        ("陕西省", "Shaanxi"),  # not Shanxi, which is 山西
        ("山西省", "Shanxi"),
        ("内蒙古自治区", "Inner Mongolia"),
        ("北京市", "Beijing"),
    ],
)
def test_province_english_follows_the_usual_spellings(province, english):
    assert province_english(province) == english
