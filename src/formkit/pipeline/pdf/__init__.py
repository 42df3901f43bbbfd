"""PDF with LibreOffice: every document converted or named, each page laid out once.

The package: :mod:`.soffice` (finding LibreOffice, its fonts, one soffice process),
:mod:`.engine` (N LibreOffice workers on checked calls, one retry alone, failures named),
:mod:`.pdffiles` (PDFs checked, placed atomically, cut by markers, joined),
:mod:`.printjobs` (print files converted in marked chunks and cut into their documents'
PDFs). It knows nothing about forms.

LibreOffice 7.4 reads at most 253 command-line arguments and silently leaves out every file
past about the 245th while exiting 0 (issue 16: a 1,000-worker unit's PDFs were lost): a call
here takes at most :data:`~formkit.pipeline.pdf.engine.MAX_FILES_PER_CALL` files, and every
output is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from formkit.pipeline.pdf.engine import MAX_FILES_PER_CALL, ConversionResult, Progress, convert_documents
from formkit.pipeline.pdf.pdffiles import Made, check_pdf
from formkit.pipeline.pdf.soffice import INSTALL_HINT, PdfError, find_soffice, fontconfig_text

__all__ = [
    "INSTALL_HINT",
    "ConversionResult",
    "Made",
    "PdfError",
    "Progress",
    "check_pdf",
    "convert_documents",
    "convert_to_pdf",
    "find_soffice",
    "fontconfig_text",
]


def convert_to_pdf(
    documents: Sequence[Path],
    *,
    workers: int | None = None,
    max_files: int = MAX_FILES_PER_CALL,
    timeout: float | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> ConversionResult:
    """Convert .docx files to PDF beside them (``a.docx`` → ``a.pdf``): the simple entry.

    See :func:`~formkit.pipeline.pdf.engine.convert_documents`: ``workers`` LibreOffice
    processes, calls of at most ``max_files`` documents, every output checked, a failed
    document tried once more alone, what still fails named in ``ConversionResult.failed``.

    Args:
        timeout: seconds one LibreOffice call may take; default from its documents' size.

    Raises:
        PdfError: LibreOffice is missing or cannot be started.
    """
    limit: Callable[[Sequence[Path], Sequence[int]], float] | None = None
    if timeout is not None:
        seconds = timeout

        def limit(files: Sequence[Path], weights: Sequence[int]) -> float:
            return seconds

    return convert_documents(documents, workers=workers, max_files=max_files, timeout=limit, progress=progress)
