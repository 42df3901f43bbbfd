"""The 两节送温暖活动小结 draft: the campaign's figures for one unit, and a Word document.

Notice §四.3 asks every unit for a 活动小结 with its roster (and, for a 产业工会, its vouchers);
§四.2 asks each for 1–2 households recommended to the press. formkit cannot write the
narrative, but it can count: :func:`unit_figures` computes from the records

- workers registered (在档 + 脱贫), 在档, 脱贫 (archives closed, 通知三.2/四.1) and paid
  (在档 with a 慰问), by 困难类别 (附件3 填表说明第1项) with the amount paid;
- amounts paid by 资金来源 (yuan) and by 帮扶项目;
- 农民工 helped (身份 农民工, 填表说明第5项; 通知三.4) and the amount paid to them;
- the weekly wage-arrears reports (附件4) over 周报起止: one row per report day (周报日, a
  Friday) with the 企业类型 totals (万元, 户, 人) and the 农民工 row, which days have no
  report, the sum over the weeks and the peak week;

and :func:`render_summary` fills ``templates/活动小结.docx`` (built by
``tools/build_summary_template.py``; staff may edit it in Word as long as the tags stay) with
them: the figures as sentences and tables, then headed sections left blank for the
narrative (主要做法和成效, 宣传报道, 存在问题和下一步打算) and a blank table for the 1–2
recommended households. The records have no key that marks a household for publicity
(docs/records.md is a contract); the table is for staff to fill in.

Fields of the 小结 template (all text, as for the annexes, docs/templates.md):

==================  =======================================================================
tag                 value
==================  =======================================================================
``填报单位``, ``单位``, ``活动``  as in every template (:func:`formkit.forms.context.common_context`)
``标题``            e.g. 思明区总工会2012年元旦春节送温暖活动小结
``人数``            登记, 在档, 脱贫, 慰问, 农民工 (persons)
``金额``            合计 and 农民工 (yuan, ``1409.50``), 合计大写 (壹仟…整)
``按困难类别``      rows: 困难类别, 在档人数, 慰问人数, 慰问金额 (the three categories, always)
``困难类别合计``    在档人数, 慰问人数, 慰问金额
``按资金来源``      rows: 资金来源, 人数, 金额; ``资金来源合计`` 人数, 金额
``周报``            起, 止, 周报日, 应报, 已报, 缺报 (dates joined with 、, or 无), 行 (rows: 时间,
                    拖欠数额 万元, 涉及企业数 户, 涉及人数 人, 农民工拖欠数额, 农民工涉及人数, 备注
                    ``未报`` for a missing week), 合计 and 最高 (时间, 拖欠数额, 涉及企业数, 涉及人数,
                    农民工拖欠数额, 农民工涉及人数), 最近 (the last week reported, same keys)
``推荐行``          two blank rows (序号 1, 2) for the households recommended (通知四.2)
==================  =======================================================================
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from formkit.documents.template import FormTemplate, default_template_dir
from formkit.domain.amounts import amount_in_words, format_yuan
from formkit.domain.annexes import SUMMARY
from formkit.domain.dates import format_date_zh
from formkit.domain.vocab import ArchiveStatus, DifficultyCategory, WorkerStatus
from formkit.errors import FormkitError, TemplateProblem
from formkit.forms import context as ctx
from formkit.records.recordset import RecordSet, UnitRecords, WeekRecord

__all__ = [
    "RECOMMENDED_ROWS",
    "CategoryFigures",
    "FundFigures",
    "UnitFigures",
    "WeekFigures",
    "format_wan_yuan",
    "render_summary",
    "summary_context",
    "summary_template_path",
    "unit_figures",
    "week_figures",
]

#: File name of the 小结 template, beside the four annex templates.
#: Blank rows of the recommended-households table: 推荐1—2户（人） (通知四.2).
RECOMMENDED_ROWS = 2
_NONE = "无"
_DASH = "—"


@dataclass(frozen=True)
class CategoryFigures:
    """One 困难类别 (填表说明第1项) of a unit.

    Attributes:
        category: 低保户, 低保边缘户 or 意外致困户.
        active: 在档 archives (persons).
        paid: 在档 workers paid this campaign (persons).
        amount: paid to them, yuan.
    """

    category: str
    active: int
    paid: int
    amount: Decimal


@dataclass(frozen=True)
class FundFigures:
    """Payments from one 资金来源 (or for one 帮扶项目): persons and yuan."""

    name: str
    persons: int
    amount: Decimal


@dataclass(frozen=True)
class WeekFigures:
    """One report day of 附件4 for one unit (or summed over units).

    Attributes:
        day: the 周报日 (a Friday) reported on.
        reported: False when no valid report exists for the day (the figures are then 0).
        arrears: 拖欠数额 over the three 企业类型 rows, 万元.
        enterprises: 涉及企业数 over the 企业类型 rows, 户.
        persons: 涉及人数 over the 企业类型 rows, 人.
        migrant_arrears, migrant_persons: the 农民工 row (万元, 人).
        construction_arrears, construction_persons: the 其中建筑业农民工 row (万元, 人).
        units: how many reports were added up (1 for a unit's own report, 0 when missing).
    """

    day: date
    reported: bool
    arrears: Decimal = Decimal(0)
    enterprises: int = 0
    persons: int = 0
    migrant_arrears: Decimal = Decimal(0)
    migrant_persons: int = 0
    construction_arrears: Decimal = Decimal(0)
    construction_persons: int = 0
    units: int = 0


@dataclass(frozen=True)
class UnitFigures:
    """The campaign's figures for one unit, from its valid records.

    Counts are persons; amounts are yuan (Decimal, to the fen) except the weekly 拖欠数额,
    which is in 万元 as typed on 附件4.

    Attributes:
        name, unit_type: 填报单位 and 单位类型.
        registered: valid worker records (在档 and 脱贫).
        active: 在档 archives; lifted: 脱贫 archives (kept, not paid: 通知三.2, 四.1).
        paid: workers paid (在档 with a 慰问: :meth:`RecordSet.paid_workers`).
        paid_total: the sum paid, yuan.
        by_category: the three 困难类别, in the order of 填表说明第1项.
        by_fund: per 资金来源, sorted by name; by_project: per 帮扶项目, sorted by name.
        migrant_paid, migrant_amount: paid workers whose 身份 is 农民工 (通知三.4).
        weeks: one row per report day of 周报起止 (:attr:`formkit.domain.models.Campaign.report_days`) plus
            any report on another day, by date.
        expected_weeks: the number of report days; missing: those without a report.
    """

    name: str
    unit_type: str
    registered: int
    active: int
    lifted: int
    paid: int
    paid_total: Decimal
    by_category: tuple[CategoryFigures, ...]
    by_fund: tuple[FundFigures, ...]
    by_project: tuple[FundFigures, ...]
    migrant_paid: int
    migrant_amount: Decimal
    weeks: tuple[WeekFigures, ...] = field(default_factory=tuple)
    expected_weeks: int = 0
    missing: tuple[date, ...] = field(default_factory=tuple)

    @property
    def reported_weeks(self) -> list[WeekFigures]:
        """The rows with a report."""
        return [w for w in self.weeks if w.reported]

    @property
    def arrears_sum(self) -> Decimal:
        """拖欠数额 added over the reported weeks, 万元 (an arrear unpaid for several weeks
        is counted in each: the peak is the better measure of its size)."""
        return sum((w.arrears for w in self.weeks), Decimal(0))

    @property
    def peak_week(self) -> WeekFigures | None:
        """The reported week with the largest 拖欠数额 (the earliest on a tie), or None."""
        reported = self.reported_weeks
        return max(reported, key=lambda w: (w.arrears, w.persons, -w.day.toordinal())) if reported else None

    @property
    def latest_week(self) -> WeekFigures | None:
        """The last week reported, or None."""
        reported = self.reported_weeks
        return reported[-1] if reported else None


def _sum_by(items: Iterable[tuple[str, Decimal]]) -> tuple[FundFigures, ...]:
    persons: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for name, amount in items:
        persons[name] += 1
        amounts[name] += amount
    return tuple(FundFigures(name, persons[name], amounts[name]) for name in sorted(persons))


def week_figures(week: WeekRecord) -> WeekFigures:
    """The figures of one weekly report (附件4): 企业类型 totals and the 农民工 rows.

    The 企业类型 rows and the 用工来源 rows count the same arrears twice over (the records
    check that their totals agree, models.WeeklyReport); the totals here add the 企业类型
    rows, whose 涉及企业数 do not overlap.
    """
    report = week.report
    rows = (report.enterprise_types.state_owned, report.enterprise_types.collective, report.enterprise_types.other)
    migrant = report.labour_sources.migrant
    construction = report.labour_sources.migrant_construction
    return WeekFigures(
        day=report.day,
        reported=True,
        arrears=sum((r.arrears for r in rows), Decimal(0)),
        enterprises=sum(r.enterprises for r in rows),
        persons=sum(r.persons for r in rows),
        migrant_arrears=migrant.arrears,
        migrant_persons=migrant.persons,
        construction_arrears=construction.arrears,
        construction_persons=construction.persons,
        units=1,
    )


def unit_figures(unit: UnitRecords, records: RecordSet) -> UnitFigures:
    """Count one unit's campaign from its valid records.

    Args:
        unit: the unit (``records.units[i]``).
        records: the record set it belongs to (for the campaign's 周报起止 and the rule of
            who is paid, :meth:`RecordSet.paid_workers`).

    Returns:
        The figures; records left out for errors are not counted.
    """
    registered = active = lifted = paid = migrant_paid = 0
    paid_total = migrant_amount = Decimal(0)
    active_by = Counter[str]()
    paid_by = Counter[str]()
    amount_by: dict[str, Decimal] = defaultdict(Decimal)
    funds: list[tuple[str, Decimal]] = []
    projects: list[tuple[str, Decimal]] = []
    for rec in unit.workers:  # one record unpacked at a time (a unit may hold thousands)
        w = rec.worker
        registered += 1
        if w.archive_status == ArchiveStatus.ACTIVE.value:
            active += 1
            active_by[w.category] += 1
        elif w.archive_status == ArchiveStatus.LIFTED_OUT_OF_POVERTY.value:
            lifted += 1
        if not rec.paid:
            continue
        paid += 1
        paid_by[w.category] += 1
        migrant = w.status == WorkerStatus.MIGRANT_WORKER.value
        migrant_paid += migrant
        if w.payment:
            amount = w.payment.amount
            paid_total += amount
            amount_by[w.category] += amount
            funds.append((w.payment.fund_source, amount))
            projects.append((w.payment.project, amount))
            if migrant:
                migrant_amount += amount
    categories = [
        CategoryFigures(category, active=active_by[category], paid=paid_by[category], amount=amount_by[category])
        for category in DifficultyCategory.labels()
    ]
    days = records.campaign.report_days if records.campaign is not None else []
    by_day = {week.report.day: week_figures(week) for week in unit.weeks}
    all_days = sorted(set(days) | set(by_day))
    weeks = tuple(by_day.get(day) or WeekFigures(day, reported=False) for day in all_days)
    return UnitFigures(
        name=unit.name,
        unit_type=unit.unit.unit_type,
        registered=registered,
        active=active,
        lifted=lifted,
        paid=paid,
        paid_total=paid_total,
        by_category=tuple(categories),
        by_fund=_sum_by(funds),
        by_project=_sum_by(projects),
        migrant_paid=migrant_paid,
        migrant_amount=migrant_amount,
        weeks=weeks,
        expected_weeks=len(days),
        missing=tuple(day for day in days if day not in by_day),
    )


def format_wan_yuan(value: Decimal) -> str:
    """万元 as printed in the 小结 and the roll-up: at least two decimals, more only when typed.

    ``Decimal('15.8')`` → ``15.80``, ``Decimal('0')`` → ``0.00``, ``Decimal('1.2345')`` →
    ``1.2345`` (附件4 takes 万元 to 4 decimals, i.e. to the yuan).
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return format(value, "f")
    return format(value.quantize(Decimal("0.01")), "f")


def _week_text(week: WeekFigures | None) -> dict[str, str]:
    if week is None:
        return {"时间": _DASH, "拖欠数额": "0.00", "涉及企业数": "0", "涉及人数": "0", "农民工拖欠数额": "0.00", "农民工涉及人数": "0"}
    return {
        "时间": format_date_zh(week.day),
        "拖欠数额": format_wan_yuan(week.arrears),
        "涉及企业数": str(week.enterprises),
        "涉及人数": str(week.persons),
        "农民工拖欠数额": format_wan_yuan(week.migrant_arrears),
        "农民工涉及人数": str(week.migrant_persons),
    }


def _week_row(week: WeekFigures) -> dict[str, str]:
    if not week.reported:
        row = {key: "" for key in _week_text(None)}
        row.update(时间=format_date_zh(week.day), 备注="未报")
        return row
    row = _week_text(week)
    row["备注"] = ""
    return row


def summary_context(unit: UnitRecords, records: RecordSet, figures: UnitFigures | None = None) -> dict[str, Any]:
    """The context of the 小结 template for one unit (the fields of the module docstring).

    Args:
        unit, records: as for :func:`unit_figures`.

    Returns:
        A dict of text values ready to print (money ``1409.50`` yuan, 万元 ``15.80``, dates
        ``2012年1月6日``).

    Raises:
        FormkitError: the records have no valid campaign.yaml.
    """
    if records.campaign is None:
        raise FormkitError("没有有效的 campaign.yaml：无法生成活动小结")
    figures = figures or unit_figures(unit, records)
    campaign = records.campaign.model_dump(by_alias=True)
    context = ctx.common_context(campaign, unit.unit.model_dump(by_alias=True))
    start, end = records.campaign.weekly_period
    reported = figures.reported_weeks
    totals = WeekFigures(
        day=end,
        reported=bool(reported),
        arrears=figures.arrears_sum,
        enterprises=sum(w.enterprises for w in reported),
        persons=sum(w.persons for w in reported),
        migrant_arrears=sum((w.migrant_arrears for w in reported), Decimal(0)),
        migrant_persons=sum(w.migrant_persons for w in reported),
    )
    total_row = _week_text(totals)
    total_row["时间"] = "各周合计"
    context.update(
        标题=f"{figures.name}{campaign['活动名称']}小结",
        人数={
            "登记": str(figures.registered),
            "在档": str(figures.active),
            "脱贫": str(figures.lifted),
            "慰问": str(figures.paid),
            "农民工": str(figures.migrant_paid),
        },
        金额={
            "合计": format_yuan(figures.paid_total),
            "合计大写": amount_in_words(figures.paid_total),
            "农民工": format_yuan(figures.migrant_amount),
        },
        按困难类别=[
            {"困难类别": c.category, "在档人数": str(c.active), "慰问人数": str(c.paid), "慰问金额": format_yuan(c.amount)}
            for c in figures.by_category
        ],
        困难类别合计={
            "在档人数": str(sum(c.active for c in figures.by_category)),
            "慰问人数": str(sum(c.paid for c in figures.by_category)),
            "慰问金额": format_yuan(sum((c.amount for c in figures.by_category), Decimal(0))),
        },
        按资金来源=[{"资金来源": f.name, "人数": str(f.persons), "金额": format_yuan(f.amount)} for f in figures.by_fund],
        资金来源合计={"人数": str(figures.paid), "金额": format_yuan(figures.paid_total)},
        周报={
            "起": format_date_zh(start),
            "止": format_date_zh(end),
            "周报日": ctx.to_text(campaign.get("周报日")),
            "应报": str(figures.expected_weeks),
            "已报": str(len(reported)),
            "缺报": "、".join(format_date_zh(d) for d in figures.missing) or _NONE,
            "行": [_week_row(w) for w in figures.weeks],
            "合计": total_row,
            "最高": _week_text(figures.peak_week),
            "最近": _week_text(figures.latest_week),
        },
        推荐行=_recommended_rows(unit, records),
    )
    return context


def _recommended_rows(unit: UnitRecords, records: RecordSet) -> list[dict[str, str]]:
    """The households marked ``慰问.宣传推荐: 是`` (通知四.2), padded with blank rows to
    ``RECOMMENDED_ROWS``; 推荐理由 is left for staff to write."""
    rows = []
    for rec in records.paid_workers(unit):
        worker = rec.worker.model_dump(by_alias=True)
        if (worker.get("慰问") or {}).get("宣传推荐"):
            rows.append(
                {
                    "姓名": ctx.to_text(worker.get("姓名")),
                    "困难类别": ctx.to_text(worker.get("困难类别")),
                    "档案编号": ctx.to_text(worker.get("档案编号")),
                    "推荐理由": "",
                    "联系方式": ctx.to_text(worker.get("联系电话")),
                }
            )
    blank = {"姓名": "", "困难类别": "", "档案编号": "", "推荐理由": "", "联系方式": ""}
    rows += [dict(blank) for _ in range(RECOMMENDED_ROWS - len(rows))]
    return [{"序号": str(n), **row} for n, row in enumerate(rows, start=1)]


def summary_template_path(folder: Path | None = None) -> Path:
    """Where the 小结 template is.

    Looks in *folder* (``--templates``) first, then beside the annex templates
    (:func:`formkit.documents.render.default_template_dir`), then in the copies shipped with formkit
    (the wheel's ``_templates``, the repository's ``templates/``), so a user's own folder
    of annex templates made before the 小结 existed still works.

    Raises:
        TemplateProblem: no 活动小结.docx in any of them.
    """
    here = Path(__file__).resolve().parents[1]  # the formkit package
    candidates: list[Path] = []
    if folder is not None:
        candidates.append(Path(folder))
    try:
        candidates.append(default_template_dir())
    except TemplateProblem:
        pass
    candidates += [here / "_templates", here.parents[1] / "templates"]
    for candidate in candidates:
        path = candidate / SUMMARY.template
        if path.is_file():
            return path
    raise TemplateProblem(f"找不到活动小结模板 {SUMMARY.template}（应在 templates/ 中，可用 tools/build_summary_template.py 生成）。")


def render_summary(unit: UnitRecords, records: RecordSet, template: Path | None = None, figures: UnitFigures | None = None) -> bytes:
    """The 活动小结 draft of one unit, as .docx bytes (通知四.3; figures of :func:`unit_figures`).

    Args:
        unit, records: as for :func:`unit_figures`.
        template: the 小结 template file, or a folder holding it; default
            :func:`summary_template_path`.
        figures: the unit's :func:`unit_figures`, when the caller has them already.

    Returns:
        The rendered document (its zip timestamps are those of the moment; the packet
        normalises them, :func:`formkit.documents.zipio.normalize_docx`).

    Raises:
        FormkitError: the records have no valid campaign.
        TemplateProblem: the template is missing, not a .docx, or names a field the 小结
            context does not have.
    """
    if template is None or Path(template).is_dir():
        path = summary_template_path(Path(template) if template is not None else None)
    else:
        path = Path(template)
    form = FormTemplate(path)
    context = summary_context(unit, records, figures)
    form.check_fields(set(context))
    return form.render(context)
