"""Template contexts: what each annex is handed, as text ready to print."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from formkit.forms import context as ctx

CAMPAIGN = {
    "活动名称": "2012年元旦春节送温暖活动",
    "文号": "厦工[2011]104号",
    "上报截止": date(2012, 1, 6),
    "资金使用截止": date(2011, 12, 31),
}
UNIT = {"填报单位": "思明区总工会", "单位类型": "区工会", "单位负责人": "陈立新", "填表人": None, "联系电话": "0592-5201031"}


def worker(**changes):
    base = {
        "档案编号": "T-1",
        "姓名": "张三",
        "性别": "男",
        "身份证号": "350203197508151232",
        "联系电话": None,
        "工作单位": "厦门A&B<贸易>有限公司",
        "家庭住址": "厦门市思明区莲前西路1号",
        "备注": "2011年8月确诊某病",
        "致困主要原因": ["本人大病", "子女上学"],
        "家庭成员": [],
        "所附附件": [],
        "慰问": {
            "资助金额": Decimal("1409.50"),
            "帮扶项目": "生活救助",
            "资金来源": "中央财政帮扶专项资金",
            "低保": None,
            "其它帮扶措施": None,
            "街道": "莲前街道",
            "居住地址": None,
            "所在单位": None,
            "致困原因": None,
            "发放日期": date(2011, 12, 28),
        },
    }
    base.update(changes)
    return base


def test_to_text_prints_none_as_blank_and_types_as_the_form_wants():
    assert ctx.to_text(None) == ""
    assert ctx.to_text(True) == "是" and ctx.to_text(False) == "否"
    assert ctx.to_text(date(2012, 1, 6)) == "2012年1月6日"
    assert ctx.to_text(Decimal("1409.5"), "资助金额") == "1409.50"
    assert ctx.to_text(Decimal("12.35"), "拖欠数额") == "12.35"
    assert ctx.to_text(["本人大病", "子女上学"]) == "本人大病、子女上学"
    assert ctx.to_text("a\x0cb\x00c\r\nd") == "abc\nd"


def test_voucher_boxes_and_words():
    c = ctx.voucher_context(CAMPAIGN, UNIT, worker())
    assert c["资助金额"] == "1409.50"
    assert c["资助金额大写"] == "壹仟肆佰零玖元伍角整"
    assert [c["大写位"][k] for k in "仟佰拾元角分"] == ["壹", "肆", "零", "玖", "伍", "零"]
    assert c["居住地址"] == "厦门市思明区莲前西路1号" and c["所在单位"] == "厦门A&B<贸易>有限公司"
    assert c["致困原因"] == "本人大病、子女上学"
    assert c["低保"]["起年"] == "" and c["填报单位"] == "思明区总工会"


@pytest.mark.parametrize(("typed", "printed"), [("莲前街道", "莲前"), ("灌口镇", "灌口"), ("莲前", "莲前"), ("街道", "街道"), ("", "")])
def test_street_blank_drops_the_printed_suffix(typed, printed):
    assert ctx.street_name(typed) == printed


def test_roster_row_falls_back_to_the_address_when_the_workplace_is_none():
    row = ctx.roster_row(3, worker(工作单位="无", 慰问={**worker()["慰问"], "所在单位": "无"}), date(2012, 1, 6))
    assert row["工作单位或家庭住址"] == "厦门市思明区莲前西路1号"
    assert row["序号"] == "3" and row["年龄"] == "36" and row["帮扶金额"] == "1409.50"


def test_roster_leaves_the_archive_remark_off():
    row = ctx.roster_row(1, worker(), date(2012, 1, 6))
    assert row["备注"] == ""


def test_roster_pages_and_total():
    workers = [worker(档案编号=f"T-{i}", 身份证号="350203197508151232") for i in range(1, 34)]
    [(project, c)] = ctx.roster_contexts(CAMPAIGN, UNIT, workers, rows_per_page=15)
    assert project == "生活救助"
    assert [len(p["行"]) for p in c["分页"]] == [15, 15, 3]
    assert [p["末页"] for p in c["分页"]] == [False, False, True]
    assert c["合计"]["人数"] == "33"
    assert c["合计"]["帮扶金额"] == "46513.50"


def test_registration_pads_family_and_attachments_and_omits_instructions_by_default():
    members = [{"姓名": f"成员{i}", "关系": "其他", "身份证号": None} for i in range(7)]
    c = ctx.registration_context(CAMPAIGN, UNIT, worker(家庭成员=members))
    assert len(c["家庭成员行"]) == 7 and len(c["附件行"]) == ctx.ATTACHMENT_ROWS
    assert c["附填表说明"] is False
    small = ctx.registration_context(CAMPAIGN, UNIT, worker(), instructions=True)
    assert len(small["家庭成员行"]) == ctx.FAMILY_ROWS and small["附填表说明"] is True
    assert small["致困主要原因"] == "本人大病、子女上学"


def test_weekly_defaults_to_the_unit_and_prints_zero_rows():
    report = {
        "时间": date(2011, 12, 2),
        "企业类型": {"国有企业": {"拖欠数额": Decimal("12.35"), "涉及企业数": 1, "涉及人数": 20}},
        "用工来源": {},
        "报出日期": None,
        "案例说明": None,
        "单位负责人": None,
        "填表人": "林晓燕",
        "联系电话": None,
    }
    c = ctx.weekly_context(CAMPAIGN, UNIT, report)
    assert c["时间"] == {"年": "2011", "月": "12", "日": "2"}
    assert c["企业类型"]["国有企业"] == {"拖欠数额": "12.35", "涉及企业数": "1", "涉及人数": "20"}
    assert c["用工来源"]["农民工"]["涉及人数"] == ""
    assert c["单位负责人"] == "陈立新" and c["填表人"] == "林晓燕" and c["案例说明"] == ""


def test_roster_reads_its_workers_once_so_a_generator_serves():
    workers = [worker(档案编号=f"T-{i}", 身份证号="350203197508151232") for i in range(1, 20)]
    [(_, from_list)] = ctx.roster_contexts(CAMPAIGN, UNIT, workers)
    [(_, from_generator)] = ctx.roster_contexts(CAMPAIGN, UNIT, (w for w in workers))
    assert from_generator == from_list
    assert from_list["合计"]["人数"] == "19"


def test_id_numbers_print_as_typed_and_check_as_18_digits():
    """An old 15-digit card prints in its 15 digits (issue 13: its 18-digit conversion matches
    no card in the file); width and case are folded; the record keeps the 18-digit form."""
    from formkit.domain.models.worker import ID_AS_TYPED, Worker

    data = {
        "档案编号": "T-1",
        "困难类别": "低保户",
        "姓名": "张三",
        "身份证号": "３５０２０３１９７５０８１５１２３２",  # full width: printed in ASCII digits
        "致困主要原因": ["本人大病"],
        "家庭成员": [{"姓名": "李四", "关系": "妻子", "身份证号": "350203 750815 124"}],
        "慰问": {"资助金额": "800", "帮扶项目": "生活救助", "资金来源": "中央财政帮扶专项资金"},
    }
    model = Worker.model_validate(data)
    dump = model.model_dump(by_alias=True)
    member = dump["家庭成员"][0]
    assert member["身份证号"] == "350203197508151240"  # the checks' form
    assert member[ID_AS_TYPED] == "350203750815124"
    assert ID_AS_TYPED not in dump  # typed in 18 digits: nothing apart
    form = ctx.registration_context(CAMPAIGN, UNIT, dump)
    assert form["家庭成员行"][0]["身份证号"] == "350203750815124"
    assert form["身份证号"] == dump["身份证号"] == "350203197508151232"
    assert ID_AS_TYPED not in form
    voucher = ctx.voucher_context(CAMPAIGN, UNIT, dump)
    assert voucher["身份证号"] == "350203197508151232"
    old = Worker.model_validate({**data, "身份证号": "350203750815123"}).model_dump(by_alias=True)
    assert ctx.voucher_context(CAMPAIGN, UNIT, old)["身份证号"] == "350203750815123"
    assert ctx.roster_row(1, old, date(2012, 1, 6))["身份证号"] == "350203750815123"
    assert old["身份证号"] == "350203197508151232"
