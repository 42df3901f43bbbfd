"""PDF files: checked whole, placed atomically, cut into documents by markers, joined."""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit.files import replace_file
from formkit.pipeline.pdf.soffice import PdfError


@dataclass(frozen=True)
class Made:
    """A PDF in place: its path and its number of pages."""

    pdf: Path
    pages: int


# --------------------------------------------------------------------------------------
# Checking a PDF
# --------------------------------------------------------------------------------------


class InvalidPdf(Exception):
    """A file that should be a PDF is not a usable one; the message says why (Chinese)."""


def check_pdf(path: Path) -> int:
    """The number of pages of the PDF at ``path``, after checking it is a whole, readable PDF.

    Checks: the file exists and is not empty, starts with ``%PDF-``, ends with ``%%EOF``
    (within its last 2 KB: a PDF cut short by a killed process does not), pypdf reads it and
    it has at least one page.

    Raises:
        InvalidPdf: why not (Chinese).
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        size = path.stat().st_size
    except OSError:
        raise InvalidPdf("LibreOffice 没有生成 PDF") from None
    if size == 0:
        raise InvalidPdf("生成的 PDF 是空文件")
    with open(path, "rb") as fh:
        if fh.read(5) != b"%PDF-":
            raise InvalidPdf("生成的文件不是 PDF（开头不是 %PDF-）")
        fh.seek(max(0, size - 2048))
        if b"%%EOF" not in fh.read():
            raise InvalidPdf("生成的 PDF 不完整（缺少结尾 %%EOF）")
    try:
        pages = len(PdfReader(path, strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InvalidPdf(f"生成的 PDF 无法读取（{type(exc).__name__}: {exc}）") from exc
    if pages < 1:
        raise InvalidPdf("生成的 PDF 没有页面")
    return pages


def document_weight(path: Path) -> int:
    """The work a document is expected to cost LibreOffice, in bytes: the uncompressed size
    of its ``word/document.xml`` (from the zip directory, nothing inflated), or the file's
    size when it is not a readable .docx. 0 for a missing file."""
    try:
        with zipfile.ZipFile(path) as z:
            return z.getinfo("word/document.xml").file_size
    except (OSError, zipfile.BadZipFile, KeyError):
        try:
            return path.stat().st_size
        except OSError:
            return 0


def place_file(src: Path, target: Path) -> None:
    """Move ``src`` to ``target`` atomically: into a temporary name in the target's folder,
    then renamed over it (a reader never sees half a file). The folder is created.

    Raises:
        OSError: the file cannot be moved or the folder written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".~{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        shutil.move(str(src), tmp)
        if sys.platform != "win32":
            os.chmod(tmp, 0o600)  # personal data: readable by its owner only, as every output file
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def marker_pages(pdf: Path | Any, names: Sequence[str]) -> list[int]:
    """The 0-based page each marker is on, in the order of ``names``.

    Args:
        pdf: a PDF path (or an open ``pypdf.PdfReader``) exported with :data:`PDF_FILTER`.
        names: the markers of its documents, in print-file order.

    Raises:
        PdfError: a marker is missing (the PDF was not exported with named destinations, or
            the document has no marker), the first document does not start on page 1, or
            the pages do not increase (two documents starting on the same page).
    """
    from pypdf import PdfReader

    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(pdf, strict=False)
    found: dict[str, int] = {}
    for key, dest in reader.named_destinations.items():
        name = key[1:] if key.startswith("/") else key
        try:
            page = reader.get_destination_page_number(dest)
        except Exception:  # a destination without a page: not ours
            continue
        if page is not None:
            found[name] = page
    missing = [n for n in names if n not in found or found[n] < 0]
    if missing:
        raise PdfError(f"PDF 中缺少 {len(missing)} 个文档起始标记（如 {missing[0]}），无法按文档拆分。")
    starts = [found[n] for n in names]
    if starts and starts[0] != 0:
        raise PdfError(f"第一个文档从第 {starts[0] + 1} 页开始，而不是第 1 页，无法按文档拆分。")
    for i in range(1, len(starts)):
        if starts[i] <= starts[i - 1]:
            raise PdfError(f"文档 {names[i]} 的起始页（第 {starts[i] + 1} 页）不在前一个文档之后，无法按文档拆分。")
    return starts


def write_pdf(writer: Any, target: Path) -> None:
    """Write a pypdf writer to ``target`` atomically (:func:`formkit.files.replace_file`; not
    flushed to disk: it waits in a staging folder), the folder created."""
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_file(target, writer.write, fsync=False)


_TF = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+[-+.\d]+\s+Tf")


