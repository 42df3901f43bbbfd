"""docxtpl's post-processing steps, reused on the fast path, and which templates can skip them."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from docx.oxml.ns import nsmap
from docxtpl import DocxTemplate
from jinja2 import nodes
from lxml import etree

# --------------------------------------------------------------------------------------
# docxtpl's steps, reused (called on a bare instance: none of them reads its state)
# --------------------------------------------------------------------------------------

_DOCXTPL = DocxTemplate(io.BytesIO())
_DOCPR_ID = re.compile(rb'(<wp:docPr\b[^>]*?\sid=")[^"]*(")')
_BODY_OPEN = re.compile(r"<w:body\b[^>]*?(/?)>")
_BODY_OPEN_B = re.compile(rb"<w:body\b[^>]*?(/?)>")
_TC_TAGS = re.compile(r"\{[%{]-?tc\s|\{%-?\s*(?:hm|colspan)\b")
_JINJA_ANY = re.compile(r"\{\{|\{%|\{#")


def _has_special(xml: bytes) -> bool:
    return b"\n" in xml or b"\t" in xml or b"\a" in xml or b"\f" in xml


def _resolve_listing(xml: bytes, flat: bool = False) -> bytes:
    """docxtpl's ``resolve_listing`` (tabs, line breaks, ``\\a``, ``\\f`` inside text).

    docxtpl runs ``<w:p(?: [^>]*)?>.*?</w:p>`` over the whole document and rewrites the
    text of each match; a match without any of those characters comes out unchanged. So the
    matches are found the same way (from the left, each ending at the first ``</w:p>`` after
    its opening tag) with plain searches, and only those holding such a character are handed
    to docxtpl's own function.

    With ``flat`` (the template's paragraphs never nest), the match holding a character is
    simply the paragraph around it, found from the character itself: the whole document is
    not walked. (An ``<w:p …/>`` that docxtpl's pattern takes for an opening tag joins the
    next paragraph to its match; it holds no run and no ``w:pPr``, so the result is the same.)
    """
    if not _has_special(xml):
        return xml
    if flat:
        return _resolve_listing_flat(xml)
    out: list[bytes] = []
    last, pos = 0, 0
    while True:
        start = xml.find(b"<w:p", pos)
        if start < 0:
            break
        mark = xml[start + 4 : start + 5]
        if mark == b">":
            opened = start + 5
        elif mark == b" ":
            close_tag = xml.find(b">", start + 5)
            if close_tag < 0:
                break
            opened = close_tag + 1
        else:
            pos = start + 4
            continue
        close = xml.find(b"</w:p>", opened)
        if close < 0:
            break
        end = close + 6
        if _has_special(xml[start:end]):
            out += (xml[last:start], _DOCXTPL.resolve_listing(xml[start:end].decode("utf-8")).encode("utf-8"))
            last = end
        pos = end
    if not out:
        return xml
    out.append(xml[last:])
    return b"".join(out)


def _resolve_listing_flat(xml: bytes) -> bytes:
    positions = []
    for char in (b"\n", b"\t", b"\a", b"\f"):
        found = xml.find(char)
        while found >= 0:
            positions.append(found)
            found = xml.find(char, found + 1)
    out: list[bytes] = []
    last = 0
    for at in sorted(positions):
        if at < last:
            continue
        start = max(xml.rfind(b"<w:p>", last, at), xml.rfind(b"<w:p ", last, at))
        if start < 0 or xml.rfind(b"</w:p>", start, at) >= 0:
            continue  # between paragraphs: docxtpl leaves it
        close = xml.find(b"</w:p>", at)
        if close < 0:
            break
        end = close + 6
        out += (xml[last:start], _DOCXTPL.resolve_listing(xml[start:end].decode("utf-8")).encode("utf-8"))
        last = end
    if not out:
        return xml
    out.append(xml[last:])
    return b"".join(out)


def _post_process(xml: bytes, *, marked: bool = True, flat: bool = False) -> bytes:
    """What docxtpl's ``render_xml_part`` does to Jinja's output, in the same order.

    Works on UTF-8 bytes: every pattern is ASCII, which never occurs inside the encoding of
    another character, and bytes searches are several times faster than on Chinese text.
    """
    if marked:
        xml = xml.replace(b"\n<w:p>", b"<w:p>").replace(b"\n<w:p ", b"<w:p ")
    if (b"{" in xml or b"}" in xml) and (b"{_" in xml or b"_}" in xml):  # one-byte searches first: 10× faster
        xml = xml.replace(b"{_{", b"{{").replace(b"}_}", b"}}").replace(b"{_%", b"{%").replace(b"%_}", b"%}")
    return _resolve_listing(xml, flat)


def _marked(src: str) -> str:
    """docxtpl puts each paragraph on its own line before compiling (error line numbers)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", src)


def _bare_tree(patched_body: str) -> Any:
    """The template body with its Jinja tags taken out, parsed leniently; None if unreadable."""
    bare = re.sub(r"\{%.*?%\}|\{#.*?#\}", "", patched_body, flags=re.DOTALL)
    bare = re.sub(r"\{\{.*?\}\}", "", bare, flags=re.DOTALL)
    try:
        return etree.fromstring(bare.encode("utf-8"), etree.XMLParser(recover=True))
    except etree.XMLSyntaxError:
        return None


def _grid_is_stable(patched_body: str) -> bool:
    """Whether docxtpl's ``fix_tables`` can leave this template's tables unchanged.

    With the Jinja tags taken out, every row must have at most as many cells as its table
    has grid columns and the widest row must span all of them; rows are then only repeated
    or dropped by rendering, which keeps that true.
    """
    tree = _bare_tree(patched_body)
    if tree is None:
        return False
    w = "{{{}}}".format(nsmap["w"])
    for table in tree.iter(w + "tbl"):
        grid = table.find(w + "tblGrid")
        columns = len(grid.findall(w + "gridCol")) if grid is not None else 0
        widest = 0
        for row in table.iter(w + "tr"):
            cells = row.findall(w + "tc")
            if len(cells) > columns:
                return False
            span = 0
            for cell in cells:
                value = cell.find(f"{w}tcPr/{w}gridSpan")
                span += int(value.get(w + "val")) if value is not None else 1
            widest = max(widest, span)
        if widest != columns:
            return False
    return True


# --------------------------------------------------------------------------------------
# Which templates always render to well-formed XML
# --------------------------------------------------------------------------------------

#: Filters whose result is not escaped on output.
_MARKUP_FILTERS = frozenset({"safe", "urlize", "xmlattr", "tojson"})
#: Statements whose output is not plain escaped text in place (or that cannot be judged).
_OPAQUE = (
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.AssignBlock,
    nodes.EvalContextModifier,
    nodes.Block,
    nodes.Extends,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
)
_BLOCK_MARK = re.compile("\ufdd0(\\d+)\ufdd1")
_XML_TOKEN = re.compile("<(/?)([A-Za-z_][\\w.:-]*)((?:\\s[^<>]*?)?)(/?)>|<|\ufdd0(\\d+)\ufdd1")


def _always_xml(tree: nodes.Template) -> bool:
    """Whether every rendering of ``tree`` is well-formed XML, whatever the context.

    With autoescape on, a value never brings markup; only the template's own XML can be cut
    wrongly by its ``{% if %}`` and ``{% for %}`` blocks. So the template qualifies when it
    uses no filter that returns markup (``|safe`` …), no macro, call, filter, set or
    autoescape block, and every block body is *neutral*: it closes some of the elements
    around it (a run, a paragraph) and opens the same ones again, or none, and any block
    standing inside a tag (an attribute value) holds no markup. A neutral block leaves the
    XML as it found it, run 0, 1 or n times, so every rendering is balanced. Conservative:
    ``False`` only means each rendering is checked.
    """
    if any(isinstance(node, _OPAQUE) for node in tree.find_all(nodes.Stmt)):
        return False
    if any(node.name in _MARKUP_FILTERS for node in tree.find_all(nodes.Filter)):
        return False
    signature = _block_signature(tree.body)
    return signature is not None and not signature[0]


def _block_signature(body: Sequence[nodes.Node]) -> tuple[list[str], bool] | None:
    """For a neutral block: the elements around it that it closes and opens again
    (innermost first), and whether it holds markup; None when it is not neutral."""
    flat: list[str] = []
    blocks: list[list[tuple[list[str], bool]]] = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                flat.append(child.data if isinstance(child, nodes.TemplateData) else "x")
        elif isinstance(node, (nodes.If, nodes.For, nodes.With, nodes.Scope, nodes.OverlayScope)):
            branches: list[Sequence[nodes.Node]] = [node.body]
            if isinstance(node, nodes.If):
                branches += [branch.body for branch in node.elif_] + [node.else_]
            elif isinstance(node, nodes.For):
                branches.append(node.else_)
            signatures = [_block_signature(branch) for branch in branches]
            if any(s is None for s in signatures):
                return None
            flat.append(f"\ufdd0{len(blocks)}\ufdd1")
            blocks.append([s for s in signatures if s is not None])
        elif not isinstance(node, (nodes.Assign, nodes.Break, nodes.Continue)):
            return None
    text = "".join(flat)
    stack: list[str] = []
    closed: list[str] = []  # elements around the block that it closed, innermost first
    markup = bool(re.search('[<>"]', _BLOCK_MARK.sub("", text)))
    for m in _XML_TOKEN.finditer(text):
        closing, name, _, empty, ref = m.groups()
        if name is not None:
            if any(s[1] for r in _BLOCK_MARK.findall(m.group(0)) for s in blocks[int(r)]):
                return None  # markup inside a tag
            if closing:
                if not stack:
                    closed.append(name)
                elif stack.pop() != name:
                    return None
            elif not empty:
                stack.append(name)
        elif ref is not None:
            for needs, inner_markup in blocks[int(ref)]:
                markup = markup or inner_markup
                if len(needs) > len(stack) or stack[len(stack) - len(needs) :][::-1] != needs:
                    return None
        else:
            return None  # a '<' that opens no tag
    if stack != closed[::-1]:
        return None
    return closed, markup
