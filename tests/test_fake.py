"""Tests of formkit.fake (fictional records generator) and of the shipped sample records.

The rules are checked here by an independent reader (PyYAML's BaseLoader, every scalar as
text) and python-stdnum's GB 11643 check digit, not by formkit's own modules, so a bug in
the generator cannot hide behind the same bug in the validator. All data is fictional.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from stdnum.cn import ric

from formkit.fake import check_digit, generate_records, main
from formkit.records.load import load_records

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "records"

# --- the 填表说明 of 附件3 (items 1–21), copied from the notice --------------------------
ITEM = {
    "困难类别": {"低保户", "低保边缘户", "意外致困户"},
    "政治面貌": {"中共党员", "共青团员", "群众", "民主党派", "其他"},
    "健康状况": {"良好", "疾病", "残病", "其它"},
    "身份": {"在岗", "下（待）岗", "失（无）业", "退休", "离休", "病退", "病休", "农民工"},
    "劳模类型": {"非劳模", "全国劳模", "省部级劳模", "地市级劳模", "其他"},
    "住房类型": {"承租单位公房", "政府廉租房", "自购房", "无房", "租房", "自建房", "其他"},
    "建筑面积": {"20以下", "20至50", "50至70", "70以上"},
    "所属行业": {
        "农、林、牧、渔业",
        "金融保险业",
        "社会服务业",
        "教育",
        "科技",
        "文化",
        "体育",
        "宗教",
        "医疗卫生",
        "军队",
        "国家机关",
        "纺织系统",
        "冶金系统",
        "煤炭系统",
        "机电系统",
        "电子仪表",
        "化工系统",
        "国防系统",
        "城建系统",
        "精工系统",
        "财贸系统",
        "医药系统",
        "交通系统",
        "其他",
    },
    "婚姻状况": {"未婚", "已婚", "离异", "丧偶"},
    "户口类型": {"非农业", "农业", "农转居"},
    "单位性质": {"国有机关/事业单位", "国有企业", "集体企业", "民营/私营/个体企业", "与港澳台合资/合作", "中外合资/合作", "其他"},
    "企业状况": {"亏损企业", "改制企业", "关闭破产企业", "正常", "其他"},
    "是否单亲": {"是", "否"},
    "是否进入医保": {"是", "否"},
    "是否有一定自救能力": {"是", "否"},
    "是否为零就业家庭": {"是", "否"},
    "档案状态": {"在档", "脱贫"},
}
MEMBER_STATUS = {
    "劳模",
    "在岗",
    "下（待）岗",
    "失（无）业",
    "退休",
    "离休",
    "病退",
    "病休",
    "内退",
    "农民工",
    "研究生",
    "大学生",
    "中职中技",
    "高中",
    "初中",
    "小学",
    "幼儿",
    "军人",
    "农民",
}
RELATION_SEX = {"父亲": "男", "母亲": "女", "丈夫": "男", "妻子": "女", "儿子": "男", "女儿": "女", "其他": None}
CAUSES = {"本人大病", "供养直系亲属大病", "意外灾害", "子女上学", "残疾", "收入低无法维持基本生活", "下岗失业", "其他"}
ETHNIC = set(
    """汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族
哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族
羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族
保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族""".split()
)
assert len(ETHNIC) == 56

WORKER_KEYS = set(ITEM) | {
    "档案编号",
    "姓名",
    "民族",
    "性别",
    "出生日期",
    "身份证号",
    "残疾类别",
    "邮政编码",
    "联系电话",
    "工作时间",
    "家庭住址",
    "工作单位",
    "本人月平均收入",
    "家庭年度总收入",
    "家庭人口",
    "家庭年人均收入",
    "户口所在地行政区划",
    "家庭成员",
    "致困主要原因",
    "所附附件",
    "备注",
    "慰问",
}
MEMBER_KEYS = {"姓名", "关系", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "月收入", "身份", "单位或学校"}
PAYMENT_KEYS = {
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
}
CAMPAIGN_KEYS = {"活动名称", "文号", "发文机关", "资金使用截止", "上报截止", "周报起止", "周报日", "主送"}
UNIT_KEYS = {"填报单位", "单位类型", "单位负责人", "填表人", "联系电话"}
# 填表说明 item 16: 省、市、县（区）; a 自治州 or 地区 stands at the 市 level.
HUKOU_PLACE = re.compile(r"\w+?(省|自治区)\w+?(市|自治州|地区|盟)\w+?(县|区|市|旗)")
FIGURE = ("拖欠数额", "涉及企业数", "涉及人数")
FRIDAYS = {date.fromordinal(date(2011, 12, 2).toordinal() + 7 * k) for k in range(8)}
DEADLINE = date(2012, 1, 6)

_DATE_FORMS = [
    re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def parse_date(text: str) -> tuple[date, int]:
    """Return the date and the index of the form it was typed in (records.md, Values)."""
    for k, rx in enumerate(_DATE_FORMS):
        m = rx.match(text)
        if m:
            return date(*map(int, m.groups())), k
    raise ValueError(f"not a date: {text!r}")


_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # every scalar as text


def load(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


def stdnum_check(first17: str) -> str:
    """GB 11643 check character by python-stdnum.

    ``ric.calc_check_digit`` expects the number *with* its check position (it drops the last
    character), so a placeholder is appended: passing 17 digits gives a wrong answer.
    """
    return ric.calc_check_digit(first17 + "0")


def id18(text: str) -> str:
    """Normalise an ID as typed (lowercase x, 15 digits) to 18 characters, checking it."""
    s = text.strip().upper()
    if len(s) == 15 and s.isdigit():
        s17 = s[:6] + "19" + s[6:]
        s = s17 + stdnum_check(s17)
    assert len(s) == 18 and s[:17].isdigit(), "bad length/characters"
    assert stdnum_check(s[:17]) == s[17], "bad check digit"
    return s


def masked(idno: str) -> str:
    return idno[:6] + "********" + idno[-4:]


class Report:
    """What a folder holds, collected while checking it."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.ids: Counter[str] = Counter()
        self.units: dict[str, dict] = {}
        self.date_forms: set[int] = set()
        self.facts: Counter[str] = Counter()

    def need(self, cond: bool, where: str, what: str) -> None:
        if not cond:
            self.problems.append(f"{where}: {what}")


def check_person(rep: Report, where: str, idno: str | None, sex: str, born_text: str) -> None:
    born, form = parse_date(born_text)
    rep.date_forms.add(form)
    if idno is None:
        rep.facts["member without ID"] += 1
        return
    if idno.isdigit() and len(idno) == 18:
        rep.facts["ID all digits (may be unquoted)"] += 1
    if idno.endswith("x"):
        rep.facts["ID lowercase x"] += 1
    if len(idno.strip()) == 15:
        rep.facts["ID 15 digits"] += 1
    try:
        n = id18(idno)
    except AssertionError as exc:
        rep.problems.append(f"{where}: 身份证号 {exc}")
        return
    rep.ids[n] += 1
    rep.need(date(int(n[6:10]), int(n[10:12]), int(n[12:14])) == born, where, f"{masked(n)} 出生日期")
    rep.need(("男" if int(n[16]) % 2 else "女") == sex, where, f"{masked(n)} 性别")
    rep.need(born < DEADLINE, where, "born after the deadline")


