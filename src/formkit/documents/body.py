"""Body XML of a document: its final section properties and its first paragraph."""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------
# Bodies: final section properties, first paragraph
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


_P_OPEN = re.compile(rb"<w:p(?:\s[^>]*?)?(/?)>")


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
            if close < 0:  # not well-formed: leave it whole
                return lead
            end = close
    return end


def split_first_paragraph(content: bytes) -> tuple[bytes, bytes]:
    """``(prefix, rest)`` of body content: the prefix is what a change to the first
    paragraph's properties touches (a rendered document keeps the two deflated apart).

    That is the leading white space, the first paragraph's opening tag and its ``w:pPr``
    (the whole ``<w:p/>`` when the paragraph is empty); empty when the content does not start
    with a paragraph.
    """
    end = _prefix_end(content)
    return content[:end], content[end:]
