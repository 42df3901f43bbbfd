"""Templates: finding them, checking them, and rendering documents from contexts, fast.

One Jinja environment serves every template: sandboxed (a template passed around by e-mail
cannot reach Python internals), autoescaping (``&``, ``<`` and ``>`` in values print as typed
instead of breaking the XML, design.md), ``StrictUndefined`` (a misspelt field is an error,
not a silent blank) and a ``finalize`` that prints None as ``""``.

docxtpl stays the template language, so a user's Word/WPS edit of a template keeps working.
What changed for speed (issue 5) is *when* docxtpl's work is done. ``DocxTemplate.render``
re-reads the .docx, re-runs ``patch_xml`` (a few dozen regular expressions over the whole
document), compiles the result with Jinja, parses it again with lxml and re-zips every part
for each record: 25–50 ms a document. :class:`FormTemplate` does the template-only work once
(python-docx load, ``patch_xml``, Jinja compilation of document.xml and of any tagged header
or footer) and per record only:

1. ``template.render(context)`` (Jinja);
2. docxtpl's post-processing, unchanged in effect: the ``\\n<w:p`` markers out, the
   ``{_{``/``}_}``/``{_%``/``%_}`` unescapes, ``resolve_listing`` (line breaks and tabs in
   values) applied only to the paragraphs that hold such a character, ``fix_tables`` only for
   templates whose column count can change (``{%tc``, ``{% hm %}``, ``{% colspan %}`` or a
   table whose grid is already inconsistent), ``wp:docPr`` ids renumbered as docxtpl does;
3. one deflate of the new document.xml; every other part of the .docx is copied into the
   output zip as the template's compressed bytes (:class:`ZipMember`), not re-compressed.

The result reads back to the same text and the same XML (canonical form) as
``DocxTemplate.render``; :meth:`FormTemplate.render_with_docxtpl` keeps that reference path
for tests, for the benchmark and for the rare templates the fast path does not cover (tags in
footnotes or document properties), which fall back to it.

Output zips are deterministic: fixed entry times (1980-01-01), fixed member order and
attributes, so the same record gives the same bytes in any process on any day.

Print files (one per unit and annex, every document page after page) are built from each
document's body XML in time linear in their size: each document contributes one
independently deflated *piece* (:func:`print_piece`), and :func:`print_file_bytes`
concatenates the pieces between the template's head and tail, combining their CRC-32s
(:func:`crc32_combine`) instead of re-reading them. A piece depends only on its document and
on whether it opens the file, so pieces made by different processes, or kept from an earlier
run, join into the same bytes.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import hashlib
import io
import itertools
import os
import queue
import re
import struct
import sys
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Optional

from docx.opc.oxml import parse_xml as opc_parse_xml
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml as oxml_parse_xml
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, UndefinedError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from formkit.errors import OutputError, TemplateProblem

#: The template of each annex, by the short name formkit uses for it.
TEMPLATE_FILES = {
    "voucher": "附件1_慰问金发放凭证.docx",
    "roster": "附件2_实名制发放凭证汇总表.docx",
    "registration": "附件3_困难职工档案登记表.docx",
    "weekly": "附件4_企业工资拖欠情况周报表.docx",
}

#: zlib level of every part formkit compresses (document.xml, print files). 6 is zlib's and
#: Python's zipfile's default; the benchmark (bench/run.py) measures it against level 1.
DEFLATE_LEVEL = 6

DOCUMENT_PART = "word/document.xml"
#: A body longer than this (characters) is rendered as a stream: deflated in a second
#: thread, segment by segment, while Jinja writes the next (a 1,000-row roster: 5 MB of XML).
STREAM_CHARS = 1 << 17
#: Jinja output pieces (about 250 characters each) per segment handed to the deflating
#: thread, at most: segments start at a quarter of this and double (the thread starts early,
#: and hands over seldom on a long document).
STREAM_BATCH = 512

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


#: Longest name safe_name returns, in UTF-8 bytes (leaves room for '.~', '.docx.tmp' and more).
MAX_NAME_BYTES = 200


def safe_name(text: str, fallback: str = "未命名") -> str:
    """A file or folder name that Windows, macOS and Linux all accept.

    Replaces ``<>:"/\\|?*`` and control characters with ``_``, trims trailing dots and spaces,
    avoids the reserved device names (CON, NUL, COM1 …), keeps Chinese characters, and cuts
    the name to ``MAX_NAME_BYTES`` bytes of UTF-8 (file systems limit names to 255 bytes).
    """
    name = _UNSAFE.sub("_", text).strip().rstrip(". ")
    if not name:
        name = fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    # File systems count bytes (255 on ext4/NTFS-in-UTF-16 counts units): keep room for a
    # suffix and a temporary prefix. A Chinese character is 3 bytes in UTF-8.
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    return name.rstrip(". ") or fallback


_STRICT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _finalize(value: Any) -> Any:
    return "" if value is None else value


#: Bounds on what a template may ask for (templates travel by e-mail; issue 7). A form needs
#: none of these anywhere near: its loops run over the records' own lists.
MAX_NUMBER = 100_000  # any number handed to a filter or function
MAX_TEXT = 200_000  # characters a string or list operation may produce
MAX_RANGE_STEPS = 200_000  # range() steps in one document, all loops together
_WIDE_FORMAT = re.compile(r"%[-+ #0]*\d{5,}|\{[^{}]*:[^{}]*\d{5,}[^{}]*\}")
_range_budget: contextvars.ContextVar[list[int]] = contextvars.ContextVar("formkit_range_budget")


class TemplateLimit(SecurityError):
    """A template asked for more than a form can need (a huge number, string or loop)."""


def _check_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise TemplateLimit(f"数值 {str(value)[:12]} 过大（最多 {MAX_NUMBER}）")
        if isinstance(value, str) and _WIDE_FORMAT.search(value):
            raise TemplateLimit("格式宽度过大")


def _bounded_range(*args: int) -> range:
    _check_args(args, {})
    steps = range(*args)
    budget = _range_budget.get(None)
    if budget is not None:
        budget[0] -= len(steps)
        if budget[0] < 0:
            raise TemplateLimit(f"循环次数过多（一份文档最多 {MAX_RANGE_STEPS} 次）")
    return steps


def _guarded(function: Any) -> Any:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # The first argument is the value being filtered (or the context/environment the
        # filter asked for): only its format widths are bounded, not its size.
        _check_args(args[1:], kwargs)
        for value in args[:2]:
            if isinstance(value, str) and _WIDE_FORMAT.search(value):
                raise TemplateLimit("格式宽度过大")
        return function(*args, **kwargs)

    for attr in ("jinja_pass_arg",):
        if hasattr(function, attr):
            setattr(guarded, attr, getattr(function, attr))
    guarded.__name__ = getattr(function, "__name__", "filter")
    return guarded


#: What ``getattr`` finds on a plain dict instance (its type's attributes; a dict has no others).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class FormSandbox(SandboxedEnvironment):
    """Jinja's sandbox, plus bounds on size and time.

    Besides what :class:`SandboxedEnvironment` refuses (attributes starting with ``_``,
    unsafe callables), a template may not pass a number above ``MAX_NUMBER`` or a format
    width of five digits or more to a filter or function, build a string or list longer than
    ``MAX_TEXT``, raise to a large power, or run more than ``MAX_RANGE_STEPS`` range() steps
    in one document. Each is refused with :class:`TemplateLimit` instead of eating the
    machine's memory or time.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _guarded(f) for name, f in self.filters.items()}
        self.globals["range"] = _bounded_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 64 or abs(left).bit_length() * max(right, 0) > 256:
                raise TemplateLimit("乘方过大")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise TemplateLimit(f"生成的文字过长（最多 {MAX_TEXT} 字）")
        if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise TemplateLimit("格式宽度过大")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_TEXT:
            raise TemplateLimit(f"生成的文字过长（最多 {MAX_TEXT} 字）")
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``row.姓名`` on a plain dict: its item, as Jinja would find it, without first
        raising the AttributeError Jinja's lookup starts with (a 1,000-row roster makes
        tens of thousands of these). A name that dict itself has (``items``) still goes the
        sandbox's way, so the result is always the sandbox's own."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        _check_args(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def make_environment() -> FormSandbox:
    """The Jinja environment every template renders in (sandboxed and bounded, autoescape, strict)."""
    return FormSandbox(autoescape=True, undefined=StrictUndefined, finalize=_finalize, keep_trailing_newline=True)


