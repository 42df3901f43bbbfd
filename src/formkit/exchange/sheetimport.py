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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from formkit.domain.models import Worker
from formkit.domain.privacy import scrub_numbers
from formkit.errors import FormkitError
from formkit.exchange.recordfolder import (
    Existing,
    default_unit,
    fold_name,
    scan_records,
    write_new_file,
)
from formkit.exchange.recordtext import compact, yaml_text
from formkit.exchange.sheetread import (
    LISTS,
    PROJECT,
    CellNote,
    SheetRow,
    SheetTable,
    cell_ref,
    data_rows,
    find_layout,
    id_key,
    nest,
    open_sheet,
    side_tables,
)
from formkit.exchange.spreadsheet import (
    OWNER_ID,
    UNIT_COLUMN,
    WORKER_COLUMNS,
    normalize_heading,
)
from formkit.files import safe_name
from formkit.records.problems import finding_problem, validation_problems
from formkit.records.walk import WORKERS_DIR
from formkit.records.yamlio import (
    load_yaml_text,
)

__all__ = ["EXISTING", "REFUSED", "SKIPPED", "WRITTEN", "CellNote", "ImportReport", "RowOutcome", "import_sheet"]

WRITTEN, EXISTING, REFUSED, SKIPPED = "written", "existing", "refused", "skipped"

SHOWN_REFS = 8  # a warning shared by many rows lists this many cells


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
    path: Path | None = None
    differences: list[str] | None = field(default_factory=list)
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

    def _shown(self, path: Path | None) -> str:
        if path is None:
            return ""
        try:
            return path.relative_to(self.records).as_posix()
        except ValueError:
            return path.as_posix()

    def format(self) -> str:
        """The whole report as text: :meth:`summary_lines`, then :meth:`problem_lines`."""
        return "\n".join(self.summary_lines() + self.problem_lines())

    def summary_lines(self) -> list[str]:
        """What was done (the CLI's stdout): the sheet, the counts, where records went, the
        rows already registered."""
        verb = "将写入" if self.dry_run else "写入"
        lines = [
            f"导入 {self.sheet.name}（{self.table}，表头在第{self.header_row}行）" + ("：试运行，未写入任何文件" if self.dry_run else "")
        ]
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
        return [scrub_numbers(line) for line in lines]

    def problem_lines(self) -> list[str]:
        """What needs the reader (the CLI's stderr): refused rows with each cell and reason,
        warnings on rows imported, notes on the sheet."""
        lines = []
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
                shown = "、".join(refs[:SHOWN_REFS]) + (f" 等{len(refs)}处" if len(refs) > SHOWN_REFS else "")
                lines.append(f"  {CellNote(shown, fieldname, message).format()}")
        if self.notes:
            lines.append("关于表格：")
            lines += [f"  {n.format()}" for n in self.notes]
        return [scrub_numbers(line) for line in lines]


def members(tables: list[SheetTable], report: ImportReport) -> tuple[dict[str, dict[str, list[SheetRow]]], set[tuple[str, ...]]]:
    """Family and attachment rows by list key and by their worker's 身份证号 (18-character
    form); and which lists the file holds (compared on re-import)."""
    members: dict[str, dict[str, list[SheetRow]]] = {key: {} for key, _ in LISTS}
    present: set[tuple[str, ...]] = set()
    for table in tables:
        for list_key, columns in LISTS:
            layout = find_layout(table, columns, [OWNER_ID.key, columns[2].key])
            if layout is None:
                continue
            present.add((list_key,))
            for row, total in data_rows(table, layout):
                owner = row.texts.get(OWNER_ID.key)
                if total:
                    continue
                if not owner:
                    report.notes.append(CellNote(row.refs[OWNER_ID.key], "职工身份证号", "没有填写职工身份证号，这一行未导入", "warning"))
                    continue
                members[list_key].setdefault(id_key(owner), []).append(row)
            break
    return members, present


