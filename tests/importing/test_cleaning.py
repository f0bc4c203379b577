from datetime import date

import pytest

from archive.importing import clean_report
from archive.importing.cleaning import LONG_LINE_CHARS, PARAGRAPH_TARGET_CHARS, split_long_line
from tests.conftest import seed_text


def test_yongzhou_web_chrome_is_removed():
    """The 永州 page's navigation (当前位置, 相关链接, 频道精选 and its channel list, 返回首页) is not body."""
    report = clean_report(seed_text("yongzhou"))
    body = report.body
    for chrome in ["当前位置", "相关链接", "频道精选", "阅读下一篇", "返回红网首页", "重要新闻", "冷水滩", "问政永州"]:
        assert chrome not in body, chrome
    assert report.paragraphs[0] == "百舸争流,奋楫者先。"
    assert report.paragraphs[-1].endswith("永州的改革成效必将更加精彩!")
    assert len(report.dropped) >= 35


def test_yongzhou_bylines_become_metadata_not_body():
    report = clean_report(seed_text("yongzhou"))
    assert report.title == "千帆竞发立潮头——永州市2023年“十项重点改革”综述"
    assert report.source == "永州日报"
    assert report.authors == ["欧春涛", "唐斌"]
    assert report.editors == ["陈小婷"]
    assert not any(p.startswith(("来源", "作者", "编辑")) for p in report.paragraphs)


def test_reporter_line_gives_outlet_and_authors():
    report = clean_report(seed_text("zhuzhou"))
    assert report.source == "株洲日报"
    assert report.authors == ["徐孜", "陈欢"]
    assert "通讯员" not in report.body


def test_magazine_editor_line_gives_the_publisher():
    report = clean_report(seed_text("xiangtan"))
    assert report.source == "中国经济体制改革杂志社"
    assert report.editors == ["卢志文", "文武"]
    assert report.paragraphs[-1].startswith("4.聚焦从严治党抓改革")


def test_newspaper_edition_header_and_photo_captions_are_not_body():
    report = clean_report(seed_text("xuchang"))
    assert report.title == "改革兴许百业盛——2020年我市全面深化改革工作掠影"
    assert report.edition == "第03版:特别报道"
    assert report.captions == [
        "一位母亲和孩子在读书。",
        "两名工人在操作机器。",
        "志愿者和老人在做手工。",
        "环境持续提升,美如画卷。",
    ]
    assert report.paragraphs[0] == "编者按"
    assert "本版图片由记者冯子建摄" not in report.body
    assert report.authors == ["冯子建"]


def test_supplied_by_credit_names_the_source():
    report = clean_report(seed_text("changchun"))
    assert report.source == "长春市委改革办"
    assert report.title == ""  # the report opens with a sentence, not a title


def test_paragraphs_are_kept_one_per_line():
    report = clean_report(seed_text("xiangtan"))
    assert len(report.paragraphs) == 10
    assert all(p == p.strip() and p for p in report.paragraphs)


def test_html_page_is_reduced_to_its_article():
    html = """<html><head><title>改革综述_永州新闻_红网</title><script>var x = "当前位置";</script></head>
    <body><nav><ul><li>首页</li><li>新闻</li></ul></nav>
    <h1>永州市改革综述</h1><div class="info">2023-12-28 09:15 来源：永州日报</div>
    <p>一年来，永州市委坚决扛起全面深化改革的重大政治责任。</p>
    <figure><img src="a.jpg" alt="图"><figcaption>改革现场</figcaption></figure>
    <p>“一照通”入选全省“放管服”改革“十大品牌”。</p>
    <footer>版权所有 红网</footer></body></html>"""
    report = clean_report(html, is_html=True)
    assert report.title == "永州市改革综述"
    assert report.source == "永州日报"
    assert str(report.published_on) == "2023-12-28"
    assert report.paragraphs[0] == "一年来，永州市委坚决扛起全面深化改革的重大政治责任。"
    assert "var x" not in report.body and "版权所有" not in report.body and "首页" not in report.body


