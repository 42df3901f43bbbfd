"""Import a worker roster from a spreadsheet (.xlsx or .csv) into worker records (issue 8).

    >>> from formkit.exchange.sheetimport import import_sheet
    >>> report = import_sheet(Path("名册.xlsx"), Path("records"), unit="思明区总工会")
    >>> print(report.format())

One worker YAML (records.md, commented like ``formkit new worker``) is written per valid row
into ``<unit folder>/职工/``; nothing is ever overwritten. A row is refused, with its
``sheet!cell`` and the reason in Chinese (ID numbers masked), when a cell cannot be read
safely (an ID number stored as a number, see :func:`formkit.exchange.spreadsheet.cell_text`), when
the record would not pass :class:`formkit.domain.models.Worker`, or when it would break a rule
across records (the same 身份证号 twice, 档案编号 used twice in a unit: records.py). A row
whose 身份证号 is already registered is reported as existing (identical, or which columns
differ) and not written. Each record is validated from the very YAML text written.

Sheets: the first sheet whose header names 姓名 and 身份证号 (or *sheet_name*); a title row
above the header, a two-row header with merged group cells, blank and 合计 rows are
handled. Family members and attachments come from sheets ``家庭成员`` / ``所附附件`` of the
same workbook (or ``<name>_家庭成员.csv`` beside a CSV), one row each, tied by 职工身份证号.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from pydantic import ValidationError

from formkit.domain.idcard import normalize_id_number, parse_id_number
from formkit.domain.models import Worker
from formkit.domain.privacy import scrub_numbers
from formkit.errors import FormkitError, IDNumberError, OutputError
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
from formkit.files import safe_name
from formkit.records.load import (  # the same Chinese messages as formkit check
    CAMPAIGN_FILE,
    UNIT_FILE,
    WORKERS_DIR,
    finding_problem,
    validation_problems,
)
from formkit.records.skeleton import new_record
from formkit.records.yamlio import (
    YamlFileError,
    decode_bytes,
    load_yaml,
    load_yaml_text,
)

__all__ = ["CellNote", "ImportReport", "RowOutcome", "WRITTEN", "EXISTING", "REFUSED", "SKIPPED", "import_sheet"]

WRITTEN, EXISTING, REFUSED, SKIPPED = "written", "existing", "refused", "skipped"
_HEADER_SCAN = 30
_SHOWN_REFS = 8  # a warning shared by many rows lists this many cells
_PROJECT = ("慰问", "帮扶项目")
_LISTS = (("家庭成员", FAMILY_COLUMNS), ("所附附件", ATTACHMENT_COLUMNS))
#: The keys a worker record cannot do without (the model's required fields).
_REQUIRED = [info.alias or name for name, info in Worker.model_fields.items() if info.is_required()]
_CAUSE_SPLIT = re.compile(r"[、,，;；/\s]+")  # as models._CAUSES splits a typed list


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


@dataclass
class RowOutcome:
    """What became of one data row.

    Attributes:
        ref: the row, ``职工!5:5``.
        name: the 姓名 cell ("" when blank).
        status: WRITTEN, EXISTING (same 身份证号 already registered), REFUSED or SKIPPED (合计).
        path: the record written, or the existing record.
        differences: for EXISTING, the sheet's headings whose value differs from the record
            (empty: identical); None when the existing record cannot be read to compare.
        notes: errors (REFUSED) and warnings.
    """

    ref: str
    name: str
    status: str
    path: Optional[Path] = None
    differences: Optional[list[str]] = field(default_factory=list)
    notes: list[CellNote] = field(default_factory=list)


@dataclass
class ImportReport:
    """What :func:`import_sheet` did.

    Attributes:
        sheet: the spreadsheet file; table: the sheet (or CSV file) read; header_row: the
        header's last row (1-based); records: the records folder; dry_run: nothing written;
        rows: the outcome of every non-blank data row; notes: about the sheet as a whole
        (columns not imported, family rows without their worker …).
    """

    sheet: Path
    table: str
    header_row: int
    records: Path
    dry_run: bool = False
    rows: list[RowOutcome] = field(default_factory=list)
    notes: list[CellNote] = field(default_factory=list)

    def _with(self, status: str) -> list[RowOutcome]:
        return [r for r in self.rows if r.status == status]

    @property
    def written(self) -> list[RowOutcome]:
        """Rows written as new records (or that would be, with dry_run)."""
        return self._with(WRITTEN)

    @property
    def existing(self) -> list[RowOutcome]:
        """Rows whose 身份证号 is already registered: nothing written."""
        return self._with(EXISTING)

    @property
    def refused(self) -> list[RowOutcome]:
        """Rows refused: nothing written; each has its cell and reason."""
        return self._with(REFUSED)

    @property
    def skipped(self) -> list[RowOutcome]:
        """合计/小计 rows."""
        return self._with(SKIPPED)

    def _shown(self, path: Optional[Path]) -> str:
        if path is None:
            return ""
        try:
            return path.relative_to(self.records).as_posix()
        except ValueError:
            return path.as_posix()

    def format(self) -> str:
        """The text the CLI prints: counts, then every existing, refused and warned row."""
        verb = "将写入" if self.dry_run else "写入"
        lines = [f"导入 {self.sheet.name}（{self.table}，表头在第{self.header_row}行）" + ("：试运行，未写入任何文件" if self.dry_run else "")]
        lines.append(
            f"{verb} {len(self.written)} 份，已存在 {len(self.existing)} 行，拒绝 {len(self.refused)} 行"
            + (f"，跳过合计行 {len(self.skipped)} 行" if self.skipped else "")
        )
        folders = sorted({self._shown(r.path.parent) for r in self.written if r.path is not None})
        if folders:
            lines.append(f"  记录{verb}：" + "、".join(folders))
        if self.existing:
            lines.append("已存在（身份证号相同），未写入：")
            for r in self.existing:
                where = self._shown(r.path)
                if r.differences is None:
                    lines.append(f"  {r.ref} {r.name}：已有记录 {where}（该记录有错误，无法比较）")
                elif r.differences:
                    lines.append(f"  {r.ref} {r.name}：与 {where} 不同：{'、'.join(r.differences)}")
                else:
                    lines.append(f"  {r.ref} {r.name}：与 {where} 相同")
        if self.refused:
            lines.append("拒绝，未写入（请在表格中改正后重新导入）：")
            for r in self.refused:
                lines.append(f"  {r.ref} {r.name}".rstrip())
                lines += [f"    {n.format()}" for n in r.notes if n.severity == "error"]
        warned: dict[tuple[str, str], list[str]] = {}
        for r in self.written:
            for n in r.notes:
                if n.severity != "error":
                    warned.setdefault((n.field, n.message), []).append(n.ref)
        if warned:
            lines.append("提醒（已导入，请核对）：")
            for (fieldname, message), refs in warned.items():
                shown = "、".join(refs[:_SHOWN_REFS]) + (f" 等{len(refs)}处" if len(refs) > _SHOWN_REFS else "")
                lines.append(f"  {CellNote(shown, fieldname, message).format()}")
        if self.notes:
            lines.append("关于表格：")
            lines += [f"  {n.format()}" for n in self.notes]
        return scrub_numbers("\n".join(lines))


# ---------------------------------------------------------------- reading sheets


@dataclass
class _Table:
    """A sheet's values (merged cells filled from their top-left cell), row 1 first."""

    name: str
    rows: list[list[Any]]
    epoch: datetime = datetime(1899, 12, 30)
    typed: bool = True


