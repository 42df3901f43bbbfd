"""Cells that fit their values: a value too wide for its cell's line is set smaller, in steps.

A form's cell holds a name, a 民族, a vocabulary value of the 填表说明 on one line (issue 13:
"王建·阿不都" printed as "王建·阿不 / 都" is a different person), and a unit's name or an
address that is a little too long for its line would leave one character on a line of its
own ("厦门某某机械有限公/司", found by a new user). The shipped templates give
every such cell the width its longest usual value needs; a longer value (a name of ten
characters) is set in a smaller size, in steps of half a point, down to :data:`FLOOR` (and
never below three quarters of the cell's size); a value that fits no step keeps the cell's
size and wraps, as before.

How it works, for any template: when a template is prepared, every centred or left-aligned table-cell
paragraph whose whole text is one value tag (``{{ 姓名 }}``, ``{{ m.民族 }}``) has the size of that
tag's run replaced by a call of :func:`fitted_size` with the cell's width between its
margins (twips) and the run's size (half-points); the template file itself is not changed.
The width of a text is estimated from its characters (:func:`text_width`), on the wide side
of the fonts forms print in (宋体/SimSun, Noto Serif CJK, DejaVu Sans for digits).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from docx.oxml.ns import qn

__all__ = ["FILTER", "FLOOR", "Fitting", "fitted_size", "mark_fitting", "text_width"]

#: Smallest size a value is set in, half-points (7.5 pt: 六号).
FLOOR = 15
#: Jinja filter the prepared templates call.
FILTER = "formkit_fit_size"

_TAG = re.compile(r"\s*\{\{\s*([A-Za-z_\u3400-\u9fff][\w\u3400-\u9fff]*(?:\.[\w\u3400-\u9fff]+)*)\s*\}\}\s*")
_PLACEHOLDER = "FORMKITFIT{}Z"
_PLACEHOLDER_RE = re.compile(r"FORMKITFIT(\d+)Z")
_TWIPS_PER_POINT = 20
#: Paragraph alignments of the value cells that are fitted: centred (a name, a 民族) and
#: left-aligned or unaligned (a 所在单位, an address: "厦门某某机械有限公/司" with one
#: character on a line of its own); justified and right-aligned text is left as it is.
_FITTED_ALIGNMENTS = ("center", "left", "start")


@functools.lru_cache(maxsize=4096)
def _char_width(char: str) -> float:
    """Advance of one character in em, on the wide side of the fonts forms use.

    Measured with LibreOffice 7.4 on Noto Serif CJK SC at 9 pt (pdftotext -bbox): CJK and
    full-width 1; digits 0.55 (DejaVu Sans, LibreOffice's fallback for a missing 宋体, 0.64);
    X 0.68; · 0.33; / 0.35. SimSun sets every ASCII character at 0.5.
    """
    if char.isascii():
        if char.isdigit():
            return 0.58
        if char.isupper():
            return 0.72
        if char.islower():
            return 0.56
        return {" ": 0.3, ".": 0.3, ",": 0.3, "-": 0.36, "/": 0.4, "(": 0.36, ")": 0.36}.get(char, 0.56)
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in "·•‧∙":  # the middle dot joining transliterated names
        return 0.5
    return 1.0


def text_width(text: str) -> float:
    """Estimated width of one line of ``text`` in em of its font size.

    Each character as :func:`_char_width`; 0.15 em more at each change between Chinese and
    Latin letters or digits (the space Word and LibreOffice put there, autoSpaceDE/autoSpaceDN;
    measured 0.1–0.16 em with LibreOffice).
    """
    width, previous = 0.0, None
    for char in text:
        width += _char_width(char)
        if char.isascii() and not char.isalnum():
            previous = None  # punctuation and spaces take no space around them
            continue
        wide = not char.isascii()
        if previous is not None and wide != previous:
            width += 0.15
        previous = wide
    return width


@functools.lru_cache(maxsize=8192)
def _fitted(text: str, size: int, width: int) -> int:
    floor = max(FLOOR, -(-size * 3 // 4))
    needed = text_width(text)
    for step in range(size, floor - 1, -1):
        if needed * step / 2 * _TWIPS_PER_POINT <= width:
            return step
    return size


def fitted_size(value: Any, size: int, width: int) -> int:
    """The size (half-points) to set ``value`` in, in a cell ``width`` twips wide whose size is
    ``size`` half-points: ``size`` when it fits one line; else the largest step of half a
    point down to :data:`FLOOR` (and three quarters of ``size``) at which it fits; else
    ``size`` (the value wraps). A value holding a line break keeps ``size``.
    """
    text = "" if value is None else str(value)
    if not text or "\n" in text or size <= 0 or width <= 0:
        return size
    return _fitted(text, int(size), int(width))


class Fitting:
    """The value runs of a template whose size :func:`fitted_size` sets (see :func:`mark_fitting`)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def apply(self, xml: str) -> str:
        """``xml`` (the template's patched body) with each placeholder replaced by its call."""
        if not self.calls:
            return xml
        return _PLACEHOLDER_RE.sub(lambda m: self.calls[int(m.group(1))], xml)


def _twips(element: Any, tag: str) -> int | None:
    value = element.get(qn(tag)) if element is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _margins(cell: Any) -> int:
    """Left plus right margin of a table cell, twips (its own, else its table's, else Word's 108 each)."""
    sides = {"left": 108, "right": 108}
    table = next((a for a in cell.iterancestors(qn("w:tbl"))), None)
    for holder in (
        table.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}") if table is not None else None,
        cell.find(f"{qn('w:tcPr')}/{qn('w:tcMar')}"),
    ):
        if holder is None:
            continue
        for side, names in (("left", ("w:left", "w:start")), ("right", ("w:right", "w:end"))):
            for name in names:
                found = holder.find(qn(name))
                if found is not None and found.get(qn("w:type"), "dxa") == "dxa":
                    sides[side] = _twips(found, "w:w") or 0
    return sides["left"] + sides["right"]


