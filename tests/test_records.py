"""formkit.records.load: the valid folder passes; every record of the fault corpus is caught at
its file, line and field; checks across records; no full ID or phone number in messages.

tests/data/good is a valid records folder (one 区工会 with 8 weekly reports, one 产业工会
without any; a GBK file, a UTF-8-with-BOM file, a 15-digit ID, a family of 7, a 脱贫
archive). tests/data/bad holds one bad record per fault; each test copies the good folder,
drops one bad record in (or replaces a good one), and looks for the expected problem.
The expected lines were read off the corpus files (first line of each is a comment).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from formkit.errors import FormkitError, Problem
from formkit.records.load import load_records
from formkit.records.problems import dotted, format_problems
from formkit.records.recordset import RecordSet

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"
SM = "思明区总工会"
JS = "市建设工会工委"

WORKER = f"{SM}/职工/{{name}}.yaml"
WEEK = f"{SM}/周报/2011-12-09.yaml"  # replaces the good report of that week
UNIT = f"{SM}/单位.yaml"
CAMPAIGN = "campaign.yaml"

E, W = "error", "warning"

# fault file, where it goes, expected line, field, severity, a fragment of the message
FAULTS = [
    # 填表说明 items 1-21
    ("item01_category", WORKER, 3, "困难类别", E, "第1项"),
    ("item02_political", WORKER, 7, "政治面貌", E, "第2项"),
    ("item03_checksum", WORKER, 9, "身份证号", E, "校验码"),
    ("item03_length", WORKER, 9, "身份证号", E, "长度 17 位"),
    ("item03_birth", WORKER, 9, "身份证号", E, "出生日期"),
    ("item03_letters", WORKER, 9, "身份证号", E, "不允许的字符"),
    ("item04_health", WORKER, 10, "健康状况", E, "第4项"),
    ("item04_disabled_no_category", WORKER, 10, "残疾类别", E, "残病"),
    ("item05_status", WORKER, 11, "身份", E, "第5项"),
    ("item06_model_worker", WORKER, 12, "劳模类型", E, "第6项"),
    ("item07_housing", WORKER, 13, "住房类型", E, "第7项"),
    ("item08_floor_area", WORKER, 14, "建筑面积", E, "第8项"),
    ("item09_work_date", WORKER, 17, "工作时间", E, "不存在"),
    ("item10_industry", WORKER, 18, "所属行业", E, "第10项"),
    ("item11_marital", WORKER, 19, "婚姻状况", E, "第11项"),
    ("item12_household_type", WORKER, 20, "户口类型", E, "第12项"),
    ("item13_employer_nature", WORKER, 23, "单位性质", E, "第13项"),
    ("item14_enterprise_condition", WORKER, 24, "企业状况", E, "第14项"),
    ("item15_single_parent", WORKER, 25, "是否单亲", E, "第15项"),
    ("item16_no_province", WORKER, 29, "户口所在地行政区划", E, "省"),
    ("item16_no_county", WORKER, 29, "户口所在地行政区划", E, "县（区）"),
    ("item17_insurance", WORKER, 30, "是否进入医保", E, "第17项"),
    ("item18_relationship", WORKER, 33, "家庭成员[1].关系", E, "第18项"),
    ("item18_member_status", WORKER, 36, "家庭成员[1].身份", E, "第18项"),
    ("item19_self_help", WORKER, 37, "是否有一定自救能力", E, "第19项"),
    ("item20_zero_employment", WORKER, 38, "是否为零就业家庭", E, "第20项"),
    ("item21_too_many", WORKER, 39, "致困主要原因", E, "4项"),
    ("item21_unknown", WORKER, 41, "致困主要原因[2]", E, "第21项"),
    ("item21_empty", WORKER, 39, "致困主要原因", E, "0项"),
    ("item21_duplicate", WORKER, 39, "致困主要原因", E, "重复"),
    # other fields, and checks within one record
    ("ethnicity", WORKER, 5, "民族", E, "汉族"),
    ("sex_vs_id", WORKER, 6, "性别", E, "身份证号"),
    ("birth_vs_id", WORKER, 8, "出生日期", E, "身份证号"),
    ("date_not_exist", WORKER, 8, "出生日期", E, "不存在"),
    ("member_sex_vs_id", WORKER, 33, "家庭成员[1].性别", E, "身份证号"),
    ("member_relationship_vs_sex", WORKER, 33, "家庭成员[1].关系", E, "丈夫"),
    ("member_id_is_worker", WORKER, 34, "家庭成员[1].身份证号", E, "职工本人"),
    ("member_id_checksum", WORKER, 34, "家庭成员[1].身份证号", E, "校验码"),
    ("per_head_mismatch", WORKER, 29, "家庭年人均收入", E, "7200.00"),
    ("household_size_text", WORKER, 28, "家庭人口", E, "整数"),
    ("money_negative", WORKER, 26, "本人月平均收入", E, "负数"),
    ("money_precision", WORKER, 27, "家庭年度总收入", E, "两位小数"),
    ("voucher_too_large", WORKER, 43, "慰问.资助金额", E, "仟位"),
    ("voucher_words", WORKER, 43, "慰问.资助金额", E, "不是数字"),
    ("voucher_zero", WORKER, 43, "慰问.资助金额", E, "大于 0"),
    ("subsidy_reversed", WORKER, 48, "慰问.低保.止", E, "早于"),
    ("postcode", WORKER, 15, "邮政编码", E, "6位"),
    ("phone", WORKER, 16, "联系电话", E, "电话号码"),
    ("work_before_birth", WORKER, 17, "工作时间", E, "早于出生日期"),
    ("unknown_key", WORKER, 4, "姓 名", E, "是不是“姓名”"),
    ("unknown_nested_key", WORKER, 43, "慰问.资助金", E, "是不是“资助金额”"),
    ("missing_id", WORKER, 2, "身份证号", E, "缺少"),
    ("missing_payment_project", WORKER, 42, "慰问.帮扶项目", E, "缺少"),
    ("family_not_list", WORKER, 31, "家庭成员", E, "列表"),
    ("empty_name", WORKER, 4, "姓名", E, "不能为空"),
    # across records
    ("duplicate_id", WORKER, 9, "身份证号", E, "SM001-陈志明.yaml:9"),
    ("duplicate_archive_number", WORKER, 2, "档案编号", E, "SM001-陈志明.yaml:2"),
    # YAML as people type it
    ("yaml_duplicate_key", WORKER, 5, "文件", E, "重复"),
    ("yaml_fullwidth_colon", WORKER, 4, "文件", E, "全角冒号"),
    ("yaml_no_space", WORKER, 4, "文件", E, "空格"),
    ("yaml_tab", WORKER, 34, "文件", E, "Tab"),
    ("yaml_unclosed_quote", WORKER, 22, "文件", E, "引号"),
    ("yaml_bad_indent", WORKER, 44, "文件", E, "缩进"),
    ("yaml_week_in_workers", WORKER, 2, "文件", E, "周报"),
    ("encoding_unknown", WORKER, 0, "文件", E, "UTF-8"),
    # weekly reports (附件4)
    ("week_arrears_sum", WEEK, 16, "用工来源", E, "拖欠数额"),
    ("week_persons_sum", WEEK, 16, "用工来源", E, "涉及人数"),
    ("week_construction_exceeds", WEEK, 28, "用工来源.其中建筑业农民工.涉及人数", E, "大于农民工"),
    ("week_negative", WEEK, 5, "企业类型.国有企业.拖欠数额", E, "负数"),
    ("week_count_decimal", WEEK, 11, "企业类型.集体企业.涉及人数", E, "整数"),
    ("week_unknown_row", WEEK, 12, "企业类型.其它类型企业", E, "是不是“其他类型企业”"),
    ("week_bad_date", WEEK, 2, "时间", E, "不存在"),
    ("week_missing_day", WEEK, 2, "时间", E, "缺少"),
    ("week_duplicate_day", f"{SM}/周报/{{name}}.yaml", 2, "时间", E, "2011-12-02.yaml:2"),
    # unit and campaign
    ("unit_type", UNIT, 3, "单位类型", E, "区工会"),
    ("unit_missing_name", UNIT, 2, "填报单位", E, "缺少"),
    ("campaign_period_reversed", CAMPAIGN, 7, "周报起止", E, "晚于"),
    ("campaign_period_one_date", CAMPAIGN, 7, "周报起止", E, "两个日期"),
    ("campaign_weekday", CAMPAIGN, 8, "周报日", E, "周报日"),
    # warnings
    ("warn_family_size", WORKER, 28, "家庭人口", W, "家庭成员1人"),
    ("warn_dibao_no_line", WORKER, 42, "慰问", W, "低保户"),
    ("warn_late_central_fund", WORKER, 51, "慰问.发放日期", W, "2011年12月31日"),
    ("warn_member_registered", WORKER, 34, "家庭成员[1].身份证号", W, "SM004-吴小燕.yaml"),
    ("warn_lifted_with_payment", WORKER, 42, "档案状态", W, "不发放"),
    ("warn_disability_not_disabled", WORKER, 11, "残疾类别", W, "良好"),
    ("warn_two_level_division", WORKER, 29, "户口所在地行政区划", W, "只写到市"),
    ("warn_week_not_friday", WEEK, 2, "时间", W, "星期五"),
    ("warn_week_outside_period", WEEK, 2, "时间", W, "2012年1月27日"),
    ("warn_week_zero_persons", WEEK, 4, "企业类型.国有企业", W, "为 0"),
]

_FULL_ID = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])|(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9*])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")


@pytest.fixture()
def good_copy(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    shutil.copytree(GOOD, root)
    return root


def _plant(root: Path, name: str, where: str) -> Path:
    target = root / where.format(name=name)
    shutil.copyfile(BAD / f"{name}.yaml", target)
    return target


def test_corpus_has_at_least_30_kinds_and_every_file_is_in_the_table() -> None:
    names = {p.stem for p in BAD.glob("*.yaml")}
    assert len(FAULTS) >= 30
    assert len([f for f in FAULTS if f[4] == E]) >= 30
    assert names == {f[0] for f in FAULTS}


@pytest.mark.parametrize(("name", "where", "line", "field", "severity", "fragment"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_caught_at_file_line_field(
    good_copy: Path, name: str, where: str, line: int, field: str, severity: str, fragment: str
) -> None:
    target = _plant(good_copy, name, where)
    records = load_records(good_copy)
    here = [p for p in records.problems if p.path == target]
    match = [p for p in here if (p.line, p.field, p.severity) == (line, field, severity)]
    assert match, f"expected {severity} at {line} {field}; got " + "; ".join(p.format(good_copy) for p in here)
    assert any(fragment in p.message + p.allowed for p in match), [p.message for p in match]
    # an error keeps the record out; a warning does not
    valid = {rec.path for unit in records.units for rec in unit.workers} | {rec.path for unit in records.units for rec in unit.weeks}
    if severity == E:
        if where == UNIT:
            assert SM not in {u.folder.name for u in records.units}
        elif where == CAMPAIGN:
            assert records.campaign is None
        else:
            assert target not in valid
    else:
        assert not [p for p in here if p.is_error]
        assert target in valid
    # the other records are not disturbed (a duplicate also flags its partner)
    others = [p for p in records.errors if p.path != target]
    if name.startswith("duplicate_"):
        assert [p.path.name for p in others] == ["SM001-陈志明.yaml"]
    elif name != "week_duplicate_day":
        assert others == []


def test_messages_never_hold_a_full_id_or_phone_number(tmp_path: Path) -> None:
    root = tmp_path / "records"
    shutil.copytree(GOOD, root)
    for name, where, *_ in FAULTS:
        if where == f"{SM}/职工/{{name}}.yaml":
            _plant(root, name, where)
    problems = load_records(root).problems
    assert len(problems) > 60
    for problem in problems:
        text = problem.format(root)
        assert not _FULL_ID.search(text), text
        assert not _PHONE.search(text), text


def test_good_folder_has_no_errors() -> None:
    records = load_records(GOOD)
    assert records.errors == [], format_problems(records.errors, GOOD)
    assert records.campaign is not None
    assert [u.folder.name for u in records.units] == sorted([SM, JS])
    by_name = {u.folder.name: u for u in records.units}
    assert len(by_name[SM].workers) == 4
    assert len(by_name[JS].workers) == 2
    assert len(by_name[SM].weeks) == 8
    # the only warnings: the 脱贫 archive, and the 产业工会 without weekly reports
    assert sorted((p.path.relative_to(GOOD).as_posix(), p.field) for p in records.warnings) == [
        (f"{JS}/周报", "时间"),
        (f"{SM}/职工/SM003-黄国平.yaml", "档案状态"),
    ]


def test_gbk_and_bom_files_are_read() -> None:
    raw_gbk = (GOOD / JS / "职工" / "JS001-苏金水.yaml").read_bytes()
    raw_bom = (GOOD / SM / "职工" / "SM002-林美华.yaml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw_gbk.decode("utf-8")
    assert raw_bom.startswith(b"\xef\xbb\xbf")
    records = load_records(GOOD)
    names = {rec.worker.name for unit in records.units for rec in unit.workers}
    assert {"苏金水", "林美华"} <= names


def _check_digit(body17: str) -> str:
    """GB 11643-1999 MOD 11-2, written out independently of formkit.domain.idcard."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