def _read_xlsx(path: Path) -> list[_Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise FormkitError(f"无法读取表格 {path.name}：{exc}（请用 Excel 或 WPS 另存为 .xlsx 后再导入）") from None
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
        tables.append(_Table(sheet.title, rows, book.epoch, True))
    return tables


def _read_csv(path: Path) -> _Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormkitError(f"无法读取 {path}：{exc.strerror or exc}") from exc
    try:
        text, _ = decode_bytes(raw, path)
    except YamlFileError:
        raise FormkitError(f"{path.name} 的编码无法识别（既不是 UTF-8 也不是 GBK）：请在 Excel 或 WPS 里另存为“CSV UTF-8”") from None
    text = text.lstrip("\ufeff")
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return _Table(path.name, rows, typed=False)


# ---------------------------------------------------------------- the header


@dataclass
class _Layout:
    header_row: int  # 0-based index of the header's last row
    first_row: int  # 0-based index of its first row
    mapping: dict[int, Column]
    headings: dict[int, str]  # position → heading as shown in the sheet
    unknown: list[int]


@lru_cache(maxsize=8)
def _names_of(columns: tuple[Column, ...]) -> frozenset[str]:
    return frozenset(normalize_heading(h) for c in columns for h in (c.heading, *c.variants)) | IGNORED_HEADINGS


def _layout_at(rows: list[list[Any]], r: int, columns: tuple[Column, ...]) -> _Layout:
    """The header starting at row *r*: that row, or it and the next one when the next holds
    only headings under merged group cells (``慰问`` over 资助金额, 帮扶项目 …)."""
    known = _names_of(columns)
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
    return _Layout(last, r, mapping, shown, unknown)


def _find_layout(table: _Table, columns: tuple[Column, ...], required: Sequence[tuple[str, ...]]) -> Optional[_Layout]:
    best: Optional[_Layout] = None
    for r in range(min(_HEADER_SCAN, len(table.rows))):
        layout = _layout_at(table.rows, r, columns)
        keys = {c.key for c in layout.mapping.values()}
        if all(k in keys for k in required) and (best is None or len(layout.mapping) > len(best.mapping)):
            best = layout
    return best


# ---------------------------------------------------------------- rows


def _is_member_table(layout: _Layout) -> bool:
    """A family or attachment sheet (its header names 职工身份证号), not a worker sheet."""
    owner = {normalize_heading(h) for h in (OWNER_ID.heading, *OWNER_ID.variants)}
    return any(normalize_heading(layout.headings[i]) in owner for i in layout.unknown)


def _ref(table: _Table, row: int, col: Optional[int] = None) -> str:
    from openpyxl.utils import get_column_letter

    if col is None:
        return f"{table.name}!{row + 1}:{row + 1}"
    return f"{table.name}!{get_column_letter(col + 1)}{row + 1}"


@dataclass
class _Row:
    index: int
    ref: str
    texts: dict[tuple[str, ...], str] = field(default_factory=dict)
    refs: dict[tuple[str, ...], str] = field(default_factory=dict)
    headings: dict[tuple[str, ...], str] = field(default_factory=dict)
    notes: list[CellNote] = field(default_factory=list)


def _data_rows(table: _Table, layout: _Layout) -> list[tuple[_Row, bool]]:
    """Each non-blank row after the header, read by column kind; True for a 合计 row."""
    out = []
    for r in range(layout.header_row + 1, len(table.rows)):
        values = table.rows[r]
        cells = {i: values[i] for i in layout.mapping if i < len(values)}
        if all(v is None or not str(v).strip() for v in cells.values()):
            continue  # blank, or only 序号 / columns not imported
        row = _Row(r, _ref(table, r))
        if is_total_row(values):
            out.append((row, True))
            continue
        for i, column in sorted(layout.mapping.items()):  # sheet order, for the report
            ref = _ref(table, r, i)
            row.refs[column.key] = ref
            row.headings[column.key] = layout.headings[i]
            try:
                text = cell_text(cells.get(i), column.kind, epoch=table.epoch, typed=table.typed)
            except CellError as exc:
                row.notes.append(CellNote(ref, layout.headings[i], scrub_numbers(str(exc))))
                continue
            if text:
                row.texts[column.key] = text
        out.append((row, False))
    return out


def _id_key(text: str) -> str:
    """The 18-character form of an ID number for matching (the folded text when invalid)."""
    try:
        return parse_id_number(text).number
    except (IDNumberError, ValueError):
        try:
            return normalize_id_number(text)
        except IDNumberError:
            return text


def _nest(texts: dict[tuple[str, ...], str], columns: Sequence[Column]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    kinds = {c.key: c.kind for c in columns}
    for key, text in texts.items():
        if not key or key[0] in ("填报单位", "职工身份证号"):
            continue
        target = data
        for part in key[:-1]:
            target = target.setdefault(part, {})
        target[key[-1]] = [p for p in _CAUSE_SPLIT.split(text) if p] if kinds.get(key) == "list" else text
    return data


# ---------------------------------------------------------------- YAML like `formkit new worker`


@dataclass
class _Node:
    key: str
    comments: list[str]
    col: int
    item_start: bool
    children: list[_Node] = field(default_factory=list)


_KEY_LINE = re.compile(r"^( *)(- )?([^\s#:][^:]*):\s*$")


@lru_cache(maxsize=1)
def _skeleton() -> tuple[list[str], list[_Node]]:
    """The worker skeleton as (header comment lines, tree of keys with their comments)."""
    header: list[str] = []
    pending: list[str] = []
    roots: list[_Node] = []
    stack: list[_Node] = []
    for line in new_record("worker").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped)
            continue
        match = _KEY_LINE.match(line)
        if not match:
            continue
        main = max((i for i, c in enumerate(pending) if not c.startswith("#   ")), default=0)
        if not roots and not stack:
            header, pending = pending[:main], pending[main:]
        node = _Node(match.group(3).strip(), pending, len(match.group(1)) + len(match.group(2) or ""), bool(match.group(2)))
        pending = []
        while stack and stack[-1].col >= node.col:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return header, roots


_PLAIN_BAD_START = set("-?:,[]{}#&*!|>'\"%@`")
_NULLS = {"~", "null", "Null", "NULL"}


def _scalar(text: str, indent: str) -> str:
    if "\n" in text:
        lines = text.split("\n")
        if not any(line[:1].isspace() for line in lines):
            return "|-\n" + "\n".join(f"{indent}  {line}" if line else "" for line in lines)
        return json.dumps(text, ensure_ascii=False)
    quote = (
        text[0] in _PLAIN_BAD_START
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or text in _NULLS
        or re.fullmatch(r"0[0-9]*|[0-9]{5,}[Xx]?", text) is not None  # codes, IDs, phones: as the samples
    )
    return json.dumps(text, ensure_ascii=False) if quote else text


def _emit(nodes: list[_Node], data: dict[str, Any], indent: str, lines: list[str], comments: bool, first_prefix: str = "") -> None:
    prefix = first_prefix
    for node in nodes:
        value = data.get(node.key)
        if comments:
            lines += [f"{indent}{c}" for c in node.comments]
        head = f"{indent}{prefix}{node.key}:"
        inner = indent + " " * len(prefix)
        if node.children and node.children[0].item_start:
            lines.append(head)
            for n, item in enumerate(value or [{}]):
                _emit(node.children, item, inner + "  ", lines, comments and n == 0, "- ")
        elif node.children:
            lines.append(head)
            _emit(node.children, value or {}, inner + "  ", lines, comments)
        elif isinstance(value, list) and value:
            lines.append(head)
            lines += [f"{inner}  - {_scalar(v, inner + '  ')}" for v in value]
        elif value:
            lines.append(f"{head} {_scalar(value, inner)}")
        else:
            lines.append(head)
        indent, prefix = inner, ""


def _yaml_text(data: dict[str, Any], source: str) -> str:
    header, roots = _skeleton()
    lines = list(header[:1]) + [f"# 由 formkit import 从 {source} 导入"] + list(header[1:])
    _emit(roots, data, "", lines, True)
    return "\n".join(lines) + "\n"


def _compact(value: Any) -> Any:
    """*value* without blank values, blocks and list items (what a record means)."""
    if isinstance(value, dict):
        out = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_compact(v) for v in value) if v not in (None, "", [], {})]
    return value


