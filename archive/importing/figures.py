"""Reported figures: the quantitative claims a report makes about its reforms, for side-by-side comparison.

"行政审批事项已由822项减至98项" (许昌) and "共完成改革任务1165项,出台制度性文件352个" (长春) become
`ReportedFigure`s with a canonical `measure` ("行政审批事项", "改革任务", "制度性文件"), so that a comparison page
can put one city's figure next to another's. Pure code.

Precision comes before recall: a wrong figure next to another city's is worse than a missing one. A number is a
figure only when all of these hold:

* its subject is a known measure (`MEASURE_SYNONYMS`) and stands right next to it;
* it is stated in one of a few shapes, each of which says what the number is:
    - "<subject>(已)由X<unit>减至Y<unit>" and "X<unit><subject>整合至Y<unit>"          → reduced / increased
    - "<subject>(平均)压缩N%", "(平均)提速N%"                                          → percent_change
    - "<verb><subject>N<unit>" with an achievement verb (完成, 出台, 审议, 部署, 召开 …) → total
    - "<verb>的N<unit><subject>" or "N<unit><subject>全部完成/相继落地/…"             → total
    - "N项(…事项)实现“最多跑一次”" and the like                                      → total
    - "<subject>(达)N<unit>" only for subjects that carry their own verb or are a limit
      (减税降费, 新增市场主体, 盘活国有“三资”, 审批时限)                               → total
  and, after a "<verb><subject>N<unit>" clause, a clause that is only "<subject>N<unit>" (承担国家级改革试点25项,
  省级改革试点30项) shares its verb;
* its unit fits the measure (a 改革任务 is counted in 项, never in 亿元 or 个月);
* nothing around it makes it a part, a plan, an estimate or a bound: 其中, 领衔, 省定, 自主 earlier in its clause;
  等 just before it; 应, 拟, 计划, 将 … before its verb; 多, 余, 近, 约, 超, 左右, 以上; 最短, 法定, 原 before its
  subject; ranges (2-3项), fractions (1/3) and formulas (1+20).

Years, dates, article numbers (第3条), ordinals (第四批, 十八大) and phone numbers never become figures: none of
them is followed by a unit in one of these shapes. Socio-economic indicators (GDP, growth rates, coverage rates,
satisfaction rates) are not reform figures and have no measure here, so they are left alone.

Matching runs on a normalised copy of the text that has the same length (OpenCC t2s and full-width → half-width,
character for character), so 審批事項 and ８２２ match and every offset is an offset in the text passed in.
Within a sentence, quotation marks and short asides in brackets are skipped, so "国有“三资”", "改革方案(文件)" and
"深化改革委员会(组)会议" read as their plain words; `subject` and `expression` are still sliced from the original.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import opencc

__all__ = ["MEASURE_SYNONYMS", "ReportedFigure", "canonical_measure", "extract_reported_figures"]

TOTAL = "total"
REDUCED = "reduced"
INCREASED = "increased"
PERCENT_CHANGE = "percent_change"


@dataclass(frozen=True)
class ReportedFigure:
    start: int  # offsets of the whole sentence in the text passed in (text[start:end] is the sentence)
    end: int
    measure: str  # canonical key that lines figures up across cities ("行政审批事项", "改革任务", "办理时限" …)
    subject: str  # the subject as written in the text ("行政審批事項", "重点改革任务", "改革方案(文件)")
    # The stated (final) value, in `unit`. For percent_change it is signed: 压缩/减少/下降 85% is -85, 提速 40% is 40.
    value: Decimal
    previous: Decimal | None  # X of "由X减至Y" / "从X压缩到Y", else None
    unit: str  # as written, in simplified half-width form so that units compare across reports: 项, 个工作日, %, 亿元
    change: str  # "total", "reduced", "increased" or "percent_change"
    expression: str  # the figure exactly as in the source, without a subject that precedes it: "已由822项减至98项"


# Raw subject phrase (simplified Chinese, without quotation marks, bracketed asides or leading modifiers such as
# 重点/年度/各类) → canonical measure. Only these subjects yield figures.
MEASURE_SYNONYMS: dict[str, str] = {
    # Approval items. 行政许可 is the legal name of most 行政审批 items and reports say 事项 and 项目 alike, so all
    # of these are the city's one list. A narrower list (投资报建) keeps its own key so that it is not set against a
    # city's whole list. Bare 审批项目 is left out: it as often means projects being approved ("在线受理审批项目506个").
    "行政审批事项": "行政审批事项",
    "行政审批项目": "行政审批事项",
    "行政许可事项": "行政审批事项",
    "行政许可项目": "行政审批事项",
    "审批事项": "行政审批事项",
    "许可事项": "行政审批事项",
    "投资报建审批事项": "投资报建审批事项",
    # Reform tasks. 改革任务 and 改革事项 both name the entries of the reform office's ledger (台账): 永州 counts "175项
    # 改革事项" where 长春 counts "改革任务1165项" and 许昌 "改革任务150项". They are one measure; what keeps a part
    # of the ledger (tasks one leader 领衔, tasks the province set 省定, counties' own 自主 tasks) from being shown as
    # the city's total is _NARROWING, not a separate key.
    "改革任务": "改革任务",
    "改革事项": "改革任务",
    # Plans and documents the reform committee reviewed (株洲 "改革方案(文件)", 湘潭 "改革文件").
    "改革方案": "改革方案",
    "改革文件": "改革方案",
    # Documents issued (长春). Issued documents and reviewed plans are different counts, so a key of their own.
    "制度性文件": "制度性文件",
    "制度文件": "制度性文件",
    # Meetings of the city's reform committee: 全面深化改革领导小组 until 2018, 委员会 since.
    "深改委会议": "深改委会议",
    "深改组会议": "深改委会议",
    "深改领导小组会议": "深改委会议",
    "全面深化改革委员会会议": "深改委会议",
    "全面深化改革领导小组会议": "深改委会议",
    # Reform pilots the city undertakes, by level.
    "国家级改革试点": "国家级改革试点",
    "省级改革试点": "省级改革试点",
    "改革试点": "改革试点",
    # Fees (counted when cancelled: 取消收费项目).
    "收费项目": "收费项目",
    "行政事业性收费项目": "收费项目",
    # State-owned financing platforms merged (株洲 "27家平台公司整合至3家").
    "平台公司": "平台公司",
    "政府平台公司": "平台公司",
    "融资平台公司": "平台公司",
    # Money that is itself a reform result. Each subject carries its verb.
    "减税降费": "减税降费",
    "盘活国有三资": "盘活国有资产",
    "盘活国有三资总价值量": "盘活国有资产",
    "盘活国有资产": "盘活国有资产",
    "整合涉农资金": "整合涉农资金",
    # New market entities, the result reports give for 商事制度改革 and 审批服务改革. 新增 counts registrations, 净增
    # registrations less closures: different numbers, so different keys. The stock (实有) is not a reform figure.
    "新增市场主体": "新增市场主体",
    "新增各类市场主体": "新增市场主体",
    "新增经营主体": "新增市场主体",
    "新增各类经营主体": "新增市场主体",
    "净增市场主体": "净增市场主体",
    "净增经营主体": "净增市场主体",
    # Processing time, whether in days (审批时限50个工作日) or as a cut (时限压缩85%); `unit` and `change` tell which.
    "时限": "办理时限",
    "办理时限": "办理时限",
    "审批时限": "办理时限",
    "办结时限": "办理时限",
    "承诺时限": "办理时限",
    "办理时间": "办理时限",
    "审批时间": "办理时限",
    "审批用时": "办理时限",
    "办理用时": "办理时限",
    # Other usual targets of 放管服 cuts.
    "跑动次数": "跑动次数",
    "跑腿次数": "跑动次数",
    "申请材料": "申请材料",
    "申报材料": "申请材料",
    "办理环节": "办理环节",
    "审批环节": "办理环节",
    # The share of petitions about court cases (涉法涉诉信访改革, 湘潭 "由改革前的53%下降到22%").
    "涉法涉诉占比": "涉法涉诉信访占比",
}
# Items brought under a service promise, named by the promise: "1225项政务服务事项实现“最多跑一次”". These are
# subjects only in that shape, never before or after a bare number.
_PROMISES = ("最多跑一次", "不见面审批", "一网通办", "全程网办", "跨省通办")
MEASURE_SYNONYMS.update({promise: promise + "事项" for promise in _PROMISES})

_ITEMS = frozenset({"项", "个", "件"})
_MONEY = frozenset({"亿元", "万元", "元"})
_ENTITIES = frozenset({"户", "万户", "家", "万家", "个", "万个"})
# The units each measure may be stated in; a figure in any other unit is not taken ("时限6个月前" is not a limit).
_UNITS: dict[str, frozenset[str]] = {
    "行政审批事项": _ITEMS,
    "投资报建审批事项": _ITEMS,
    "取消行政审批事项": _ITEMS,
    "取消投资报建审批事项": _ITEMS,
    "改革任务": _ITEMS | {"条"},
    "改革方案": _ITEMS | {"份"},
    "制度性文件": _ITEMS | {"份"},
    "深改委会议": frozenset({"次"}),
    "国家级改革试点": _ITEMS,
    "省级改革试点": _ITEMS,
    "改革试点": _ITEMS,
    "收费项目": _ITEMS,
    "取消收费项目": _ITEMS,
    "平台公司": frozenset({"家", "个"}),
    "减税降费": _MONEY,
    "盘活国有资产": _MONEY,
    "整合涉农资金": _MONEY,
    "新增市场主体": _ENTITIES,
    "净增市场主体": _ENTITIES,
    "办理时限": frozenset({"个工作日", "工作日", "天", "日", "小时"}),
    "跑动次数": frozenset({"次"}),
    "申请材料": frozenset({"份", "件", "个", "项"}),
    "办理环节": frozenset({"个", "项", "道"}),
    "涉法涉诉信访占比": frozenset({"%"}),
    **{promise + "事项": _ITEMS for promise in _PROMISES},
}
# Measures whose cut is also reported as a percentage ("办理时限平均压缩85%").
_PERCENT_MEASURES = frozenset({"办理时限", "跑动次数", "申请材料", "办理环节"})
# "(平均)提速40%" names no subject; it is kept apart from 办理时限 because 40% faster is not 40% less time.
_SPEED_UP = "办理提速"
# Subjects that state a figure without a verb before them: they carry their own (减税降费, 新增…) or are a limit.
_STANDALONE = frozenset({"减税降费", "盘活国有资产", "整合涉农资金", "新增市场主体", "净增市场主体", "办理时限"})
# Verbs that turn a count of items into a count of items cut: "取消行政审批项目26项" is 取消行政审批事项, 26.
_CANCEL_VERBS = ("取消和停征", "取消", "停征", "削减")
_CANCELLABLE = frozenset({"行政审批事项", "投资报建审批事项", "收费项目"})

# ---------------------------------------------------------------------------------------------------------------
# Normalisation

_QUOTES = frozenset("“”\"‘’'「」『』")
_CLOSERS = {"”": "“", "’": "‘", "」": "「", "』": "『", ")": "(", "）": "（"}
# A short aside in brackets, skipped when matching: (文件), (组), (不含资金), (街道). Not one with digits in it.
_ASIDE = re.compile(r"\([^()\d]{1,6}\)")
_SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]?")
# What a skeleton leaves out, leftmost first: an aside where one starts, else a quotation mark.
_REMOVED = re.compile(_ASIDE.pattern + "|[" + "".join(map(re.escape, sorted(_QUOTES))) + "]")


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.cache
def _fold_char(ch: str) -> str:
    """Full-width → half-width (８ → 8, ％ → %, ， → ,), only where NFKC gives one character, so lengths hold."""
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


@functools.cache
def _simplify_char(ch: str) -> str:
    simplified = _converter().convert(ch)
    return simplified if len(simplified) == 1 else ch


def _normalise(text: str) -> str:
    """Simplified, half-width text of exactly the same length, so offsets in it are offsets in `text`."""
    simplified = _converter().convert(text)
    if len(simplified) != len(text):
        # OpenCC replaced a phrase with one of another length: convert character by character instead.
        simplified = "".join(_simplify_char(ch) for ch in text)
    return "".join(_fold_char(ch) for ch in simplified)


def _skeleton(norm: str, start: int, end: int) -> tuple[str, Sequence[int]]:
    """norm[start:end] without quotation marks and short bracketed asides, and where each kept character came from."""
    piece = norm[start:end]
    chars: list[str] = []
    positions: list[int] = []
    kept_from = 0
    for removed in _REMOVED.finditer(piece):
        chars.append(piece[kept_from : removed.start()])
        positions.extend(range(start + kept_from, start + removed.start()))
        kept_from = removed.end()
    if not kept_from:
        # Most sentences have neither: the slice itself, its positions a range.
        return piece, range(start, end)
    chars.append(piece[kept_from:])
    positions.extend(range(start + kept_from, end))
    return "".join(chars), positions


def _clean_phrase(phrase: str) -> str:
    norm = _normalise(phrase.strip())
    return "".join(ch for ch in _ASIDE.sub("", norm) if ch not in _QUOTES and not ch.isspace())


# ---------------------------------------------------------------------------------------------------------------
# Measures

_KEYS_BY_LENGTH = sorted(MEASURE_SYNONYMS, key=len, reverse=True)
_CANCEL_PREFIX = re.compile("|".join(_CANCEL_VERBS))


def canonical_measure(phrase: str) -> str | None:
    """The measure a subject phrase stands for, or None: 審批事項 → 行政审批事项, 重点改革事项 → 改革任务.

    The head noun decides: the longest known phrase that `phrase` ends with, once quotation marks and bracketed
    asides are dropped ("改革方案(文件)" → 改革方案). A leading 取消/停征/削减 makes it a count of items cut
    ("取消行政审批项目" → 取消行政审批事项) where that makes sense."""
    cleaned = _clean_phrase(phrase)
    cancel = _CANCEL_PREFIX.match(cleaned)
    if cancel:
        cleaned = cleaned[cancel.end() :]
    key = next((key for key in _KEYS_BY_LENGTH if cleaned.endswith(key)), None)
    if key is None:
        return None
    measure = MEASURE_SYNONYMS[key]
    if cancel:
        return "取消" + measure if measure in _CANCELLABLE else None
    return measure


# ---------------------------------------------------------------------------------------------------------------
# The shapes a figure is stated in. All patterns run on one clause of a sentence's skeleton.

_ORG = r"(?:市委|市政府|市本级|市级|全市|本级)?"
_MODIFIERS = r"(?:各类|各项|重点|年度|具体|重大|全部|最长|平均)*"
# What kind of items a time limit is for: "行政许可类事项时限".
_QUALIFIER = r"(?:(?:行政许可|行政审批|政务服务|审批服务|审批|许可|服务|办事)类?事项)?"
_SUBJECT = (
    rf"(?P<subject>{_ORG}{_MODIFIERS}{_QUALIFIER}(?:"
    + "|".join(re.escape(key) for key in _KEYS_BY_LENGTH if key not in _PROMISES)
    + "))"
)
_UNIT = "个工作日|个百分点|个月|工作日|小时|亿元|万元|万户|万家|万个|元|项|个|件|家|次|户|份|条|道|天|日|%"
_CHINESE_NUMERAL = "零〇一二两三四五六七八九十百千"


def _number(name: str) -> str:
    """A number (822, 1,165, 3058.2, 三百) not glued to another one: no 2-3, 1/3, 1+20, 第3."""
    return (
        rf"(?<![\d.,+\-/~—第])(?P<{name}>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_CHINESE_NUMERAL}]+)"
        rf"(?P<{name}_approx>多|余)?(?![\d+\-/~—])"
    )


_REDUCE_VERBS = ("减少", "压减", "精简", "压缩", "缩减", "削减", "下降", "降低", "缩短", "整合", "合并", "减", "降")
_INCREASE_VERBS = ("增加", "提高", "提升", "扩大", "增长", "上升", "增")
_CHANGE = "(?P<verb>" + "|".join(_REDUCE_VERBS + _INCREASE_VERBS) + ")了?(?:为|至|到)"
_PERCENT_DOWN = ("压缩", "压减", "缩减", "缩短", "减少", "降低", "下降")
_PERCENT_UP = ("提速", "提高", "提升", "加快", "增加")
_TOTAL_VERBS = (
    "取消和停征|审议通过|取消|停征|削减|完成|出台|印发|制定|审议|部署|明确|召开|承担|铺排|推出|保留|梳理|推进|落实|实施"
)
_AFTER_TOTAL = "(?:达到|达|为|共|累计|总计|合计|控制在|压缩至|压缩到|缩短至|缩短到|不超过)?"
_PREDICATE = "(?:总体|全部|均|已经|已|相继|全面|基本)?(?:按期|按时)?(?:完成|落地|分解|出台|实施|落实|取消)"

_FORMS: list[tuple[str, re.Pattern]] = [
    # 行政审批事项已由822项减至98项 / 涉法涉诉占比由改革前的53%下降到22%
    (
        "change",
        re.compile(
            _SUBJECT
            + r"(?P<lead>(?:已经|已|均)?(?:由|从)(?:改革前的|改革前|原来的|原有的|原来|原)?)"
            + _number("previous")
            + rf"(?P<previous_unit>{_UNIT})?"
            + _CHANGE
            + _number("value")
            + rf"(?P<unit>{_UNIT})"
        ),
    ),
    # 27家平台公司整合至3家
    (
        "change_counted_first",
        re.compile(
            _number("previous")
            + rf"(?P<previous_unit>{_UNIT})"
            + _SUBJECT
            + _CHANGE
            + _number("value")
            + rf"(?P<unit>{_UNIT})"
        ),
    ),
    # 办理时限平均压缩85% / 时限压缩比为89% / 平均提速40%
    (
        "percent",
        re.compile(
            rf"{_SUBJECT}?(?P<lead>平均|均|总体)?(?P<verb>{'|'.join(_PERCENT_DOWN + _PERCENT_UP)})了?"
            r"(?:比为|比|率为|幅度为|幅度达|幅度|达到|达|为)?" + _number("value") + r"(?P<unit>%)"
        ),
    ),
    # 1225项政务服务事项实现“最多跑一次” / 2010项实现了“不见面审批”
    (
        "promise",
        re.compile(
            _number("value") + r"(?P<unit>项|个|件)(?P<items>[\u4e00-\u9fff]{0,8}?事项)?(?:全部|均)?(?:实现了?|可)"
            rf"(?P<subject>{'|'.join(_PROMISES)})"
        ),
    ),
    # 完成改革任务1165项 / 审议各类改革方案(文件)135个 / 召开市委深改组会议4次
    (
        "verb_subject_number",
        re.compile(
            rf"(?P<verb>{_TOTAL_VERBS})了?" + _SUBJECT + _AFTER_TOTAL + _number("value") + rf"(?P<unit>{_UNIT})"
        ),
    ),
    # 统筹铺排的175项改革事项 / 213项年度改革任务全部分解 / 新取消26项行政审批项目
    (
        "number_subject",
        re.compile(
            rf"(?:(?P<verb>{_TOTAL_VERBS})了?的?)?"
            + _number("value")
            + rf"(?P<unit>{_UNIT})"
            + _SUBJECT
            + rf"(?P<predicate>{_PREDICATE})?"
        ),
    ),
    # 减税降费达8亿元 / 最长审批时限50个工作日
    ("subject_number", re.compile(_SUBJECT + rf"(?P<lead>{_AFTER_TOTAL})" + _number("value") + rf"(?P<unit>{_UNIT})")),
]
# Every form has a known measure or a percent sign: a sentence without either states no figure, and
# most sentences are skipped at the cost of one search.
_MAY_STATE_FIGURE = re.compile("%|" + "|".join(re.escape(key) for key in _KEYS_BY_LENGTH))
# A clause that is only "<subject>N<unit>", after a clause with a verb: 承担国家级改革试点25项,省级改革试点30项.
_ELLIPSIS = re.compile(_SUBJECT + _number("value") + rf"(?P<unit>{_UNIT})")

# Words earlier in the clause that make the figure a part of a larger one or somebody else's.
_NARROWING = re.compile("其中|领衔|省定|省下达|自主")
# Words right before the figure (or its verb) that make it a plan, a requirement or one of a list.
_NOT_DONE = re.compile(r"(?:应|需|需要|拟|计划|将|要|力争|争取|预计|目标|等)$")
_APPROXIMATE_BEFORE = re.compile(r"(?:近|约|超|超过|逾|突破|不足|不到|将近|大约)$")
_APPROXIMATE_AFTER = re.compile(r"(?:左右|以上|以下|上下|之多)")
# Words right before the subject that make it a bound or a rule rather than what was achieved: 最短审批时限,
# 法定时限, 原时限.
_NOT_ACHIEVED_SUBJECT = re.compile(r"(?:最短|最少|最低|最小|最快|法定|规定|原)$")
# A comma that separates clauses; one between digits in threes (1,165) is a thousands separator.
_CLAUSE_BREAK = re.compile(r"(?<!\d),|,(?!\d{3}(?!\d))|:")


@dataclass(frozen=True)
class _Found:
    """A figure in skeleton coordinates of one sentence."""

    measure: str
    subject: tuple[int, int]
    expression: tuple[int, int]
    value: Decimal
    previous: Decimal | None
    unit: str
    change: str


_CHINESE_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CHINESE_POWERS = {"十": 10, "百": 100, "千": 1000}


def _chinese_int(text: str) -> int | None:
    """十 → 10, 二十三 → 23, 三百 → 300, 一千零五 → 1005; None for digit strings such as 二〇二〇."""
    total, pending, last_power = 0, None, None
    for ch in text:
        if ch in _CHINESE_DIGITS:
            if pending not in (None, 0):
                return None
            pending = _CHINESE_DIGITS[ch]
            continue
        power = _CHINESE_POWERS[ch]
        if last_power is not None and power >= last_power:
            return None
        total += (1 if pending is None else pending) * power
        pending, last_power = None, power
    return total + (pending or 0)


def _value(text: str) -> Decimal | None:
    if text[0].isdigit():
        if len(text) > 1 and text[0] == "0" and text[1] != ".":
            return None  # a leading zero: a code or phone number, not a count
        return Decimal(text.replace(",", ""))
    number = _chinese_int(text)
    return None if number is None else Decimal(number)


def _measure(subject: str, verb: str | None) -> str | None:
    phrase = verb + subject if verb and verb.startswith(_CANCEL_VERBS) else subject
    return canonical_measure(phrase)


def _start_of(match: re.Match, *groups: str) -> int:
    return min(match.start(group) for group in groups if match.group(group) is not None)


def _plausible(clause: str, match: re.Match, start: int, numbers: tuple[str, ...]) -> bool:
    """False when the words around the figure make it a part, a plan, an estimate or a bound."""
    before = clause[:start]
    if _NARROWING.search(before) or _NOT_DONE.search(before):
        return False
    if match.group("subject") is not None and _NOT_ACHIEVED_SUBJECT.search(clause[: match.start("subject")]):
        return False
    for name in numbers:
        if match.group(f"{name}_approx") or _APPROXIMATE_BEFORE.search(clause[: match.start(name)]):
            return False
    return not _APPROXIMATE_AFTER.match(clause, match.end("unit"))


def _read(form: str, clause: str, match: re.Match, carried_verb: str | None = None) -> _Found | None:
    """The figure a match states, or None when it does not state one we trust."""
    groups = match.groupdict()
    value = _value(groups["value"])
    if value is None:
        return None
    unit = groups["unit"]
    subject = groups.get("subject")
    subject_span = match.span("subject") if subject is not None else None
    verb = groups.get("verb") or carried_verb
    previous = None
    change = TOTAL
    numbers: tuple[str, ...] = ("value",)

    if form in ("change", "change_counted_first"):
        previous = _value(groups["previous"])
        if previous is None or groups["previous_unit"] not in (None, unit) or previous == value:
            return None
        change = REDUCED if value < previous else INCREASED
        if (change == REDUCED) != (verb in _REDUCE_VERBS):
            return None  # "由10项增至5项": the words and the numbers disagree
        if verb in ("整合", "合并") and change != REDUCED:
            return None
        measure = _measure(subject, None)
        numbers = ("previous", "value")
        start = _start_of(match, "subject", "previous")
        expression = (match.start("lead" if form == "change" else "previous"), match.end("unit"))
    elif form == "percent":
        change = PERCENT_CHANGE
        if subject is None:
            if verb != "提速":
                return None  # "比上年增长45.4%": a rate of something that is not a reform measure
            measure, subject_span = _SPEED_UP, match.span("verb")
        else:
            measure = _measure(subject, None)
            if measure not in _PERCENT_MEASURES:
                return None
        value = -value if verb in _PERCENT_DOWN else value
        start = _start_of(match, "subject", "lead", "verb")
        expression = (_start_of(match, "lead", "verb"), match.end("unit"))
    elif form == "promise":
        if groups["value"] == "一":
            return None
        measure = MEASURE_SYNONYMS[subject]
        start = match.start("value")
        expression = match.span()
    elif form == "verb_subject_number":
        measure = _measure(subject, verb)
        start = match.start("verb")
        expression = match.span()
    elif form == "number_subject":
        if groups["verb"] is None and groups["predicate"] is None:
            return None  # "实行一个改革事项、一名市级领导领衔": a count with nothing saying it was done
        if groups["value"] == "一":
            return None  # 一个/一项 before a noun is mostly "each", not a count
        measure = _measure(subject, verb)
        start = _start_of(match, "verb", "value")
        expression = (start, match.end("subject"))
    elif form == "subject_number":
        measure = _measure(subject, None)
        if measure not in _STANDALONE:
            return None
        start = match.start("subject")
        expression = (_start_of(match, "lead", "value"), match.end("unit"))
    else:  # the elliptical clause, with the verb of the clause before
        measure = _measure(subject, verb)
        start = match.start("subject")
        expression = (match.start("value"), match.end("unit"))

    if measure is None or (change != PERCENT_CHANGE and unit not in _UNITS.get(measure, ())):
        return None
    if not _plausible(clause, match, start, numbers):
        return None
    return _Found(measure, subject_span, expression, value, previous, unit, change)


def _clauses(skeleton: str) -> Iterator[tuple[int, str]]:
    start = 0
    for brk in _CLAUSE_BREAK.finditer(skeleton):
        yield start, skeleton[start : brk.start()]
        start = brk.end()
    yield start, skeleton[start:]


def _shifted(found: _Found, offset: int) -> _Found:
    subject, expression = found.subject, found.expression
    return replace(
        found,
        subject=(subject[0] + offset, subject[1] + offset),
        expression=(expression[0] + offset, expression[1] + offset),
    )


def _figures_in_sentence(skeleton: str) -> Iterator[_Found]:
    """The figures of one sentence (as a skeleton), in text order, spans relative to the skeleton."""
    carried_verb: str | None = None  # the verb of a "<verb><subject>N<unit>" clause, for elliptical ones after it
    for offset, clause in _clauses(skeleton):
        ellipsis = _ELLIPSIS.fullmatch(clause) if carried_verb else None
        if ellipsis and (found := _read("ellipsis", clause, ellipsis, carried_verb)):
            yield _shifted(found, offset)
            continue
        carried_verb = None
        in_clause: list[_Found] = []
        claimed = bytearray(len(clause))
        for form, pattern in _FORMS:
            for match in pattern.finditer(clause):
                if any(claimed[match.start() : match.end()]) or not (found := _read(form, clause, match)):
                    continue
                claimed[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
                in_clause.append(found)
                if form == "verb_subject_number":
                    carried_verb = match["verb"]
        for found in sorted(in_clause, key=lambda found: found.expression):
            yield _shifted(found, offset)


def _original(text: str, norm: str, positions: Sequence[int], span: tuple[int, int], *, aside: bool = False) -> str:
    """The original text of a skeleton span: with the closing marks of quotes or brackets opened inside it and,
    if `aside`, a bracketed aside right after it ("改革方案(文件)")."""
    start, end = positions[span[0]], positions[span[1] - 1] + 1
    while end < len(text) and text[end] in _CLOSERS:
        opener, closer = _CLOSERS[text[end]], text[end]
        if text.count(opener, start, end) <= text.count(closer, start, end):
            break
        end += 1
    if aside and (bracketed := _ASIDE.match(norm, end)):
        end = bracketed.end()
    return text[start:end]


def extract_reported_figures(text: str) -> list[ReportedFigure]:
    """Every reported figure in `text`, in text order.

    A figure a report restates (许昌 gives its 150 改革任务 three times, its 822→98 approval items twice) is
    returned once, at its first statement, so a city shows one value per measure and kind of change."""
    norm = _normalise(text)
    figures: list[ReportedFigure] = []
    seen: set[tuple] = set()
    for sentence in _SENTENCE.finditer(norm):
        start, end = sentence.span()
        while start < end and norm[start].isspace():
            start += 1
        while end > start and norm[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        skeleton, positions = _skeleton(norm, start, end)
        if not _MAY_STATE_FIGURE.search(skeleton):
            continue
        for found in _figures_in_sentence(skeleton):
            key = (found.measure, found.change, found.previous, found.value, found.unit)
            if key in seen:
                continue
            seen.add(key)
            figures.append(
                ReportedFigure(
                    start=start,
                    end=end,
                    measure=found.measure,
                    subject=_original(text, norm, positions, found.subject, aside=True),
                    value=found.value,
                    previous=found.previous,
                    unit=found.unit,
                    change=found.change,
                    expression=_original(text, norm, positions, found.expression),
                )
            )
    return figures
