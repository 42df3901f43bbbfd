"""The city roll-up: roster across units, totals per unit / 资金来源 / Friday, people in two units.

Expected figures are counted here from the record files read as text (formkit.records.yamlio).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import RECORDS, TEMPLATES
from docxread import all_text, squash, tables
from formkit.domain.idcard import normalize_id_number, parse_id_number
from formkit.domain.privacy import mask_id
from formkit.exchange.collect import (
    FUNDS_CSV,
    PEOPLE_CSV,
    UNITS_CSV,
    WEEKS_CSV,
    collect,
    cross_unit_people,
)
from formkit.records.load import load_records
from formkit.records.yamlio import load_yaml


def unit_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "单位.yaml").is_file())


def raw(folder: Path, kind: str) -> list[dict]:
    return [load_yaml(p).data for p in sorted((folder / kind).glob("*.yaml"))]


def unit_name(folder: Path) -> str:
    return load_yaml(folder / "单位.yaml").data["填报单位"]


def is_paid(worker: dict) -> bool:
    return bool(worker.get("慰问")) and worker.get("档案状态", "在档") != "脱贫"


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode("utf-8")), "BOM for Excel"
    assert b"\r\n" in data
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def rolled(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    return out, collect(load_records(RECORDS), out, templates=TEMPLATES)


def test_writes_roster_and_tables(rolled):
    out, written = rolled
    names = [p.name for p in written]
    assert names[-4:] == [UNITS_CSV, FUNDS_CSV, WEEKS_CSV, PEOPLE_CSV]
    assert names[0].startswith("全市_附件2_实名制发放凭证汇总表") and names[0].endswith(".docx")
    assert all(p.parent == out and p.is_file() for p in written)


def test_city_roster_lists_every_paid_worker_once(rolled):
    _, written = rolled
    rosters = [p for p in written if p.suffix == ".docx"]
    text = squash("".join(all_text(p) for p in rosters))
    ids_in_rows = []
    for path in rosters:
        for table in tables(path):
            for row in table.rows[1:]:
                cells = [squash(c.text) for c in row.cells]
                if len(cells) > 4 and len(cells[4]) in (15, 18):  # printed as typed
                    ids_in_rows.append(cells[4])
    expected_ids, total = [], Decimal(0)
    for folder in unit_folders(RECORDS):
        for w in raw(folder, "职工"):
            if is_paid(w):
                expected_ids.append(normalize_id_number(w["身份证号"]))
                total += Decimal(w["慰问"]["资助金额"])
            else:
                assert parse_id_number(w["身份证号"]).number not in text
        assert unit_name(folder) in text  # 备注 names the unit
    assert sorted(ids_in_rows) == sorted(expected_ids)
    assert f"{total:.2f}" in text
    assert "全市汇总" in text


def test_totals_per_unit(rolled):
    out, _ = rolled
    rows = read_csv(out / UNITS_CSV)
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    by_unit = {r[0]: r for r in body}
    grand = Decimal(0)
    for folder in unit_folders(RECORDS):
        workers = raw(folder, "职工")
        paid = [w for w in workers if is_paid(w)]
        amount = sum((Decimal(w["慰问"]["资助金额"]) for w in paid), Decimal(0))
        grand += amount
        row = by_unit[unit_name(folder)]
        assert row[col["登记人数"]] == str(len(workers))
        assert row[col["慰问人数"]] == str(len(paid))
        assert row[col["慰问金额（元）"]] == f"{amount:.2f}"
        assert row[col["周报已报"]] == str(len(raw(folder, "周报")))
        for fund in {w["慰问"]["资金来源"] for w in paid}:
            expected = sum((Decimal(w["慰问"]["资助金额"]) for w in paid if w["慰问"]["资金来源"] == fund), Decimal(0))
            assert row[col[f"{fund}（元）"]] == f"{expected:.2f}"
    assert by_unit["全市合计"][col["慰问金额（元）"]] == f"{grand:.2f}"


def test_totals_per_fund_source(rolled):
    out, _ = rolled
    persons: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for folder in unit_folders(RECORDS):
        for w in raw(folder, "职工"):
            if is_paid(w):
                persons[w["慰问"]["资金来源"]] += 1
                amounts[w["慰问"]["资金来源"]] += Decimal(w["慰问"]["资助金额"])
    rows = {r[0]: r for r in read_csv(out / FUNDS_CSV)[1:]}
    assert set(rows) == set(persons) | {"合计"}
    for fund in persons:
        assert rows[fund][2:] == [str(persons[fund]), f"{amounts[fund]:.2f}"]
    assert rows["合计"][2:] == [str(sum(persons.values())), f"{sum(amounts.values(), Decimal(0)):.2f}"]


def _day(text: str) -> date:
    """A date typed in one of records.md's forms (2011-12-02, 2011.12.2, 2011/12/2, 2011年12月2日)."""
    for mark in ("年", "月", ".", "/"):
        text = text.replace(mark, "-")
    y, m, d = (int(x) for x in text.replace("日", "").split("-"))
    return date(y, m, d)


