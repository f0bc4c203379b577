"""Turn a decoded report (plain text or HTML) into a title, clean paragraphs and byline metadata.

Reports reach us copied from newspaper and government web pages. Besides the report itself they
carry page chrome (当前位置, 相关链接, 频道精选, 阅读下一篇, lists of channel names), bylines
(来源/作者/编辑/记者/通讯员), edition headers (第03版) and photo captions. Chrome is dropped, bylines
become metadata, and what is left is the body, one paragraph per line.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from bs4 import BeautifulSoup

from .metadata import find_delivery_date, find_publication_date

_SPACES = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff]+")
_SENTENCE_END = "。！？；：，,.;:!?…"

# A line that is only page furniture.
_CHROME_LINE = re.compile(
    r"^(当前位置|您的位置|你的位置|所在位置)[:：]?"
    r"|^(首页|网站首页)\s*[>›»]"
    r"|^(打印本页|打印|关闭窗口|关闭|分享到|扫一扫|【?字[体号][:：]|【?大\s*中\s*小】?)"
    r"|^返回.{0,12}首页"
    r"|^返回.{0,28}$|^分享$|^(上一[期篇版页]|下一[期篇版页])|^欢迎(访问|来到).{0,30}$|^!\[.*\]\(.*\)$"
)
# A breadcrumb: what stands before it on a page is the site's header, never the report's title.
_BREADCRUMB = re.compile(
    r"^(当前位置|您的位置|你的位置|所在位置|您的当前位置|您现在的位置)|[>›»•]\s*正文(内容)?\s*$|^首页\s*[>›»]"
    r"|^返回|^(?:[^|｜]{1,12}\s*[|｜]\s*){2,}[^|｜]{1,12}$"
)
# Lines a reading or document-sharing site puts above a text.
_SITE_LABEL = re.compile(r"^(论文部分内容阅读|全文阅读|在线阅读|内容摘要|正文)$")
_SHARED_DOCUMENT = re.compile(r"^《(?P<title>.+?)\.(?:docx?|pdf|txt|wps)》由.{0,12}分享")
_FILE_SUFFIX = re.compile(r"\.(?:docx?|pdf|txt|wps)$")
# Pinyin glosses a site adds after words: 調(diào)度, 干预(gānyù). Only with a tone mark, so (GDP) stays.
_PINYIN_GLOSS = re.compile(
    r"(?<=[\u4e00-\u9fff])[(（](?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,30}[)）]"
)
# 政 府 工 作 报 告: a title spaced out letter by letter.
_SPACED_LETTERS = re.compile(r"^(?:[\u4e00-\u9fff] ){2,}[\u4e00-\u9fff]$")
# A portal's metadata block (索引号, 发布机构, 成文日期, 主题分类 …): kept as metadata, never title or body.
_PORTAL_LABELS = (
    "索引号", "发布机构", "发文机关", "成文日期", "发布日期", "主题分类", "主题词", "发文字号", "文号", "公开方式",
    "公开范围", "有效性", "信息分类", "所属机构", "体裁分类", "组配分类", "标题", "年份", "名称",
)  # fmt: skip
_PORTAL_FIELD = re.compile(r"(?P<label>" + "|".join(_PORTAL_LABELS) + r")\s*[:：]\s*(?P<value>.*?)(?=\s+(?:"
                           + "|".join(_PORTAL_LABELS) + r")\s*[:：]|$)")  # fmt: skip
_EDITORS_NOTE = re.compile(r"^[【\[]?编者按[】\]]?\s*[:：]?")
_CAPTION_LINE = re.compile(r"(?:摄|摄影|供图)\s*[)）]?$")
_TITLE_SEARCH_LINES = 12
_BLOCK_TAGS = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "ul", "ol",
               "dl", "dt", "dd", "blockquote", "pre", "center", "hr", "figure"]  # fmt: skip
_LINK_SHARE = 0.6
# The speaker under a dated byline: 市长 魏尧, 深圳市市长 陈如桂.
_SPEAKER = re.compile(
    r"^[\u4e00-\u9fff]{0,12}(?:市长|市長|省长|省長|区长|區長|县长|縣長|主席|书记|書記|主任)\s*[\u4e00-\u9fff·]{2,4}$"
)
_DATED_MASTHEAD = re.compile(
    r"^(?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}日?.{0,4}(?:星期|周[一二三四五六日]|[|｜])"
)
# The first of these in the last part of a page starts the trailing chrome: all that follows is dropped.
_FOOTER_START = re.compile(
    r"^(相关链接|频道精选|阅读下一篇|下一篇|上一篇|相关(新闻|阅读|文章|报道|推荐)|延伸阅读|热点推荐|推荐阅读"
    r"|版权所有|Copyright|网站地图|主办单位|主办：|承办单位|网站标识码|技术支持)"
    r"|^.{0,12}(版权所有|Copyright|©)"
)
_NAV_ITEM_MAX_CHARS = 6
_NAV_RUN_MIN_LINES = 4

_SOURCE = re.compile(r"^[（(]?\s*(?:来源|稿源|信息来源|文章来源)\s*[:：]\s*(?P<value>.+?)\s*[)）]?$")
_AUTHORS = re.compile(r"^[（(]?\s*(?:作者|文)\s*[:：/／]\s*(?P<value>.+?)\s*[)）]?$")
_EDITORS = re.compile(r"^[（(]?\s*(?:责任编辑|责编|编辑|审核|校对)\s*[:：/／]\s*(?P<value>.+?)\s*[)）]?$")
_REPORTER = re.compile(
    r"^(?P<outlet>[\u4e00-\u9fff]{0,16}?)(?:全媒体|融媒体)?(?:首席)?记者\s*[/／:：\s]\s*"
    r"(?P<reporters>[\u4e00-\u9fff·、 ]+?)(?:\s+通讯员\s*[/／:：\s]\s*(?P<correspondents>[\u4e00-\u9fff·、 ]+))?$"
)
# A newspaper's byline set off by a mark and with each person's part: □ 记者 王晨 杜营营/文 王映/图.
_BYLINE_MARK = re.compile(r"^[□■◎●○▲△◆◇★☆]\s*")
_CREDITED_REPORTERS = re.compile(
    r"^(?P<outlet>[\u4e00-\u9fff]{0,16}?)(?:全媒体|融媒体)?(?:首席)?记者\s*[:：]?\s*"
    r"(?P<people>[\u4e00-\u9fff·][\u4e00-\u9fff·/／、\s]*)$"
)
_PARTS = {"文": True, "文/图": True, "文图": True, "图": False, "摄": False, "摄影": False}  # does it write?
_CORRESPONDENT = re.compile(r"^通讯员\s*[/／:：\s]\s*(?P<value>[\u4e00-\u9fff·、 ]+)$")
_SUPPLIED_BY = re.compile(r"^[（(]\s*(?:文、?图|图、?文|文字?|图片?)(?:均|皆)?由(?P<value>.+?)提供\s*[)）]$")
_PHOTO_CREDIT = re.compile(r"^[（(]\s*(?:本版|本文)?(?:图片|图|照片)?.{0,12}(?:摄|摄影|供图)\s*[)）]$")
_EDITION = re.compile(r"^第\s*[A-Za-z]?[0-9０-９一二三四五六七八九十]+\s*版\s*[:：]?\s*(?P<value>.*)$")
_NUMBERED_HEADING = re.compile(
    r"^([一二三四五六七八九十]+、|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）]|第.{1,3}[章节部分])"
)
_PERSON_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_OUTLET_SUFFIXES = ("杂志社", "日报社", "报社", "日报", "晚报", "杂志", "电视台", "广播电视台", "新闻网", "网")

_METADATA_LINE_MAX_CHARS = 80
_CAPTION_MAX_CHARS = 20
_CAPTION_LINE_MAX_CHARS = 60


@dataclass
class CleanReport:
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    source: str = ""
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    published_on: date | None = None
    delivered_on: date | None = None
    byline: str = ""
    portal: dict[str, str] = field(default_factory=dict)
    editors_note: str = ""
    edition: str = ""
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def stated_year(self) -> int | None:
        """A year the page states in a labelled field (年份：2002)."""
        value = self.portal.get("年份", "")
        return int(value[:4]) if re.fullmatch(r"(?:19|20)\d{2}\s*年?", value) else None

    def extra(self) -> dict:
        """What we keep about the page that is neither body nor a model field."""
        values = {
            "editors": self.editors,
            "edition": self.edition,
            "captions": self.captions,
            "credits": self.credits,
            "dropped_lines": len(self.dropped),
            "byline": self.byline,
            "portal": self.portal,
            "editors_note": self.editors_note,
        }
        return {key: value for key, value in values.items() if value}


def html_to_lines(html: str) -> tuple[list[str], str]:
    """Visible text of an HTML page, one block per line, and its <h1> (or <title>) as title hint."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "img"]):
        tag.decompose()
    heading = soup.find("h1")
    title_hint = heading.get_text(" ", strip=True) if heading else ""
    if not title_hint and soup.title:
        # <title> is often "标题_栏目_网站"; keep the first part.
        title_hint = re.split(r"[_|｜]", soup.title.get_text(" ", strip=True))[0].strip()
    if heading:
        heading.decompose()
    for caption in soup.find_all("figcaption"):
        caption.replace_with(f"\n（图）{caption.get_text(' ', strip=True)}\n")
    # Lists of links (related articles, other stories of the edition, menus) are page furniture.
    for tag in soup.find_all(["ul", "ol", "table", "div", "dl"]):
        if not tag.decomposed and _link_heavy(tag):
            tag.decompose()
    # One line per block element; inline elements (a, span, b …) stay inside their line.
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for tag in soup.find_all(["td", "th"]):
        tag.insert_after(" ")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    container = soup.body or soup
    text = container.get_text("")
    return text.splitlines(), title_hint


