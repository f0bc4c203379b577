"""What a report is about: the city (or province, or district) whose report it is, and its years.

A report names many places: the province above it, the cities it learned from, the counties below
it. Its subject is the one that speaks and acts in it: the title and byline, the unit that says
我市/全市/本市, whose 市委/市政府 holds the meeting. So the level comes first (省, 市, 区/县: whose
organs act and who says 我X/全X), then the place of that level the text ties to those organs.

- A province-level report (a province or an autonomous region) is recognised and not filed under a
  city: `ReportDescription.level == "province"` with its province, and `city` None. The four
  municipalities are cities here (they are city-level units of the gazetteer and of the archive's
  comparisons), so 北京市's report is 北京市's.
- A district or county report is filed under its prefecture, with the district named.
- A city quoted as an example (学习/借鉴/考察/赴 …) is not the subject.
- When unsure, the city is left empty and `city_note` says why.

Pure code: places come from the gazetteer file or from the database as plain tuples.
"""

import csv
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from archive.text.normalise import to_simplified

from .cleaning import CleanReport
from .gazetteer import MUNICIPALITY_PREFIXES, CityCandidate, read_gazetteer
from .metadata import YearSpan, extract_years

PROVINCE, CITY, DISTRICT = "province", "city", "district"

# Organs and self-references of each level. "我市/全市" and "市委书记" are the unit speaking or acting;
# a chain like "省委、省政府和市委" names the superiors of its last member, which is the subject.
_ORGANS = "{u}委书记|{u}长(?!助理)|{u}人民政府|{u}政府|{u}委(?:全面深化改革|常委会|召开)"
_SELF = {
    PROVINCE: "我省|全省|本省|该省|我区(?=[^县镇街]|$)|全区各族|自治区党委|自治区人民政府|自治区政府|自治区主席|"
    + _ORGANS.format(u="省"),
    CITY: "我市|全市|本市|该市|市深改|" + _ORGANS.format(u="市"),
    DISTRICT: "我区|全区|本区|我县|全县|本县|" + _ORGANS.format(u="区") + "|" + _ORGANS.format(u="县"),
}
_CHAIN = re.compile(r"(?:(?:党中央|中央|国务院|省委|省政府|自治区党委|市委|市政府|区委|县委)[、和及与]?){2,}")
_CHAIN_LAST = {"省委": PROVINCE, "省政府": PROVINCE, "自治区党委": PROVINCE, "市委": CITY, "市政府": CITY,
               "区委": DISTRICT, "县委": DISTRICT}  # fmt: skip
# Sentences that name places someone learned from or visited: those places are not the subject.
_QUOTED_BEFORE = r"(?:赴|学习|借鉴|考察了?|参观了?|对标|取经)[^，。；,;]{0,12}?"
_QUOTED_AFTER = (
    r"(?:[^，。；,;]{0,6}?(?:考察|学习|取经|参观)|的(?:先进|成功|好)?(?:经验|做法)|[^，。；,;]{0,3}的[“\"]?昨天)"
)
# A place with its own organs acting (株洲市委, 深圳市人民政府) is a subject wherever else it is quoted.
_OWN_ORGANS = r"(?:市委|市政府|市人民政府|市长|市第.{1,4}届)"
# Sentences about people elsewhere joining in (…在镇赉分会场参加会议): not who holds the meeting.
# Not a work report's formula "请各位政协委员和列席人员提出意见": the people attending the speaker's own congress.
_ELSEWHERE = re.compile(r"分会场|列席(?!人员)")
# "在全省率先", "居全省第一", "领跑全市": a unit ranking itself in the larger one, which is not the subject.
_COMPARISON = re.compile(
    r"(?:在|居|于|为|列|领跑|向|比|占|成为)全[省市区县]|全[省市区县](?=首|第[一二三四五]|率先|前列|领先|推广|之最|唯一|排名|最)"
)
_LEAD_SENTENCES = 3
_TITLE_WEIGHT = 4
_LEAD_WEIGHT = 2


@dataclass(frozen=True)
class County:
    """A county-level unit (区, 县, county-level 市) and the prefecture it belongs to."""

    name: str
    short_name: str
    prefecture: str
    province: str


@dataclass
class Places:
    cities: list[CityCandidate]
    counties: list[County] = field(default_factory=list)

    def __post_init__(self):
        self.provinces = sorted({c.province for c in self.cities if c.province}, key=len, reverse=True)
        self.by_name = {c.name: c for c in self.cities}
        names = sorted({c.name for c in self.counties}, key=len, reverse=True)
        # Two-character names (兴县) not before 域/城/乡, so 振兴县域 is not 兴县.
        self.county_pattern = re.compile(
            "|".join(re.escape(n) + ("" if len(n) > 2 else "(?![域城乡级])") for n in names) or "$^"
        )
        variants = {c.name: c.name for c in self.cities}
        variants.update({c.short_name: c.name for c in self.cities if len(c.short_name) >= 2})
        self.city_key = variants
        self.city_pattern = re.compile("|".join(map(re.escape, sorted(variants, key=len, reverse=True))))
        provinces = [p for p in self.provinces if not p.endswith("市")]
        self.province_blank = re.compile("|".join(map(re.escape, provinces)) or "$^")
        shorts = {re.sub("(省|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", p) for p in provinces}
        self.province_named = re.compile(
            "|".join(map(re.escape, sorted(shorts | set(provinces), key=len, reverse=True)))
        )
        self.counties_by_name: dict[str, list[County]] = {}
        for county in self.counties:
            self.counties_by_name.setdefault(county.name, []).append(county)


