"""Mentions a curator may confirm: initiatives a report names, and terms that look like new initiatives.

Two pure functions, no ORM; the caller maps `initiative_id` back to its models and stores the offsets.

* `suggest_known(body, names)` finds initiative names and aliases in the body. Matching runs on normalised
  text (`archive.text.normalise`), so 河長制, “河 长 制” and full-width forms all match 河长制; offsets are
  mapped back to the body. Where two matches overlap the longer one wins (国企混合所有制改革 hides its alias
  混合所有制改革), and each initiative is suggested once per sentence.
* `suggest_candidates(body, known=...)` proposes terms the report itself marks as names: quoted terms that
  look like names (“一照通”, 「信易批」), and the shapes Chinese policy names take: X改革, X试点, X机制,
  X制 (河长制, 员额制), X一体化, X计划, 示范区 and 试验区 names, numbered pairs (一件事一次办, 一网四图,
  万人助万企), X+Y (标准地+承诺制) and X即Y (拿地即开工). A term already known is left to `suggest_known`.

Passages are sentences as `archive.importing.events` cuts them, so a suggestion's passage is also the
sentence a dated statement would quote. Every offset is an offset in the body passed in: `body[start:end]` is
the sentence (without surrounding whitespace) and `body[match_start:match_end]` the term as written.

Candidates are precision-first: a curator reads every one. Plain quoted words are mostly figures of speech
(“牛鼻子”, “金钥匙”, “先手棋”), so a quoted term needs a second sign that it names a policy: a name ending,
a verb that launches it (推行, 实施 …), or a neighbour in the same list that has such a sign. A head word
takes the words in front of it up to punctuation or a stop word (推进|商事制度改革), found with jieba's own
dictionary and part-of-speech tags, which also reject phrases such as 抓改革 (verb) or 175项改革 (count).
On the five seeds (bench/suggestions_bench.py) the known names find every curated mention, and with each
report's own initiatives unknown, 124 of its 128 are still proposed, from 26 to 78 candidates per report; on
real reports of other cities see the README (tuned on half A of the development set, measured on the rest).
"""

import bisect
import functools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import jieba

from archive.text.normalise import normalise, normalise_with_positions, to_simplified

from .events import _SENTENCE

__all__ = [
    "STRONG_SCORE",
    "CandidateSuggestion",
    "KnownNames",
    "KnownSuggestion",
    "candidate_cap",
    "candidate_score",
    "rank_candidates",
    "shown_terms",
    "suggest_candidates",
    "suggest_known",
]

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class KnownSuggestion:
    """A known initiative named in the text."""

    initiative_id: int  # the caller's key, as passed in with the name
    matched: str  # the name as written in the body (original characters)
    start: int  # the passage: the sentence holding the name, stripped of surrounding whitespace
    end: int
    match_start: int  # the name itself
    match_end: int


@dataclass(frozen=True)
class CandidateSuggestion:
    """A term that may name an initiative the archive does not know yet."""

    term: str  # as written in the body
    normalised: str  # `normalise(term)`, the form to compare with initiative names
    # Why it was proposed, a short stable code: the head word ending it ("改革", "试点", "机制", "制", "模式",
    # "体系", "一体化", "计划", "示范区"), "quoted", "一X一X" (numbered pairs), "plus" (X+Y), "即" (X即Y),
    # "numbered" (1+1+6 …), "document" (《…方案》), "审议" (a document a meeting reviewed), and for heads a verb
    # must launch, "行动", "计划", "体制" or "清单" (实行|负面清单管理).
    signal: str
    start: int  # the passage (sentence), stripped of surrounding whitespace
    end: int
    match_start: int  # the term itself
    match_end: int


# ---------------------------------------------------------------------------------------------------------------
# Sentences


