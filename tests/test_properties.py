"""Property tests of the worker records (issue 7, "Property tests").

1. For any generated valid worker, ``render`` then reading the documents back yields every
   typed value, each in the cell its printed label says (附件1 voucher, 附件3 form).
2. For any single-field mutation of a valid worker into an invalid value, ``check`` reports an
   error naming that field (dotted, 1-based list positions: ``家庭成员[2].身份证号``) at the
   line of that key.
3. For any generated worker with errors, no problem text holds a full ID or phone number.

The workers are drawn over the 填表说明 vocabularies (formkit.domain.vocab), with ID numbers that
carry a GB 11643-1999 check digit (formkit.domain.idcard.check_digit), names in CJK including
Extension B and with the middle dot, free text with ``& < >`` and line breaks, money from
0.01 yuan, families of 0–8 members. The expected printed forms are computed here, from the
generated values (``2012年1月6日``, ``1409.50``, the 18-digit ID), not taken from formkit.

The YAML files are written by a small emitter below that quotes every scalar (JSON strings
are YAML double-quoted scalars) or, for some files, leaves it unquoted wherever YAML allows
(as clerks type: ``身份证号: 350203196205142107``, ``邮政编码: 061000``), and records the line
of every key and list item, so the expected line of a problem does not come from formkit's
own YAML reader.

CI-friendly: fixed seed (``derandomize``), bounded example counts (about 20 s in all on one
core), no deadline. ``FORMKIT_PROPERTY_SCALE=10`` multiplies the example counts for a deeper
run by hand. The amount round-trip and voucher-box properties live in tests/test_amounts.py
and are not repeated. All data is generated and fictional.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st

from conftest import ROOT, TEMPLATES
from docxread import grid, squash, tables
from formkit import api
from formkit.domain import annexes
from formkit.domain.idcard import check_digit
from formkit.domain.models import Worker, known_keys
from formkit.domain.vocab import (
    ArchiveStatus,
    DifficultyCategory,
    EmployerNature,
    EnterpriseCondition,
    Ethnicity,
    FamilyMemberStatus,
    FloorArea,
    HardshipCause,
    HealthStatus,
    HouseholdType,
    HousingType,
    Industry,
    MaritalStatus,
    ModelWorkerType,
    PoliticalStatus,
    Relationship,
    Vocabulary,
    WorkerStatus,
)

SAMPLE_CAMPAIGN = ROOT / "records" / "campaign.yaml"
SAMPLE_UNIT = ROOT / "records" / "思明区总工会" / "单位.yaml"
UNIT_DIR = "思明区总工会"  # the unit's folder; its 填报单位 names the output folder too

#: Multiplies every example count (e.g. FORMKIT_PROPERTY_SCALE=20 for a deeper run by hand).
SCALE = max(1, int(os.environ.get("FORMKIT_PROPERTY_SCALE", "1")))
_COMMON = dict(
    # No "explain" phase: it re-runs a failing case many times (minutes for the render
    # property); shrinking stays, so a failure is reported as a minimal example.
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --------------------------------------------------------------------------------------
# Writing records: every scalar quoted, the line of every key and list item known
# --------------------------------------------------------------------------------------

Loc = tuple[Any, ...]
HEADER = "# 虚构测试数据（hypothesis 生成），如有雷同纯属巧合。"


_NOT_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")


def plain_ok(text: str) -> bool:
    """True when *text* can be written as a YAML plain scalar and read back as the same text."""
    return (
        text != ""
        and text == text.strip()
        and text[0] not in _NOT_PLAIN_START
        and "\n" not in text
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and text not in ("~", "null", "Null", "NULL")
    )


def to_yaml(record: dict[str, Any], plain: bool = False) -> tuple[str, dict[Loc, int]]:
    """Write *record* as block YAML; return the text and the 1-based line of each key/item.

    Scalars are JSON strings (valid YAML double-quoted scalars), or, with *plain*, unquoted
    wherever YAML allows (as a clerk types them: ``身份证号: 350203196205142107``,
    ``邮政编码: 061000``, ``备注: yes``); None is an empty value.
    """
    lines = [HEADER]
    where: dict[Loc, int] = {}

    def scalar(value: Any) -> str:
        if plain and plain_ok(value):
            return value
        return json.dumps(value, ensure_ascii=False)

    def mapping(m: dict[str, Any], indent: int, loc: Loc, first: str | None = None) -> None:
        for n, (key, value) in enumerate(m.items()):
            prefix = first if (n == 0 and first is not None) else " " * indent
            where[loc + (key,)] = len(lines) + 1
            if isinstance(value, dict):
                lines.append(f"{prefix}{key}:")
                mapping(value, indent + 2, loc + (key,))
            elif isinstance(value, list):
                if not value:
                    lines.append(f"{prefix}{key}: []")
                    continue
                lines.append(f"{prefix}{key}:")
                for i, item in enumerate(value):
                    where[loc + (key, i)] = len(lines) + 1
                    dash = " " * (indent + 2) + "- "
                    if isinstance(item, dict):
                        mapping(item, indent + 4, loc + (key, i), first=dash)
                    else:
                        lines.append(dash + scalar(item))
            elif value is None:
                lines.append(f"{prefix}{key}:")
            else:
                lines.append(f"{prefix}{key}: {scalar(value)}")

    mapping(record, 0, ())
    return "\n".join(lines) + "\n", where


def dotted(loc: Loc) -> str:
    """``("家庭成员", 1, "性别")`` → ``家庭成员[2].性别`` (the convention of Problem.field)."""
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else ("." if text else "") + part
    return text


def fresh_records(base: Path) -> Path:
    """An empty records folder with the sample campaign.yaml and one unit's 单位.yaml."""
    if base.exists():
        shutil.rmtree(base)
    (base / UNIT_DIR / "职工").mkdir(parents=True)
    shutil.copy(SAMPLE_CAMPAIGN, base / "campaign.yaml")
    shutil.copy(SAMPLE_UNIT, base / UNIT_DIR / "单位.yaml")
    return base


def write_worker(records: Path, stem: str, record: dict[str, Any], plain: bool = False) -> tuple[Path, dict[Loc, int]]:
    text, where = to_yaml(record, plain)
    path = records / UNIT_DIR / "职工" / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    return path, where


def problems_text(problems) -> str:
    return "\n".join(f"{p.path.name}:{p.line}: {p.field} — {p.message} [{p.severity}]" for p in problems)


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------

