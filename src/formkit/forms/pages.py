"""Page rules of the printed forms: what fits a page, the continuation page, page counts.

The forms are signed, stamped and filed sheet by sheet, so formkit knows how many pages each
document takes (issue 13):

- a voucher (附件1) is one page;
- a registration form (附件3) is one page, or continues on one page headed as its
  continuation (the title with （续）, 姓名, 档案编号) holding the family rows and the part of
  the 备注 that did not fit — never a blank page, never a single family row alone there
  (:func:`split_registration`); the 填表说明 page follows when asked;
- a weekly report (附件4) is one page, and its 案例说明 one page more when there is one
  (more when it is long);
- a roster (附件2) one page per 分页 of its rows, and one more for a 分页 whose wrapped rows
  overflow.

The estimate works from rows and line counts on the shipped layout
(:mod:`formkit.forms.layout`): each cell's text is broken into lines at the cell's width, a
row is as high as its longest cell (at least its printed height), and a page holds what its
body height holds. Line pitch and the fixed parts of each form were measured with
LibreOffice 7.4 (Noto Serif CJK for 宋体, the taller case: Word with SimSun sets 9 pt lines
closer); a margin is kept for the difference. Templates edited by staff may differ: the
PDF pages (``render --pdf``) are counted against :func:`expected_pages`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from formkit.documents.fitting import _char_width, fitted_size
from formkit.forms.layout import REGISTRATION, ROSTER_WIDTHS, WEEKLY

__all__ = [
    "MARGIN",
    "Continuation",
    "expected_pages",
    "registration_pages",
    "split_registration",
    "text_lines",
    "weekly_pages",
]

#: Line pitch of 9 pt text in a table cell (mm): 12.95 pt in LibreOffice with Noto Serif CJK.
LINE = 4.57
#: What a table row adds to its content: its border (0.5 pt).
BORDER = 0.18
#: Kept free at the foot of every estimated page (mm): Word's and LibreOffice's layouts differ
#: by a line here and there.
MARGIN = 2.5
#: Height of the registration form without its variable rows (mm): the annex number, the
#: title, the 填报单位 line, the label rows, the top row; measured (a page of 267 mm with the
#: sample's rows left 43.1 mm free).
REGISTRATION_FIXED = 89.1
#: Height of the continuation page's heading (title with （续）, the 姓名 line) and, when it
#: holds family rows, their header row (mm); measured.
CONTINUATION_FIXED = 26.0
CONTINUATION_HEADER = 9.3
#: The note that ends the first page's 备注 when it continues.
REMARKS_CONTINUED = "（转续页）"
#: 附件2: a row's height (mm; its cells 1 mm from the borders), the 合计 row's, and what a
#: sheet holds below the title, the 填报单位 line and the header row, above the footer:
#: measured, 18 one-line rows and the 合计 row; 10 rows of two lines, 5 of one and the 合计.
ROSTER_ROW = 7.0
ROSTER_TOTAL = 8.0
ROSTER_ROOM = 138.3
ROSTER_KEYS = ("序号", "姓名", "性别", "年龄", "身份证号", "工作单位或家庭住址", "帮扶金额", "家庭联系电话", "资金来源", "备注")
ROSTER_WRAPPING = frozenset({"工作单位或家庭住址", "备注"})


def text_lines(text: str, width_mm: float, size_pt: float = REGISTRATION.size, *, fits: bool = True) -> int:
    """Lines ``text`` takes in a cell ``width_mm`` wide (between its margins) at ``size_pt``.

    With ``fits`` (a cell holding one value tag, formkit.documents.fitting): one line when the
    value fits at some smaller size. Otherwise the text is broken greedily at the characters'
    widths (:func:`formkit.documents.fitting.text_width`'s), each line break of the text
    starting a new line; an empty text takes one line.
    """
    room = width_mm / (size_pt * 25.4 / 72) - 0.05  # em, less a little for rounding
    if "\n" not in text and len(text) * (0.75 if text.isascii() else 1.15) <= room:
        return 1  # no character is wider than 1 em (ASCII 0.75) and 0.15 em around it: one line
    if fits and "\n" not in text:
        half_points = round(size_pt * 2)
        if fitted_size(text, half_points, round(width_mm * 1440 / 25.4)) < half_points:
            return 1
    count = 0
    for paragraph in text.split("\n"):
        used, count = 0.0, count + 1
        for char in paragraph:
            width = _char_width(char)
            if used + width > room and used > 0:
                count, used = count + 1, 0.0
            used += width
    return count


#: The registration form's cells whose text wraps (left-aligned): counted here at their full
#: size, line by line. formkit.documents.fitting sets their value smaller too when that puts
#: it on one line, so the estimate is on the tall side for them (the page holds at most what
#: is estimated: rows move to the 续页 early, never overflow). The others are value cells,
#: counted as fitted.
WRAPPING = frozenset({"家庭住址", "工作单位", "致困主要原因", "附件文件", "备注", "单位或学校"})


def _row(minimum: float, cells: Sequence[tuple[str, float, bool]], size: float = REGISTRATION.size) -> float:
    """Height of a table row (mm): its tallest cell's lines, at least ``minimum``."""
    lines, em = 1, size * 25.4 / 72
    for text, width, fits in cells:
        if len(text) * (0.75 if text.isascii() else 1.15) * em <= width - 0.05 * em and "\n" not in text:
            continue  # one line (text_lines' first test, without the call: most cells)
        lines = max(lines, text_lines(text, width, size, fits=fits))
    return max(minimum, lines * LINE * size / REGISTRATION.size) + BORDER


def _cells(values: Mapping[str, Any], keys: Sequence[str], edges: Sequence[float]) -> list[tuple[str, float, bool]]:
    L = REGISTRATION
    return [(str(values.get(key) or ""), L.column(tuple(edges), i), key not in WRAPPING) for i, key in enumerate(keys) if key]


_PERSON = ("姓名", "民族", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "残疾类别", "身份", "劳模类型")
_HOUSING = ("住房类型", "建筑面积", "邮政编码", "联系电话", "工作时间", "所属行业", "婚姻状况", "户口类型")
_ADDRESS = ("家庭住址", "工作单位", "单位性质", "企业状况", "是否单亲")
_INCOME = ("本人月平均收入", "家庭年度总收入", "家庭人口", "家庭年人均收入", "户口所在地行政区划", "是否进入医保")
_FAMILY = ("", "姓名", "关系", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "月收入", "身份", "单位或学校")


def family_row_height(row: Mapping[str, Any]) -> float:
    """Height of one family row of 附件3 (mm)."""
    return _row(REGISTRATION.family_height, _cells(row, _FAMILY, REGISTRATION.family))


def _remarks_width() -> float:
    return REGISTRATION.column(REGISTRATION.remarks, 1)


def remarks_height(text: str) -> float:
    """Height of the 备注 row of 附件3 holding ``text`` (mm)."""
    return _row(REGISTRATION.remarks_height, [(text, _remarks_width(), False)])


def _fixed_rows(ctx: Mapping[str, Any]) -> float:
    """Height of the registration form's page without its family rows and 备注 (mm)."""
    L = REGISTRATION
    height = REGISTRATION_FIXED
    height += _row(L.value_height, _cells(ctx, _PERSON, L.person))
    height += _row(L.value_height, _cells(ctx, _HOUSING, L.housing))
    height += _row(L.address_height, _cells(ctx, _ADDRESS, L.address))
    height += _row(L.value_height, _cells(ctx, _INCOME, L.income))
    height += _row(L.value_height, [(str(ctx.get("是否有一定自救能力") or ""), L.column(L.self_help, 1), True)])
    height += _row(L.value_height, [(str(ctx.get("致困主要原因") or ""), L.column(L.causes, 1), False)])
    for row in ctx.get("附件行") or []:
        height += _row(L.attachment_height, _cells(row, ("", "附件类型", "附件文件"), L.attachments))
    return height


def _remark_lines(text: str) -> list[str]:
    """The 备注 broken into the lines it prints on (at the 备注 cell's width)."""
    room = _remarks_width() / (REGISTRATION.size * 25.4 / 72) - 0.05
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for char in paragraph:
            width = _char_width(char)
            if used + width > room and line:
                lines.append(line)
                line, used = "", 0.0
            line += char
            used += width
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Continuation:
    """How a registration form is split over its page and its continuation page.

    Attributes:
        rows: the family rows on the form's page.
        remarks: the 备注 on the form's page (ending with :data:`REMARKS_CONTINUED` when it
            continues).
        more_rows: the family rows on the continuation page (never exactly one, unless the
            form's page holds none of the family).
        more_remarks: the rest of the 备注, on the continuation page.
        pages: pages of the form with its continuation (1, 2, or more when the continuation
            itself overflows), the 填表说明 page not counted.
    """

    rows: list[dict[str, str]]
    remarks: str
    more_rows: list[dict[str, str]]
    more_remarks: str
    pages: int

    @property
    def continues(self) -> bool:
        """Whether the form has a continuation page."""
        return bool(self.more_rows or self.more_remarks)


def split_registration(ctx: Mapping[str, Any]) -> Continuation:
    """Split a registration form's family rows and 备注 between its page and a continuation.

    Args:
        ctx: the form's context (formkit.forms.context.registration_context), with
            ``家庭成员行`` (all rows, padded) and ``备注``.

    Returns:
        Everything on the form's page when it fits (``pages`` 1). Otherwise the family rows
        that fit stay (in order), then as many lines of the 备注 as fit; the rest goes to the
        continuation page. One family row is never left alone on the continuation page: the
        row before it moves with it.
    """
    rows: list[dict[str, str]] = list(ctx.get("家庭成员行") or [])
    remarks = str(ctx.get("备注") or "")
    room = REGISTRATION.page_height - MARGIN - _fixed_rows(ctx)
    heights = [family_row_height(r) for r in rows]
    if sum(heights) + remarks_height(remarks) <= room:
        return Continuation(rows, remarks, [], "", 1)
    kept = 0
    marker = remarks_height(REMARKS_CONTINUED)
    while kept < len(rows) and sum(heights[: kept + 1]) + marker <= room:
        kept += 1
    if len(rows) - kept == 1 and kept > 1:
        kept -= 1  # never a lone row on the continuation page
    free = room - sum(heights[:kept])
    lines = _remark_lines(remarks) if remarks else []
    first: list[str] = []
    if kept == len(rows):
        while len(first) < len(lines) and remarks_height("\n".join([*first, lines[len(first)], REMARKS_CONTINUED])) <= free:
            first.append(lines[len(first)])
    rest = _rest(remarks, lines, len(first))
    shown = "\n".join([*first, REMARKS_CONTINUED]) if rest else remarks
    more = rows[kept:]
    while more and not any(more[-1].values()):
        more.pop()  # the blank rows that pad a small family stay off the continuation
    return Continuation(rows[:kept], shown, more, rest, 1 + continuation_pages(more, rest))


def _rest(remarks: str, lines: list[str], taken: int) -> str:
    """The 备注 after its first ``taken`` printed lines, line breaks kept."""
    if taken == 0:
        return remarks
    consumed = sum(len(line) for line in lines[:taken])
    out, count = [], 0
    for char in remarks:
        if count >= consumed:
            out.append(char)
        elif char != "\n":
            count += 1
    return "".join(out).lstrip("\n")


def continuation_pages(rows: Sequence[Mapping[str, Any]], remarks: str) -> int:
    """Pages the continuation takes (0 when there is none): its rows and 备注 by height."""
    if not rows and not remarks:
        return 0
    height = CONTINUATION_FIXED + (CONTINUATION_HEADER + sum(family_row_height(r) for r in rows) if rows else 0)
    height += remarks_height(remarks) if remarks else 0
    return max(1, math.ceil(height / (REGISTRATION.page_height - MARGIN)))


def registration_pages(ctx: Mapping[str, Any]) -> int:
    """Pages of a registration form as rendered from ``ctx`` (its continuation and the
    填表说明 page counted)."""
    more = ctx.get("续页") or {}
    pages = 1 + continuation_pages(more.get("家庭成员行") or [], str(more.get("备注") or ""))
    return pages + (1 if ctx.get("附填表说明") else 0)


def weekly_pages(ctx: Mapping[str, Any]) -> int:
    """Pages of a weekly report as rendered from ``ctx``: the form, then the 案例说明's page
    (and more when the text is longer than a page holds)."""
    text = str(ctx.get("案例说明") or "")
    if not text:
        return 1
    W = WEEKLY
    pitch = W.line * 25.4 / 72
    indent = "\u3000" * round(W.indent / (W.size * 25.4 / 72))  # the first-line indent
    lines = text_lines("\n".join(indent + p for p in text.split("\n")), W.width, W.size, fits=False)
    first = int((W.page_height - W.heading) / pitch)
    return 2 + (math.ceil((lines - first) / int(W.page_height / pitch)) if lines > first else 0)


def roster_pages(ctx: Mapping[str, Any]) -> int:
    """Pages of a roster as rendered from ``ctx``: one per 分页, one more for a 分页 whose
    wrapped rows do not fit its sheet (the table continues under its repeated header)."""
    pages = 0
    for page in ctx.get("分页") or [{"行": ctx.get("行") or [], "末页": True}]:
        height = ROSTER_TOTAL + BORDER if page.get("末页") else 0.0
        for row in page.get("行") or []:
            cells = [(str(row.get(key) or ""), ROSTER_WIDTHS[i] - 2, key not in ROSTER_WRAPPING) for i, key in enumerate(ROSTER_KEYS)]
            height += _row(ROSTER_ROW, cells)
        pages += max(1, math.ceil(height / ROSTER_ROOM))
    return max(1, pages)


def expected_pages(kind: str, ctx: Mapping[str, Any]) -> int:
    """The pages a document of the shipped templates takes, from its context.

    Args:
        kind: ``voucher``, ``registration``, ``weekly`` or ``roster`` (formkit.domain.annexes).
        ctx: its context (formkit.forms.context).

    Returns:
        1 for a voucher; :func:`registration_pages`, :func:`weekly_pages`,
        :func:`roster_pages` for the others. ``render --pdf`` names a document whose PDF has
        another count, and a print file whose pages are not the sum of its documents'.

    Raises:
        ValueError: an unknown kind.
    """
    if kind == "voucher":
        return 1
    if kind == "registration":
        return registration_pages(ctx)
    if kind == "weekly":
        return weekly_pages(ctx)
    if kind == "roster":
        return roster_pages(ctx)
    raise ValueError(f"unknown document kind {kind!r}")
