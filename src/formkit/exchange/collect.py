"""The city roll-up for the 市总工会法律与保障部: every unit's records in one set of files.

:func:`collect` takes a records folder holding every unit (records.md: the city federation's
layout) and writes into ``out``::

    全市_附件2_实名制发放凭证汇总表_<帮扶项目>.docx   the city-wide roster (annex-2 template)
    全市_各单位合计.csv                            per unit: workers, amounts, 资金来源, 周报
    全市_资金来源合计.csv                          per 资金来源: persons and yuan, city total
    全市_周报合计.csv                              per 周报日 (Friday): the 附件4 rows added up
                                                   over units, with the units that did not report
    全市_跨单位人员.csv                            every 身份证号 found in more than one unit

Why CSV for the tables: the department adds, sorts and filters them, and CSV opens in Excel
and WPS as a sheet, diffs line by line and is byte-for-byte reproducible (an .xlsx carries
its creation time). The files are UTF-8 with a BOM (Excel on a Chinese Windows reads a CSV
without one as GBK) and CRLF line ends. The roster is a .docx because it is a form to be
printed and stamped, like the units' own.

The roster lists every paid worker (在档 with a 慰问, 通知三.2) of every unit, unit by unit in
folder order and, within a unit, by 档案编号, numbered through; its 备注 column names the
worker's unit (the record's own 备注 stays off, as on the units' rosters), and its 填报单位
line reads ``<发文机关>（全市汇总）``.

People in more than one unit (通知四.1: 不重复): a 身份证号 registered as a worker in two
units is an error of the records (formkit.records.load), and both records are left out of the
units, so the check reads them again from their files; the other case, a worker's family
member registered as a worker in another unit, is a warning of the records and appears
here too. The report prints ID numbers masked (:func:`formkit.domain.privacy.mask_id`): it names
the person, the units, the 档案编号 and the record file, which is what is needed to look the
records up, and it is a file likely to be passed around.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from formkit.documents.template import (
    FormTemplate,
    default_template_dir,
)
from formkit.documents.zipio import normalize_docx
from formkit.domain.amounts import format_yuan
from formkit.domain.annexes import ROSTER
from formkit.domain.dates import format_date_zh
from formkit.domain.idcard import parse_id_number
from formkit.domain.privacy import mask_id
from formkit.errors import FormkitError, IDNumberError
from formkit.files import safe_name, write_atomic
from formkit.forms import context as ctx
from formkit.forms.summary import (
    UnitFigures,
    format_wan_yuan,
    unit_figures,
    week_figures,
)
from formkit.records.recordset import RecordSet, UnitRecords, WorkerRecord
from formkit.records.walk import WORKERS_DIR
from formkit.records.yamlio import YamlFileError, load_yaml

__all__ = [
    "CITY_PREFIX",
    "FUNDS_CSV",
    "PEOPLE_CSV",
    "UNITS_CSV",
    "WEEKS_CSV",
    "Appearance",
    "city_roster_contexts",
    "collect",
    "cross_unit_people",
    "csv_bytes",
]

CITY_PREFIX = "全市"
UNITS_CSV = f"{CITY_PREFIX}_各单位合计.csv"
FUNDS_CSV = f"{CITY_PREFIX}_资金来源合计.csv"
WEEKS_CSV = f"{CITY_PREFIX}_周报合计.csv"
PEOPLE_CSV = f"{CITY_PREFIX}_跨单位人员.csv"

_WEEK_COLUMNS = (
    ("企业类型", "国有企业", "state_owned"),
    ("企业类型", "集体企业", "collective"),
    ("企业类型", "其他类型企业", "other"),
    ("用工来源", "城镇职工", "urban"),
    ("用工来源", "农民工", "migrant"),
    ("用工来源", "其中建筑业农民工", "migrant_construction"),
)
_FIGURES = (("拖欠数额", "万元", "arrears"), ("涉及企业数", "户", "enterprises"), ("涉及人数", "人", "persons"))


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    """Rows as a CSV Excel and WPS open directly: UTF-8 with BOM, CRLF, every cell text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _unit_name(unit: UnitRecords) -> str:
    return unit.name


def _roster_key(rec: WorkerRecord) -> tuple[Any, ...]:
    """Within a unit, by 档案编号 with its numbers compared as numbers (as formkit.api)."""
    return rec.sort_key


