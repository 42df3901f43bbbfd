"""Print files: every document of one annex of a unit, each its own section, in one .docx.

A print file is what goes to the printer (and into an 产业工会's packet): every voucher, form
or weekly report of a unit, page after page. Each document becomes a section of its own
(design.md: concatenated bodies otherwise keep only the first document's header and footer):

- its body, as rendered, followed by a small paragraph that ends its section (the section
  properties of its template, ``w:type`` next page: each document starts on a new page, no
  page break is added and no blank page); the last document's section is the body's final
  ``w:sectPr``;
- when the template's header or footer holds tags (``{{ 姓名 }}``), every document brings its
  own rendered copy of those parts, referenced by its own section; parts without tags are
  shared by every section;
- drawing ids (``wp:docPr/@id``) are numbered once over the whole file when the template has
  drawings (Word refuses a file where two drawings share one).

Time and memory are linear in the documents: their bodies are copied as deflated pieces,
never compressed again unless their drawings are renumbered (docxcompose's append is
quadratic: 500 vouchers 45 s, design.md).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.documents.body import split_final_sectpr
from formkit.documents.deflate import (
    PieceRef,
    PrintPiece,
    compress_piece,
    crc32_combine,
    join_pieces,
)
from formkit.documents.steps import _BODY_OPEN_B
from formkit.documents.template import FormTemplate, RenderedDocument, _document_xml
from formkit.documents.zipio import (
    _LIMIT,
    DOCUMENT_PART,
    StreamedMember,
    ZipMember,
    write_zip,
    zip_bytes,
)
from formkit.errors import OutputError

__all__ = [
    "PrintFrame",
    "member_bytes",
    "print_file_bytes",
    "print_frame",
    "print_piece",
    "section_break",
    "section_break_end",
    "section_of_break",
    "write_print_file",
]

_RELS = "word/_rels/document.xml.rels"
_TYPES = "[Content_Types].xml"
_OWN_REL_TYPES = (b"/header", b"/footer")
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Type|Target|TargetMode)="([^"]*)"')
_REFERENCE_ID = re.compile(rb'(<w:(?:header|footer)Reference\b[^>]*?\s[A-Za-z_][\w.-]*:id=")([^"]+)(")')
_DOCPR_ID = re.compile(rb'(<wp:docPr\b[^>]*?\sid=")(\d+)(")')
_JINJA = re.compile(rb"\{\{|\{%")

#: The paragraph that ends a document's section: 1 pt high, so that a page filled to its
#: last line does not spill it onto a page of its own.
_BREAK_OPEN = (
    b'<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/><w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>'
)
_BREAK_CLOSE = b"</w:pPr></w:p>"


def member_bytes(member: ZipMember) -> bytes:
    """The uncompressed bytes of a zip member."""
    return zlib.decompress(member.data, -15) if member.method == zipfile.ZIP_DEFLATED else member.data


# --------------------------------------------------------------------------------------
# The frame: what a print file takes from its template and first document
# --------------------------------------------------------------------------------------


@dataclass
class PrintFrame:
    """The parts of a print file that do not come from its pieces (see :func:`print_frame`).

    Attributes:
        members: the first document's parts; document.xml is replaced, and the relationships
            and content types gain each document's own header and footer parts.
        head: document.xml up to and including ``<w:body>``, deflated.
        sect: the section properties every document's section takes (the first document's
            final ``w:sectPr``: page size, margins, header and footer references).
        tail: what follows the final ``w:sectPr`` in document.xml (``</w:body></w:document>``).
        level: zlib level of what the frame compresses.
        own_parts: header and footer parts that hold tags, by relationship id: every
            document brings its own rendered copy (part name → relationship type).
        own_ids: relationship id → part name of those parts.
        drawings: the template holds drawings: their ``wp:docPr`` ids are numbered over the
            whole print file.
    """

    members: list[ZipMember]
    head: PrintPiece
    sect: bytes
    tail: bytes
    level: int
    own_parts: dict[str, bytes] = field(default_factory=dict)
    own_ids: dict[str, str] = field(default_factory=dict)
    drawings: bool = False


def _relationships(xml: bytes) -> list[dict[bytes, bytes]]:
    return [dict(_ATTR.findall(m.group(0))) for m in _RELATIONSHIP.finditer(xml)]


def print_frame(template: FormTemplate, first: RenderedDocument) -> PrintFrame:
    """What a print file of ``template`` takes from its first document.

    Its parts other than document.xml (headers of the first document, styles …), the
    document.xml head and tail of the template, the first document's final section
    properties (every document's section takes them), and which header and footer parts hold
    tags in the template (each document then prints its own).
    """
    prep = template._prepare()
    whole = _document_xml(first.members)
    opening = _BODY_OPEN_B.search(whole)
    if prep.fallback or opening is None:
        assert opening is not None, "a rendered document has a body"
        head = whole[: opening.end()]
        tail = whole[whole.rindex(b"</w:body>") :]
        head_piece = compress_piece(head, template.level)
    else:
        head_piece, tail = prep.head_piece, prep.tail
    members = list(first.members)
    by_name = {m.name: m for m in members}
    originals = {m.name: m for m in prep.members}
    own_parts: dict[str, bytes] = {}
    own_ids: dict[str, str] = {}
    rels = by_name.get(_RELS)
    for rel in _relationships(member_bytes(rels)) if rels is not None else []:
        kind, target = rel.get(b"Type", b""), rel.get(b"Target", b"")
        if not kind.endswith(_OWN_REL_TYPES) or rel.get(b"TargetMode") == b"External":
            continue
        name = "word/" + target.decode("utf-8").lstrip("/").removeprefix("word/")
        source = originals.get(name)
        if source is not None and _JINJA.search(member_bytes(source)):
            own_parts[name] = kind
            own_ids[rel[b"Id"].decode("utf-8")] = name
    drawings = b"docPr" in whole or any(b"docPr" in member_bytes(by_name[n]) for n in own_parts if n in by_name)
    return PrintFrame(members, head_piece, first.final_sectpr() or b"<w:sectPr/>", tail, template.level, own_parts, own_ids, drawings)


def print_piece(doc: RenderedDocument, *, level: int | None = None) -> PrintPiece:
    """A document's piece of a print file: its body without the final ``w:sectPr``.

    Reuses the document's own deflated body (no compression) when it was made at ``level``.
    """
    level = doc.level if level is None else level
    if doc.pieces is None or level != doc.level:
        if doc.body is None:
            raise ValueError("a streamed document's piece exists only at its own level")
        content, _ = split_final_sectpr(doc.body)
        return compress_piece(content, level)
    prefix_piece, rest_piece, _ = doc.pieces
    return join_pieces([*([prefix_piece] if prefix_piece else []), rest_piece])


def section_break(sect: bytes) -> bytes:
    """A paragraph ending a section with the properties ``sect`` (a ``w:sectPr``): 1 pt
    high, so it never takes a line of its own."""
    return _BREAK_OPEN + sect + _BREAK_CLOSE


def section_break_end(xml: bytes, pos: int) -> int:
    """Where the section-break paragraph (:func:`section_break`) that starts at ``pos`` in a
    print file's document.xml ends; ``pos`` when none starts there.

    For cutting a print file into its documents: each document's piece is followed by the
    paragraph ending its section, but for the last, whose section is the body's final
    ``w:sectPr``.
    """
    if not xml.startswith(_BREAK_OPEN, pos):
        return pos
    end = xml.find(_BREAK_CLOSE, pos + len(_BREAK_OPEN))
    return pos if end < 0 else end + len(_BREAK_CLOSE)


def section_of_break(paragraph: bytes) -> bytes:
    """The ``w:sectPr`` a section-break paragraph (:func:`section_break`) holds."""
    return paragraph[len(_BREAK_OPEN) : len(paragraph) - len(_BREAK_CLOSE)]


# --------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------

#: A document's own header and footer parts, by part name (see :func:`write_print_file`).
PartsOf = Callable[[int], Mapping[str, bytes]]


class _Assembly:
    """The stream of a print file's document.xml and its extra parts, built in one pass."""

    def __init__(self, frame: PrintFrame, count: int, parts_of: PartsOf | None) -> None:
        if frame.own_parts and parts_of is None and count > 1:
            raise ValueError("the template's header or footer holds tags: each document's own parts are needed")
        self.frame = frame
        self.count = count
        self.parts_of = parts_of
        self.extra: list[ZipMember] = []
        self.rels: list[bytes] = []
        self.types: list[bytes] = []
        self.next_id = 1 + max([1000, *(int(i) for m in frame.members if m.name != DOCUMENT_PART for i in _ids(m))])

    def renumber(self, xml: bytes) -> bytes:
        """``xml`` with every ``wp:docPr`` id the next of the print file."""

        def next_id(m: re.Match[bytes]) -> bytes:
            value = self.next_id
            self.next_id += 1
            return m.group(1) + str(value).encode("ascii") + m.group(3)

        return _DOCPR_ID.sub(next_id, xml)

    def own(self, index: int) -> dict[str, str]:
        """Relationship ids of the frame → those of document ``index``'s own parts (added)."""
        if not self.frame.own_parts or index == 0:
            return {}
        assert self.parts_of is not None
        parts = self.parts_of(index)
        renamed: dict[str, str] = {}
        for rid, name in self.frame.own_ids.items():
            stem, _, ext = name.rpartition(".")
            new = f"{stem}-d{index}.{ext}"
            xml = parts.get(name)
            if xml is None:
                raise OutputError(f"打印件：第 {index + 1} 份文档缺少 {name}。")
            if self.frame.drawings:
                xml = self.renumber(xml)
            self.extra.append(ZipMember.deflated(new, xml, self.frame.level))
            rels_name = f"word/_rels/{name.removeprefix('word/')}.rels"
            if rels_name in parts:
                self.extra.append(ZipMember.deflated(f"word/_rels/{new.removeprefix('word/')}.rels", parts[rels_name], self.frame.level))
            new_id = f"{rid}_d{index}"
            renamed[rid] = new_id
            kind = self.frame.own_parts[name].decode("utf-8")
            self.rels.append(f'<Relationship Id="{new_id}" Type="{kind}" Target="{new.removeprefix("word/")}"/>'.encode())
            self.types.append(new.encode("utf-8"))
        return renamed

    def sect(self, index: int) -> bytes:
        renamed = self.own(index)
        if not renamed:
            return self.frame.sect
        return _REFERENCE_ID.sub(
            lambda m: m.group(1) + renamed.get(m.group(2).decode(), m.group(2).decode()).encode() + m.group(3), self.frame.sect
        )

    def members(self) -> list[ZipMember]:
        """The frame's members with the relationships and content types of the added parts,
        then the added parts."""
        if not self.extra:
            return list(self.frame.members)
        out = []
        for member in self.frame.members:
            if member.name == _RELS:
                xml = member_bytes(member)
                at = xml.rindex(b"</Relationships>")
                member = ZipMember.deflated(member.name, xml[:at] + b"".join(self.rels) + xml[at:], self.frame.level)
            elif member.name == _TYPES:
                member = ZipMember.deflated(
                    member.name, _with_overrides(member_bytes(member), self.frame.own_parts, self.types), self.frame.level
                )
            out.append(member)
        return out + self.extra


def _ids(member: ZipMember) -> list[bytes]:
    data = member_bytes(member) if member.name.endswith(".xml") else b""
    return [m.group(2) for m in _DOCPR_ID.finditer(data)] if b"docPr" in data else []


def _with_overrides(types: bytes, originals: Mapping[str, bytes], added: Sequence[bytes]) -> bytes:
    """``[Content_Types].xml`` with an Override for every added part, of its original's type."""
    kinds: dict[bytes, bytes] = {}
    for m in re.finditer(rb"<Override\b[^>]*>", types):
        attrs = dict(re.findall(rb'\b(PartName|ContentType)="([^"]*)"', m.group(0)))
        kinds[attrs.get(b"PartName", b"")] = attrs.get(b"ContentType", b"")
    overrides = []
    for new in added:
        stem = new.rpartition(b"-d")[0]
        original = next((n for n in originals if n.encode("utf-8").rpartition(b".")[0] == stem), None)
        kind = kinds.get(b"/" + original.encode("utf-8")) if original else None
        if kind:
            overrides.append(b'<Override PartName="/' + new + b'" ContentType="' + kind + b'"/>')
    at = types.rindex(b"</Types>")
    return types[:at] + b"".join(overrides) + types[at:]


def _inflate(piece: PrintPiece | PieceRef) -> bytes:
    if isinstance(piece, PieceRef):
        with open(piece.path, "rb") as fh:
            fh.seek(piece.offset)
            data = fh.read(piece.length)
        if len(data) != piece.length:
            raise OutputError(f"{piece.path.name} 比预计的短，打印件无法拼接。")
    else:
        data = piece.data
    return zlib.decompressobj(-15).decompress(data)


def _stream(
    frame: PrintFrame, pieces: Sequence[PrintPiece | PieceRef], parts_of: PartsOf | None, spool: Path | None
) -> tuple[list[PrintPiece | PieceRef], _Assembly]:
    """The pieces of the print file's document.xml, in order, and what it adds to the frame."""
    if not pieces:
        raise ValueError("a print file holds at least one document")
    assembly = _Assembly(frame, len(pieces), parts_of)
    stream: list[PrintPiece | PieceRef] = [frame.head]
    handle: Any = open(spool, "wb") if spool is not None and frame.drawings else None
    try:
        for index, piece in enumerate(pieces):
            if frame.drawings:
                piece = compress_piece(assembly.renumber(_inflate(piece)), frame.level)
                if handle is not None:
                    offset = handle.tell()
                    handle.write(piece.data)
                    assert spool is not None
                    piece = PieceRef(spool, offset, len(piece.data), piece.crc, piece.size)
            stream.append(piece)
            sect = assembly.sect(index)
            if index + 1 < len(pieces):
                stream.append(compress_piece(section_break(sect), frame.level))
            else:
                stream.append(compress_piece(sect + frame.tail, frame.level, final=True))
    finally:
        if handle is not None:
            handle.close()
    return stream, assembly


def _chunks(stream: Sequence[PrintPiece | PieceRef]) -> Iterator[bytes]:
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


def _document(stream: Sequence[PrintPiece | PieceRef]) -> StreamedMember:
    crc, size, length = 0, 0, 0
    for piece in stream:
        crc = crc32_combine(crc, piece.crc, piece.size) if size else piece.crc
        size += piece.size
        length += piece.length if isinstance(piece, PieceRef) else len(piece.data)
    if size >= _LIMIT:
        raise OutputError(f"{DOCUMENT_PART} 超过 4 GiB，请分批生成。")
    return StreamedMember(DOCUMENT_PART, zipfile.ZIP_DEFLATED, crc, size, length, lambda: _chunks(stream))


def write_print_file(
    path: Path, frame: PrintFrame, pieces: Sequence[PrintPiece | PieceRef], *, parts_of: PartsOf | None = None
) -> tuple[str, int, list[tuple[int, PrintPiece | PieceRef]]]:
    """Write the print file of ``pieces`` (one per document, in page order), reading each
    piece kept in a file (:class:`PieceRef`) only as it is written: memory holds one piece,
    not the file.

    Args:
        path: the file to write.
        frame: from :func:`print_frame`.
        pieces: each document's :func:`print_piece`.
        parts_of: document index → its rendered parts by name (at least the frame's
            ``own_parts``); needed when the template's header or footer holds tags.

    Returns:
        The file's SHA-256 (hex), its size in bytes, and for each document where its piece
        starts in document.xml's stored bytes with the piece as written there (a later run
        copies unchanged pieces from there).

    Raises:
        OSError: the file cannot be written, or a piece's file read.
        OutputError: the document.xml would exceed 4 GiB, or a document lacks a part.
    """
    spool = path.with_name(path.name + ".drawings")
    try:
        stream, assembly = _stream(frame, pieces, parts_of, spool)
        document = _document(stream)
        sha256, size = write_zip(path, [document if m.name == DOCUMENT_PART else m for m in assembly.members()])
    finally:
        spool.unlink(missing_ok=True)
    placed, offset = [], 0
    for index, piece in enumerate(stream):
        if index % 2 == 1:  # head, then each document's piece and its section's end
            placed.append((offset, piece))
        offset += piece.length if isinstance(piece, PieceRef) else len(piece.data)
    return sha256, size, placed


def print_file_bytes(frame: PrintFrame, pieces: Iterable[PrintPiece], *, parts_of: PartsOf | None = None) -> bytes:
    """A print file in memory: as :func:`write_print_file` writes it.

    Raises:
        OutputError: the document.xml would exceed 4 GiB.
    """
    stream, assembly = _stream(frame, list(pieces), parts_of, None)
    whole = join_pieces([p for p in stream if isinstance(p, PrintPiece)])
    if whole.size >= _LIMIT:
        raise OutputError(f"{DOCUMENT_PART} 超过 4 GiB，请分批生成。")
    document = ZipMember(DOCUMENT_PART, zipfile.ZIP_DEFLATED, whole.crc, whole.size, whole.data)
    return zip_bytes([document if m.name == DOCUMENT_PART else m for m in assembly.members()])