# ---------------------------------------------------------------- records folder


@dataclass
class _Existing:
    path: Path
    folder: Path
    data: Any


@dataclass
class _Folder:
    """The records folder: unit folders by name, and every worker record's 身份证号 and 档案编号."""

    units: dict[str, Path] = field(default_factory=dict)
    by_id: dict[str, _Existing] = field(default_factory=dict)
    archives: dict[tuple[Path, str], str] = field(default_factory=dict)  # → shown where


def _fold_name(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _is_unit(folder: Path) -> bool:
    return (folder / UNIT_FILE).is_file() or (folder / WORKERS_DIR).is_dir()


def _scan(records: Path) -> tuple[list[Path], _Folder]:
    """The unit folders targets may be, and the index of every existing worker record."""
    if not records.is_dir():
        raise FormkitError(f"记录文件夹不存在：{records}")
    if _is_unit(records) and not (records / CAMPAIGN_FILE).is_file():
        targets = [records]
        parent = records.parent
        scope = [p for p in sorted(parent.iterdir()) if p.is_dir() and _is_unit(p)] if (parent / CAMPAIGN_FILE).is_file() else [records]
    else:
        targets = scope = [p for p in sorted(records.iterdir()) if p.is_dir() and not p.name.startswith((".", "~")) and _is_unit(p)]
    index = _Folder()
    for folder in scope:
        name = folder.name
        try:
            unit = load_yaml(folder / UNIT_FILE).data if (folder / UNIT_FILE).is_file() else None
            if isinstance(unit, dict) and isinstance(unit.get("填报单位"), str):
                name = unit["填报单位"].strip()
        except YamlFileError:
            pass
        if folder in targets:
            index.units.setdefault(_fold_name(name), folder)
            index.units.setdefault(_fold_name(folder.name), folder)
        workers = folder / WORKERS_DIR
        for path in sorted(workers.rglob("*.y*ml")) if workers.is_dir() else []:
            if any(part.startswith((".", "~")) for part in path.relative_to(workers).parts):
                continue
            try:
                data = load_yaml(path).data
            except YamlFileError:
                continue
            if not isinstance(data, dict):
                continue
            if isinstance(data.get("身份证号"), str):
                index.by_id.setdefault(_id_key(data["身份证号"]), _Existing(path, folder, data))
            if isinstance(data.get("档案编号"), str):
                index.archives.setdefault((folder, data["档案编号"].strip()), path.relative_to(folder).as_posix())
    return targets, index


def _default_unit(unit: Optional[str], targets: list[Path], index: _Folder, title: str) -> Optional[Path]:
    if unit is not None:
        folder = index.units.get(_fold_name(unit))
        if folder is None:
            known = "、".join(sorted({p.name for p in index.units.values()})) or "（没有）"
            raise FormkitError(
                f"记录文件夹里没有填报单位“{unit}”的文件夹（现有：{known}）：请先用 formkit new unit 建立 <单位>/单位.yaml"
            )
        return folder
    if len(targets) == 1:
        return targets[0]
    named = {folder for name, folder in index.units.items() if name and name in _fold_name(title)}
    return named.pop() if len(named) == 1 else None


def _write_new(folder: Path, stem: str, text: str) -> Path:
    """Create ``folder/stem.yaml`` (``stem-2.yaml`` … if taken) atomically, never replacing a file.

    Raises:
        OutputError: the folder or file cannot be written.
    """
    try:
        return _create(folder, stem, text)
    except OSError as exc:
        raise OutputError(f"无法写入 {folder}：{exc.strerror or exc}") from exc


def _create(folder: Path, stem: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".~", suffix=".yaml.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        for n in range(1, 1000):
            path = folder / (f"{stem}.yaml" if n == 1 else f"{stem}-{n}.yaml")
            try:
                os.link(tmp, path)  # fails when path exists: never overwrites
                return path
            except FileExistsError:
                continue
            except OSError:  # no hard links on this file system
                try:
                    with open(path, "x", encoding="utf-8", newline="\n") as fh:
                        fh.write(text)
                    return path
                except FileExistsError:
                    continue
        raise FormkitError(f"{folder} 里同名文件太多：{stem}.yaml")
    finally:
        Path(tmp).unlink(missing_ok=True)


# ---------------------------------------------------------------- import


def _side_tables(sheet: Path, tables: list[_Table], main: _Table) -> list[_Table]:
    if sheet.suffix.lower() in (".csv", ".tsv", ".txt"):
        siblings = (sheet.with_name(f"{sheet.stem}_{key}{sheet.suffix}") for key, _ in _LISTS)
        return [_read_csv(p) for p in siblings if p.is_file()]
    return [t for t in tables if t is not main]


def _members(tables: list[_Table], report: ImportReport) -> tuple[dict[str, dict[str, list[_Row]]], set[tuple[str, ...]]]:
    """Family and attachment rows by list key and by their worker's 身份证号 (18-character
    form); and which lists the file holds (compared on re-import)."""
    members: dict[str, dict[str, list[_Row]]] = {key: {} for key, _ in _LISTS}
    present: set[tuple[str, ...]] = set()
    for table in tables:
        for list_key, columns in _LISTS:
            layout = _find_layout(table, columns, [OWNER_ID.key, columns[2].key])
            if layout is None:
                continue
            present.add((list_key,))
            for row, total in _data_rows(table, layout):
                owner = row.texts.get(OWNER_ID.key)
                if total:
                    continue
                if not owner:
                    report.notes.append(CellNote(row.refs[OWNER_ID.key], "职工身份证号", "没有填写职工身份证号，这一行未导入", "warning"))
                    continue
                members[list_key].setdefault(_id_key(owner), []).append(row)
            break
    return members, present


def _where(ref_of: dict[str, tuple[str, str]], fieldname: str, row: _Row) -> tuple[str, str]:
    """The cell and heading a record problem's field (``家庭成员[2].身份证号``) points at."""
    if fieldname in ref_of:
        return ref_of[fieldname]
    plain = re.sub(r"\[\d+\]", "", fieldname)
    key = tuple(plain.split("."))
    while key:
        if key in row.refs:
            return row.refs[key], row.headings[key]
        key = key[:-1]
    return row.ref, fieldname


def _open(sheet: Path, sheet_name: Optional[str]) -> tuple[list[_Table], _Table, _Layout]:
    """Read the file; find the worker sheet and its header."""
    if not sheet.is_file():
        raise FormkitError(f"找不到表格文件：{sheet}")
    suffix = sheet.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):  # .txt: Excel's "Unicode text" (UTF-16, tabs)
        tables = [_read_csv(sheet)]
    elif suffix in (".xlsx", ".xlsm"):
        tables = _read_xlsx(sheet)
    else:
        raise FormkitError(f"不支持 {sheet.suffix or '无扩展名'} 文件：请在 Excel 或 WPS 里另存为 .xlsx 或 CSV（.xls 是旧格式）")
    for table in tables:
        if sheet_name is not None and table.name != sheet_name:
            continue
        layout = _find_layout(table, WORKER_COLUMNS + (UNIT_COLUMN,), [("姓名",), ("身份证号",)])
        if layout is not None and not _is_member_table(layout):
            mapped = {c.key for c in layout.mapping.values()}
            missing = [key for key in _REQUIRED if (key,) not in mapped]
            if missing:
                raise FormkitError(
                    f"{sheet.name}（{table.name}）的表头缺少必填的列：{'、'.join(missing)}（附件3 必填项）；"
                    f"请在第{layout.header_row + 1}行表头加上这些列并填写后再导入"
                )
            return tables, table, layout
    where = f"工作表“{sheet_name}”" if sheet_name else sheet.name
    raise FormkitError(f"{where} 里找不到表头：表头一行应有“姓名”和“身份证号”两列（前{_HEADER_SCAN}行内）")


class _Import:
    """One run of :func:`import_sheet`: the sheet, the records folder, what is seen so far."""

    def __init__(self, sheet: Path, records: Path, unit: Optional[str], sheet_name: Optional[str], dry_run: bool) -> None:
        self.tables, self.main, self.layout = _open(sheet, sheet_name)
        self.records, self.unit, self.dry_run = records, unit, dry_run
        self.source = sheet.name if self.main.typed is False else f"{sheet.name} 工作表“{self.main.name}”"
        self.report = ImportReport(sheet, self.main.name, self.layout.header_row + 1, records, dry_run)
        self.mapped = {c.key for c in self.layout.mapping.values()}
        targets, self.index = _scan(records)
        self.title = " ".join(str(v) for row in self.main.rows[: self.layout.first_row] for v in row if v is not None)
        self.default = _default_unit(unit, targets, self.index, self.title)
        if self.default is None and UNIT_COLUMN.key not in self.mapped:
            names = "、".join(sorted({p.name for p in self.index.units.values()})) or "（没有单位文件夹）"
            raise FormkitError(f"不知道这些职工属于哪个填报单位：请用 --unit 指定（现有：{names}），或在表中加一列“填报单位”")
        found = re.search(r"帮扶项目[：:]\s*([^）)\s]+)", self.title)
        self.project = found.group(1) if found and _PROJECT not in self.mapped else None
        self.seen_ids: dict[str, str] = {}
        self.seen_archives: dict[tuple[Path, str], str] = {}
        self.used: set[tuple[str, str]] = set()
        self._sheet_notes()
        side = _side_tables(sheet, self.tables, self.main)
        self.members, self.lists = _members(side, self.report)

    def _sheet_notes(self) -> None:
        layout, notes = self.layout, self.report.notes
        for i in layout.unknown:
            notes.append(CellNote(_ref(self.main, layout.header_row, i), layout.headings[i], "不认识这一列，没有导入（列名应与登记表的项目名称相同）", "warning"))
        for i in layout.mapping:
            if normalize_heading(layout.headings[i]) == "工作单位或家庭住址":
                notes.append(CellNote(_ref(self.main, layout.header_row, i), layout.headings[i], "这一列记入“工作单位”；若是家庭住址，请在记录中改到“家庭住址”", "warning"))
        if self.project:
            notes.append(CellNote(f"{self.main.name}!1:{layout.first_row}", "帮扶项目", f"表中没有帮扶项目一列，按标题记为“{self.project}”", "warning"))

    def run(self) -> ImportReport:
        for row, total in _data_rows(self.main, self.layout):
            if total:
                self.report.rows.append(RowOutcome(row.ref, "", SKIPPED))
                continue
            outcome = RowOutcome(row.ref, row.texts.get(("姓名",), ""), REFUSED, notes=row.notes)
            self.report.rows.append(outcome)
            self._row(row, outcome)
        for list_key, by_owner in self.members.items():
            for owner, rows in by_owner.items():
                if (list_key, owner) not in self.used:
                    for member in rows:
                        message = f"在“{self.main.name}”表中找不到这个职工，这一行{list_key}未导入"
                        self.report.notes.append(CellNote(member.refs[OWNER_ID.key], "职工身份证号", message, "warning"))
        return self.report

    def _folder(self, row: _Row, outcome: RowOutcome) -> Optional[Path]:
        """The unit folder of a row (its 填报单位 cell, else the default)."""
        text = row.texts.get(UNIT_COLUMN.key)
        if not text:
            if self.default is None:
                outcome.notes.append(CellNote(row.refs.get(UNIT_COLUMN.key, row.ref), "填报单位", "没有填写填报单位"))
            return self.default
        folder = self.index.units.get(_fold_name(text))
        if folder is None or (self.unit is not None and folder != self.default):
            allowed = self.unit if self.unit is not None else "、".join(sorted({p.name for p in self.index.units.values()}))
            outcome.notes.append(CellNote(row.refs[UNIT_COLUMN.key], row.headings[UNIT_COLUMN.key], f"填报单位“{text}”没有对应的单位文件夹（可用：{allowed}）"))
        return folder

    def _data(self, row: _Row, outcome: RowOutcome) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
        """The record's data (text values) and where each family/attachment field came from."""
        if self.project and any(k[0] == "慰问" for k in row.texts):
            row.texts[_PROJECT] = self.project
        data = _nest(row.texts, WORKER_COLUMNS)
        ref_of: dict[str, tuple[str, str]] = {}
        id_text = row.texts.get(("身份证号",))
        owner = _id_key(id_text) if id_text else ""
        for list_key, columns in _LISTS:
            items = self.members[list_key].get(owner, []) if owner else []
            if items:
                self.used.add((list_key, owner))
                data[list_key] = [_nest(member.texts, columns) for member in items]
            for n, member in enumerate(items, start=1):
                outcome.notes += member.notes
                for key, ref in member.refs.items():
                    ref_of[f"{list_key}[{n}].{'.'.join(key)}"] = (ref, f"{list_key}·{member.headings[key]}")
        return data, ref_of

    def _row(self, row: _Row, outcome: RowOutcome) -> None:
        folder = self._folder(row, outcome)
        data, ref_of = self._data(row, outcome)
        if any(n.severity == "error" for n in outcome.notes) or folder is None:
            return
        text = _yaml_text(data, f"{self.source} 第{row.index + 1}行")
        target = folder / WORKERS_DIR
        doc = load_yaml_text(text, target / "new.yaml", require_mapping=True)
        if _compact(doc.data) != _compact(data):  # pragma: no cover - _scalar quotes whatever YAML would misread
            outcome.notes.append(CellNote(row.ref, "", "内部错误：这一行无法写成 YAML，未导入（请报告此问题）"))
            return
        try:
            worker = Worker.model_validate(doc.data)
        except ValidationError as exc:
            for problem in validation_problems(exc, doc, Worker, target):
                if problem.is_error:
                    ref, heading = _where(ref_of, problem.field, row)
                    message = problem.message
                    if ref == row.ref:
                        message += f"（表中没有“{problem.field.split('.')[-1]}”这一列）"
                    message += f"；{problem.allowed}" if problem.allowed else ""
                    outcome.notes.append(CellNote(ref, heading, message))
            return
        for finding in worker.warnings:
            problem = finding_problem(target, doc, (), finding)
            ref, heading = _where(ref_of, problem.field, row)
            outcome.notes.append(CellNote(ref, heading, problem.message, "warning"))
        if self._registered(row, worker, outcome) or not self._archive_free(row, worker, folder, outcome):
            return
        stem = safe_name(f"{worker.archive_number}-{worker.name}")
        if self.dry_run:
            path = target / f"{stem}.yaml"
        else:
            path = _write_new(target, stem, text)
        self.index.by_id[worker.id_number] = _Existing(path, folder, doc.data)
        outcome.status, outcome.path = WRITTEN, path

    def _registered(self, row: _Row, worker: Worker, outcome: RowOutcome) -> bool:
        """True when the 身份证号 is taken: an earlier row (refused) or a record (existing)."""
        key = worker.id_number
        if key in self.seen_ids:
            ref, heading = row.refs[("身份证号",)], row.headings[("身份证号",)]
            message = f"与 {self.seen_ids[key]} 的身份证号相同：同一人只登记一次（通知四.1 不重复）"
            outcome.notes.append(CellNote(ref, heading, message))
            return True
        self.seen_ids[key] = row.ref
        existing = self.index.by_id.get(key)
        if existing is not None:
            outcome.status, outcome.path = EXISTING, existing.path
            outcome.differences = _differences(worker, existing.data, row, self.lists)
            return True
        return False

    def _archive_free(self, row: _Row, worker: Worker, folder: Path, outcome: RowOutcome) -> bool:
        """档案编号 unique within the unit (records.py): against the records and earlier rows."""
        archive = worker.archive_number
        ref, heading = row.refs.get(("档案编号",), row.ref), row.headings.get(("档案编号",), "档案编号")
        if (folder, archive) in self.index.archives:
            where = self.index.archives[(folder, archive)]
            outcome.notes.append(CellNote(ref, heading, f"档案编号“{archive}”在本单位已被 {where} 使用：每个档案编号只用一次"))
            return False
        if (folder, archive) in self.seen_archives:
            where = self.seen_archives[(folder, archive)]
            outcome.notes.append(CellNote(ref, heading, f"档案编号“{archive}”与 {where} 相同：本单位内每个档案编号只用一次"))
            return False
        self.seen_archives[(folder, archive)] = row.ref
        return True


def import_sheet(
    sheet: Union[Path, str],
    records: Union[Path, str],
    *,
    unit: Optional[str] = None,
    sheet_name: Optional[str] = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a worker roster spreadsheet into worker records (issue 8).

    Args:
        sheet: a .xlsx (or .xlsm) workbook, or a .csv in UTF-8, UTF-8 with BOM or GBK
            (comma or tab separated; also .tsv, and .txt as Excel saves "Unicode text").
        records: the records folder (campaign.yaml and one folder per unit) or one unit's
            folder; records are written into ``<unit folder>/职工/``, one file per row,
            named ``<档案编号>-<姓名>.yaml`` (``-2`` … added when the name is taken).
        unit: the 填报单位 (as in its 单位.yaml, or the folder name) the rows belong to.
            Without it: the sheet's 填报单位 column, else the only unit folder, else the
            unit named in the title rows above the header.
        sheet_name: the sheet to read (default: the first whose header has 姓名 and 身份证号).
        dry_run: check everything, write nothing.

    Returns:
        The report: every row written, existing (same 身份证号; identical or the differing
        columns), refused (each cell and reason), and notes on the sheet.

    Raises:
        FormkitError: the file cannot be read; no header with 姓名 and 身份证号 is found in
            the first 30 rows; the header lacks a column the record requires (档案编号,
            困难类别, 致困主要原因); *unit* names no unit folder; or the rows' unit cannot be
            decided. Nothing is written then.
        OutputError: a record cannot be written (the rows before it are written).
    """
    return _Import(Path(sheet), Path(records), unit, sheet_name, dry_run).run()


def _get(data: Any, key: Sequence[str]) -> Any:
    for part in key:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _differences(worker: Worker, old_data: Any, row: _Row, lists: set[tuple[str, ...]]) -> Optional[list[str]]:
    """The sheet's headings whose values differ from the existing record; None if unreadable."""
    try:
        old = Worker.model_validate(old_data).model_dump(by_alias=True)
    except ValidationError:
        return None
    new = worker.model_dump(by_alias=True)
    keys = [k for k in row.refs if k and k[0] not in ("填报单位",)] + sorted(lists)
    return [row.headings.get(k, ".".join(k)) for k in keys if _get(new, k) != _get(old, k)]