def default_template_dir() -> Path:
    """Where the shipped templates are.

    Looks, in order, at ``./templates`` (a checkout, or a user's own edited copies), the
    ``_templates`` folder packed into an installed wheel, and the repository's ``templates/``
    beside ``src/`` (an editable install run from elsewhere).

    Raises:
        TemplateProblem: none of them holds the four templates.
    """
    here = Path(__file__).resolve().parents[1]  # the formkit package
    candidates = [Path.cwd() / "templates", here / "_templates", here.parents[1] / "templates"]
    for folder in candidates:
        if all((folder / name).is_file() for name in TEMPLATE_FILES.values()):
            return folder
    raise TemplateProblem("找不到模板文件夹 templates/（应含附件1–4 的 .docx 模板）。请用 --templates 指定。")


# --------------------------------------------------------------------------------------
# Zip members and deterministic zips
# --------------------------------------------------------------------------------------

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest date a zip entry can carry
_DOS_TIME = 0
_LIMIT = 0xFFFFFFFF  # no zip64: a .docx part of 4 GiB is no form


@dataclass(frozen=True)
class ZipMember:
    """One part of a .docx as it is stored in the zip.

    Attributes:
        name: the part name (``word/document.xml``).
        method: 0 (stored) or 8 (deflated).
        crc: CRC-32 of the uncompressed bytes.
        size: uncompressed size in bytes.
        data: the bytes as stored (compressed when ``method`` is 8).
    """

    name: str
    method: int
    crc: int
    size: int
    data: bytes

    @classmethod
    def deflated(cls, name: str, raw: bytes, level: int = DEFLATE_LEVEL) -> "ZipMember":
        """A member holding ``raw`` deflated at ``level``."""
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return cls(name, zipfile.ZIP_DEFLATED, zlib.crc32(raw), len(raw), packer.compress(raw) + packer.flush())


