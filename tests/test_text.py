"""The one cleaner of values (formkit.domain.text) on every way values come in: YAML records,
.xlsx and .csv import; and export writing every value check accepts."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from conftest import RECORDS
from formkit import api
from formkit.domain import text
from formkit.exchange.sheetimport import import_sheet
from formkit.records.load import load_records

SM = "思明区总工会"
WORKER = f"{SM}/职工/001-王秀英.yaml"
ADDRESS_LINE = "家庭住址: 厦门市思明区莲前街道前埔西社区前埔西路36号502室"


# ---------------------------------------------------------------- the functions


@pytest.mark.parametrize(
    ("stored", "meant"),
    [
        ("大同路12号_x000B_后楼", "大同路12号\x0b后楼"),
        ("第一行_x000D_\n第二行", "第一行\r\n第二行"),
        ("_x005F_x000B_", "_x000B_"),  # an escaped underscore: the text itself
        ("_xD83D__xDE00_", "😀"),  # a surrogate pair in two escapes
        ("_x4e2d_", "中"),
        ("_x12_ x_000B_ _X000B_", "_x12_ x_000B_ _X000B_"),  # not escapes
    ],
)
def test_excel_escapes_are_decoded(stored: str, meant: str) -> None:
    assert text.decode_excel_escapes(stored) == meant


def test_clean_decodes_then_removes_what_no_form_can_print() -> None:
    assert text.clean("大同路12号_x000B_后楼") == "大同路12号后楼"
    assert text.clean("甲\x01乙\x0c丙\x7f丁\x85戊\ufffe己\uffff庚\u202e辛") == "甲乙丙丁戊己庚辛"
    assert text.clean("王_xD800_英") == "王英"  # a lone surrogate from an escape
    kept = "一行\n二行\t三\r"
    assert text.clean(kept) is kept
    assert text.clean("王\x0b英", keep_unprintable=True) == "王\x0b英"


def test_describe_cleaning_names_code_points_never_the_value() -> None:
    said = text.describe_cleaning("350203196205142107_x000B_\uffff\u200b")
    assert "_x000B_" in said and "U+000B" in said and "U+FFFF" in said and "U+200B" in said
    assert "350203" not in said
    assert text.describe_cleaning("厦门市") == ""


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_escaping_for_a_workbook_is_undone_by_decoding(value: str) -> None:
    stored = text.encode_excel_escapes(value)
    assert not any(ch in stored for ch in "\x00\x01\x0b\x0c\x1f")
    assert text.decode_excel_escapes(stored) == value


def test_openpyxl_refuses_control_characters_but_takes_the_escaped_text(tmp_path: Path) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    with pytest.raises(IllegalCharacterError):
        book.active["A1"] = "甲\x0b乙"
    book.active["A1"] = text.encode_excel_escapes("甲\x0b乙_x0041_")
    book.save(tmp_path / "a.xlsx")
    stored = load_workbook(tmp_path / "a.xlsx").active["A1"].value
    assert text.decode_excel_escapes(stored) == "甲\x0b乙_x0041_"


# ---------------------------------------------------------------- YAML records


def _copy(tmp_path: Path, old: str, new: str) -> tuple[Path, Path, int]:
    root = tmp_path / "records"
    shutil.copytree(RECORDS, root)
    target = root / WORKER
    source = target.read_text(encoding="utf-8")
    assert old in source
    target.write_text(source.replace(old, new, 1), encoding="utf-8")
    line = source[: source.index(old)].count("\n") + 1
    return root, target, line


def test_an_excel_escape_in_a_record_is_named_at_its_line_and_removed(tmp_path: Path) -> None:
    root, target, line = _copy(tmp_path, ADDRESS_LINE, "家庭住址: 厦门市思明区大同路12号_x000B_后楼")
    records = load_records(root)
    assert records.errors == []
    [warning] = [p for p in records.warnings if p.path == target]
    assert (warning.line, warning.field) == (line, "家庭住址")
    assert "_x000B_" in warning.message and "U+000B" in warning.message
    worker = next(r.worker for u in records.units for r in u.workers if r.path == target)
    assert worker.address == "厦门市思明区大同路12号后楼"


@pytest.mark.parametrize("escape", ["\\x0b", "\\x0c", "\\x01", "\\uFFFE", "\\uFFFF", "\\x85"])
def test_control_and_xml_illegal_characters_are_named_by_check(tmp_path: Path, escape: str) -> None:
    root, target, line = _copy(tmp_path, ADDRESS_LINE, f'家庭住址: "厦门市思明区{escape}大同路12号"')
    records = load_records(root)
    [warning] = [p for p in records.warnings if p.path == target]
    assert (warning.line, warning.field) == (line, "家庭住址")
    assert f"U+{int(escape[2:], 16):04X}" in warning.message
    worker = next(r.worker for u in records.units for r in u.workers if r.path == target)
    assert worker.address == "厦门市思明区大同路12号"


# ---------------------------------------------------------------- import


def _one_unit(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    (root / SM).mkdir(parents=True)
    shutil.copy(RECORDS / "campaign.yaml", root / "campaign.yaml")
    shutil.copy(RECORDS / SM / "单位.yaml", root / SM / "单位.yaml")
    return root


HEAD = ["档案编号", "姓名", "身份证号", "困难类别", "致困主要原因", "家庭住址", "备注"]
ROW = ["SM-101", "林小梅", "350203198003151127", "低保户", "子女上学"]


def test_import_decodes_excel_escapes_and_names_the_cell(tmp_path: Path) -> None:
    root = _one_unit(tmp_path)
    book = Workbook()
    book.active.append(HEAD)
    # openpyxl stores the text as given: the cell holds Excel's escapes, as Excel writes them
    book.active.append([*ROW, "大同路12号_x000B_后楼", "第一行_x000C_第二行_x000D_\n第三行"])
    book.save(tmp_path / "名册.xlsx")
    report = import_sheet(tmp_path / "名册.xlsx", root)
    [row] = report.written
    written = row.path.read_text(encoding="utf-8")
    assert "大同路12号后楼" in written and "_x000B_" not in written and "_x000C_" not in written
    notes = [n for n in row.notes if n.severity == "warning" and "U+000B" in n.message]
    assert notes and notes[0].ref == "Sheet!F2"
    assert "Sheet!F2" in report.format() and "Sheet!G2" in report.format()
    [unit] = load_records(root).units
    assert unit.workers[0].worker.remarks == "第一行第二行\n第三行"


def test_import_of_a_csv_removes_control_characters(tmp_path: Path) -> None:
    root = _one_unit(tmp_path)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEAD, [*ROW, "大同路12号\x0b后楼", "甲\x0c乙"]])
    (tmp_path / "名册.csv").write_text(buffer.getvalue(), encoding="utf-8")
    report = import_sheet(tmp_path / "名册.csv", root)
    [row] = report.written
    assert "大同路12号后楼" in row.path.read_text(encoding="utf-8")
    assert any(n.ref == "名册.csv!F2" and "U+000B" in n.message for n in row.notes)
    assert any(n.ref == "名册.csv!G2" and "U+000C" in n.message for n in row.notes)
    assert not [p for p in load_records(root).problems if "U+000" in p.message]  # the record written is clean


# ---------------------------------------------------------------- export


def test_export_writes_every_value_check_accepts(tmp_path: Path) -> None:
    root, _, _ = _copy(tmp_path, "其它帮扶措施: 协助其子申请国家助学贷款", '其它帮扶措施: "协助\\x0b其子\\x01申请\\t贷款_x005F_x0041_"')
    assert load_records(root).errors == []
    files = api.export(root, tmp_path / "out")
    archive = next(p for p in files if p.name == "困难职工档案.xlsx" and SM in p.parts)
    sheet = load_workbook(archive)["职工"]
    heading = [c.value for c in sheet[1]].index("其它帮扶措施")
    values = [row[heading] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(v and text.decode_excel_escapes(v) == "协助其子申请\t贷款_x0041_" for v in values)