def _worker(records: RecordSet, name: str):
    return next(rec.worker for unit in records.units for rec in unit.workers if rec.worker.name == name)


def test_values_as_typed_become_typed_values() -> None:
    records = load_records(GOOD)
    chen = _worker(records, "陈志明").model_dump(by_alias=True)
    assert chen["民族"] == "汉族"  # typed 汉
    assert chen["身份"] == "下（待）岗"  # typed with half-width brackets
    assert chen["工作时间"] == date(1990, 10, 1)  # typed 1990.10.1, not the float 1990.1
    assert chen["本人月平均收入"] == Decimal("650.50")
    assert chen["家庭年人均收入"] == Decimal("5401.50")  # 21606 / 4
    assert chen["家庭成员"][2]["身份证号"] == "350206200309092640"  # typed with spaces
    assert chen["备注"] == "妻子长期卧床，需人照顾。\n子女均在读。"
    lin = _worker(records, "林美华").model_dump(by_alias=True)
    assert lin["身份证号"] == "35020319700101126" + _check_digit("35020319700101126")
    assert lin["性别"] == "女" and lin["出生日期"] == date(1970, 1, 1)
    assert lin["致困主要原因"] == ["本人大病", "残疾", "供养直系亲属大病"]
    assert lin["是否单亲"] is False and lin["是否进入医保"] is True
    assert len(lin["家庭成员"]) == 6 and lin["家庭人口"] == 7
    wu = _worker(records, "吴小燕").model_dump(by_alias=True)
    assert wu["档案编号"] == "0004"  # leading zeros kept
    assert wu["身份证号"] == "350212198209114862"  # typed without quotes
    assert wu["民族"] is None and wu["家庭成员"] == []
    assert wu["慰问"]["居住地址"] is None  # no 家庭住址 to default to
    wang = _worker(records, "王德福").model_dump(by_alias=True)
    assert wang["身份证号"] == "35021119401103351X"  # typed with spaces and a lowercase x