def city_roster_contexts(records: RecordSet) -> list[tuple[str, dict[str, Any]]]:
    """The city-wide annex-2 contexts: every unit's paid workers, one roster per 帮扶项目.

    Returns:
        ``[(帮扶项目, context)]`` as :func:`formkit.forms.context.roster_contexts`, 序号 running
        through the units; the 备注 of each row (in ``行`` and in ``分页``) is the worker's
        填报单位 (the record's own 备注 stays off the roster, as in the units' rosters).

    Raises:
        FormkitError: no valid campaign.
    """
    if records.campaign is None:
        raise FormkitError("没有有效的 campaign.yaml：无法汇总")
    campaign = records.campaign.model_dump(by_alias=True)
    paid: list[dict[str, Any]] = []
    units_by_project: dict[str, list[str]] = defaultdict(list)
    for unit in records.units:
        for rec in sorted(records.paid_workers(unit), key=_roster_key):
            worker = rec.worker.model_dump(by_alias=True)
            paid.append(worker)
            units_by_project[ctx.to_text(worker["慰问"].get("帮扶项目"))].append(_unit_name(unit))
    if not paid:
        return []
    city = {"填报单位": f"{records.campaign.issuer}（全市汇总）", "单位类型": "", "单位负责人": "", "填表人": "", "联系电话": ""}
    rosters = ctx.roster_contexts(campaign, city, paid)
    for project, context in rosters:
        units = units_by_project[project]
        for row in [*context["行"], *(r for page in context["分页"] for r in page["行"])]:
            row["备注"] = units[int(row["序号"]) - 1]
    return rosters


@dataclass(frozen=True)
class Appearance:
    """One appearance of a person (a 身份证号) in a unit's records.

    Attributes:
        id_number: the 18-character number (print it masked).
        name: the name on that record.
        unit: the 填报单位 (or the unit's folder name).
        role: 职工, 家庭成员（<worker>的<关系>）, or 职工（记录有错误，未汇总）.
        archive_number: the worker's 档案编号 (of the worker whose family it is, for a member).
        path: the record file.
    """

    id_number: str
    name: str
    unit: str
    role: str
    archive_number: str
    path: Path


def _appearances(records: RecordSet) -> list[Appearance]:
    found: list[Appearance] = []
    for unit in records.units:
        name = _unit_name(unit)
        valid = set()
        for rec in unit.workers:
            w = rec.worker
            valid.add(rec.path)
            found.append(Appearance(w.id_number, w.name, name, "职工", w.archive_number, rec.path))
            for member in w.family:
                if member.id_number and member.id_number != w.id_number:
                    relation = f"的{member.relationship}" if member.relationship else ""
                    found.append(
                        Appearance(member.id_number, member.name, name, f"家庭成员（{w.name}{relation}）", w.archive_number, rec.path)
                    )
        found += _left_out_workers(unit, valid)
    return found


def _left_out_workers(unit: UnitRecords, valid: set[Path]) -> list[Appearance]:
    """Workers of *unit* whose records have errors: read their 身份证号 leniently."""
    folder = unit.folder / WORKERS_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path in valid or path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            continue
        if any(part.startswith((".", "~")) for part in path.relative_to(folder).parts):
            continue
        try:
            data = load_yaml(path, require_mapping=True).data
            number = parse_id_number(data.get("身份证号")).number
        except (YamlFileError, IDNumberError, AttributeError, TypeError):
            continue
        found.append(
            Appearance(
                number, str(data.get("姓名") or ""), _unit_name(unit), "职工（记录有错误，未汇总）", str(data.get("档案编号") or ""), path
            )
        )
    return found


def cross_unit_people(records: RecordSet) -> list[list[Appearance]]:
    """Every person whose 身份证号 appears in more than one unit (通知四.1: 不重复).

    Looks at each unit's workers (valid or left out for errors) and their family members.

    Returns:
        One group per person, each group's appearances by unit and file; groups ordered by
        their first appearance.
    """
    groups: dict[str, list[Appearance]] = defaultdict(list)
    for appearance in _appearances(records):
        groups[appearance.id_number].append(appearance)
    result = []
    for group in groups.values():
        if len({a.unit for a in group}) > 1:
            result.append(sorted(group, key=lambda a: (a.unit, a.path.as_posix(), a.role)))
    return result


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _units_rows(figures: list[UnitFigures]) -> list[list[Any]]:
    funds = sorted({f.name for fig in figures for f in fig.by_fund})
    header = [
        "填报单位",
        "单位类型",
        "登记人数",
        "在档人数",
        "脱贫档案",
        "慰问人数",
        "慰问金额（元）",
        "其中农民工人数",
        "其中农民工金额（元）",
    ]
    header += [f"{fund}（元）" for fund in funds] + ["周报已报", "周报应报", "缺报周报日"]
    rows: list[list[Any]] = [header]
    for fig in figures:
        by_fund = {f.name: f.amount for f in fig.by_fund}
        rows.append(
            [
                fig.name,
                fig.unit_type,
                fig.registered,
                fig.active,
                fig.lifted,
                fig.paid,
                format_yuan(fig.paid_total),
                fig.migrant_paid,
                format_yuan(fig.migrant_amount),
            ]
            + [format_yuan(by_fund.get(fund, Decimal(0))) for fund in funds]
            + [len(fig.reported_weeks), fig.expected_weeks, "、".join(format_date_zh(d) for d in fig.missing)]
        )
    total = [
        "全市合计",
        "",
        sum(f.registered for f in figures),
        sum(f.active for f in figures),
        sum(f.lifted for f in figures),
        sum(f.paid for f in figures),
    ]
    total += [format_yuan(sum((f.paid_total for f in figures), Decimal(0))), sum(f.migrant_paid for f in figures)]
    total += [format_yuan(sum((f.migrant_amount for f in figures), Decimal(0)))]
    total += [format_yuan(sum((b.amount for f in figures for b in f.by_fund if b.name == fund), Decimal(0))) for fund in funds]
    total += [sum(len(f.reported_weeks) for f in figures), sum(f.expected_weeks for f in figures), ""]
    rows.append(total)
    return rows