def read_members(data: bytes, level: int = DEFLATE_LEVEL) -> list[ZipMember]:
    """The members of a zip, in archive order, with their stored (compressed) bytes.

    Members compressed with anything but deflate are re-compressed with deflate.

    Raises:
        zipfile.BadZipFile: ``data`` is not a zip.
        ValueError: a member is encrypted.
    """
    members: list[ZipMember] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.flag_bits & 0x1:
                raise ValueError(f"encrypted member {info.filename}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                members.append(ZipMember.deflated(info.filename, zf.read(info), level))
                continue
            offset = info.header_offset
            name_len, extra_len = struct.unpack("<HH", data[offset + 26 : offset + 30])
            start = offset + 30 + name_len + extra_len
            members.append(ZipMember(info.filename, info.compress_type, info.CRC, info.file_size, data[start : start + info.compress_size]))
    return members


def zip_bytes(members: Sequence[ZipMember]) -> bytes:
    """A zip of ``members`` in the given order, with fixed times and attributes.

    Every entry is dated 1980-01-01 00:00 and carries no extra field, so equal members give
    equal bytes on any machine and day (python-docx stamps each part with the saving time).

    Raises:
        OutputError: a member or the archive exceeds 4 GiB (zip64 is not written).
    """
    return b"".join(_zip_chunks(members))


class StreamedMember(NamedTuple):
    """A zip member whose stored bytes are written piece by piece (see :func:`write_zip`).

    Attributes:
        name, method, crc, size: as :class:`ZipMember`.
        length: the stored (compressed) length in bytes.
        chunks: called once when the member is written; yields its stored bytes.
    """

    name: str
    method: int
    crc: int
    size: int
    length: int
    chunks: Callable[[], Iterable[bytes]]


def _zip_chunks(members: Sequence["ZipMember | StreamedMember"]) -> Iterator[bytes]:
    """The bytes of :func:`zip_bytes`, in order (a streamed member's as it yields them)."""
    central: list[bytes] = []
    offset = 0
    for m in members:
        length = m.length if isinstance(m, StreamedMember) else len(m.data)
        name = m.name.encode("utf-8")
        flag = 0 if m.name.isascii() else 0x800
        if max(m.size, length, offset) >= _LIMIT:
            raise OutputError(f"{m.name} 超过 4 GiB，无法写入 .docx。")
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flag, m.method, _DOS_TIME, _DOS_DATE, m.crc, length, m.size, len(name), 0)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flag, m.method, _DOS_TIME, _DOS_DATE, m.crc, length, m.size, len(name), 0, 0, 0, 0, 0, offset)
            + name
        )
        yield header + name
        if isinstance(m, StreamedMember):
            written = 0
            for chunk in m.chunks():
                written += len(chunk)
                yield chunk
            if written != length:
                raise OutputError(f"{m.name} 的数据长度与预计不符（{written} ≠ {length}）。")
        else:
            yield m.data
        offset += len(header) + len(name) + length
    directory = b"".join(central)
    if offset + len(directory) >= _LIMIT:
        raise OutputError("文件超过 4 GiB，无法写入 .docx。")
    yield directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)


def write_zip(path: Path, members: Sequence["ZipMember | StreamedMember"]) -> tuple[str, int]:
    """Write what :func:`zip_bytes` makes of ``members`` to a new file in a staging folder
    (as :func:`write_new`), streamed members piece by piece: memory holds one piece.

    Returns:
        The file's SHA-256 (hex) and its size in bytes.

    Raises:
        OSError: the file cannot be written or a piece read.
        OutputError: the archive would exceed 4 GiB.
    """
    digest, size = hashlib.sha256(), 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        for chunk in _zip_chunks(members):
            digest.update(chunk)
            size += len(chunk)
            fh.write(chunk)
    return digest.hexdigest(), size


def member_data_offset(path: Path, name: str) -> int:
    """Where the stored bytes of member ``name`` start in the zip file at ``path``.

    Raises:
        OSError, zipfile.BadZipFile, KeyError: the file is unreadable, not a zip, or lacks
            the member.
    """
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        info = zf.getinfo(name)
        fh.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", fh.read(4))
    return info.header_offset + 30 + name_len + extra_len


# CRC-32 of a concatenation from the CRCs of its parts (zlib's crc32_combine, which Python's
# zlib module does not expose): multiply the first CRC by x^(8·len2) modulo the polynomial.
_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    m, p = 1 << 31, 0
    while m:
        if a & m:
            p ^= b
            if not a & (m - 1):
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


def _powers() -> list[int]:
    table, p = [], 1 << 30  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _powers()


_SHIFT_TABLES: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}


