"""Reading a roster spreadsheet (.xlsx, .csv in UTF-8 or GBK): tables, headers, rows."""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from formkit.domain.idcard import normalize_id_number, parse_id_number
from formkit.domain.models import Worker
from formkit.domain.privacy import scrub_numbers
from formkit.domain.text import describe_cleaning, needs_cleaning
from formkit.errors import FormkitError, IDNumberError, os_reason
from formkit.exchange.spreadsheet import (
    ATTACHMENT_COLUMNS,
    FAMILY_COLUMNS,
    IGNORED_HEADINGS,
    OWNER_ID,
    UNIT_COLUMN,
    WORKER_COLUMNS,
    CellError,
    Column,
    cell_text,
    is_total_row,
    match_headings,
    normalize_heading,
)
from formkit.records.yamlio import (
    YamlFileError,
    decode_bytes,
)

PROJECT = ("慰问", "帮扶项目")
LISTS = (("家庭成员", FAMILY_COLUMNS), ("所附附件", ATTACHMENT_COLUMNS))
#: The keys a worker record cannot do without (the model's required fields).
REQUIRED = [info.alias or name for name, info in Worker.model_fields.items() if info.is_required()]
CAUSE_SPLIT = re.compile(r"[、,，;；/\s]+")  # as models._CAUSES splits a typed list


@dataclass(frozen=True)
class CellNote:
    """Something about one cell (or row, ``职工!5:5``), in Chinese, with no ID or phone number."""

    ref: str
    field: str
    message: str
    severity: str = "error"

    def format(self) -> str:
        """``职工!E5 身份证号：message``."""
        return f"{self.ref} {self.field}：{self.message}" if self.field else f"{self.ref}：{self.message}"


HEADER_SCAN = 30

# ---------------------------------------------------------------- reading sheets


@dataclass
class SheetTable:
    """A sheet's values (merged cells filled from their top-left cell), row 1 first."""

    name: str
    rows: list[list[Any]]
    epoch: datetime = datetime(1899, 12, 30)
    typed: bool = True


def read_xlsx(path: Path) -> list[SheetTable]:
    """Every sheet of a workbook, as values.

    openpyxl's warnings about what it does not read (data validation, conditional formats,
    a workbook without a default style: common in the sheets offices keep) are not shown:
    they are English, and nothing formkit reads is lost by them.

    Raises:
        FormkitError: the file is not a workbook openpyxl can read (said in Chinese, with
            the kind of fault only: openpyxl's own text is English).
    """
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(path, data_only=True)
    except OSError as exc:
        raise FormkitError(f"无法读取表格 {path.name}：{os_reason(exc)}") from None
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise FormkitError(
            f"无法读取表格 {path.name}：它不是能读取的 .xlsx 文件（{type(exc).__name__}）；请用 Excel 或 WPS 打开，另存为 .xlsx 后再导入"
        ) from None
    tables = []
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            top = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else None
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                row = rows[r]
                row.extend([None] * (merged.max_col - len(row)))
                for c in range(merged.min_col - 1, merged.max_col):
                    row[c] = top
        tables.append(SheetTable(sheet.title, rows, book.epoch, True))
    return tables


def read_csv(path: Path) -> SheetTable:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormkitError(f"无法读取 {path}：{os_reason(exc)}") from exc
    try:
        text, _ = decode_bytes(raw, path)
    except YamlFileError:
        raise FormkitError(f"{path.name} 的编码无法识别（既不是 UTF-8 也不是 GBK）：请在 Excel 或 WPS 里另存为“CSV UTF-8”") from None
    text = text.lstrip("\ufeff")
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return SheetTable(path.name, rows, typed=False)


# ---------------------------------------------------------------- the header


@dataclass
class SheetLayout:
    header_row: int  # 0-based index of the header's last row
    first_row: int  # 0-based index of its first row
    mapping: dict[int, Column]
    headings: dict[int, str]  # position → heading as shown in the sheet
    unknown: list[int]


@lru_cache(maxsize=8)
def names_of(columns: tuple[Column, ...]) -> frozenset[str]:
    return frozenset(normalize_heading(h) for c in columns for h in (c.heading, *c.variants)) | IGNORED_HEADINGS


def layout_at(rows: list[list[Any]], r: int, columns: tuple[Column, ...]) -> SheetLayout:
    """The header starting at row *r*: that row, or it and the next one when the next holds
    only headings under merged group cells (``慰问`` over 资助金额, 帮扶项目 …)."""
    known = names_of(columns)
    upper = [normalize_heading(v) for v in rows[r]]
    names, last = list(upper), r
    if r + 1 < len(rows) and any(u in known for u in upper):
        lower = [normalize_heading(v) for v in rows[r + 1]]
        upper += [""] * (len(lower) - len(upper))
        fresh = [(i, low) for i, low in enumerate(lower) if low and low != upper[i]]
        if fresh and all(low in known or upper[i] + low in known for i, low in fresh):
            names = list(upper)
            for i, low in fresh:
                names[i] = upper[i] + low if upper[i] + low in known else low
            last = r + 1
    mapping, unknown = match_headings(names, columns)
    shown = {}
    for i in list(mapping) + unknown:
        cells = [rows[k][i] for k in range(r, last + 1) if i < len(rows[k]) and rows[k][i] is not None]
        shown[i] = "·".join(dict.fromkeys(str(c).strip() for c in cells)) or names[i]
    return SheetLayout(last, r, mapping, shown, unknown)


