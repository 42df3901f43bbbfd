"""Generate a folder of FICTIONAL records for demos, tests and the benchmark (issue 5).

Every person, ID number, phone number, address, enterprise and amount written here is
invented by a pseudo-random generator: none describes a real person. ID numbers are made
to *look* valid (a real Xiamen or home-county region code, a birth date that agrees with
出生日期, a 17th digit whose parity agrees with 性别, and a correct GB 11643-1999 check
digit) so that the records pass formkit's checks, but they are drawn at random and are
not issued to anyone. Phone numbers use the reserved-looking ``0592-5xxxxxx`` and
``13800000xxx`` patterns.

The folder has the layout and the Chinese keys of the record format (shared
``spec/records.md``)::

    OUT/campaign.yaml
    OUT/<填报单位>/单位.yaml
    OUT/<填报单位>/职工/NNNNN-<姓名>.yaml
    OUT/<填报单位>/周报/YYYY-MM-DD.yaml      (8 Fridays 2011-12-02 … 2012-01-20)

Values come from the allowed lists of the 填表说明 (附件3, items 1–21) verbatim. The YAML
is written as text directly (no YAML library) so that 10,000 workers take a few seconds.
The output depends only on the arguments: the same seed gives byte-identical files.

Command line (for the benchmark)::

    python -m formkit.fake OUT --workers 10000 --units 10 [--seed 0] [--no-weeks]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from formkit.fake.data import (
    _AMOUNTS,
    _AREA,
    _CATEGORIES,
    _CAUSES,
    _COMPANY_KINDS,
    _COMPANY_WORDS,
    _DISABILITY,
    _DISTRICTS,
    _EMPLOYER_KIND,
    _EMPLOYER_STATE,
    _ETHNIC_MINOR,
    _GIVEN,
    _HEALTH,
    _HOME_COUNTIES,
    _HOUSING,
    _HUKOU,
    _INDUSTRY,
    _INDUSTRY_UNIONS,
    _MODEL_WORKER,
    _POLITICS,
    _SCHOOLS,
    _SURNAMES,
    _WORKER_STATUS,
    District,
)

T = TypeVar("T")

__all__ = ["check_digit", "generate_records", "main"]

FICTIONAL_HEADER = "# 示例数据（虚构）：由 formkit.fake 随机生成，人物、身份证号、电话、地址、单位均为虚构。\n"

# --- GB 11643-1999 -------------------------------------------------------------------

_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_CHECK_CHARS = "10X98765432"


def check_digit(first17: str) -> str:
    """Return the check character of an 18-digit 居民身份证号码.

    Args:
        first17: the first 17 digits (region code, birth date YYYYMMDD, sequence code).

    Returns:
        One of ``0``–``9`` or ``X`` (ISO 7064 MOD 11-2, as GB 11643-1999 §5.4 prescribes).

    Raises:
        ValueError: when ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


_FRIDAYS = [date(2011, 12, 2) + timedelta(weeks=k) for k in range(8)]
_REFERENCE = date(2012, 1, 6)  # 上报截止: ages are reckoned on this day


def _date_text(d: date, form: int) -> str:
    """Write ``d`` in one of the four accepted forms (records.md, Values)."""
    if form == 0:
        return d.isoformat()
    if form == 1:
        return f"{d.year}.{d.month}.{d.day}"
    if form == 2:
        return f"{d.year}/{d.month}/{d.day}"
    return f"{d.year}年{d.month}月{d.day}日"


