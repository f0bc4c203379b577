"""Fetching a report page from a web address a curator pasted: safely, and saying why when it will not.

No ORM here: `fetch_page` returns the page's text, its encoding, the address it finally came from
and what its <meta> tags say; the service writes the report.

Refused with a message (`FetchRefused`, a `ReportRejected`): other schemes than http/https,
addresses with a user name or password, hosts that resolve to a private, loopback, link-local,
multicast or otherwise non-public address (unless `allow_private`, for tests and intranets), a
redirect to any of these (each hop is checked, at most `MAX_REDIRECTS`), a connection whose peer
turns out not to be public (the address was checked at resolution; the peer is checked again after
connecting, against DNS rebinding), bodies over `max_bytes`, non-HTML bodies (images, PDFs, anything
with NUL bytes), HTTP errors and timeouts (connect, and the whole download).
"""

import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urljoin, urlsplit

import requests
from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from .decoding import ReportRejected
from .metadata import find_publication_date

MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
_HTML_TYPES = {"text/html", "application/xhtml+xml", "text/plain", ""}
_REDIRECTS = {301, 302, 303, 307, 308}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# Chinese pages that say gb2312 or gbk often use characters only GB18030 has; it is a superset of both.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}
_TITLE_META = ("og:title", "ArticleTitle", "articletitle", "title", "dc.title", "twitter:title")
_DATE_META = (
    "article:published_time",
    "PubDate",
    "pubdate",
    "publishdate",
    "publish_date",
    "dc.date",
    "dc.date.issued",
    "date",
    "firstpublishedtime",
    "og:published_time",
)
_SOURCE_META = ("ContentSource", "contentsource", "og:site_name", "SiteName", "source")


class FetchRefused(ReportRejected):
    pass


@dataclass
class FetchedPage:
    url: str  # the address asked for
    final_url: str  # where the page came from after redirects
    fetched_at: datetime
    html: str
    encoding: str
    content_type: str
    title: str = ""
    published_on: date | None = None
    source: str = ""
    redirects: list[str] = field(default_factory=list)


