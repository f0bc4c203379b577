import pytest

from archive.importing import ReportRejected, clean_report
from archive.models import Document, Mention, MentionStatus
from archive.services import curated_fixture_load, document_import
from archive.text.normalise import normalise
from tests.conftest import SEED_FILES, seed_bytes, seed_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("city", "years", "source", "title"),
    [
        ("zhuzhou", (2012, 2022), "株洲日报", ""),
        ("yongzhou", (2023, 2023), "永州日报", "千帆竞发立潮头——永州市2023年“十项重点改革”综述"),
        ("xiangtan", (2017, 2017), "中国经济体制改革杂志社", ""),
        ("xuchang", (2020, 2020), "", "改革兴许百业盛——2020年我市全面深化改革工作掠影"),
        ("changchun", (None, None), "长春市委改革办", ""),
    ],
)
def test_importer_finds_city_years_and_source_of_each_seed(city, years, source, title):
    result = document_import(data=seed_bytes(city), filename=SEED_FILES[city])
    document = result.document
    assert result.created
    assert document.city.slug == city
    assert (document.year_start, document.year_end) == years
    assert document.source == source
    assert document.title == title


def test_what_is_not_found_is_reported_missing_not_guessed():
    result = document_import(data=seed_bytes("changchun"), filename="cc.txt")
    assert set(result.missing) == {"title", "years", "published_on", "authors"}
    assert result.document.year_start is None


def test_overrides_win_over_what_the_text_says():
    result = document_import(data=seed_bytes("changchun"), filename="cc.txt", years=(2020, 2020), source="吉林日报")
    assert (result.document.year_start, result.document.source) == (2020, "吉林日报")


def test_same_report_twice_is_one_document():
    first = document_import(data=seed_bytes("xiangtan"), filename="a.txt")
    second = document_import(data=seed_bytes("xiangtan"), filename="b.txt")
    assert not second.created and second.document.pk == first.document.pk
    assert Document.objects.count() == 1


def test_gbk_copy_of_a_seed_is_a_duplicate_of_the_utf8_original():
    original = document_import(data=seed_bytes("xuchang"), filename="utf8.txt").document
    copy = document_import(data=seed_text("xuchang").encode("gbk"), filename="gbk.txt")
    assert not copy.created and copy.document == original
    assert original.body == clean_report(seed_text("xuchang")).body


def test_a_report_with_nul_bytes_imports_as_the_same_text_on_every_database():
    """PostgreSQL refuses NUL in text (SQLite stores it): control characters are removed at import,
    so the laced copy imports, holds no control character, and is a duplicate of the clean report.
    (tests/test_postgres.py runs this file on PostgreSQL.)"""
    laced = seed_text("xiangtan").replace("改革", "改\x00革", 5).replace("。", "。\x01\x1b\x7f\x80", 3)
    result = document_import(data=laced.replace("\n", "\r\n").encode(), filename="nul.txt")
    document = Document.objects.get(pk=result.document.pk)
    controls = {chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]} - {"\n", "\t"}
    assert not controls & (set(document.body) | set(document.raw_text) | set(document.title))
    assert not document_import(data=seed_bytes("xiangtan"), filename="clean.txt").created


def test_raw_text_is_kept_alongside_clean_body():
    document = document_import(data=seed_bytes("yongzhou"), filename="yz.txt").document
    assert "频道精选" in document.raw_text and "频道精选" not in document.body
    assert document.extra["editors"] == ["陈小婷"]


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (b"", {}, "空文件"),
        (bytes(range(256)) * 20, {}, "二进制文件"),
        (b"\x81\xfd\x80" + "株洲市".encode() * 3 + b"\x80\x81", {}, "无法解码"),
        ("我市深入推进放管服改革，审批事项大幅压缩，群众满意度持续提升。".encode(), {}, "无法确定城市"),
        ("株洲市改革报告。株洲市推进放管服改革，群众满意度持续提升。".encode(), {"city_slug": "atlantis"}, "未知城市"),
        ("株洲".encode(), {}, "没有正文"),
    ],
)
def test_bad_input_is_rejected_with_a_reason_and_writes_nothing(data, kwargs, message):
    with pytest.raises(ReportRejected, match=message):
        document_import(data=data, filename="bad.txt", **kwargs)
    assert Document.objects.count() == 0