def check_worker(rep: Report, path: Path, w: dict, unit_kind: str) -> None:
    where = str(path)
    rep.need(w is not None and set(w) <= WORKER_KEYS, where, f"unknown keys {set(w or {}) - WORKER_KEYS}")
    for key, allowed in ITEM.items():
        if key in w:
            rep.need(w[key] in allowed, where, f"{key}={w[key]!r}")
    for key in ("档案编号", "困难类别", "姓名", "民族", "性别", "出生日期", "身份证号", "家庭人口", "致困主要原因"):
        rep.need(key in w, where, f"missing {key}")
    rep.need(w["民族"] in ETHNIC, where, "民族")
    rep.need(w["性别"] in ("男", "女"), where, "性别")
    rep.need(HUKOU_PLACE.fullmatch(w["户口所在地行政区划"]) is not None, where, "户口所在地行政区划")
    check_person(rep, where, w["身份证号"], w["性别"], w["出生日期"])
    if w.get("健康状况") == "残病":
        rep.need(bool(w.get("残疾类别")), where, "残病 without 残疾类别")
        rep.facts["残病 with 残疾类别"] += 1
    members = w.get("家庭成员") or []
    for k, m in enumerate(members):
        mw = f"{where} 家庭成员[{k}]"
        rep.need(set(m) <= MEMBER_KEYS, mw, f"unknown keys {set(m) - MEMBER_KEYS}")
        rep.need(m["关系"] in RELATION_SEX, mw, "关系")
        rep.need(RELATION_SEX[m["关系"]] in (None, m["性别"]), mw, "关系 vs 性别")
        rep.need(m["身份"] in MEMBER_STATUS, mw, f"身份={m['身份']!r}")
        rep.need(m["政治面貌"] in ITEM["政治面貌"] and m["健康状况"] in ITEM["健康状况"], mw, "vocab")
        check_person(rep, mw, m.get("身份证号"), m["性别"], m["出生日期"])
        if m["关系"] in ("儿子", "女儿") and "身份证号" in m:
            rep.facts["child with ID"] += 1
    persons = int(w["家庭人口"])
    rep.need(persons == 1 + len(members), where, "家庭人口 != 1 + 家庭成员")
    rep.facts[f"family of {persons}"] += 1
    total = Decimal(w["家庭年度总收入"])
    if "家庭年人均收入" in w:
        rep.need(Decimal(w["家庭年人均收入"]) == total / persons, where, "家庭年人均收入")
        rep.facts["家庭年人均收入 typed"] += 1
    else:
        rep.facts["家庭年人均收入 omitted"] += 1
    causes = w["致困主要原因"]
    rep.need(isinstance(causes, list) and 1 <= len(causes) <= 3 and set(causes) <= CAUSES, where, "致困主要原因")
    for a in w.get("所附附件") or []:
        rep.need(set(a) == {"附件类型", "附件文件"}, where, "所附附件")
    status = w.get("档案状态", "在档")
    rep.facts[f"档案 {status}"] += 1
    pay = w.get("慰问")
    if pay is not None:
        rep.need(set(pay) <= PAYMENT_KEYS, where, f"unknown 慰问 keys {set(pay) - PAYMENT_KEYS}")
        amount = Decimal(pay["资助金额"])
        rep.need(Decimal(0) < amount < Decimal(10000) and amount.as_tuple().exponent >= -2, where, "资助金额")
        rep.need(pay["资金来源"] in ("中央财政帮扶专项资金", "送温暖工程资金"), where, "资金来源")
        paid, form = parse_date(pay["发放日期"])
        rep.date_forms.add(form)
        if status == "在档":
            rep.need(date(2011, 12, 1) <= paid <= date(2011, 12, 31), where, "发放日期 not in Dec 2011")
            rep.facts[f"paid {unit_kind}"] += 1
        else:
            rep.facts["脱贫 with 慰问"] += 1
        if "低保" in pay:
            lo = pay["低保"]
            rep.need(parse_date(lo["起"])[0] <= parse_date(lo["止"])[0], where, "低保 起 > 止")
            Decimal(lo["每月"])
            rep.facts["低保 line"] += 1
    for key in ("工作单位", "家庭住址"):
        if any(c in w.get(key, "") for c in "&<>"):
            rep.facts["& < > in a value"] += 1
    for text in (w.get("备注", ""), (pay or {}).get("其它帮扶措施", "")):
        if "\n" in text.strip():
            rep.facts["line break in a value"] += 1


def check_week(rep: Report, path: Path, r: dict) -> date:
    where = str(path)
    day, form = parse_date(r["时间"])
    rep.date_forms.add(form)
    kinds = r["企业类型"]
    src = r["用工来源"]
    rep.need(set(kinds) == {"国有企业", "集体企业", "其他类型企业"}, where, "企业类型 keys")
    rep.need(set(src) == {"城镇职工", "农民工", "其中建筑业农民工"}, where, "用工来源 keys")
    for col, conv in (("拖欠数额", Decimal), ("涉及人数", int)):
        by_kind = sum(conv(kinds[k][col]) for k in kinds)
        by_source = conv(src["城镇职工"][col]) + conv(src["农民工"][col])
        rep.need(by_kind == by_source, where, f"{col}: 企业类型 {by_kind} != 用工来源 {by_source}")
    for col in FIGURE:
        conv = Decimal if col == "拖欠数额" else int
        rep.need(conv(src["其中建筑业农民工"][col]) <= conv(src["农民工"][col]), where, f"建筑业 {col} > 农民工")
        for fig in list(kinds.values()) + list(src.values()):
            rep.need(conv(fig[col]) >= 0, where, f"negative {col}")
    for k in ("涉及企业数", "涉及人数"):
        for fig in list(kinds.values()) + list(src.values()):
            rep.need(re.fullmatch(r"\d+", fig[k]) is not None, where, f"{k} not a whole number")
    if all(Decimal(f["拖欠数额"]) == 0 for f in kinds.values()):
        rep.facts["week all zero"] += 1
    if r.get("案例说明"):
        rep.facts["week with 案例说明"] += 1
    return day


