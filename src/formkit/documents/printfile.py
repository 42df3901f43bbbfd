"""Print files: every document of one annex of a unit, page after page, in one .docx."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit.documents.body import (
    page_break_prefix,
    split_final_sectpr,
    split_first_paragraph,
)
from formkit.documents.deflate import (
    PieceRef,
    PrintPiece,
    compress_piece,
    crc32_combine,
    deflated_member,
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
    """The parts of a print file that do not come from its pieces (see :func:`print_frame`).

    Attributes:
        members: the first document's parts; document.xml is replaced.
        head: document.xml up to and including ``<w:body>``, deflated.
        tail: the final ``w:sectPr``, ``</w:body>`` and the rest of document.xml, deflated
            (final).
    """

    members: list[ZipMember]
    head: PrintPiece
    tail: PrintPiece


def write_print_file(path: Path, frame: PrintFrame, pieces: Sequence[PrintPiece | PieceRef]) -> tuple[str, int]:
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


def print_frame(template: FormTemplate, first: RenderedDocument) -> PrintFrame:
    """What a print file of ``template`` takes from its first document.

    Its parts other than document.xml (headers of the first document, styles …), the
    document.xml head and tail of the template, and the first document's final section
    properties (page size and margins of the whole print file).
    """
    prep = template._prepare()
    sect = first.final_sectpr()
    if prep.fallback:
        whole = _document_xml(first.members)
        opening = _BODY_OPEN_B.search(whole)
        assert opening is not None
        head, tail = whole[: opening.end()], whole[whole.rindex(b"</w:body>") :]
        head_piece = compress_piece(head, template.level)
    else:
        head_piece, tail = prep.head_piece, prep.tail
    tail_piece = compress_piece((sect or b"<w:sectPr/>") + tail, template.level, final=True)
    return PrintFrame(list(first.members), head_piece, tail_piece)