@dataclass
class ReportDescription:
    city: CityCandidate | None
    level: str  # province, prefecture, municipality, district, county, or "" when not determined
    province: str = ""
    district: str = ""
    city_note: str = ""
    years: YearSpan | None = None


def read_counties(directory: Path) -> list[County]:
    """County-level units from the gazetteer's adcode table, each with its prefecture (or municipality)."""
    with (directory / "adcodes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {row["adcode"]: row["name"] for row in rows}
    counties = []
    for row in rows:
        code = row["adcode"]
        if code[6:] != "000000" or code[4:6] == "00" or row["name"] in {"市辖区", "县"}:
            continue
        parent = code[:2] + "0000000000" if code[:2] in MUNICIPALITY_PREFIXES else code[:4] + "00000000"
        prefecture = by_code.get(parent)
        if not prefecture or prefecture in {"省直辖县级行政区划", "自治区直辖县级行政区划"}:
            continue
        name = row["name"]
        short = re.sub(r"(自治县|自治旗|新区|区|县|旗|市)$", "", name) if len(name) > 2 else name
        counties.append(County(name, short, prefecture, by_code.get(code[:2] + "0000000000", "")))
    return counties


@functools.cache
def load_places(directory: Path) -> Places:
    """Places straight from the gazetteer files (the bench and tests; the importer uses the database's cities)."""
    entries = read_gazetteer(directory)
    cities = [CityCandidate(e.slug, e.name, e.short_name, e.province) for e in entries]
    return Places(cities, read_counties(directory))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。！？；\n]", text) if s.strip()]


def _level_scores(title: str, sentences: list[str]) -> Counter:
    scores = Counter()
    region = any("自治区" in s for s in [title, *sentences[:_LEAD_SENTENCES]])
    for index, sentence in enumerate(sentences):
        if _ELSEWHERE.search(sentence):
            continue
        weight = _LEAD_WEIGHT if index < _LEAD_SENTENCES else 1
        for chain in _CHAIN.finditer(sentence):
            last = max(_CHAIN_LAST, key=lambda organ: chain[0].rfind(organ))
            if chain[0].rfind(last) >= 0:
                scores[_CHAIN_LAST[last]] += weight
        unchained = _COMPARISON.sub("", _CHAIN.sub("", sentence))
        for level, pattern in _SELF.items():
            hits = re.findall(pattern, unchained)
            if region and level == DISTRICT:
                hits = [h for h in hits if h not in {"我区", "全区", "本区"}]
            scores[level] += weight * len(hits)
    for level, pattern in _SELF.items():
        scores[level] += _TITLE_WEIGHT * len(re.findall(pattern, title))
    if re.search(r"自治区|[^\s]省", title) and not re.search(r"市|区|县", title.replace("自治区", "")):
        scores[PROVINCE] += _TITLE_WEIGHT
    return scores


def _province_of(text: str, places: Places) -> str:
    counts = Counter()
    for province in places.provinces:
        short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", province)
        counts[province] = text.count(province) * 2 + text.count(short)
    ranked = counts.most_common(1)
    return ranked[0][0] if ranked and ranked[0][1] else ""


def _place_scores(
    title: str, sentences: list[str], pattern: re.Pattern, key_of: dict[str, str]
) -> tuple[Counter, set[str]]:
    """How strongly the text ties each place to itself; and the places it only quotes (学习/借鉴/赴 X,
    X 的经验/做法). Names are matched longest first, so 马鞍山 is not also 鞍山."""
    scores, quoted, acting = Counter(), set(), set()
    for index, sentence in enumerate([title, *sentences]):
        if index and _ELSEWHERE.search(sentence):
            continue
        weight = _TITLE_WEIGHT * 2 if index == 0 else (_LEAD_WEIGHT if index <= _LEAD_SENTENCES else 1)
        speaking = any(re.search(p, sentence) for p in _SELF.values())
        for match in pattern.finditer(sentence):
            key = key_of[match[0]]
            before, after = (
                sentence[max(0, match.start() - 14) : match.start()],
                sentence[match.end() : match.end() + 12],
            )
            if re.search(_QUOTED_BEFORE + "$", before) or re.match(_QUOTED_AFTER, after):
                quoted.add(key)
                continue
            if re.match(_OWN_ORGANS, sentence[match.end() - (match[0][-1] == "市") :]):
                acting.add(key)
            scores[key] += weight * (2 if speaking and index else 1)
    return scores, quoted - acting


