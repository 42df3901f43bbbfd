"""Two unit folders naming the same 填报单位: refused by check naming both folders; kept
apart under distinct names by every command that still runs (render --keep-going, export
--keep-going, collect, schedule)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from conftest import ROOT
from formkit import api
from formkit.errors import RecordsInvalid
from formkit.exchange.collect import collect
from formkit.exchange.sheetexport import export_tables
from formkit.fake import generate_records
from formkit.forms.schedule import schedule

SECOND = "思明区总工会-续"


@pytest.fixture
def records(tmp_path):
    folder = tmp_path / "records"
    shutil.copytree(ROOT / "records", folder)
    extra = tmp_path / "extra"
    generate_records(extra, 2, 1, seed=7, weeks=False)
    second = folder / SECOND
    shutil.copytree(next(p for p in extra.iterdir() if p.is_dir()), second)
    (second / "单位.yaml").write_text((folder / "思明区总工会" / "单位.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_check_names_both_folders(records):
    checked = api.check(records)
    problems = [p for p in checked.errors if p.field == "填报单位"]
    assert {p.path.parent.name for p in problems} == {"思明区总工会", SECOND}
    assert all(p.line == 2 for p in problems)  # the 填报单位 line of each 单位.yaml
    assert any(SECOND in p.message for p in problems) and any("思明区总工会/单位.yaml" in p.message for p in problems)
    names = [u.name for u in checked.units]
    assert len(names) == len(set(names)) and f"思明区总工会_{SECOND}" in names


def test_render_refuses_then_keeps_both_units_apart(records, tmp_path):
    with pytest.raises(RecordsInvalid):
        api.render(records, tmp_path / "out", mask=True)
    assert not (tmp_path / "out" / "公示").exists()
    report = api.render(records, tmp_path / "out", keep_going=True)
    folders = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert "思明区总工会（不完整）" in folders and f"思明区总工会_{SECOND}（不完整）" in folders
    assert len(report.counts) == 3


def test_export_refuses_then_keeps_both_units_apart(records, tmp_path):
    with pytest.raises(RecordsInvalid):
        export_tables(records, tmp_path / "sheets")
    written = export_tables(records, tmp_path / "sheets", keep_going=True)
    folders = {p.relative_to(tmp_path / "sheets").parts[0] for p in written}
    assert {"思明区总工会", f"思明区总工会_{SECOND}"} <= folders


def test_collect_and_schedule_list_both_units(records, tmp_path):
    checked = api.check(records)
    files = collect(checked, tmp_path / "city")
    units_csv = next(p for p in files if p.name.endswith("各单位合计.csv")).read_text(encoding="utf-8-sig")
    assert "思明区总工会," in units_csv.replace("\r", "") or "思明区总工会\n" in units_csv
    assert f"思明区总工会_{SECOND}" in units_csv
    rows = schedule(checked, date(2011, 12, 20))
    assert all(len(row.units) == 3 for row in rows)


def test_a_unit_file_naming_another_unit_is_a_warning(tmp_path):
    """单位.yaml copied from another unit of the 主送 and not corrected: its name would head
    every form. A folder named by an abbreviation (市建设工会工委) is not warned about."""
    folder = tmp_path / "records"
    shutil.copytree(ROOT / "records", folder)
    assert not [p for p in api.check(folder).warnings if p.field == "填报单位"]  # the samples agree
    shutil.copytree(folder / "思明区总工会", folder / "湖里区总工会")
    shutil.rmtree(folder / "思明区总工会")
    checked = api.check(folder)
    [warning] = [p for p in checked.warnings if p.field == "填报单位"]
    assert warning.path.parent.name == "湖里区总工会" and warning.line == 2
    assert "“思明区总工会”" in warning.message and "“湖里区总工会”" in warning.message
    assert not checked.errors