def test_long_body_sentence_starting_with_a_label_word_stays_body():
    sentence = "来源于基层的改革经验被省委改革办专题推介，" + "群众满意度持续提升，" * 8
    report = clean_report(f"某市改革综述\n{sentence}\n第二段正文内容在这里。")
    assert sentence in report.paragraphs


def test_full_width_spaces_are_normalised_and_blank_lines_dropped():
    report = clean_report("标题\n\n\u3000\u3000第一段　文字。\n\n\n第二段。")
    assert report.paragraphs == ["第一段 文字。", "第二段。"]


def test_site_header_above_a_breadcrumb_is_not_the_title():
    report = clean_report(
        "喜贺南方学员囊括热门职位状元\n您的当前位置:南方公务员考试网 >> 时政热点 >> 正文内容\n"
        "深圳市2019年政府工作报告(全文)\n发表时间:〖2019-04-28〗\n各位代表：现在我代表市人民政府作报告。"
    )
    assert report.title == "深圳市2019年政府工作报告(全文)"
    assert report.published_on == date(2019, 4, 28)
    assert "喜贺" not in report.body


def test_portal_metadata_block_is_kept_as_metadata_not_title():
    report = clean_report(
        "索引号：11430200/2016-01234  发布机构：株洲市人民政府办公室\n成文日期：2016-12-01  主题分类：综合政务\n"
        "发布日期：2016-12-05\n株洲市全面深化改革工作情况\n一年来，我市改革稳步推进。"
    )
    assert report.title == "株洲市全面深化改革工作情况"
    assert report.portal["发布机构"] == "株洲市人民政府办公室"
    assert report.portal["主题分类"] == "综合政务"
    assert report.published_on == date(2016, 12, 5)
    assert "索引号" not in report.body


def test_a_stated_title_and_year_come_from_their_fields():
    report = clean_report("标题：二00二年政府工作报告\n年份：2002\n=====\n各位代表：现在，我代表市人民政府作报告。")
    assert (report.title, report.stated_year) == ("二00二年政府工作报告", 2002)


def test_photo_caption_and_editors_note_above_the_text_are_not_the_title():
    report = clean_report(
        "殷勇同志作政府工作报告。本报记者 王某 摄\n编者按：改革是发展的动力。\n"
        "长春市全面深化改革综述\n一年来，全市改革任务全面完成。"
    )
    assert report.title == "长春市全面深化改革综述"
    assert report.captions == ["殷勇同志作政府工作报告。本报记者 王某 摄"]
    assert report.editors_note.startswith("编者按")


def test_breadcrumbs_and_back_links_are_dropped():
    report = clean_report("返回栏目\n首页要闻 • 正文\n吹响全面深化改革的冲锋号\n9月20日下午，全会审议通过决定。")
    assert report.title == "吹响全面深化改革的冲锋号"
    assert "返回" not in report.body


def test_pinyin_glosses_inside_words_are_stripped():
    report = clean_report("市全面深化改革雙月調(diào)度會召開，干预(gānyù)减少，GDP(GDP)与(试行)不变。")
    assert report.body == "市全面深化改革雙月調度會召開，干预减少，GDP(GDP)与(试行)不变。"


def test_a_dated_byline_broken_over_two_lines_is_a_byline_not_a_subtitle():
    report = clean_report(
        "政府工作报告\n——2026年1月26日在广东省第十四届\n人民代表大会第五次会议上\n各位代表：现在我代表省人民政府报告工作。"
    )
    assert report.title == "政府工作报告"
    assert report.delivered_on == date(2026, 1, 26)
    assert report.body.startswith("各位代表")


def test_spaced_out_title_and_shared_document_titles():
    assert clean_report("政 府 工 作 报 告\n各位代表：现在我代表区政府报告工作。").title == "政府工作报告"
    shared = clean_report("《2024年海南省政府工作报告.docx》由会员分享，可在线阅读。\n1、政府工作报告各位代表：")
    assert shared.title == "2024年海南省政府工作报告"