def _pick(scores: Counter, quoted: set[str]) -> tuple[str | None, str]:
    ranked = [(key, score) for key, score in scores.most_common() if key not in quoted]
    if not ranked:
        return None, ""
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, f"{ranked[0][0]} 与 {ranked[1][0]} 同样可能"
    return ranked[0][0], ""


def describe_report(report: CleanReport, places: Places) -> ReportDescription:
    title = to_simplified(report.title)
    body = to_simplified(report.body)
    years = extract_years(
        report.title,
        report.body,
        published_on=report.published_on,
        delivered_on=report.delivered_on,
        stated_year=report.stated_year,
    )
    head = f"{report.byline}\n{body}" if report.byline else body
    sentences = _sentences(to_simplified(head))
    levels = _level_scores(title, sentences)
    # Who acts: the level with the most self-references and organs. Ties go to the lower level,
    # since a city's report always names its province's organs as its superiors.
    level = max((CITY, DISTRICT, PROVINCE), key=lambda lv: (levels[lv], lv != PROVINCE))
    description = ReportDescription(city=None, level="", years=years)

    lead = "\n".join([title, to_simplified(report.byline), *sentences[:_LEAD_SENTENCES]])
    province_leads = bool(re.search(_SELF[PROVINCE], _COMPARISON.sub("", lead)) or places.province_named.search(lead))
    if level == PROVINCE and levels[PROVINCE] > max(levels[CITY], levels[DISTRICT]) and province_leads:
        province = _province_of(f"{title}\n{title}\n{report.byline}\n{body}", places)
        if province and not province.endswith("市"):
            description.level, description.province = PROVINCE, province
            description.city_note = (
                f"省级报告（{province}）：本档案按地级市归档，省级报告暂不收录；如确属某市，请用 --city 指定"
            )
            return description

    county = _county_subject(title, sentences, places) if levels[DISTRICT] else None
    if county and (level == DISTRICT or not _names_a_city(title, sentences, places)):
        city = places.by_name.get(county.prefecture)
        if city:
            description.city, description.province, description.district = city, city.province, county.name
            description.level = "county" if county.name.endswith(("县", "旗")) else "district"
            return description

    # A province's name is not its capital's or namesake's (吉林省 ≠ 吉林市, 海南省 ≠ 海南藏族自治州);
    # a municipality's is its own.
    blanked = places.province_blank
    scores, quoted = _place_scores(blanked.sub("□", title), [blanked.sub("□", s) for s in sentences],
                                   places.city_pattern, places.city_key)  # fmt: skip
    name, unsure = _pick(scores, quoted)
    if name is None:
        reason = unsure or ("正文只以别的城市为例" if quoted else "正文没有说明是哪个城市的报告")
        description.city_note = f"无法确定城市：{reason}，请用 --city 指定"
        return description
    unquoted = {key for key in scores if key not in quoted}
    if scores[name] < 2 and not (levels[CITY] > 0 and unquoted == {name}):
        description.city_note = "无法确定城市：城市名称只出现一次，请用 --city 指定"
        return description
    city = places.by_name[name]
    description.city, description.province = city, city.province
    description.level = "municipality" if city.province == city.name else "prefecture"
    return description


def _names_a_city(title: str, sentences: list[str], places: Places) -> bool:
    return any(places.city_pattern.search(places.province_blank.sub("□", s)) for s in [title, *sentences])


def _county_subject(title: str, sentences: list[str], places: Places) -> County | None:
    counts = Counter()
    for index, sentence in enumerate([title, *sentences]):
        if index and _ELSEWHERE.search(sentence):
            continue
        weight = _TITLE_WEIGHT if index == 0 else (_LEAD_WEIGHT if index <= _LEAD_SENTENCES else 1)
        for match in places.county_pattern.finditer(sentence):
            counts[match[0]] += weight
    if not counts:
        return None
    text = "\n".join([title, *sentences])

    def prefecture_named(county: County, text: str = text) -> bool:
        return county.prefecture in text or places.by_name.get(county.prefecture, county).short_name in text

    ranked = [name for name, _ in counts.most_common()]
    candidates = places.counties_by_name[ranked[0]]
    if not any(map(prefecture_named, candidates)):
        # The name counted most may be another county's old name: 东乡县 is the gazetteer's name of 抚州's 东乡区
        # before 2016, and a report of 临夏's 东乡族自治县 says 东乡县 in most sentences and names 临夏州. A
        # county named alike (same first two characters) whose prefecture the text names is the subject. The
        # prefecture must be named outside the counties' names: 朝阳县 holds 朝阳, its prefecture's short name.
        outside = places.county_pattern.sub("□", text)
        alike = [
            c
            for name in ranked[1:]
            if name[:2] == ranked[0][:2]
            for c in places.counties_by_name[name]
            if prefecture_named(c, outside)
        ]
        if len(alike) == 1:
            return alike[0]
    if len(candidates) == 1:
        return candidates[0]
    # Several counties share the name (朝阳区): the one whose prefecture the text also names.
    named = [c for c in candidates if prefecture_named(c)]
    return named[0] if len(named) == 1 else None
