"""Spreadsheet columns of the worker records, shared by import and export.

A worker record (records.md) is flat but for three parts: 慰问 (a block, with 低保 inside),
家庭成员 and 所附附件 (lists of blocks). In a spreadsheet the flat part and 慰问 are one row per
worker (:data:`WORKER_COLUMNS`); family members and attachments are rows of their own sheets
(:data:`FAMILY_COLUMNS`, :data:`ATTACHMENT_COLUMNS`), tied to the worker by 职工身份证号.
Headings are the forms' own labels; the usual variants staff use are accepted on import
(``身份证号码``, ``居住地址``, ``电话``, ``姓 名``, ``资助金额（元）``, ``街道（镇）`` …, see
:func:`normalize_heading` and each column's ``variants``).

Cell values are turned into the text a record holds by :func:`cell_text`, which handles the
spreadsheet traps (issue 8): an ID number stored as a number is refused when digits may be
lost (Excel keeps 15 significant digits), never "repaired"; an Excel date serial becomes a
date; money is read from the cell's stored value by :func:`formkit.domain.amounts.parse_yuan`'s
float rule (within float noise of a whole 分, else refused); spaces and full-width digits and
letters are folded. Text goes through the one cleaner of every value
(:func:`formkit.domain.text.clean`: Excel's ``_xHHHH_`` escapes decoded first, then control
characters removed), as a YAML record's does.

The public functions live in :mod:`formkit.exchange.sheetimport` (``import_sheet``) and
:mod:`formkit.exchange.sheetexport` (``export_tables``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl.utils.datetime import from_excel

from formkit.domain.amounts import parse_yuan
from formkit.domain.text import clean, printable
from formkit.errors import AmountError, FormkitError

__all__ = [
    "ATTACHMENT_COLUMNS",
    "FAMILY_COLUMNS",
    "IGNORED_HEADINGS",
    "OWNER_ID",
    "OWNER_NAME",
    "UNIT_COLUMN",
    "WORKER_COLUMNS",
    "CellError",
    "Column",
    "cell_text",
    "is_total_row",
    "match_headings",
    "normalize_heading",
]

#: Excel keeps 15 significant digits of a number (IEEE 754 double as Excel displays it).
EXCEL_DIGITS = 15


@dataclass(frozen=True)
class Column:
    """One spreadsheet column of a record.

    Attributes:
        key: the path of the value in the record (Chinese keys of records.md), e.g.
            ``("慰问", "低保", "起")``; ``()`` for a column read but not stored (职工姓名).
        heading: the heading written on export (the form's label).
        kind: how a cell is read: ``text``, ``name`` (a person's name: padding spaces
            removed), ``code`` (档案编号, 邮政编码, 联系电话: a number cell is its digits),
            ``id`` (身份证号), ``date``, ``money`` (yuan), ``count`` (persons), ``list``
            (致困主要原因, joined with 、), ``line`` (an address, a unit's name: printed on one
            line of its cell, so a line break typed in the cell with Alt+Enter is joined).
        variants: other headings meaning this column.
    """

    key: tuple[str, ...]
    heading: str
    kind: str = "text"
    variants: tuple[str, ...] = ()


def _c(key: str, kind: str = "text", *variants: str, heading: str = "") -> Column:
    path = tuple(key.split("."))
    return Column(path, heading or path[-1], kind, variants)


#: The worker's row: annex-3 fields in records.md order, then 慰问 (annex 1 and 2).
#: 居住地址, 所在单位 and 致困原因 are annex-1 labels of 慰问 that default to 家庭住址, 工作单位
#: and 致困主要原因: a sheet holding only one of a pair means the annex-3 field.
WORKER_COLUMNS: tuple[Column, ...] = (
    _c("档案编号", "code", "困难职工档案编号", "档案号"),
    _c("困难类别", "text", "困难类型"),
    _c("姓名", "name", "职工姓名", "困难职工姓名"),
    _c("民族"),
    _c("性别"),
    _c("政治面貌"),
    _c("出生日期", "date", "出生年月日", "出生年月"),
    _c("身份证号", "id", "身份证号码", "身份证", "公民身份号码", "公民身份证号码", "身份证件号码"),
    _c("健康状况"),
    _c("残疾类别", "text", "残疾类型"),
    _c("身份"),
    _c("劳模类型", "text", "劳模类别"),
    _c("住房类型"),
    _c("建筑面积", "text", "住房面积"),
    _c("邮政编码", "code", "邮编"),
    _c("联系电话", "code", "电话", "家庭联系电话", "联系方式", "手机", "手机号码", "电话号码"),
    _c("工作时间", "date", "参加工作时间"),
    _c("所属行业", "text", "行业"),
    _c("婚姻状况"),
    _c("户口类型", "text", "户口性质"),
    _c("家庭住址", "line", "居住地址", "家庭地址", "住址", "现住址", "现居住地址"),
    _c("工作单位", "line", "所在单位", "工作单位或家庭住址"),
    _c("单位性质"),
    _c("企业状况"),
    _c("是否单亲", "text", "单亲"),
    _c("本人月平均收入", "money", "月平均收入", "本人月收入"),
    _c("家庭年度总收入", "money", "家庭年收入"),
    _c("家庭人口", "count", "家庭人口数"),
    _c("家庭年人均收入", "money", "年人均收入"),
    _c("户口所在地行政区划", "line", "户口所在地", "户籍所在地"),
    _c("是否进入医保", "text", "是否参加医保"),
    _c("是否有一定自救能力", "text", "有无自救能力"),
    _c("是否为零就业家庭", "text", "是否零就业家庭"),
    _c("致困主要原因", "list", "致困原因"),
    _c("备注"),
    _c("档案状态"),
    _c("慰问.资助金额", "money", "帮扶金额", "慰问金额", "发放金额"),
    _c("慰问.帮扶项目"),
    _c("慰问.资金来源"),
    _c("慰问.低保.起", "date", "低保起始日期", "低保开始日期", "享受低保起始日期", heading="低保起"),
    _c("慰问.低保.止", "date", "低保截止日期", "低保结束日期", "享受低保截止日期", heading="低保止"),
    _c("慰问.低保.每月", "money", "每月领低保金", "每月低保金", "低保金", heading="低保每月"),
    _c("慰问.其它帮扶措施", "text", "其他帮扶措施"),
    _c("慰问.街道", "line", "街道镇"),
    _c("慰问.居住地址", "line"),
    _c("慰问.所在单位", "line"),
    _c("慰问.致困原因"),
    _c("慰问.发放日期", "date"),
    _c("慰问.宣传推荐", "text", "宣传推荐对象", "推荐宣传"),
)

#: Routes a row to its unit (a city-wide sheet); not stored in the worker record.
UNIT_COLUMN = Column(("填报单位",), "填报单位", "text", ("所属工会", "填报工会"))
#: Ties a family or attachment row to its worker.
OWNER_ID = Column(("职工身份证号",), "职工身份证号", "id", ("职工身份证号码", "户主身份证号", "户主身份证号码"))
#: Shown beside OWNER_ID for the reader; not stored.
OWNER_NAME = Column((), "职工姓名", "name", ("户主姓名",))

#: A family member's row (附件3 第18项), in the printed column order.
FAMILY_COLUMNS: tuple[Column, ...] = (
    OWNER_ID,
    OWNER_NAME,
    _c("姓名", "name", "成员姓名", "家庭成员姓名"),
    _c("关系", "text", "与职工关系", "与户主关系", "与本人关系"),
    _c("性别"),
    _c("政治面貌"),
    _c("出生日期", "date", "出生年月日", "出生年月"),
    _c("身份证号", "id", "身份证号码", "身份证", "公民身份号码"),
    _c("健康状况"),
    _c("月收入", "money"),
    _c("身份"),
    _c("单位或学校", "text", "工作单位或学校", "单位学校", "就读学校或工作单位"),
)

#: An attachment's row (附件3 所附附件).
ATTACHMENT_COLUMNS: tuple[Column, ...] = (OWNER_ID, OWNER_NAME, _c("附件类型"), _c("附件文件"))

#: Headings known but not read: 序号 and 年龄 (derived from the ID number), signatures.
IGNORED_HEADINGS = frozenset({"序号", "年龄", "帮扶金额大写", "大写金额", "收款人签字", "领款人签字", "签字", "签名"})

_BRACKETS = re.compile(r"[(\[【〔〈《][^)\]】〕〉》]*[)\]】〕〉》]")
_HEADING_STRIP = "*＊:：#.、"


def normalize_heading(value: Any) -> str:
    """The heading a cell means: NFKC-folded, spaces and bracketed notes removed.

    ``姓 名`` → ``姓名``; ``资助金额（元）`` → ``资助金额``; ``*身份证号码`` → ``身份证号码``;
    ``街道（镇）`` → ``街道``; a heading broken over two lines is joined.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _BRACKETS.sub("", text)
    return "".join(text.split()).strip(_HEADING_STRIP)


def match_headings(headings: Sequence[str], columns: Sequence[Column]) -> tuple[dict[int, Column], list[int]]:
    """Map normalized headings to columns.

    A heading that is one column's own heading and nobody's variant is taken first; then
    each remaining heading takes the first free column it may mean, variants before own
    headings: so ``居住地址`` alone means 家庭住址, and beside ``家庭住址`` it means
    慰问.居住地址. A column is taken once.

    Args:
        headings: normalized headings (:func:`normalize_heading`), by position; ``""`` blank.
        columns: the columns to match.

    Returns:
        ``(mapping, unknown)``: position → column, and the positions of non-blank headings
        matching nothing (duplicates included). Ignored headings (序号, 年龄) are in neither.
    """
    own: dict[str, list[Column]] = {}
    variant: dict[str, list[Column]] = {}
    for column in columns:
        own.setdefault(normalize_heading(column.heading), []).append(column)
        for v in column.variants:
            variant.setdefault(normalize_heading(v), []).append(column)
    mapping: dict[int, Column] = {}
    taken: set[Column] = set()
    for pos, heading in enumerate(headings):
        found = own.get(heading, [])
        if len(found) == 1 and heading not in variant and found[0] not in taken:
            mapping[pos] = found[0]
            taken.add(found[0])
    unknown: list[int] = []
    for pos, heading in enumerate(headings):
        if pos in mapping or not heading or heading in IGNORED_HEADINGS:
            continue
        for column in variant.get(heading, []) + own.get(heading, []):
            if column not in taken:
                mapping[pos] = column
                taken.add(column)
                break
        else:
            unknown.append(pos)
    return mapping, unknown


_TOTAL_WORDS = ("合计", "总计", "小计", "共计")


def is_total_row(values: Sequence[Any]) -> bool:
    """True for a 合计/总计/小计 row: its first non-blank cell starts with one of them."""
    for value in values:
        text = "" if value is None else "".join(str(value).split())
        if text:
            return text.startswith(_TOTAL_WORDS)
    return False


class CellError(FormkitError):
    """A cell whose value cannot be taken as it is; the message (Chinese) says why and
    what to do, and holds no ID or phone number."""


_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)
_SPACES = "\u00a0\u3000\u2002\u2003\u2009"
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·•\s]+$")
_WIDE_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
_LATE_SERIAL = 2958466  # 10000-01-01: larger numbers are no Excel date


