"""Rules across records: one person, one archive number, one 填报单位, the campaign's dates.

Also the weekly reports of a unit, and the households recommended for publicity (通知四.2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from formkit.domain.dates import format_date_zh
from formkit.domain.models import (
    Campaign,
    WeeklyReport,
    Worker,
)
from formkit.domain.vocab import ArchiveStatus, Weekday
from formkit.errors import Problem
from formkit.files import safe_name
from formkit.records.problems import dotted, problem
from formkit.records.recordset import UnitRecords, WorkerRecord
from formkit.records.walk import UNIT_FILE
from formkit.records.yamlio import YamlDocument, YamlFileError, load_yaml


def name_units(units: list[UnitRecords], problems: list[Problem], addressees: Sequence[str] = ()) -> None:
    """Give each unit its :attr:`UnitRecords.name`, and report two folders with one 填报单位.

    A folder named after one unit of the campaign's 主送 whose 单位.yaml names another is a
    warning (a unit file copied from another unit and not corrected prints that unit's name
    on every form); a folder named otherwise (an abbreviation: 市建设工会工委 for
    厦门市建设工会工作委员会) is the staff's choice.

    Two unit folders whose 单位.yaml give the same 填报单位 would render, publish and export
    into the same folders, one over the other. It is an error in each 单位.yaml, naming the
    other folder (each 填报单位 is one unit, 通知四.3: one packet each); with ``--keep-going``
    both units are kept, the second (in folder order) named ``<填报单位>_<its folder name>``.
    """
    taken: dict[str, UnitRecords] = {}
    for unit in units:
        name = safe_name(unit.unit.name, unit.folder.name)
        if unit.folder.name in addressees and unit.unit.name in addressees and unit.folder.name != unit.unit.name:
            problems.append(
                problem(
                    unit.path,
                    _unit_name_line(unit.path),
                    "填报单位",
                    f"填报单位“{unit.unit.name}”与所在文件夹的名称“{unit.folder.name}”不同：生成的表格按填报单位命名",
                    "确认填报单位没有写错；要一致时，把文件夹改名为填报单位",
                    severity="warning",
                )
            )
        first = taken.get(name)
        if first is not None:
            for this, other in ((unit, first), (first, unit)):
                problems.append(
                    problem(
                        this.path,
                        _unit_name_line(this.path),
                        "填报单位",
                        f"与 {other.folder.name}/{UNIT_FILE} 的填报单位相同（“{this.unit.name}”）：两个文件夹会被当成同一个单位",
                        "每个填报单位只用一个文件夹：把职工和周报合到一个文件夹里，或改正填报单位",
                    )
                )
            name = safe_name(f"{name}_{unit.folder.name}")
            while name in taken:
                name = safe_name(f"{name}_")
        unit.name = name
        taken[name] = unit


def _unit_name_line(path: Path) -> int:
    try:
        return load_yaml(path).line_of(("填报单位",))
    except YamlFileError:
        return 0


@dataclass
class Loaded:
    """A worker file that validated, before the checks across records: the record (packed)
    and what those checks need of it."""

    record: WorkerRecord
    unit_index: int
    id_number: str
    name: str
    id_line: int
    archive_line: int
    family: tuple[tuple[int, str, str, int], ...]  # (position, 身份证号, 姓名, line), members with a 身份证号
    recommended_line: int = 0  # paid and 慰问.宣传推荐 是: the line of that key, else 0


def where_shown(path: Path, line: int, base: Path) -> str:
    try:
        shown = path.relative_to(base)
    except ValueError:
        shown = path
    return f"{shown.as_posix()}:{line}" if line else shown.as_posix()  # as Problem.format


def check_worker(path: Path, doc: YamlDocument, worker: Worker, campaign: Campaign | None, problems: list[Problem]) -> None:
    """The checks of one worker record against the campaign (warnings)."""
    if worker.archive_status == ArchiveStatus.LIFTED_OUT_OF_POVERTY:
        has_payment = worker.payment is not None
        problems.append(
            problem(
                path,
                doc.line_of(("档案状态",)),
                "档案状态",
                "档案状态为脱贫：档案保留，不发放慰问金"
                + ("，这里写的“慰问”不会生成凭证，也不进汇总表" if has_payment else "（不生成凭证，不进汇总表）"),
                "通知三.2：不再符合标准的按脱贫处理；要发放请改为“在档”",
                "warning",
            )
        )
    payment = worker.payment
    if (
        campaign is not None
        and payment is not None
        and payment.paid_on is not None
        and payment.is_central_fund
        and payment.paid_on > campaign.fund_deadline
    ):
        loc = ("慰问", "发放日期")
        problems.append(
            problem(
                path,
                doc.line_of(loc),
                dotted(loc),
                f"中央财政帮扶专项资金应在 {format_date_zh(campaign.fund_deadline)} 前用完，发放日期晚于此日",
                f"不晚于 {format_date_zh(campaign.fund_deadline)}（通知三.2）",
                "warning",
            )
        )


def check_workers(loaded: list[Loaded], base: Path, problems: list[Problem]) -> set[Path]:
    """Checks across worker records; returns the paths of records with a new error."""
    rejected: set[Path] = set()
    by_id: dict[str, list[Loaded]] = defaultdict(list)
    by_archive: dict[tuple[int, str], list[Loaded]] = defaultdict(list)
    for rec in loaded:
        by_id[rec.id_number].append(rec)
        by_archive[(rec.unit_index, rec.record.archive_number)].append(rec)
    for group in by_id.values():
        if len(group) < 2:
            continue
        for rec in group:
            others = "、".join(f"{where_shown(o.record.path, o.id_line, base)}（{o.name}）" for o in group if o is not rec)
            problems.append(
                problem(
                    rec.record.path,
                    rec.id_line,
                    "身份证号",
                    f"同一身份证号登记了{len(group)}次，另见 {others}",
                    "每人只登记一次（通知四.1：不重复、不遗漏）；删去重复的记录或核对号码",
                )
            )
            rejected.add(rec.record.path)
    for group in by_archive.values():
        if len(group) < 2:
            continue
        for rec in group:
            others = "、".join(where_shown(o.record.path, o.archive_line, base) for o in group if o is not rec)
            problems.append(
                problem(
                    rec.record.path,
                    rec.archive_line,
                    "档案编号",
                    f"档案编号“{rec.record.archive_number}”在本单位重复，另见 {others}",
                    "本单位内每个档案编号只用一次",
                )
            )
            rejected.add(rec.record.path)
    for rec in loaded:
        for index, id_number, name, line in rec.family:
            for other in by_id.get(id_number, ()):
                loc = ("家庭成员", index, "身份证号")
                problems.append(
                    problem(
                        rec.record.path,
                        line,
                        dotted(loc),
                        f"家庭成员{name}也登记为困难职工（{where_shown(other.record.path, other.id_line, base)}）",
                        "同一家庭一般只建一份档案；请核对是否重复慰问",
                        "warning",
                    )
                )
    return rejected


def check_weeks(
    weeks: list[tuple[Path, YamlDocument, WeeklyReport]],
    campaign: Campaign | None,
    base: Path,
    problems: list[Problem],
) -> set[Path]:
    """Checks across one unit's weekly reports; returns the paths of reports with a new error."""
    rejected: set[Path] = set()
    by_day: dict[date, list[tuple[Path, YamlDocument]]] = defaultdict(list)
    for path, doc, report in weeks:
        by_day[report.day].append((path, doc))
        if campaign is None:
            continue
        start, end = campaign.weekly_period
        weekday = Weekday(campaign.weekly_day)
        if report.day.weekday() != weekday.weekday_number or not start <= report.day <= end:
            problems.append(
                problem(
                    path,
                    doc.line_of(("时间",)),
                    "时间",
                    f"{format_date_zh(report.day)}不是周报起止（{format_date_zh(start)}至{format_date_zh(end)}）内的{weekday}",
                    f"周报起止内的{weekday}（通知四.3）",
                    "warning",
                )
            )
    for day, group in by_day.items():
        if len(group) < 2:
            continue
        for path, doc in group:
            others = "、".join(where_shown(p, d.line_of(("时间",)), base) for p, d in group if p != path)
            problems.append(
                problem(
                    path,
                    doc.line_of(("时间",)),
                    "时间",
                    f"{format_date_zh(day)}的周报有{len(group)}份，另见 {others}",
                    "每周一份",
                )
            )
            rejected.add(path)
    return rejected


#: Households a unit recommends for publicity (通知四.2: "每个单位推荐1—2户（人）").
MOST_RECOMMENDED = 2


def check_recommendations(loaded: list[Loaded], rejected: set[Path], problems: list[Problem]) -> None:
    """A unit marking more than :data:`MOST_RECOMMENDED` paid households 宣传推荐: a warning
    at each one past the second (records in path order, as the unit lists them)."""
    by_unit: dict[int, list[Loaded]] = defaultdict(list)
    for rec in loaded:
        if rec.recommended_line and rec.record.path not in rejected:
            by_unit[rec.unit_index].append(rec)
    for marked in by_unit.values():
        marked.sort(key=lambda rec: rec.record.path)
        for rec in marked[MOST_RECOMMENDED:]:
            problems.append(
                problem(
                    rec.record.path,
                    rec.recommended_line,
                    "慰问.宣传推荐",
                    f"本单位已有 {len(marked)} 户标为宣传推荐",
                    f"通知四.2：每个单位推荐1—{MOST_RECOMMENDED}户（人）",
                    "warning",
                )
            )
