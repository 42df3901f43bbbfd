"""Property order in a template's XML: the children of w:rPr, w:pPr and w:sectPr put in Word's order.

ISO/IEC 29500 leaves the children of ``w:rPr`` in a choice, but Word reads them in one fixed
sequence (Office's own schema, listed in ../shared/ooxml/README.md) and refuses a document
whose properties come in another order or twice. LibreOffice writes such documents when it
saves a .docx (``w:b`` twice in a paragraph mark's ``w:rPr``, ``w:rFonts`` after ``w:sz`` in
a field's runs, ``w:sectPr`` first in a ``w:pPr``); formkit copies a template's XML into every
document it renders, so a template is put in order once, when it is prepared
(:func:`order_properties`), and a repeated property is dropped (the first one is kept).
"""

from __future__ import annotations

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W_NS + "}"

#: EG_RPrBase in Word's order (Office's schema; ISO/IEC 29500-1 §17.3.2 leaves it a choice),
#: after the tracked-change marks of a paragraph mark's properties (CT_ParaRPr) and before
#: the record of a formatting change.
RPR_ORDER = (
    "ins del moveFrom moveTo "
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
    "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath "
    "rPrChange"
).split()

#: CT_PPr: EG_PPrBase, then rPr, sectPr, pPrChange (ISO/IEC 29500-1 §17.3.1.26).
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
    "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
).split()

#: CT_SectPr: header and footer references (in any order among themselves), then
#: EG_SectPrContents, then sectPrChange (ISO/IEC 29500-1 §17.6.17).
SECTPR_ORDER = (
    "headerReference footerReference "
    "footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType cols formProt "
    "vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings "
    "sectPrChange"
).split()

#: Children that may legitimately repeat (one reference per header or footer type).
_REPEATABLE = {_W + "headerReference", _W + "footerReference"}


def _ranks(order: list[str]) -> dict[str, int]:
    ranks = {_W + name: i for i, name in enumerate(order)}
    if order is SECTPR_ORDER:  # the references form one group, in any order
        ranks[_W + "footerReference"] = ranks[_W + "headerReference"]
    return ranks


_ORDERS = {_W + "rPr": _ranks(RPR_ORDER), _W + "pPr": _ranks(PPR_ORDER), _W + "sectPr": _ranks(SECTPR_ORDER)}
#: The last element of each sequence (a change record): unknown elements go just before it.
_LAST = {_W + "rPr": _W + "rPrChange", _W + "pPr": _W + "pPrChange", _W + "sectPr": _W + "sectPrChange"}


def _put_in_order(element: etree._Element, ranks: dict[str, int], last: str) -> bool:
    """Reorder ``element``'s children by ``ranks`` (stable), drop repeats; True if it changed.

    Elements of other namespaces (Word's extensions, ``mc:AlternateContent``) keep their
    order among themselves and go after the known ones, before the change record.
    """
    children = [c for c in element if isinstance(c.tag, str)]
    before_last = ranks[last] - 0.5
    kept: list[etree._Element] = []
    seen: set[tuple[str, str | None]] = set()
    dropped = False
    for child in children:
        key = (child.tag, child.get(_W + "type") if child.tag in _REPEATABLE else None)
        if child.tag in ranks and key in seen:
            dropped = True
            continue
        seen.add(key)
        kept.append(child)
    ordered = sorted(kept, key=lambda c: ranks.get(c.tag, before_last))
    if not dropped and ordered == kept:
        return False
    for child in children:
        element.remove(child)
    for child in ordered:
        child.tail = None
        element.append(child)
    return True


def order_properties(root: etree._Element) -> bool:
    """Put the children of every ``w:rPr``, ``w:pPr`` and ``w:sectPr`` under ``root`` in
    Word's order and drop a repeated one (ISO/IEC 29500-1 §17.3.1.26, §17.3.2, §17.6.17;
    Word's ``w:rPr`` sequence).

    Returns:
        True when anything moved or was dropped (the part must be written again).
    """
    changed = False
    for element in list(root.iter(*_ORDERS)):  # listed first: reordering moves elements the walk would skip
        if len(element) > 1 and _put_in_order(element, _ORDERS[element.tag], _LAST[element.tag]):
            changed = True
    return changed