def _shift_table(k: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """Byte-sliced tables of the linear map "append 2^k zero bytes" on a CRC register.

    Built on first use from 32 images of ``x^(8·2^k) · c mod P`` (about a millisecond).
    """
    table = _SHIFT_TABLES.get(k)
    if table is None:
        op = _X2N[(k + 3) & 31]
        columns = [_multmodp(op, 1 << bit) for bit in range(32)]
        slices = []
        for byte in range(4):
            values = [0] * 256
            for v in range(1, 256):
                low = v & -v
                values[v] = values[v ^ low] ^ columns[8 * byte + low.bit_length() - 1]
            slices.append(values)
        table = _SHIFT_TABLES[k] = (slices[0], slices[1], slices[2], slices[3])
    return table


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of ``A + B`` from ``crc1 = crc32(A)``, ``crc2 = crc32(B)`` and ``len2 = len(B)``.

    zlib's ``crc32_combine``: the CRC register of A shifted over ``len2`` zero bytes
    (``x^(8·len2) · crc1 mod P``), xor ``crc2``. The shift is applied as one table step per
    set bit of ``len2`` (tables per power of two, :func:`_shift_table`): about 10 µs.
    """
    c, n, k = crc1, len2, 0
    while n:
        if n & 1:
            t0, t1, t2, t3 = _shift_table(k)
            c = t0[c & 0xFF] ^ t1[(c >> 8) & 0xFF] ^ t2[(c >> 16) & 0xFF] ^ t3[c >> 24]
        n >>= 1
        k += 1
    return c ^ crc2


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
    out, last, pos = [], 0, 0
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
    out, last = [], 0
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
    w = "{%s}" % nsmap["w"]
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
_OPAQUE = (nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock, nodes.EvalContextModifier,
           nodes.Block, nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
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
                if len(needs) > len(stack) or stack[len(stack) - len(needs):][::-1] != needs:
                    return None
        else:
            return None  # a '<' that opens no tag
    if stack != closed[::-1]:
        return None
    return closed, markup


# --------------------------------------------------------------------------------------
# Deflate streams that concatenate
# --------------------------------------------------------------------------------------


class PieceRef(NamedTuple):
    """A :class:`PrintPiece` whose bytes wait in a file: ``length`` bytes at ``offset``
    (a print file is then written without holding its pieces in memory)."""

    path: Path
    offset: int
    length: int
    crc: int
    size: int


class PrintPiece(NamedTuple):
    """Part of a document.xml, deflated on its own.

    Pieces end on a byte boundary (sync flush, not final), so that pieces in a row, closed by
    a final one, are one valid deflate stream: a fresh compressor never refers back past its
    own start.

    Attributes:
        data: the raw deflate bytes.
        crc: CRC-32 of the uncompressed XML.
        size: length of the uncompressed XML in bytes.
    """

    data: bytes
    crc: int
    size: int


def compress_piece(raw: bytes | memoryview, level: int = DEFLATE_LEVEL, *, final: bool = False) -> PrintPiece:
    """Deflate ``raw`` on its own (a fresh compressor), ending with a sync or final flush."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = packer.compress(raw) + packer.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return PrintPiece(data, zlib.crc32(raw), len(raw))


def join_pieces(pieces: Iterable[PrintPiece]) -> PrintPiece:
    """The pieces in a row, as one piece (CRC-32s combined, not recomputed)."""
    data, crc, size = [], 0, 0
    for piece in pieces:
        data.append(piece.data)
        crc = crc32_combine(crc, piece.crc, piece.size) if size else piece.crc
        size += piece.size
    return PrintPiece(b"".join(data), crc, size)


def deflated_member(name: str, pieces: Sequence[PrintPiece]) -> ZipMember:
    """A zip member whose deflate stream is ``pieces`` in a row (the last one final).

    Raises:
        OutputError: the part would exceed 4 GiB.
    """
    whole = join_pieces(pieces)
    if whole.size >= _LIMIT:
        raise OutputError(f"{name} 超过 4 GiB，请分批生成。")
    return ZipMember(name, zipfile.ZIP_DEFLATED, whole.crc, whole.size, whole.data)


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
_WRAP_OPEN = "<w:x %s>" % " ".join(f'xmlns:{k}="{v}"' for k, v in nsmap.items() if k != "xml")


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
    element.pageBreakBefore_val = True
    text = etree.tostring(element, encoding="unicode")
    head_end = text.index(">") + 1
    return _XMLNS.sub("", text[:head_end]) + text[head_end:]


def page_break_prefix(prefix: bytes) -> bytes:
    """The prefix (see :func:`split_first_paragraph`) of content made to start on a new page.

    Sets ``w:pageBreakBefore`` on the first paragraph (no blank page, no empty line), or,
    when the content does not start with a paragraph, puts a paragraph holding a page break
    first: what :class:`PrintFile` does.
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


# --------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------


@dataclass
class RenderedDocument:
    """One rendered document.

    Attributes:
        members: its .docx parts in archive order (unchanged parts share the template's
            compressed bytes).
        body: the inner XML of its ``w:body`` (UTF-8: paragraphs, tables, the final
            ``w:sectPr``); None for a document rendered as a stream (see
            :data:`STREAM_CHARS`), which keeps only its pieces and ``sect``.
        level: zlib level of its pieces.
        pieces: the deflated prefix and rest of its body content (see
            :func:`split_first_paragraph`), shared by its document.xml and its print-file
            piece; None when the document was not made by the fast path.
    """

    members: list[ZipMember]
    body: Optional[bytes]
    level: int = DEFLATE_LEVEL
    pieces: Optional[tuple[Optional[PrintPiece], PrintPiece, bytes]] = None  # (prefix, rest, prefix XML)
    sect: Optional[bytes] = None  # the final w:sectPr of a streamed document (body None)

    def final_sectpr(self) -> bytes:
        """The body's own final ``w:sectPr`` (b"" when it has none)."""
        if self.body is None:
            return self.sect or b""
        return split_final_sectpr(self.body)[1]

    def to_bytes(self) -> bytes:
        """The .docx bytes (deterministic, see :func:`zip_bytes`)."""
        return zip_bytes(self.members)


class _Prepared:
    """Everything about a template that does not depend on the record (built once).

    Attributes:
        fields: the top-level names the template uses (what docxtpl's
            ``get_undeclared_template_variables`` returns).
        always_xml: whether every rendering is well-formed XML whatever the values
            (:func:`_always_xml`); else each rendering needs checking.
        fallback: render with docxtpl itself (tags in footnotes or document properties).
    """

    def __init__(self, data: bytes, env: SandboxedEnvironment, level: int) -> None:
        self.level = level
        self.members = read_members(data, level)
        names = [m.name for m in self.members]
        probe = DocxTemplate(io.BytesIO(data))
        probe.init_docx()
        docx = probe.docx
        source = probe.get_xml()
        patched = _DOCXTPL.patch_xml(source)
        headers = []
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for _, part in probe.get_headers_footers(uri):
                headers.append((str(part.partname).lstrip("/"), _DOCXTPL.patch_xml(probe.get_part_xml(part))))
        # docxtpl's get_undeclared_template_variables, without loading and patching again
        self.fields = frozenset(meta.find_undeclared_variables(env.parse(patched + "".join(x for _, x in headers))))
        self.fallback = DOCUMENT_PART not in names or _needs_docxtpl(docx)
        # document.xml as python-docx writes it, cut around an emptied body
        root = copy.deepcopy(docx._element)
        body = root.find(qn("w:body"))
        for child in list(body):
            body.remove(child)
        body.text = None
        whole = serialize_part_xml(root).decode("utf-8")
        found = list(re.finditer(r"<w:body(?:\s[^>]*)?/>", whole))
        opening = _BODY_OPEN.match(patched)
        if len(found) != 1 or opening is None:
            self.fallback = True
        if self.fallback:
            self.always_xml = False
            return
        empty = found[0]
        self.head = (whole[: empty.start()] + empty.group(0)[:-2] + ">").encode("utf-8")
        self.tail = ("</w:body>" + whole[empty.end() :]).encode("utf-8")
        self.head_piece = compress_piece(self.head, level)
        self._tails: dict[bytes, PrintPiece] = {}
        self.body_open = opening.group(0)
        inner = "" if opening.group(1) else patched[opening.end() : patched.rindex("</w:body>")]
        raw_text = re.sub(r"<[^>]+>", "", source)
        self.fix_tables = bool(_TC_TAGS.search(raw_text)) or not _grid_is_stable(patched)
        # docxtpl puts each paragraph on a line of its own for its error line numbers and
        # takes the line breaks out again after rendering; without a line break in the
        # template there is nothing to take out (messages here do not quote line numbers).
        self.marked = "\n" in inner
        tree = env.parse(_marked(inner) if self.marked else inner)
        self.always_xml = _always_xml(tree)
        self.flat = self.always_xml and not _paragraphs_nest(patched)
        self.drawings = "docPr" in patched
        # paragraphs never nest, the output is always XML, no table to mend afterwards:
        # every post-processing step is local to a paragraph, so a body may be handled
        # in segments cut after a </w:p>
        self.streamable = self.flat and not self.fix_tables
        self.body = env.from_string(tree)
        self.document_index = names.index(DOCUMENT_PART)
        # headers and footers: compiled when they hold tags, else kept as they are
        self.parts: list[tuple[int, Any]] = []
        for name, xml in headers:
            if name in names and _JINJA_ANY.search(xml):
                part_tree = env.parse(_marked(xml))
                self.always_xml = self.always_xml and _always_xml(part_tree)
                self.parts.append((names.index(name), env.from_string(part_tree)))

    def tail_piece(self, sect: bytes) -> PrintPiece:
        """The final piece of a document.xml: section properties and the template's tail."""
        piece = self._tails.get(sect)
        if piece is None:
            piece = compress_piece(sect + self.tail, self.level, final=True)
            if len(self._tails) < 64:
                self._tails[sect] = piece
        return piece


def _paragraphs_nest(patched_body: str) -> bool:
    """Whether a paragraph of the template (Jinja tags taken out) holds another (a text box)."""
    tree = _bare_tree(patched_body)
    if tree is None:
        return True
    p = qn("w:p")
    return any(para.find(f".//{p}") is not None for para in tree.iter(p))


def _needs_docxtpl(docx: Any) -> bool:
    """Tags in footnotes or in the document properties: left to docxtpl itself."""
    for part in docx.part.package.parts:
        if part.content_type.endswith(".footnotes+xml"):
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            if _JINJA_ANY.search(re.sub(r"<[^>]+>", "", blob)):
                return True
    props = docx.core_properties
    return any(_JINJA_ANY.search(getattr(props, name) or "") for name in ("author", "comments", "identifier", "language", "subject", "title"))


def _number_drawings(body: bytes, counter: Iterator[int], prep: _Prepared) -> bytes:
    """docxtpl's renumbering of ``wp:docPr`` ids (1001, 1002, … in document order).

    Skipped without a drawing in the template: escaped values cannot make one."""
    if (prep.drawings or not prep.always_xml) and b"docPr" in body:
        body = _DOCPR_ID.sub(lambda m: m.group(1) + str(next(counter)).encode("ascii") + m.group(2), body)
    return body


class _BodyStream:
    """A body deflated segment by segment in a second thread (see ``_render_streaming``).

    ``feed`` takes rendered text in any pieces; whatever follows the last ``</w:p>`` waits
    for the next. ``finish`` handles the rest (which holds the final ``w:sectPr``) and
    returns the document. Used as a context manager, the thread ends however the
    rendering ends.
    """

    def __init__(self, template: "FormTemplate", prep: _Prepared, counter: Iterator[int]) -> None:
        self.template = template
        self.prep = prep
        self.counter = counter
        self.carry = b""
        self.prefix: Optional[bytes] = None
        self.prefix_piece: Optional[PrintPiece] = None
        self.crc = 0
        self.size = 0
        self.packed: list[bytes] = []
        self.failed: Optional[BaseException] = None
        self.queue: queue.Queue[Optional[bytes]] = queue.Queue()
        self.taken = threading.Semaphore(0)
        self.packer = zlib.compressobj(template.level, zlib.DEFLATED, -15)
        self.thread = threading.Thread(target=self._deflate, name="formkit-deflate", daemon=True)

    def __enter__(self) -> "_BodyStream":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def _deflate(self) -> None:
        while True:
            segment = self.queue.get()
            self.taken.release()
            if segment is None:
                return
            if self.failed is None:
                try:
                    self.packed.append(self.packer.compress(segment))
                except BaseException as exc:  # MemoryError: reported by finish()
                    self.failed = exc

    def _hand_over(self, segment: Optional[bytes]) -> None:
        """Give the thread a segment and wait until it has taken it.

        Waiting here (a moment: the thread takes the segment when it has deflated the one
        before) is what makes the two threads alternate without fighting over the GIL:
        the thread needs it only while this one waits, and gives it back on entering zlib.
        """
        self.queue.put(segment)
        self.taken.acquire()

    def _processed(self, data: bytes) -> bytes:
        data = _post_process(data, marked=self.prep.marked, flat=True)
        return _number_drawings(data, self.counter, self.prep)

    def _send(self, rest: bytes) -> None:
        if rest:
            self.size += len(rest)
            self.crc = zlib.crc32(rest, self.crc)  # here: in the thread it would need the GIL once more
            self._hand_over(rest)

    def _open(self, data: bytes, stop: int) -> bytes:
        """The body's first segment: split off its prefix (see split_first_paragraph)."""
        split = _prefix_end(data, 0, stop)
        self.prefix = data[:split]
        self.prefix_piece = compress_piece(self.prefix, self.template.level) if self.prefix else None
        return data[split:]

    def feed(self, text: str) -> None:
        data = self.carry + text.encode("utf-8")
        cut = data.rfind(b"</w:p>")
        if cut < 0:
            self.carry = data
            return
        cut += len(b"</w:p>")
        self.carry = data[cut:]
        segment = self._processed(data[:cut])
        del data
        if self.prefix is None:
            segment = self._open(segment, len(segment))
        self._send(segment)

    def finish(self) -> "RenderedDocument":
        last = self._processed(self.carry)
        self.carry = b""
        cut = _final_sectpr_start(last)
        sect = last[cut:]
        last = last[:cut]
        if self.prefix is None:
            last = self._open(last, len(last))
        self._send(last)
        self._hand_over(None)
        self.thread.join()
        if self.failed is not None:
            raise self.failed
        self.packed.append(self.packer.flush(zlib.Z_SYNC_FLUSH))
        prep, level = self.prep, self.template.level
        rest_piece = PrintPiece(b"".join(self.packed), self.crc, self.size)
        assert self.prefix is not None
        stream = [prep.head_piece, *([self.prefix_piece] if self.prefix_piece else []), rest_piece, prep.tail_piece(sect)]
        members = list(prep.members)
        members[prep.document_index] = deflated_member(DOCUMENT_PART, stream)
        return RenderedDocument(members, None, level, (self.prefix_piece, rest_piece, self.prefix), sect)


class FormTemplate:
    """One annex template, checked once and rendered many times.

    The template-only work (loading, docxtpl's ``patch_xml``, Jinja compilation) is done on
    the first render and kept; a FormTemplate pickles as its path and bytes, so a process
    pool can receive one and prepare it once per process.

    Args:
        path: a .docx file with docxtpl tags.
        level: zlib level of the parts it writes; default :data:`DEFLATE_LEVEL`.

    Raises:
        TemplateProblem: the file is missing, not a .docx (zip with word/document.xml), or
            its tags are not valid Jinja.
    """

    def __init__(self, path: Path, *, level: int | None = None) -> None:
        self.path = Path(path)
        self.level = DEFLATE_LEVEL if level is None else level
        if not self.path.is_file():
            raise TemplateProblem(f"模板 {self.path} 不存在。")
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 无法读取（{type(exc).__name__}）。") from exc
        self._setup(data)

    def _setup(self, data: bytes) -> None:
        self.env = make_environment()
        self._bytes = data
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                zf.getinfo(DOCUMENT_PART)
            self._prepared = _Prepared(data, self.env, self.level)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.LxmlError) as exc:
            raise TemplateProblem(f"模板 {self.path.name} 不是有效的 Word .docx 文件（{type(exc).__name__}）。请用 Word 或 WPS 另存为 .docx。") from exc
        except TemplateError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 的标签写法有误：{exc.message}") from exc
        self.fields = self._prepared.fields

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "level": self.level, "data": self._bytes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self.level = state["level"]
        self._setup(state["data"])

    @property
    def data(self) -> bytes:
        """The template file's bytes (as read once, when the FormTemplate was made)."""
        return self._bytes

    def check_fields(self, known: set[str] | frozenset[str]) -> None:
        """Refuse a template that names a top-level field the context does not have.

        Raises:
            TemplateProblem: naming the unknown fields and the template, and listing the known ones.
        """
        unknown = sorted(self.fields - set(known))
        if unknown:
            raise TemplateProblem(
                f"模板 {self.path.name} 使用了记录中没有的字段：{'、'.join(unknown)}。"
                f"可用字段：{'、'.join(sorted(known))}（见 docs/templates.md）。"
            )

    def _prepare(self) -> _Prepared:
        """The template's record-independent work (done once, when it was loaded)."""
        return self._prepared

    @contextlib.contextmanager
    def _rendering(self) -> Iterator[None]:
        """Run one rendering under the range budget, turning its failures into TemplateProblem."""
        token = _range_budget.set([MAX_RANGE_STEPS])
        try:
            yield
        except SecurityError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 试图访问不允许的内容，已拒绝：{exc}") from exc
        except UndefinedError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 使用了记录中没有的字段：{exc.message}") from exc
        except TemplateError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 无法填写：{exc.message}") from exc
        except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError, MemoryError) as exc:
            raise TemplateProblem(f"模板 {self.path.name} 的标签无法计算（{type(exc).__name__}: {str(exc)[:120]}）。请检查模板里的 {{{{ }}}} 标签。") from exc
        finally:
            _range_budget.reset(token)

    def _jinja(self, template: Any, context: Mapping[str, Any]) -> bytes:
        with self._rendering():
            xml = template.render(context)
        return xml.encode("utf-8")

    def _well_formed(self, xml: bytes, what: str) -> None:
        """Refuse output that is not XML (a ``|safe`` or ``{% autoescape false %}`` let raw
        markup through): Word would not open the document."""
        try:
            etree.fromstring(xml, parser=_STRICT_PARSER)
        except etree.XMLSyntaxError as exc:
            raise TemplateProblem(
                f"模板 {self.path.name} 生成的{what}不是有效的 Word 内容（{exc.msg}）。"
                "模板里不能用 |safe 或 autoescape false 关掉转义。"
            ) from exc

    def render_fast(self, context: Mapping[str, Any]) -> RenderedDocument:
        """Render one document: its parts and its body XML (for print files).

        document.xml is stored as four deflate pieces in a row: the template's head (deflated
        once per template), the body's prefix and rest (see :func:`split_first_paragraph`;
        the same pieces serve the print file) and the final section properties with the
        template's tail (deflated once per distinct value).

        Raises:
            TemplateProblem: the template names a nested field the context lacks, or tries
                something the sandbox forbids.
        """
        prep = self._prepare()
        if prep.fallback:
            data = self.render_with_docxtpl(context)
            members = read_members(data, self.level)
            return RenderedDocument(members, _body_inner(_document_xml(members)), self.level)
        context = dict(context)
        counter = iter(range(1001, sys.maxsize))  # docPr ids, numbered as docxtpl does
        if prep.streamable:
            streamed = self._render_streaming(prep, context, counter)
            if isinstance(streamed, RenderedDocument):
                return self._with_parts(prep, context, streamed)
            text = streamed
        else:
            with self._rendering():
                text = prep.body.render(context)
        body = _post_process(text.encode("utf-8"), marked=prep.marked, flat=prep.flat)
        del text
        if not prep.always_xml:
            self._well_formed(prep.head + body + prep.tail, "正文")
        if prep.fix_tables:
            tree = _DOCXTPL.fix_tables((prep.body_open + body.decode("utf-8") + "</w:body>"))
            body = _body_inner(etree.tostring(tree, encoding="UTF-8"))
        body = _number_drawings(body, counter, prep)
        cut = _final_sectpr_start(body)
        split = _prefix_end(body, 0, cut)
        prefix = body[:split]
        prefix_piece = compress_piece(prefix, self.level) if prefix else None
        rest_piece = compress_piece(memoryview(body)[split:cut], self.level)  # no copy of the body
        stream = [prep.head_piece, *([prefix_piece] if prefix_piece else []), rest_piece, prep.tail_piece(body[cut:])]
        members = list(prep.members)
        members[prep.document_index] = deflated_member(DOCUMENT_PART, stream)
        return self._with_parts(prep, context, RenderedDocument(members, body, self.level, (prefix_piece, rest_piece, prefix)))

    def _render_streaming(self, prep: _Prepared, context: dict[str, Any], counter: Iterator[int]) -> "RenderedDocument | str":
        """Render a streamable template's body; a short one comes back as its text.

        Past :data:`STREAM_CHARS` characters the body is cut after a ``</w:p>`` into
        segments, each post-processed as the whole would be (every step is local to a
        paragraph here) and deflated in a second thread while the next is rendered: the
        same bytes as :meth:`render_fast` on the whole body (zlib's output does not depend
        on how its input is split), in memory that does not grow with the document.
        """
        with self._rendering():
            chunks = prep.body.generate(context)
            first: list[str] = []
            size = 0
            while size < STREAM_CHARS:
                batch = list(itertools.islice(chunks, 256))
                if not batch:
                    return "".join(first)
                first += batch
                size += sum(map(len, batch))
            with _BodyStream(self, prep, counter) as stream:
                stream.feed("".join(first))
                del first
                pieces = STREAM_BATCH // 4  # small segments first: the thread starts early
                while True:
                    batch = list(itertools.islice(chunks, pieces))
                    if not batch:
                        break
                    stream.feed("".join(batch))
                    pieces = min(2 * pieces, STREAM_BATCH)
                return stream.finish()

    def _with_parts(self, prep: _Prepared, context: dict[str, Any], doc: RenderedDocument) -> RenderedDocument:
        """The document with its headers and footers rendered (those holding tags)."""
        members = doc.members
        for index, template in prep.parts:
            xml = _post_process(self._jinja(template, context))
            if not prep.always_xml:
                self._well_formed(xml, "页眉或页脚")
            part = serialize_part_xml(opc_parse_xml(xml))
            members[index] = ZipMember.deflated(members[index].name, part, self.level)
        return doc

    def render(self, context: Mapping[str, Any]) -> bytes:
        """Render one document and return the .docx bytes.

        Raises:
            TemplateProblem: as :meth:`render_fast`.
        """
        return self.render_fast(context).to_bytes()

    def render_document(self, context: Mapping[str, Any]) -> DocxTemplate:
        """Render one document and return it as a docxtpl object (python-docx inside).

        For callers that change the document further (:class:`PrintFile`); the content is
        that of :meth:`render`.

        Raises:
            TemplateProblem: as :meth:`render_fast`.
        """
        doc = DocxTemplate(io.BytesIO(self.render(context)))
        doc.init_docx()
        return doc

    def render_with_docxtpl(self, context: Mapping[str, Any]) -> bytes:
        """Render with ``DocxTemplate.render`` from scratch, as formkit did before issue 5.

        The reference the fast path is tested against, and the path of templates with tags
        in footnotes or document properties. Returns deterministic bytes (:func:`zip_bytes`).

        Raises:
            TemplateProblem: as :meth:`render_fast`.
        """
        doc = DocxTemplate(io.BytesIO(self._bytes))
        with self._rendering():
            doc.render(dict(context), jinja_env=self.env, autoescape=True)
        return zip_bytes(read_members(document_bytes(doc), self.level))

    # -- print files -------------------------------------------------------------------

    def print_frame(self, first: RenderedDocument) -> "PrintFrame":
        """What a print file of this template takes from its first document.

        Its parts other than document.xml (headers of the first document, styles …), the
        document.xml head and tail of the template, and the first document's final section
        properties (page size and margins of the whole print file).
        """
        prep = self._prepare()
        sect = first.final_sectpr()
        if prep.fallback:
            whole = _document_xml(first.members)
            opening = _BODY_OPEN_B.search(whole)
            assert opening is not None
            head, tail = whole[: opening.end()], whole[whole.rindex(b"</w:body>") :]
            head_piece = compress_piece(head, self.level)
        else:
            head_piece, tail = prep.head_piece, prep.tail
        tail_piece = compress_piece((sect or b"<w:sectPr/>") + tail, self.level, final=True)
        return PrintFrame(list(first.members), head_piece, tail_piece)


