"""Reported figures (archive/importing/figures.py), on passages quoted from the five seed reports.

Passages are quoted verbatim from fixtures/seeds/*.txt (file named in each comment); the traditional and full-width
variants are those passages converted.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from archive.importing.figures import MEASURE_SYNONYMS, ReportedFigure, canonical_measure, extract_reported_figures

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
D = Decimal


def figures(text):
    """(measure, previous, value, unit, change) of every figure, in order."""
    return [(f.measure, f.previous, f.value, f.unit, f.change) for f in extract_reported_figures(text)]


# ---------------------------------------------------------------------------------------------------------------
# The two figures the comparison page was designed around, with every field.

# 003 (许昌)
XUCHANG = (
    "2020年,我市进一步精简审批事项,经过10次“瘦身”,行政审批事项已由822项减至98项,全省最少;"
    "持续扩大“一网通办”和“最多跑一次”改革覆盖面"
)
# 004 (长春)
CHANGCHUN = "截至今年8月,长春市共完成改革任务1165项,出台制度性文件352个,一些改革事项走在全省乃至全国前列。"


def test_approval_items_cut_from_822_to_98():
    """The year, the 10 rounds of 瘦身 and the 精简审批事项 without a number are not figures."""
    sentence = XUCHANG[: XUCHANG.index(";") + 1]
    assert extract_reported_figures(XUCHANG) == [
        ReportedFigure(
            start=0,
            end=len(sentence),
            measure="行政审批事项",
            subject="行政审批事项",
            value=D(98),
            previous=D(822),
            unit="项",
            change="reduced",
            expression="已由822项减至98项",
        )
    ]


def test_tasks_completed_and_documents_issued():
    assert extract_reported_figures(CHANGCHUN) == [
        ReportedFigure(0, len(CHANGCHUN), "改革任务", "改革任务", D(1165), None, "项", "total", "完成改革任务1165项"),
        ReportedFigure(
            0, len(CHANGCHUN), "制度性文件", "制度性文件", D(352), None, "个", "total", "出台制度性文件352个"
        ),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Other spellings of the same passages.


def test_traditional_chinese_matches_and_keeps_the_original_wording():
    text = "經過10次「瘦身」，行政審批事項已由822項減至98項，全省最少；"
    [figure] = extract_reported_figures(text)
    assert (figure.measure, figure.subject, figure.expression) == ("行政审批事项", "行政審批事項", "已由822項減至98項")
    assert (figure.previous, figure.value, figure.unit, figure.change) == (D(822), D(98), "项", "reduced")
    assert text[figure.start : figure.end] == text

    assert figures("截至今年8月，長春市共完成改革任務1165項，出臺制度性文件352個。") == [
        ("改革任务", None, D(1165), "项", "total"),
        ("制度性文件", None, D(352), "个", "total"),
    ]


def test_full_width_digits_and_percent_sign():
    [cut] = extract_reported_figures("经过10次“瘦身”,行政审批事项已由８２２项减至９８项,全省最少")
    assert (cut.previous, cut.value, cut.expression) == (D(822), D(98), "已由８２２项减至９８项")

    # 001 (永州), with full-width digits
    [limit] = extract_reported_figures("企业开办实现“一窗受理、一并审核、一码涵盖、一照通行”,办理时限平均压缩８５％")
    assert (limit.measure, limit.value, limit.unit, limit.change) == ("办理时限", D(-85), "%", "percent_change")
    assert limit.expression == "平均压缩８５％"


def test_a_measure_split_by_quotation_marks_or_an_aside_is_still_read():
    # Sentences are screened for a known measure before they are parsed; the screen must see the
    # text as the parser does, without the marks, or these would be skipped.
    assert figures("全年完成改革“任务”896项。") == [("改革任务", None, D(896), "项", "total")]
    assert figures("取消行政审批(核准)事项26项。") == [("取消行政审批事项", None, D(26), "项", "total")]
    assert figures("各项工作有序推进，“一网通办”持续深化。") == []


def test_thousands_separator_and_chinese_numerals():
    assert figures("长春市共完成改革任务1,165项。") == [("改革任务", None, D(1165), "项", "total")]
    # 002 (湘潭) "全年共召开市委深改组会议4次,审议改革文件31个。" with the numbers in characters
    assert figures("全年共召开市委深改组会议四次,审议改革文件三十一个。") == [
        ("深改委会议", None, D(4), "次", "total"),
        ("改革方案", None, D(31), "个", "total"),
    ]
    assert figures("统筹铺排的一千零五项改革事项总体按期完成") == [("改革任务", None, D(1005), "项", "total")]
    # 三百余项 is "more than 300": the API has no lower bounds, so it is skipped like 40多项.
    assert figures("统筹铺排的三百余项改革事项总体按期完成") == []


def test_offsets_are_offsets_in_the_text_passed_in():
    text = "编者按\n\n  " + XUCHANG
    [figure] = extract_reported_figures(text)
    assert text[figure.start : figure.end] == XUCHANG[: XUCHANG.index(";") + 1]


# ---------------------------------------------------------------------------------------------------------------
# Each shape a figure is stated in, on a real passage.


@pytest.mark.parametrize(
    ("passage", "expected"),
    [
        pytest.param(
            # 000 (株洲): the 13项工作 praised by the State Council are not a measure
            "近年来,株洲市委高举习近平新时代中国特色社会主义思想伟大旗帜,累计召开市委全面深化改革委员会(组)会议33次,"
            "审议各类改革方案(文件)135个,统筹部署重点改革任务896项,各领域改革成效明显。",
            [
                (
                    "深改委会议",
                    "市委全面深化改革委员会(组)会议",
                    None,
                    D(33),
                    "次",
                    "total",
                    "召开市委全面深化改革委员会(组)会议33次",
                ),
                ("改革方案", "各类改革方案(文件)", None, D(135), "个", "total", "审议各类改革方案(文件)135个"),
                ("改革任务", "重点改革任务", None, D(896), "项", "total", "部署重点改革任务896项"),
            ],
            id="zhuzhou-committee",
        ),
        pytest.param(
            # 000 (株洲): a reduction stated number first
            "“一企一策”推动“主业归核、资产归集、产业归位”,市本级27家平台公司整合至3家,“瘦身健体”、降本增效成效明显;",
            [("平台公司", "平台公司", D(27), D(3), "家", "reduced", "27家平台公司整合至3家")],
            id="zhuzhou-platforms",
        ),
        pytest.param(
            # 001 (永州): 压缩 is a cut (negative), 提速 a speed-up with no subject of its own; 40余个 is approximate
            "企业开办实现“一窗受理、一并审核、一码涵盖、一照通行”,办理时限平均压缩85%,“一照通”入选全省“放管服”改革“十大品牌”,"
            "先后打造“信易+帮代办”“信易+办税”等40余个“信用+”应用场景,守信主体实现“承诺即审批”,平均提速40%,"
            "永州入选全国第四批社会信用体系建设示范区。",
            [
                ("办理时限", "办理时限", None, D(-85), "%", "percent_change", "平均压缩85%"),
                ("办理提速", "提速", None, D(40), "%", "percent_change", "平均提速40%"),
            ],
            id="yongzhou-percent",
        ),
        pytest.param(
            # 001 (永州): 净增 (net) is not 新增; the stock of 43.3万户 is not a reform figure
            "全市全年净增经营主体5.9万户,实有经营主体发展到43.3万户,市场主体活跃度大幅提升。",
            [("净增市场主体", "净增经营主体", None, D("5.9"), "万户", "total", "5.9万户")],
            id="yongzhou-entities",
        ),
        pytest.param(
            # 001 (永州): 其中 makes 101.19亿元 a part of the 357.14亿元
            "全市全年盘活国有“三资”总价值量357.14亿元,其中入库收益(不含资金)101.19亿元,为经济社会高质量发展注入了“源头活水”。",
            [("盘活国有资产", "盘活国有“三资”总价值量", None, D("357.14"), "亿元", "total", "357.14亿元")],
            id="yongzhou-assets",
        ),
        pytest.param(
            # 001 (永州): 改革事项 is the same ledger as 改革任务
            "统筹铺排的175项改革事项总体按期完成,在解决体制性障碍、打通机制性梗阻、推动政策性创新方面取得显著成效。",
            [("改革任务", "改革事项", None, D(175), "项", "total", "铺排的175项改革事项")],
            id="yongzhou-tasks",
        ),
        pytest.param(
            # 002 (湘潭): 9大类35小类 are categories; 19项 are 其中
            "制定《2017年市委改革工作要点》,把握改革发展重点难点,9大类35小类213项年度改革任务全部分解至各牵头单位,"
            "其中有19项是湘潭亟待解决的关键任务",
            [("改革任务", "年度改革任务", None, D(213), "项", "total", "213项年度改革任务")],
            id="xiangtan-tasks",
        ),
        pytest.param(
            # 002 (湘潭): 省级改革试点30项 shares 承担; the 12项 其中 and the counties' 自主 132项 are parts
            "承担国家级改革试点25项,省级改革试点30项,其中城市公立医院综合改革国家级试点项目、"
            "韶山市绿色GDP评价体系改革省级试点项目等12项改革事项已形成示范。",
            [
                ("国家级改革试点", "国家级改革试点", None, D(25), "项", "total", "承担国家级改革试点25项"),
                ("省级改革试点", "省级改革试点", None, D(30), "项", "total", "30项"),
            ],
            id="xiangtan-pilots",
        ),
        pytest.param(
            # 002 (湘潭): 政府性基金 is no measure; the debt ratio's 5个百分点 is not a reform figure
            "推出政府性债务风险管控系列措施,市本级政府综合债务率下降5个百分点;"
            "大力推进制度性交易成本改革,全市行政事业性收费取消和停征收费项目34项,取消市本级政府性基金2项,全年减税降费达8亿元。",
            [
                ("取消收费项目", "收费项目", None, D(34), "项", "total", "取消和停征收费项目34项"),
                ("减税降费", "减税降费", None, D(8), "亿元", "total", "达8亿元"),
            ],
            id="xiangtan-fees",
        ),
        pytest.param(
            # 002 (湘潭): a narrower list keeps its own key; 取消 makes a count of items cut
            "简政放权取得新成效,投资报建审批事项由43项减少为35项。“放管服”改革不断深化,实现审批事项“三集中、三到位”,"
            "市本级新取消26项行政审批项目。",
            [
                ("投资报建审批事项", "投资报建审批事项", D(43), D(35), "项", "reduced", "由43项减少为35项"),
                ("取消行政审批事项", "行政审批项目", None, D(26), "项", "total", "取消26项行政审批项目"),
            ],
            id="xiangtan-approvals",
        ),
        pytest.param(
            # 002 (湘潭): the 45.4% growth is an economic rate, not a reform figure
            "全面落实商事制度改革,新增各类市场主体2.7万户,比上年增长45.4%。",
            [("新增市场主体", "新增各类市场主体", None, D("2.7"), "万户", "total", "2.7万户")],
            id="xiangtan-entities",
        ),
        pytest.param(
            # 002 (湘潭)
            "全面深化涉法涉诉信访改革,进京非访人员中涉法涉诉占比由改革前的53%下降到22%。",
            [("涉法涉诉信访占比", "涉法涉诉占比", D(53), D(22), "%", "reduced", "由改革前的53%下降到22%")],
            id="xiangtan-petitions",
        ),
        pytest.param(
            # 003 (许昌): 2010项 is a count, not a year
            "持续扩大“一网通办”和“最多跑一次”改革覆盖面,充分利用数据共享减环节、减时间、减材料,全市1225项政务服务事项实现"
            "“最多跑一次”,2010项实现了“不见面审批”,市级行政许可类事项时限压缩比为89%,稳居全省第一方阵。",
            [
                ("最多跑一次事项", "最多跑一次", None, D(1225), "项", "total", "1225项政务服务事项实现“最多跑一次”"),
                ("不见面审批事项", "不见面审批", None, D(2010), "项", "total", "2010项实现了“不见面审批”"),
                ("办理时限", "市级行政许可类事项时限", None, D(-89), "%", "percent_change", "压缩比为89%"),
            ],
            id="xuchang-services",
        ),
        pytest.param(
            # 004 (长春): the longest time is the limit; the shortest is not; satisfaction rates are not reform figures
            "9类项目从立项到竣工验收最长审批时限50个工作日,最短15个工作日,受理满意度、出证满意度分别达到99.93%和99.97%。",
            [("办理时限", "最长审批时限", None, D(50), "个工作日", "total", "50个工作日")],
            id="changchun-time-limit",
        ),
    ],
)
def test_figures_in_real_passages(passage, expected):
    found = extract_reported_figures(passage)
    assert [(f.measure, f.subject, f.previous, f.value, f.unit, f.change, f.expression) for f in found] == expected


@pytest.mark.parametrize(
    "passage",
    [
        # Years, dates, ordinals, party congresses, article numbers, phone numbers.
        "改革不停,创新不止。党的十八大以来,波澜壮阔的改革春潮在湘东大地涌起万千波涛,繁花遍地旖旎。",  # 000
        "3月31日,株洲经开区张力科技研发与生产基地项目收到了行政审批部门代发的不动产权证。",  # 000
        # 003
        "2020年,面对突如其来的新冠肺炎疫情和复杂多变的国内外环境,我市深入贯彻落实中央、省委全面深化改革决策部署。",
        "永州入选国家公交都市建设示范工程创建城市,永州入选全国第四批社会信用体系建设示范区。",  # 001
        "依照条例第3条,取消行政审批事项须报市政府批准,咨询电话0731-28812345。",
        # GDP and growth rates are economic indicators, not reform figures.
        "在诸多因素的共同作用下,长春市上半年地区生产总值完成3058.2亿元,主要经济指标增速均为东北四市第一。",  # 004
        "全市地区生产总值增长6.5%,一般公共预算收入增长8.2%。",
        # Parts of the ledger: tasks a leader 领衔, the province's 省定 tasks, counties' own 自主 tasks, ranges.
        "还亲自领衔改革事项6项,各专项小组组长领衔改革事项32项,其他单位一把手领衔2-3项改革任务,"
        "县市区、园区一把手领衔5项改革任务,强化了一把手抓改革的主体责任。",  # 002
        "另外,我市围绕“推进国家治理体系和治理能力现代化”这个总目标,梳理了各领域、各方面的改革部署和改革重点,"
        "对省定152项具体改革任务逐项对照、逐项结合,确保“规定动作”承接到位。",  # 003
        "各县市区(园区)结合发展所需,共自主铺排改革事项132项,推出了一批富有特色的改革。",  # 002
        "为推动“十项重点改革”取得实效,实行一个改革事项、一名市级领导领衔、一个专项小组协调的推进机制。",  # 001
        # What should be done is not what was done.
        "对标中央改革文件,该市应出台改革文件121项,其中在规定时限6个月前出台的达74项。",  # 002
        # Approximations, fractions, formulas.
        "提质跨区域合作发展,建立湘赣边合作机制,70多项高频事项实现“跨省通办”。",  # 000
        "“每年砍掉的审批事项在1/3左右,压缩审批的时限、材料、流程,真正做到让数据多跑路,让企业和市民少跑腿。”",  # 000
        # 001
        "一批典型经验发出强音,“一照通”、基层医改、国有“三资”一网通管理创新等30余项改革经验被上级刊物和主流媒体推介。",
        "建立“投贷保补”联动融资机制,成立规模超100亿的产业基金,投融资体制改革做法获国省肯定;",  # 000
        "紧紧围绕建设“智造之都、宜居之城”,我市先后审议通过“智造之都、宜居之城”建设1+20系列文件。",  # 003
        # 004
        "市、区(县)、街(镇)、社区4个层级的1200多项行政审批和公共服务事项,统一归集到192个政务(公共)服务中心办理。",
        # Approval items that are not the city's list: applications handled, items given to one park.
        "改革投融资体制,对涉及国家秘密以外项目的核准、备案全部通过在线监管平台办理,在线受理审批项目506个。",  # 002
        # 002
        "湘潭经开区获批全省首个相对集中行政许可权改革试点园区,率先成立全省首家园区行政审批局,赋予集中审批事项82项。",
        "已建成乡镇(街道)公共法律服务工作站61个、村(社区)工作点822个,建成率分别为95%、90%。",  # 002
        # Anecdote with mismatched units, and a "reduction" whose numbers go up.
        "市行政审批服务局党组书记姜衡湘说,往常要3个月才能取得不动产权证,现在基本上在2天时间就可以完成这项工作。",  # 000
        "审批时限由3个月压缩至2天。",
        # Bounds and rules are not results: the shortest time, the legal limit.
        "最短审批时限15个工作日。",
        "法定时限20个工作日,群众可随时查询办理进度。",
        "行政审批事项由98项减至822项。",
    ],
)
def test_numbers_that_are_not_reported_figures(passage):
    assert extract_reported_figures(passage) == []


def test_changes_with_a_stated_start_in_days_and_visits():
    assert figures("审批时限由20个工作日压缩至5个工作日,跑动次数由5次减少到1次。") == [
        ("办理时限", D(20), D(5), "个工作日", "reduced"),
        ("跑动次数", D(5), D(1), "次", "reduced"),
    ]
    assert figures("行政审批事项由98项增加到120项。") == [("行政审批事项", D(98), D(120), "项", "increased")]


# ---------------------------------------------------------------------------------------------------------------
# Canonical measures.


@pytest.mark.parametrize(
    ("phrase", "measure"),
    [
        ("审批事项", "行政审批事项"),
        ("行政审批事项", "行政审批事项"),
        ("行政许可事项", "行政审批事项"),
        ("審批事項", "行政审批事项"),
        ("投资报建审批事项", "投资报建审批事项"),
        ("改革事项", "改革任务"),
        ("重点改革任务", "改革任务"),
        ("改革方案(文件)", "改革方案"),
        ("改革文件", "改革方案"),
        ("市委全面深化改革委员会(组)会议", "深改委会议"),
        ("国有“三资”总价值量", None),
        ("盘活国有“三资”总价值量", "盘活国有资产"),
        ("最长审批时限", "办理时限"),
        ("取消行政审批项目", "取消行政审批事项"),
        ("取消改革任务", None),
        ("审批项目", None),
        ("政府性基金", None),
        ("最多跑一次", "最多跑一次事项"),
    ],
)
def test_canonical_measure(phrase, measure):
    assert canonical_measure(phrase) == measure


def test_every_synonym_maps_to_a_measure_that_is_its_own_synonym_or_a_promise():
    measures = set(MEASURE_SYNONYMS.values())
    assert {canonical_measure(phrase) for phrase in MEASURE_SYNONYMS} == measures


# ---------------------------------------------------------------------------------------------------------------
# The five seed reports.

EXPECTED = {
    # 株洲, ten years of reform (2012—2022)
    "000_58195b53df05f18d.txt": [
        ("深改委会议", None, D(33), "次", "total"),
        ("改革方案", None, D(135), "个", "total"),
        ("改革任务", None, D(896), "项", "total"),
        ("平台公司", D(27), D(3), "家", "reduced"),
    ],
    # 永州 2023
    "001_184599867ecce798.txt": [
        ("办理时限", None, D(-85), "%", "percent_change"),
        ("办理提速", None, D(40), "%", "percent_change"),
        ("净增市场主体", None, D("5.9"), "万户", "total"),
        ("盘活国有资产", None, D("357.14"), "亿元", "total"),
        ("改革任务", None, D(175), "项", "total"),
    ],
    # 湘潭 2017
    "002_902fda2616251a1b.txt": [
        ("深改委会议", None, D(4), "次", "total"),
        ("改革方案", None, D(31), "个", "total"),
        ("改革任务", None, D(213), "项", "total"),
        ("国家级改革试点", None, D(25), "项", "total"),
        ("省级改革试点", None, D(30), "项", "total"),
        ("取消收费项目", None, D(34), "项", "total"),
        ("减税降费", None, D(8), "亿元", "total"),
        ("投资报建审批事项", D(43), D(35), "项", "reduced"),
        ("取消行政审批事项", None, D(26), "项", "total"),
        ("新增市场主体", None, D("2.7"), "万户", "total"),
        ("整合涉农资金", None, D(1), "亿元", "total"),
        ("涉法涉诉信访占比", D(53), D(22), "%", "reduced"),
    ],
    # 许昌 2020
    "003_70904a6dfc86bffb.txt": [
        ("改革任务", None, D(150), "项", "total"),
        ("行政审批事项", D(822), D(98), "项", "reduced"),
        ("最多跑一次事项", None, D(1225), "项", "total"),
        ("不见面审批事项", None, D(2010), "项", "total"),
        ("办理时限", None, D(-89), "%", "percent_change"),
    ],
    # 长春 2020
    "004_5962f9c09731c44d.txt": [
        ("改革任务", None, D(1165), "项", "total"),
        ("制度性文件", None, D(352), "个", "total"),
        ("办理时限", None, D(50), "个工作日", "total"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_reports(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    found = extract_reported_figures(text)
    assert [(f.measure, f.previous, f.value, f.unit, f.change) for f in found] == EXPECTED[name]

    for figure in found:
        sentence = text[figure.start : figure.end]
        assert sentence == sentence.strip() and "\n" not in sentence
        # A whole sentence: it starts after a sentence end or a line break, and ends at one.
        assert figure.start == 0 or text[: figure.start].rstrip(" ")[-1:] in ("", "\n", "。", ";", "!", "?")
        assert sentence[-1] in "。;!?；！？" or text[figure.end : figure.end + 1] in ("", "\n")
        assert figure.expression in sentence and figure.subject in sentence
        verb_measure = canonical_measure("取消" + figure.subject) if figure.measure.startswith("取消") else None
        assert figure.measure in {canonical_measure(figure.subject), verb_measure, "办理提速"}
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert len({(f.start, f.expression) for f in found}) == len(found)


def test_restated_figures_are_returned_once_at_their_first_statement():
    """许昌 states its 150 tasks three times (明确具体改革任务150项, 150项重大改革任务相继落地, 共150项具体任务) and
    its 822→98 approval items in a headline and again in the body."""
    text = (SEEDS / "003_70904a6dfc86bffb.txt").read_text(encoding="utf-8")
    found = {f.measure: f for f in extract_reported_figures(text)}
    assert found["改革任务"].expression == "明确具体改革任务150项"
    assert (
        text[found["行政审批事项"].start : found["行政审批事项"].end] == "经过10次“瘦身”,行政审批事项已由822项减至98项"
    )
