"""Print files converted in marked chunks and cut into their documents' PDFs (each page laid out once)."""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit.documents.printfile import section_break_end, section_of_break
from formkit.errors import os_reason
from formkit.pipeline.pdf.engine import ConversionResult, Progress, convert_documents
from formkit.pipeline.pdf.pdffiles import Made, concatenate_pdfs, split_print_pdf
from formkit.pipeline.pdf.soffice import PdfError

MARKER_PREFIX = "formkitDoc"
#: ``w:id`` of the markers: above the ids Word and LibreOffice give bookmarks.
MARKER_ID_BASE = 1_000_000_000


# --------------------------------------------------------------------------------------
# Markers: where each document starts in a print file's PDF
# --------------------------------------------------------------------------------------


def marker_name(position: int) -> str:
    """The marker of the document at ``position`` (0-based) in a print file: a Word bookmark
    name that is valid, unique and not hidden, e.g. ``formkitDoc000042``."""
    return f"{MARKER_PREFIX}{position:06d}"


_P_OPEN = re.compile(rb"<w:p(?:\s[^>]*?)?(/?)>")
#: The paragraph a print file puts before a document that does not open with a paragraph
#: (formkit.render.page_break_prefix): its content stays on the page before the break.
_PAGE_BREAK_P = b'<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def add_marker(content: bytes, name: str, ident: int) -> bytes:
    """A document's body content (UTF-8 XML of the children of ``w:body``, as a print-file
    piece holds it) with a marker at the start of its first paragraph.

    The marker is an empty Word bookmark, ``<w:bookmarkStart w:id=ident w:name=name/>``
    followed by its ``w:bookmarkEnd``, placed right after the paragraph's ``w:pPr`` (or its
    opening tag); LibreOffice exports it as a PDF named destination on the page the
    paragraph is on, read back by :func:`marker_pages`. Nothing is laid out differently.
    The paragraph is the first ``w:p`` of the content: that of the first table cell when the
    document opens with a table, and not the page-break paragraph a print file puts before
    such a document (a marker there lands on the page before the break: measured).

    Args:
        content: the body content.
        name: the bookmark name (see :func:`marker_name`).
        ident: the bookmark's ``w:id``, unique in the print file (see :data:`MARKER_ID_BASE`).

    Raises:
        ValueError: the content holds no paragraph.
    """
    marker = f'<w:bookmarkStart w:id="{ident}" w:name="{name}"/><w:bookmarkEnd w:id="{ident}"/>'.encode()
    start = 0
    lead = len(content) - len(content.lstrip())
    if content.startswith(_PAGE_BREAK_P, lead):
        start = lead + len(_PAGE_BREAK_P)
    m = _P_OPEN.search(content, start)
    if m is None:
        raise ValueError("content holds no paragraph")
    if m.group(1):  # <w:p/>: an empty paragraph
        return content[: m.end() - 2] + b">" + marker + b"</w:p>" + content[m.end() :]
    end = m.end()
    if content.startswith(b"<w:pPr/>", end):
        end += len(b"<w:pPr/>")
    elif content.startswith(b"<w:pPr>", end) or content.startswith(b"<w:pPr ", end):
        close = content.find(b"</w:pPr>", end)
        if close < 0:
            raise ValueError("unclosed w:pPr")
        end = close + len(b"</w:pPr>")
    return content[:end] + marker + content[end:]


_FIELD_INSTR = re.compile(rb"<w:instrText[^>]*>([^<]*)<|w:instr=\"([^\"]*)\"")
_PAGE_FIELDS = re.compile(rb"\b(PAGE|NUMPAGES|SECTIONPAGES|PAGEREF)\b")


def page_fields(docx: Path) -> list[str]:
    """The page-number fields (PAGE, NUMPAGES, SECTIONPAGES, PAGEREF) a .docx holds in its
    body, headers or footers, e.g. ``["PAGE", "NUMPAGES"]`` (each once, in order found).

    A document with such fields shows other numbers when cut out of a print file (page 37 of
    the print file instead of page 1) and a print file converted in chunks restarts them at
    each chunk: such print files are converted whole and their documents one by one.

    Raises:
        OSError, zipfile.BadZipFile: the file cannot be read as a .docx.
    """
    found: list[str] = []
    with zipfile.ZipFile(docx) as z:
        for info in z.infolist():
            name = info.filename
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            if not (name == "word/document.xml" or "/header" in name or "/footer" in name):
                continue
            data = z.read(name)
            for m in _FIELD_INSTR.finditer(data):
                for word in _PAGE_FIELDS.findall(m.group(1) or m.group(2) or b""):
                    text = word.decode()
                    if text not in found:
                        found.append(text)
    return found