def find_layout(table: SheetTable, columns: tuple[Column, ...], required: Sequence[tuple[str, ...]]) -> SheetLayout | None:
    best: SheetLayout | None = None
    for r in range(min(HEADER_SCAN, len(table.rows))):
        layout = layout_at(table.rows, r, columns)
        keys = {c.key for c in layout.mapping.values()}
        if all(k in keys for k in required) and (best is None or len(layout.mapping) > len(best.mapping)):
            best = layout
    return best


# ---------------------------------------------------------------- rows


def is_member_table(layout: SheetLayout) -> bool:
    """A family or attachment sheet (its header names 职工身份证号), not a worker sheet."""
    owner = {normalize_heading(h) for h in (OWNER_ID.heading, *OWNER_ID.variants)}
    return any(normalize_heading(layout.headings[i]) in owner for i in layout.unknown)


def cell_ref(table: SheetTable, row: int, col: int | None = None) -> str:
    from openpyxl.utils import get_column_letter

    if col is None:
        return f"{table.name}!{row + 1}:{row + 1}"
    return f"{table.name}!{get_column_letter(col + 1)}{row + 1}"


@dataclass
class SheetRow:
    index: int
    ref: str
    texts: dict[tuple[str, ...], str] = field(default_factory=dict)
    refs: dict[tuple[str, ...], str] = field(default_factory=dict)
    headings: dict[tuple[str, ...], str] = field(default_factory=dict)
    notes: list[CellNote] = field(default_factory=list)


def data_rows(table: SheetTable, layout: SheetLayout) -> list[tuple[SheetRow, bool]]:
    """Each non-blank row after the header, read by column kind; True for a 合计 row."""
    out = []
    for r in range(layout.header_row + 1, len(table.rows)):
        values = table.rows[r]
        cells = {i: values[i] for i in layout.mapping if i < len(values)}
        if all(v is None or not str(v).strip() for v in cells.values()):
            continue  # blank, or only 序号 / columns not imported
        row = SheetRow(r, cell_ref(table, r))
        if is_total_row(values):
            out.append((row, True))
            continue
        for i, column in sorted(layout.mapping.items()):  # sheet order, for the report
            ref = cell_ref(table, r, i)
            row.refs[column.key] = ref
            row.headings[column.key] = layout.headings[i]
            value = cells.get(i)
            try:
                text = cell_text(value, column.kind, epoch=table.epoch, typed=table.typed)
            except CellError as exc:
                row.notes.append(CellNote(ref, layout.headings[i], scrub_numbers(str(exc))))
                continue
            if isinstance(value, str) and needs_cleaning(value):  # as formkit check warns in a record
                row.notes.append(CellNote(ref, layout.headings[i], f"{describe_cleaning(value)}：打印的表格容纳不了这些字符", "warning"))
            if column.kind == "line" and isinstance(value, str) and "\n" in value.strip():
                row.notes.append(CellNote(ref, layout.headings[i], "单元格里的换行已去掉，连成一行：这一栏印在表格的一行里", "warning"))
            if text:
                row.texts[column.key] = text
        out.append((row, False))
    return out


def id_key(text: str) -> str:
    """The 18-character form of an ID number for matching (the folded text when invalid)."""
    try:
        return parse_id_number(text).number
    except (IDNumberError, ValueError):
        try:
            return normalize_id_number(text)
        except IDNumberError:
            return text


def nest(texts: dict[tuple[str, ...], str], columns: Sequence[Column]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    kinds = {c.key: c.kind for c in columns}
    for key, text in texts.items():
        if not key or key[0] in ("填报单位", "职工身份证号"):
            continue
        target = data
        for part in key[:-1]:
            target = target.setdefault(part, {})
        target[key[-1]] = [p for p in CAUSE_SPLIT.split(text) if p] if kinds.get(key) == "list" else text
    return data


def side_tables(sheet: Path, tables: list[SheetTable], main: SheetTable) -> list[SheetTable]:
    if sheet.suffix.lower() in (".csv", ".tsv", ".txt"):
        siblings = (sheet.with_name(f"{sheet.stem}_{key}{sheet.suffix}") for key, _ in LISTS)
        return [read_csv(p) for p in siblings if p.is_file()]
    return [t for t in tables if t is not main]


def open_sheet(sheet: Path, sheet_name: str | None) -> tuple[list[SheetTable], SheetTable, SheetLayout]:
    """Read the file; find the worker sheet and its header."""
    if not sheet.is_file():
        raise FormkitError(f"找不到表格文件：{sheet}")
    suffix = sheet.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):  # .txt: Excel's "Unicode text" (UTF-16, tabs)
        tables = [read_csv(sheet)]
    elif suffix in (".xlsx", ".xlsm"):
        tables = read_xlsx(sheet)
    else:
        raise FormkitError(f"不支持 {sheet.suffix or '无扩展名'} 文件：请在 Excel 或 WPS 里另存为 .xlsx 或 CSV（.xls 是旧格式）")
    for table in tables:
        if sheet_name is not None and table.name != sheet_name:
            continue
        layout = find_layout(table, WORKER_COLUMNS + (UNIT_COLUMN,), [("姓名",), ("身份证号",)])
        if layout is not None and not is_member_table(layout):
            mapped = {c.key for c in layout.mapping.values()}
            missing = [key for key in REQUIRED if (key,) not in mapped]
            if missing:
                raise FormkitError(
                    f"{sheet.name}（{table.name}）的表头缺少必填的列：{'、'.join(missing)}（附件3 必填项）；"
                    f"请在第{layout.header_row + 1}行表头加上这些列并填写后再导入"
                )
            return tables, table, layout
    where = f"工作表“{sheet_name}”" if sheet_name else sheet.name
    raise FormkitError(f"{where} 里找不到表头：表头一行应有“姓名”和“身份证号”两列（前{HEADER_SCAN}行内）")