def _document_xml(members: Sequence[ZipMember]) -> bytes:
    xml = next(m for m in members if m.name == DOCUMENT_PART)
    return zlib.decompress(xml.data, -15) if xml.method == zipfile.ZIP_DEFLATED else xml.data


def _body_inner(xml: bytes) -> bytes:
    """The inner XML of the (first) ``w:body`` element of ``xml``."""
    opening = _BODY_OPEN_B.search(xml)
    if opening is None or opening.group(1):
        return b""
    return xml[opening.end() : xml.rindex(b"</w:body>")]


def document_bytes(doc: DocxTemplate) -> bytes:
    """The .docx bytes of a docxtpl/python-docx document (as python-docx saves it)."""
    buffer = io.BytesIO()
    doc.docx.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Print files
# --------------------------------------------------------------------------------------


def print_piece(doc: RenderedDocument, *, first: bool, level: int | None = None) -> PrintPiece:
    """A document's piece of a print file: its body without the final ``w:sectPr``,
    starting on a new page unless it opens the file.

    Reuses the document's own deflated rest of the body; only the small prefix is deflated
    again when a page break changes it.
    """
    level = doc.level if level is None else level
    if doc.pieces is None or level != doc.level:
        if doc.body is None:
            raise ValueError("a streamed document's piece exists only at its own level")
        content, _ = split_final_sectpr(doc.body)
        prefix, rest = split_first_paragraph(content)
        prefix_piece = compress_piece(prefix, level) if prefix else None
        rest_piece = compress_piece(rest, level)
    else:
        prefix_piece, rest_piece, prefix = doc.pieces
    if not first:
        prefix_piece = compress_piece(page_break_prefix(prefix), level)
    return join_pieces([*([prefix_piece] if prefix_piece else []), rest_piece])