def _fold_width(text: str) -> str:
    """Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) to ASCII; full-width punctuation kept."""
    return _WIDE_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def _clean(text: str) -> str:
    """Text of a cell: Excel's ``_xHHHH_`` escapes decoded, then Windows line ends folded,
    control, XML-illegal and invisible characters removed (the one cleaner,
    :mod:`formkit.domain.text`); odd spaces and ``="…"`` removed."""
    text = printable(clean(text))
    for ch in _SPACES:
        text = text.replace(ch, " ")
    text = text.strip()
    match = _EXCEL_TEXT.match(text)  # Excel's way to keep digits as text in a CSV
    if match:
        return match.group(1).strip()
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]  # the quote sheetexport puts before a formula-like text
    return text


def _serial_date(value: float, epoch: datetime) -> str:
    if not 0 < value < _LATE_SERIAL:
        raise CellError("日期单元格的数值不是有效的 Excel 日期")
    converted = from_excel(value, epoch=epoch)
    day = converted.date() if isinstance(converted, datetime) else converted
    return day.isoformat()


def _number_text(value: float) -> str:
    """A float cell as text: its integer digits, else its shortest exact decimal (repr)."""
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


_NUMBER_ID = (
    "身份证号存成了数字单元格，表格软件只保留15位有效数字，第16位以后已经丢失，无法还原（不会自动补全）；"
    "请把这一列设为“文本”格式，对照原件重新输入完整号码"
)