def mark_fitting(body: Any) -> Fitting:
    """Mark the value runs of a template body (python-docx's ``w:body`` element, changed in
    place) whose size is to fit their cell; return what replaces the marks once docxtpl has
    patched the body (:meth:`Fitting.apply`).

    A run qualifies when its paragraph lies in a table cell of a fixed width (``w:tcW`` in
    twips), is centred or left-aligned (:data:`_FITTED_ALIGNMENTS`; a value longer than a
    line even at three quarters of its size wraps as before, a value with line breaks, such
    as a 备注, keeps its size), its whole text is one value tag (a name or a dotted path),
    and the run, the first holding ``{{``, has an explicit ``w:sz``.
    """
    fitting = Fitting()
    for cell in body.iter(qn("w:tc")):
        cell_width = cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        if cell_width is None or cell_width.get(qn("w:type"), "dxa") != "dxa":
            continue
        width = (_twips(cell_width, "w:w") or 0) - _margins(cell)
        for paragraph in cell.findall(qn("w:p")):
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
            tag = _TAG.fullmatch(text)
            jc = paragraph.find(f"{qn('w:pPr')}/{qn('w:jc')}")
            if tag is None or (jc is not None and jc.get(qn("w:val")) not in _FITTED_ALIGNMENTS):
                continue
            indent = paragraph.find(f"{qn('w:pPr')}/{qn('w:ind')}")
            room = width - sum(_twips(indent, side) or 0 for side in ("w:left", "w:right", "w:start", "w:end"))
            run = next((r for r in paragraph.iter(qn("w:r")) if "{{" in "".join(t.text or "" for t in r.iter(qn("w:t")))), None)
            size = run.find(f"{qn('w:rPr')}/{qn('w:sz')}") if run is not None else None
            half_points = _twips(size, "w:val")
            if run is None or size is None or not half_points or room <= 0:
                continue
            index = len(fitting.calls)
            fitting.calls.append(f"{{{{ {tag.group(1)}|{FILTER}({half_points}, {room}) }}}}")
            mark = _PLACEHOLDER.format(index)
            size.set(qn("w:val"), mark)
            both = run.find(f"{qn('w:rPr')}/{qn('w:szCs')}")
            if both is not None and _twips(both, "w:val") == half_points:
                both.set(qn("w:val"), mark)
    return fitting