def check_address(url: str, *, allow_private: bool = False) -> None:
    """Refuse what must not be fetched: not http(s), credentials in the address, a non-public host."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchRefused(f"只能抓取 http 或 https 网址，不能抓取 {parts.scheme or '无协议'} 地址：{url}")
    if parts.username or parts.password:
        raise FetchRefused("网址中不能含用户名或密码")
    host = parts.hostname
    if not host:
        raise FetchRefused(f"网址缺少主机名：{url}")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as error:
        raise FetchRefused(f"网址的端口无效：{url}") from error
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(f"无法解析主机名 {host}") from error
    for info in infos:
        check_ip(info[4][0], host=host, allow_private=allow_private)


def check_ip(address: str, *, host: str = "", allow_private: bool = False) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if allow_private and not (ip.is_multicast or ip.is_unspecified):
        return
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        kind = (
            "本机（回环）"
            if ip.is_loopback
            else "链路本地"
            if ip.is_link_local
            else "内网"
            if ip.is_private
            else "非公网"
        )
        raise FetchRefused(f"不抓取{kind}地址：{host or address} 解析为 {ip}")


def decode_page(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """The page's text and encoding: the Content-Type header's charset, else the page's <meta>, else
    detection. GBK/GB2312 pages are read as GB18030, their superset."""
    candidates = []
    if header_charset:
        candidates.append(header_charset)
    if match := _META_CHARSET.search(body[:4096]):
        candidates.append(match[1].decode("ascii"))
    for name in candidates:
        name = _CHARSET_ALIASES.get(name.lower(), name.lower())
        try:
            return body.decode(name), name
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(body).best()
    if best is None:
        raise FetchRefused("无法识别网页的文字编码")
    name = _CHARSET_ALIASES.get(best.encoding.lower(), best.encoding)
    return body.decode(name, errors="replace"), name


def page_metadata(html: str) -> tuple[str, date | None, str]:
    """Title, publication date and source from the page's <meta> tags (gov.cn's ArticleTitle/PubDate/
    ContentSource, Open Graph, Dublin Core), each empty when the page does not say."""
    soup = BeautifulSoup(html, "html.parser")
    metas = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        if key and tag.get("content") and key not in metas:
            metas[key] = tag["content"].strip()
    lowered = {key.lower(): value for key, value in metas.items()}

    def first(names):
        for name in names:
            if value := metas.get(name) or lowered.get(name.lower()):
                return value
        return ""

    published = None
    if value := first(_DATE_META):
        published = find_publication_date(value[:10]) or find_publication_date(value)
    return first(_TITLE_META), published, first(_SOURCE_META)


def _charset_of(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type, re.IGNORECASE)
    return match[1] if match else None


def fetch_page(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    user_agent: str,
    allow_private: bool = False,
    session: requests.Session | None = None,
) -> FetchedPage:
    """GET a report page, following at most MAX_REDIRECTS redirects, each one checked like the first."""
    url = url.strip()
    http = session or requests.Session()
    deadline = time.monotonic() + timeout
    current, redirects = url, []
    for _hop in range(MAX_REDIRECTS + 1):
        check_address(current, allow_private=allow_private)
        try:
            response = http.get(
                current,
                headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5"},
                allow_redirects=False,
                stream=True,
                timeout=(min(timeout, 10), timeout),
            )
        except requests.Timeout as error:
            raise FetchRefused(f"抓取超时（{timeout:g} 秒）：{current}") from error
        except requests.RequestException as error:
            raise FetchRefused(f"无法连接 {urlsplit(current).hostname}：{type(error).__name__}") from error
        with response:
            _check_peer(response, current, allow_private)
            if response.status_code in _REDIRECTS and response.headers.get("Location"):
                redirects.append(current)
                current = urljoin(current, response.headers["Location"])
                continue
            if response.status_code >= 400:
                raise FetchRefused(f"网页返回 HTTP {response.status_code}：{current}")
            content_type = response.headers.get("Content-Type", "")
            mime = content_type.split(";")[0].strip().lower()
            if mime not in _HTML_TYPES:
                raise FetchRefused(f"不是网页（{mime}）：只导入 HTML 网页")
            body = _read_body(response, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
        if b"\x00" in body[:8192]:
            raise FetchRefused("不是网页：内容是二进制数据")
        html, encoding = decode_page(body, _charset_of(content_type))
        title, published, source = page_metadata(html)
        return FetchedPage(
            url=url,
            final_url=current,
            fetched_at=datetime.now(UTC),
            html=html,
            encoding=encoding,
            content_type=mime,
            title=title,
            published_on=published,
            source=source,
            redirects=redirects,
        )
    raise FetchRefused(f"重定向超过 {MAX_REDIRECTS} 次：{url}")


def _check_peer(response: requests.Response, url: str, allow_private: bool) -> None:
    """The address was checked when resolved; check the one actually connected to, against DNS rebinding."""
    peer = None
    # urllib3 2 hands the socket to http.client's response once the headers are read.
    for path in (("_fp", "fp", "raw", "_sock"), ("_connection", "sock")):
        holder = response.raw
        for name in path:
            holder = getattr(holder, name, None)
        if holder is not None:
            try:
                peer = holder.getpeername()[0]
                break
            except (AttributeError, OSError):
                continue
    if peer is None:
        return  # no socket to ask (a test double): the check at resolution stands
    check_ip(peer, host=urlsplit(url).hostname or "", allow_private=allow_private)


def _read_body(response: requests.Response, *, max_bytes: int, deadline: float, timeout: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"网页过大：{int(declared)} 字节，上限 {max_bytes} 字节")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise FetchRefused(f"网页过大：超过上限 {max_bytes} 字节")
            if time.monotonic() > deadline:
                raise FetchRefused(f"抓取超时（{timeout:g} 秒）：下载未完成")
            chunks.append(chunk)
    except requests.RequestException as error:
        raise FetchRefused(f"下载中断或超时：{type(error).__name__}") from error
    return b"".join(chunks)