def _sentences(view: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, stripped of surrounding whitespace."""
    spans = []
    for match in _SENTENCE.finditer(view):
        start, end = match.span()
        while start < end and view[start].isspace():
            start += 1
        while end > start and view[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


# ---------------------------------------------------------------------------------------------------------------
# Known names


class KnownNames:
    """Initiative names (and aliases) normalised and indexed once, to be matched against many bodies.

    Names are bucketed by their first two normalised characters; scanning a body is one dictionary lookup per
    character plus a `startswith` per name in the bucket, which stays fast with tens of thousands of names
    (bench/suggestions_bench.py: about 0.1 s for a 100,000-character body and 10,000 names)."""

    def __init__(self, names: Iterable[tuple[int, str]]):
        ids_by_name: dict[str, set[int]] = {}
        for initiative_id, name in names:
            key = normalise(name)
            # One normalised character (医, 制) would match all over a report.
            if len(key) >= 2:
                ids_by_name.setdefault(key, set()).add(initiative_id)
        buckets: dict[str, list[str]] = {}
        for key in sorted(ids_by_name, key=len, reverse=True):
            buckets.setdefault(key[:2], []).append(key)
        self._ids = {key: sorted(ids) for key, ids in ids_by_name.items()}
        self._buckets = buckets

    def __len__(self) -> int:
        return len(self._ids)

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, name) of every occurrence of every name in normalised `text`, overlapping ones too."""
        buckets = self._buckets
        for index in range(len(text) - 1):
            bucket = buckets.get(text[index : index + 2])
            if bucket is None:
                continue
            for key in bucket:
                if text.startswith(key, index):
                    yield index, index + len(key), key

    def ids(self, name: str) -> list[int]:
        return self._ids[name]

    @property
    def normalised(self) -> frozenset[str]:
        """Every name, normalised (what `suggest_candidates(known=...)` leaves out)."""
        return frozenset(self._ids)


def _longest_first(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans that survive when overlapping spans compete and the longer one wins (the earlier on a tie)."""
    taken: list[tuple[int, int]] = []  # sorted, non-overlapping
    kept = []
    for start, end, key in sorted(spans, key=lambda span: (span[0] - span[1], span[0])):
        at = bisect.bisect_left(taken, (start, end))
        if at > 0 and taken[at - 1][1] > start:
            continue
        if at < len(taken) and taken[at][0] < end:
            continue
        taken.insert(at, (start, end))
        kept.append((start, end, key))
    return sorted(kept)


def suggest_known(body: str, names: Iterable[tuple[int, str]] | KnownNames) -> list[KnownSuggestion]:
    """Known initiatives named in `body`, one suggestion per (initiative, sentence), in the order of the text.

    `names` are (initiative_id, name) pairs, several per initiative (its name and aliases), or a `KnownNames`
    built from them once for many bodies. A name is found as written in any script or width, and with
    spaces, quotation marks or 、 inside it. A name that runs across two sentences is not a mention of either."""
    index = names if isinstance(names, KnownNames) else KnownNames(names)
    text, positions = normalise_with_positions(body)
    sentences = _sentences(_view(body))
    sentence_starts = [start for start, _ in sentences]
    seen: set[tuple[int, int]] = set()
    suggestions = []
    for start, end, key in _longest_first(index.matches(text)):
        match_start, match_end = positions[start], positions[end - 1] + 1
        at = bisect.bisect_right(sentence_starts, match_start) - 1
        if at < 0 or match_end > sentences[at][1]:
            continue
        sentence_start, sentence_end = sentences[at]
        for initiative_id in index.ids(key):
            if (initiative_id, at) in seen:
                continue
            seen.add((initiative_id, at))
            suggestions.append(
                KnownSuggestion(
                    initiative_id=initiative_id,
                    matched=body[match_start:match_end],
                    start=sentence_start,
                    end=sentence_end,
                    match_start=match_start,
                    match_end=match_end,
                )
            )
    return suggestions


# ---------------------------------------------------------------------------------------------------------------
# Candidates: the text as the patterns see it


@functools.cache
def _view_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).lower()
    return folded if len(folded) == 1 else ch


@functools.cache
def _simplified_char(ch: str) -> str:
    simplified = to_simplified(ch)
    return simplified if len(simplified) == 1 else ch


def _view(text: str) -> str:
    """Simplified, half-width, lower-case text of exactly the length of `text`, so offsets in it are offsets in
    `text`. Unlike `normalise` it keeps quotation marks and punctuation: they are what the patterns look for."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        # OpenCC replaced a phrase with one of another length: convert character by character instead.
        simplified = "".join(map(_simplified_char, text))
    return "".join(map(_view_char, simplified))


@functools.cache
def _tagger() -> "jieba.posseg.POSTokenizer":
    """jieba's own dictionary without user words: it only has to tell where a name starts (推进|商事制度改革)
    and whether a word before a head is a verb (抓|改革) or a noun (群团|改革).

    Imported here, not at the top: importing jieba.posseg loads its part-of-speech table (~3 s and
    tens of MB), which a bulk import defers and a web worker needs only for a review screen."""
    import jieba.posseg

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return jieba.posseg.POSTokenizer(tokenizer)


@functools.lru_cache(maxsize=8192)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((pair.word, pair.flag) for pair in _tagger().lcut(text, HMM=False))


def _in_dictionary(word: str) -> bool:
    # The dictionary also stores every word's prefixes, with frequency 0.
    return _tagger().tokenizer.FREQ.get(word, 0) > 0


_OPENERS = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"', "'": "'"}
_QUOTE_CHARS = frozenset("“”‘’「」『』\"'")

# A quotation: opening mark, up to 15 characters with no sentence punctuation and no other mark, closing mark.
# Commas and colons end it too: a quotation holding a clause is speech, not a name.
_QUOTATION = re.compile(
    r"“[^“”‘’\"。!?;:,]{1,15}”|‘[^“”‘’\"。!?;:,]{1,15}’|「[^「」。!?;:,]{1,15}」"
    r"|『[^『』。!?;:,]{1,15}』|\"[^\"“”。!?;:,]{1,15}\"|'[^'“”。!?;:,]{1,15}'"
)

# Outside quotations a name is made of characters, letters, digits and + (1+1+1+N); anything else (、, commas,
# brackets, spaces) ends it. A quotation inside a name is read as one piece: 国有“三资”一网通管理创新.
_NAME_CHAR = re.compile(r"[^\W_]|\+")

# Words around a name that are never part of it: verbs that launch, deepen or finish a reform (推进|商事制度改革),
# degree adverbs, function words, demonstratives, counters (175项|改革) and the 一是, 二是 of enumerations. A name
# starts after the last of them before its head word. Inside a quotation they do not count (“以实绩论英雄”).
_STOP_WORDS = frozenset(
    """
    推进 深化 深入 实施 开展 完成 落实 推行 探索 加快 加强 积极 持续 稳步 大力 扎实 统筹 强化 提速 启动 建立 健全
    完善 创新 率先 坚持 着力 全面 全面落实 全面推进 全面深化 全面完成 推动 促进 实行 开发 构建 打造 推出 首创 扩大
    参与 出台 制定 修订 获批 入选 获评 纳入 列入 承担 争取 形成 实现 围绕 聚焦 抓好 做好 推广 全力 纵深 审慎 稳妥
    不断 进一步 逐步 加速 试行 组织 鼓励 支持 引导 指导 发挥 依托 结合 按照 通过 作为 成为 创造性 蹄疾步稳 有序
    大胆 深化改革 成功 基本 全部 已经 提出 谋划 实践 开启 取得 获得 确保 继续 优化 分类 同步 主动 建设 总结 迎接
    进行 建立健全 积极探索 有效 全面实施 深入实施 深入推进
    以 把 将 对 在 于 从 向 由 被 让 使 给 与 和 及 或 等 的 之 了 着 过 是 也 还 又 并 且 而 但 其 其中 以及 包括 为 经
    已 均 都 各 各项 各类 各级 该 本 此 这 那 这项 该项 这些 一些 一批 一项 我市 该市 本市 全市 全省 全国 全县
    全区 我省 我区 我县 本省 本区 本县 全州
    一是 二是 三是 四是 五是 六是 一方面 另一方面 同时 此外 目前 今年 去年 年内 全年 一年 一年来 近年来 新一轮
    充分发挥 力求 搭建 推进会 创建 争创 建成 创成 申报 营造 贯彻 坚决贯彻
    深入开展 全面开展 积极开展 大力开展 持续开展 扎实开展 组织开展 广泛开展
    切实 认真 努力 切实做好 认真做好 认真落实 积极稳妥 稳妥推进 加大
    """.split()
)

# Whole names, head word removed, too general to name one initiative (综合配套改革, 重点改革, 体制机制改革), and
# words that alone say nothing about which reform it is.
_GENERIC = frozenset(
    """
    改革 体制 机制 制度 体制机制 综合 配套 综合配套 重大 重要 相关 系列 专项 领域 工作 集成 系统 系统性 关键
    市场化 深层次 全方位 整体 国家级 省级 市级 县级 国家 省 市 县 试点 示范 创新 管理 运行 长效 工作体系 推进
    联动 协作 协同 保障 配套改革 综合改革 重点 重点领域 关键环节 治理 考核 考评 监督 服务 协调 体系 模式 新 新型
    发展 基层 社会 政策性 体制性 机制性 要素 层级 督察 落实 评估 一体 全域 集中 年度 具体 上级 中央 省委 市委
    首批 首个 先行 自主 探索性 标志性 一大批 一系列 全链条 各领域 领域改革 行动 三年行动
    农业农村 民主法治 民主法制 生态环境 社会事业 公用事业 生态文明建设 新时代 全社会 中央 内陆
    """.split()
)

# Part-of-speech tags of a last word that make X改革 a phrase rather than a name: 抓|改革 (verb), 重大|改革
# (adjective), 175项|改革 (numeral, measure), 永州|改革 (place), 省委|改革 (organisation).
_NOT_NAME_END_TAGS = frozenset({"v", "a", "ad", "d", "m", "q", "r", "p", "c", "u", "ns", "nt", "t", "f", "nr"})
# Verbs that reform names use as nouns (涉法涉诉信访改革, 房票安置改革).
_OUT_OF_CONTEXT_TAGS = frozenset({"v", "vd", "ns", "nt", "nr"})
_NOMINAL_VERBS = frozenset(
    "信访 安置 执法 审批 监管 养老 救助 流转 交易 登记 征收 诊疗 监察 调解 整合 转企 融合 配套".split()
)

_NUMERAL = "一二两三四五六七八九十百千万"

# A count before a head is a quantity of reforms, not a name (175项|改革, 9大类35小类213项|年度改革): the name
# starts after it. Counters count only after a number, so 信易批 and 一网通 keep their 批 and 通.
_COUNT = re.compile(rf"第?[\d{_NUMERAL}]+(?:大|小|周)?[项个类批家名次条年]|[项个类批家名次条年]|余项|方面|首批")
_NUMBER = re.compile(rf"[\d{_NUMERAL}]+(?:大|小)?")

# Words that end a name, longest first at each place so that 改革试点 beats 改革, with the signal they give.
# Unquoted text takes only the heads that mostly end a policy name. A name that quotes part of itself may also end
# in 模式, 体系, 平台 … (“1+3+X”农村基层治理模式, “3+3+2”现代产业体系, “土地码”系统): its quotation already marks
# it as a name, while unquoted 多种养老模式 or 育人评价体系 are descriptions far more often.
_HEADS = {
    "综合改革试点": "试点",
    "改革试点": "试点",
    "试点": "试点",
    "试验区": "示范区",
    "实验区": "示范区",
    "先行区": "示范区",
    "示范园区": "示范区",
    "示范区": "示范区",
    "一体化": "一体化",
    "改革": "改革",
    "工作机制": "机制",
    "机制": "机制",
    "制": "制",
}
_QUOTED_HEADS = {
    "模式": "模式",
    "体系": "体系",
    "平台": "quoted",
    "系统": "quoted",
    "工程": "quoted",
    "管理创新": "quoted",
}
# Heads that end a name only when a verb launches it: 实施|新一轮重点产业链高质量发展行动, 开展|“实验室+”行动.
# Unlaunched, 行动 is mostly an ordinary noun (统一行动, 实际行动).
# Likewise 建立|城乡医疗救助制度, 实施|职工带薪休假制度 (quoted: “一票否决”制度).
_LAUNCHED_HEADS = {
    "行动计划": "行动",
    "专项行动": "行动",
    "行动": "行动",
    "制度": "制",
    "计划": "计划",
    "管理体制": "体制",
    "清单管理": "清单",
}
_LAUNCH_BEFORE = {
    # 实施|“城市合伙人”计划 names a programme; 占年度计划, 投资计划 are plans
    "计划": ("实施", "启动", "推出", "推行", "开展", "推进", "执行"),
    # 完善|县乡财政管理体制 names a system being reformed; 管理体制 after 的 does not
    "体制": ("完善", "理顺", "健全", "建立", "创新", "改革", "调整"),
    "行动": ("实施", "开展", "启动", "推进", "组织", "部署", "完成"),
    "制": ("建立", "实施", "推行", "实行", "健全", "完善", "执行", "试行"),
    # 实行|负面清单管理, 全面实施|行政许可事项清单管理: a list a verb puts in force governs; 清单 alone is a list
    "清单": ("实施", "推行", "实行", "建立", "全面实施"),
}
_HEAD = re.compile("|".join(sorted({**_HEADS, **_QUOTED_HEADS, **_LAUNCHED_HEADS}, key=len, reverse=True)))

# 制 ends a name (河长制, 员额制, 承诺制) but not the many words that merely contain it (体制, 机制, 制度, 制定 …):
# checked on the character before 制 and the one after it.
_NOT_BEFORE_ZHI = frozenset("体机法编税学改管控限压遏研建专强抑复绘定节牵克规币帝牌所有")
_NOT_AFTER_ZHI = frozenset("度定造约作品衡止订裁胜剂服式片成宜")

# 改革 followed by these is an office or a quantity of reform, not the end of a name: 省委改革办, 改革数据应用研究
# 中心, 年度改革任务, 上级重大改革文件, 改革成效.
_NOT_AFTER_REFORM = re.compile(
    r"办|委|领导小组|专项小组|数据|人员|任务|文件|事项|要点|简报|举措|措施|工作|部署|发展"
    r"|开放"
)

# …and a reform that names a body further on is part of the body's name (国家科技体制改革和创新体系建设领导小组).
_BODY_AFTER = re.compile(r"[^\W_]{0,16}?(?:领导小组|委员会|工作小组|专项小组)")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    signal: str


class _Sentence:
    """One sentence of the view, with its quotations indexed for the patterns."""

    def __init__(self, view: str, start: int, end: int):
        self.view, self.start, self.end = view, start, end
        self.quotations = [match.span() for match in _QUOTATION.finditer(view, start, end)]
        self.opener_of = {close - 1: open_ for open_, close in self.quotations}

    def quotation_around(self, index: int) -> tuple[int, int] | None:
        for open_, close in self.quotations:
            if open_ < index < close - 1:
                return open_, close
        return None

    def run_back(self, lower: int, end: int) -> int:
        """Start of the run of name characters and whole quotations that ends at `end` (not before `lower`)."""
        index = end
        while index > lower:
            previous = index - 1
            if previous in self.opener_of:
                if self.opener_of[previous] < lower:
                    break
                index = self.opener_of[previous]
            elif _NAME_CHAR.match(self.view, previous) or self.view[previous] in _OPENERS:
                index = previous
            else:
                break
        return index

    def name_start(self, lower: int, end: int, truncated: bool = False) -> tuple[int, int] | None:
        """Where the name ending at `end` starts, after the last stop word of the run view[lower:end], and where that
        stop word is (or -1). None if nothing is left. A `truncated` run was cut at a length limit, so its first
        word may be half a word and is dropped."""
        chars, positions = [], []
        for index in range(lower, end):
            if self.view[index] not in _QUOTE_CHARS:
                chars.append(self.view[index])
                positions.append(index)
        tokens = _tagged("".join(chars))
        cut, cut_token, offset = 0, -1, 0
        for number, (word, _) in enumerate(tokens):
            offset += len(word)
            if self.quotation_around(positions[offset - 1]) is not None:
                continue  # a quotation is a name's own words (“以实绩论英雄”, “三化统筹”)
            if len(word) >= 2 and self.view[positions[offset - len(word)] - 1] in "”’」』":
                continue  # and so is a word right after one (“四化”同步集成改革示范区)
            if (number == 0 and truncated) or _is_stop(tokens, number):
                cut, cut_token = offset, number
        if cut >= len(chars):
            return None
        stop_at = positions[cut - len(tokens[cut_token][0])] if cut_token >= 0 else -1
        # A place name in front is where the reform is, not what it is (株洲“一件事一次办”改革, 韶山市绿色GDP评价
        # 体系改革): the same initiative has the same name in every city.
        first = cut_token + 1
        if first < len(tokens) and tokens[first][1] == "ns" and len(tokens[first][0]) >= 2:
            place = len(tokens[first][0])
            if first + 1 < len(tokens) and tokens[first + 1][0] in {"市", "县", "区", "省"}:
                place += 1
            if len(chars) - cut - place >= 2:
                cut += place
        start = positions[cut]
        # A quotation is one piece: a name starts at its opening mark, never inside it.
        if (around := self.quotation_around(start)) is not None:
            start = around[0]
        elif start > lower and self.view[start - 1] in _OPENERS:
            start -= 1
        return start, stop_at


# Stop words that are also common inside names: after a noun they belong to the name (农村集体经营性|建设|用地,
# 社会信用体系|建设|示范区, 医养|结合), at the start of a phrase they launch it (加快|建设|国家农业高新技术产业示范区).
_INNER_VERBS = frozenset({"建设", "结合", "统筹", "创新", "协同", "优化"})
_NOUN_TAGS = frozenset({"n", "vn", "nz", "b", "an", "ng"})


def _is_stop(tokens: tuple[tuple[str, str], ...], number: int) -> bool:
    """Whether tokens[number] ends the words in front of a name."""
    word = tokens[number][0]
    previous, previous_tag = tokens[number - 1] if number > 0 else ("", "")
    if word.isspace() or previous + word in _STOP_WORDS:  # jieba splits some: 获|批
        return True
    # 确定为, 命名为, 晋升为: what follows is what the place became, named by someone else (教育部确定为|家庭教育试验区)
    if len(word) >= 2 and word.endswith("为") and tokens[number][1].startswith("v"):
        return True
    if _COUNT.fullmatch(word):
        return _NUMBER.fullmatch(previous) is not None or word[0] not in "项个类批家名次条年"
    if word not in _STOP_WORDS:
        return _compound_stop(word)
    # After a word of the name (a noun, or any two-character word that launches nothing: 自主|创新|示范区) an inner
    # verb is part of the name.
    after_word = previous_tag in _NOUN_TAGS or (len(previous) >= 2 and not previous_tag.startswith("p"))
    return not (word in _INNER_VERBS and after_word and previous not in _STOP_WORDS)


@functools.cache
def _compound_stop(word: str) -> bool:
    """Two stop words that the tagger keeps as one (全面推行, 大力推广): a degree and a verb that launches."""
    return len(word) >= 3 and any(
        word[:cut] in _STOP_WORDS and word[cut:] in _STOP_WORDS for cut in range(1, len(word))
    )


def _plain(term: str) -> str:
    return "".join(ch for ch in term if ch not in _QUOTE_CHARS)


def _balanced(term: str) -> bool:
    """No quotation mark left open or closed alone (三资”一网通 is half a quotation)."""
    depth = 0
    for ch in term:
        if ch in "“‘「『":
            depth += 1
        elif ch in "”’」』":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and term.count('"') % 2 == 0 and term.count("'") % 2 == 0


def _names_something(words: str, quoted: bool) -> bool:
    """The words in front of a head say which initiative it is: not generic, and (unless quoted, which marks a
    name) not ending in a verb, adjective, number, place or organisation."""
    if len(words) < 2 or words in _GENERIC:
        return False
    tokens = _tagged(words)
    if all(word in _GENERIC or word in _STOP_WORDS for word, _ in tokens):
        return False
    last_word, last_tag = tokens[-1]
    if quoted or last_tag not in _NOT_NAME_END_TAGS or last_word in _NOMINAL_VERBS:
        return True
    # jieba tags a name's last word out of context: 要素市场化|配置, 专项债券自审|自发 (verbs), 建设用地|入市 (a
    # place), 城市信用社 (an organisation). After nouns, a verb of two characters or more still ends a name; so
    # does a long organisation noun. A lone short verb (抓|改革), place or office (永州, 省委) does not.
    after_nouns = len(tokens) >= 2 and any(tag in _NOUN_TAGS for _, tag in tokens[:-1])
    if last_tag in _OUT_OF_CONTEXT_TAGS and len(last_word) >= 2 and len(words) >= 4 and after_nouns:
        return True
    return last_tag == "nt" and len(last_word) >= 4


def _headed_spans(sentence: _Sentence) -> Iterator[_Span]:
    """X改革, X试点, X制, X一体化 …: each head word with the name in front of it."""
    view, start, end = sentence.view, sentence.start, sentence.end
    for match in _HEAD.finditer(view, start, end):
        head = match[0]
        head_start, head_end = match.span()
        signal = _HEADS.get(head) or _QUOTED_HEADS.get(head) or _LAUNCHED_HEADS[head]
        if head == "制" and (
            view[head_start - 1] in _NOT_BEFORE_ZHI or view[head_end : head_end + 1] in _NOT_AFTER_ZHI
        ):
            continue
        if head == "改革" and (_NOT_AFTER_REFORM.match(view, head_end) or _BODY_AFTER.match(view, head_end, end)):
            continue
        if head.endswith("机制") and view.endswith("体制", start, head_start):
            continue  # 体制机制: the system in general
        lower = max(start, head_start - 24)
        # A name does not run back through another reform, bar a level word (宅基地制度改革国家试点): 省委改革办试点
        # and 改革经验受到中央改革 are not names.
        previous = view.rfind("改革", lower, head_start)
        if signal == "行动" and (action := _reform_action(sentence, previous, head_start, head_end)) is not None:
            yield action
            continue
        if previous >= 0 and head_start - (previous + 2) > 3:
            lower = previous + 2
        run_start = sentence.run_back(lower, head_start)
        truncated = run_start == lower > start and _NAME_CHAR.match(view, lower - 1) is not None
        found = sentence.name_start(run_start, head_start, truncated)
        if found is None:
            continue
        name_start, stop_at = found
        # A head inside a quotation takes the closing mark along (农村承包地二轮延包国家级“整县试点”), unless the
        # quotation is a city's label (医改“株洲模式”).
        if (around := sentence.quotation_around(head_start)) is not None and around[1] > head_end:
            if _NOT_A_NAME_ENDING.search(view, around[0], around[1] - 1):
                continue
            head_end = around[1]
        # A quoted number names the system (省市县三级党政正职定期研究信访问题|“321”工作机制): the name starts there.
        for open_, close in sentence.quotations:
            if name_start < open_ < head_start and _NUMBERISH.fullmatch(view[open_ + 1 : close - 1]):
                name_start = open_
                break
        term = view[name_start:head_end]
        quoted = any(ch in _QUOTE_CHARS for ch in term)
        if head in _QUOTED_HEADS and not quoted:
            continue
        if head in _LAUNCHED_HEADS and not (
            quoted or any(verb in view[max(start, name_start - 12) : name_start] for verb in _LAUNCH_BEFORE[signal])
        ):
            continue
        # Before 制 the words are few and their tags unreliable (河|长 tags as place|adjective): they are checked by
        # the characters around 制 and by length instead.
        words = _plain(view[name_start : match.start()])
        if not _balanced(term) or not _names_something(words, quoted or head == "制"):
            continue
        # X制 names are short (河长制, 兼职委员制); a long unquoted run ending in 制 is a description.
        if head == "制" and len(_plain(term)) > 6 and not quoted:
            continue
        yield _Span(name_start, head_end, signal)
        if head in _HEADS and name_start == run_start and view[run_start - 1 : run_start] == "、":
            if (list_start := _list_start(sentence, run_start - 1)) is not None:
                yield _Span(list_start, head_end, signal)
        # Two names sharing one head (紧密型县域医共体和城市医联体改革, 居家和社区养老服务改革试点): the whole
        # coordination is proposed, so that both names reach the curator.
        if stop_at >= 0 and view[stop_at] in "和与及" and head in _HEADS:
            left = sentence.name_start(sentence.run_back(lower, stop_at), stop_at)
            if left is not None and _names_something(_plain(view[left[0] : stop_at]), quoted):
                yield _Span(left[0], head_end, signal)


def _reform_action(sentence: _Sentence, reform: int, head_start: int, head_end: int) -> _Span | None:
    """A named reform's own campaign (国企改革|深化提升|行动, 国有企业改革|三年行动): the reform's name, at most six
    characters of purpose and the head. Launched or not, it names one programme."""
    view = sentence.view
    if reform < 0 or head_start - (reform + 2) > 6:
        return None
    if not all(_NAME_CHAR.match(ch) for ch in view[reform + 2 : head_start]):
        return None
    lower = max(sentence.start, reform - 24)
    run_start = sentence.run_back(lower, reform)
    found = sentence.name_start(run_start, reform, run_start == lower > sentence.start)
    if found is None or not _names_something(_plain(view[found[0] : reform]), False):
        return None
    return _Span(found[0], head_end, "行动")


def _list_start(sentence: _Sentence, separator: int) -> int | None:
    """Where a list of items sharing the head after them starts (深化|科研项目评审、人才评价、机构评估改革; 推进|
    农村集体经营性建设用地、土地征收、宅基地制度改革), given the 、 before the last item. Only a list launched by a
    verb counts: a list that opens its clause (两型社会、新型城镇化、公共文化服务、公立医院改革等) names several
    things, each with its own name."""
    view = sentence.view
    for _ in range(4):
        item_start = sentence.run_back(max(sentence.start, separator - 24), separator)
        found = sentence.name_start(item_start, separator) if item_start < separator else None
        # An item with a head of its own is a name of its own (空间规划试点、发展民营经济综合配套改革).
        if found is None or _HEAD.search(view, found[0], separator):
            return None
        if found[0] != item_start:
            # The verb governs the list only if it opens the clause (not 园区转型发展、推进乡村振兴战略、群团改革),
            # with nothing but other stop words before it (not 科技创新服务).
            lead = _tagged(_plain(view[item_start : found[0]]))
            launched = lead[-1][0] in _LAUNCH_VERBS and all(word in _STOP_WORDS for word, _ in lead)
            return found[0] if launched and view[item_start - 1 : item_start] != "、" else None
        if view[item_start - 1 : item_start] != "、":
            return None
        separator = item_start - 1
    return None


# Endings that make a quoted term read as a policy name rather than a figure of speech: 一照通, 信易批,
# 一网通办, 最多跑一次, 竣工即交证, 土地码, 多规合一, 河长制, 蓓蕾计划, 三变改革, 长株潭一体化.
_NAME_ENDING = re.compile(r"(?:通|办|批|证|码|卡|合一|一次|件事|制|计划|改革|一体化|试点|机制|工程|站)$")

# Quoted terms that are honours, titles or slogans about a place rather than policies (“长安杯”, “六连冠”,
# “全国文明城市”, “株洲模式”, “许昌经验”, “半小时生活圈”): their last characters say so.
_NOT_A_NAME_ENDING = re.compile(r"(?:杯|冠|城|城市|案例|项目|汇编|品牌|之称|经验|模式|红利|之都|之城|强|圈)$")

# A number, a date, a plan period or a formula of numbers (“2020”, “十四五”, “100+20”, “3+2”) is not a name.
_NUMBERISH = re.compile(r"[\d+\-—./%年月日" + _NUMERAL + r"]+")

# Verbs that put a policy into practice; a quoted term right after one is what was launched (创新推行“拿地即
# 开工”, 实施“万人助万企”, 开发“土地码”), while one after 的 is usually a metaphor (破解难题的“金钥匙”).
_LAUNCH_VERBS = frozenset(
    """
    推行 实施 推进 开展 深化 探索 创新 建立 构建 打造 开发 落实 推出 首创 启动 扩大 实行 参与 完善 传承 试行 施行
    推广 创新推行 积极推行 大力实施 深入推进 全面推进 全力推进 纵深推进 持续深化 全面启动 扎实推进 创造性推出 优化
    """.split()
)

# Words a list of quotations is joined by: “一件事一次办”、“门前三小”, “一网通办”和“最多跑一次”.
_LIST_JOINERS = frozenset({"", "、", "和", "与", "及", "+"})


def _quote_is_namelike(inner: str) -> bool:
    """The quoted words have a policy-name shape of their own."""
    if _NAME_ENDING.search(inner) or _numbered_pair(inner) or _ACT_ON_ACT.fullmatch(inner):
        return True
    # A formula of words (电力大数据+环境监管, 河湖长+检察长) or words with numbers (快反135, 创新10条).
    has_words = re.search(r"[\u4e00-\u9fff]{2}", inner) is not None
    return has_words and (_WORDS_PLUS_WORDS.search(inner) is not None or re.search(r"\d", inner) is not None)


def _quotation_can_name(inner: str) -> bool:
    """Three to twelve characters, not a number, not an honour; a list inside (双随机、一公开) of short items."""
    if not 3 <= len(inner) <= 12 or _NUMBERISH.fullmatch(inner) or _NOT_A_NAME_ENDING.search(inner):
        return False
    if inner in _GENERIC or inner in _HEADS or inner in _QUOTED_HEADS:
        return False  # “一体化”
    return all(len(item) <= 3 for item in inner.split("、")) if "、" in inner else True


def _quoted_spans(sentence: _Sentence) -> Iterator[_Span]:
    """Quoted terms with a second sign of being a name, and the lists they stand in (“一件事一次办”、“门前三小”)."""
    view = sentence.view
    quotations = sentence.quotations
    inners = [view[open_ + 1 : close - 1].strip() for open_, close in quotations]
    possible = [_quotation_can_name(inner) for inner in inners]
    accepted = []
    for (open_, _), inner, can in zip(quotations, inners, possible, strict=True):
        before = _tagged(view[max(sentence.start, open_ - 8) : open_])
        # 推行“拿地即开工”, and with the field between: 深化制造业“智改数转网联”.
        launched = bool(before) and (
            before[-1][0] in _LAUNCH_VERBS
            or (
                len(before) >= 2
                and before[-2][0] in _LAUNCH_VERBS
                and before[-1][1] in _NOUN_TAGS
                and len(before[-1][0]) <= 3
            )
        )
        accepted.append(can and (_quote_is_namelike(normalise(inner)) or launched))
    # A quotation listed next to an accepted one is one of its kind.
    changed = True
    while changed:
        changed = False
        for index in range(len(quotations) - 1):
            joiner = view[quotations[index][1] : quotations[index + 1][0]].strip()
            if joiner in _LIST_JOINERS and accepted[index] != accepted[index + 1]:
                if possible[index] and possible[index + 1]:
                    accepted[index] = accepted[index + 1] = changed = True
    for (open_, close), ok in zip(quotations, accepted, strict=True):
        if ok:
            yield _Span(open_, close, "quoted")


# 一件事一次办, 一网四图, 万人助万企, 两图两库两池两报告: a numeral and one or two characters, twice or more, a 、
# allowed between (一网、一门、一次). Not after a numeral (十九届四中 is an ordinal), not a count (四年内三度).
_NUMBERED_PAIR = re.compile(
    rf"(?<![{_NUMERAL}\d])[{_NUMERAL}](?![年幅届度批项是级期号])[^\W\d{_NUMERAL}]{{1,2}}"
    rf"(?:、?[{_NUMERAL}](?![是级期号])[^\W\d{_NUMERAL}]{{1,3}}){{1,3}}"
)


def _numbered_pair(text: str) -> bool:
    return _NUMBERED_PAIR.fullmatch(text) is not None and not _idiom(text.replace("、", ""))


def _idiom(text: str) -> bool:
    """A dictionary word, or one opening the match (千方百计|增加, 千行百业): an idiom, not a policy."""
    return _in_dictionary(text) or _in_dictionary(text[:4])


# 拿地即开工, 竣工即交证, 承诺即审批: two characters, 即, a two-character act. Not 立即, 随即, 即可, 即将.
_ACT_ON_ACT = re.compile(r"[^\W\d立随旋当]{2}即(?![可将是为使便时刻])[^\W\d]{2}")

# X+Y: words or quotations joined by + (电力大数据+环境监管, “五老”+“好邻居”).
_PLUS_PART = r"(?:“[^“”]{1,15}”|‘[^‘’]{1,15}’|「[^「」]{1,15}」|[^\W_]+)"
_PLUS = re.compile(rf"{_PLUS_PART}(?:\+{_PLUS_PART})+")
# A name has words on both sides of some +; 建设1+20系列文件 and “信用+” do not.
_WORDS_PLUS_WORDS = re.compile(r"[^\W\d_”’」]\+[^\W\d_“‘「]|[”’」]\+[“‘「]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _shape_spans(sentence: _Sentence) -> Iterator[_Span]:
    view, start, end = sentence.view, sentence.start, sentence.end
    for match in _NUMBERED_PAIR.finditer(view, start, end):
        if (
            "全会" not in match[0]
            and not re.match(r"届|中?全会", view[match.end() :])
            and not _idiom(match[0].replace("、", ""))
        ):
            yield _Span(*match.span(), "一X一X")
    for match in _ACT_ON_ACT.finditer(view, start, end):
        yield _Span(*match.span(), "即")
    for match in _PLUS.finditer(view, start, end):
        parts = match[0].split("+")
        if not _WORDS_PLUS_WORDS.search(match[0]):
            continue
        left_end = match.start() + len(parts[0])
        found = sentence.name_start(match.start(), left_end) if parts[0][0] not in _OPENERS else (match.start(), -1)
        if found is None:
            continue
        # An unquoted last part ends at its first stop word (电力大数据+环境监管|的“株洲模式”).
        right_start = match.end() - len(parts[-1])
        right_end = match.end()
        if parts[-1][0] not in _OPENERS:
            right_end = right_start
            for word, _ in _tagged(parts[-1]):
                if word in _STOP_WORDS:
                    break
                right_end += len(word)
        if right_end > right_start:
            yield _Span(found[0], right_end, "plus")


# Numbered systems: a formula of numbers (1+1+6, 1+10+1, 3+3+2, 1+N) with the name it numbers after it
# (“3+3+2”现代产业体系, “1+N”政府平台公司改革). A formula alone, or before a generic word (1+20系列文件), says nothing.
_FORMULA = re.compile(r"[“\"'「]?(?<![\d.+])\d{1,2}(?:\+(?:\d{1,2}|[a-zA-Z]))+(?![\d.])[”\"'」]?")
_FORMULA_NAME_MAX = 14
_NOT_NUMBERED_NAMES = frozenset("系列 文件 系列文件 政策 政策文件 配套 配套文件 方案 系列方案".split())


def _numbered_spans(sentence: _Sentence) -> Iterator[_Span]:
    view = sentence.view
    for match in _FORMULA.finditer(view, sentence.start, sentence.end):
        name_end = match.end()
        # Function words end the name, and stop words after its first word: 组织架构 and 工作部署 start with
        # words that elsewhere launch a name, but 工作思路|落实到位 is what follows it.
        for number, (word, tag) in enumerate(
            _tagged(view[match.end() : min(sentence.end, match.end() + _FORMULA_NAME_MAX)])
        ):
            if (
                (number > 0 and word in _STOP_WORDS)
                or tag in {"u", "c", "p", "uj", "ul"}
                or word in {"是", "为", "建设"}
                or not all(_NAME_CHAR.match(ch) for ch in word)
            ):
                break
            name_end += len(word)
        name = view[match.end() : name_end]
        if len(name) < 2 or name in _NOT_NUMBERED_NAMES:
            continue
        if not _balanced(view[match.start() : name_end]):
            continue
        yield _Span(match.start(), name_end, "numbered")


# Documents that launch a reform: 《关于深化河长制改革的实施方案》, 《…管理办法(试行)》, 《…的意见》.
_DOCUMENT = re.compile(r"《[^《》\n]{4,40}?(?:方案|办法|意见|细则|规定|条例)(?:[(（][^()（）]{1,12}[)）])?》")


# What a title says beyond its genre: 《试点实施方案》 or 《工作方案》 name nothing.
_DOCUMENT_GENRE = re.compile(
    r"^(?:关于)?|(?:的)?(?:实施|工作|总体|试点|管理)?(?:方案|办法|意见|细则|规定|条例)(?:[(（].*)?$"
)


# A meeting that reviews documents (会议审议并原则通过了《…》《…》): a reform committee's agenda is its reforms,
# so each document it reviews names one, while a document merely cited (学习《…条例》) may not.
_REVIEWED = re.compile(r"审议|原则通过|原则同意")


def _document_spans(sentence: _Sentence) -> Iterator[_Span]:
    view = sentence.view
    for match in _DOCUMENT.finditer(view, sentence.start, sentence.end):
        subject = _DOCUMENT_GENRE.sub("", normalise(match[0]))
        if len(subject) >= 4 and subject not in _GENERIC:
            reviewed = _REVIEWED.search(view, sentence.start, match.start()) is not None
            yield _Span(*match.span(), "审议" if reviewed else "document")


def _head_stripped(name: str) -> str:
    for head in sorted({**_HEADS, **_QUOTED_HEADS, **_LAUNCHED_HEADS}, key=len, reverse=True):
        if name.endswith(head) and len(name) > len(head):
            return name[: -len(head)]
    return name


def _is_known(name: str, known_names: set[str]) -> bool:
    """Known as it is, with a head word added (一件事一次办改革), or as its ending (纪委监委派驻机构改革 after 派驻机构
    改革): `suggest_known` already proposes that passage."""
    if name in known_names or _head_stripped(name) in known_names:
        return True
    return any(name[cut:] in known_names for cut in range(1, len(name) - 2))


# A title in book marks names a document (《优化营商环境百问百答》), not an initiative of the report's own.
_TITLE = re.compile(r"《[^《》]*》")


# ---------------------------------------------------------------------------------------------------------------
# Ranking: the curator reads the likely reforms first


# How often each signal names a reform rather than a description, on the seeds and the development set.
_SIGNAL_STRENGTH = {
    "试点": 3.5,
    "示范区": 3.5,
    "改革": 3.0,
    "制": 3.0,
    "numbered": 3.0,
    "一X一X": 2.5,
    "即": 2.5,
    "一体化": 2.5,
    "document": 3.0,
    "审议": 4.5,
    "行动": 2.0,
    "清单": 2.0,
    "plus": 2.0,
    "quoted": 2.0,
    "机制": 1.5,
    "计划": 1.5,
    "模式": 1.5,
    "体系": 1.5,
}
_DOCUMENT_SIGNALS = frozenset({"document", "审议"})
# Endings that name a reform whatever the signal that found the term (“三变”改革, 住房公积金制度改革).
_REFORM_ENDINGS = re.compile(r"(?:制度改革|体制改革|综合改革|改革试点|试点|示范区|试验区)$")
# Not 深化改革委员会工作规则 or 改革经验复制推广工作方案: the committee's rules and its reports carry no reform.
_DOCUMENT_OF_REFORM = re.compile(r"改革(?!委员会|领导小组|办|经验|任务|要点)|试点|制度")
_FORMULA_INSIDE = re.compile(r"\d\+|^\d{3,}(?!\d*年)")  # 321工作机制, not 2020年…方案
_COUNTED_GOALS = re.compile(rf"[{_NUMERAL}\d][个项大]")
# Heads so common in plain prose that the words before them must say which one it is.
_WEAK_HEADS = {
    "机制": ("机制",),
    "模式": ("模式",),
    "体系": ("体系",),
    "计划": ("计划",),
    "体制": ("体制",),
    "行动": ("行动",),
}


def candidate_score(normalised: str, signal: str, occurrences: int = 1, written: str = "") -> float:
    """How likely a candidate term names a reform, from what the text shows: the signal that found it, a
    known reform ending (X制度改革, X试点, X示范区), a numbered system inside it, how many sentences name it,
    quotation marks around part of it (“城市合伙人”计划: the text marks it as a name), and a length that names
    one thing (two characters are too vague, a whole clause is a description).
    A function of the stored term (`written`, as in the body), its signal and its count, so the review screen
    ranks the same way."""
    score = _SIGNAL_STRENGTH.get(signal, 1.5)
    document = signal in _DOCUMENT_SIGNALS
    quoted_inside = signal not in {"quoted", "plus", *_DOCUMENT_SIGNALS} and any(ch in _QUOTE_CHARS for ch in written)
    if quoted_inside:
        score += 1.0
    if signal == "行动" and "改革" in normalised:
        score += 1.5  # 国有企业改革三年行动: a named reform's own campaign
    if _REFORM_ENDINGS.search(normalised):
        score += 1.5
    elif normalised.endswith("改革"):
        score += 1.0
    if _FORMULA_INSIDE.search(normalised):
        score += 1.0
    if document and _DOCUMENT_OF_REFORM.search(normalised):
        score += 1.5  # 《…公务用车制度改革实施方案》: a document that carries a reform
    if signal == "quoted" and _NAME_ENDING.search(normalised):
        score += 1.0  # 一网通办, 最多跑一次, 综合查一次: the endings of service reforms
    if _COUNTED_GOALS.search(normalised):
        score -= 1.0  # 三个高地, 三项建设, 七大攻坚: goals counted out, a slogan rather than a reform
    score += 1.5 * math.log2(max(occurrences, 1))
    length = len(normalised)
    if document:
        return score  # a document's title is long by nature
    if length <= 2:
        score -= 1.5
    elif (
        signal in _WEAK_HEADS
        and length <= 4
        and not quoted_inside  # “创谷”计划: the quotation says which one it is
        and any(normalised.endswith(h) for h in _WEAK_HEADS[signal])
    ):
        score -= 1.0  # one word before a common head (招商机制, 投资计划) says little about which reform it is
    elif length > 18:
        score -= 1.5
    elif length > 13:
        score -= 0.5
    return score


# A term this likely to name a reform is shown whatever the cap: a reform summary dense with reforms (the seeds
# name seven in 1,000 characters) shows them all, a work report full of slogans only its best (`candidate_cap`).
STRONG_SCORE = 4.5


def candidate_cap(body: str) -> int:
    """How many candidate terms a report of this length shows: at least three, and one plus 2.5 per 1,000
    characters, within the three per 1,000 the curators asked for from 2,000 characters on. A long work report
    names its reforms early and pads the rest with slogans, so its places grow more slowly than its length.
    Strong terms come on top (`STRONG_SCORE`), and a text dense with them shows more (`shown_terms`)."""
    return max(3, round(1 + 2.5 * len(body) / 1000))


def _same_reform(one: str, other: str) -> bool:
    """One term names the other: it contains it, and the shorter covers most of the longer (机构改革 and 党和国家
    机构改革; not 一件事 and 高效办成一件事)."""
    short, long_ = sorted((one, other), key=len)
    return short in long_ and len(short) >= 0.6 * len(long_)


def shown_terms(ranked: Iterable[tuple[str, float]], cap: int) -> list[str]:
    """The terms a curator is shown, best first: the `cap` best (`candidate_cap`) and every strong one
    (`STRONG_SCORE`). A term naming the same reform as a better one shown (党和国家机构改革 after 机构改革) takes no
    place of its own: it is folded with the rest, so the places go to different reforms.
    A text whose strong terms are many is a reform summary rather than a work report, and its next terms name
    reforms more often too: it shows at least twice as many terms as strong ones (the ranking is best first, so
    every strong term is counted before the first weaker one)."""
    shown: list[str] = []
    strong = 0
    for term, score in ranked:
        if len(shown) >= max(cap, 2 * strong) and score < STRONG_SCORE:
            break
        if not any(_same_reform(term, other) for other in shown):
            shown.append(term)
            strong += score >= STRONG_SCORE
    return shown


def rank_candidates(candidates: Iterable[CandidateSuggestion]) -> list[tuple[str, float]]:
    """Each distinct candidate term (normalised) with its score, best first; ties keep the text's order."""
    count: dict[str, int] = {}
    first: dict[str, CandidateSuggestion] = {}
    for candidate in candidates:
        count[candidate.normalised] = count.get(candidate.normalised, 0) + 1
        first.setdefault(candidate.normalised, candidate)
    scored = [(term, candidate_score(term, first[term].signal, count[term], first[term].term)) for term in count]
    return sorted(scored, key=lambda pair: -pair[1])


def suggest_candidates(body: str, *, known: Iterable[str] = (), limit: int | None = None) -> list[CandidateSuggestion]:
    """Terms in `body` that look like initiative names, one per (normalised term, sentence), in text order.

    `known` are the names and aliases the archive has (as written; they are normalised here). A term is left out
    when it is known, is a known name plus a head word (“一件事一次办”改革) or ends with a known name of three
    characters or more (纪委监委派驻机构改革): `suggest_known` proposes those. Where candidates overlap, the
    longest wins: “一照通”+“信易批”审批服务改革 rather than “一照通”.

    With `limit`, only the `limit` best-ranked terms (`rank_candidates`) and those scoring `STRONG_SCORE` or more
    are kept, every sentence of each."""
    known_names = {normalise(name) for name in known} - {""}
    view = _view(body)
    suggestions = []
    for sentence_start, sentence_end in _sentences(view):
        sentence = _Sentence(view, sentence_start, sentence_end)
        titles = [match.span() for match in _TITLE.finditer(view, sentence_start, sentence_end)]
        spans: dict[tuple[int, int], _Span] = {}
        for span in [
            *_headed_spans(sentence),
            *_quoted_spans(sentence),
            *_shape_spans(sentence),
            *_numbered_spans(sentence),
            *_document_spans(sentence),
        ]:
            if any(open_ < span.start and span.end < close for open_, close in titles):
                continue
            name = normalise(body[span.start : span.end])
            if len(name) >= 2 and not _is_known(name, known_names):
                spans.setdefault((span.start, span.end), span)
        seen: set[str] = set()
        for match_start, match_end, _ in _longest_first((start, end, "") for start, end in spans):
            term = body[match_start:match_end]
            name = normalise(term)
            if name in seen:
                continue
            seen.add(name)
            suggestions.append(
                CandidateSuggestion(
                    term=term,
                    normalised=name,
                    signal=spans[(match_start, match_end)].signal,
                    start=sentence_start,
                    end=sentence_end,
                    match_start=match_start,
                    match_end=match_end,
                )
            )
    if limit is not None:
        kept = set(shown_terms(rank_candidates(suggestions), limit))
        suggestions = [candidate for candidate in suggestions if candidate.normalised in kept]
    return suggestions