def _q(text: str) -> str:
    """Quote free text as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _age(born: date, on: date = _REFERENCE) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _Gen:
    """State of one generation run: the random stream and the ID numbers already used."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.used_ids: set[str] = set()
        self.phone_serial = 0

    # -- small draws -----------------------------------------------------------------
    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rnd.random() * len(seq))]

    def name(self, surname: str | None = None) -> str:
        s = surname or self.pick(_SURNAMES)
        return s + self.pick(_GIVEN)

    def birth(self, lo: int, hi: int) -> date:
        r = self.rnd
        return date(r.randint(lo, hi), r.randint(1, 12), r.randint(1, 28))

    def phone(self) -> str:
        self.phone_serial += 1
        n = self.phone_serial % 1000
        if self.rnd.random() < 0.5:
            return f"0592-5{self.rnd.randint(0, 999999):06d}"
        return f"13800000{n:03d}"

    def id_number(self, region: str, born: date, male: bool) -> str:
        """A fresh 18-digit number (never one already handed out in this run)."""
        r = self.rnd
        stem = f"{region}{born:%Y%m%d}"
        while True:
            seq = r.randint(0, 99) * 10 + (r.randrange(1, 10, 2) if male else r.randrange(0, 10, 2))
            s17 = f"{stem}{seq:03d}"
            full = s17 + check_digit(s17)
            # formkit warns about a number ending in 000 (a spreadsheet may have cut it)
            if full not in self.used_ids and not full.endswith("000"):
                self.used_ids.add(full)
                return full

    def legacy_id(self, region: str, born: date, male: bool) -> str:
        """A fresh 15-digit number whose 18-digit form is unused."""
        r = self.rnd
        while True:
            seq = r.randint(0, 99) * 10 + (r.randrange(1, 10, 2) if male else r.randrange(0, 10, 2))
            s17 = f"{region}{born:%Y%m%d}{seq:03d}"
            full = s17 + check_digit(s17)
            if full not in self.used_ids and seq != 0 and not full.endswith("000"):
                self.used_ids.add(full)
                return f"{region}{born:%y%m%d}{seq:03d}"

    def id_text(self, number: str) -> str:
        """Type an ID as staff do: quoted, unquoted (YAML reads an int), or lowercase x."""
        u = self.rnd.random()
        if number.endswith("X"):
            return number[:-1] + "x" if u < 0.3 else _q(number)
        return number if u < 0.25 else _q(number)

    # -- one worker ------------------------------------------------------------------
    def worker(self, number: str, district: District, dform: int) -> tuple[str, str]:
        """Return (姓名, YAML text) of one fictional worker."""
        r = self.rnd
        dist_name, dist_code, streets = district
        street, postcode, road = self.pick(streets)
        male = r.random() < 0.5
        surname = self.pick(_SURNAMES)
        name = self.name(surname)
        migrant = r.random() < 0.2
        born = self.birth(1952, 1990)
        if migrant:
            hukou_place, region = self.pick(_HOME_COUNTIES)
            status = "农民工"
            hukou_kind = "农业"
        else:
            hukou_place, region = f"福建省厦门市{dist_name}", dist_code
            status = self.pick(_WORKER_STATUS)
            hukou_kind = self.pick(_HUKOU)
        ethnic = "汉族" if r.random() < 0.9 else self.pick(_ETHNIC_MINOR)
        legacy = born.year < 1970 and r.random() < 0.1
        idno = self.legacy_id(region, born, male) if legacy else self.id_number(region, born, male)
        health = self.pick(_HEALTH)
        category = self.pick(_CATEGORIES)
        single = _age(born) < 24 or r.random() < 0.12
        marital = "未婚" if single else ("已婚" if r.random() < 0.8 else self.pick(["离异", "丧偶"]))
        lone_parent = "否"

        # family: worker + members, 1 to 7 persons
        members: list[dict[str, Any]] = []
        if marital == "已婚":
            sp_born = self.birth(max(1940, born.year - 5), min(1988, born.year + 5))
            sp_status = (
                "农民工"
                if migrant and r.random() < 0.6
                else self.pick(["在岗", "下（待）岗", "失（无）业", "退休", "病休", "内退", "农民"])
            )
            members.append(self._member(self.name(), "妻子" if male else "丈夫", not male, sp_born, region, sp_status, dform))
        n_children = 0 if marital == "未婚" else r.choice([0, 1, 1, 1, 2, 2, 3, 4])
        for _ in range(n_children):
            lo = born.year + 20
            hi = min(2011, born.year + 40)
            if lo > hi:
                break
            c_born = self.birth(lo, hi)
            c_male = r.random() < 0.5
            if c_born >= _REFERENCE:
                continue
            age = _age(c_born)
            c_status = (
                "幼儿"
                if age < 6
                else "小学"
                if age < 12
                else "初中"
                if age < 15
                else "高中"
                if age < 18
                else "大学生"
                if age < 23
                else self.pick(["在岗", "农民工", "失（无）业"])
            )
            members.append(self._member(self.name(surname), "儿子" if c_male else "女儿", c_male, c_born, region, c_status, dform))
        if marital in ("离异", "丧偶") and n_children:
            lone_parent = "是"
        if r.random() < 0.3 and born.year < 1980:
            for rel, pm in (("父亲", True), ("母亲", False)):
                if r.random() < 0.5 and len(members) < 6:
                    p_born = self.birth(born.year - 35, born.year - 20)
                    members.append(
                        self._member(
                            self.name(surname if pm else None),
                            rel,
                            pm,
                            p_born,
                            region,
                            self.pick(["退休", "农民", "病退"]),
                            dform,
                            with_id=r.random() < 0.8,
                        )
                    )
        members = members[:6]
        persons = 1 + len(members)

        own_income = r.choice([0, 300, 600, 800, 950, 1100, 1350.5, 1500])
        total_income = int(own_income * 12) + sum(m["月收入"] * 12 for m in members)
        total_income = max(total_income, 1200)

        addr = f"厦门市{dist_name}{street}{road}{r.randint(1, 300)}号{r.randint(1, 9)}{r.randint(1, 4):02d}室"
        company = f"厦门{self.pick(_COMPANY_WORDS)}{self.pick(_COMPANY_KINDS)}"
        if r.random() < 0.05:
            company = f"厦门{self.pick(_COMPANY_WORDS)}A&B<{self.pick(['贸易', '实业'])}>有限公司"
        n_causes = r.randint(1, 3)
        causes = r.sample(_CAUSES, n_causes)
        retired = r.random() < 0.03

        def d(day: date) -> str:
            return _date_text(day, dform)

        work_start = date(born.year + r.randint(17, 24), r.randint(1, 12), r.randint(1, 28))  # aged 16+
        if work_start > date(2011, 11, 30):
            work_start = date(2011, 3, 1)

        out = [
            FICTIONAL_HEADER,
            f"档案编号: {number}\n",
            f"困难类别: {category}\n",
            f"姓名: {name}\n",
            f"民族: {ethnic}\n",
            f"性别: {'男' if male else '女'}\n",
            f"政治面貌: {self.pick(_POLITICS)}\n",
            f"出生日期: {d(born)}\n",
            f"身份证号: {self.id_text(idno)}\n",
            f"健康状况: {health}\n",
        ]
        if health == "残病":
            out.append(f"残疾类别: {self.pick(_DISABILITY)}\n")
        out += [
            f"身份: {status}\n",
            f"劳模类型: {'非劳模' if r.random() < 0.95 else self.pick(_MODEL_WORKER[1:])}\n",
            f"住房类型: {self.pick(_HOUSING)}\n",
            f"建筑面积: {self.pick(_AREA)}\n",
            f'邮政编码: "{postcode}"\n',
            f"联系电话: {_q(self.phone())}\n",
            f"工作时间: {d(work_start)}\n",
            f"所属行业: {self.pick(_INDUSTRY)}\n",
            f"婚姻状况: {marital}\n",
            f"户口类型: {hukou_kind}\n",
            f"家庭住址: {_q(addr)}\n",
            f"工作单位: {_q(company)}\n",
            f"单位性质: {self.pick(_EMPLOYER_KIND)}\n",
            f"企业状况: {self.pick(_EMPLOYER_STATE)}\n",
            f"是否单亲: {lone_parent}\n",
            f"本人月平均收入: {own_income}\n",
            f"家庭年度总收入: {total_income}\n",
            f"家庭人口: {persons}\n",
        ]
        if (total_income * 100) % persons == 0 and r.random() < 0.5:
            per = total_income * 100 // persons
            out.append(f"家庭年人均收入: {per // 100}.{per % 100:02d}\n")
        out += [f"户口所在地行政区划: {hukou_place}\n", f"是否进入医保: {'是' if r.random() < 0.8 else '否'}\n"]
        if members:
            out.append("家庭成员:\n")
            for m in members:
                out.append(m["text"])
        else:
            out.append("家庭成员: []\n")
        out += [
            f"是否有一定自救能力: {'是' if r.random() < 0.7 else '否'}\n",
            f"是否为零就业家庭: {'是' if r.random() < 0.1 else '否'}\n",
            "致困主要原因:\n",
        ]
        out += [f"  - {c}\n" for c in causes]
        out += ["所附附件:\n", "  - 附件类型: 身份证\n", "    附件文件: 身份证复印件.pdf\n"]
        if category == "低保户":
            out += ["  - 附件类型: 低保证\n", "    附件文件: 低保证复印件.pdf\n"]
        if r.random() < 0.1:
            out.append("备注: |\n  入户走访核实。\n  家庭情况属实。\n")
        out.append(f"档案状态: {'脱贫' if retired else '在档'}\n")
        if not retired or r.random() < 0.5:
            out += [
                "慰问:\n",
                f"  资助金额: {self.pick(_AMOUNTS)}\n",
                "  帮扶项目: 生活救助\n",
                f"  资金来源: {'中央财政帮扶专项资金' if r.random() < 0.8 else '送温暖工程资金'}\n",
            ]
            if category == "低保户":
                start = date(2011, r.randint(1, 6), 1)
                out += [
                    "  低保:\n",
                    f"    起: {d(start)}\n",
                    f"    止: {d(date(2011, 12, 31))}\n",
                    f"    每月: {r.choice(['320', '360', '400', '325.04'])}\n",
                ]
            if r.random() < 0.3:
                out.append("  其它帮扶措施: 推荐参加再就业技能培训\n")
            out += [f"  街道: {street}\n", f"  发放日期: {d(date(2011, 12, r.randint(20, 31)))}\n"]
        return name, "".join(out)

    def _member(
        self, name: str, relation: str, male: bool, born: date, region: str, status: str, dform: int, with_id: bool = True
    ) -> dict[str, Any]:
        """A family member as a dict holding its YAML text and monthly income (yuan)."""
        r = self.rnd
        income = 0
        if status in ("在岗", "农民工"):
            income = r.choice([800, 900, 1100, 1200, 1500])
        elif status in ("退休", "病退", "内退"):
            income = r.choice([400, 850, 1217, 1650])
        elif status == "农民":
            income = r.choice([0, 250, 500])
        age = _age(born)
        politics = "共青团员" if 14 <= age <= 28 and r.random() < 0.5 else "群众"
        school = _SCHOOLS.get(status)
        unit = f"厦门市某{school}" if school else ("无" if income == 0 else "厦门某企业")
        lines = [
            f"  - 姓名: {name}\n",
            f"    关系: {relation}\n",
            f"    性别: {'男' if male else '女'}\n",
            f"    政治面貌: {politics}\n",
            f"    出生日期: {_date_text(born, dform)}\n",
        ]
        if with_id:
            lines.append(f"    身份证号: {self.id_text(self.id_number(region, born, male))}\n")
        lines += [
            f"    健康状况: {'良好' if r.random() < 0.8 else '疾病'}\n",
            f"    月收入: {income}\n",
            f"    身份: {status}\n",
            f"    单位或学校: {_q(unit)}\n",
        ]
        return {"text": "".join(lines), "月收入": income}

    # -- weekly reports ----------------------------------------------------------------
    def week(self, friday: date, dform: int) -> str:
        """One annex-4 report whose figures agree (see :func:`generate_records`)."""
        r = self.rnd
        totals = [0, 0, 0]  # amount in 0.01 万元, enterprises, persons
        by_kind = []
        for _ in range(3):
            if r.random() < 0.55:
                by_kind.append((0, 0, 0))
                continue
            ents = r.randint(1, 3)
            persons = r.randint(ents * 3, ents * 60)
            amount = persons * r.randint(15, 40)
            by_kind.append((amount, ents, persons))
            totals = [totals[0] + amount, totals[1] + ents, totals[2] + persons]
        t_a, t_e, t_p = totals
        if t_p:
            u_p = r.randint(0, t_p)
            m_p = t_p - u_p
            u_a = 0 if u_p == 0 else t_a if m_p == 0 else min(max(t_a * u_p // t_p, 1), t_a - 1)
            m_a = t_a - u_a
            u_e = r.randint(1, min(t_e, u_p)) if u_p else 0
            m_e = r.randint(1, min(t_e, m_p)) if m_p else 0
            c_p = r.randint(0, m_p)
            c_a = 0 if c_p == 0 else m_a if c_p == m_p else min(max(m_a * c_p // m_p, 1), m_a)
            c_e = r.randint(1, min(m_e, c_p)) if c_p else 0
            urban, migrant, constr = (u_a, u_e, u_p), (m_a, m_e, m_p), (c_a, c_e, c_p)
        else:
            urban = migrant = constr = (0, 0, 0)

        def block(label: str, fig: tuple[int, int, int]) -> str:
            a, e, p = fig
            amount = "0" if a == 0 else f"{a // 100}.{a % 100:02d}"
            return f"  {label}:\n    拖欠数额: {amount}\n    涉及企业数: {e}\n    涉及人数: {p}\n"

        text = (
            FICTIONAL_HEADER
            + f"时间: {_date_text(friday, dform)}\n企业类型:\n"
            + block("国有企业", by_kind[0])
            + block("集体企业", by_kind[1])
            + block("其他类型企业", by_kind[2])
            + "用工来源:\n"
            + block("城镇职工", urban)
            + block("农民工", migrant)
            + block("其中建筑业农民工", constr)
            + f"报出日期: {_date_text(friday, dform)}\n"
        )
        if t_p and r.random() < 0.6:
            text += f"案例说明: |\n  本周新发现欠薪企业{t_e}户，涉及{t_p}人（均为虚构示例）。\n  已会同劳动监察部门督促企业限期支付。\n"
        return text


def _unit_names(units: int) -> list[tuple[str, str, District | None]]:
    """(填报单位, 单位类型, district for addresses) for ``units`` units, alternating."""
    out: list[tuple[str, str, District | None]] = []
    n_d = n_i = 0
    for k in range(units):
        if k % 2 == 0:
            district = _DISTRICTS[n_d % len(_DISTRICTS)]
            rnd = n_d // len(_DISTRICTS)
            name = f"{district[0]}总工会" + (f"（示例{rnd + 1}）" if rnd else "")
            n_d += 1
            out.append((name, "区工会", district))
        else:
            rnd = n_i // len(_INDUSTRY_UNIONS)
            name = _INDUSTRY_UNIONS[n_i % len(_INDUSTRY_UNIONS)] + (f"（示例{rnd + 1}）" if rnd else "")
            out.append((name, "产业工会", None))
            n_i += 1
    return out


def generate_records(root: Path, workers: int, units: int = 1, *, seed: int = 0, weeks: bool = True) -> None:
    """Write a records folder of FICTIONAL workers and weekly reports under ``root``.

    All people and figures are invented (see the module docstring). The records follow the
    contract of ``spec/records.md`` and the 填表说明 of 附件3: ID numbers are unique across
    the whole folder (family members included, 15-digit numbers compared in their 18-digit
    form), have a correct GB 11643-1999 check digit and agree with 出生日期 and 性别;
    家庭人口 is 1 + the number of 家庭成员 (1 to 7 persons); a typed 家庭年人均收入 equals
    家庭年度总收入 / 家庭人口 exactly; 致困主要原因 has 1 to 3 items; 资助金额 is below
    10,000 yuan with at most 2 decimals; about 3 % of archives are 脱贫 (half of them with a
    leftover 慰问 block). In each weekly report the 拖欠数额 (万元) and 涉及人数 summed over
    国有企业+集体企业+其他类型企业 equal 城镇职工 + 农民工, and every figure of
    其中建筑业农民工 is at most that of 农民工.

    Args:
        root: the folder to write (created; existing files of the same names are replaced).
        workers: number of workers, spread as evenly as possible over the units (>= 0).
        units: number of units, alternating 区工会 (the six Xiamen districts in turn) and
            产业工会 (fictional-plausible committee names) (>= 1).
        seed: seed of the pseudo-random stream; the same arguments give identical files.
        weeks: also write the 8 weekly reports (each Friday 2011-12-02 … 2012-01-20) per unit.

    Raises:
        ValueError: when ``workers`` < 0 or ``units`` < 1.
        OSError: when the folder cannot be written.
    """
    if workers < 0 or units < 1:
        raise ValueError("workers must be >= 0 and units >= 1")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    gen = _Gen(seed)
    unit_list = _unit_names(units)
    campaign = [
        FICTIONAL_HEADER,
        "活动名称: 2012年元旦春节送温暖活动\n",
        "文号: 厦工[2011]104号\n",
        "发文机关: 厦门市总工会\n",
        "资金使用截止: 2011-12-31\n",
        "上报截止: 2012-01-06\n",
        "周报起止: [2011-12-01, 2012-01-22]\n",
        "周报日: 星期五\n",
        "主送:\n",
    ]
    campaign += [f"  - {_q(name)}\n" for name, _, _ in unit_list]
    (root / "campaign.yaml").write_text("".join(campaign), encoding="utf-8")

    base, extra = divmod(workers, units)
    for k, (unit, kind, district) in enumerate(unit_list):
        udir = root / unit
        wdir = udir / "职工"
        wdir.mkdir(parents=True, exist_ok=True)
        (udir / "单位.yaml").write_text(
            FICTIONAL_HEADER + f"填报单位: {_q(unit)}\n单位类型: {kind}\n"
            f"单位负责人: {gen.name()}\n填表人: {gen.name()}\n联系电话: {_q(gen.phone())}\n",
            encoding="utf-8",
        )
        prefix = f"U{k + 1:03d}-"
        for i in range(base + (k < extra)):
            dist = district if district is not None else gen.pick(_DISTRICTS)
            name, text = gen.worker(f"{prefix}{i + 1:05d}", dist, i % 4)
            (wdir / f"{i + 1:05d}-{name}.yaml").write_text(text, encoding="utf-8")
        if weeks:
            ddir = udir / "周报"
            ddir.mkdir(exist_ok=True)
            for j, friday in enumerate(_FRIDAYS):
                (ddir / f"{friday.isoformat()}.yaml").write_text(gen.week(friday, j % 4), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m formkit.fake OUT --workers N --units U``: write fictional records."""
    parser = argparse.ArgumentParser(prog="python -m formkit.fake", description="Write a folder of FICTIONAL formkit records.")
    parser.add_argument("out", type=Path, help="folder to write")
    parser.add_argument("--workers", type=int, default=100, help="number of workers (default 100)")
    parser.add_argument("--units", type=int, default=1, help="number of units (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-weeks", action="store_true", help="do not write weekly reports")
    args = parser.parse_args(argv)
    generate_records(args.out, args.workers, args.units, seed=args.seed, weeks=not args.no_weeks)
    print(f"wrote {args.workers} fictional workers in {args.units} unit(s) to {args.out}")
    return 0