def _id_from_number(value: float | int) -> str:
    """The digits of an ID number stored as a number, or CellError when some may be lost."""
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise CellError("身份证号是带小数的数字：请把这一列设为“文本”格式后重新输入号码")
        if value >= 10**EXCEL_DIGITS:
            raise CellError(_NUMBER_ID)
        return str(int(value))
    digits = str(value)
    if len(digits) > EXCEL_DIGITS and not digits[EXCEL_DIGITS:].strip("0"):
        raise CellError(_NUMBER_ID)
    return digits


def join_lines(text: str) -> str:
    """One line of a cell's lines (an address typed over two lines with Alt+Enter): joined
    without a space between Chinese characters, with one between Latin letters or digits."""
    joined = ""
    for part in (p.strip() for p in text.splitlines()):
        if not part:
            continue
        if joined and joined[-1].isascii() and joined[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            joined += " "
        joined += part
    return joined


def cell_text(value: Any, kind: str, *, epoch: datetime = datetime(1899, 12, 30), typed: bool = True) -> str:
    """The text a record holds for one cell.

    Args:
        value: the cell's value as openpyxl gives it (str, int, float, bool, datetime,
            date, time, timedelta, None) or a CSV field (str).
        kind: the column's kind (:class:`Column`).
        epoch: the workbook's date system (``Workbook.epoch``: 1900 or 1904).
        typed: True for a cell that carries its type (xlsx); False for CSV text, where a
            5-digit number in a date column is taken as an Excel date serial.

    Returns:
        The text ("" for a blank cell): a date as ``YYYY-MM-DD``, money as ``1409.50``.

    Raises:
        CellError: an ID number stored as a number whose digits past the 15th are lost
            (a float of 16 digits or more, or an integer ending in zeros there); a money
            number that is not within float noise of a whole 分 (amounts.parse_yuan); a
            fractional count; a date number out of Excel's range.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if kind == "date" or value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (time, timedelta)):
        raise CellError("单元格是时间而不是日期或文字：请把这一列设为“文本”或“日期”格式")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_cell(value, kind, epoch)
    text = _clean(str(value))
    if not text:
        return ""
    if kind == "id":
        return text.lstrip("'")
    if kind in ("code", "count"):
        return unicodedata.normalize("NFKC", text).lstrip("'").strip()
    if kind == "date":
        folded = unicodedata.normalize("NFKC", text)
        if not typed and re.fullmatch(r"\d{5}", folded):
            return _serial_date(float(folded), epoch)
        return folded
    if kind == "money":
        folded = "".join(unicodedata.normalize("NFKC", text).split())
        return folded[:-1] if folded.endswith("元") and len(folded) > 1 else folded
    text = _fold_width(text)
    if kind == "line" and "\n" in text:
        return join_lines(text)
    if kind == "name" and _CJK_NAME.match(text):
        return "".join(text.split())  # 王  英: spaces padding a two-character name
    return text


def _number_cell(value: float | int, kind: str, epoch: datetime) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError("单元格的数值无效")
    if kind == "id":
        return _id_from_number(value)
    if kind == "date":
        if isinstance(value, int) and 19000101 <= value <= 29991231:
            return str(value)  # YYYYMMDD typed as a number (dates.parse_date reads it)
        return _serial_date(float(value), epoch)
    if kind == "money":
        try:
            return format(parse_yuan(value), "f")
        except AmountError as exc:
            raise CellError(str(exc)) from None
    if kind == "count":
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"应是整数，单元格里是 {value!r}")
        return str(int(value))
    return str(value) if isinstance(value, int) else _number_text(value)