def test_paid_workers_exclude_the_lifted_archive() -> None:
    records = load_records(GOOD)
    by_name = {u.folder.name: u for u in records.units}
    paid = [rec.worker.name for rec in records.paid_workers(by_name[SM])]
    assert sorted(paid) == sorted(["陈志明", "林美华", "吴小燕"])
    assert "黄国平" in [rec.worker.name for rec in by_name[SM].workers]


def test_missing_weeks_and_weekly_defaults() -> None:
    records = load_records(GOOD)
    by_name = {u.folder.name: u for u in records.units}
    assert records.missing_weeks(by_name[SM]) == []
    expected = [
        date(2011, 12, 2),
        date(2011, 12, 9),
        date(2011, 12, 16),
        date(2011, 12, 23),
        date(2011, 12, 30),
        date(2012, 1, 6),
        date(2012, 1, 13),
        date(2012, 1, 20),
    ]
    assert records.missing_weeks(by_name[JS]) == expected
    assert records.missing_weeks(by_name[JS], until=date(2011, 12, 15)) == expected[:2]
    weeks = by_name[SM].weeks
    assert [w.report.day for w in weeks] == expected
    first = weeks[0].report.model_dump(by_alias=True)
    assert (first["单位负责人"], first["填表人"]) == ("王建国", "李丽")  # from 单位.yaml
    assert first["企业类型"]["集体企业"] == {"拖欠数额": Decimal("1.5"), "涉及企业数": 1, "涉及人数": 12}


