"""The output of a render: its report, its folder and file names, the folders it refuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.documents.template import (
    FormTemplate,
    default_template_dir,
)
from formkit.domain import annexes
from formkit.errors import EXIT_USAGE, OutputError, Problem
from formkit.files import (
    safe_name,
)
from formkit.forms import context as ctx
from formkit.records.recordset import RecordSet, UnitRecords, WorkerRecord


@dataclass
class RenderReport:
    """What one ``render`` wrote.

    Attributes:
        out: the output folder.
        files: every file of the rendered units, relative to ``out``, in document order
            (per unit: each worker's 附件3 then 附件1, the rosters, the weekly reports, the
            print files; then the PDFs), whether rendered now or kept from the previous run.
        skipped: problems of the records left out (only with ``keep_going``).
        warnings: warnings found in the records (rendering went ahead).
        counts: per unit folder name: vouchers, rosters, registrations, weekly reports.
        rebuilt: the files of ``files`` this run actually rendered or converted; the others
            were unchanged and kept. (A unit with anything rebuilt also gets its submission
            packet made again.)
        processes: how many processes rendered (1: no pool).
        packets: the submission packets (zip files, relative to ``out``) made this run, one
            per unit rendered complete (notice §四.3; see :mod:`formkit.pipeline.packets`).
        publicity: the masked copies for 公示 written this run (relative to ``out``), see
            ``render(mask=...)``.
        pdf_pages: with ``pdf``, each PDF (relative to ``out``) whose pages are not what its
            page rules give (formkit.forms.pages.expected_pages), or a print file's PDF whose
            pages are not the sum of its documents', and what to check.
        pdf_peak_rss: with ``pdf``, the highest memory of all LibreOffice processes at one
            moment (bytes; None where it cannot be measured).
        pdf_failed: with ``pdf``, each PDF (relative to ``out``) LibreOffice could not make,
            and why; its .docx is written all the same (:attr:`complete` is then false).
        pdf_removed: without ``pdf``, the PDFs (relative to ``out``) removed because their
            document was rendered again (they might no longer match it) or is gone; the
            PDFs of unchanged documents are kept (and are in ``files``).
        draft_summaries: the packets of ``packets`` whose 活动小结 is formkit's draft (the
            unit's records folder has no 活动小结.docx), each with where the finished one
            goes (:func:`formkit.pipeline.packets.user_summary_path`).
    """

    out: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rebuilt: list[Path] = field(default_factory=list)
    processes: int = 1
    packets: list[Path] = field(default_factory=list)
    pdf_pages: list[tuple[Path, str]] = field(default_factory=list)
    pdf_peak_rss: int | None = None
    pdf_failed: list[tuple[Path, str]] = field(default_factory=list)
    publicity: list[Path] = field(default_factory=list)
    pdf_removed: list[Path] = field(default_factory=list)
    draft_summaries: dict[Path, Path] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when nothing was left out: no record skipped, no PDF missing."""
        return not any(p.is_error for p in self.skipped) and not self.pdf_failed


#: Suffix of the output folder of a unit rendered with some of its records left out.
INCOMPLETE = "（不完整）"


def unit_has_errors(records: RecordSet, unit: UnitRecords) -> bool:
    """True when any error of ``records`` lies in a file of ``unit``'s folder."""
    prefix = unit.folder.as_posix().rstrip("/") + "/"
    return any(p.path.as_posix().startswith(prefix) for p in records.errors)


def load_templates(folder: Path | None) -> dict[str, FormTemplate]:
    folder = Path(folder) if folder is not None else default_template_dir()
    return {document.kind: FormTemplate(folder / document.template) for document in annexes.RENDERED}


def worker_sort_key(rec: WorkerRecord) -> tuple[Any, ...]:
    return rec.sort_key


def document_name(worker: dict[str, Any], rec: WorkerRecord) -> str:
    number = ctx.to_text(worker.get("档案编号"))
    name = ctx.to_text(worker.get("姓名"))
    return safe_name("_".join(p for p in (number, name) if p) or rec.path.stem) + ".docx"


def refuse_records_as_output(records: Path, out: Path) -> None:
    """Refuse an output folder that is, holds or lies inside the records being read.

    Swapping unit folders into such a folder would replace the records themselves.

    Raises:
        OutputError: naming both folders.
    """
    try:
        source, target = Path(records).resolve(), out.resolve()
    except OSError:
        return
    if source == target or source.is_relative_to(target) or target.is_relative_to(source):
        refused = OutputError(
            f"输出文件夹 {out} 不能是记录文件夹 {records}，也不能在它里面或包含它：生成的文件会替换记录。请换一个输出文件夹，例如 output。"
        )
        refused.exit_code = EXIT_USAGE  # the -o given is wrong, not the computer
        raise refused


#: Folder (inside the output folder) of the masked copies for 公示 and the press.
