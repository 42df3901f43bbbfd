"""Write docs/名册示例.xlsx: a small roster as staff keep one in Excel, for README's import example.

Fictional people (ID numbers with valid GB 11643 check digits, from formkit.fake), laid
out the way offices do: a title row above the header, the ID as a text cell, the birth date
as a date cell, the phone as a number, an address typed over two lines (Alt+Enter) and one
with the vertical tab a paste from Word leaves (Excel stores it as ``_x000B_``).

    .venv/bin/python tools/sample_roster.py
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from openpyxl import Workbook
from openpyxl.styles import Font

from formkit.fake import check_digit

TARGET = ROOT / "docs" / "名册示例.xlsx"
HEADING = [
    "序号",
    "档案编号",
    "姓名",
    "身份证号",
    "出生日期",
    "困难类别",
    "致困主要原因",
    "家庭住址",
    "联系电话",
    "资助金额",
    "帮扶项目",
    "资金来源",
]


def _id(body: str) -> str:
    return body + check_digit(body)


ROWS = [
    [
        1,
        "HL2011-001",
        "黄秀兰",
        _id("35020619680312202"),
        date(1968, 3, 12),
        "低保户",
        "本人大病、子女上学",
        "厦门市湖里区殿前街道高殿社区\n兴隆路88号301室",
        13905921234,
        800,
        "生活救助",
        "中央财政帮扶专项资金",
    ],
    [
        2,
        "HL2011-002",
        "陈国平",
        _id("35020619750821101"),
        date(1975, 8, 21),
        "低保边缘户",
        "下岗失业",
        "厦门市湖里区江头街道_x000B_后坑社区12号",
        5923456789,
        600,
        "生活救助",
        "送温暖工程资金",
    ],
]


def main() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append(["湖里区总工会 2012年两节困难职工名册"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADING)
    for row in ROWS:
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=4).number_format = "@"
        sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
    book.properties.created = book.properties.modified = datetime(2011, 12, 1)
    book.save(TARGET)
    print(TARGET.relative_to(ROOT))


if __name__ == "__main__":
    main()