def test_a_single_unit_folder_reads_the_campaign_of_its_parent() -> None:
    records = load_records(GOOD / SM)
    assert records.campaign is not None
    assert [u.folder.name for u in records.units] == [SM]
    assert records.errors == []


def test_missing_campaign_is_an_error_naming_the_expected_path(good_copy: Path) -> None:
    (good_copy / CAMPAIGN).unlink()
    records = load_records(good_copy)
    assert records.campaign is None
    [problem] = records.errors
    assert (problem.path, problem.line, problem.field) == (good_copy / CAMPAIGN, 0, "文件")
    assert "campaign.yaml" in problem.message


def test_missing_unit_file_is_an_error_and_drops_the_unit(good_copy: Path) -> None:
    (good_copy / SM / "单位.yaml").unlink()
    records = load_records(good_copy)
    [problem] = records.errors
    assert problem.path == good_copy / SM / "单位.yaml"
    assert [u.folder.name for u in records.units] == [JS]


def test_stray_files_and_folders_are_reported(good_copy: Path) -> None:
    (good_copy / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    (good_copy / SM / "张三.yaml").write_text("a: 1\n", encoding="utf-8")
    (good_copy / "杂项").mkdir()
    records = load_records(good_copy)
    warned = {p.path.relative_to(good_copy).as_posix() for p in records.warnings if p.field == "文件"}
    assert warned == {"notes.yaml", f"{SM}/张三.yaml", "杂项"}
    assert records.errors == []


def test_not_a_records_folder(tmp_path: Path) -> None:
    with pytest.raises(FormkitError, match="不存在"):
        load_records(tmp_path / "nothing")
    (tmp_path / "file.yaml").write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(FormkitError, match="不是文件夹"):
        load_records(tmp_path / "file.yaml")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FormkitError, match=r"campaign\.yaml"):
        load_records(empty)


