"""Whose report is it: the city, province or district that acts in it, not the place named most."""

from pathlib import Path

from archive.importing import clean_report
from archive.importing.subject import PROVINCE, describe_report, load_places

PLACES = load_places(Path(__file__).resolve().parents[2] / "fixtures" / "gazetteer")


def describe(text: str):
    return describe_report(clean_report(text), PLACES)


def test_a_province_report_is_recognised_and_not_filed_under_its_namesake_city():
    """吉林省's report is not 吉林市's, although 吉林 is named in every paragraph."""
    found = describe(
        "吉林省委全面深化改革委员会召开第十一次会议\n"
        "7月12日，吉林省委全面深化改革委员会召开会议，省委书记主持会议，省长出席。"
        "会议审议了《吉林省生态环境损害赔偿制度改革工作实施方案》。全省各地要抓好落实，吉林改革取得新进展。"
    )
    assert (found.city, found.level, found.province) == (None, PROVINCE, "吉林省")
    assert "省级报告" in found.city_note


def test_hainan_province_is_not_the_hainan_prefecture_in_qinghai():
    found = describe(
        "海南省2010年政府工作报告\n——2010年1月25日在海南省第四届人民代表大会第三次会议上\n"
        "各位代表：现在，我代表省人民政府向大会作政府工作报告。全省经济持续回升，海南国际旅游岛建设上升为国家战略。"
    )
    assert (found.city, found.level, found.province) == (None, PROVINCE, "海南省")


def test_an_autonomous_region_is_province_level_even_when_a_city_paper_reports_it():
    """The region's meeting, watched at 河池's branch venue, is the region's report."""
    found = describe(
        "10月24日，全区机构改革动员部署电视电话会议在南宁召开。自治区党委书记出席会议并讲话，"
        "自治区主席就自治区机构改革方案作说明。市委书记、市长等领导在河池分会场参加会议。\n"
        "会议指出，党中央正式批准《广西壮族自治区机构改革方案》，我区机构改革进入全面实施阶段。"
    )
    assert (found.city, found.level, found.province) == (None, PROVINCE, "广西壮族自治区")


def test_a_municipality_is_a_city_of_the_archive():
    found = describe(
        "2026年北京市政府工作报告\n各位代表：现在，我代表北京市人民政府向大会报告工作。全市经济稳中有进，北京改革不断深化。"
    )
    assert (found.city.name, found.level) == ("北京市", "municipality")


def test_a_district_report_goes_to_its_prefecture_with_the_district_noted():
    found = describe(
        "政 府 工 作 报 告\n——2012年2月29日在海拉尔区第十三届人民代表大会第六次会议上\n"
        "各位代表：现在，我代表区政府向大会作工作报告。一年来，在市委、市政府和区委的正确领导下，全区经济快速发展。"
    )
    assert (found.city.name, found.district, found.level) == ("呼伦贝尔市", "海拉尔区", "district")


def test_a_city_quoting_other_cities_is_about_itself():
    """A study tour names 成都, 重庆 and 西安 at every turn; its subject is the city that went."""
    found = describe(
        "市政府考察团赴成都重庆西安学习考察报告\n"
        "10月11日至18日，市政府考察团赴重庆、成都、西安三市，先后考察了成都的数字化城管、重庆的投融资平台建设。"
        "考察团着眼于用外地先进经验指导我市实践，谋划株洲跨越发展。学习成都的经验，借鉴重庆的做法，参观西安高新区。"
    )
    assert found.city.name == "株洲市"


def test_a_city_ranking_itself_in_its_province_is_not_a_province_report():
    found = describe(
        "株洲在全省率先推行“拿地即开工”改革，营商环境居全省第一，经验在全省推广。"
        "株洲市坚持企业至上理念，株洲“一件事一次办”改革获国务院通报表扬。"
    )
    assert (found.city.name, found.level) == ("株洲市", "prefecture")


def test_a_longer_city_name_is_not_also_the_shorter_one_inside_it():
    found = describe(
        "——2016年1月6日在马鞍山市第十五届人民代表大会第五次会议上\n各位代表：马鞍山全市经济稳中有进，马鞍山市转型升级。"
    )
    assert found.city.name == "马鞍山市"


def test_a_county_name_inside_another_word_is_not_that_county():
    """振兴县域经济 contains 兴县 (吕梁), but no county is this report's subject."""
    found = describe("市委召开会议，要求振兴县域经济。湘潭市委书记主持会议，湘潭全市上下要抓好落实。")
    assert (found.city.name, found.district) == ("湘潭市", "")


def test_two_cities_named_alike_leave_the_city_empty_and_say_why():
    found = describe("长沙和株洲两市签署合作协议。长沙、株洲将共建园区。")
    assert found.city is None
    assert "无法确定城市" in found.city_note


def test_a_county_called_by_another_countys_old_name_goes_to_the_prefecture_the_text_names():
    """东乡县 is also the old name of 抚州's 东乡区 (江西); this report is 临夏's 东乡族自治县 (甘肃), which it calls
    东乡县 in most sentences, and it names 临夏州."""
    found = describe(
        "2021年4月14日下午，东乡县召开全县深化“放管服”改革优化营商环境工作推进会。\n"
        "会议传达学习了临夏州深化“放管服”改革领导小组会议精神。县政府宣读了《东乡族自治县人民政府办公室关于印发"
        "<2021年深化“放管服”改革优化营商环境工作要点>的通知》和《东乡县2021年工作方案》。东乡县各部门要抓好落实。"
    )
    assert (found.city.name, found.district) == ("临夏回族自治州", "东乡族自治县")


def test_a_county_whose_prefecture_is_not_named_keeps_its_own_name():
    """Without 临夏 in the text, 东乡县 is the gazetteer's 东乡县 (抚州): the rule above needs the text's word."""
    found = describe("东乡县召开全县深化改革工作推进会。东乡县各部门要抓好落实，东乡县改革取得新进展。")
    assert found.city.name == "抚州市"


def test_a_county_work_report_whose_only_organ_is_in_the_formula_with_attendees_is_the_countys():
    """ "请各位政协委员和列席人员提出意见" is the speaker's own congress, not people elsewhere attending (列席会议)."""
    found = describe(
        "政府工作报告\n2018年3月28日在景宁畲族自治县第九届人民代表大会第二次会议上\n各位代表:\n"
        "现在,我代表景宁畲族自治县人民政府向大会报告工作,请予审议,并请各位政协委员和列席人员提出意见。"
    )
    assert (found.city.name, found.district, found.level) == ("丽水市", "景宁畲族自治县", "county")


def test_a_county_named_alike_does_not_name_its_prefecture_by_its_own_name():
    """朝阳县 contains 朝阳, the short name of its prefecture 朝阳市: that is not the text naming 朝阳市, so a 朝阳区
    report that mentions 朝阳县 once is not filed under 朝阳市 (which 朝阳区, in 北京 or 长春, it is stays open)."""
    found = describe(
        "朝阳区召开全区深化改革工作会议。区委书记主持会议，朝阳区各部门负责人参加。会议指出，朝阳区改革要走在前列，"
        "学习朝阳县经验。"
    )
    assert found.city is None