def test_a_long_line_becomes_paragraphs_ending_at_sentence_ends():
    sentence = "全面推进河长制工作，水环境持续改善。"
    line = sentence * 2_000  # 36,000 characters on one line
    paragraphs = split_long_line(line)
    assert len(paragraphs) > 50
    assert "".join(paragraphs) == line
    assert all(p.endswith("。") and PARAGRAPH_TARGET_CHARS <= len(p) <= LONG_LINE_CHARS for p in paragraphs[:-1])


def test_a_long_line_without_sentence_ends_is_cut_after_commas_or_hard():
    with_commas = "河长制，" * 1_000
    assert all(p.endswith("，") and len(p) <= LONG_LINE_CHARS for p in split_long_line(with_commas))
    assert "".join(split_long_line(with_commas)) == with_commas
    solid = "河" * (LONG_LINE_CHARS * 3 + 5)
    assert [len(p) for p in split_long_line(solid)] == [LONG_LINE_CHARS] * 3 + [5]


def test_short_lines_and_the_seeds_are_left_as_they_are():
    """Splitting never moves the seeds' paragraph numbers (#p3 as cited)."""
    assert split_long_line("短句。" * 10) == ["短句。" * 10]
    for city in ["zhuzhou", "yongzhou", "xiangtan", "xuchang", "changchun"]:
        assert max(len(line) for line in seed_text(city).splitlines()) < LONG_LINE_CHARS


def test_a_one_line_report_is_cleaned_into_paragraphs_with_nothing_lost():
    body = "株洲市全面深化改革取得新成效。" * 400 + "河长制全面推行！" * 300
    report = clean_report(f"株洲市改革报告\n{body}")
    assert report.title == "株洲市改革报告"
    assert report.body.replace("\n", "") == body
    assert max(len(p) for p in report.paragraphs) <= LONG_LINE_CHARS


def test_an_html_page_is_read_one_block_per_line_without_its_link_lists():
    report = clean_report(
        "<html><body><div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/n/'>要闻</a></div>"
        "<h1>许昌市改革综述</h1><div class='titles'><ul><li><a href='/1'>市政府召开常务会议</a></li>"
        "<li><a href='/2'>全市安全生产工作会议召开</a></li></ul></div>"
        "<p>我市推进<a href='/t'>放管服</a>改革，审批时限压缩一半。</p><p>会议现场。记者 王某 摄</p>"
        "<div class='footer'>主办单位：市人民政府办公室</div></body></html>",
        is_html=True,
    )
    assert report.title == "许昌市改革综述"
    assert report.paragraphs == ["我市推进放管服改革，审批时限压缩一半。"]
    assert report.captions == ["会议现场。记者 王某 摄"]


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("□ 记者 王晨 杜营营/文 王映/图", ["王晨", "杜营营"]),
        ("■本报记者 李明 文/图", ["李明"]),
        ("记者 王晨 杜营营／文 王映／摄", ["王晨", "杜营营"]),
        ("◎本报记者 张三 通讯员 李四", ["张三", "李四"]),
    ],
)
def test_a_newspapers_credited_byline_is_not_the_title(line, authors):
    """周口日报 opens its reform feature with "□ 记者 王晨 杜营营/文 王映/图": the writers are authors, the
    photographer is credited with the line, and the title stays empty rather than take the byline."""
    report = clean_report(f"{line}\n全面深化改革是决定中国式现代化成败的关键一招。近年来，我市锚定目标推进改革。")
    assert report.title == ""
    assert report.authors == authors
    assert line not in report.body


def test_a_marked_line_about_a_reporter_is_not_a_byline():
    report = clean_report("□ 记者会上市长回答提问\n我市推进放管服改革取得新成效，群众满意度持续提升。")
    assert report.title == "□ 记者会上市长回答提问" and report.authors == []