#: County-level GB/T 2260 codes (Xiamen's districts, old and new, and a few elsewhere).
ADDRESS_CODES = (
    "350203", "350206", "350211", "350205", "350212", "350213",
    "350202", "350204", "110101", "310115", "440305", "510107",
)  # fmt: skip
DIGITS_UPPER = "零壹贰叁肆伍陆柒捌玖"

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
ext_b = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6D6)  # CJK Extension B
cjk_any = st.one_of(cjk, ext_b, st.sampled_from("𠮷𡈽𤭢𠀀"))
name_part = st.text(cjk_any, min_size=1, max_size=4)
#: 姓名: CJK (Extension B included), parts joined by the middle dot (阿卜杜·热合曼).
names = st.lists(name_part, min_size=1, max_size=3).map("·".join)

_printable = st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co", "Zl", "Zp", "Cf"))
_free_alphabet = st.one_of(
    st.sampled_from("&<>&amp;\"'#:-[]{}|*!%@`,?\\/\n  　"),
    cjk,
    ext_b,
    st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    _printable,
)
_text_piece = st.text(_free_alphabet, min_size=1, max_size=20)
#: Free text: XML specials, YAML specials, line breaks, CJK, anything printable.
free_text = st.one_of(
    _text_piece,
    st.builds(
        lambda a, sep, b: a + sep + b,
        _text_piece,
        st.sampled_from(("\n", "\n\n", "&", " < ", ">", "&lt;", "{{ 姓名 }}", "{%", "]]>", "<w:br/>", "\\n", "None")),
        _text_piece,
    ),
).filter(lambda s: s.strip() != "")


def pick(vocabulary: type[Vocabulary]) -> st.SearchStrategy[str]:
    return st.sampled_from(vocabulary.labels())


def maybe(strategy: st.SearchStrategy[Any], p_none: bool = True) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy) if p_none else strategy


def zh(d: date) -> str:
    """The printed form of a date, 2012年1月6日 (year, month and day without zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


@st.composite
def typed_date(draw, low: date, high: date) -> tuple[str, date]:
    """A date in one of the forms records.md accepts, and the date."""
    d = draw(st.dates(min_value=low, max_value=high))
    form = draw(st.sampled_from(("iso", "dots", "slashes", "zh", "zh_spaced", "fullwidth")))
    text = {
        "iso": d.isoformat(),
        "dots": f"{d.year}.{d.month}.{d.day}",
        "slashes": f"{d.year}/{d.month}/{d.day}",
        "zh": f"{d.year}年{d.month}月{d.day}日",
        "zh_spaced": f"{d.year} 年 {d.month:02d} 月 {d.day} 日",
        "fullwidth": fullwidth(f"{d.year}年{d.month}月{d.day}日"),
    }[form]
    return text, d


def fullwidth(text: str) -> str:
    """ASCII digits and letters as their full-width forms (pasted from a Chinese spreadsheet)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def yuan(cents: int) -> str:
    """The printed form of an amount: yuan with two decimals, no separators."""
    return f"{cents // 100}.{cents % 100:02d}"


@st.composite
def typed_money(draw, low: int = 0, high: int = 99_999_999) -> tuple[str, int]:
    """An amount in cents, typed as a string in a form a clerk uses."""
    cents = draw(st.integers(low, high))
    whole, frac = divmod(cents, 100)
    forms = [f"{whole}.{frac:02d}", f"￥{whole}.{frac:02d}", f"{whole:,}.{frac:02d}", fullwidth(f"{whole}.{frac:02d}")]
    if frac % 10 == 0:
        forms.append(f"{whole}.{frac // 10}")
    if frac == 0:
        forms.append(str(whole))
    return draw(st.sampled_from(forms)), cents


@dataclass
class Person:
    """An ID number as typed and what it says."""

    typed: str
    number18: str
    birth: date
    sex: str

    @property
    def printed(self) -> str:
        """What the forms print: the number as typed, folded in width and case (15 digits stay 15)."""
        return _compact(self.typed)