def prune_fonts(page: Any) -> None:
    """Leave in a page's resources only the fonts its content selects (``Tf``).

    LibreOffice gives every page of a PDF one shared resource dictionary naming every font
    subset of the document; a page cut out with all of them carries the whole document's
    glyphs (measured: a one-page cut of 100 pages of varied Chinese text 1,666 KB, pruned
    349 KB). Pages whose content cannot be read keep their resources.
    """
    from pypdf.generic import DictionaryObject, NameObject

    try:
        resources = page["/Resources"].get_object()
        fonts = resources["/Font"].get_object()
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
    except (KeyError, AttributeError, ValueError, TypeError):
        return
    used = {m.group(1).decode("latin-1") for m in _TF.finditer(data)}
    if not used <= {str(k)[1:] for k in fonts}:
        return  # a font from elsewhere (a form's own resources?): leave everything
    pruned = DictionaryObject({NameObject(k): v for k, v in resources.items()})
    pruned[NameObject("/Font")] = DictionaryObject({NameObject(k): v for k, v in fonts.items() if str(k)[1:] in used})
    page[NameObject("/Resources")] = pruned


def split_print_pdf(print_pdf: Path, names: Sequence[str], targets: Mapping[str, Path] | Sequence[Path]) -> dict[str, Made]:
    """Cut a print file's PDF into its documents' PDFs, by the pages its markers are on.

    Document i is the pages from its marker's page up to the page before the next marker's
    (the last: up to the end). Each PDF is written atomically, with the print file's
    document information (title, producer); the markers do not go along, nor the fonts its
    pages do not use (:func:`prune_fonts`). A cut PDF is still larger than the document's
    own conversion would be: the font subsets it uses hold glyphs of the whole chunk (fake
    one-page vouchers: 90–128 KB cut out, 54 KB converted alone; pages of random Chinese text
    112–1,023 KB cut out of a 1,035 KB chunk of 20).

    Args:
        print_pdf: the PDF of a print file (or a chunk of one) whose documents carry the
            markers ``names`` (:func:`add_marker`), exported with :data:`PDF_FILTER`.
        names: the markers in print-file order.
        targets: marker → the document's PDF path, or the paths in the order of ``names``.

    Returns:
        marker → the PDF written and its pages.

    Raises:
        PdfError: see :func:`marker_pages`; also when the PDF cannot be read.
        OSError: a PDF cannot be written.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    if not isinstance(targets, Mapping):
        targets = dict(zip(names, targets, strict=True))
    try:
        reader = PdfReader(print_pdf, strict=False)
        total = len(reader.pages)
        starts = marker_pages(reader, names)
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        raise PdfError(f"无法读取 {Path(print_pdf).name}：{exc}") from exc
    info = reader.metadata
    made: dict[str, Made] = {}
    for i, name in enumerate(names):
        end = starts[i + 1] if i + 1 < len(names) else total
        writer = PdfWriter()
        for number in range(starts[i], end):
            page = reader.pages[number]
            prune_fonts(page)
            writer.add_page(page)
        if info:
            writer.add_metadata({k: v for k, v in info.items() if isinstance(k, str)})
        write_pdf(writer, Path(targets[name]))
        made[name] = Made(Path(targets[name]), end - starts[i])
    return made


def concatenate_pdfs(parts: Sequence[Path | tuple[Path, int, int]], target: Path) -> int:
    """Write ``target`` as the pages of ``parts`` one after another (atomically).

    Used for a print file converted in chunks: its PDF is its chunks' PDFs in order; and
    for an incremental run: the previous print PDF's pages of the unchanged documents and
    the new pages of the changed ones. Each PDF brings its own font subsets (once, however
    many of its ranges are taken), so the result is somewhat larger than one conversion of
    the whole (bench/pdf.py prints both sizes); the pages and their text are the same.
    Named destinations (markers) are not copied.

    Args:
        parts: PDFs, or (PDF, first page, end page) 0-based half-open ranges of them.
        target: the PDF to write; the document information of the first part goes along.

    Returns:
        The number of pages written.

    Raises:
        PdfError: a part cannot be read.
        OSError: the target cannot be written.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    writer = PdfWriter()
    pages = 0
    readers: dict[Path, Any] = {}  # one reader per file: its fonts are copied once
    for n, part in enumerate(parts):
        path, lo, hi = (part, 0, None) if isinstance(part, (str, Path)) else part
        try:
            reader = readers.get(Path(path))
            if reader is None:
                reader = readers[Path(path)] = PdfReader(path, strict=False)
            stop = len(reader.pages) if hi is None else hi
            if not 0 <= lo <= stop <= len(reader.pages):
                raise ValueError(f"pages {lo}-{stop} of {len(reader.pages)}")
            for number in range(lo, stop):
                writer.add_page(reader.pages[number])
        except (PyPdfError, ValueError, KeyError, OSError) as exc:
            raise PdfError(f"无法读取 {Path(path).name}：{exc}") from exc
        pages += stop - lo
        if n == 0 and reader.metadata:
            writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(k, str)})
    write_pdf(writer, Path(target))
    return pages