def test_oversized_file_is_rejected(settings):
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(ReportRejected, match="文件过大"):
        document_import(data=seed_bytes("zhuzhou"), filename="big.txt")
    assert Document.objects.count() == 0


def test_city_given_by_hand_when_the_text_cannot_tell():
    text = "我市深入推进放管服改革，审批事项大幅压缩，群众满意度持续提升。".encode()
    result = document_import(data=text, filename="x.txt", city_slug="xuchang")
    assert result.document.city.slug == "xuchang"


def test_curated_fixture_locates_every_passage_and_confirms_it():
    for city, name in SEED_FILES.items():
        document_import(data=seed_bytes(city), filename=name)
    counts = curated_fixture_load()
    assert counts["mentions_created"] == counts["mentions"] >= 40
    for mention in Mention.objects.select_related("document", "initiative").prefetch_related("initiative__aliases"):
        assert mention.status == MentionStatus.CONFIRMED
        # The located passage (derived from offsets) names its initiative, after normalisation.
        assert any(normalise(name) in normalise(mention.passage) for name in mention.initiative.all_names)
    assert curated_fixture_load()["mentions_created"] == 0


def test_import_extracts_the_figures_a_report_states(db):
    result = document_import(data=seed_bytes("xuchang"), filename="xuchang.txt")
    figures = {figure.measure: figure for figure in result.document.figures.all()}
    assert figures["行政审批事项"].value_label == "822→98项"
    assert figures["改革任务"].value_label == "150项"
    assert all(figure.sentence and figure.start < figure.end for figure in figures.values())


def test_curated_figures_survive_reextraction_and_others_are_replaced(db):
    from archive.services import document_figures_extract

    document = document_import(data=seed_bytes("changchun"), filename="changchun.txt").document
    corrected = document.figures.get(measure="改革任务")
    corrected.value, corrected.curated = 1166, True
    corrected.save()
    count_before = document.figures.count()

    document_figures_extract(document=document)

    assert document.figures.count() == count_before  # no duplicate of the corrected figure
    assert document.figures.get(measure="改革任务").value == 1166


def test_a_province_level_report_is_refused_with_a_clear_message_not_filed_under_a_city():
    text = (
        "2026年河南省政府工作报告\n——2026年1月26日在河南省第十四届人民代表大会第四次会议上\n"
        "各位代表：现在，我代表省人民政府向大会报告工作。全省经济稳中向好，郑州、洛阳、许昌等地改革成效显著。"
    ).encode()
    with pytest.raises(ReportRejected, match="省级报告（河南省）"):
        document_import(data=text, filename="henan.txt")
    assert Document.objects.count() == 0
    # The curator can still file it under a city on purpose.
    assert document_import(data=text, filename="henan.txt", city_slug="zhengzhou").document.city.slug == "zhengzhou"


def test_a_county_report_is_filed_under_its_prefecture_with_the_county_noted(client):
    text = (
        "中牟县四大班子领导赴南京等地参观考察\n9月9日至13日，中牟县委书记带领考察团赴南京、苏州、杭州参观考察。"
        "县委书记要求考察团成员虚心学习南京的经验，结合中牟县的实际思考全县下一步怎么做。"
    ).encode()
    result = document_import(data=text, filename="zhongmou.txt")
    assert result.document.city.slug == "zhengzhou"
    assert result.document.extra["district"] == "中牟县"
    assert any("中牟县" in note for note in result.notes)
    page = client.get(result.document.get_absolute_url()).content.decode()
    assert '<dt>区县</dt><dd lang="zh-Hans">中牟县</dd>' in page
