"""Body XML of a document: its final section properties, its first paragraph, page breaks."""

from __future__ import annotations

import functools
import re

from docx.oxml.ns import nsmap
from docx.oxml.parser import parse_xml as oxml_parse_xml
from lxml import etree

# --------------------------------------------------------------------------------------
# Bodies: final section properties, first paragraph, page breaks
# --------------------------------------------------------------------------------------


def _trimmed_end(data: bytes, start: int, stop: int) -> int:
    while stop > start and data[stop - 1] in b" \t\r\n":
        stop -= 1
    return stop


def _final_sectpr_start(inner: bytes) -> int:
    """Where the body's own final ``w:sectPr`` starts in ``inner`` (``len(inner)``: none).

    A ``w:sectPr`` nested in ``w:sectPrChange`` is part of the final one.
    """
    end = _trimmed_end(inner, 0, len(inner))
    if inner.endswith(b"/>", 0, end):
        start = inner.rfind(b"<w:sectPr", 0, end)
        if start >= 0 and inner[start + 9 : start + 10] in (b" ", b"/") and inner.find(b">", start) == end - 1:
            return start
        return len(inner)
    if not inner.endswith(b"</w:sectPr>", 0, end):
        return len(inner)
    pos, depth = end, 0
    while True:
        opening = inner.rfind(b"<w:sectPr", 0, pos)
        closing = inner.rfind(b"</w:sectPr>", 0, pos)
        if closing > opening:
            depth += 1
            pos = closing
            continue
        if opening < 0:
            return len(inner)
        pos = opening
        if inner[opening + 9 : opening + 10] not in (b" ", b">", b"\t", b"\n", b"\r", b"/"):
            continue  # <w:sectPrChange
        tag_end = inner.find(b">", opening)
        if inner[tag_end - 1 : tag_end] != b"/":
            depth -= 1
        if depth == 0:
            return opening


def split_final_sectpr(inner: bytes) -> tuple[bytes, bytes]:
    """Split a body's inner XML into its content and its own final ``w:sectPr``.

    A ``w:sectPr`` nested in ``w:sectPrChange`` is part of the final one. Returns
    ``(inner, b"")`` when the body does not end with a ``w:sectPr``.
    """
    cut = _final_sectpr_start(inner)
    return inner[:cut], inner[cut:]


_PAGE_BREAK = b'<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
_P_OPEN = re.compile(rb"<w:p(?:\s[^>]*?)?(/?)>")
_XMLNS = re.compile(r'\s+xmlns:[A-Za-z0-9_]+="[^"]*"')
_WRAP_OPEN = "<w:x {}>".format(" ".join(f'xmlns:{k}="{v}"' for k, v in nsmap.items() if k != "xml"))


def _matching_close(text: bytes, tag: bytes, start: int = 0, stop: int | None = None) -> int:
    """Index just past the close of the ``<tag`` element opening at ``start`` (nesting counted)."""
    stop = len(text) if stop is None else stop
    depth, pos, open_tag, close_tag = 0, start, b"<" + tag, b"</" + tag + b">"
    while True:
        o = text.find(open_tag, pos, stop)
        c = text.find(close_tag, pos, stop)
        if c < 0:
            return -1
        if 0 <= o < c:
            pos = o + len(open_tag)
            tag_end = text.find(b">", o)
            if text[pos : pos + 1] in (b" ", b">") and text[tag_end - 1 : tag_end] != b"/":
                depth += 1
            continue
        depth -= 1
        pos = c + len(close_tag)
        if depth == 0:
            return pos


def _prefix_end(content: bytes, start: int = 0, stop: int | None = None) -> int:
    """End of the prefix (see :func:`split_first_paragraph`) of ``content[start:stop]``."""
    stop = len(content) if stop is None else stop
    lead = start
    while lead < stop and content[lead] in b" \t\r\n":
        lead += 1
    m = _P_OPEN.match(content, lead, stop)
    if m is None:
        return lead
    end = m.end()
    if not m.group(1):
        if content.startswith(b"<w:pPr/>", end, stop):
            end += len(b"<w:pPr/>")
        elif content.startswith(b"<w:pPr>", end, stop) or content.startswith(b"<w:pPr ", end, stop):
            close = _matching_close(content, b"w:pPr", end, stop)
            if close < 0:  # not well-formed: leave it whole, a page-break paragraph goes first
                return lead
            end = close
    return end


def split_first_paragraph(content: bytes) -> tuple[bytes, bytes]:
    """``(prefix, rest)`` of body content: the prefix is what a page break changes.

    That is the leading white space, the first paragraph's opening tag and its ``w:pPr``
    (the whole ``<w:p/>`` when the paragraph is empty); empty when the content does not start
    with a paragraph.
    """
    end = _prefix_end(content)
    return content[:end], content[end:]


@functools.lru_cache(maxsize=256)
def _with_page_break_before(ppr: str) -> str | None:
    """``ppr`` (a ``w:pPr``) with ``w:pageBreakBefore`` on, as python-docx sets it."""
    try:
        wrapper = oxml_parse_xml(_WRAP_OPEN + ppr + "</w:x>")
    except etree.XMLSyntaxError:
        return None
    element = wrapper[0]
    element.pageBreakBefore_val = True  # type: ignore[attr-defined]  # python-docx's CT_PPr property, unknown to lxml's stubs
    text = etree.tostring(element, encoding="unicode")
    head_end = text.index(">") + 1
    return _XMLNS.sub("", text[:head_end]) + text[head_end:]


def page_break_prefix(prefix: bytes) -> bytes:
    """The prefix (see :func:`split_first_paragraph`) of content made to start on a new page.

    Sets ``w:pageBreakBefore`` on the first paragraph (no blank page, no empty line), or,
    when the content does not start with a paragraph, puts a paragraph holding a page break
    first.
    """
    stripped = prefix.lstrip()
    lead = prefix[: len(prefix) - len(stripped)]
    m = _P_OPEN.match(stripped)
    if m is None:
        return _PAGE_BREAK + prefix
    if m.group(1):  # <w:p/>
        return lead + m.group(0)[:-2] + b"><w:pPr><w:pageBreakBefore/></w:pPr></w:p>"
    ppr = stripped[m.end() :] or b"<w:pPr/>"
    new = _with_page_break_before(ppr.decode("utf-8"))
    if new is None:
        return _PAGE_BREAK + prefix
    return lead + m.group(0) + new.encode("utf-8")


def with_page_break(content: bytes) -> bytes:
    """Body content made to start on a new page (see :func:`page_break_prefix`)."""
    prefix, rest = split_first_paragraph(content)
    return page_break_prefix(prefix) + rest
