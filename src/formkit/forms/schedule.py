"""The schedule: the dates that bind each unit, what has come in, and how many days are left.

From campaign.yaml and the units' weekly reports (notice §三.2, §四.3):

* every 周报日 (星期五) inside 周报起止 — one 附件4 weekly report per unit (8 for the 2012
  campaign: 2011-12-02 … 2012-01-20); per unit 已报 (a valid report for that day exists),
  缺报 (the day has passed without one), 今日应报 or 待报 (not due yet);
* 资金使用截止 — the central special fund spent (§三.2); per unit how many of its paid
  workers with 中央财政帮扶专项资金 have a 发放日期 on or before that day;
* 上报截止 — what the unit sends to the city federation's 法律与保障部 (§四.3): a 产业工会
  the 附件1 vouchers, the 附件2 roster and the 活动小结; a 区工会 only the roster and the
  活动小结.

Days left are counted from ``today`` (negative: overdue). Once every date has passed, the
campaign has ended: the text says so once, with its last date, and shows per unit what was
filed and what is missing, without counting days (:func:`format_schedule`). Dates print in
Chinese through babel (:func:`formkit.domain.dates.format_date_zh`,
:func:`formkit.domain.dates.weekday_zh`).

    >>> print(schedule_text("records", date(2012, 1, 10)))      # doctest: +SKIP
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from formkit.domain.annexes import sent_by
from formkit.domain.dates import format_date_zh, weekday_zh
from formkit.errors import RecordsInvalid
from formkit.records.load import load_records
from formkit.records.recordset import RecordSet, UnitRecords
from formkit.records.walk import CAMPAIGN_FILE

__all__ = [
    "DUE_TODAY",
    "FUND_DEADLINE",
    "MISSING",
    "PENDING",
    "REPORT_DEADLINE",
    "SUBMITTED",
    "WEEKLY",
    "ScheduleRow",
    "days_left_text",
    "display_width",
    "format_schedule",
    "schedule",
    "schedule_text",
]

#: Row kinds.
WEEKLY = "周报"
FUND_DEADLINE = "资金使用截止"
REPORT_DEADLINE = "上报截止"
_KIND_ORDER = {WEEKLY: 0, FUND_DEADLINE: 1, REPORT_DEADLINE: 2}

#: Status of one unit's weekly report for one 周报日.
SUBMITTED = "已报"
MISSING = "缺报"
DUE_TODAY = "今日应报"
PENDING = "待报"


@dataclass(frozen=True)
class ScheduleRow:
    """One date that binds the units.

    Attributes:
        due: the date.
        kind: :data:`WEEKLY`, :data:`FUND_DEADLINE` or :data:`REPORT_DEADLINE`.
        item: what is due, in Chinese, e.g. ``第1周周报（附件4）``.
        days_left: ``(due - today).days``: positive = days to go, 0 = today, negative = overdue.
        units: per unit (填报单位, in the order of the records folder), its status: for a
            weekly row one of :data:`SUBMITTED`, :data:`MISSING`, :data:`DUE_TODAY`,
            :data:`PENDING`; for 资金使用截止 ``已发 n/m`` (paid workers with the central fund
            and a 发放日期 up to the deadline / all paid workers with the central fund); for
            上报截止 the annexes the unit sends (§四.3).
    """

    due: date
    kind: str
    item: str
    days_left: int
    units: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """The units whose weekly report for this day is overdue (:data:`MISSING`)."""
        return [name for name, status in self.units.items() if status == MISSING]

    @property
    def submitted(self) -> list[str]:
        """The units whose weekly report for this day exists (:data:`SUBMITTED`)."""
        return [name for name, status in self.units.items() if status == SUBMITTED]


def days_left_text(days: int) -> str:
    """``剩 3 天``, ``今天`` or ``已过期 2 天``."""
    if days > 0:
        return f"剩 {days} 天"
    if days == 0:
        return "今天"
    return f"已过期 {-days} 天"


def _sent_text(unit_type: str) -> str:
    """What a unit of ``unit_type`` sends by 上报截止, shortly: ``附件1、附件2、小结`` (通知四.3)."""
    return "、".join(f"附件{d.number}" if d.number else "小结" for d in sent_by(unit_type))


def _unit_name(unit: UnitRecords) -> str:
    return unit.name


def _weekly_status(have: bool, due: date, today: date) -> str:
    if have:
        return SUBMITTED
    if due < today:
        return MISSING
    return DUE_TODAY if due == today else PENDING


def schedule(records: RecordSet, today: date) -> list[ScheduleRow]:
    """The schedule of a records folder, as of ``today``.

    Args:
        records: a loaded records folder (:func:`formkit.records.load.load_records`); only its
            campaign, units, valid weekly reports and valid paid workers are used, so errors
            elsewhere do not hide the schedule (a weekly report with an error counts as not
            submitted).
        today: the day days are counted from.

    Returns:
        The rows in date order (on one day: the weekly report first, then 资金使用截止, then
        上报截止).

    Raises:
        RecordsInvalid: campaign.yaml is missing or has errors.
    """
    campaign = records.campaign
    if campaign is None:
        raise RecordsInvalid([p for p in records.problems if p.path.name == CAMPAIGN_FILE] or list(records.errors))
    _start, _end = campaign.weekly_period
    units = records.units
    names = [_unit_name(u) for u in units]
    rows: list[ScheduleRow] = []

    for number, day in enumerate(campaign.report_days, start=1):
        status = {}
        for name, unit in zip(names, units):
            have = any(week.report.day == day for week in unit.weeks)
            status[name] = _weekly_status(have, day, today)
        rows.append(ScheduleRow(day, WEEKLY, f"第{number}周周报（附件4）", (day - today).days, status))

    fund = {}
    for name, unit in zip(names, units):
        payments = [rec.worker.payment for rec in records.paid_workers(unit)]
        central = [p for p in payments if p is not None and p.is_central_fund]
        paid = [p for p in central if p.paid_on is not None and p.paid_on <= campaign.fund_deadline]
        fund[name] = f"已发 {len(paid)}/{len(central)}" if central else "无专项资金"
    rows.append(
        ScheduleRow(campaign.fund_deadline, FUND_DEADLINE, "中央财政帮扶专项资金用完（三.2）", (campaign.fund_deadline - today).days, fund)
    )

    packet = {name: _sent_text(str(unit.unit.unit_type)) for name, unit in zip(names, units)}
    rows.append(
        ScheduleRow(
            campaign.report_deadline, REPORT_DEADLINE, "报凭证、汇总表及活动小结（四.3）", (campaign.report_deadline - today).days, packet
        )
    )
    rows.sort(key=lambda r: (r.due, _KIND_ORDER[r.kind]))
    return rows


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for wide and full-width characters (Unicode
    East Asian Width W and F), 0 for combining marks, 1 otherwise (ambiguous characters
    count 1, as most terminals outside a CJK locale show them; this module prints none)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _table(header: Sequence[str], body: Sequence[Sequence[str]], gap: int = 2) -> list[str]:
    widths = [max(display_width(row[i]) for row in [header, *body]) for i in range(len(header))]
    sep = " " * gap

    def line(cells: Sequence[str]) -> str:
        return sep.join(_pad(c, w) for c, w in zip(cells, widths)).rstrip()

    return [line(header), sep.join("-" * w for w in widths), *(line(row) for row in body)]


def _fund_behind(status: str) -> bool:
    """True for ``已发 n/m`` with n < m."""
    if not status.startswith("已发 "):
        return False
    done, _, total = status[3:].partition("/")
    return done != total


def format_schedule(rows: Sequence[ScheduleRow], *, title: str = "", today: date | None = None, max_unit_columns: int = 4) -> str:
    """The schedule as a plain-text table whose columns line up with Chinese text.

    Columns: 日期, 星期, 事项, 期限 (days left), then one column per unit when there are at
    most ``max_unit_columns`` units, else 已报 (``n/m``) and 缺报单位 (the units whose report
    is overdue; on the 资金使用截止 row the units that have not paid every worker of the
    central fund).

    Args:
        rows: from :func:`schedule`.
        title: a first line, e.g. the campaign's name and 文号.
        today: printed under the title as 今天：2012年1月10日 星期二.
        max_unit_columns: the most units shown as columns of their own.

    Returns:
        The text, lines joined with ``\\n``, ending with a legend of the status words.
    """
    units = list(rows[0].units) if rows else []
    per_unit = len(units) <= max_unit_columns
    ended = today is not None and bool(rows) and all(row.due < today for row in rows)
    header = ["日期", "星期", "事项"] + ([] if ended else ["期限"]) + (units if per_unit else ["已报", "缺报单位"])
    body = []
    for row in rows:
        cells = [format_date_zh(row.due), weekday_zh(row.due), row.item] + ([] if ended else [days_left_text(row.days_left)])
        if per_unit:
            cells += [row.units[name] for name in units]
        elif row.kind == WEEKLY:
            cells += [f"{len(row.submitted)}/{len(units)}", "、".join(row.missing)]
        elif row.kind == FUND_DEADLINE:
            behind = [f"{name}（{status}）" for name, status in row.units.items() if _fund_behind(status)]
            cells += ["", ("未发完：" + "、".join(behind)) if behind else ""]
        else:
            cells += ["", ""]
        body.append(cells)
    lines = []
    if title:
        lines.append(title)
    if today is not None:
        lines.append(f"今天：{format_date_zh(today)} {weekday_zh(today)}")
    if lines:
        lines.append("")
    if ended:
        lines += _ended(rows, units)
    lines += _table(header, body)
    lines += [
        "",
        f"{SUBMITTED}：周报已有；{MISSING}：周报日已过仍没有；{DUE_TODAY}：今天是周报日；{PENDING}：周报日未到。",
        "资金使用截止：已发 = 中央财政帮扶专项资金在截止日前有发放日期的人数 / 应发人数（通知三.2）。",
        "上报截止：产业工会报附件1、附件2和活动小结，区工会报附件2和活动小结（通知四.3）。",
    ]
    return "\n".join(lines) + "\n"


def _ended(rows: Sequence[ScheduleRow], units: Sequence[str]) -> list[str]:
    """The lines of an ended campaign: said once, with its last date; per unit the weekly
    reports filed and missing, and the central fund paid by its deadline."""
    last = max(rows, key=lambda r: (r.due, _KIND_ORDER[r.kind]))
    weekly = [row for row in rows if row.kind == WEEKLY]
    lines = [f"活动已于{format_date_zh(last.due)}结束，所有日期都已过去。各单位报了什么、缺了什么："]
    for name in units:
        missing = [format_date_zh(row.due) for row in weekly if row.units.get(name) == MISSING]
        filed = sum(1 for row in weekly if row.units.get(name) == SUBMITTED)
        text = f"  {name}：周报已报 {filed}/{len(weekly)} 份"
        text += f"，缺报 {len(missing)} 份（{'、'.join(missing)}）" if missing else "，没有缺报"
        fund = next((row.units.get(name, "") for row in rows if row.kind == FUND_DEADLINE), "")
        if fund.startswith("已发 "):
            text += f"；中央财政帮扶专项资金截止日前{fund} 人"
        lines.append(text)
    return [*lines, ""]


def schedule_text(records: Path | str | RecordSet, today: date | None = None, *, max_unit_columns: int = 4) -> str:
    """Load a records folder and return its schedule as text (what ``formkit schedule`` prints).

    Args:
        records: a records folder or a loaded RecordSet.
        today: default :meth:`datetime.date.today`.
        max_unit_columns: see :func:`format_schedule`.

    Raises:
        FormkitError: the folder is not a records folder.
        RecordsInvalid: campaign.yaml is missing or has errors.
    """
    record_set = records if isinstance(records, RecordSet) else load_records(Path(records))
    today = today or date.today()
    rows = schedule(record_set, today)
    campaign = record_set.campaign
    title = f"{campaign.name}（{campaign.document_number}）日程" if campaign is not None else ""
    return format_schedule(rows, title=title, today=today, max_unit_columns=max_unit_columns)