@dataclass
class PrintFrame:
    """The parts of a print file that do not come from its pieces (see :meth:`FormTemplate.print_frame`).

    Attributes:
        members: the first document's parts; document.xml is replaced.
        head: document.xml up to and including ``<w:body>``, deflated.
        tail: the final ``w:sectPr``, ``</w:body>`` and the rest of document.xml, deflated
            (final).
    """

    members: list[ZipMember]
    head: PrintPiece
    tail: PrintPiece


def write_print_file(path: Path, frame: PrintFrame, pieces: Sequence["PrintPiece | PieceRef"]) -> tuple[str, int]:
    """Write the print file :func:`print_file_bytes` makes, reading each piece kept in a
    file (:class:`PieceRef`) only as it is written: memory holds one piece, not the file.

    Returns:
        The file's SHA-256 (hex) and size in bytes.

    Raises:
        OSError: the file cannot be written, or a piece's file read.
        OutputError: the document.xml would exceed 4 GiB.
    """
    stream = [frame.head, *pieces, frame.tail]
    crc, size, length = 0, 0, 0
    for piece in stream:
        crc = crc32_combine(crc, piece.crc, piece.size) if size else piece.crc
        size += piece.size
        length += piece.length if isinstance(piece, PieceRef) else len(piece.data)
    if size >= _LIMIT:
        raise OutputError(f"{DOCUMENT_PART} 超过 4 GiB，请分批生成。")

    def chunks() -> Iterator[bytes]:
        handles: dict[Path, Any] = {}
        try:
            for piece in stream:
                if isinstance(piece, PieceRef):
                    fh = handles.get(piece.path)
                    if fh is None:
                        fh = handles[piece.path] = open(piece.path, "rb")
                    fh.seek(piece.offset)
                    data = fh.read(piece.length)
                    if len(data) != piece.length:
                        raise OutputError(f"{piece.path.name} 比预计的短，打印件无法拼接。")
                    yield data
                else:
                    yield piece.data
        finally:
            for fh in handles.values():
                fh.close()

    document = StreamedMember(DOCUMENT_PART, zipfile.ZIP_DEFLATED, crc, size, length, chunks)
    return write_zip(path, [document if m.name == DOCUMENT_PART else m for m in frame.members])