# --------------------------------------------------------------------------------------
# Print files: converted in chunks, cut into their documents
# --------------------------------------------------------------------------------------

#: Documents per chunk of a print file. A registration form costs 30 ms of LibreOffice CPU
#: in a chunk of 100 and 42 ms in a document of 1,000; smaller chunks pay more start-ups
#: and documents per call, and their documents' PDFs cut out carry the font subsets of
#: fewer documents (see :func:`split_print_pdf`).
CHUNK_DOCUMENTS = 100


def chunk_ranges(count: int, size: int = CHUNK_DOCUMENTS) -> list[tuple[int, int]]:
    """Cut ``count`` documents into chunks of at most ``size``, as even as possible:
    0-based half-open ``(start, end)`` ranges in order (``[]`` for 0 documents).

    >>> chunk_ranges(250)
    [(0, 84), (84, 167), (167, 250)]
    """
    if count <= 0:
        return []
    n = -(-count // max(1, size))
    return [(count * i // n, count * (i + 1) // n) for i in range(n)]


def stable_chunk_ranges(keys: Sequence[str], size: int = CHUNK_DOCUMENTS) -> list[tuple[int, int]]:
    """Chunks of documents whose boundaries follow the documents, not their positions.

    A chunk ends before a document whose key hashes to a multiple of ``size / 2`` once it
    holds ``size / 2`` documents, and at ``2 × size`` in any case: about ``size`` documents
    on average. Adding or removing a document changes its own chunk only (or merges it with
    the next one), where :func:`chunk_ranges` may shift every later boundary: chunk PDFs
    kept from one run to the next stay usable. (bench/pdf.py's incremental run does not
    need them: it converts the changed documents alone and splices the print PDF by the
    documents' pages, :func:`concatenate_pdfs`.)

    Args:
        keys: a stable identity per document, in print-file order (formkit: the digest of
            what the document was made from).
        size: the mean chunk length.

    Returns:
        0-based half-open ``(start, end)`` ranges covering ``keys`` in order.
    """
    if not keys:
        return []
    half = max(1, size // 2)
    ranges, start = [], 0
    for i, key in enumerate(keys):
        length = i - start
        if length >= 2 * size or (length >= half and int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) % half == 0):
            ranges.append((start, i))
            start = i
    ranges.append((start, len(keys)))
    return ranges


@dataclass
class PrintJob:
    """A print file converted in chunks and cut into its documents' PDFs.

    Attributes:
        source: the print file's .docx (its key in the result; not read).
        target: where the print file's PDF goes.
        chunks: .docx files holding the print file's documents in order, in chunks, each
            document's first paragraph with its marker (:func:`add_marker`); together, the
            print file's pages.
        names: per chunk, the markers of its documents in order.
        documents: marker → (the document's own .docx, where its PDF goes). The .docx is
            converted by itself only when its chunk fails.
    """

    source: Path
    target: Path
    chunks: Sequence[Path]
    names: Sequence[Sequence[str]]
    documents: Mapping[str, tuple[Path, Path]]


def convert_print_jobs(
    jobs: Sequence[PrintJob],
    others: Sequence[Path] = (),
    *,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    on_call: Callable[[int, Sequence[Path]], None] | None = None,
    soffice: Path | None = None,
    work_dir: Path | None = None,
    **options: Any,
) -> ConversionResult:
    """Convert print files chunk by chunk, cut each chunk's PDF into its documents' PDFs,
    and join the chunks' PDFs into each print file's PDF: each page is laid out once.

    All chunks and ``others`` (documents converted as they are, e.g. a roster with page
    numbers) go to one :func:`convert_documents` run, so the workers share them, largest
    first. A chunk that fails, or whose markers are not all found in order, is replaced by
    its documents' own .docx, converted one by one in a second run; the print file's PDF is
    then joined from those. A print file whose parts are not all there gets no PDF and is
    named in ``failed``.

    Args:
        jobs: the print files.
        others: documents converted whole, their PDFs beside them.
        workers, progress, on_call, soffice, work_dir: as :func:`convert_documents`
            (``progress`` counts chunks and others, then the documents of a second run).
        options: more keyword arguments of :func:`convert_documents` (``max_files``,
            ``budget``, ``min_share``, ``timeout``).

    Returns:
        A :class:`ConversionResult` keyed by .docx: every document of every job, each job's
        ``source`` (its PDF: ``target``) and each of ``others``, in ``made`` or ``failed``.

    Raises:
        PdfError, ValueError: as :func:`convert_documents`.
    """
    common: dict[str, Any] = dict(workers=workers, progress=progress, on_call=on_call, soffice=soffice, work_dir=work_dir, **options)
    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)  # no print job wrote chunks into it: only whole documents
    with tempfile.TemporaryDirectory(prefix="formkit-chunks-", dir=work_dir, ignore_cleanup_errors=True) as tmp_name:
        tmp = Path(tmp_name)
        chunk_pdf: dict[Path, Path] = {}
        chunk_of: dict[Path, tuple[PrintJob, Sequence[str]]] = {}
        for j, job in enumerate(jobs):
            if len(job.chunks) != len(job.names):
                raise ValueError(f"{job.source}: {len(job.chunks)} chunks but {len(job.names)} lists of names")
            for c, (chunk, names) in enumerate(zip(map(Path, job.chunks), job.names)):
                chunk_pdf[chunk] = tmp / f"print{j:04d}-{c:04d}.pdf"
                chunk_of[chunk] = (job, names)
        cut: dict[Path, dict[str, Made]] = {}
        cut_error: dict[Path, str] = {}

        def split_chunk(doc: Path, made: Made) -> None:  # in a worker thread, as each chunk is made
            if doc in chunk_of:
                job, names = chunk_of[doc]
                try:
                    cut[doc] = split_print_pdf(made.pdf, names, {n: job.documents[n][1] for n in names})
                except Exception as exc:
                    if isinstance(exc, OSError):
                        cut_error[doc] = f"无法写入拆分出的 PDF：{os_reason(exc)}"
                    elif isinstance(exc, PdfError):
                        cut_error[doc] = str(exc)
                    else:
                        cut_error[doc] = f"无法拆分（{type(exc).__name__}）"

        first = convert_documents([*chunk_pdf, *map(Path, others)], targets=chunk_pdf, on_made=split_chunk, **common)
        result = ConversionResult(
            made={d: m for d, m in first.made.items() if d not in chunk_pdf},
            failed={d: r for d, r in first.failed.items() if d not in chunk_pdf},
            retried=first.retried,
            calls=first.calls,
            peak_rss=first.peak_rss,
            seconds=first.seconds,
            workers=first.workers,
        )
        fallback: list[Path] = []
        fallback_targets: dict[Path, Path] = {}
        why: dict[Path, str] = {}
        parts: dict[int, list[tuple[bool, Path]]] = {}  # per job: (is a chunk's PDF, the PDF or the document)
        for j, job in enumerate(jobs):
            parts[j] = []
            for chunk, names in zip(map(Path, job.chunks), job.names):
                if chunk in cut:
                    for n in names:
                        result.made[job.documents[n][0]] = cut[chunk][n]
                    parts[j].append((True, chunk_pdf[chunk]))
                    continue
                problem = cut_error.get(chunk) or first.failed.get(chunk)
                for n in names:  # the chunk failed: its documents one by one
                    doc, pdf = job.documents[n]
                    fallback.append(doc)
                    fallback_targets[doc] = pdf
                    why[doc] = problem or "未知原因"
                    parts[j].append((False, doc))
        if fallback:
            second = convert_documents(fallback, targets=fallback_targets, **common)
            for doc, reason in second.failed.items():
                second.failed[doc] = f"{reason}（所在打印件分段：{why[doc]}）"
            result.merge(second)
        for j, job in enumerate(jobs):
            pieces: list[Path] = []
            missing = []
            for is_chunk, part in parts[j]:
                if is_chunk:
                    pieces.append(part)
                elif part in result.made:  # a document of a failed chunk, converted by itself
                    pieces.append(result.made[part].pdf)
                else:
                    missing.append(part)
            if missing:
                result.failed[Path(job.source)] = f"打印件缺少 {len(missing)} 份文档的 PDF（如 {Path(missing[0]).name}），未生成"
                continue
            try:
                pages = concatenate_pdfs(pieces, Path(job.target))
            except (PdfError, OSError) as exc:
                result.failed[Path(job.source)] = f"打印件 PDF 无法拼接：{exc}"
                continue
            result.made[Path(job.source)] = Made(Path(job.target), pages)
    return result


def write_marked_chunks(
    print_docx: Path,
    piece_sizes: Sequence[int],
    folder: Path,
    *,
    size: int = CHUNK_DOCUMENTS,
    chunks: Sequence[Sequence[int]] | None = None,
    stem: str = "chunk",
) -> tuple[list[Path], list[list[str]]]:
    """Write a print file that is already on disk again as marked chunks.

    For experiments, the benchmark and tests: a batch writes its chunks from the documents'
    print-file pieces directly (see the integration notes in bench/pdf.py). The print
    file's ``word/document.xml`` is cut after ``<w:body>`` into its documents' pieces by
    their sizes (uncompressed bytes, in order; the rest is the final ``w:sectPr`` and the
    closing tags), each piece gets its marker (:func:`add_marker` with
    :func:`marker_name` of its position in the print file), and the pieces are written in
    chunks of at most ``size`` (:func:`chunk_ranges`) as .docx files with the print file's
    other parts unchanged.

    Args:
        print_docx: a print file (document bodies one after another in ``w:body``).
        piece_sizes: the uncompressed size of each document's piece, in order.
        folder: where the chunks go (``<stem>0000.docx`` …), created if needed.
        size: documents per chunk (:func:`chunk_ranges`), unless ``chunks`` are given.
        chunks: each chunk's documents, as positions in the print file in order (e.g.
            ``range(lo, hi)`` of :func:`stable_chunk_ranges`, or the changed documents of an
            incremental run); documents in none are not written.

    Returns:
        The chunk files and, per chunk, its markers in order.

    Raises:
        ValueError: the sizes do not cut the body into pieces that start with a paragraph.
        OSError, zipfile.BadZipFile: the print file cannot be read or a chunk written.
    """
    with zipfile.ZipFile(print_docx) as z:
        infos = z.infolist()
        xml = z.read("word/document.xml")
        others = {i.filename: z.read(i) for i in infos if i.filename != "word/document.xml"}
    opening = re.search(rb"<w:body(?:\s[^>]*)?>", xml)
    if opening is None:
        raise ValueError("no w:body")
    pos = opening.end()
    head = xml[:pos]
    pieces, breaks = [], []
    for n, length in enumerate(piece_sizes):
        pieces.append(add_marker(xml[pos : pos + length], marker_name(n), MARKER_ID_BASE + n))
        pos += length
        end = section_break_end(xml, pos)  # each document is a section of its own (documents.printfile)
        breaks.append(xml[pos:end])
        pos = end
    tail = xml[pos:]
    if not tail.lstrip().startswith((b"<w:sectPr", b"</w:body>")):
        raise ValueError("the piece sizes do not reach the end of the body")
    closing = tail[tail.find(b"</w:body>") :]
    folder.mkdir(parents=True, exist_ok=True)
    files, names = [], []
    if chunks is None:
        chunks = [range(lo, hi) for lo, hi in chunk_ranges(len(pieces), size)]
    for c, positions in enumerate(chunks):
        path = folder / f"{stem}{c:04d}.docx"
        # each document keeps the paragraph ending its section, but the chunk's last, whose
        # section properties become the chunk's final ones (a section break before the end
        # of the body would add a blank page)
        last = positions[-1] if positions else None
        body = b"".join(pieces[n] + (breaks[n] if n != last else b"") for n in positions)
        ending = section_of_break(breaks[last]) + closing if last is not None and breaks[last] else tail
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info in infos:
                data = head + body + ending if info.filename == "word/document.xml" else others[info.filename]
                out.writestr(info.filename, data)
        files.append(path)
        names.append([marker_name(n) for n in positions])
    return files, names