def test_format_problems_orders_errors_then_warnings_by_file_and_line() -> None:
    base = Path("/r")
    problems = [
        Problem(base / "b.yaml", 3, "姓名", "w1", severity="warning"),
        Problem(base / "b.yaml", 10, "姓名", "e3"),
        Problem(base / "a.yaml", 7, "性别", "e2", "男 或 女"),
        Problem(base / "b.yaml", 2, "姓名", "e4"),
        Problem(base / "a.yaml", 1, "姓名", "w2", severity="warning"),
    ]
    assert format_problems(problems, base) == [
        "a.yaml:7: 性别 — e2 — 男 或 女",
        "b.yaml:2: 姓名 — e4",
        "b.yaml:10: 姓名 — e3",
        "a.yaml:1: 姓名 — w2",
        "b.yaml:3: 姓名 — w1",
    ]


def test_a_problem_without_a_line_is_printed_without_line_0(tmp_path: Path) -> None:
    folder = next(p for p in load_records(GOOD).warnings if p.path.name == "周报")
    assert folder.line == 0
    assert format_problems([folder], GOOD) == [f"{JS}/周报: 时间 — {folder.message} — {folder.allowed}"]
    whole = Problem(tmp_path / "campaign.yaml", 0, "文件", "找不到 campaign.yaml")
    assert whole.format(tmp_path) == "campaign.yaml: 文件 — 找不到 campaign.yaml"
    assert Problem(tmp_path / "a.yaml", 3, "姓名", "e").format() == f"{tmp_path.as_posix()}/a.yaml:3: 姓名 — e"


def test_problems_come_sorted(good_copy: Path) -> None:
    for name in ("item01_category", "item03_checksum", "warn_family_size"):
        _plant(good_copy, name, WORKER)
    problems = load_records(good_copy).problems
    errors = [p for p in problems if p.is_error]
    assert problems[: len(errors)] == errors
    keys = [(p.path.as_posix(), p.line) for p in errors]
    assert keys == sorted(keys)


def test_dotted_field_names() -> None:
    assert dotted(("家庭成员", 1, "身份证号")) == "家庭成员[2].身份证号"
    assert dotted(("慰问", "低保", "止")) == "慰问.低保.止"
    assert dotted(("致困主要原因", 0)) == "致困主要原因[1]"


def test_many_workers_load_quickly(tmp_path: Path) -> None:
    """500 workers: no per-record heavy work (a guard, not a benchmark)."""
    import time

    root = tmp_path / "records"
    shutil.copytree(GOOD, root)
    text = (GOOD / SM / "职工" / "SM004-吴小燕.yaml").read_text(encoding="utf-8")
    for n in range(500):
        body = f"35021219830912{n:03d}"  # not SM004's number
        number = body + _check_digit(body)
        sex_ok = text.replace("350212198209114862", number).replace("档案编号: 0004", f"档案编号: X{n}")
        (root / SM / "职工" / f"x{n}.yaml").write_text(sex_ok, encoding="utf-8")
    start = time.perf_counter()
    records = load_records(root)
    elapsed = time.perf_counter() - start
    assert len([rec for u in records.units for rec in u.workers]) == 506
    assert records.errors == []
    assert elapsed < 10, elapsed


# ---------------------------------------------------------------- numbers typed with separators

_SECRET_ID = "350203196205142107"  # fictional, correct check digit
_SECRET_PHONE = "13812345678"


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text)