def print_file_bytes(frame: PrintFrame, pieces: Iterable[PrintPiece]) -> bytes:
    """A print file: the frame's head, every piece in order, the frame's tail.

    Time and memory are linear in the size of the pieces, which are copied, not
    re-compressed (docxcompose's append is quadratic: 500 vouchers 45 s, design.md).

    Raises:
        OutputError: the document.xml would exceed 4 GiB.
    """
    document = deflated_member(DOCUMENT_PART, [frame.head, *pieces, frame.tail])
    return zip_bytes([document if m.name == DOCUMENT_PART else m for m in frame.members])


class PrintFile:
    """One print file of many rendered documents of the same template, page after page.

    In-memory variant kept for callers holding docxtpl documents
    (:meth:`FormTemplate.render_document`); formkit's own batches use :func:`print_piece`
    and :func:`print_file_bytes`, which hold only each document's compressed piece.

    The bodies are concatenated into the first document, each following document starting
    on a new page (``w:pageBreakBefore`` on its first paragraph, so no blank page and no empty
    line is added).
    """

    def __init__(self) -> None:
        self._master: DocxTemplate | None = None
        self._end: Any = None
        self.count = 0

    def add(self, doc: DocxTemplate) -> None:
        """Append one rendered document (see :meth:`FormTemplate.render_document`)."""
        body = doc.docx.element.body
        children = [child for child in body if child.tag != qn("w:sectPr")]
        self.count += 1
        if self._master is None:
            self._master = doc
            self._end = body.find(qn("w:sectPr"))
            if self._end is None:
                self._end = body.makeelement(qn("w:sectPr"), {})
                body.append(self._end)
            return
        if children and children[0].tag == qn("w:p"):
            Paragraph(children[0], None).paragraph_format.page_break_before = True
        else:
            breaker = OxmlElement("w:p")
            run = OxmlElement("w:r")
            br = OxmlElement("w:br")
            br.set(qn("w:type"), "page")
            run.append(br)
            breaker.append(run)
            children.insert(0, breaker)
        for child in children:
            self._end.addprevious(child)

    def to_bytes(self) -> bytes:
        """The print file as .docx bytes.

        Raises:
            ValueError: no document was added.
        """
        if self._master is None:
            raise ValueError("empty print file")
        return zip_bytes(read_members(document_bytes(self._master)))


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def write_new(path: Path, data: bytes) -> None:
    """Write a file inside a staging folder: created readable by its owner only, no fsync.

    Staged files reach the output only by the folder's rename (see ``api.render``), so a
    temporary file per document is not needed; an fsync per document would cost more than
    rendering it on most disks.

    Raises:
        OSError: the file cannot be written.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it and an atomic rename.

    A reader never sees a half-written file; the file is readable by its owner only where
    the platform supports POSIX modes.

    Raises:
        OutputError: the folder cannot be created or written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".~", suffix=path.suffix + ".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if sys.platform != "win32":
                os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc
