"""Export the tables as spreadsheets (.xlsx and CSV) for offices that exchange them so (issue 8).

    >>> from formkit.exchange.sheetexport import export_tables
    >>> paths = export_tables(Path("records"), Path("表格"))

Per unit (``<out>/<填报单位>/``), and city-wide (``<out>/全市汇总/``, with a 填报单位 column)
when the records hold more than one unit:

- ``附件2_实名制发放凭证汇总表.xlsx``: the annex-2 roster of paid workers (在档 with a 慰问),
  one sheet per 帮扶项目, the form's title and column headings, a 合计 row; plus one CSV per
  帮扶项目 (``附件2_实名制发放凭证汇总表_生活救助.csv``).
- ``附件4_企业工资拖欠情况周报表.xlsx``: the annex-4 figures, one row per weekly report, headed
  like the form (企业类型 / 用工来源 rows become column groups); city-wide, each week's unit
  rows are followed by that week's 合计 row (weeks are not added up: each report gives that
  week's situation). Plus the CSV.
- ``困难职工档案.xlsx``: every worker record in full (sheets 职工, 家庭成员, 所附附件), the form
  that :func:`formkit.exchange.sheetimport.import_sheet` reads back into the same records; plus
  ``困难职工档案.csv`` and ``困难职工档案_家庭成员.csv`` / ``_所附附件.csv``.

In the .xlsx files ID numbers are text cells, money is a number with the ``0.00`` format
(万元 with ``0.00##``: 拖欠数额 is exact to the yuan), dates are date cells; the header is
frozen and repeats on every printed page. A character openpyxl refuses to write (a control
character) is written as Excel's own escape ``_xHHHH_`` (ECMA-376 ST_Xstring,
:func:`formkit.domain.text.encode_excel_escapes`), so every value ``formkit check`` accepts
is exported, and read back the same by import.

The CSV files come in two forms (:data:`CSV_FORMS`):

- ``plain`` (the default): UTF-8 without a byte-order mark, every value as the records hold
  it, for scripts, databases and other tools;
- ``excel``: for opening in Excel by double-click: UTF-8 with a BOM (so Excel reads it as
  UTF-8), an all-digit ID number, 档案编号 or phone number written ``="350203…"`` so that
  Excel keeps it as text instead of turning it into 3.50203E+17, and a text starting with
  ``= + - @`` given a leading ``'`` (no formula injection).

Import reads both forms (it removes the BOM, ``="…"`` and that ``'``). Every file is
written to a temporary file and moved into place (os.replace).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from formkit.domain.amounts import amount_in_words
from formkit.domain.annexes import ROSTER, WEEKLY
from formkit.domain.models.worker import ID_AS_TYPED
from formkit.domain.text import encode_excel_escapes
from formkit.errors import FormkitError, RecordsInvalid
from formkit.exchange.spreadsheet import (
    ATTACHMENT_COLUMNS,
    FAMILY_COLUMNS,
    UNIT_COLUMN,
    WORKER_COLUMNS,
    Column,
)
from formkit.files import safe_name, write_atomic
from formkit.forms.context import (
    ROSTER_COLUMNS,
    WEEKLY_FIGURES,
    WEEKLY_GROUPS,
    roster_contexts,
)
from formkit.records.load import load_records
from formkit.records.recordset import RecordSet, UnitRecords, WorkerRecord

__all__ = ["ARCHIVE_STEM", "CITY_DIR", "CSV_FORMS", "export_tables"]

#: The forms of the CSV files: ``plain`` UTF-8 as the records hold it; ``excel`` protected
#: for Excel (BOM, ``="…"`` around digit codes, ``'`` before a formula-like text).
CSV_FORMS = ("plain", "excel")

ARCHIVE_STEM = "困难职工档案"
CITY_DIR = "全市汇总"
#: The forms' titles (附件2, 附件4 of 厦工[2011]104号, as in the templates).
ROSTER_TITLE = "2012年两节中央财政帮扶专项资金实名制发放凭证汇总表（帮扶项目：{project}）"
WEEKLY_TITLE = "2012年“两节”期间企业工资拖欠情况周报表"
_FIGURE_UNITS = {"拖欠数额": "万元", "涉及企业数": "户", "涉及人数": "人"}

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FONT = Font(bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

#: (value, kind) of one cell; kinds: text, id (text cell), int, money (yuan), wan (万元), date.
Cell = tuple[Any, str]


# ---------------------------------------------------------------- writing


@dataclass
class _Sheet:
    title: str
    heading_rows: list[list[str]]  # the header, one or more rows (merged where repeated)
    rows: list[list[Cell]]
    banner: list[str]  # rows above the header (form title, 填报单位), each merged across
    csv_heading: list[str]


def _csv_value(value: Any, kind: str, excel: bool) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return format(Decimal(value).quantize(Decimal("0.01")), "f")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if excel and kind == "id" and re.fullmatch(r"\d+", text):
        return f'="{text}"'
    if excel and kind in ("text", "line") and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def _csv_bytes(sheet: _Sheet, form: str) -> bytes:
    excel = form == "excel"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.csv_heading)
    for row in sheet.rows:
        writer.writerow([_csv_value(v, k, excel) for v, k in row])
    return (("\ufeff" if excel else "") + buffer.getvalue()).encode("utf-8")


def _put(ws: Any, row: int, col: int, value: Any, kind: str) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None or value == "":
        cell.border = _BORDER
        return
    if kind == "money":
        cell.value, cell.number_format = Decimal(value), "0.00"
    elif kind == "wan":
        cell.value, cell.number_format = Decimal(value), "0.00##"
    elif kind == "int":
        cell.value, cell.number_format = int(value), "0"
    elif kind == "date":
        cell.value, cell.number_format = value, "yyyy-mm-dd"
    else:
        cell.value = encode_excel_escapes(str(value))  # openpyxl refuses control characters
        cell.data_type = "s"  # never a formula, even when the text starts with "="
        if kind == "id":
            cell.number_format = "@"
    cell.border = _BORDER


def _width(values: Sequence[Any]) -> float:
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values if v is not None), default=4)
    return min(max(longest + 2, 6), 48)


def _write_sheet(ws: Any, sheet: _Sheet) -> None:
    width = max(len(r) for r in sheet.heading_rows)
    row = 1
    for text in sheet.banner:
        ws.cell(row=row, column=1, value=encode_excel_escapes(text)).font = Font(bold=True, size=14 if row == 1 else 11)
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center" if row == 1 else "left")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
    top = row
    for r, headings in enumerate(sheet.heading_rows):
        for c, text in enumerate(headings, start=1):
            cell = ws.cell(row=row + r, column=c, value=text or None)
            cell.font, cell.alignment, cell.border = _HEAD_FONT, _CENTER, _BORDER
    _merge_header(ws, sheet.heading_rows, top)
    row = top + len(sheet.heading_rows)
    ws.freeze_panes = ws.cell(row=row, column=1)
    ws.print_title_rows = f"{top}:{row - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    for values in sheet.rows:
        total = any(value == "合计" for value, _ in values[:2])
        for c, (value, kind) in enumerate(values, start=1):
            _put(ws, row, c, value, kind)
            if total:
                ws.cell(row=row, column=c).font = _HEAD_FONT
        row += 1
    for c in range(1, width + 1):
        column = [h[c - 1] for h in sheet.heading_rows if c - 1 < len(h)] + [v[c - 1][0] for v in sheet.rows if c - 1 < len(v)]
        ws.column_dimensions[get_column_letter(c)].width = _width(column)


def _merge_header(ws: Any, rows: list[list[str]], top: int) -> None:
    """Merge a heading repeated across columns of a row, or down rows of a column."""
    for r, headings in enumerate(rows):
        c = 0
        while c < len(headings):
            end = c
            while end + 1 < len(headings) and headings[end + 1] == headings[c] and headings[c]:
                end += 1
            down = r
            while end == c and down + 1 < len(rows) and rows[down + 1][c] == headings[c] and headings[c]:
                down += 1
            if (end > c or down > r) and (r == 0 or rows[r - 1][c] != headings[c]):
                ws.merge_cells(start_row=top + r, start_column=c + 1, end_row=top + down, end_column=end + 1)
            c = end + 1


def _save(out: Path, stem: str, sheets: list[_Sheet], csv_names: list[str], written: list[Path], csv_form: str) -> None:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _write_sheet(book.create_sheet(safe_name(sheet.title)[:31]), sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    path = out / f"{stem}.xlsx"
    write_atomic(path, buffer.getvalue())
    written.append(path)
    for sheet, name in zip(sheets, csv_names):
        if name:
            path = out / f"{name}.csv"
            write_atomic(path, _csv_bytes(sheet, csv_form))
            written.append(path)


# ---------------------------------------------------------------- annex 2


def _archive_sort_key(rec: WorkerRecord) -> tuple[Any, ...]:
    return rec.sort_key


def _roster_sheets(record_set: RecordSet, units: list[UnitRecords], city: bool) -> list[tuple[str, _Sheet]]:
    campaign = record_set.campaign
    if campaign is None:
        raise FormkitError("缺少有效的 campaign.yaml：附件2 的年龄按其中的上报截止日计算")
    by_project: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for unit in units:
        paid = sorted(record_set.paid_workers(unit), key=_archive_sort_key)
        dumps = [rec.worker.model_dump(by_alias=True) for rec in paid]
        for project, ctx in roster_contexts(campaign.model_dump(by_alias=True), unit.unit.model_dump(by_alias=True), dumps):
            by_project.setdefault(project, []).extend((unit.name, row) for row in ctx["行"])
    columns = list(ROSTER_COLUMNS)
    if city:
        columns.insert(1, UNIT_COLUMN.heading)
    kinds = {"序号": "int", "年龄": "int", "身份证号": "id", "帮扶金额": "money", "家庭联系电话": "id"}
    where = "全市（" + "、".join(u.unit.name for u in units) + "）" if city else units[0].unit.name
    sheets = []
    for project, rows in by_project.items():
        cells = []
        total = Decimal("0")
        for n, (unit_name, row) in enumerate(rows, start=1):
            values = dict(row, 序号=str(n), 填报单位=unit_name)
            cells.append([(values[c], kinds.get(c, "text")) for c in columns])
            total += Decimal(row["帮扶金额"])
        total_row: dict[str, Cell] = {
            "序号": ("合计", "text"),
            "姓名": (f"{len(rows)}人", "text"),
            "工作单位或家庭住址": (f"人民币{amount_in_words(total)}", "text"),
            "帮扶金额": (total, "money"),
        }
        cells.append([total_row.get(c, ("", "text")) for c in columns])
        banner = [ROSTER_TITLE.format(project=project), f"填报单位：{where}"]
        sheets.append((project, _Sheet(project, [columns], cells, banner, columns)))
    return sheets


# ---------------------------------------------------------------- annex 4


def _figure_columns() -> list[tuple[str, str, str]]:
    return [(group, row, figure) for group, rows in WEEKLY_GROUPS.items() for row in rows for figure in WEEKLY_FIGURES]


def _figures(report: Any) -> list[Any]:
    dump = report.model_dump(by_alias=True)
    return [dump[group][row][figure] for group, row, figure in _figure_columns()]


def _weekly_sheet(units: list[UnitRecords], city: bool) -> _Sheet | None:
    figures = _figure_columns()
    lead = ["时间", UNIT_COLUMN.heading] if city else ["时间"]
    tail = ["报出日期", "单位负责人", "填表人", "联系电话"]
    head = [
        lead + [g for g, _, _ in figures] + tail,
        lead + [r for _, r, _ in figures] + tail,
        lead + [f"{f}（{_FIGURE_UNITS[f]}）" for _, _, f in figures] + tail,
    ]
    kinds = ["wan" if f == "拖欠数额" else "int" for _, _, f in figures]
    by_day: dict[date, list[tuple[str, Any]]] = defaultdict(list)
    for unit in units:
        for week in unit.weeks:
            by_day[week.report.day].append((unit.name, week.report))
    if not by_day:
        return None
    rows: list[list[Cell]] = []
    for day in sorted(by_day):
        sums = [Decimal(0) if k == "wan" else 0 for k in kinds]
        for unit_name, report in by_day[day]:
            values = _figures(report)
            sums = [s + v for s, v in zip(sums, values)]
            row: list[Cell] = [(day, "date")] + ([(unit_name, "text")] if city else [])
            row += list(zip(values, kinds))
            row += [(report.sent_on, "date"), (report.head, "text"), (report.preparer, "text"), (report.phone, "id")]
            rows.append(row)
        if city:
            rows.append([(day, "date"), ("合计", "text")] + list(zip(sums, kinds)) + [("", "text")] * len(tail))
    csv_heading = lead + [f"{r}{f}（{_FIGURE_UNITS[f]}）" for _, r, f in figures] + tail
    where = "全市（" + "、".join(u.unit.name for u in units) + "）" if city else units[0].unit.name
    return _Sheet("周报", head, rows, [WEEKLY_TITLE, f"填报单位：{where}"], csv_heading)


# ---------------------------------------------------------------- full records


def _value(data: Any, key: Sequence[str]) -> Any:
    for at, part in enumerate(key):
        if part == "身份证号" and at == len(key) - 1 and isinstance(data, dict) and data.get(ID_AS_TYPED):
            return data[ID_AS_TYPED]  # as typed: a 15-digit number stays 15 digits (forms.context.printed_id)
        data = data.get(part) if isinstance(data, dict) else None
    return data


_KIND = {"id": "id", "code": "id", "date": "date", "money": "money", "count": "int"}
_DEFAULTS: dict[tuple[str, ...], tuple[str, ...]] = {("慰问", "居住地址"): ("家庭住址",), ("慰问", "所在单位"): ("工作单位",)}


def _cell(value: Any, column: Column) -> Cell:
    if isinstance(value, bool):
        return ("是" if value else "否", "text")
    if isinstance(value, list):
        return ("、".join(str(v) for v in value), "text")
    return (value, _KIND.get(column.kind, "text"))


def _worker_row(dump: dict[str, Any]) -> list[Cell]:
    row = []
    for column in WORKER_COLUMNS:
        value = _value(dump, column.key)
        default = _DEFAULTS.get(column.key)
        if default is not None and value == _value(dump, default):
            value = None  # the default: left blank, so that it follows 家庭住址 / 工作单位
        if column.key == ("慰问", "致困原因") and value == "、".join(dump.get("致困主要原因") or []):
            value = None
        row.append(_cell(value, column))
    return row


def _archive_sheets(units: list[UnitRecords], city: bool) -> list[_Sheet]:
    workers, family, attachments = [], [], []
    lead = [UNIT_COLUMN.heading] if city else []
    for unit in units:
        for rec in sorted(unit.workers, key=_archive_sort_key):
            dump = rec.worker.model_dump(by_alias=True)
            owner: list[Cell] = [(_value(dump, ("身份证号",)), "id"), (dump["姓名"], "text")]
            workers.append(([(unit.name, "text")] if city else []) + _worker_row(dump))
            for member in dump["家庭成员"]:
                family.append(owner + [_cell(_value(member, c.key), c) for c in FAMILY_COLUMNS[2:]])
            for item in dump["所附附件"]:
                attachments.append(owner + [_cell(_value(item, c.key), c) for c in ATTACHMENT_COLUMNS[2:]])
    sheets = []
    for title, columns, rows, head in (
        ("职工", WORKER_COLUMNS, workers, lead),
        ("家庭成员", FAMILY_COLUMNS, family, []),
        ("所附附件", ATTACHMENT_COLUMNS, attachments, []),
    ):
        headings = head + [c.heading for c in columns]
        sheets.append(_Sheet(title, [headings], rows, [], headings))
    return sheets


# ---------------------------------------------------------------- export


def _export_group(record_set: RecordSet, units: list[UnitRecords], out: Path, city: bool, written: list[Path], csv_form: str) -> None:
    rosters = _roster_sheets(record_set, units, city)
    if rosters:
        names = [safe_name(f"{ROSTER.stem}_{project}") for project, _ in rosters]
        _save(out, ROSTER.stem, [s for _, s in rosters], names, written, csv_form)
    weekly = _weekly_sheet(units, city)
    if weekly is not None:
        _save(out, WEEKLY.stem, [weekly], [WEEKLY.stem], written, csv_form)
    if any(unit.workers for unit in units):
        sheets = _archive_sheets(units, city)
        names = [ARCHIVE_STEM] + [f"{ARCHIVE_STEM}_{s.title}" if s.rows else "" for s in sheets[1:]]
        _save(out, ARCHIVE_STEM, sheets, names, written, csv_form)


def export_tables(records: Path | str | RecordSet, out: Path | str, *, keep_going: bool = False, csv_form: str = "plain") -> list[Path]:
    """Write the annex-2 roster, the annex-4 weekly figures and the full worker records as
    .xlsx and CSV, per unit and (for more than one unit) city-wide.

    Args:
        records: a records folder (loaded with :func:`formkit.records.load.load_records`) or a
            RecordSet already loaded.
        out: the output folder; ``<out>/<填报单位>/`` per unit, ``<out>/全市汇总/`` city-wide.
        keep_going: export the valid records even when others have errors (those are left
            out, as ``render --keep-going`` does).
        csv_form: ``plain`` (UTF-8 as the records hold it) or ``excel`` (BOM, ``="…"``
            around digit codes, ``'`` before a formula-like text), see :data:`CSV_FORMS`.

    Returns:
        The files written, in writing order. A unit without paid workers has no roster file,
        one without weekly reports no 附件4 file.

    Raises:
        RecordsInvalid: the records have errors (and not *keep_going*).
        FormkitError: no valid campaign.yaml (附件2 年龄 is counted on its 上报截止).
        OutputError: a file cannot be written.
    """
    if csv_form not in CSV_FORMS:
        raise ValueError(f"csv_form must be one of {CSV_FORMS}, not {csv_form!r}")
    record_set = records if isinstance(records, RecordSet) else load_records(Path(records))
    if record_set.errors and not keep_going:
        raise RecordsInvalid(record_set.problems)
    out = Path(out)
    written: list[Path] = []
    for unit in record_set.units:
        _export_group(record_set, [unit], out / unit.name, False, written, csv_form)
    if len(record_set.units) > 1:
        _export_group(record_set, record_set.units, out / CITY_DIR, True, written, csv_form)
    return written
