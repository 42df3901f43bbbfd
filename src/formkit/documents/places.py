"""Where a paragraph is in a template, in the words a clerk finds it by in Word ("表格1 第3行 第2格")."""

from __future__ import annotations

from lxml import etree

from formkit.documents.normalize import W_NS

_W = "{" + W_NS + "}"

#: What a part is called in a message, by its root element.
PART_NAMES = {_W + "document": "", _W + "hdr": "页眉", _W + "ftr": "页脚"}


def paragraph_places(root: etree._Element) -> dict[etree._Element, str]:
    """Each paragraph of a part (document, header or footer) and where it is, in words.

    A paragraph in a table is named by the table (numbered from 1 in document order,
    nested ones included), its row and its cell, as Word shows them
    (``表格1 第3行 第2格``); one outside tables by its number among those
    (``第12段``, counting empty ones); one in a text box by the paragraph holding the box.
    A header's or footer's paragraphs start with 页眉 or 页脚 (``页脚``, ``页脚第2段`` when it
    has several).
    """
    part = PART_NAMES.get(root.tag, "")
    tables: dict[etree._Element, int] = {}
    places: dict[etree._Element, str] = {}
    outside = [p for p in root.iter(_W + "p") if _container(p) is None]
    numbers = {p: n for n, p in enumerate(outside, start=1)}
    for element in root.iter(_W + "p", _W + "tbl"):
        if element.tag == _W + "tbl":
            tables[element] = len(tables) + 1
            continue
        container = _container(element)
        if container is None:
            number = numbers[element]
            if part:
                places[element] = part if len(outside) == 1 else f"{part}第{number}段"
            else:
                places[element] = f"第{number}段"
        elif container.tag == _W + "tc":
            row = container.getparent()
            table = row.getparent() if row is not None else None
            if row is None or table is None or table not in tables:
                places[element] = f"{part}表格"
                continue
            rows = [r for r in table if r.tag == _W + "tr"]
            cells = [c for c in row if c.tag == _W + "tc"]
            place = f"表格{tables[table]} 第{rows.index(row) + 1}行 第{cells.index(container) + 1}格"
            places[element] = f"{part} {place}" if part else place
        else:  # a text box: named by the paragraph that holds it
            holder = next((a for a in container.iterancestors(_W + "p")), None)
            places[element] = (places.get(holder, part or "正文") if holder is not None else part or "正文") + "的文本框里"
    return places


def _container(paragraph: etree._Element) -> etree._Element | None:
    """The nearest table cell or text box around a paragraph (None: the part's own flow)."""
    for ancestor in paragraph.iterancestors():
        if ancestor.tag in (_W + "tc", _W + "txbxContent"):
            return ancestor
        if ancestor.tag in PART_NAMES:
            return None
    return None
