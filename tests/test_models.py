"""formkit.domain.models: typed values by field, derived values, checks within one record, and
the integrator's contract: ``model_dump(by_alias=True)`` gives the records.md keys."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from formkit.domain.models import (
    RECORD_CHECK,
    VALUE_ERROR,
    Campaign,
    Figures,
    Subsidy,
    Unit,
    WeeklyReport,
    Worker,
    check_household_division,
    known_keys,
)

# records.md, "A worker": every key, in the order of the table
WORKER_KEYS = [
    "档案编号",
    "困难类别",
    "姓名",
    "民族",
    "性别",
    "政治面貌",
    "出生日期",
    "身份证号",
    "健康状况",
    "残疾类别",
    "身份",
    "劳模类型",
    "住房类型",
    "建筑面积",
    "邮政编码",
    "联系电话",
    "工作时间",
    "所属行业",
    "婚姻状况",
    "户口类型",
    "家庭住址",
    "工作单位",
    "单位性质",
    "企业状况",
    "是否单亲",
    "本人月平均收入",
    "家庭年度总收入",
    "家庭人口",
    "家庭年人均收入",
    "户口所在地行政区划",
    "是否进入医保",
    "家庭成员",
    "是否有一定自救能力",
    "是否为零就业家庭",
    "致困主要原因",
    "所附附件",
    "备注",
    "档案状态",
    "慰问",
]
MEMBER_KEYS = [
    "姓名",
    "关系",
    "性别",
    "政治面貌",
    "出生日期",
    "身份证号",
    "健康状况",
    "月收入",
    "身份",
    "单位或学校",
]
PAYMENT_KEYS = [
    "资助金额",
    "帮扶项目",
    "资金来源",
    "低保",
    "其它帮扶措施",
    "街道",
    "居住地址",
    "所在单位",
    "致困原因",
    "发放日期",
    "宣传推荐",
]


def minimal(**extra: object) -> dict:
    """A worker with only the required keys (fictional; ID check digit computed by hand)."""
    data = {
        "档案编号": "T1",
        "困难类别": "低保边缘户",
        "姓名": "张三",
        "身份证号": "350203197203151311",
        "致困主要原因": "下岗失业",
    }
    data.update(extra)
    return data


def errors_of(data: dict, model=Worker) -> list[tuple[tuple, str, str]]:
    """(loc, type, message) of each error; a record check's findings are spread out."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    out = []
    for err in info.value.errors():
        if err["type"] == RECORD_CHECK:
            out += [(tuple(err["loc"]) + f.loc, RECORD_CHECK, f.message) for f in err["ctx"]["findings"]]
        else:
            out.append((tuple(err["loc"]), err["type"], err.get("ctx", {}).get("message", err["msg"])))
    return out


def test_dump_has_the_records_md_keys_with_typed_values() -> None:
    data = minimal(
        本人月平均收入="650.5",
        家庭年度总收入="21606",
        家庭人口="4",
        是否单亲="否",
        工作时间="1990.10.1",
        家庭成员=[{"姓名": "李四", "关系": "妻子", "身份证号": "350203197406222423"}],
        慰问={"资助金额": "1409.50", "帮扶项目": "生活救助", "资金来源": "中央财政帮扶专项资金"},
    )
    dump = Worker.model_validate(data).model_dump(by_alias=True)
    assert list(dump) == WORKER_KEYS
    assert list(dump["家庭成员"][0]) == MEMBER_KEYS
    assert list(dump["慰问"]) == PAYMENT_KEYS
    assert dump["本人月平均收入"] == Decimal("650.50") and isinstance(dump["本人月平均收入"], Decimal)
    assert dump["家庭人口"] == 4 and type(dump["家庭人口"]) is int
    assert dump["是否单亲"] is False
    assert dump["工作时间"] == date(1990, 10, 1)
    assert type(dump["困难类别"]) is str and dump["困难类别"] == "低保边缘户"
    assert dump["致困主要原因"] == ["下岗失业"] and type(dump["致困主要原因"][0]) is str
    assert dump["民族"] is None and dump["备注"] is None and dump["是否进入医保"] is None
    assert dump["档案状态"] == "在档"
    assert dump["慰问"]["低保"] is None


