"""Text as it comes in: the one cleaner of every value typed, imported or printed.

Values reach formkit from YAML records, from spreadsheets (.xlsx, .csv) and from the forms'
own text; whatever the way, the same rules apply, here:

1. Excel's escapes are decoded first. A workbook stores a character that XML cannot hold
   as ``_xHHHH_`` (ECMA-376 Part 1, §22.9.2.19 ST_Xstring: HHHH a UTF-16 code unit in
   hexadecimal; ``_x005F_`` escapes the underscore itself), and openpyxl hands the escape
   over as text: a vertical tab pasted into a cell reads ``大同路12号_x000B_后楼``.
   :func:`decode_excel_escapes` turns each escape back into its character;
2. then the characters a printed form cannot hold are found (:func:`unprintable`) and
   removed (:func:`strip_unprintable`): C0 control characters other than tab, line feed
   and carriage return, DEL and the C1 controls; what XML 1.0 cannot hold at all (§2.2 Char:
   U+FFFE, U+FFFF, lone surrogates; Word refuses such a file); and the invisible format
   characters of :data:`INVISIBLE_CHARACTERS`, which can reorder printed text. ``formkit
   check`` names each value that held any at its file, line and field
   (:mod:`formkit.records.load`); a spreadsheet import names the cell;
3. printing folds Windows line ends and turns tabs into spaces (:func:`printable`).

Writing a workbook is the reverse: :func:`encode_excel_escapes` escapes what openpyxl
refuses to write (it raises IllegalCharacterError on a control character), so that every
value ``check`` accepts can be exported.
"""

from __future__ import annotations

import re

__all__ = [
    "CONTROL_CHARACTERS",
    "INVISIBLE_CHARACTERS",
    "MULTILINE_KEYS",
    "NOT_XML_CHARACTERS",
    "clean",
    "code_points",
    "decode_excel_escapes",
    "describe_cleaning",
    "encode_excel_escapes",
    "needs_cleaning",
    "printable",
    "strip_unprintable",
    "unprintable",
]

#: Free-text fields written in sentences, whose line breaks the forms print: 备注 (附件3),
#: 案例说明 (附件4's attached page) and 其它帮扶措施 (附件1). Several lines are written as a
#: YAML block (``备注: |``); ``formkit new`` shows how and ``formkit check`` warns when the
#: lines of such a value were joined (:mod:`formkit.records.load`).
MULTILINE_KEYS = frozenset({"备注", "案例说明", "其它帮扶措施"})

#: Invisible format characters that text pasted from web pages and chat apps carries:
#: zero-width space and joiners (U+200B–U+200D), direction marks (U+200E, U+200F, U+061C),
#: embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069) of the Unicode
#: bidirectional algorithm (UAX #9), word joiner and invisible operators (U+2060–U+2064),
#: soft hyphen (U+00AD) and a byte-order mark inside the text (U+FEFF). An override makes
#: text print in another order than it was typed ("Trojan Source", CVE-2021-42574).
INVISIBLE_CHARACTERS = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

#: Control characters (Unicode category Cc) but tab, line feed and carriage return: C0
#: (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F). A form feed prints as a page break,
#: the others as nothing or a box.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: What XML 1.0 cannot hold (§2.2, production [2] Char), besides the C0 controls above:
#: the noncharacters U+FFFE and U+FFFF and surrogate code points standing alone.
NOT_XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]"
)
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: One search tells whether a value needs any cleaning (the usual value does not).
_SUSPECT = re.compile(_EXCEL_ESCAPE.pattern + "|" + _UNPRINTABLE.pattern)


def decode_excel_escapes(text: str) -> str:
    """*text* with each ``_xHHHH_`` escape of ECMA-376 ST_Xstring turned into its character.

    Escapes are UTF-16 code units: two in a row that form a surrogate pair give one
    character (``_xD83D__xDE00_`` → 😀); a surrogate left alone stays a lone surrogate,
    which :func:`strip_unprintable` then removes. ``_x005F_`` is the underscore, so
    ``_x005F_x000B_`` is the text ``_x000B_``.
    """
    if "_x" not in text:
        return text
    decoded = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if _SURROGATE.search(decoded) is None:
        return decoded
    return decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


_SURROGATE = re.compile("[\ud800-\udfff]")


_NEEDS_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0e-\x1f]")


def encode_excel_escapes(text: str) -> str:
    """*text* as a workbook cell may hold it (the reverse of :func:`decode_excel_escapes`):
    a control character openpyxl refuses becomes ``_xHHHH_``, and an underscore that would
    start such an escape becomes ``_x005F_``; Excel shows the original text."""
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def needs_cleaning(text: str) -> bool:
    """True when *text* holds an Excel escape or an unprintable character (see the module)."""
    return _SUSPECT.search(text) is not None


def unprintable(text: str) -> list[str]:
    """The distinct unprintable characters of *text*, in order of appearance: controls,
    what XML cannot hold, invisible format characters."""
    return list(dict.fromkeys(_UNPRINTABLE.findall(text)))


def strip_unprintable(text: str) -> str:
    """*text* without its unprintable characters (tab, line feed, carriage return kept)."""
    return _UNPRINTABLE.sub("", text)


def clean(text: str, *, keep_unprintable: bool = False) -> str:
    """A value as it comes in, cleaned: Excel's escapes decoded, then the unprintable
    characters removed (unless *keep_unprintable*: a caller that refuses them instead,
    such as a 姓名). Text needing nothing is returned as is (the same object)."""
    if _SUSPECT.search(text) is None:
        return text
    text = decode_excel_escapes(text)
    return text if keep_unprintable else strip_unprintable(text)


def printable(text: str) -> str:
    """*text* as a form prints it: ``\\r\\n`` and ``\\r`` folded to ``\\n`` (a line break),
    tabs to a space, unprintable characters removed."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.replace("\t", " ")
    return strip_unprintable(text)


def code_points(chars: list[str] | str) -> str:
    """Characters as code points for a message: ``U+202E、U+2066``."""
    return "、".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(chars))


def describe_cleaning(text: str) -> str:
    """What :func:`clean` does to *text*, in Chinese for a message ("" when nothing), e.g.
    ``Excel 的转义写法 _x000B_ 已还原为字符；控制字符 U+000B 已删去``. Never the value itself."""
    parts = []
    escapes = list(dict.fromkeys(m.group() for m in _EXCEL_ESCAPE.finditer(text)))
    if escapes:
        parts.append("Excel 的转义写法 " + "、".join(escapes[:4]) + ("等" if len(escapes) > 4 else "") + " 已还原为字符")
    found = unprintable(decode_excel_escapes(text))
    control = [ch for ch in found if CONTROL_CHARACTERS.match(ch)]
    not_xml = [ch for ch in found if NOT_XML_CHARACTERS.match(ch) and not CONTROL_CHARACTERS.match(ch)]
    invisible = [ch for ch in found if INVISIBLE_CHARACTERS.match(ch)]
    if control:
        parts.append(f"控制字符 {code_points(control)} 已删去")
    if not_xml:
        parts.append(f"文档容纳不了的字符 {code_points(not_xml)} 已删去")
    if invisible:
        parts.append(f"不可见的字符 {code_points(invisible)} 已删去")
    return "；".join(parts)