class IdPool:
    """Hands out sequence codes so that no two people of one example share an ID number."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def body(self, address: str, birth: date, k: int, sex: str) -> str:
        for step in range(500):
            seq = (2 * ((k + step) % 500) + (1 if sex == "男" else 0)) % 1000
            body = f"{address}{birth:%Y%m%d}{seq:03d}"
            if body not in self.used:
                self.used.add(body)
                return body
        raise AssertionError("sequence codes exhausted")  # pragma: no cover


@st.composite
def person(draw, pool: IdPool, low: date, high: date, sex: str | None = None) -> Person:
    """A person with a valid ID number (GB 11643-1999), typed in one of the accepted ways."""
    sex = sex or draw(st.sampled_from(("男", "女")))
    birth = draw(st.dates(min_value=low, max_value=high))
    address = draw(st.sampled_from(ADDRESS_CODES))
    body = pool.body(address, birth, draw(st.integers(0, 499)), sex)
    number = body + check_digit(body)
    forms = ["18", "spaced", "fullwidth"]
    if number.endswith("X"):
        forms.append("lower")
    if birth.year < 2000 and body[14:17] not in ("996", "997", "998", "999"):
        forms.append("15")
    form = draw(st.sampled_from(forms))
    typed = {
        "18": number,
        "lower": number.lower(),
        "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
        "fullwidth": fullwidth(number),
        "15": body[:6] + body[8:17],
    }[form]
    return Person(typed, number, birth, sex)


phones = st.one_of(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"0592-[2-8][0-9]{6}", fullmatch=True),
    st.from_regex(r"0592 [2-8][0-9]{6}", fullmatch=True),
)
postcodes = st.from_regex(r"[0-9]{6}", fullmatch=True)
DIVISIONS = ("福建省厦门市思明区", "福建省泉州市晋江市", "北京市朝阳区", "上海市浦东新区", "广西壮族自治区南宁市青秀区")
divisions = st.builds(lambda a, b: a + b, st.sampled_from(DIVISIONS), st.one_of(st.just(""), st.text(cjk, max_size=6)))


@dataclass
class Generated:
    """A worker as typed (the YAML record) and the text each field must print as."""

    record: dict[str, Any]
    person: Person
    printed: dict[str, str]  # 附件3 key → printed text
    family: list[dict[str, str]]  # printed family rows (附件3 第18项)
    attachments: list[tuple[str, str]]
    voucher: dict[str, str] | None  # None: no voucher expected
    persons: list[Person] = field(default_factory=list)  # the worker and every member with an ID


_SEXED = {"男": ("父亲", "丈夫", "儿子", "其他"), "女": ("母亲", "妻子", "女儿", "其他")}


@st.composite
def family_member(draw, pool: IdPool, full: bool) -> tuple[dict[str, Any], dict[str, str], Person | None]:
    sex = draw(st.sampled_from(("男", "女")))
    relation = draw(st.sampled_from(_SEXED[sex]))
    has_id = full or draw(st.booleans())
    who = draw(person(pool, date(1920, 1, 1), date(2011, 11, 30), sex)) if has_id else None
    birth = who.birth if who else draw(st.dates(date(1920, 1, 1), date(2011, 11, 30)))
    typed_birth = draw(st.sampled_from(("iso", "zh", None))) if not full else "iso"
    income = draw(maybe(typed_money(0, 9_999_99), not full))
    rec: dict[str, Any] = {
        "姓名": draw(names),
        "关系": relation,
        "性别": sex if (full or who is None or draw(st.booleans())) else None,
        "政治面貌": draw(maybe(pick(PoliticalStatus), not full)),
        "出生日期": None if typed_birth is None else (birth.isoformat() if typed_birth == "iso" else zh(birth)),
        "身份证号": who.typed if who else None,
        "健康状况": draw(maybe(pick(HealthStatus), not full)),
        "月收入": income[0] if income else None,
        "身份": draw(maybe(pick(FamilyMemberStatus), not full)),
        "单位或学校": draw(maybe(free_text, not full)),
    }
    if not full:  # leave some keys out altogether, as clerks do
        rec = {k: v for k, v in rec.items() if v is not None or draw(st.booleans())}
    printed = {
        "姓名": rec["姓名"].strip(),
        "关系": relation,
        "性别": sex if (rec.get("性别") or who) else "",
        "政治面貌": rec.get("政治面貌") or "",
        "出生日期": zh(birth) if (rec.get("出生日期") or who) else "",
        "身份证号": who.printed if who else "",
        "健康状况": rec.get("健康状况") or "",
        "月收入": yuan(income[1]) if income else "",
        "身份": rec.get("身份") or "",
        "单位或学校": (rec.get("单位或学校") or "").strip(),
    }
    return rec, printed, who


@st.composite
def workers(draw, pool: IdPool, number: str, full: bool = False) -> Generated:
    """A valid worker record (no errors; warnings allowed) and its expected printed values.

    Args:
        pool: the example's ID pool (no two people share a number).
        number: the 档案编号.
        full: every key present, at least one family member, every member with an ID, a
            慰问 with a 低保 line (the base of the mutation property).
    """
    sex = draw(st.sampled_from(("男", "女")))
    who = draw(person(pool, date(1945, 1, 1), date(1993, 12, 31), sex))
    o = lambda s: draw(maybe(s, not full))  # noqa: E731 - an optional value
    health = draw(pick(HealthStatus))
    disability = draw(free_text) if health == "残病" else o(free_text)
    ethnicity = draw(pick(Ethnicity))
    ethnicity_typed = ethnicity if full or draw(st.booleans()) else ethnicity[:-1]  # 汉 for 汉族
    work = draw(typed_date(who.birth + timedelta(days=366 * 17), date(2011, 11, 30)))
    n_family = draw(st.integers(1 if full else 0, 8))
    members = [draw(family_member(pool, full)) for _ in range(n_family)]
    total = draw(typed_money(0, 99_999_999))
    own = draw(typed_money(0, 9_999_999))
    size = n_family + 1
    per_head = (Decimal(total[1]) / 100 / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    causes = draw(st.lists(pick(HardshipCause), min_size=1, max_size=3, unique=True))
    causes_typed: Any = causes if full or draw(st.booleans()) else "、".join(causes)
    attachments = draw(st.lists(st.tuples(free_text, maybe(free_text, not full)), max_size=3))
    typed_sex = sex if full or draw(st.booleans()) else None
    typed_birth = who.birth.isoformat() if full or draw(st.booleans()) else None
    yes_no = {k: draw(st.sampled_from(("是", "否"))) for k in ("是否单亲", "是否进入医保", "是否有一定自救能力", "是否为零就业家庭")}

    rec: dict[str, Any] = {
        "档案编号": number,
        "困难类别": draw(pick(DifficultyCategory)),
        "姓名": draw(names),
        "民族": ethnicity_typed,
        "性别": typed_sex,
        "政治面貌": o(pick(PoliticalStatus)),
        "出生日期": typed_birth,
        "身份证号": who.typed,
        "健康状况": health,
        "残疾类别": disability,
        "身份": o(pick(WorkerStatus)),
        "劳模类型": o(pick(ModelWorkerType)),
        "住房类型": o(pick(HousingType)),
        "建筑面积": o(pick(FloorArea)),
        "邮政编码": o(postcodes),
        "联系电话": draw(phones) if full else o(phones),
        "工作时间": work[0],
        "所属行业": o(pick(Industry)),
        "婚姻状况": o(pick(MaritalStatus)),
        "户口类型": o(pick(HouseholdType)),
        "家庭住址": draw(free_text),
        "工作单位": o(free_text),
        "单位性质": o(pick(EmployerNature)),
        "企业状况": o(pick(EnterpriseCondition)),
        "是否单亲": yes_no["是否单亲"],
        "本人月平均收入": own[0],
        "家庭年度总收入": total[0],
        "家庭人口": str(size),
        "家庭年人均收入": format(per_head, "f") if full or draw(st.booleans()) else None,
        "户口所在地行政区划": draw(divisions),
        "是否进入医保": yes_no["是否进入医保"],
        "家庭成员": [m[0] for m in members],
        "是否有一定自救能力": yes_no["是否有一定自救能力"],
        "是否为零就业家庭": yes_no["是否为零就业家庭"],
        "致困主要原因": causes_typed,
        "所附附件": [{"附件类型": a, "附件文件": b} for a, b in attachments],
        "备注": o(free_text),
        "档案状态": "在档" if full else draw(st.sampled_from(("在档", "在档", "在档", "脱贫"))),
    }
    paid = full or draw(st.integers(0, 5)) > 0
    voucher = None
    if paid:
        amount = draw(typed_money(1, 999_999))
        dibao = None
        if full or draw(st.booleans()):
            start = draw(typed_date(date(2010, 1, 1), date(2011, 12, 31)))
            end = draw(typed_date(start[1], date(2012, 12, 31)))
            monthly = draw(typed_money(1, 99_999))
            dibao = {"起": start[0], "止": end[0], "每月": monthly[0]}
        other = o(free_text.filter(lambda s: not s.rstrip().endswith(("。", "."))))
        stem = draw(st.text(cjk, min_size=1, max_size=4).filter(lambda s: not s.endswith(("街道", "镇", "办事处"))))
        street_suffix = draw(st.sampled_from(("街道", "镇", "")))
        pay: dict[str, Any] = {
            "资助金额": amount[0],
            "帮扶项目": draw(st.sampled_from(("生活救助", "助学救助", "医疗救助"))),
            "资金来源": draw(st.sampled_from(("中央财政帮扶专项资金", "送温暖工程资金"))),
            "低保": dibao,
            "其它帮扶措施": other,
            "街道": stem + street_suffix if full or draw(st.booleans()) else None,
            "居住地址": o(free_text),
            "所在单位": o(free_text),
            "致困原因": o(free_text),
            "发放日期": draw(typed_date(date(2011, 12, 1), date(2011, 12, 31)))[0] if full else o(st.just("2011-12-20")),
        }
        if dibao is None and not full:
            del pay["低保"]
        rec["慰问"] = pay
        if rec["档案状态"] == "在档":
            strip = lambda v: (v or "").strip()  # noqa: E731
            voucher = {
                "姓名": rec["姓名"].strip(),
                "性别": sex,
                "困难职工档案编号": number,
                "身份证号": who.printed,
                "联系电话": strip(rec["联系电话"]),
                "居住地址": strip(pay["居住地址"]) or strip(rec["家庭住址"]),
                "所在单位": strip(pay["所在单位"]) or strip(rec["工作单位"]),
                "致困原因": strip(pay["致困原因"]) or "、".join(causes),
                "低保": "" if dibao is None else f"{zh(start[1])}至{zh(end[1])}每月领低保金{yuan(monthly[1])}元",
                "其它帮扶措施": strip(other),
                "街道": stem if pay["街道"] else "",
                "资助金额": yuan(amount[1]),
                "大写位": _boxes(amount[1]),
            }
    if not full:
        rec = {k: v for k, v in rec.items() if v is not None or draw(st.booleans())}

    def text(key: str) -> str:
        return (rec.get(key) or "").strip()

    printed = {
        "困难类别": rec["困难类别"],
        "姓名": rec["姓名"].strip(),
        "民族": ethnicity,
        "性别": sex,
        "政治面貌": text("政治面貌"),
        "出生日期": zh(who.birth),
        "身份证号": who.printed,
        "健康状况": health,
        "残疾类别": text("残疾类别"),
        "身份": text("身份"),
        "劳模类型": text("劳模类型"),
        "住房类型": text("住房类型"),
        "建筑面积": text("建筑面积"),
        "邮政编码": text("邮政编码"),
        "联系电话": text("联系电话"),
        "工作时间": zh(work[1]),
        "所属行业": text("所属行业"),
        "婚姻状况": text("婚姻状况"),
        "户口类型": text("户口类型"),
        "家庭住址": text("家庭住址"),
        "工作单位": text("工作单位"),
        "单位性质": text("单位性质"),
        "企业状况": text("企业状况"),
        "是否单亲": yes_no["是否单亲"],
        "本人月平均收入": yuan(own[1]),
        "家庭年度总收入": yuan(total[1]),
        "家庭人口": str(size),
        "家庭年人均收入": format(per_head, "f"),
        "户口所在地行政区划": rec["户口所在地行政区划"].strip(),
        "是否进入医保": yes_no["是否进入医保"],
        "是否有一定自救能力": yes_no["是否有一定自救能力"],
        "是否为零就业家庭": yes_no["是否为零就业家庭"],
        "致困主要原因": "、".join(causes),
        "备注": text("备注"),
    }
    return Generated(
        record=rec,
        person=who,
        printed=printed,
        family=[m[1] for m in members],
        attachments=[(a.strip(), (b or "").strip()) for a, b in attachments],
        voucher=voucher,
        persons=[who] + [m[2] for m in members if m[2] is not None],
    )


def _boxes(cents: int) -> str:
    """What the voucher prints with its 仟佰拾元角分 boxes: the amount's digits in uppercase,
    the stop mark ⊗ just above the highest digit of the yuan (元 always has one), blank
    further left: 25.00 → ``仟⊗佰贰拾伍元零角零分``."""
    whole = str(cents // 100)
    digits = [""] * (3 - len(whole)) + ["⊗"] * (len(whole) < 4) + [DIGITS_UPPER[int(c)] for c in whole + f"{cents % 100:02d}"]
    return "".join(d + place for d, place in zip(digits, "仟佰拾元角分"))


# --------------------------------------------------------------------------------------
# Reading the documents back
# --------------------------------------------------------------------------------------

#: 附件3's printed labels (with the 填表说明 item number the form prints) for each key.
REGISTRATION_LABELS = {
    "姓名": "姓名", "民族": "民族", "性别": "性别", "政治面貌": "2政治面貌",
    "出生日期": "出生日期", "身份证号": "3身份证号", "健康状况": "4健康状况", "残疾类别": "残疾类别",
    "身份": "5身份", "劳模类型": "6劳模类型", "住房类型": "7住房类型", "建筑面积": "8建筑面积",
    "邮政编码": "邮政编码", "联系电话": "联系电话", "工作时间": "9工作时间", "所属行业": "10所属行业",
    "婚姻状况": "11婚姻状况", "户口类型": "12户口类型", "家庭住址": "家庭住址", "工作单位": "工作单位",
    "单位性质": "13单位性质", "企业状况": "14企业状况", "是否单亲": "15是否单亲",
    "本人月平均收入": "本人月平均收入", "家庭年度总收入": "家庭年度总收入", "家庭人口": "家庭人口",
    "家庭年人均收入": "家庭年人均收入", "户口所在地行政区划": "16户口所在地行政区划",
    "是否进入医保": "17是否进入医保",
}  # fmt: skip
#: Labels whose value is printed in the cell to their right.
REGISTRATION_RIGHT = {
    "困难类别": "1困难类别",
    "是否有一定自救能力": "19是否有一定自救能力",
    "是否为零就业家庭": "20是否为零就业家庭",
    "致困主要原因": "21致困主要原因",
    "备注": "备注",
}
FAMILY_COLUMNS = ("姓名", "关系", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "月收入", "身份", "单位或学校")


def _find(rows: list[list[str]], label: str, *, last: bool = False, prefix: bool = False) -> tuple[int, int]:
    found = [
        (r, c)
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
        if squash(text) == label or (prefix and squash(text).startswith(label))
    ]
    if not found:
        raise AssertionError(f"label {label} not on the form")
    return found[-1] if last else found[0]


def check_registration(path: Path, gen: Generated) -> None:
    """附件3 read back: every value in its cell; the family rows and the 备注 that continue on
    the continuation page (forms.pages.split_registration), read from its table."""
    found = tables(path)
    rows = grid(found[0]).rows
    more = grid(found[1]).rows if len(found) > 1 else []
    for key, label in REGISTRATION_LABELS.items():
        r, c = _find(rows, label)
        assert rows[r + 1][c] == gen.printed[key], f"附件3 {key}"
    for key, label in REGISTRATION_RIGHT.items():
        r, c = _find(rows, label, last=key == "备注")  # the last row: a name may read 备注
        printed = rows[r][c + 1]
        if key == "备注" and "（转续页）" in printed:
            r2, c2 = _find(more, "备注（续）")
            assert squash(printed.replace("（转续页）", "")) + squash(more[r2][c2 + 1]) == squash(gen.printed[key]), "附件3 备注"
            continue
        assert printed == gen.printed[key], f"附件3 {key}"
    header, _ = _find(rows, "18家庭成员关系", prefix=True)
    cells = [squash(c) for c in rows[header]]
    start = cells.index("姓名")
    assert tuple(cells[start : start + len(FAMILY_COLUMNS)]) == FAMILY_COLUMNS
    next_section, _ = _find(rows, "19是否有一定自救能力")
    printed_family = [row[start : start + len(FAMILY_COLUMNS)] for row in rows[header + 1 : next_section]]
    if more and any(squash(c).startswith("18家庭成员关系") for row in more for c in row):
        top, _ = _find(more, "18家庭成员关系（续）")
        for row in more[top + 1 :]:
            if squash(row[0]) == "备注（续）":
                break
            printed_family.append(row[start : start + len(FAMILY_COLUMNS)])
    for i, member in enumerate(gen.family):
        assert printed_family[i] == [member[k] for k in FAMILY_COLUMNS], f"附件3 家庭成员第{i + 1}行"
    for row in printed_family[len(gen.family) :]:
        assert squash("".join(row)) == "", "only blank rows after the family"
    top, c = _find(rows, "附件类型")
    for i, (kind, filename) in enumerate(gen.attachments):
        assert rows[top + 1 + i][c : c + 2] == [kind, filename], f"附件3 所附附件第{i + 1}行"


def check_voucher(path: Path, gen: Generated) -> None:
    expected = gen.voucher
    assert expected is not None
    rows = grid(tables(path)[0]).rows
    for key in ("姓名", "性别", "困难职工档案编号", "身份证号", "联系电话", "居住地址", "所在单位", "致困原因"):
        r, c = _find(rows, key)
        assert rows[r][c + 1] == expected[key], f"附件1 {key}"
    r, c = _find(rows, "享受低保情况")
    line = rows[r][c + 1]
    if expected["低保"]:
        assert expected["低保"] in squash(line), "附件1 享受低保情况"
    if expected["其它帮扶措施"]:
        assert f"其它帮扶措施：{expected['其它帮扶措施']}。" in line, "附件1 其它帮扶措施"
    if expected["街道"]:
        assert f"{expected['街道']}街道（镇）（盖章）" in squash(line), "附件1 街道"
    everything = squash("".join("".join(row) for row in rows))
    assert f"￥：{expected['资助金额']}" in everything, "附件1 资助金额"
    assert expected["大写位"] in everything, "附件1 大写金额格"


# --------------------------------------------------------------------------------------
# 1. render, read back: every value
# --------------------------------------------------------------------------------------


@st.composite
def unit_of_workers(draw, min_size: int = 1, max_size: int = 4) -> list[Generated]:
    pool = IdPool()
    count = draw(st.integers(min_size, max_size))
    prefix = draw(st.sampled_from(("PT-", "思明2011-", "0")))
    return [draw(workers(pool, f"{prefix}{i + 1:03d}")) for i in range(count)]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


def coverage(batch: list[Generated]) -> set[str]:
    """What an example exercises (shown by ``pytest --hypothesis-show-statistics``)."""
    typed = json.dumps([g.record for g in batch], ensure_ascii=False)
    names_ = "".join(g.record["姓名"] for g in batch)
    labels = {
        "line break": "\\n" in typed,
        "& < >": any(c in typed for c in "&<>"),
        "Extension B name": any(ord(c) >= 0x20000 for c in names_),
        "middle dot name": "·" in names_,
        "family of 6+": any(len(g.family) > 5 for g in batch),
        "voucher": any(g.voucher for g in batch),
        "15-digit ID": any(len(_compact(p.typed)) == 15 for g in batch for p in g.persons),
    }
    return {label for label, seen in labels.items() if seen}


@settings(max_examples=20 * SCALE, **_COMMON)
@given(batch=unit_of_workers(), plain=st.lists(st.booleans(), min_size=4, max_size=4))
def test_render_then_read_back_yields_every_value(scratch: Path, batch: list[Generated], plain: list[bool]) -> None:
    records = fresh_records(scratch / "records")
    for gen, unquoted in zip(batch, plain):
        write_worker(records, f"{gen.record['档案编号']}", gen.record, unquoted)
    for label in coverage(batch):
        event(label)
    record_set = api.check(records)
    assert record_set.errors == [], problems_text(record_set.errors)

    out = scratch / "out"
    if out.exists():
        shutil.rmtree(out)
    api.render(record_set, out, templates=TEMPLATES)
    unit_out = out / record_set.units[0].unit.name
    for gen in batch:
        number = gen.record["档案编号"]
        [form] = (unit_out / annexes.REGISTRATION.folder).glob(f"{number}_*.docx")
        check_registration(form, gen)
        vouchers = list((unit_out / annexes.VOUCHER.folder).glob(f"{number}_*.docx"))
        if gen.voucher is None:
            assert vouchers == [], f"{number}: no voucher for an unpaid or 脱贫 archive"
        else:
            assert len(vouchers) == 1
            check_voucher(vouchers[0], gen)


# --------------------------------------------------------------------------------------
# 2. one field made invalid: check names that field, at its line
# --------------------------------------------------------------------------------------

#: Vocabulary fields of the worker (key → vocabulary) and of a family member.
WORKER_VOCAB = {
    "困难类别": DifficultyCategory, "民族": Ethnicity, "政治面貌": PoliticalStatus,
    "健康状况": HealthStatus, "身份": WorkerStatus, "劳模类型": ModelWorkerType,
    "住房类型": HousingType, "建筑面积": FloorArea, "所属行业": Industry,
    "婚姻状况": MaritalStatus, "户口类型": HouseholdType, "单位性质": EmployerNature,
    "企业状况": EnterpriseCondition, "档案状态": ArchiveStatus,
}  # fmt: skip
MEMBER_VOCAB = {"关系": Relationship, "政治面貌": PoliticalStatus, "健康状况": HealthStatus, "身份": FamilyMemberStatus}
YES_NO_KEYS = ("是否单亲", "是否进入医保", "是否有一定自救能力", "是否为零就业家庭")
MONEY_LOCS = (("本人月平均收入",), ("家庭年度总收入",), ("家庭年人均收入",), ("慰问", "资助金额"), ("慰问", "低保", "每月"))
DATE_LOCS = (("出生日期",), ("工作时间",), ("慰问", "发放日期"), ("慰问", "低保", "起"), ("慰问", "低保", "止"))
ALL_VOCAB_LABELS = sorted({label for v in (*WORKER_VOCAB.values(), *MEMBER_VOCAB.values()) for label in v.labels()})


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("其它", "其他").replace(" ", "")


def not_in(vocabulary: type[Vocabulary]) -> st.SearchStrategy[str]:
    """Text that names no value of *vocabulary* (nor an accepted short form)."""
    accepted = {_fold(x) for x in (*vocabulary.labels(), *vocabulary.aliases)}
    return st.one_of(
        st.sampled_from(ALL_VOCAB_LABELS),
        st.text(st.characters(min_codepoint=0x61, max_codepoint=0x7A), min_size=1, max_size=8),
        st.builds(lambda a, b: a + b, st.sampled_from(vocabulary.labels()), st.sampled_from(("吗", "xx", "类", "2"))),
        free_text,
    ).filter(lambda s: s.strip() != "" and _fold(s) not in accepted and s.strip() not in ("true", "false", "是", "否"))


def bad_dates() -> st.SearchStrategy[str]:
    """Dates that do not exist, in the accepted forms."""
    impossible = st.sampled_from(((2011, 2, 29), (2011, 2, 30), (2010, 4, 31), (2011, 13, 1), (2011, 0, 10), (2011, 6, 0), (1999, 11, 31)))
    return st.builds(
        lambda ymd, form: form.format(*ymd),
        impossible,
        st.sampled_from(("{0}-{1:02d}-{2:02d}", "{0}.{1}.{2}", "{0}/{1}/{2}", "{0}年{1}月{2}日")),
    )


bad_money = st.one_of(
    st.builds(lambda c: f"-{yuan(c)}", st.integers(1, 99_999_99)),
    st.builds(lambda c, d: f"{yuan(c)}{d}", st.integers(0, 99_999_99), st.integers(1, 9)),  # 3 decimals
    st.sampled_from(("abc", "十元", "五百", "1.2.3", "12元5角", "N/A", "--")),
)


def bad_ids(valid18: str) -> st.SearchStrategy[str]:
    """ID numbers that fail GB 11643-1999: check digit, length or birth date."""
    body = valid18[:17]
    wrong_check = st.sampled_from([c for c in "0123456789X" if c != valid18[17]]).map(lambda c: body + c)
    lengths = st.sampled_from([n for n in range(5, 23) if n not in (15, 18)])
    wrong_length = lengths.map(lambda n: (valid18 * 2)[:n] if n < 18 else valid18 + "1234"[: n - 18])

    def impossible(ymd: str) -> str:
        b = body[:6] + ymd + body[14:17]
        return b + check_digit(b)

    wrong_date = st.sampled_from(("19800230", "19811301", "19750000", "19790431", "19000229")).map(impossible)
    return st.one_of(wrong_check, wrong_length, wrong_date)


def typo_of(key: str, known: set[str]) -> st.SearchStrategy[str]:
    """An unknown key one edit away from *key* (a clerk's typo)."""
    fillers = "的地号码字名"

    def edits(i: int, ch: str, kind: str) -> str:
        i %= len(key)
        if kind == "delete" and len(key) > 1:
            return key[:i] + key[i + 1 :]
        if kind == "insert":
            return key[:i] + ch + key[i:]
        return key[:i] + ch + key[i + 1 :]

    return st.builds(edits, st.integers(0, 20), st.sampled_from(fillers), st.sampled_from(("delete", "insert", "replace"))).filter(
        lambda k: k not in known and k != key
    )


@dataclass
class Mutation:
    loc: Loc  # where the problem must be reported
    description: str
    others: list[dict[str, Any]] = field(default_factory=list)  # other workers of the unit


def _get(record: dict[str, Any], loc: Loc) -> Any:
    value: Any = record
    for part in loc:
        value = value[part]
    return value


def _set(record: dict[str, Any], loc: Loc, value: Any) -> None:
    _get(record, loc[:-1])[loc[-1]] = value


def _rename(mapping: dict[str, Any], old: str, new: str) -> None:
    items = list(mapping.items())
    mapping.clear()
    for k, v in items:
        mapping[new if k == old else k] = v


#: The kinds of single-field mutation; each is tried on its own examples (even coverage).
MUTATIONS = (
    "vocab", "member_vocab", "yes_no", "id", "member_id", "money", "member_money", "amount_range",
    "date", "member_date", "sex", "birth_vs_id", "member_sex", "member_relation", "member_same_as_worker",
    "member_duplicate_id", "work_before_birth", "dibao_order", "per_head", "disability_missing",
    "causes", "unknown_key", "member_unknown_key", "nested_unknown_key", "postcode", "phone",
    "household_size", "division", "required", "not_a_value", "same_id_as_another", "same_number_as_another",
)  # fmt: skip


@st.composite
def mutated_worker(draw, kind: str) -> tuple[Generated, Mutation]:
    """A full valid worker with one field made invalid (*kind*), and where check must report it."""
    pool = IdPool()
    gen = draw(workers(pool, "PT-001", full=True))
    rec = gen.record
    family = rec["家庭成员"]
    i = draw(st.integers(0, len(family) - 1))
    member_loc: Loc = ("家庭成员", i)
    member = family[i]

    def done(loc: Loc, note: str = "") -> tuple[Generated, Mutation]:
        return gen, Mutation(loc, f"{kind}/{note}" if note else kind)

    if kind == "vocab":
        key = draw(st.sampled_from(sorted(WORKER_VOCAB)))
        rec[key] = draw(not_in(WORKER_VOCAB[key]))
        return done((key,))
    if kind == "member_vocab":
        key = draw(st.sampled_from(sorted(MEMBER_VOCAB)))
        member[key] = draw(not_in(MEMBER_VOCAB[key]))
        return done(member_loc + (key,))
    if kind == "yes_no":
        key = draw(st.sampled_from(YES_NO_KEYS))
        rec[key] = draw(st.sampled_from(("也许", "不是", "yes", "no", "有", "无", "1", "0", "对")))
        return done((key,))
    if kind == "id":
        rec["身份证号"] = draw(bad_ids(gen.person.number18))
        return done(("身份证号",))
    if kind == "member_id":
        member["身份证号"] = draw(bad_ids(_member_person(gen, member).number18))
        return done(member_loc + ("身份证号",))
    if kind == "money":
        loc = draw(st.sampled_from(MONEY_LOCS))
        _set(rec, loc, draw(bad_money))
        return done(loc)
    if kind == "member_money":
        member["月收入"] = draw(bad_money)
        return done(member_loc + ("月收入",))
    if kind == "amount_range":  # the voucher's boxes stop at 仟; nothing is paid with 0
        rec["慰问"]["资助金额"] = draw(st.sampled_from(("0", "0.00", "10000", "10000.00", "12345.67", "99999")))
        return done(("慰问", "资助金额"))
    if kind == "date":
        loc = draw(st.sampled_from(DATE_LOCS))
        _set(rec, loc, draw(bad_dates()))
        return done(loc)
    if kind == "member_date":
        member["出生日期"] = draw(bad_dates())
        return done(member_loc + ("出生日期",))
    if kind == "sex":
        rec["性别"] = "女" if gen.person.sex == "男" else "男"
        return done(("性别",))
    if kind == "birth_vs_id":
        rec["出生日期"] = (gen.person.birth + timedelta(days=draw(st.integers(1, 400)))).isoformat()
        return done(("出生日期",))
    if kind == "member_sex":
        member["性别"] = "女" if gen.family[i]["性别"] == "男" else "男"
        return done(member_loc + ("性别",))
    if kind == "member_relation":  # 关系 contradicting the member's 性别 (and ID)
        member["关系"] = draw(st.sampled_from(_SEXED["女" if gen.family[i]["性别"] == "男" else "男"][:3]))
        return done(member_loc + ("关系",))
    if kind in ("member_same_as_worker", "member_duplicate_id"):
        if kind == "member_duplicate_id":
            if len(family) < 2:
                family.append({"姓名": "某某", "关系": "其他"})
            i = draw(st.integers(1, len(family) - 1))
            member, member_loc = family[i], ("家庭成员", i)
        # A valid base in which the member's 性别, 出生日期 and 关系 do not depend on the ID...
        member.update({"性别": None, "出生日期": None, "关系": "其他"})
        # ...then the one mutation: the worker's number, or the first member's.
        member["身份证号"] = gen.person.typed if kind == "member_same_as_worker" else family[0]["身份证号"]
        return done(member_loc + ("身份证号",))
    if kind == "work_before_birth":
        rec["工作时间"] = (gen.person.birth - timedelta(days=draw(st.integers(1, 3000)))).isoformat()
        return done(("工作时间",))
    if kind == "dibao_order":  # 止 before 起
        rec["慰问"]["低保"]["起"] = "2011-12-31"
        rec["慰问"]["低保"]["止"] = draw(st.sampled_from(("2011-01-01", "2010-06-30", "2011-12-30")))
        return done(("慰问", "低保", "止"))
    if kind == "per_head":  # typed, but not 家庭年度总收入 / 家庭人口
        typed = Decimal(rec["家庭年人均收入"]) + Decimal(draw(st.sampled_from(("0.01", "-0.01", "1", "100"))))
        assume(typed >= 0)
        rec["家庭年人均收入"] = format(typed, "f")
        return done(("家庭年人均收入",))
    if kind == "disability_missing":  # 残病 needs a 残疾类别 (the key is there, left empty)
        rec["健康状况"] = "残病"
        rec["残疾类别"] = draw(st.sampled_from(("", None)))
        return done(("残疾类别",))
    if kind == "causes":
        choice = draw(st.sampled_from(("four", "empty_list", "empty", "dup", "unknown")))
        if choice == "four":
            rec["致困主要原因"] = draw(st.lists(pick(HardshipCause), min_size=4, max_size=8, unique=True))
        elif choice == "empty_list":
            rec["致困主要原因"] = []
        elif choice == "empty":
            rec["致困主要原因"] = None
        elif choice == "dup":
            cause = draw(pick(HardshipCause))
            rec["致困主要原因"] = [cause, cause]
        else:
            rec["致困主要原因"] = [draw(pick(HardshipCause)), draw(not_in(HardshipCause))]
            return done(("致困主要原因", 1), choice)
        return done(("致困主要原因",), choice)
    if kind in ("unknown_key", "member_unknown_key", "nested_unknown_key"):
        if kind == "unknown_key":
            where_loc: Loc = ()
        elif kind == "member_unknown_key":
            where_loc = member_loc
        else:
            if not rec["所附附件"]:
                rec["所附附件"] = [{"附件类型": "身份证", "附件文件": "身份证.jpg"}]
            where_loc = draw(st.sampled_from((("慰问",), ("慰问", "低保"), ("所附附件", 0))))
        target = _get(rec, where_loc)
        keys = list(target)
        key = draw(st.sampled_from(keys))
        new = draw(typo_of(key, set(keys) | KNOWN_WORKER_KEYS | KNOWN_MEMBER_KEYS | NESTED_KEYS))
        _rename(target, key, new)
        return done(where_loc + (new,), key)
    if kind == "postcode":
        rec["邮政编码"] = draw(st.sampled_from(("3610", "36100a", "3610088", "邮编361000", "三六一〇〇〇")))
        return done(("邮政编码",))
    if kind == "phone":
        rec["联系电话"] = draw(st.sampled_from(("无", "123", "0592-55", "电话见备注", "1381234567890123")))
        return done(("联系电话",))
    if kind == "household_size":
        rec["家庭人口"] = draw(st.sampled_from(("0", "-1", "三", "2.5", "abc")))
        return done(("家庭人口",))
    if kind == "division":
        rec["户口所在地行政区划"] = draw(st.sampled_from(("厦门市思明区", "思明区", "福建省", "福建省思明区")))
        return done(("户口所在地行政区划",))
    if kind == "not_a_value":  # a block where one value belongs, or the reverse
        loc, value = draw(
            st.sampled_from(
                (
                    (("姓名",), {"姓": "张"}),
                    (("身份证号",), [gen.person.typed]),
                    (("家庭成员",), "张三"),
                    (("慰问",), "1000"),
                    (("慰问", "低保"), "有"),
                )
            )
        )
        _set(rec, loc, value)
        return done(loc)
    if kind in ("same_id_as_another", "same_number_as_another"):  # checks across records (通知四.1)
        other = draw(workers(pool, "PT-002", full=True)).record
        if kind == "same_id_as_another":
            # still valid whatever its number (nothing typed that the number decides)...
            other.update({"性别": None, "出生日期": None, "工作时间": rec["工作时间"]})
            other["身份证号"] = gen.person.typed  # ...then the mutation
            loc = ("身份证号",)
        else:
            other["档案编号"] = rec["档案编号"]
            loc = ("档案编号",)
        gen, mutation = done(loc)
        mutation.others.append(other)
        return gen, mutation
    assert kind == "required"
    if not rec["所附附件"]:
        rec["所附附件"] = [{"附件类型": "身份证", "附件文件": "身份证.jpg"}]
    loc = draw(
        st.sampled_from(
            (
                ("档案编号",), ("姓名",), ("困难类别",), ("身份证号",), ("慰问", "资助金额"), ("慰问", "帮扶项目"),
                ("慰问", "资金来源"), ("慰问", "低保", "每月"), member_loc + ("姓名",), ("所附附件", 0, "附件类型"),
            )
        )
    )  # fmt: skip
    _set(rec, loc, draw(st.sampled_from(("", "   ", None))))
    return done(loc)


def _member_person(gen: Generated, member: dict[str, Any]) -> Person:
    return next(p for p in gen.persons[1:] if p.typed == member["身份证号"])


KNOWN_WORKER_KEYS = {
    "档案编号", "困难类别", "姓名", "民族", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "残疾类别",
    "身份", "劳模类型", "住房类型", "建筑面积", "邮政编码", "联系电话", "工作时间", "所属行业", "婚姻状况",
    "户口类型", "家庭住址", "工作单位", "单位性质", "企业状况", "是否单亲", "本人月平均收入", "家庭年度总收入",
    "家庭人口", "家庭年人均收入", "户口所在地行政区划", "是否进入医保", "家庭成员", "是否有一定自救能力",
    "是否为零就业家庭", "致困主要原因", "所附附件", "备注", "档案状态", "慰问",
}  # fmt: skip
KNOWN_MEMBER_KEYS = set(FAMILY_COLUMNS)
NESTED_KEYS = {
    "资助金额", "帮扶项目", "资金来源", "低保", "其它帮扶措施", "街道", "居住地址", "所在单位", "致困原因",
    "发放日期", "宣传推荐", "起", "止", "每月", "附件类型", "附件文件",
}  # fmt: skip


@pytest.mark.parametrize("kind", MUTATIONS)
def test_a_field_made_invalid_is_reported_at_its_key(scratch: Path, kind: str) -> None:
    """About 210 examples in all: 7 per kind of mutation."""

    @settings(max_examples=7 * SCALE, **_COMMON)
    @given(case=mutated_worker(kind), plain=st.booleans())
    def check_one(case: tuple[Generated, Mutation], plain: bool) -> None:
        gen, mutation = case
        records = fresh_records(scratch / "records")
        path, where = write_worker(records, "PT-001", gen.record, plain)
        for n, other in enumerate(mutation.others, start=2):
            write_worker(records, f"PT-{n:03d}", other, plain)
        record_set = api.check(records)
        want_field = dotted(mutation.loc)
        want_line = where[mutation.loc]
        here = [p for p in record_set.errors if p.path == path and p.field == want_field]
        assert here, f"{mutation.description}: no error for {want_field}\n{problems_text(record_set.problems)}"
        assert any(p.line == want_line for p in here), (
            f"{mutation.description}: {want_field} reported at line(s) {[p.line for p in here]},"
            f" the key is on line {want_line}\n{problems_text(record_set.problems)}"
        )
        assert all(p.message for p in here)
        assert record_set.units[0].workers == [], "a record with an error is left out of the unit"

    check_one()


@settings(max_examples=3, **_COMMON)
@given(gen=workers(IdPool(), "PT-001", full=True))
def test_the_typed_keys_are_the_record_contract(gen: Generated) -> None:
    """The keys the strategies write are the keys of records.md, which formkit knows."""
    assert set(gen.record) == KNOWN_WORKER_KEYS == set(known_keys(Worker, ()))
    assert set(gen.record["家庭成员"][0]) == KNOWN_MEMBER_KEYS == set(known_keys(Worker, ("家庭成员", 0)))


# --------------------------------------------------------------------------------------
# 3. privacy: no full ID or phone number in any problem
# --------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−－()（）+＋.·]")


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


@st.composite
def leaky_workers(draw) -> tuple[list[Generated], list[str]]:
    """Workers with errors that tempt a message to quote an ID or phone number.

    Returns:
        The workers (their records already mutated) and the secrets (full ID numbers in
        their 18- and 15-character forms, and phone numbers) that no message may hold.
    """
    pool = IdPool()
    batch = [draw(workers(pool, f"PT-{i + 1:03d}", full=draw(st.booleans()))) for i in range(draw(st.integers(1, 3)))]
    secrets: list[str] = []
    for gen in batch:
        rec = gen.record
        ids = [(p.typed, p.number18) for p in gen.persons]
        phone = rec.get("联系电话")
        for typed, number in ids:
            secrets.append(number)
            if len(_compact(typed)) == 15:
                secrets.append(_compact(typed))
        if phone:
            secrets.append(phone)
        pastes = [t for t, _ in ids] + ([phone] if phone else [])
        for n in range(draw(st.integers(1, 4))):
            kinds = ["vocab", "date", "money", "postcode", "cause", "key", "check", "member_is_worker", "yaml"]
            how = draw(st.sampled_from(kinds + (["size"] if n else [])))  # the first one is an error
            event(f"pasted: {how}")
            secret = draw(st.sampled_from(pastes))
            if how == "vocab":
                rec[draw(st.sampled_from(sorted(WORKER_VOCAB)))] = secret
            elif how == "date":
                rec[draw(st.sampled_from(("出生日期", "工作时间")))] = secret
            elif how == "money":
                rec[draw(st.sampled_from(("本人月平均收入", "家庭年度总收入")))] = secret + draw(st.sampled_from(("元", ".001")))
            elif how == "postcode":
                rec["邮政编码"] = secret
            elif how == "size":
                rec["家庭人口"] = secret
            elif how == "cause":
                rec["致困主要原因"] = [draw(pick(HardshipCause)), secret]
            elif how == "key":
                rec[secret] = "x"
            elif how == "check":
                number = gen.person.number18
                rec["身份证号"] = number[:17] + ("0" if number[17] != "0" else "1")
                secrets.append(rec["身份证号"])
            elif how == "member_is_worker":
                rec.setdefault("家庭成员", []).append({"姓名": "某某", "身份证号": rec["身份证号"]})
            else:  # a YAML syntax error on a line that holds the secret
                rec["备注"] = "\x00YAMLBREAK" + secret
    return batch, secrets


@settings(max_examples=80 * SCALE, **_COMMON)
@given(case=leaky_workers())
def test_no_message_holds_a_full_id_or_phone_number(scratch: Path, case: tuple[list[Generated], list[str]]) -> None:
    batch, secrets = case
    records = fresh_records(scratch / "records")
    for gen in batch:
        text, _ = to_yaml(gen.record)
        # A YAML syntax error on the line holding the secret (a second "键: 值" on one line).
        text = re.sub(r'"\\u0000YAMLBREAK([^"]*)"', r"\1: 1", text)
        (records / UNIT_DIR / "职工" / f"{gen.record['档案编号']}.yaml").write_text(text, encoding="utf-8")
    record_set = api.check(records)
    assert record_set.errors, "every example has at least one error"
    wanted = {_compact(s) for s in secrets}
    for problem in record_set.problems:
        for part in (problem.field, problem.message, problem.allowed, problem.format(records)):
            shown = _compact(part)
            leaked = [s for s in wanted if s in shown]
            assert not leaked, f"{problem.field}: a full ID or phone number in {part!r}"