def test_weekly_totals_per_friday_across_units(rolled):
    out, _ = rolled
    rows = read_csv(out / WEEKS_CSV)
    col = {name: i for i, name in enumerate(rows[0])}
    arrears: dict[date, Decimal] = defaultdict(Decimal)
    migrants: dict[date, int] = defaultdict(int)
    for folder in unit_folders(RECORDS):
        for report in raw(folder, "周报"):
            day = _day(report["时间"])
            for kind in ("国有企业", "集体企业", "其他类型企业"):
                arrears[day] += Decimal(report["企业类型"][kind].get("拖欠数额") or 0)
            migrants[day] += int(report["用工来源"]["农民工"].get("涉及人数") or 0)
    body = rows[1:]
    assert [date.fromisoformat(r[0]) for r in body] == sorted(arrears)
    assert len(body) == 8 and all(date.fromisoformat(r[0]).weekday() == 4 for r in body)
    for row in body:
        day = date.fromisoformat(row[0])
        assert Decimal(row[col["企业类型合计·拖欠数额（万元）"]]) == arrears[day]
        assert int(row[col["农民工·涉及人数（人）"]]) == migrants[day]
        assert row[col["已报单位数"]] == row[col["应报单位数"]] == str(len(unit_folders(RECORDS)))


def test_no_person_in_two_units_in_the_samples(rolled):
    out, _ = rolled
    assert read_csv(out / PEOPLE_CSV)[1:] == []


def test_people_in_more_than_one_unit(tmp_path):
    copy = tmp_path / "records"
    shutil.copytree(RECORDS, copy)
    first, second = unit_folders(copy)[:2]
    # (1) one worker registered in two units: an error of the records, both left out
    twice = sorted((first / "职工").glob("*.yaml"))[0]
    shutil.copy(twice, second / "职工" / "重复登记.yaml")
    twice_id = parse_id_number(load_yaml(twice).data["身份证号"]).number
    # (2) a worker of the first unit listed as a family member in the second (a warning)
    member = sorted((first / "职工").glob("*.yaml"))[1]
    member_data = load_yaml(member).data
    member_id = parse_id_number(member_data["身份证号"]).number
    host = sorted((second / "职工").glob("*.yaml"))[0]
    text = host.read_text(encoding="utf-8")
    assert "\n家庭成员:\n" in text
    text = text.replace("\n家庭成员:\n", f'\n家庭成员:\n  - 姓名: {member_data["姓名"]}\n    关系: 其他\n    身份证号: "{member_id}"\n', 1)
    host.write_text(text, encoding="utf-8")

    records = load_records(copy)
    assert records.errors, "a number registered twice is an error"
    groups = cross_unit_people(records)
    by_id = {g[0].id_number: g for g in groups}
    assert set(by_id) == {twice_id, member_id}
    assert {a.unit for a in by_id[twice_id]} == {unit_name(first), unit_name(second)}
    assert all("记录有错误" in a.role for a in by_id[twice_id])
    assert sorted(a.role.split("（")[0] for a in by_id[member_id]) == ["家庭成员", "职工"]

    written = collect(records, tmp_path / "city", templates=TEMPLATES)
    report = next(p for p in written if p.name == PEOPLE_CSV)
    rows = read_csv(report)[1:]
    assert {r[1] for r in rows} == {mask_id(twice_id), mask_id(member_id)}
    content = report.read_text(encoding="utf-8-sig")
    assert twice_id not in content and member_id not in content
    assert {r[0] for r in rows} == {"1", "2"}


def test_same_records_give_the_same_files(rolled, tmp_path):
    _, first = rolled
    again = collect(load_records(RECORDS), tmp_path, templates=TEMPLATES)
    assert [p.name for p in again] == [p.name for p in first]
    for a, b in zip(first, again):
        assert a.read_bytes() == b.read_bytes(), a.name