@pytest.mark.parametrize(
    ("typed", "secret"),
    [
        (f"ID{_SECRET_ID}", _SECRET_ID),
        (f"{_SECRET_ID}号", _SECRET_ID),
        ("350203 19620514 2107", _SECRET_ID),
        ("350203-19620514-2107", _SECRET_ID),
        ("350203.19620514.2107", _SECRET_ID),
        ("３５０２０３１９６２０５１４２１０７", _SECRET_ID),
        ("35021119401103351 x", "35021119401103351X"),
        ("138-1234-5678", _SECRET_PHONE),
        ("138 1234 5678", _SECRET_PHONE),
        ("+8613812345678", _SECRET_PHONE),
        ("+86 138 1234 5678", _SECRET_PHONE),
        ("0592 5503127", "05925503127"),
        ("(0592) 5503127", "05925503127"),
        ("\t联系电话: 138 1234 5678", _SECRET_PHONE),
    ],
)
def test_scrub_masks_numbers_typed_with_separators_or_prefixes(typed: str, secret: str) -> None:
    from formkit.domain.privacy import scrub_numbers

    shown = scrub_numbers(f"民族“{typed}”不是允许的值")
    assert secret not in _digits(shown).upper(), shown
    assert "*" in shown
    if len(secret) == 18:  # an ID keeps its first 6 and last 4 (GB 11643 region and check digit)
        assert f"{secret[:6]}********{secret[-4:]}" in shown
    else:
        assert secret[-4:] in shown and "****" in shown


@pytest.mark.parametrize(
    "text",
    ["2011-12-02", "2011-12-01 2012-01-22", "[2011-12-01, 2012-01-22]", "1,409.50 元", "SM2011-001-王秀英.yaml:9", "邮编 361008"],
)
def test_scrub_leaves_dates_amounts_and_archive_numbers(text: str) -> None:
    from formkit.domain.privacy import scrub_numbers

    assert scrub_numbers(text) == text


def test_a_file_named_by_its_id_number_is_shown_masked_with_a_warning(good_copy: Path) -> None:
    from formkit.domain.privacy import masked_path

    named = good_copy / SM / "职工" / f"{_SECRET_ID}.yaml"
    shutil.copyfile(BAD / "item03_checksum.yaml", named)
    problems = load_records(good_copy).problems
    lines = format_problems(problems, good_copy)
    assert not any(_SECRET_ID in line for line in lines)
    mine = [p for p in problems if p.path.name == f"{_SECRET_ID[:6]}********{_SECRET_ID[-4:]}.yaml"]
    assert any(p.is_error and p.field == "身份证号" for p in mine)
    assert any(not p.is_error and "文件名" in p.message for p in mine)
    assert masked_path(good_copy) == good_copy  # a path without numbers is untouched


def test_unknown_key_holding_an_id_is_masked_in_the_field_name(good_copy: Path) -> None:
    target = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    target.write_text(target.read_text(encoding="utf-8") + f"ID{_SECRET_ID}: x\n", encoding="utf-8")
    problems = [p for p in load_records(good_copy).errors if p.path == target]
    assert problems
    for p in problems:
        assert _SECRET_ID not in _digits(p.format(good_copy))


# ---------------------------------------------------------------- files that are not read


def _by_name(problems: list[Problem], name: str) -> list[Problem]:
    return [p for p in problems if p.path.name == name]


def test_record_saved_by_notepad_as_yaml_txt_is_an_error_saying_how_to_rename(good_copy: Path) -> None:
    path = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    path.rename(path.with_name("SM004-吴小燕.yaml.txt"))
    records = load_records(good_copy)
    [problem] = _by_name(records.problems, "SM004-吴小燕.yaml.txt")
    assert problem.is_error
    assert "改名为“SM004-吴小燕.yaml”" in problem.allowed
    assert "吴小燕" not in {rec.worker.name for u in records.units for rec in u.workers}


@pytest.mark.parametrize("name", ["SM004-吴小燕.yaml ", "SM004-吴小燕.yaml.", "SM004-吴小燕.yml  "])
def test_record_name_with_a_trailing_space_or_dot_is_an_error(good_copy: Path, name: str) -> None:
    path = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    path.rename(path.with_name(name))
    [problem] = _by_name(load_records(good_copy).problems, name)
    assert problem.is_error and f"改名为“{name.rstrip(' .')}”" in problem.allowed


def test_yml_is_read_and_txt_or_shortcut_files_are_warned(good_copy: Path) -> None:
    workers = good_copy / SM / "职工"
    (workers / "SM004-吴小燕.yaml").rename(workers / "SM004-吴小燕.yml")
    (workers / "新职工.txt").write_text("姓名: 张三\n", encoding="utf-8")
    (workers / "SM009.yaml.lnk").write_bytes(b"L\x00\x00\x00")
    (workers / "低保证复印件.pdf").write_bytes(b"%PDF-1.4\n")  # an attachment: not a record
    records = load_records(good_copy)
    assert "吴小燕" in {rec.worker.name for u in records.units for rec in u.workers}
    [txt] = _by_name(records.problems, "新职工.txt")
    assert not txt.is_error and "新职工.yaml" in txt.allowed
    [lnk] = _by_name(records.problems, "SM009.yaml.lnk")
    assert not lnk.is_error and "快捷方式" in lnk.message
    assert _by_name(records.problems, "低保证复印件.pdf") == []
    assert records.errors == []