def check_folder(root: Path, weeks: bool = True) -> Report:
    """Check every rule of the brief on a records folder; return what was found."""
    rep = Report()
    campaign = load(root / "campaign.yaml")
    rep.need(set(campaign) == CAMPAIGN_KEYS, "campaign.yaml", f"keys {set(campaign) ^ CAMPAIGN_KEYS}")
    for f in sorted(root.rglob("*.yaml")):
        rep.need(
            f.read_text(encoding="utf-8").lstrip().startswith("#") and "虚构" in f.read_text(encoding="utf-8").splitlines()[0],
            str(f),
            "no 'fictional' comment at the top",
        )
    for udir in sorted(p for p in root.iterdir() if p.is_dir()):
        unit = load(udir / "单位.yaml")
        rep.need(set(unit) <= UNIT_KEYS, str(udir), "单位 keys")
        rep.need(unit["单位类型"] in ("区工会", "产业工会"), str(udir), "单位类型")
        rep.need(unit["填报单位"] in campaign["主送"], str(udir), "unit not in 主送")
        numbers = Counter()
        info = {"kind": unit["单位类型"], "workers": 0, "weeks": 0}
        for wf in sorted((udir / "职工").glob("*.yaml")):
            w = load(wf)
            check_worker(rep, wf, w, unit["单位类型"])
            numbers[w["档案编号"]] += 1
            info["workers"] += 1
        rep.need(all(c == 1 for c in numbers.values()), str(udir), "档案编号 repeated")
        days = []
        for rf in sorted((udir / "周报").glob("*.yaml")):
            days.append(check_week(rep, rf, load(rf)))
        info["weeks"] = len(days)
        if weeks:
            rep.need(set(days) == FRIDAYS and len(days) == 8, str(udir), "weekly reports are not the 8 Fridays")
        rep.units[unit["填报单位"]] = info
    dup = [masked(i) for i, c in rep.ids.items() if c > 1]
    rep.need(not dup, str(root), f"ID numbers repeated: {dup}")
    return rep


# --- the generator ----------------------------------------------------------------------


def test_check_digit_matches_stdnum_on_golden_numbers():
    for line in (Path(__file__).parent / "data" / "idcards.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) > 2 and cols[1] == "yes":
            n = cols[2]
            assert check_digit(n[:17]) == n[17] == stdnum_check(n[:17])
    with pytest.raises(ValueError):
        check_digit("1234")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fake") / "records"
    generate_records(root, 300, 4, seed=7)
    return root


def test_generated_layout(generated: Path):
    assert (generated / "campaign.yaml").is_file()
    units = sorted(p for p in generated.iterdir() if p.is_dir())
    assert len(units) == 4
    kinds = [load(u / "单位.yaml")["单位类型"] for u in units]
    assert Counter(kinds) == {"区工会": 2, "产业工会": 2}
    counts = [len(list((u / "职工").glob("*.yaml"))) for u in units]
    assert sum(counts) == 300 and max(counts) - min(counts) <= 1
    for u in units:
        assert len(list((u / "周报").glob("*.yaml"))) == 8


def test_generated_records_follow_every_rule(generated: Path):
    rep = check_folder(generated)
    assert rep.problems == []
    ids_seen = sum(rep.ids.values())
    assert ids_seen > 300  # workers plus family members with IDs, all distinct
    assert rep.date_forms == {0, 1, 2, 3}
    assert rep.facts["档案 在档"] > 250
    assert rep.facts["ID lowercase x"] > 0 and rep.facts["member without ID"] > 0
    families = {int(k.split()[-1]) for k in rep.facts if k.startswith("family of ")}
    assert min(families) == 1 and max(families) <= 7


def test_generated_ids_unique_in_a_large_folder(tmp_path: Path):
    root = tmp_path / "big"
    generate_records(root, 1000, 3, seed=1, weeks=False)
    rep = check_folder(root, weeks=False)
    assert rep.problems == []
    assert all(c == 1 for c in rep.ids.values())
    assert not any((u / "周报").exists() for u in root.iterdir() if u.is_dir())


def test_checker_catches_broken_records(tmp_path: Path):
    """The rules above can fail: break a check digit, a sum and a sex, and see each reported."""
    root = tmp_path / "r"
    generate_records(root, 5, 1, seed=2)
    wf = sorted(root.glob("*/职工/*.yaml"))[0]
    text = wf.read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if li.startswith("身份证号:"))
    digits = line.split(":", 1)[1].strip().strip('"')
    bad = digits[:17] + ("0" if digits[17] != "0" else "1")
    text = text.replace(line, f'身份证号: "{bad}"')
    text = text.replace("性别: 男\n", "性别: 女\n", 1) if "性别: 男\n" in text else text.replace("性别: 女\n", "性别: 男\n", 1)
    wf.write_text(text, encoding="utf-8")
    rf = sorted(root.glob("*/周报/*.yaml"))[0]
    rf.write_text(rf.read_text(encoding="utf-8").replace("涉及人数: 0", "涉及人数: 5", 1), encoding="utf-8")
    problems = check_folder(root).problems
    assert any("check digit" in p for p in problems)
    assert any("涉及人数" in p for p in problems)
    generate_records(root, 5, 1, seed=2)  # restore, then break only the sex
    text = wf.read_text(encoding="utf-8")
    sex = "男" if "性别: 男\n" in text else "女"
    wf.write_text(text.replace(f"性别: {sex}\n", f"性别: {'女' if sex == '男' else '男'}\n", 1), encoding="utf-8")
    assert any("性别" in p for p in check_folder(root).problems)


