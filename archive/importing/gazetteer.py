"""The gazetteer of prefecture-level units, read from cpca's adcode table, and finding a report's city.

Pure code: `read_gazetteer` returns plain entries that a service writes to the database, and
`CityMatcher` works on any list of (slug, name, short name, province) tuples.
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypinyin import lazy_pinyin

from archive.text.normalise import to_simplified

MUNICIPALITY_PREFIXES = {"11", "12", "31", "50"}  # 北京 天津 上海 重庆
_PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_LEVEL_SUFFIXES = [
    ("自治州", "autonomous_prefecture"),
    ("地区", "prefecture"),
    ("盟", "league"),
    ("市", "prefecture_city"),
]


@dataclass(frozen=True)
class GazetteerEntry:
    adcode: str
    name: str
    short_name: str
    slug: str
    province: str
    level: str
    longitude: str
    latitude: str


def short_name_of(name: str, nations: list[str]) -> str:
    """株洲市 → 株洲; 延边朝鲜族自治州 → 延边; 锡林郭勒盟 → 锡林郭勒."""
    for suffix, _level in _LEVEL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            short = name[: -len(suffix)]
            break
    else:
        return name
    if name.endswith("自治州"):
        # Strip the nationalities, longest first: 黔东南苗族侗族 → 黔东南.
        changed = True
        while changed:
            changed = False
            for nation in sorted(nations, key=len, reverse=True):
                for variant in (nation, nation.removesuffix("族")):
                    if len(variant) >= 2 and short.endswith(variant) and len(short) > len(variant) + 1:
                        short = short[: -len(variant)]
                        changed = True
                        break
                if changed:
                    break
    return short


def level_of(name: str, adcode: str, sub_provincial: set[str]) -> str:
    if adcode[:2] in MUNICIPALITY_PREFIXES:
        return "municipality"
    if name in sub_provincial:
        return "sub_provincial"
    for suffix, level in _LEVEL_SUFFIXES:
        if name.endswith(suffix):
            return level
    return "prefecture_city"


def pinyin_slug(text: str) -> str:
    """株洲 → zhuzhou; 一件事一次办 → yijianshiyiciban; 3+3+2现代产业体系 → 3-3-2xiandaichanyetixi."""
    syllables = "".join(
        lazy_pinyin(text, errors=lambda chars: [c if c.isascii() and c.isalnum() else "-" for c in chars])
    )
    slug = re.sub(r"[^a-z0-9]+", "-", syllables.lower()).strip("-")
    return slug or "x"


# Names whose English form is not their plain pinyin (陕西 would collide with 山西).
_ENGLISH_PROVINCES = {"陕西": "Shaanxi", "内蒙古": "Inner Mongolia", "香港": "Hong Kong", "澳门": "Macao"}
_PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")


def pinyin_name(text: str) -> str:
    """株洲 → Zhuzhou, 西安 → Xi'an: pinyin as a proper noun, the apostrophe where syllables would run together."""
    syllables = [s for s in lazy_pinyin(text) if s.strip()]
    word = "".join(
        ("'" + s if i and s[0] in "aeo" else s) if s.isascii() and s.isalpha() else s for i, s in enumerate(syllables)
    )
    return word[:1].upper() + word[1:]


def province_short(province: str) -> str:
    """湖南省 → 湖南, 广西壮族自治区 → 广西: the name the map's province outlines carry."""
    short = province
    for suffix in _PROVINCE_SUFFIXES:
        short = short.removesuffix(suffix)
    return re.sub(r"(壮族|回族|维吾尔)$", "", short)


def province_english(province: str) -> str:
    """湖南省 → Hunan, 广西壮族自治区 → Guangxi, 陕西省 → Shaanxi."""
    short = province_short(province)
    return _ENGLISH_PROVINCES.get(short) or pinyin_name(short)


def read_gazetteer(directory: Path) -> list[GazetteerEntry]:
    """Provinces' prefecture-level units and the four municipalities, with unique pinyin slugs."""
    nations = [
        line.strip() for line in (directory / "nations.csv").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    sub_provincial = set((directory / "sub_provincial.txt").read_text(encoding="utf-8").split())
    with (directory / "adcodes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    provinces = {row["adcode"][:2]: row["name"] for row in rows if row["adcode"][2:] == "0000000000"}

    units = []
    for row in rows:
        code = row["adcode"]
        is_municipality = code[:2] in MUNICIPALITY_PREFIXES and code[2:] == "0000000000"
        is_prefecture = code[4:] == "00000000" and code[2:4] != "00" and code[:2] not in MUNICIPALITY_PREFIXES
        if not (is_municipality or is_prefecture) or row["name"] in _PLACEHOLDER_NAMES:
            continue
        units.append(row)

    base_slugs = {row["adcode"]: pinyin_slug(short_name_of(row["name"], nations)) for row in units}
    slug_counts = Counter(base_slugs.values())
    entries = []
    for row in sorted(units, key=lambda r: r["adcode"]):
        code = row["adcode"]
        province = provinces.get(code[:2], "")
        slug = base_slugs[code]
        if slug_counts[slug] > 1:
            # 福州/抚州 are both "fuzhou": each gets its province, so no city owns the bare slug.
            slug = f"{slug}-{pinyin_slug(short_name_of(province, []).removesuffix('省'))}"
        entries.append(
            GazetteerEntry(
                adcode=code,
                name=row["name"],
                short_name=short_name_of(row["name"], nations),
                slug=slug,
                province=province,
                level=level_of(row["name"], code, sub_provincial),
                longitude=row["longitude"],
                latitude=row["latitude"],
            )
        )
    return entries


@dataclass(frozen=True)
class CityCandidate:
    slug: str
    name: str
    short_name: str
    province: str


class CityNotFound(ValueError):
    pass


class CityMatcher:
    """Finds the city a report is about: the one its text names most often.

    Province names are blanked first, so 吉林省 does not count for 吉林市. A full name (株洲市)
    counts twice as much as the short name alone. The winner must be named at least twice and
    more often than any other city; otherwise the report's city is not determined."""

    def __init__(self, candidates: list[CityCandidate]):
        self.candidates = candidates
        provinces = {candidate.province for candidate in candidates if candidate.province}
        self._province_pattern = re.compile("|".join(sorted(map(re.escape, provinces), key=len, reverse=True)) or "$^")

    def scores(self, text: str) -> Counter:
        text = self._province_pattern.sub("□", to_simplified(text))
        scores = Counter()
        for candidate in self.candidates:
            short_hits = text.count(candidate.short_name)
            if not short_hits:
                continue
            full_hits = text.count(candidate.name) if candidate.name != candidate.short_name else 0
            scores[candidate.slug] = short_hits + full_hits
        return scores

    def match(self, title: str, body: str) -> CityCandidate:
        scores = self.scores(f"{title}\n{title}\n{body}")
        ranked = scores.most_common(2)
        by_slug = {candidate.slug: candidate for candidate in self.candidates}
        if not ranked or ranked[0][1] < 2:
            raise CityNotFound("无法确定城市：正文中没有反复出现的地级市名称，请用 --city 指定")
        if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
            first, second = by_slug[ranked[0][0]], by_slug[ranked[1][0]]
            raise CityNotFound(
                f"无法确定城市：{first.name} 与 {second.name} 出现次数相同（{ranked[0][1]} 次），请用 --city 指定"
            )
        return by_slug[ranked[0][0]]
