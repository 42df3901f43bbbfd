"""Spreadsheet import and export (issue 8): every trap of a roster sheet, per row; the
tables as .xlsx and CSV; export then import gives back the same records.

Sheets are built with openpyxl inside the tests. Two traps cannot be written by openpyxl
itself (it writes every number as a float of at most 17 digits): a number cell holding an
18-digit integer whose last digits were lost, and a money cell whose stored value is
1409.4999999999998. For those the test writes a placeholder number and replaces its ``<v>``
text in the saved sheet XML, which is what Excel or WPS would have stored.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import RECORDS
from formkit.domain.idcard import check_digit
from formkit.errors import FormkitError, RecordsInvalid
from formkit.exchange.sheetexport import CITY_DIR, export_tables
from formkit.exchange.sheetimport import (
    EXISTING,
    REFUSED,
    SKIPPED,
    WRITTEN,
    import_sheet,
)
from formkit.exchange.spreadsheet import (
    WORKER_COLUMNS,
    CellError,
    cell_text,
    match_headings,
    normalize_heading,
)
from formkit.forms.context import ROSTER_COLUMNS
from formkit.records.load import load_records

SM = "思明区总工会"
JS = "市建设工会工委"


def make_id(birth: str, seq: str, area: str = "350203") -> str:
    """A fictional ID number with a correct GB 11643 check digit."""
    body = area + birth + seq
    return body + check_digit(body)


@pytest.fixture
def one_unit(tmp_path: Path) -> Path:
    """A records folder with the campaign and one unit (思明区总工会), no workers."""
    root = tmp_path / "records"
    (root / SM).mkdir(parents=True)
    shutil.copy(RECORDS / "campaign.yaml", root / "campaign.yaml")
    shutil.copy(RECORDS / SM / "单位.yaml", root / SM / "单位.yaml")
    return root


@pytest.fixture
def two_units(one_unit: Path) -> Path:
    (one_unit / JS).mkdir()
    shutil.copy(RECORDS / JS / "单位.yaml", one_unit / JS / "单位.yaml")
    return one_unit


def worker_files(root: Path) -> list[Path]:
    return sorted(root.glob("*/职工/*.yaml"))


def patch_xml(path: Path, replacements: dict[str, str]) -> None:
    """Replace ``<v>`` texts in the saved sheets (what Excel would have stored)."""
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                for old, new in replacements.items():
                    assert f"<v>{old}</v>" in text, old
                    text = text.replace(f"<v>{old}</v>", f"<v>{new}</v>")
                data = text.encode("utf-8")
            zout.writestr(info, data)


# ---------------------------------------------------------------- the trap sheet

ID_GOOD = make_id("19620514", "210")  # woman
ID_FLOAT = make_id("19700101", "113")
ID_INT = make_id("19710202", "215")
ID_SERIAL = make_id("19800315", "316")  # woman
ID_WIDE = make_id("19750606", "512")  # woman
ID_CENTS = make_id("19660707", "611")
ID_BAD_CHECK = make_id("19580220", "126")[:-1] + ("1" if make_id("19580220", "126")[-1] != "1" else "2")
ALL_IDS = [ID_GOOD, ID_FLOAT, ID_INT, ID_SERIAL, ID_WIDE, ID_CENTS, ID_BAD_CHECK]
WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

HEAD_TOP = [
    "序号",
    "档案编号",
    "姓 名",
    "身份证号码",
    "出生日期",
    "困难类别",
    "致困主要原因",
    "居住地址",
    "联系电话",
    "慰问",
    "慰问",
    "慰问",
]
HEAD_LOW = [
    "序号",
    "档案编号",
    "姓 名",
    "身份证号码",
    "出生日期",
    "困难类别",
    "致困主要原因",
    "居住地址",
    "联系电话",
    "资助金额（元）",
    "资金来源",
    "发放日期",
]
CAUSES = "子女上学、收入低无法维持基本生活"
ADDRESS = "厦门市思明区莲前街道前埔西路36号"


def trap_rows() -> list[list]:
    base = ["低保户", CAUSES, ADDRESS]
    return [
        # row 4: a clean row: text ID, date cell, whole yuan
        [1, "SM-001", "王秀英", ID_GOOD, date(1962, 5, 14), *base, "0592-5503127", 1000, "中央财政帮扶专项资金", date(2011, 12, 26)],
        # row 5: ID stored as a float (3.50203E+17 on screen)
        [2, "SM-002", "林志强", float(ID_FLOAT), None, *base, "13800000152", 800, "送温暖工程资金", date(2011, 12, 27)],
        # row 6: ID stored as an integer whose last three digits were lost (placeholder, patched)
        [3, "SM-003", "陈建华", 111111111111111, None, *base, None, 500, "送温暖工程资金", None],
        # row 7: dates as Excel serials (29295 = 1980-03-15, 40903 = 2011-12-26), money with float noise (patched)
        [4, "SM-004", "陈美华", ID_SERIAL, 29295, *base, None, 1409.25, "中央财政帮扶专项资金", 40903],
        # row 8: full-width digits, a padded name, spaces around values
        [
            5,
            " SM-005 ",
            "  郑　丽　娟 ",
            ID_WIDE.translate(WIDE),
            None,
            " 低保户 ",
            CAUSES,
            ADDRESS,
            "０５９２－５５６２４０９",
            "３２５．０４",
            "中央财政帮扶专项资金",
            "2011年12月27日",
        ],
        # row 9: money with three decimals: refused, never rounded
        [6, "SM-006", "吴天明", ID_CENTS, None, *base, None, 1409.505, "中央财政帮扶专项资金", None],
        # row 10: a wrong check digit (text cell)
        [7, "SM-007", "李国栋", ID_BAD_CHECK, None, *base, None, 800, "送温暖工程资金", None],
        # row 11: the total row
        ["合计", "", "", "", "", "", "", "", "", 4934.54, "", ""],
    ]


def build_trap_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["思明区总工会2012年元旦春节困难职工慰问名册（帮扶项目：生活救助）"] + [None] * 11)
    ws.merge_cells("A1:L1")
    ws.append(HEAD_TOP)
    ws.append(HEAD_LOW)
    for col in "ABCDEFGHI":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("J2:L2")
    for row in trap_rows():
        ws.append(row)
    for n in range(8, 13):  # empty trailing rows: pre-numbered, spaces, nothing
        ws.append([n] + [None] * 11)
    ws.append([None, "  ", None, "\u3000"])
    ws.append([None] * 12)
    wb.save(path)
    patch_xml(path, {"111111111111111": ID_INT[:15] + "000", "1409.25": "1409.4999999999998"})
    return path


@pytest.fixture
def trap_sheet(tmp_path: Path) -> Path:
    return build_trap_workbook(tmp_path / "名册.xlsx")


def outcomes(report) -> dict[str, str]:
    return {r.ref: r.status for r in report.rows}


def refused_cells(report) -> dict[str, list[str]]:
    return {r.ref: [n.ref for n in r.notes if n.severity == "error"] for r in report.refused}


def test_trap_sheet_outcome_per_row(trap_sheet: Path, one_unit: Path):
    report = import_sheet(trap_sheet, one_unit)
    assert report.header_row == 3
    assert outcomes(report) == {
        "名册!4:4": WRITTEN,
        "名册!5:5": REFUSED,
        "名册!6:6": REFUSED,
        "名册!7:7": WRITTEN,
        "名册!8:8": WRITTEN,
        "名册!9:9": REFUSED,
        "名册!10:10": REFUSED,
        "名册!11:11": SKIPPED,
    }
    assert refused_cells(report) == {
        "名册!5:5": ["名册!D5"],
        "名册!6:6": ["名册!D6"],
        "名册!9:9": ["名册!J9"],
        "名册!10:10": ["名册!D10"],
    }
    reasons = {r.ref: r.notes[0].message for r in report.refused}
    assert "15位有效数字" in reasons["名册!5:5"] and "文本" in reasons["名册!5:5"]
    assert "15位有效数字" in reasons["名册!6:6"]
    assert "两位小数" in reasons["名册!9:9"]
    assert "校验码" in reasons["名册!10:10"]
    assert len(report.written) == 3 and len(report.refused) == 4 and len(report.skipped) == 1


def test_trap_sheet_written_records_are_valid_and_exact(trap_sheet: Path, one_unit: Path):
    import_sheet(trap_sheet, one_unit)
    assert len(worker_files(one_unit)) == 3
    loaded = load_records(one_unit)
    assert loaded.errors == []
    workers = {w.worker.id_number: w.worker for w in loaded.units[0].workers}
    assert set(workers) == {ID_GOOD, ID_SERIAL, ID_WIDE}
    good = workers[ID_GOOD]
    assert good.birth_date == date(1962, 5, 14)
    assert good.payment.amount == Decimal("1000.00") and good.payment.paid_on == date(2011, 12, 26)
    assert good.address == ADDRESS  # 居住地址 alone means 家庭住址
    assert good.causes == ["子女上学", "收入低无法维持基本生活"]
    serial = workers[ID_SERIAL]
    assert serial.birth_date == date(1980, 3, 15)  # serial 29295
    assert serial.payment.paid_on == date(2011, 12, 26)  # serial 40903
    assert serial.payment.amount == Decimal("1409.50")  # stored 1409.4999999999998
    wide = workers[ID_WIDE]
    assert wide.name == "郑丽娟" and wide.archive_number == "SM-005"
    assert wide.phone == "0592-5562409" and wide.payment.amount == Decimal("325.04")
    assert wide.payment.paid_on == date(2011, 12, 27)


def test_written_record_is_commented_like_the_skeleton(trap_sheet: Path, one_unit: Path):
    from formkit.records.skeleton import new_record

    import_sheet(trap_sheet, one_unit)
    text = next(p for p in worker_files(one_unit) if "王秀英" in p.name).read_text(encoding="utf-8")
    skeleton_comments = [line.strip() for line in new_record("worker").splitlines() if line.strip().startswith("#")]
    for comment in skeleton_comments:
        if "保存为" not in comment:
            assert comment in text
    assert f'身份证号: "{ID_GOOD}"' in text
    assert "资助金额: 1000.00" in text
    assert "名册.xlsx" in text.splitlines()[1]


def test_report_text_masks_every_id(trap_sheet: Path, one_unit: Path):
    report = import_sheet(trap_sheet, one_unit)
    text = report.format()
    for number in ALL_IDS:
        assert number not in text and number[:15] not in text
    assert "13800000152" not in text
    assert "写入 3 份，已存在 0 行，拒绝 4 行" in text
    assert "名册!D5" in text and "名册!J9" in text


def test_reimport_writes_nothing_and_reports_identical_or_differing(trap_sheet: Path, one_unit: Path, tmp_path: Path):
    import_sheet(trap_sheet, one_unit)
    before = {p: p.read_bytes() for p in worker_files(one_unit)}
    again = import_sheet(trap_sheet, one_unit)
    assert [r.ref for r in again.existing] == ["名册!4:4", "名册!7:7", "名册!8:8"]
    assert all(r.differences == [] for r in again.existing)
    assert again.written == []
    wb = load_workbook(trap_sheet)
    wb["名册"]["I4"] = "0592-5500000"
    wb["名册"]["H4"] = "厦门市思明区另一处地址"
    changed = tmp_path / "改过的名册.xlsx"
    wb.save(changed)
    third = import_sheet(changed, one_unit)
    first = next(r for r in third.rows if r.ref == "名册!4:4")
    assert first.status == EXISTING and first.differences == ["居住地址", "联系电话"]
    assert "不同：居住地址、联系电话" in third.format()
    assert {p: p.read_bytes() for p in worker_files(one_unit)} == before


def test_dry_run_writes_nothing(trap_sheet: Path, one_unit: Path):
    report = import_sheet(trap_sheet, one_unit, dry_run=True)
    assert len(report.written) == 3
    assert worker_files(one_unit) == []
    assert "试运行" in report.format()


def test_never_overwrites_a_file_of_the_same_name(trap_sheet: Path, one_unit: Path):
    folder = one_unit / SM / "职工"
    folder.mkdir()
    stale = folder / "SM-001-王秀英.yaml"
    stale.write_text("# 一份别人写了一半的记录\n姓名: 王秀英\n", encoding="utf-8")
    report = import_sheet(trap_sheet, one_unit)
    assert stale.read_text(encoding="utf-8") == "# 一份别人写了一半的记录\n姓名: 王秀英\n"
    first = next(r for r in report.rows if r.ref == "名册!4:4")
    assert first.status == WRITTEN and first.path.name == "SM-001-王秀英-2.yaml"


# ---------------------------------------------------------------- cell by cell


@pytest.mark.parametrize(
    "value, kind, expected",
    [
        (22781, "date", "1962-05-15"),
        (40903.0, "date", "2011-12-26"),
        (20111202, "date", "20111202"),
        (datetime(2011, 12, 2, 0, 0), "date", "2011-12-02"),
        (1409.4999999999998, "money", "1409.50"),
        (0.1 + 0.2, "money", "0.30"),
        (500, "money", "500.00"),
        ("￥1,409.50元", "money", "¥1,409.50"),
        (350203580220126, "id", "350203580220126"),  # 15 digits: exact in a number cell
        (350203580220126.0, "id", "350203580220126"),
        ('="350203196205142107"', "id", "350203196205142107"),
        (361008, "code", "361008"),
        (13800000152.0, "code", "13800000152"),
        (3.0, "count", "3"),
        ("  王  英 ", "name", "王英"),
        ("Ｔｏｍ Ｌｅｅ", "name", "Tom Lee"),
        ("前埔西路３６号（租住）；", "text", "前埔西路36号（租住）；"),
        ("'-1 号楼", "text", "-1 号楼"),
        (True, "text", "是"),
        (None, "money", ""),
        # an address typed over two lines with Alt+Enter: one line, as its cell prints it
        ("厦门市湖里区殿前街道高殿社区\n兴隆路88号301室", "line", "厦门市湖里区殿前街道高殿社区兴隆路88号301室"),
        ("Block 12\n Room 3", "line", "Block 12 Room 3"),
        ("第一行\n第二行", "text", "第一行\n第二行"),  # 备注 keeps its lines
    ],
)
def test_cell_text(value, kind, expected):
    assert cell_text(value, kind) == expected


def test_csv_five_digit_text_in_a_date_column_is_a_serial():
    assert cell_text("40903", "date", typed=False) == "2011-12-26"
    assert cell_text("1990", "date", typed=False) == "1990"  # a year is no serial: the model refuses it


@pytest.mark.parametrize("value", [3.50203196205142e17, 350203196205142000, 350203196205142107.0, 3502031962051.5])
def test_id_number_cells_that_may_have_lost_digits_are_refused(value):
    with pytest.raises(CellError) as exc:
        cell_text(value, "id")
    assert "350203196205142" not in str(exc.value)


def test_money_cell_beyond_float_noise_is_refused():
    with pytest.raises(CellError, match="两位小数"):
        cell_text(1409.505, "money")
    with pytest.raises(CellError):
        cell_text(2.5, "count")


def test_heading_variants():
    names = [normalize_heading(h) for h in ["姓 名", "身份证号码(18位)", "*困难类别", "联系\n电话", "街道（镇）", "资助金额（元）"]]
    assert names == ["姓名", "身份证号码", "困难类别", "联系电话", "街道", "资助金额"]
    mapping, unknown = match_headings(names + ["银行账号", "序号"], WORKER_COLUMNS)
    assert [mapping[i].key for i in range(6)] == [
        ("姓名",),
        ("身份证号",),
        ("困难类别",),
        ("联系电话",),
        ("慰问", "街道"),
        ("慰问", "资助金额"),
    ]
    assert unknown == [6]  # 银行账号; 序号 is known and ignored


@pytest.mark.parametrize(
    "headings, expected",
    [
        (["居住地址"], [("家庭住址",)]),
        (["居住地址", "家庭住址"], [("慰问", "居住地址"), ("家庭住址",)]),
        (["所在单位"], [("工作单位",)]),
        (["工作单位", "所在单位"], [("工作单位",), ("慰问", "所在单位")]),
        (["致困原因"], [("致困主要原因",)]),
        (["家庭联系电话"], [("联系电话",)]),
        (["工作单位或家庭住址"], [("工作单位",)]),
    ],
)
def test_annex1_labels_mean_the_annex3_field_unless_both_are_present(headings, expected):
    mapping, _ = match_headings(headings, WORKER_COLUMNS)
    assert [mapping[i].key for i in range(len(headings))] == expected


# ---------------------------------------------------------------- CSV


CSV_HEAD = ["序号", "档案编号", "姓名", "身份证号", "困难类别", "致困主要原因", "家庭住址", "资助金额", "资金来源", "帮扶项目", "发放日期"]


def csv_rows() -> list[list[str]]:
    return [
        [
            "1",
            "SM-101",
            "黄建国",
            make_id("19780909", "331"),
            "意外致困户",
            "意外灾害、残疾",
            ADDRESS,
            "500",
            "中央财政帮扶专项资金",
            "生活救助",
            "40907",
        ],
        ["2", "SM-102", "何春花", "3.50203E+17", "低保户", "子女上学", ADDRESS, "800", "送温暖工程资金", "生活救助", "2011/12/30"],
        [
            "3",
            "SM-103",
            "苏金水",
            make_id("19650101", "117"),
            "低保边缘户",
            "本人大病",
            ADDRESS,
            "1,200.50",
            "送温暖工程资金",
            "生活救助",
            "2011.12.30",
        ],
        ["", "", "", "", "", "", "", "", "", "", ""],
    ]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_each_encoding(encoding: str, one_unit: Path, tmp_path: Path):
    path = tmp_path / "名册.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEAD)
    writer.writerows(csv_rows())
    path.write_bytes(buffer.getvalue().encode(encoding))
    report = import_sheet(path, one_unit)
    assert outcomes(report) == {"名册.csv!2:2": WRITTEN, "名册.csv!3:3": REFUSED, "名册.csv!4:4": WRITTEN}
    assert refused_cells(report) == {"名册.csv!3:3": ["名册.csv!D3"]}
    assert "科学计数法" in report.refused[0].notes[0].message
    loaded = load_records(one_unit)
    assert loaded.errors == []
    by_name = {w.worker.name: w.worker for w in loaded.units[0].workers}
    assert by_name["黄建国"].payment.paid_on == date(2011, 12, 30)  # serial 40907 in CSV text
    assert by_name["苏金水"].payment.amount == Decimal("1200.50")


# ---------------------------------------------------------------- rules across rows and records


def simple_sheet(path: Path, rows: list[list], head: list[str] | None = None, title: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "职工"
    if title:
        ws.append([title])
    ws.append(head or ["档案编号", "姓名", "身份证号", "困难类别", "致困主要原因"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_same_id_twice_in_a_sheet_and_archive_number_taken(one_unit: Path, tmp_path: Path):
    a, b = make_id("19600101", "111"), make_id("19610101", "113")
    sheet = simple_sheet(
        tmp_path / "s.xlsx",
        [
            ["A-1", "甲", a, "低保户", "子女上学"],
            ["A-2", "乙", a, "低保户", "子女上学"],  # same ID as row 2
            ["A-1", "丙", b, "低保户", "子女上学"],  # same 档案编号 as row 2
        ],
    )
    report = import_sheet(sheet, one_unit)
    assert outcomes(report) == {"职工!2:2": WRITTEN, "职工!3:3": REFUSED, "职工!4:4": REFUSED}
    assert refused_cells(report) == {"职工!3:3": ["职工!C3"], "职工!4:4": ["职工!A4"]}
    assert "职工!2:2" in report.refused[0].notes[0].message
    # a later sheet reusing 档案编号 A-1 for someone new is refused against the record on disk
    later = simple_sheet(tmp_path / "t.xlsx", [["A-1", "丙", b, "低保户", "子女上学"]])
    again = import_sheet(later, one_unit)
    assert refused_cells(again) == {"职工!2:2": ["职工!A2"]}
    assert "A-1-甲.yaml" in again.refused[0].notes[0].message
    assert load_records(one_unit).errors == []


def test_model_errors_point_at_their_cells(one_unit: Path, tmp_path: Path):
    man = make_id("19600101", "111")
    sheet = simple_sheet(
        tmp_path / "s.xlsx",
        [["B-1", "甲", man, "特困户", "子女上学", "女", "2011-02-30"]],
        head=["档案编号", "姓名", "身份证号", "困难类别", "致困主要原因", "性别", "工作时间"],
    )
    report = import_sheet(sheet, one_unit)
    notes = {n.ref: n.message for n in report.refused[0].notes}
    assert set(notes) == {"职工!D2", "职工!G2"}  # 困难类别, 工作时间 (性别 is checked once fields are valid)
    assert "第1项" in notes["职工!D2"] and "不存在" in notes["职工!G2"]


def test_missing_required_column_refuses_the_sheet(one_unit: Path, tmp_path: Path):
    sheet = simple_sheet(tmp_path / "s.xlsx", [["甲", make_id("19600101", "111")]], head=["姓名", "身份证号"])
    with pytest.raises(FormkitError, match="档案编号、困难类别、致困主要原因"):
        import_sheet(sheet, one_unit)


def test_no_header_at_all(one_unit: Path, tmp_path: Path):
    sheet = simple_sheet(tmp_path / "s.xlsx", [["a", "b"]], head=["甲", "乙"])
    with pytest.raises(FormkitError, match="表头"):
        import_sheet(sheet, one_unit)


def test_unknown_columns_are_reported_not_silently_dropped(one_unit: Path, tmp_path: Path):
    sheet = simple_sheet(
        tmp_path / "s.xlsx",
        [["C-1", "甲", make_id("19600101", "111"), "低保户", "子女上学", "6222 0000"]],
        head=["档案编号", "姓名", "身份证号", "困难类别", "致困主要原因", "银行账号"],
    )
    report = import_sheet(sheet, one_unit)
    assert [(n.ref, n.field) for n in report.notes] == [("职工!F1", "银行账号")]
    assert "银行账号" in report.format()


def test_unit_routing(two_units: Path, tmp_path: Path):
    row = ["D-1", "甲", make_id("19600101", "111"), "低保户", "子女上学"]
    plain = simple_sheet(tmp_path / "plain.xlsx", [row])
    with pytest.raises(FormkitError, match="--unit"):
        import_sheet(plain, two_units)
    with pytest.raises(FormkitError, match="湖里区总工会"):
        import_sheet(plain, two_units, unit="湖里区总工会")
    report = import_sheet(plain, two_units, unit=JS)
    assert report.written[0].path.parent == two_units / JS / "职工"
    titled = simple_sheet(
        tmp_path / "titled.xlsx", [["D-2", "乙", make_id("19610101", "113"), "低保户", "子女上学"]], title="思明区总工会 困难职工名册"
    )
    assert import_sheet(titled, two_units).written[0].path.parent == two_units / SM / "职工"
    routed = simple_sheet(
        tmp_path / "routed.xlsx",
        [
            [SM, "D-3", "丙", make_id("19620101", "115"), "低保户", "子女上学"],
            ["湖里区总工会", "D-4", "丁", make_id("19630101", "117"), "低保户", "子女上学"],
        ],
        head=["填报单位", "档案编号", "姓名", "身份证号", "困难类别", "致困主要原因"],
    )
    routed_report = import_sheet(routed, two_units)
    assert outcomes(routed_report) == {"职工!2:2": WRITTEN, "职工!3:3": REFUSED}
    assert refused_cells(routed_report) == {"职工!3:3": ["职工!A3"]}


def test_family_sheet_members_and_their_traps(one_unit: Path, tmp_path: Path):
    worker_a, worker_b = make_id("19600101", "111"), make_id("19610101", "113")
    wife = make_id("19620202", "224")
    wb = Workbook()
    ws = wb.active
    ws.title = "职工"
    ws.append(["档案编号", "姓名", "身份证号", "困难类别", "致困主要原因", "家庭人口"])
    ws.append(["E-1", "甲", worker_a, "低保户", "子女上学", 2])
    ws.append(["E-2", "乙", worker_b, "低保户", "子女上学", 2])
    fam = wb.create_sheet("家庭成员")
    fam.append(["职工身份证号", "职工姓名", "姓名", "关系", "身份证号", "月收入"])
    fam.append([worker_a, "甲", "甲妻", "妻子", wife, 1200])
    fam.append([worker_b, "乙", "乙妻", "妻子", float(make_id("19630303", "326")), 0])
    fam.append([make_id("19990101", "119"), "无名", "某", "儿子", None, 0])
    wb.save(tmp_path / "f.xlsx")
    report = import_sheet(tmp_path / "f.xlsx", one_unit)
    assert outcomes(report) == {"职工!2:2": WRITTEN, "职工!3:3": REFUSED}
    assert refused_cells(report) == {"职工!3:3": ["家庭成员!E3"]}
    assert [n.ref for n in report.notes] == ["家庭成员!A4"]  # a member whose worker is not in the sheet
    worker = load_records(one_unit).units[0].workers[0].worker
    assert [(m.name, m.relationship, m.id_number, m.monthly_income) for m in worker.family] == [("甲妻", "妻子", wife, Decimal("1200.00"))]


def test_five_hundred_rows(one_unit: Path, tmp_path: Path):
    wb = Workbook()
    ws = wb.active
    ws.title = "职工"
    ws.append(["序号", "档案编号", "姓名", "身份证号", "困难类别", "致困主要原因", "资助金额", "帮扶项目", "资金来源"])
    bad = {100, 250, 499}
    for n in range(500):
        number = make_id(f"19{50 + n // 20:02d}{1 + n % 12:02d}{1 + n % 20:02d}", f"{100 + n % 800:03d}")
        ws.append(
            [n + 1, f"N{n:04d}", f"职工{n}", float(number) if n in bad else number, "低保户", "子女上学", 500, "生活救助", "送温暖工程资金"]
        )
    wb.save(tmp_path / "big.xlsx")
    report = import_sheet(tmp_path / "big.xlsx", one_unit)
    assert (len(report.written), len(report.existing), len(report.refused)) == (497, 0, 3)
    assert [r.ref for r in report.refused] == ["职工!102:102", "职工!252:252", "职工!501:501"]
    assert len(worker_files(one_unit)) == 497
    text = report.format()
    assert "写入 497 份，已存在 0 行，拒绝 3 行" in text
    assert text.count("没有“低保”") == 1 and "等497处" in text  # one line for a warning shared by every row
    again = import_sheet(tmp_path / "big.xlsx", one_unit)
    assert (len(again.written), len(again.existing), len(again.refused)) == (0, 497, 3)


# ---------------------------------------------------------------- export


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, list[Path]]:
    out = tmp_path / "out"
    return out, export_tables(RECORDS, out)


def paid_amounts(unit: str) -> list[Decimal]:
    loaded = load_records(RECORDS)
    records = next(u for u in loaded.units if u.unit.name == unit)
    return [r.worker.payment.amount for r in loaded.paid_workers(records)]


def test_export_files(exported):
    out, paths = exported
    names = {p.relative_to(out).as_posix() for p in paths}
    for folder in (SM, JS, CITY_DIR):
        for name in (
            "附件2_实名制发放凭证汇总表.xlsx",
            "附件2_实名制发放凭证汇总表_生活救助.csv",
            "附件4_企业工资拖欠情况周报表.xlsx",
            "附件4_企业工资拖欠情况周报表.csv",
            "困难职工档案.xlsx",
            "困难职工档案.csv",
        ):
            assert f"{folder}/{name}" in names
    assert all(p.is_file() for p in paths)
    assert not [p for p in out.rglob("*") if p.name.startswith(".~")]  # no temporary file left


def test_roster_xlsx(exported):
    out, _ = exported
    ws = load_workbook(out / SM / "附件2_实名制发放凭证汇总表.xlsx")["生活救助"]
    assert ws.freeze_panes == "A4"
    assert "帮扶项目：生活救助" in ws["A1"].value
    assert [c.value for c in ws[3]] == list(ROSTER_COLUMNS)
    rows = list(ws.iter_rows(min_row=4))
    data, total = rows[:-1], rows[-1]
    amounts = paid_amounts(SM)
    assert len(data) == len(amounts)
    for row in data:
        id_cell, money = row[4], row[6]
        assert id_cell.data_type == "s" and len(id_cell.value) in (15, 18)  # as typed
        assert isinstance(money.value, (int, float)) and money.number_format == "0.00"
    assert total[0].value == "合计"
    assert Decimal(repr(total[6].value)) == sum(amounts)
    assert total[6].number_format == "0.00"


def test_city_roster_and_weekly_totals(exported):
    out, _ = exported
    ws = load_workbook(out / CITY_DIR / "附件2_实名制发放凭证汇总表.xlsx")["生活救助"]
    assert ws["B3"].value == "填报单位"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) - 1 == len(paid_amounts(SM)) + len(paid_amounts(JS))
    assert Decimal(repr(rows[-1][7])) == sum(paid_amounts(SM)) + sum(paid_amounts(JS))
    weekly = load_workbook(out / CITY_DIR / "附件4_企业工资拖欠情况周报表.xlsx")["周报"]
    assert weekly.freeze_panes == "A6"
    loaded = load_records(RECORDS)
    first_day = min(w.report.day for u in loaded.units for w in u.weeks)
    reports = [w.report for u in loaded.units for w in u.weeks if w.report.day == first_day]
    total_row = next(r for r in weekly.iter_rows(min_row=6, values_only=True) if r[1] == "合计")
    expected = sum(r.enterprise_types.other.arrears for r in reports)
    assert Decimal(repr(total_row[8])) == expected  # 其他类型企业 拖欠数额（万元）
    assert total_row[10] == sum(r.enterprise_types.other.persons for r in reports)


def test_csv_is_plain_utf8_by_default(exported):
    out, _ = exported
    raw = (out / SM / "附件2_实名制发放凭证汇总表_生活救助.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0] == list(ROSTER_COLUMNS)
    ids = [r[4] for r in rows[1:-1]]
    assert ids and all(len(i) in (15, 18) and i[:15].isdigit() for i in ids)  # as typed: an old card's 15 digits
    assert rows[-1][0] == "合计"


def test_csv_for_excel_has_bom_and_keeps_ids_as_text(tmp_path: Path):
    out = tmp_path / "out"
    export_tables(RECORDS, out, csv_form="excel")
    raw = (out / SM / "附件2_实名制发放凭证汇总表_生活救助.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(ROSTER_COLUMNS)
    ids = [r[4] for r in rows[1:-1]]
    assert all(i.startswith('="') or i.endswith("X") for i in ids)
    assert rows[-1][0] == "合计"


def test_export_refuses_records_with_errors(tmp_path: Path):
    root = tmp_path / "records"
    shutil.copytree(RECORDS, root)
    (root / SM / "职工" / "坏.yaml").write_text("档案编号: X\n姓名: 某\n", encoding="utf-8")
    with pytest.raises(RecordsInvalid):
        export_tables(root, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert export_tables(root, tmp_path / "out", keep_going=True)


# ---------------------------------------------------------------- round trip


def dumps(root: Path) -> dict[str, dict]:
    loaded = load_records(root)
    assert loaded.errors == []
    return {w.worker.id_number: w.worker.model_dump(by_alias=True) for u in loaded.units for w in u.workers}


@pytest.mark.parametrize(
    "source, unit, csv_form",
    [
        (f"{CITY_DIR}/困难职工档案.xlsx", None, "plain"),
        (f"{CITY_DIR}/困难职工档案.csv", None, "plain"),
        (f"{CITY_DIR}/困难职工档案.csv", None, "excel"),
        (f"{SM}/困难职工档案.xlsx", SM, "plain"),
    ],
)
def test_export_then_import_gives_back_the_same_records(tmp_path: Path, source: str, unit: str | None, csv_form: str):
    original = tmp_path / "original"
    shutil.copytree(RECORDS, original)
    export_tables(original, tmp_path / "out", csv_form=csv_form)
    fresh = tmp_path / "fresh"
    shutil.copytree(RECORDS, fresh)
    for folder in fresh.glob("*/职工"):
        shutil.rmtree(folder)
    report = import_sheet(tmp_path / "out" / source, fresh, unit=unit)
    assert report.refused == [] and report.existing == []
    expected = dumps(original)
    if unit is not None:
        expected = {
            k: v
            for k, v in expected.items()
            if k in {w.worker.id_number for u in load_records(original).units if u.unit.name == unit for w in u.workers}
        }
    assert dumps(fresh) == expected
    assert len(report.written) == len(expected)


def test_the_example_roster_imports_addresses_on_one_line(one_unit: Path):
    """docs/名册示例.xlsx (README's example) has an address over two lines of its cell: the
    record holds it on one line, and the import says so (a new user saw it print 区 alone)."""
    report = import_sheet(RECORDS.parent / "docs" / "名册示例.xlsx", one_unit, unit=SM)
    texts = [p.read_text(encoding="utf-8") for p in worker_files(one_unit)]
    assert any("高殿社区" in t for t in texts)
    assert all("高殿社区兴隆路" in t for t in texts if "高殿社区" in t)
    assert any("换行已去掉" in line for line in report.problem_lines())