def test_generation_is_deterministic(tmp_path: Path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_records(a, 40, 2, seed=3)
    generate_records(b, 40, 2, seed=3)
    generate_records(c, 40, 2, seed=4)

    def snapshot(root: Path) -> dict:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert snapshot(a) == snapshot(b)
    assert snapshot(a) != snapshot(c)


def test_many_units_get_distinct_names(tmp_path: Path):
    generate_records(tmp_path, 30, 30, weeks=False)
    names = [load(u / "单位.yaml")["填报单位"] for u in tmp_path.iterdir() if u.is_dir()]
    assert len(names) == len(set(names)) == 30
    assert sorted(load(tmp_path / "campaign.yaml")["主送"]) == sorted(names)


def test_bad_arguments_are_refused(tmp_path: Path):
    with pytest.raises(ValueError):
        generate_records(tmp_path, -1)
    with pytest.raises(ValueError):
        generate_records(tmp_path, 10, 0)


def test_command_line(tmp_path: Path, capsys):
    assert main([str(tmp_path / "out"), "--workers", "12", "--units", "2", "--no-weeks"]) == 0
    assert "12" in capsys.readouterr().out
    assert len(list((tmp_path / "out").glob("*/职工/*.yaml"))) == 12


# --- the shipped samples ------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples() -> Report:
    return check_folder(SAMPLES)


def test_samples_follow_every_rule(samples: Report):
    assert samples.problems == []


def test_samples_cover_the_required_cases(samples: Report):
    kinds = {info["kind"]: info for info in samples.units.values()}
    assert kinds["区工会"]["workers"] >= 9 and kinds["区工会"]["weeks"] == 8
    assert kinds["产业工会"]["workers"] >= 5 and kinds["产业工会"]["weeks"] == 8
    f = samples.facts
    assert f["paid 区工会"] >= 8 and f["paid 产业工会"] >= 5
    assert f["档案 脱贫"] >= 1 and f["脱贫 with 慰问"] >= 1
    assert f["family of 7"] >= 1 and f["family of 1"] >= 1
    assert f["ID lowercase x"] >= 1 and f["ID 15 digits"] >= 1 and f["member without ID"] >= 1
    assert f["child with ID"] >= 3 and f["残病 with 残疾类别"] >= 1 and f["低保 line"] >= 2
    assert f["& < > in a value"] >= 1 and f["line break in a value"] >= 1
    assert f["家庭年人均收入 typed"] >= 1 and f["家庭年人均收入 omitted"] >= 1
    assert f["week all zero"] >= 2 and f["week with 案例说明"] >= 2
    assert samples.date_forms == {0, 1, 2, 3}


def test_samples_have_unquoted_ids_read_as_integers():
    found = 0
    for wf in SAMPLES.glob("*/职工/*.yaml"):
        data = yaml.safe_load(wf.read_text(encoding="utf-8"))
        found += isinstance(data["身份证号"], int)
    assert found >= 2


# --- with formkit's own validator -------------------------------------------------------


def _errors(root: Path) -> list[str]:
    result = load_records(root)
    return [p.format(root) for p in result.problems if p.is_error]


def _warnings(root: Path) -> set[str]:
    """Fields that formkit warns about (the field name only: messages are its own wording)."""
    return {p.field for p in load_records(root).problems if not p.is_error}


def test_validator_accepts_samples():
    assert _errors(SAMPLES) == []
    # the only warning expected: the 脱贫 archive that still carries a 慰问 block
    assert _warnings(SAMPLES) == {"档案状态"}


def test_validator_accepts_generated(generated: Path):
    assert _errors(generated) == []
    assert _warnings(generated) <= {"档案状态"}