def test_derived_values() -> None:
    dump = Worker.model_validate(
        minimal(
            家庭住址="厦门市思明区某路1号",
            工作单位="某厂",
            致困主要原因=["下岗失业", "子女上学"],
            家庭年度总收入="1",
            家庭人口="8",
            慰问={
                "资助金额": "500",
                "帮扶项目": "生活救助",
                "资金来源": "送温暖工程资金",
                "居住地址": "暂住亲戚家",
            },
        )
    ).model_dump(by_alias=True)
    assert dump["性别"] == "男" and dump["出生日期"] == date(1972, 3, 15)  # from the ID number
    assert dump["家庭年人均收入"] == Decimal("0.13")  # 0.125 rounded half up, not to even
    assert dump["慰问"]["居住地址"] == "暂住亲戚家"  # typed: kept
    assert dump["慰问"]["所在单位"] == "某厂"  # from 工作单位
    assert dump["慰问"]["致困原因"] == "下岗失业、子女上学"


@pytest.mark.parametrize(
    ("total", "size", "typed", "ok"),
    [
        ("10000", "3", "3333.33", True),
        ("20000", "3", "6666.67", True),
        ("20000", "3", "6666.66", False),
        ("9600", "2", "4800", True),
    ],
)
def test_income_per_head_is_checked_to_the_fen(total: str, size: str, typed: str, ok: bool) -> None:
    data = minimal(家庭年度总收入=total, 家庭人口=size, 家庭年人均收入=typed)
    if ok:
        Worker.model_validate(data)
    else:
        [(loc, _kind, message)] = errors_of(data)
        assert loc == ("家庭年人均收入",) and "6666.67" in message


def test_id_number_forms() -> None:
    for typed in ("３５０２０３１９７２０３１５１３１１", " 350203 19720315 1311 ", "350203197203151311"):
        assert Worker.model_validate(minimal(身份证号=typed)).id_number == "350203197203151311"
    legacy = Worker.model_validate(minimal(身份证号="350203700101125"))
    assert len(legacy.id_number) == 18 and legacy.id_number.startswith("35020319700101125")
    [(loc, kind, message)] = errors_of(minimal(身份证号="350203197203151312"))
    assert loc == ("身份证号",) and kind == VALUE_ERROR and "校验码" in message
    assert "350203197203151312" not in message


def test_sex_and_birth_date_must_agree_with_the_id_number() -> None:
    found = errors_of(minimal(性别="女", 出生日期="1972-03-16"))
    assert {loc for loc, *_ in found} == {("性别",), ("出生日期",)}
    assert Worker.model_validate(minimal(性别="男", 出生日期="1972年3月15日")).sex == "男"


def test_family_member_checks() -> None:
    wife = {"姓名": "李四", "关系": "妻子", "身份证号": "350203197406222423"}
    assert errors_of(minimal(家庭成员=[dict(wife, 性别="男")]))[0][0] == ("家庭成员", 0, "性别")
    assert errors_of(minimal(家庭成员=[dict(wife, 关系="丈夫")]))[0][0] == ("家庭成员", 0, "关系")
    same = {"姓名": "张三", "关系": "其他", "身份证号": "350203197203151311"}
    assert errors_of(minimal(家庭成员=[same]))[0][0] == ("家庭成员", 0, "身份证号")
    twice = errors_of(minimal(家庭成员=[wife, dict(wife, 姓名="李五")]))
    assert twice[0][0] == ("家庭成员", 1, "身份证号")
    member = Worker.model_validate(minimal(家庭成员=[wife])).family[0]
    assert (member.sex, member.birth_date) == ("女", date(1974, 6, 22))


def test_causes_one_to_three_and_typed_on_one_line() -> None:
    assert Worker.model_validate(minimal(致困主要原因="本人大病、残疾，子女上学")).causes == [
        "本人大病",
        "残疾",
        "子女上学",
    ]
    assert errors_of(minimal(致困主要原因=["本人大病", "残疾", "子女上学", "意外灾害"]))[0][0] == ("致困主要原因",)
    assert errors_of(minimal(致困主要原因=None))[0][0] == ("致困主要原因",)
    assert errors_of(minimal(致困主要原因=["本人大病", "看病"]))[0][0] == ("致困主要原因", 1)


