"""Decode report files whatever their encoding: UTF-8 (with or without BOM), UTF-16/32 with a BOM,
GB18030/GBK/GB2312 (common on Chinese government sites) and Big5 (Taiwan, Hong Kong).

The decoded text holds no control characters but newline and tab: line breaks in other forms
(CRLF, CR, vertical tab, form feed, NEL) become newlines and the rest (NUL, the other C0 and the
C1 controls, DEL) are removed. PostgreSQL refuses NUL in text while SQLite stores it, so without
this the same file imported on one and failed on the other."""

import codecs
import re

from charset_normalizer import from_bytes


class ReportRejected(ValueError):
    """A report file that cannot be imported; the message says why, in words a curator understands."""


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# charset-normalizer considers only these; anything else is not a Chinese report we can read.
_CANDIDATE_ENCODINGS = ["utf_8", "gb18030", "big5", "utf_16", "utf_32"]
_LINE_BREAKS = re.compile("\r\n?|[\v\f\x85]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def text_without_controls(text: str) -> str:
    """Newlines for every kind of line break, and no other control character but tab."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


# Unicode's control characters (category Cc: U+0000-001F, U+007F-009F) but line breaks and tab.
_COUNTED_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_COUNTED_CONTROLS.findall(text)) / len(text)


def _near_utf8_error(data: bytes) -> UnicodeDecodeError | None:
    """A UTF-8 file with a few broken bytes is damaged, not GBK: report where it breaks."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as error:
        replaced = data.decode("utf-8", errors="replace").count("\ufffd")
        if replaced <= max(2, len(data) // 200):
            return error
        return None


def decode_report_bytes(data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """Return (text, encoding name) or raise ReportRejected with the reason."""
    if len(data) > max_bytes:
        raise ReportRejected(f"文件过大：{len(data):,} 字节，超过上限 {max_bytes:,} 字节")
    if not data.strip():
        raise ReportRejected("空文件：没有任何内容")

    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding)
            except UnicodeDecodeError as error:
                raise ReportRejected(f"无法解码：带 {encoding} 标记，但第 {error.start} 字节处编码错误") from error

    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass

    damaged = _near_utf8_error(data)
    if damaged is not None:
        raise ReportRejected(f"无法解码：UTF-8 文本在第 {damaged.start} 字节处有无效字节（文件可能已损坏）")

    if b"\x00" in data[:4096]:
        # NUL bytes: UTF-16 without a byte-order mark, or not text at all.
        for encoding in ("utf-16-le", "utf-16-be"):
            text = _mostly_cjk(data, encoding)
            if text is not None:
                return _checked(text, encoding)
        # A few stray NULs in a GB18030 file: there a NUL byte is never part of a character.
        if data.count(b"\x00") <= len(data) // 100:
            text = _mostly_cjk(data.replace(b"\x00", b""), "gb18030")
            if text is not None:
                return _checked(text, "gb18030")
        raise ReportRejected("二进制文件：不是文本报告")

    best = from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None:
        raise ReportRejected("无法解码：既不是 UTF-8/UTF-16，也不是 GB18030/GBK 或 Big5 编码的文本")
    encoding = best.encoding
    if encoding in {"gbk", "gb2312"}:
        encoding = "gb18030"  # a strict superset: decodes every GBK file and more
    return _checked(data.decode(encoding), encoding)


def _mostly_cjk(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    visible = [ch for ch in text if not ch.isspace()]
    cjk = sum(1 for ch in visible if "\u4e00" <= ch <= "\u9fff")
    return text if visible and cjk / len(visible) > 0.3 else None


def _checked(text: str, encoding: str) -> tuple[str, str]:
    text = text.lstrip("\ufeff")
    if _control_ratio(text) > 0.01:
        raise ReportRejected("二进制文件：含有大量控制字符，不是文本报告")
    text = text_without_controls(text)
    if not text.strip():
        raise ReportRejected("空文件：没有任何内容")
    return text, encoding
