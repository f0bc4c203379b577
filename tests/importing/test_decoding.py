import codecs

import opencc
import pytest

from archive.importing import ReportRejected, decode_report_bytes
from tests.conftest import seed_bytes, seed_text

LIMIT = 5 * 1024 * 1024


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig", "utf-32"])
@pytest.mark.parametrize("city", ["xuchang", "xiangtan"])
def test_re_encoded_seed_decodes_to_the_same_text(city, encoding):
    """A GBK (or GB18030, UTF-16, BOM'd UTF-8) copy of a seed decodes to the same text as its UTF-8 twin."""
    original = seed_text(city)
    text, _ = decode_report_bytes(original.encode(encoding), max_bytes=LIMIT)
    assert text == original


def test_gb18030_covers_characters_gbk_lacks():
    """永州's page has a bullet (•) that GBK cannot encode but GB18030 can."""
    original = seed_text("yongzhou")
    assert decode_report_bytes(original.encode("gb18030"), max_bytes=LIMIT)[0] == original


def test_gbk_is_reported_as_gb18030_superset():
    _, encoding = decode_report_bytes(seed_text("zhuzhou").encode("gbk"), max_bytes=LIMIT)
    assert encoding == "gb18030"


def test_big5_traditional_report_decodes():
    traditional = opencc.OpenCC("s2t").convert(seed_text("changchun"))
    data = traditional.encode("big5", errors="ignore")
    text, encoding = decode_report_bytes(data, max_bytes=LIMIT)
    assert encoding == "big5"
    assert "長春市" in text


def test_utf16_without_bom_decodes():
    original = seed_text("xiangtan")
    text, _ = decode_report_bytes(original.encode("utf-16-le"), max_bytes=LIMIT)
    assert text == original


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空文件"),
        (b"  \r\n\t \n", "空文件"),
        (codecs.BOM_UTF8 + b"   \n", "空文件"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "二进制文件"),
        (bytes(range(256)) * 16, "二进制文件"),
    ],
)
def test_empty_and_binary_files_are_rejected(data, message):
    with pytest.raises(ReportRejected, match=message):
        decode_report_bytes(data, max_bytes=LIMIT)


def test_damaged_utf8_is_rejected_with_the_byte_offset():
    data = bytearray(seed_bytes("zhuzhou"))
    data[3000:3002] = b"\xff\xfe"
    with pytest.raises(ReportRejected, match=r"UTF-8 .*第 \d+ 字节"):
        decode_report_bytes(bytes(data), max_bytes=LIMIT)


def test_undecodable_bytes_are_rejected():
    # Latin-1 accented text with high bytes that are neither UTF-8 nor a coherent CJK encoding.
    data = ("Ça déçoit énormément à cause des élèves âgés. " * 20).encode("cp1252") + b"\x81\x8d\x8f\x90\x9d"
    with pytest.raises(ReportRejected):
        decode_report_bytes(data, max_bytes=LIMIT)


def test_file_over_the_size_limit_is_rejected_before_decoding():
    with pytest.raises(ReportRejected, match="文件过大"):
        decode_report_bytes(seed_bytes("zhuzhou"), max_bytes=1000)


CONTROLS_STRIPPED = "\x00\x01\x08\x0e\x1b\x1f\x7f\x80\x9f"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_nul_and_other_control_characters_are_removed(encoding):
    """NUL (which PostgreSQL refuses and SQLite keeps), the other C0 and C1 controls and DEL go;
    the text is otherwise the same, so both databases hold the same text."""
    original = seed_text("xiangtan")
    laced = original.replace("改革", "改\x00革", 3).replace("。", "。\x1b[0m\x7f", 2)
    laced = laced.replace("株洲", "株\x01洲").replace("湘潭", "湘\x08\x0e\x1f潭", 1)
    if encoding != "gb18030":  # GB18030 has no C1 controls of its own
        laced = laced.replace("市", "市\x80\x9f", 2)
    text, _ = decode_report_bytes(laced.encode(encoding), max_bytes=LIMIT)
    assert not set(CONTROLS_STRIPPED) & set(text)
    assert text == original.replace("。", "。[0m", 2)  # the escape's printable tail is text


def test_line_breaks_of_every_kind_become_newlines_and_tabs_stay():
    data = "株洲市改革报告\r\n第一段。\r第二段。\f第三段，\t列表项。\v第四段\x85第五段。\n".encode()
    text, _ = decode_report_bytes(data, max_bytes=LIMIT)
    assert text == "株洲市改革报告\n第一段。\n第二段。\n第三段，\t列表项。\n第四段\n第五段。\n"


def test_a_file_mostly_of_control_characters_is_still_binary():
    data = ("株洲市" + CONTROLS_STRIPPED * 10).encode() * 50
    with pytest.raises(ReportRejected, match="二进制文件"):
        decode_report_bytes(data, max_bytes=LIMIT)