def test_disability_expected_when_disabled() -> None:
    [(loc, _kind, message)] = errors_of(minimal(健康状况="残病"))
    assert loc == ("残疾类别",) and "残病" in message
    assert Worker.model_validate(minimal(健康状况="残病", 残疾类别="肢体残疾二级")).disability == "肢体残疾二级"


def test_voucher_amount_must_fit_the_thousands_box() -> None:
    payment = {"帮扶项目": "生活救助", "资金来源": "送温暖工程资金"}
    assert Worker.model_validate(minimal(慰问=dict(payment, 资助金额="9999.99"))).payment.amount == Decimal("9999.99")
    for amount in ("10000", "10000.00", "0", "-5", "1.005", "一千"):
        [(loc, kind, _)] = errors_of(minimal(慰问=dict(payment, 资助金额=amount)))
        assert loc == ("慰问", "资助金额") and kind == VALUE_ERROR


def test_warnings_within_a_record() -> None:
    worker = Worker.model_validate(
        minimal(
            困难类别="低保户",
            家庭人口="3",
            慰问={"资助金额": "500", "帮扶项目": "生活救助", "资金来源": "送温暖工程资金"},
        )
    )
    assert sorted(w.loc for w in worker.warnings) == [("家庭人口",), ("慰问",)]
    assert all(w.severity == "warning" for w in worker.warnings)


def test_blank_blocks_and_items_are_absent() -> None:
    blank_payment = {
        "资助金额": None,
        "帮扶项目": None,
        "资金来源": None,
        "低保": {"起": None, "止": None, "每月": None},
    }
    worker = Worker.model_validate(minimal(慰问=blank_payment, 家庭成员=[{"姓名": None, "关系": None}], 所附附件=None))
    assert worker.payment is None and worker.family == [] and worker.attachments == []
    filled = dict(blank_payment, 资助金额="500", 帮扶项目="生活救助", 资金来源="送温暖工程资金")
    assert Worker.model_validate(minimal(慰问=filled)).payment.subsidy is None


def test_blank_optional_value_with_a_default() -> None:
    assert Worker.model_validate(minimal(档案状态=None)).archive_status == "在档"
    assert Worker.model_validate(minimal(档案状态="脱贫")).archive_status == "脱贫"


def test_unknown_and_missing_keys() -> None:
    found = errors_of({**minimal(), "姓 名": "x"})
    assert (("姓 名",), "extra_forbidden") in [(loc, kind) for loc, kind, _ in found]
    data = minimal()
    del data["身份证号"]
    assert errors_of(data)[0][:2] == (("身份证号",), "missing")
    assert "性别" in known_keys(Worker, ("家庭成员", 0))
    assert "其中建筑业农民工" in known_keys(WeeklyReport, ("用工来源",))


def test_english_names_are_accepted_too() -> None:
    worker = Worker.model_validate(
        {
            "archive_number": "T1",
            "category": "低保户",
            "name": "张三",
            "id_number": "350203197203151311",
            "causes": ["残疾"],
        }
    )
    assert worker.model_dump(by_alias=True)["姓名"] == "张三"


def test_postcode_and_phone() -> None:
    assert Worker.model_validate(minimal(邮政编码="361000", 联系电话="0592-2000001、13800000001")).postcode == "361000"
    assert errors_of(minimal(邮政编码="36100"))[0][0] == ("邮政编码",)
    assert Worker.model_validate(minimal(联系电话="2000001")).phone == "2000001"  # a local number
    assert errors_of(minimal(联系电话="123456"))[0][0] == ("联系电话",)  # too short for any number


def test_phone_refused_without_echoing_it() -> None:
    [(loc, _kind, message)] = errors_of(minimal(联系电话="电话 8899"))
    assert loc == ("联系电话",) and "8899" not in message


def test_household_size_and_counts() -> None:
    assert Worker.model_validate(minimal(家庭人口="3人")).household_size == 3
    assert errors_of(minimal(家庭人口="0"))[0][0] == ("家庭人口",)
    assert errors_of(minimal(家庭人口="2.5"))[0][0] == ("家庭人口",)


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("福建省厦门市思明区", None),
        ("福建省 厦门市 同安区", None),
        ("福建省泉州市晋江市", None),
        ("上海市浦东新区", None),
        ("北京海淀区", None),
        ("广西壮族自治区南宁市青秀区", None),
        ("新疆维吾尔自治区伊犁哈萨克自治州伊宁市", None),
        ("内蒙古自治区锡林郭勒盟锡林浩特市", None),
        ("四川省凉山彝族自治州西昌市", None),
        ("厦门市思明区", "error"),
        ("福建省", "error"),
        ("福建省泉州地区", "error"),
        ("上海市", "error"),
        ("福建省厦门市", "warning"),
    ],
)
def test_household_division_names_province_city_county(text: str, severity: str | None) -> None:
    findings = check_household_division(text)
    assert [f.severity for f in findings] == ([severity] if severity else [])


def test_weekly_report_sums_and_defaults() -> None:
    rows = {
        "企业类型": {
            "集体企业": {"拖欠数额": "2.5", "涉及企业数": "1", "涉及人数": "20"},
            "其他类型企业": {"拖欠数额": "12.3", "涉及企业数": "3", "涉及人数": "85"},
        },
        "用工来源": {
            "城镇职工": {"拖欠数额": "4.8", "涉及企业数": "2", "涉及人数": "25"},
            "农民工": {"拖欠数额": "10万元", "涉及企业数": "3", "涉及人数": "80人"},
            "其中建筑业农民工": {"拖欠数额": "10", "涉及企业数": "3", "涉及人数": "80"},
        },
    }
    report = WeeklyReport.model_validate({"时间": "2011-12-09", **rows})
    dump = report.model_dump(by_alias=True)
    assert dump["企业类型"]["国有企业"] == {"拖欠数额": Decimal(0), "涉及企业数": 0, "涉及人数": 0}
    assert dump["用工来源"]["农民工"] == {"拖欠数额": Decimal("10"), "涉及企业数": 3, "涉及人数": 80}
    assert dump["单位负责人"] is None
    bad = {
        **rows,
        "用工来源": {
            **rows["用工来源"],
            "城镇职工": {"拖欠数额": "4.8", "涉及企业数": "2", "涉及人数": "26"},
        },
    }
    [(loc, _kind, message)] = errors_of({"时间": "2011-12-09", **bad}, WeeklyReport)
    assert loc == ("用工来源",) and "涉及人数" in message
    assert Figures.model_validate({"拖欠数额": "12.3456"}).arrears == Decimal("12.3456")
    assert errors_of({"拖欠数额": "12.34567"}, Figures)[0][0] == ("拖欠数额",)


def test_a_report_sent_before_its_week_names_both_dates() -> None:
    report = WeeklyReport.model_validate({"时间": "2011-12-02", "报出日期": "2011.12.1"})
    [warning] = report.warnings
    assert warning.loc == ("报出日期",) and warning.severity == "warning"
    assert warning.message == "报出日期 2011-12-01 早于周报的时间 2011-12-02"
    assert warning.allowed == "报出日期应不早于周报的时间"
    assert WeeklyReport.model_validate({"时间": "2011-12-02", "报出日期": "2011-12-02"}).warnings == []


def test_a_subsidy_ending_before_it_starts_names_both_dates() -> None:
    [(loc, _kind, message)] = errors_of({"起": "2011-07-01", "止": "2011-06-30", "每月": "300"}, Subsidy)
    assert loc == ("止",) and message == "低保的截止日期 2011-06-30 早于起始日期 2011-07-01"


@pytest.mark.parametrize(
    ("typed", "wan"),
    [
        ("1,280.5", "1280.5"),
        ("1,280.5万元", "1280.5"),
        ("１，２８０．５", "1280.5"),
        ("12,345,678.1234", "12345678.1234"),
        ("1280.5", "1280.5"),
    ],
)
def test_wan_yuan_accepts_thousands_separators_as_yuan_amounts_do(typed: str, wan: str) -> None:
    from formkit.domain.amounts import parse_yuan

    assert Figures.model_validate({"拖欠数额": typed}).arrears == Decimal(wan)
    if len(wan.partition(".")[2]) <= 2:  # the same comma rule as yuan amounts
        assert parse_yuan(typed.removesuffix("万元")) == Decimal(wan)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("12,80", "千位逗号"),
        ("1,2805.5", "千位逗号"),
        ("14,09.50", "千位逗号"),
        ("12.34567", "多于4位"),
        ("十二万", "不是"),
        ("1.2.3", "不是"),
    ],
)
def test_a_refused_wan_yuan_amount_echoes_what_was_typed(typed: str, said: str) -> None:
    from formkit.domain.amounts import parse_yuan
    from formkit.errors import AmountError

    [(loc, _kind, message)] = errors_of({"拖欠数额": typed}, Figures)
    assert loc == ("拖欠数额",) and f"“{typed}”" in message and said in message, message
    if "," in typed:  # refused by the yuan amounts too: one rule
        with pytest.raises(AmountError):
            parse_yuan(typed)


def test_campaign_and_unit() -> None:
    campaign = Campaign.model_validate(
        {
            "活动名称": "2012年元旦春节送温暖活动",
            "文号": "厦工[2011]104号",
            "发文机关": "厦门市总工会",
            "资金使用截止": "2011-12-31",
            "上报截止": "2012/1/6",
            "周报起止": "2011-12-01 至 2012-01-22",
            "主送": "思明区总工会、湖里区总工会",
        }
    )
    dump = campaign.model_dump(by_alias=True)
    assert dump["周报起止"] == [date(2011, 12, 1), date(2012, 1, 22)]
    assert dump["周报日"] == "星期五"
    assert dump["主送"] == ["思明区总工会", "湖里区总工会"]
    unit = Unit.model_validate({"填报单位": "思明区总工会", "单位类型": "区工会"}).model_dump(by_alias=True)
    assert unit == {
        "填报单位": "思明区总工会",
        "单位类型": "区工会",
        "单位负责人": None,
        "填表人": None,
        "联系电话": None,
    }


@pytest.mark.parametrize("typed", ["0000-01-01", "0000年1月1日", "00000101", "1062-05-14", "2111.12.2"])
def test_a_year_outside_1890_2099_is_a_wrong_year(typed: str) -> None:
    [(loc, kind, message)] = errors_of(minimal(工作时间=typed))
    assert loc == ("工作时间",) and kind == VALUE_ERROR
    assert "年份不对" in message


@pytest.mark.parametrize("typed", ["12/2/2011", "明天", "2011-02-30", "2011-12-02 上午"])
def test_a_refused_date_says_how_to_write_it_once(typed: str) -> None:
    from formkit.domain.dates import ACCEPTED_FORMS

    with pytest.raises(ValidationError) as info:
        Worker.model_validate(minimal(工作时间=typed))
    [ctx] = [err["ctx"] for err in info.value.errors() if err["type"] == VALUE_ERROR]
    said = ctx["message"] + " — " + ctx["allowed"]
    assert said.count(ACCEPTED_FORMS) == 1, said
    assert ACCEPTED_FORMS in ctx["allowed"]


def test_dates_inside_the_years_are_read() -> None:
    worker = Worker.model_validate(minimal(工作时间="1990.10.1", 出生日期="1972-03-15"))
    assert worker.work_start == date(1990, 10, 1)


# ---------------------------------------------------------------- 姓名, 家庭人口, invisible characters


@pytest.mark.parametrize(
    "name",
    ["王秀英", "𠮷田花", "阿依古丽·买买提", "阿依古丽‧买买提", "阿依古丽・买买提", "张 三", "欧阳娜娜", "John Smith", "〇〇"],
)
def test_names_as_written_on_an_id_card_are_valid(name: str) -> None:
    assert Worker.model_validate(minimal(姓名=name)).name == name
    wife = {"姓名": name, "关系": "其他"}
    assert Worker.model_validate(minimal(家庭成员=[wife])).family[0].name == name


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("王秀英350203196205142107", "数字"),
        ("王秀英 138 1234 5678", "数字"),
        ("王秀英１３８１２３４５６７８", "数字"),
        ("王秀英/张德明", "“/”"),
        ("王秀英＼张德明", "“＼”"),
        ("阿依古丽•买买提", "间隔号"),
        ("王\u202e英秀", "U+202E"),
        ("王\u2066秀\u2069英", "U+2066、U+2069"),
        ("王\u200b秀英", "U+200B"),
        ("\ufeff王秀英", "U+FEFF"),
        ("王\x01秀英", "U+0001"),
        ("陈美华😀", "符号“😀”"),
        ("王★英", "符号"),
        ("\u0301\u0301", "没有文字"),
    ],
)
def test_names_with_digits_slashes_bullets_or_invisible_characters_are_refused(name: str, fragment: str) -> None:
    [(loc, kind, message)] = errors_of(minimal(姓名=name))
    assert (loc, kind) == (("姓名",), VALUE_ERROR)
    assert fragment in message
    assert "350203196205142107" not in message
    wife = {"姓名": name, "关系": "其他"}
    [(loc, kind, message)] = errors_of(minimal(家庭成员=[{"姓名": "李四", "关系": "其他"}, wife]))
    assert loc == ("家庭成员", 1, "姓名") and fragment in message


def test_invisible_characters_are_removed_from_other_text() -> None:
    worker = Worker.model_validate(minimal(备注="\u202e倒序\u202c与\u2066隔离\u2069", 民族="汉\u200b族", 家庭住址="\ufeff厦门市思明区"))
    assert (worker.remarks, worker.ethnicity, worker.address) == ("倒序与隔离", "汉族", "厦门市思明区")
    assert errors_of(minimal(档案编号="\u200b"))[0][0] == ("档案编号",)  # nothing left: blank


def _members(count: int) -> list[dict]:
    return [{"姓名": f"成员{'甲乙丙丁戊己庚辛壬癸'[i % 10]}", "关系": "其他"} for i in range(count)]


def test_household_size_above_99_is_refused_unless_every_member_is_listed() -> None:
    assert Worker.model_validate(minimal(家庭人口="99")).household_size == 99  # a warning: 0 listed
    [(loc, kind, message)] = errors_of(minimal(家庭人口="100", 家庭年度总收入="12000"))
    assert (loc, kind) == (("家庭人口",), RECORD_CHECK) and "100人" in message and "共1人" in message
    [(loc, _, message)] = errors_of(minimal(家庭人口="350203196205142107"))
    assert loc == ("家庭人口",) and "350203" not in message
    listed = Worker.model_validate(minimal(家庭人口="101", 家庭成员=_members(100)))
    assert listed.household_size == 101
    assert [(w.loc, w.severity) for w in listed.warnings] == [(("家庭人口",), "warning")]


@pytest.mark.parametrize("name", ["王秀英1", "王秀英３", "职工12", "王秀英②"])
def test_a_digit_or_two_in_a_name_is_a_warning(name: str) -> None:
    worker = Worker.model_validate(minimal(姓名=name, 家庭成员=[{"姓名": name, "关系": "其他"}], 家庭人口="2"))
    assert worker.name == name
    assert sorted((w.loc, w.severity) for w in worker.warnings) == [
        (("姓名",), "warning"),
        (("家庭成员", 0, "姓名"), "warning"),
    ]


def test_a_phone_typed_in_full_width_prints_in_ascii() -> None:
    worker = Worker.model_validate(minimal(联系电话="０５９２－５２０１０３１"))
    assert worker.phone == "0592-5201031"


@pytest.mark.parametrize(
    ("phone", "warned"), [("5923456789", True), ("0592-3456789", False), ("13812345678", False), ("5201031", False), ("4008123456", True)]
)
def test_a_fixed_line_that_lost_its_area_codes_zero_is_a_warning(phone: str, warned: bool) -> None:
    worker = Worker.model_validate(minimal(联系电话=phone))
    found = [w for w in worker.warnings if w.loc == ("联系电话",)]
    assert bool(found) == warned
    assert all(phone not in w.message for w in found)