def test_unit_file_saved_as_txt_is_an_error_next_to_the_missing_one(good_copy: Path) -> None:
    (good_copy / SM / "单位.yaml").rename(good_copy / SM / "单位.yaml.txt")
    (good_copy / SM / "说明.txt").write_text("备忘\n", encoding="utf-8")
    problems = load_records(good_copy).problems
    [renamed] = _by_name(problems, "单位.yaml.txt")
    assert renamed.is_error and "单位.yaml" in renamed.allowed
    assert _by_name(problems, "说明.txt") == []  # a note beside the records is not a record


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_a_symlinked_sub_folder_is_reported_not_followed(good_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (good_copy / SM / "职工" / "SM004-吴小燕.yaml").rename(elsewhere / "SM004-吴小燕.yaml")
    (good_copy / SM / "职工" / "外部").symlink_to(elsewhere, target_is_directory=True)
    (good_copy / SM / "周报" / "loop").symlink_to("..", target_is_directory=True)
    problems = load_records(good_copy).problems
    for name in ("外部", "loop"):
        [problem] = _by_name(problems, name)
        assert not problem.is_error and "链接" in problem.message


def test_a_folder_tree_1000_levels_deep_is_walked_without_recursion(good_copy: Path) -> None:
    import sys

    deep = good_copy / SM / "职工"
    for _ in range(1000):
        deep = deep / "a"
        deep.mkdir()
    shutil.copyfile(GOOD / SM / "职工" / "SM004-吴小燕.yaml", deep / "x.yaml")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(300)  # the walk must not need a frame per level
    try:
        records = load_records(good_copy)
    finally:
        sys.setrecursionlimit(limit)
        subprocess.run(["rm", "-rf", str(good_copy / SM / "职工" / "a")], check=False)
    # the deep copy is read: it is SM004 twice
    assert sorted(p.field for p in records.errors) == sorted(["身份证号", "档案编号"] * 2)


def test_records_folder_without_any_unit_folder_is_an_error_naming_the_layout(tmp_path: Path) -> None:
    root = tmp_path / "records"
    root.mkdir()
    shutil.copyfile(GOOD / CAMPAIGN, root / CAMPAIGN)
    shutil.copyfile(GOOD / SM / "职工" / "SM004-吴小燕.yaml", root / "吴小燕.yaml")
    records = load_records(root)
    [error] = records.errors
    assert error.path == root and "单位" in error.message
    assert "单位.yaml" in error.allowed and "职工/" in error.allowed


# ---------------------------------------------------------------- message size


def test_an_echoed_line_is_cut_short(good_copy: Path) -> None:
    target = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    target.write_text("备注: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    [problem] = [p for p in load_records(good_copy).problems if p.path == target]
    assert "嵌套层数太多" in problem.message
    assert len(problem.format(good_copy)) < 400
    assert "共20004个字符" in problem.message


def test_problems_per_file_are_capped_with_a_count_of_the_rest(good_copy: Path) -> None:
    from formkit.records.problems import MAX_PROBLEMS_PER_FILE

    target = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    text = target.read_text(encoding="utf-8")
    stray = 3 * MAX_PROBLEMS_PER_FILE
    target.write_text(text + "".join(f"未知键{i}: x\n" for i in range(stray)), encoding="utf-8")
    mine = [p for p in load_records(good_copy).problems if p.path == target]
    assert len(mine) == MAX_PROBLEMS_PER_FILE + 1
    *listed, more = sorted(mine, key=lambda p: p.line)
    first_stray = text.count("\n") + 1
    assert [p.line for p in listed] == list(range(first_stray, first_stray + MAX_PROBLEMS_PER_FILE))
    assert more.line == first_stray + MAX_PROBLEMS_PER_FILE and more.is_error
    assert f"还有 {stray - MAX_PROBLEMS_PER_FILE} 处" in more.message


def test_a_long_unknown_key_and_a_long_wrong_value_are_cut_short(good_copy: Path) -> None:
    target = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    text = target.read_text(encoding="utf-8")
    assert "困难类别: 低保边缘户" in text
    text = text.replace("困难类别: 低保边缘户", "困难类别: " + "低保" * 5_000)
    target.write_text(text + "? " + "键" * 20_000 + "\n: x\n", encoding="utf-8")  # "键: x" holds 1024 at most
    mine = [p for p in load_records(good_copy).problems if p.path == target]
    assert {p.field.split("…")[0][:4] for p in mine} == {"困难类别", "键键键键"}
    assert all(len(p.format(good_copy)) < 600 for p in mine), [len(p.format(good_copy)) for p in mine]


def test_a_year_0000_is_said_to_be_a_wrong_year(good_copy: Path) -> None:
    target = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    text = target.read_text(encoding="utf-8")
    date_line = next(line for line in text.splitlines() if line.startswith("工作时间:"))
    target.write_text(text.replace(date_line, "工作时间: 0000-01-01"), encoding="utf-8")
    [problem] = [p for p in load_records(good_copy).errors if p.path == target]
    assert problem.field == "工作时间" and "年份不对" in problem.message


# ---------------------------------------------------------------- invisible characters, names


def test_invisible_characters_in_free_text_are_removed_with_a_warning_naming_the_field(good_copy: Path) -> None:
    target = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text + '备注: "\\u202e倒序\\u202c与\\u2066隔离\\u2069"\n', encoding="utf-8")
    records = load_records(good_copy)
    [warning] = [p for p in records.warnings if p.path == target]
    assert warning.field == "备注" and warning.line == text.count("\n") + 1
    assert "U+202E" in warning.message and "U+2066" in warning.message
    assert _worker(records, "吴小燕").remarks == "倒序与隔离"
    assert records.errors == []


def test_a_family_members_name_with_a_bidi_override_is_an_error_at_its_line(good_copy: Path) -> None:
    target = good_copy / SM / "职工" / "SM001-陈志明.yaml"
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.lstrip().startswith("- 姓名:"))
    name = lines[number - 1].split("姓名:")[1].strip()
    lines[number - 1] = lines[number - 1].replace(name, f'"{name[0]}\\u202e{name[1:]}"')
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [error] = [p for p in load_records(good_copy).errors if p.path == target]
    assert (error.line, error.field) == (number, "家庭成员[1].姓名")
    assert "U+202E" in error.message