def cell_of(ref_of: dict[str, tuple[str, str]], fieldname: str, row: SheetRow) -> tuple[str, str]:
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


class Importer:
    """One run of :func:`import_sheet`: the sheet, the records folder, what is seen so far."""

    def __init__(self, sheet: Path, records: Path, unit: str | None, sheet_name: str | None, dry_run: bool) -> None:
        self.tables, self.main, self.layout = open_sheet(sheet, sheet_name)
        self.records, self.unit, self.dry_run = records, unit, dry_run
        self.source = sheet.name if self.main.typed is False else f"{sheet.name} 工作表“{self.main.name}”"
        self.report = ImportReport(sheet, self.main.name, self.layout.header_row + 1, records, dry_run)
        self.mapped = {c.key for c in self.layout.mapping.values()}
        targets, self.index = scan_records(records)
        self.title = " ".join(str(v) for row in self.main.rows[: self.layout.first_row] for v in row if v is not None)
        self.default = default_unit(unit, targets, self.index, self.title, records)
        if self.default is None and UNIT_COLUMN.key not in self.mapped:
            names = "、".join(sorted({p.name for p in self.index.units.values()})) or "（没有单位文件夹）"
            raise FormkitError(f"不知道这些职工属于哪个填报单位：请用 --unit 指定（现有：{names}），或在表中加一列“填报单位”")
        found = re.search(r"帮扶项目[：:]\s*([^）)\s]+)", self.title)
        self.project = found.group(1) if found and PROJECT not in self.mapped else None
        self.seen_ids: dict[str, str] = {}
        self.seen_archives: dict[tuple[Path, str], str] = {}
        self.used: set[tuple[str, str]] = set()
        self._sheet_notes()
        side = side_tables(sheet, self.tables, self.main)
        self.members, self.lists = members(side, self.report)

    def _sheet_notes(self) -> None:
        layout, notes = self.layout, self.report.notes
        for i in layout.unknown:
            notes.append(
                CellNote(
                    cell_ref(self.main, layout.header_row, i),
                    layout.headings[i],
                    "不认识这一列，没有导入（列名应与登记表的项目名称相同）",
                    "warning",
                )
            )
        for i in layout.mapping:
            if normalize_heading(layout.headings[i]) == "工作单位或家庭住址":
                notes.append(
                    CellNote(
                        cell_ref(self.main, layout.header_row, i),
                        layout.headings[i],
                        "这一列记入“工作单位”；若是家庭住址，请在记录中改到“家庭住址”",
                        "warning",
                    )
                )
        if self.project:
            notes.append(
                CellNote(
                    f"{self.main.name}!1:{layout.first_row}", "帮扶项目", f"表中没有帮扶项目一列，按标题记为“{self.project}”", "warning"
                )
            )

    def run(self) -> ImportReport:
        for row, total in data_rows(self.main, self.layout):
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

    def _folder(self, row: SheetRow, outcome: RowOutcome) -> Path | None:
        """The unit folder of a row (its 填报单位 cell, else the default)."""
        text = row.texts.get(UNIT_COLUMN.key)
        if not text:
            if self.default is None:
                outcome.notes.append(CellNote(row.refs.get(UNIT_COLUMN.key, row.ref), "填报单位", "没有填写填报单位"))
            return self.default
        folder = self.index.units.get(fold_name(text))
        if folder is None or (self.unit is not None and folder != self.default):
            allowed = self.unit if self.unit is not None else "、".join(sorted({p.name for p in self.index.units.values()}))
            outcome.notes.append(
                CellNote(
                    row.refs[UNIT_COLUMN.key], row.headings[UNIT_COLUMN.key], f"填报单位“{text}”没有对应的单位文件夹（可用：{allowed}）"
                )
            )
        return folder

    def _data(self, row: SheetRow, outcome: RowOutcome) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
        """The record's data (text values) and where each family/attachment field came from."""
        if self.project and any(k[0] == "慰问" for k in row.texts):
            row.texts[PROJECT] = self.project
        data = nest(row.texts, WORKER_COLUMNS)
        ref_of: dict[str, tuple[str, str]] = {}
        id_text = row.texts.get(("身份证号",))
        owner = id_key(id_text) if id_text else ""
        for list_key, columns in LISTS:
            items = self.members[list_key].get(owner, []) if owner else []
            if items:
                self.used.add((list_key, owner))
                data[list_key] = [nest(member.texts, columns) for member in items]
            for n, member in enumerate(items, start=1):
                outcome.notes += member.notes
                for key, ref in member.refs.items():
                    ref_of[f"{list_key}[{n}].{'.'.join(key)}"] = (ref, f"{list_key}·{member.headings[key]}")
        return data, ref_of

    def _row(self, row: SheetRow, outcome: RowOutcome) -> None:
        folder = self._folder(row, outcome)
        data, ref_of = self._data(row, outcome)
        if any(n.severity == "error" for n in outcome.notes) or folder is None:
            return
        text = yaml_text(data, f"{self.source} 第{row.index + 1}行")
        target = folder / WORKERS_DIR
        doc = load_yaml_text(text, target / "new.yaml", require_mapping=True)
        if compact(doc.data) != compact(data):  # pragma: no cover - scalar quotes whatever YAML would misread
            outcome.notes.append(CellNote(row.ref, "", "内部错误：这一行无法写成 YAML，未导入（请报告此问题）"))
            return
        try:
            worker = Worker.model_validate(doc.data)
        except ValidationError as exc:
            for problem in validation_problems(exc, doc, Worker, target):
                if problem.is_error:
                    ref, heading = cell_of(ref_of, problem.field, row)
                    message = problem.message
                    if ref == row.ref:
                        message += f"（表中没有“{problem.field.split('.')[-1]}”这一列）"
                    message += f"；{problem.allowed}" if problem.allowed else ""
                    outcome.notes.append(CellNote(ref, heading, message))
            return
        for finding in worker.warnings:
            problem = finding_problem(target, doc, (), finding)
            ref, heading = cell_of(ref_of, problem.field, row)
            outcome.notes.append(CellNote(ref, heading, problem.message, "warning"))
        if self._registered(row, worker, outcome) or not self._archive_free(row, worker, folder, outcome):
            return
        stem = safe_name(f"{worker.archive_number}-{worker.name}")
        if self.dry_run:
            path = target / f"{stem}.yaml"
        else:
            path = write_new_file(target, stem, text)
        self.index.by_id[worker.id_number] = Existing(path, folder, doc.data)
        outcome.status, outcome.path = WRITTEN, path

    def _registered(self, row: SheetRow, worker: Worker, outcome: RowOutcome) -> bool:
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
            outcome.differences = differences(worker, existing.data, row, self.lists)
            return True
        return False

    def _archive_free(self, row: SheetRow, worker: Worker, folder: Path, outcome: RowOutcome) -> bool:
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
    sheet: Path | str,
    records: Path | str,
    *,
    unit: str | None = None,
    sheet_name: str | None = None,
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
    return Importer(Path(sheet), Path(records), unit, sheet_name, dry_run).run()


def get_path(data: Any, key: Sequence[str]) -> Any:
    for part in key:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def differences(worker: Worker, old_data: Any, row: SheetRow, lists: set[tuple[str, ...]]) -> list[str] | None:
    """The sheet's headings whose values differ from the existing record; None if unreadable."""
    try:
        old = Worker.model_validate(old_data).model_dump(by_alias=True)
    except ValidationError:
        return None
    new = worker.model_dump(by_alias=True)
    keys = [k for k in row.refs if k and k[0] not in ("填报单位",)] + sorted(lists)
    return [row.headings.get(k, ".".join(k)) for k in keys if get_path(new, k) != get_path(old, k)]