def _funds_rows(figures: list[UnitFigures]) -> list[list[Any]]:
    persons: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, set[str]] = defaultdict(set)
    for fig in figures:
        for f in fig.by_fund:
            persons[f.name] += f.persons
            amounts[f.name] += f.amount
            units[f.name].add(fig.name)
    rows: list[list[Any]] = [["资金来源", "单位数", "人数", "金额（元）"]]
    for name in sorted(persons):
        rows.append([name, len(units[name]), persons[name], format_yuan(amounts[name])])
    rows.append(["合计", len([f for f in figures if f.paid]), sum(persons.values()), format_yuan(sum(amounts.values(), Decimal(0)))])
    return rows


def _weeks_rows(records: RecordSet) -> list[list[Any]]:
    header = ["时间", "已报单位数", "应报单位数", "未报单位"]
    header += [f"{row}·{label}（{unit}）" for _, row, _ in _WEEK_COLUMNS for label, unit, _ in _FIGURES]
    header += [f"企业类型合计·{label}（{unit}）" for label, unit, _ in _FIGURES]
    figures = [unit_figures(unit, records) for unit in records.units]
    days = sorted({w.day for fig in figures for w in fig.weeks})
    reports: dict[date, list[tuple[str, Any]]] = defaultdict(list)
    for unit in records.units:
        for week in unit.weeks:
            reports[week.report.day].append((_unit_name(unit), week))
    rows: list[list[Any]] = [header]
    for day in days:
        present = reports.get(day, [])
        names = {name for name, _ in present}
        missing = [fig.name for fig in figures if fig.name not in names]
        row: list[Any] = [day.isoformat(), len(present), len(figures), "、".join(missing)]
        for group, _, attr in _WEEK_COLUMNS:
            for _, _, figure in _FIGURES:
                total: Any = Decimal(0) if figure == "arrears" else 0
                for _, week in present:
                    rows_of = week.report.enterprise_types if group == "企业类型" else week.report.labour_sources
                    total += getattr(getattr(rows_of, attr), figure)
                row.append(format_wan_yuan(total) if figure == "arrears" else total)
        summed = [week_figures(week) for _, week in present]
        row += [
            format_wan_yuan(sum((w.arrears for w in summed), Decimal(0))),
            sum(w.enterprises for w in summed),
            sum(w.persons for w in summed),
        ]
        rows.append(row)
    return rows


def _people_rows(records: RecordSet) -> list[list[Any]]:
    base = records.root
    rows: list[list[Any]] = [["人员序号", "身份证号（隐去中间位）", "姓名", "填报单位", "身份", "档案编号", "记录文件"]]
    for n, group in enumerate(cross_unit_people(records), start=1):
        for a in group:
            rows.append([n, mask_id(a.id_number), a.name, a.unit, a.role, a.archive_number, _relative(a.path, base)])
    return rows


def collect(records: RecordSet, out: Path, *, templates: Path | None = None) -> list[Path]:
    """Write the city roll-up of every unit in *records* into *out* (see the module docstring).

    Args:
        records: a loaded records folder holding every unit (``formkit.api.check``).
        out: the folder to write into (created if needed; the integrator's default is
            ``OUT/全市汇总``). Files of an earlier roll-up with the same names are replaced.
        templates: the folder of the annex templates (附件2 is used); default
            :func:`formkit.documents.render.default_template_dir`.

    Returns:
        The files written: the roster(s) (one per 帮扶项目, none when nobody is paid), then
        the per-unit, per-资金来源, per-Friday and cross-unit CSV files.

    Raises:
        FormkitError: no valid campaign.
        TemplateProblem: the annex-2 template is missing or names an unknown field.
        OutputError: *out* cannot be written.
    """
    if records.campaign is None:
        raise FormkitError("没有有效的 campaign.yaml：无法汇总")
    out = Path(out)
    folder = Path(templates) if templates is not None else default_template_dir()
    written: list[Path] = []
    rosters = city_roster_contexts(records)
    if rosters:
        template = FormTemplate(folder / ROSTER.template)
        for project, context in rosters:
            template.check_fields(set(context))
            suffix = f"_{safe_name(project)}" if project else ""
            path = out / f"{CITY_PREFIX}_{ROSTER.stem}{suffix}.docx"
            write_atomic(path, normalize_docx(template.render(context)))
            written.append(path)
    figures = [unit_figures(unit, records) for unit in records.units]
    tables = (
        (UNITS_CSV, _units_rows(figures)),
        (FUNDS_CSV, _funds_rows(figures)),
        (WEEKS_CSV, _weeks_rows(records)),
        (PEOPLE_CSV, _people_rows(records)),
    )
    for name, rows in tables:
        path = out / name
        write_atomic(path, csv_bytes(rows))
        written.append(path)
    return written
