"""The printed layout of the shipped forms: paper, margins, column edges, sizes, row heights.

tools/build_templates.py builds templates/附件1–4 from these numbers, and
:mod:`formkit.forms.pages` estimates from them how a record fills its pages (the check's
warnings, the registration form's continuation page, the expected page counts). Lengths in
millimetres, font sizes in points (Chinese sizes: 小四 12, 五号 10.5, 小五 9).

Column widths are chosen for the longest value each column usually holds, measured with
LibreOffice 7.4 on Noto Serif CJK SC (tools/fonts.conf's 宋体; formkit.documents.fitting has
the character widths): a name of 8 characters joined by ·, a 民族 of 5 (柯尔克孜族), every
vocabulary value of the 填表说明 (“民营/私营/个体企业”, “农、林、牧、渔业”, “关闭破产企业”,
“下（待）岗”, “省部级劳模”), an 18-character ID number in DejaVu Sans digits (the font
LibreOffice falls back to when 宋体 is missing), a date such as 1965年12月12日; each plus
the cell's margins. A longer value is set smaller (formkit.documents.fitting), then wraps.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REGISTRATION", "ROSTER_WIDTHS", "VOUCHER_EDGES", "WEEKLY", "RegistrationLayout", "WeeklyLayout"]


@dataclass(frozen=True)
class RegistrationLayout:
    """附件3 困难职工档案登记表: A4 portrait, 小五 (9 pt) in the table.

    Attributes:
        margins: top, bottom, left, right (mm).
        header_distance: of the header from the top edge and the footer from the bottom
            (mm): a line of header or footer ends inside the margin.
        width: the table's width (mm), between the side margins.
        size: font size of the table (pt).
        cell_margin: left and right margin of each cell (mm).
        top, person, housing, address, income, family, self_help, causes, attachments,
            remarks: column edges of each row group, mm from the table's left border (the
            notice's rows, top to bottom).
        label_height, value_height, address_height, family_height, attachment_height,
            remarks_height: minimum row heights (mm); a row grows with its longest cell.
    """

    margins: tuple[float, float, float, float] = (15, 15, 8, 8)
    header_distance: float = 6
    width: float = 194
    size: float = 9.0
    cell_margin: float = 0.8
    top: tuple[float, ...] = (0, 23, 64, 93, 194)
    person: tuple[float, ...] = (0, 23, 41, 49, 64, 93, 132, 143, 158, 176, 194)
    housing: tuple[float, ...] = (0, 26, 46, 64, 93, 122, 154, 172, 194)
    address: tuple[float, ...] = (0, 60, 119, 151, 174, 194)
    income: tuple[float, ...] = (0, 26, 52, 68, 94, 174, 194)
    family: tuple[float, ...] = (0, 8, 32, 41, 49, 64, 93, 132, 143, 158, 176, 194)
    self_help: tuple[float, ...] = (0, 41, 93, 143, 194)
    causes: tuple[float, ...] = (0, 41, 194)
    attachments: tuple[float, ...] = (0, 23, 93, 194)
    remarks: tuple[float, ...] = (0, 23, 194)
    label_height: float = 8.5
    value_height: float = 8.5
    address_height: float = 12
    family_height: float = 8
    attachment_height: float = 8
    remarks_height: float = 12

    @property
    def page_height(self) -> float:
        """Height of the page body between the top and bottom margins (mm)."""
        return 297 - self.margins[0] - self.margins[1]

    def column(self, edges: tuple[float, ...], index: int) -> float:
        """Width of column ``index`` of a row group (mm), its cell margins taken off."""
        return edges[index + 1] - edges[index] - 2 * self.cell_margin


REGISTRATION = RegistrationLayout()


@dataclass(frozen=True)
class WeeklyLayout:
    """附件4's attached page (具体案例情况说明): the 案例说明 in 三号 (16 pt) lines of 28 pt.

    Attributes:
        margins: top, bottom, left, right (mm; GB/T 9704-2012's body page).
        size: font size of the 案例说明 (pt).
        line: its line pitch (pt, exact).
        indent: its first-line indent (mm: two characters).
        heading: height of what precedes it on the page: title, subtitle, 填报单位 line (mm).
    """

    margins: tuple[float, float, float, float] = (37, 35, 28, 26)
    size: float = 16.0
    line: float = 28.0
    indent: float = 11.3
    heading: float = 36.0

    @property
    def width(self) -> float:
        """Width of the text between the side margins (mm)."""
        return 210 - self.margins[2] - self.margins[3]

    @property
    def page_height(self) -> float:
        """Height of the page body (mm)."""
        return 297 - self.margins[0] - self.margins[1]


WEEKLY = WeeklyLayout()

#: 附件1's first row, mm from the table's left border: 姓名 label | 姓名 | 性别 label | 性别 |
#: 困难职工档案编号 label | 档案编号 (156 mm: GB/T 9704's body width). 姓名 holds 8 characters
#: of 小四 (12 pt).
VOUCHER_EDGES = (0, 28, 64, 76, 86, 114, 156)

#: 附件2's columns (mm, 257 in all: A4 landscape between 20 mm margins): 序号, 姓名 (8
#: characters of 9 pt), 性别, 年龄, 身份证号, 工作单位或家庭住址, 帮扶金额, 家庭联系电话,
#: 资金来源 (中央财政帮扶专项资金 on one line), 备注.
ROSTER_WIDTHS = (10, 26, 10, 10, 40, 54, 18, 27, 34, 28)