def _link_heavy(tag) -> bool:
    text = tag.get_text("", strip=True)
    if not text or "。" in text:
        return False
    linked = sum(len(a.get_text("", strip=True)) for a in tag.find_all("a"))
    return linked >= _LINK_SHARE * len(text)


def clean_report(text: str, *, is_html: bool = False) -> CleanReport:
    title_hint = ""
    if is_html:
        lines, title_hint = html_to_lines(text)
    else:
        lines = text.splitlines()
    report = CleanReport()
    lines = [_SPACES.sub(" ", strip_pinyin_glosses(line)).strip() for line in lines]
    lines = _join_broken_bylines([line for line in lines if line])
    lines = _drop_trailing_chrome(lines, report)
    lines = _drop_site_header(lines, report)
    lines = _drop_navigation_runs(lines, report)
    content = [line for line in lines if not _take_metadata(line, report)]
    if title_hint:
        report.title = title_hint
        content = [line for line in content if not _SHARED_DOCUMENT.match(line)]
        if content and content[0] == title_hint:
            content = content[1:]
    else:
        content = _take_title(content, report)
    if report.credits:
        content = _take_captions(content, report)
    report.paragraphs = [paragraph for line in content for paragraph in split_long_line(line)]
    return report


def strip_pinyin_glosses(text: str) -> str:
    """網(wǎng)絡 → 網絡: some sites gloss words with pinyin in brackets, which breaks every name and term."""
    return _PINYIN_GLOSS.sub("", text)


