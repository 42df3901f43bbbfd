"""The tags of a template as the clerk sees them: found in a paragraph's text, input-method slips undone.

A tag is ``{{ … }}``, ``{% … %}`` or ``{# … #}`` inside one paragraph, however Word or
LibreOffice cut it into runs. A Chinese input method left in full-width mode types
``｛｛ 姓名 ｝｝``, ``（``, ``｜``, ``，`` or ``＂`` instead of their ASCII forms: Jinja would print
the first literally and refuse the others with a position in the XML. :func:`find_tags` finds
tags whose braces and percent signs are written either way, and :func:`halfwidth` gives the
tag as Jinja must read it, saying which characters it changed (string literals, such as the
blank ``"　　"`` of the voucher, are left as typed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What opens a tag: a brace followed by a brace, a percent sign or a hash, either width.
_OPEN = re.compile("[{\uff5b]([{\uff5b]|[%\uff05]|#)")
#: What closes each kind of tag (by the opener's second character, half-width).
_CLOSE = {
    "{": re.compile("[}\uff5d][}\uff5d]"),
    "%": re.compile("[%\uff05][}\uff5d]"),
    "#": re.compile("#[}\uff5d]"),
}
_HALF = {"\uff5b": "{", "\uff05": "%", "\uff5d": "}"}

#: Quotation marks and the family each belongs to: Word's typographic quotes are what
#: docxtpl already reads as ASCII quotes (no slip); the full-width ones are a slip.
_QUOTES = {'"': '"', "\u201c": '"', "\u201d": '"', "\uff02": '"', "'": "'", "\u2018": "'", "\u2019": "'", "\uff07": "'"}
_TYPOGRAPHIC = frozenset("\u201c\u201d\u2018\u2019")


@dataclass(frozen=True)
class Span:
    """Where a tag lies in a paragraph's text.

    Attributes:
        start, end: character offsets (``end`` past the closing delimiter; for an unclosed
            tag, the end of the paragraph's text).
        kind: ``{{``, ``{%`` or ``{#`` (half-width, whatever was typed).
        closed: False when the paragraph ends (or another tag opens) before the tag closes.
    """

    start: int
    end: int
    kind: str
    closed: bool = True


def find_tags(text: str) -> list[Span]:
    """The tags in one paragraph's text, in order (see :class:`Span`)."""
    spans: list[Span] = []
    pos = 0
    while True:
        opening = _OPEN.search(text, pos)
        if opening is None:
            return spans
        second = _HALF.get(opening.group(1), opening.group(1))
        kind = "{" + second
        closing = _CLOSE[second].search(text, opening.end())
        following = _OPEN.search(text, opening.end())
        if closing is None or (following is not None and following.start() < closing.start()):
            end = following.start() if following is not None else len(text)
            spans.append(Span(opening.start(), end, kind, closed=False))
            pos = end
            continue
        spans.append(Span(opening.start(), closing.end(), kind))
        pos = closing.end()


def halfwidth(tag: str) -> tuple[str, list[str]]:
    """The tag as Jinja must read it, and the full-width characters that were changed.

    Braces and percent signs of the delimiters, and every full-width form of an ASCII
    character (U+FF01–U+FF5E: ``（ ） ｜ ， ． ＂``…), the ideographic space and the
    ideographic full stop ``。`` outside string literals become their ASCII forms.
    Typographic quotes become ASCII quotes without counting as a slip (Word's AutoFormat
    types them, and docxtpl reads them so too). Inside a string literal nothing changes.

    Returns:
        (the tag in ASCII punctuation, the distinct characters changed, in order).
    """
    out: list[str] = []
    changed: list[str] = []

    def note(char: str) -> None:
        if char not in changed:
            changed.append(char)

    quote: str | None = None  # the family of the string literal we are in
    for char in tag:
        family = _QUOTES.get(char)
        if quote is not None:
            if family == quote:
                quote = None
                if char not in _TYPOGRAPHIC and char != family:
                    note(char)
                out.append(family)
            else:
                out.append(char)
            continue
        if family is not None:
            quote = family
            if char not in _TYPOGRAPHIC and char != family:
                note(char)
            out.append(family)
        elif "\uff01" <= char <= "\uff5e":
            note(char)
            out.append(chr(ord(char) - 0xFEE0))
        elif char == "\u3000":
            note(char)
            out.append(" ")
        elif char == "\u3002":
            note(char)
            out.append(".")
        else:
            out.append(char)
    return "".join(out), changed


def shown(chars: list[str]) -> str:
    """Full-width characters as a message lists them: ``“（”“）”``, the ideographic space
    named (it cannot be seen)."""
    return "".join("“全角空格”" if c == "\u3000" else f"“{c}”" for c in chars)


#: docxtpl's prefixes: ``{%p``, ``{%tr``, ``{%tc``, ``{%r`` (and with ``{{``, ``{#``) stand for
#: a statement that replaces its whole paragraph, row, cell or run.
_DOCXTPL_LETTER = re.compile(r"^(\{[{%#])(tr|tc|p|r) ")
#: docxtpl's own statements, replaced by markup before Jinja reads the template.
_DOCXTPL_STATEMENT = re.compile(r"^\{%-?\s*(vm|hm|colspan|cellbg)\b(.*?)-?%\}$", re.S)


def docxtpl_letter(tag: str) -> str:
    """The docxtpl letter of a tag (``p``, ``tr``, ``tc``, ``r``), or ""."""
    found = _DOCXTPL_LETTER.match(tag)
    return found.group(2) if found else ""


def jinja_source(tag: str) -> str:
    """The tag as Jinja sees it once docxtpl has prepared the XML: ``{%tr for r in 行 %}``
    becomes ``{% for r in 行 %}``; ``{% vm %}`` and ``{% hm %}`` disappear; ``{% colspan n %}``
    and ``{% cellbg c %}`` become ``{{ n }}`` and ``{{ c }}``."""
    tag = _DOCXTPL_LETTER.sub(r"\1 ", tag, count=1)
    special = _DOCXTPL_STATEMENT.match(tag)
    if special is None:
        return tag
    if special.group(1) in ("vm", "hm"):
        return ""
    return "{{ " + special.group(2).strip() + " }}"


def removes_paragraph(tag: str) -> bool:
    """Whether docxtpl replaces the whole paragraph holding ``tag`` by it (``{%p …%}``,
    ``{{p …}}``, ``{#p …#}``)."""
    return docxtpl_letter(tag) == "p"