def test_an_unknown_key_with_a_zero_width_space_says_so(good_copy: Path) -> None:
    target = good_copy / SM / "职工" / "SM004-吴小燕.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("\n民族:", "\n民\u200b族:", 1) if "\n民族:" in text else text + "民\u200b族: 汉族\n", encoding="utf-8")
    [error] = [p for p in load_records(good_copy).errors if p.path == target]
    assert "U+200B" in error.message and "是不是“民族”" in error.message


def test_a_worker_record_is_kept_packed_and_gives_back_the_same_worker() -> None:
    import pickle

    from formkit.records.recordset import WorkerRecord, pack, unpack

    records = load_records(GOOD)
    for unit in records.units:
        for rec in unit.workers:
            worker = rec.worker
            assert worker is not rec.worker, "a fresh copy each time"
            assert worker == rec.worker
            assert rec.paid == (worker.payment is not None and worker.archive_status == "在档")
            assert rec.archive_number == worker.archive_number
            assert len(rec._packed) < len(pickle.dumps(worker)) / 2, "packed smaller than the plain pickle"
            again = pickle.loads(pickle.dumps(rec))  # pickles as path, line and worker
            assert again == rec and again.path == rec.path and isinstance(again.path, Path)
    rec = records.units[0].workers[0]
    changed = rec.worker.model_copy(update={"archive_number": "X-9"})
    rec.worker = changed
    assert rec.worker.archive_number == rec.archive_number == "X-9"
    dump = changed.model_dump(by_alias=True)
    assert unpack(pack(dump, "dump"), "dump") == dump
    assert isinstance(WorkerRecord(Path("a/b.yaml"), 3, changed).path, Path)


def test_archive_numbers_sort_by_their_numbers() -> None:
    records = load_records(GOOD)
    for unit in records.units:
        keys = [rec.sort_key for rec in sorted(unit.workers, key=lambda r: r.sort_key)]
        assert keys == sorted(keys)
    rec = records.units[0].workers[0]
    rec.worker = rec.worker.model_copy(update={"archive_number": "SM-10"})
    other = records.units[0].workers[1]
    other.worker = other.worker.model_copy(update={"archive_number": "SM-9"})
    assert other.sort_key < rec.sort_key, "SM-9 before SM-10"