def _drop_trailing_chrome(lines: list[str], report: CleanReport) -> list[str]:
    # Footer markers only count in the second half of a page: a report may mention 相关链接 early.
    for index in range(len(lines) // 2, len(lines)):
        if _FOOTER_START.match(lines[index]):
            report.dropped.extend(lines[index:])
            return lines[:index]
    return lines


def _join_broken_bylines(lines: list[str]) -> list[str]:
    """——2026年1月26日在广东省第十四届 / 人民代表大会第五次会议上: a byline the page broke in two."""
    joined: list[str] = []
    for line in lines:
        if joined and find_delivery_date(joined[-1] + line) and not find_delivery_date(joined[-1]) and len(line) <= 30:
            joined[-1] += line
        else:
            joined.append(line)
    return joined


def _drop_site_header(lines: list[str], report: CleanReport) -> list[str]:
    """Everything above a breadcrumb near the top of a page is the site's header (banners, mastheads)."""
    head = lines[:_TITLE_SEARCH_LINES]
    start = max((i for i, line in enumerate(head) if _BREADCRUMB.search(line)), default=-1) + 1
    report.dropped.extend(lines[:start])
    return lines[start:]


def _is_nav_item(line: str) -> bool:
    item = line.lstrip("•·-*>»▪◆● ").strip()
    return 0 < len(item) <= _NAV_ITEM_MAX_CHARS and not any(ch in _SENTENCE_END for ch in item)


def _drop_navigation_runs(lines: list[str], report: CleanReport) -> list[str]:
    kept: list[str] = []
    run: list[str] = []
    for line in [*lines, None]:
        if line is not None and _is_nav_item(line):
            run.append(line)
            continue
        if len(run) >= _NAV_RUN_MIN_LINES:
            report.dropped.extend(run)
        else:
            for item in run:
                (report.dropped if _CHROME_LINE.match(item) else kept).append(item)
        run = []
        if line is not None:
            if _CHROME_LINE.match(line):
                report.dropped.append(line)
            else:
                kept.append(line)
    return kept


def _split_names(value: str) -> list[str]:
    return [name for name in re.split(r"[\s、，,;；/／]+", value) if name]


def _credited_writers(people: str) -> list[str] | None:
    """王晨 杜营营/文 王映/图 → the writers, 王晨 and 杜营营: the people before a part share it, people with no part
    wrote, a photographer (图, 摄) is credited by the line itself. None when a token is neither a name nor a
    part: then the line is not a byline."""
    writers: list[str] = []
    group: list[str] = []
    named = False
    for token in re.split(r"[\s、]+", people.replace("／", "/").strip()):
        if token == "通讯员":
            continue  # 记者 张三 通讯员 李四: correspondents write too
        name, _, part = token.partition("/") if token not in _PARTS else ("", "", token)
        if name:
            if not _PERSON_NAME.match(name):
                return None
            group.append(name)
            named = True
        if part:
            if part not in _PARTS:
                return None
            if _PARTS[part]:
                writers.extend(group)
            group = []
    return writers + group if named else None


def _take_outlet(outlet: str, report: CleanReport) -> None:
    """本报记者, 株洲日报记者: the outlet before 记者, as the report's source unless it has one."""
    outlet = outlet.removeprefix("本报").removeprefix("本刊")
    if outlet and not report.source:
        report.source = _outlet_of(outlet) or outlet


def _outlet_of(organisation: str) -> str:
    """中国经济体制改革杂志社通联部 → 中国经济体制改革杂志社; 株洲日报 → 株洲日报."""
    for suffix in _OUTLET_SUFFIXES:
        position = organisation.find(suffix)
        if position > 0:
            return organisation[: position + len(suffix)]
    return ""


def _take_metadata(line: str, report: CleanReport) -> bool:
    """Record a byline/edition/credit line in `report` and return True, or return False for content."""
    if len(line) > _METADATA_LINE_MAX_CHARS:
        return False
    if fields := _portal_fields(line):
        for label, value in fields:
            report.portal.setdefault(label, value)
            if label == "发布日期" and (published := find_publication_date(value)):
                report.published_on = report.published_on or published
        return True
    if _SPEAKER.match(line) and (report.delivered_on or report.byline):
        report.authors.append(line)
        return True
    if delivered := find_delivery_date(line):
        report.delivered_on = report.delivered_on or delivered
        report.byline = report.byline or line.lstrip("—-–－─ ")
        return True
    published = find_publication_date(line)
    if published:
        report.published_on = report.published_on or published
        source = re.search(r"来源\s*[:：]\s*(\S+)", line)
        if source and not report.source:
            report.source = source.group(1)
        return True
    if match := _EDITION.match(line):
        report.edition = line
        return True
    if match := _SOURCE.match(line):
        report.source = report.source or match["value"]
        return True
    if match := _AUTHORS.match(line):
        report.authors.extend(_split_names(match["value"]))
        return True
    if match := _EDITORS.match(line):
        for token in _split_names(match["value"]):
            if _PERSON_NAME.match(token) and not _outlet_of(token):
                report.editors.append(token)
            elif not report.source and _outlet_of(token):
                report.source = _outlet_of(token)
        return True
    marked = _BYLINE_MARK.sub("", line)
    if (
        (marked != line or "/" in line or "／" in line)
        and (match := _CREDITED_REPORTERS.match(marked))
        and (writers := _credited_writers(match["people"])) is not None
    ):
        _take_outlet(match["outlet"], report)
        report.authors.extend(writers)
        report.credits.append(line)
        return True
    if match := _REPORTER.match(line):
        _take_outlet(match["outlet"], report)
        report.authors.extend(_split_names(match["reporters"]))
        if match["correspondents"]:
            report.authors.extend(_split_names(match["correspondents"]))
        return True
    if match := _CORRESPONDENT.match(line):
        report.authors.extend(_split_names(match["value"]))
        return True
    if match := _SUPPLIED_BY.match(line):
        report.credits.append(line)
        report.source = report.source or match["value"].strip()
        return True
    if _PHOTO_CREDIT.match(line):
        report.credits.append(line)
        return True
    if len(line) <= _CAPTION_LINE_MAX_CHARS and _CAPTION_LINE.search(line):
        report.captions.append(line)
        return True
    return False


def _portal_fields(line: str) -> list[tuple[str, str]]:
    """索引号：…  发布机构：… on one line or several: the labelled fields, or [] for any other line."""
    if not re.match(r"^(?:" + "|".join(_PORTAL_LABELS) + r")\s*[:：]", line):
        return []
    return [(m["label"], m["value"].strip()) for m in _PORTAL_FIELD.finditer(line) if m["value"].strip()]


def _looks_like_title(line: str) -> bool:
    return len(line) <= 60 and line[-1] not in _SENTENCE_END and not _NUMBERED_HEADING.match(line)


def _take_title(content: list[str], report: CleanReport) -> list[str]:
    """The title is the first line near the top that reads like one: short, unpunctuated, not a numbered
    heading. What precedes a breadcrumb is the site's header; site labels, photo captions and an editor's
    note (编者按) are passed over. A following line that starts with a dash is its subtitle. A page from a
    portal's metadata block (标题：…) has its title there."""
    if stated := report.portal.get("标题") or report.portal.get("名称"):
        report.title = _SPACES.sub(" ", stated)
        if content and content[0].replace(" ", "") == report.title.replace(" ", ""):
            content = content[1:]
        return content
    index = 0
    while index < min(len(content), _TITLE_SEARCH_LINES):
        line = content[index]
        if shared := _SHARED_DOCUMENT.match(line):
            report.title = shared["title"]
            return content[index + 1 :]
        if _SITE_LABEL.match(line) or _DATED_MASTHEAD.search(line):
            report.dropped.append(line)
        elif _CAPTION_LINE.search(line) and len(line) <= 60:
            report.captions.append(line)
        elif _EDITORS_NOTE.match(line):
            report.editors_note = line
        else:
            break
        index += 1
    if index >= len(content) or not _looks_like_title(content[index]):
        return content[index:]
    title = _FILE_SUFFIX.sub("", content[index])
    if _SPACED_LETTERS.match(title):
        title = title.replace(" ", "")
    report.title = title
    rest = content[index + 1 :]
    if rest and rest[0].startswith(("——", "—", "--")) and len(rest[0]) <= 60:
        report.title = f"{title}{rest[0]}"
        rest = rest[1:]
    return rest


def _take_captions(content: list[str], report: CleanReport) -> list[str]:
    """On pages with photo credits, the short sentences right under the title describe the photos."""
    index = 0
    while index < len(content) and len(content[index]) <= _CAPTION_MAX_CHARS and content[index].endswith("。"):
        index += 1
    report.captions.extend(content[:index])
    return content[index:]


# Longer lines are split into paragraphs (the seeds' longest is 1,336 characters).
LONG_LINE_CHARS = 2_000
PARAGRAPH_TARGET_CHARS = 500
_SENTENCE_BREAK = re.compile(r"[。！？!?；;…]+[”’」』）)\]]*")
_CLAUSE_BREAK = "，,、：: "


def split_long_line(line: str) -> list[str]:
    """A line over LONG_LINE_CHARS (a report pasted without line breaks, or a 5 MiB one-line file)
    as paragraphs of about PARAGRAPH_TARGET_CHARS, each ending at a sentence end, so the page reads
    and cites by paragraph. A stretch with no sentence end is cut after a comma, or hard, at
    LONG_LINE_CHARS. Only spaces at the cuts are dropped. Linear in the line's length; it runs
    before the body is stored, so mention offsets are taken on the split text."""
    if len(line) <= LONG_LINE_CHARS:
        return [line]
    pieces: list[str] = []
    start = previous = 0
    for end in [*(match.end() for match in _SENTENCE_BREAK.finditer(line)), len(line)]:
        if end - start > LONG_LINE_CHARS and previous > start:
            pieces.append(line[start:previous])
            start = previous
        while end - start > LONG_LINE_CHARS:
            window = line[start + LONG_LINE_CHARS // 2 : start + LONG_LINE_CHARS]
            cut = max(window.rfind(ch) for ch in _CLAUSE_BREAK) + 1
            cut = start + (LONG_LINE_CHARS // 2 + cut if cut else LONG_LINE_CHARS)
            pieces.append(line[start:cut])
            start = cut
        if end - start >= PARAGRAPH_TARGET_CHARS:
            pieces.append(line[start:end])
            start = end
        previous = end
    pieces.append(line[start:])
    return [stripped for piece in pieces if (stripped := piece.strip())]
