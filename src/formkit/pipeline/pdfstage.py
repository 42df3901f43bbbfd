"""The PDF stage of a render: each page laid out once, every document converted or named.

A unit's print files hold every document of their annex, each in a section of its own
(:mod:`formkit.documents.printfile`). They are converted in chunks of about a hundred
documents, each document's first paragraph marked (:mod:`formkit.pipeline.pdf.printjobs`);
each chunk's PDF is cut into its documents' PDFs at the markers and the chunks' PDFs are joined
into the print file's PDF, so LibreOffice lays every page out once, on every core. Documents in
no print file (the roster) and print files whose templates number their pages (a ``PAGE``
field would count on across a chunk's documents) are converted as they are.

An incremental run converts only the documents rendered again: their PDFs are cut from chunks
of them alone, and the print file's PDF is spliced from the previous one's pages of the
unchanged documents and the new pages (:func:`~formkit.pipeline.pdf.pdffiles.concatenate_pdfs`),
the pages of each document known from the previous manifest.

Pages are counted: a document whose PDF has another number of pages than its page rules give
(:func:`formkit.forms.pages.expected_pages`, noted when it was rendered), and a print file whose
pages are not the sum of its documents', are named in ``RenderReport.pdf_pages``.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formkit.domain import annexes
from formkit.pipeline.pdf import PdfError, Progress
from formkit.pipeline.pdf.pdffiles import concatenate_pdfs
from formkit.pipeline.pdf.printjobs import (
    CHUNK_DOCUMENTS,
    PrintJob,
    convert_print_jobs,
    page_fields,
    stable_chunk_ranges,
    write_marked_chunks,
)

if TYPE_CHECKING:
    from formkit.pipeline.batch import Batch
    from formkit.pipeline.plan import UnitPlan

__all__ = ["PdfStage"]

#: Folder (inside the staging folder) of the chunks and the throwaway PDFs of one run.
WORK_DIR = ".pdf-work"


@dataclass
class _Splice:
    """A print file's PDF to be joined from the previous print PDF and new document PDFs."""

    unit: str
    rel: str  # the print file's PDF, in the unit folder
    parts: list[tuple[str, Any]] = field(default_factory=list)  # ("old", (pdf, lo, hi)) or ("new", document .docx)


class PdfStage:
    """Converts the staged units of a :class:`~formkit.pipeline.batch.Batch` to PDF.

    Args:
        batch: the batch whose units are staged (their print files and manifests written).
        workers: LibreOffice processes side by side; default the number of CPUs.
        on_pdf: called with (documents settled, documents in all, pages made) as the
            conversion goes (for a progress bar).
    """

    def __init__(self, batch: Batch, *, workers: int | None = None, on_pdf: Callable[[int, int, int], None] | None = None) -> None:
        self.batch = batch
        self.workers = workers
        self.on_pdf = on_pdf
        self.work = batch.stage / WORK_DIR
        self.jobs: list[PrintJob] = []
        self.others: list[Path] = []
        self.splices: list[_Splice] = []
        #: every document and print file to get a PDF: staged .docx → (unit, rel of the .docx)
        self.wanted: dict[Path, tuple[str, str]] = {}
        self.members: dict[tuple[str, str], list[str]] = {}  # (unit, print file rel) → its documents' rels
        self.manifests: dict[str, dict[str, Any]] = {}
        self.fields: dict[str, bool] = {}  # annex kind → its template numbers pages

    # -- planning -----------------------------------------------------------------------

    def plan(self) -> bool:
        """Decide what each staged unit needs converted; False when nothing is."""
        for plan in self.batch.units:
            if plan.staged:
                self.plan_unit(plan)
        return bool(self.wanted)

    def plan_unit(self, plan: UnitPlan) -> None:
        folder = self.batch.stage / plan.name
        manifest = self.manifests[plan.name] = self.batch.staged_manifest(plan)
        files: dict[str, dict[str, Any]] = manifest["files"]
        want = [rel for rel in plan.rels if rel.endswith(".docx") and rel[:-5] + ".pdf" not in files]
        for rel in want:
            self.wanted[folder / rel] = (plan.name, rel)
        covered: set[str] = set()
        previous, _ = self.batch.previous(plan)
        for annex in annexes.RENDERED:
            if not annex.printed or annex.print_file not in plan.rels:
                continue
            members = self.print_members(annex, files, manifest.get("pieces", {}).get(annex.print_file, []))
            if members is None:
                continue  # the table does not match the files: its documents go whole
            self.members[(plan.name, annex.print_file)] = members
            changed = [i for i, rel in enumerate(members) if rel in self.wanted_rels(plan.name)]
            if annex.print_file not in want and not changed:
                continue
            covered.add(annex.print_file)
            covered.update(members[i] for i in changed)
            if self.numbers_pages(annex, folder / annex.print_file):
                self.others += [folder / annex.print_file] + [folder / members[i] for i in changed]
                continue
            sizes = [row[4] for row in manifest["pieces"][annex.print_file]]
            keys = [row[0] for row in manifest["pieces"][annex.print_file]]
            old = self.old_pages(plan, annex, previous, files, members)
            if old is not None and annex.print_file in want:
                self.splice(plan, annex, members, changed, sizes, old)
            else:
                self.whole(plan, annex, members, sizes, keys)
        self.others += [folder / rel for rel in want if rel not in covered]

    def wanted_rels(self, unit: str) -> set[str]:
        return {rel for u, rel in self.wanted.values() if u == unit}

    @staticmethod
    def print_members(annex: annexes.Document, files: dict[str, dict[str, Any]], rows: list[list[Any]]) -> list[str] | None:
        """The documents of a print file, in its order, from the manifest's piece table."""
        by_key: dict[str, list[str]] = {}
        for rel, entry in sorted(files.items()):
            if rel.startswith(annex.folder + "/") and rel.endswith(".docx"):
                by_key.setdefault(entry["key"], []).append(rel)
        members = []
        for row in rows:
            found = by_key.get(row[0])
            if not found:
                return None
            members.append(found.pop(0))
        return members if members else None

    def numbers_pages(self, annex: annexes.Document, print_docx: Path) -> bool:
        if annex.kind not in self.fields:
            self.fields[annex.kind] = bool(page_fields(print_docx))
        return self.fields[annex.kind]

    def old_pages(self, plan: UnitPlan, annex: annexes.Document, previous: dict[str, Any] | None,
                  files: dict[str, dict[str, Any]], members: list[str]) -> dict[str, tuple[Path, int, int]] | None:  # fmt: skip
        """The previous print PDF's page range of each unchanged document, or None when it
        cannot serve (no previous PDF, pages not recorded, or another print file)."""
        if previous is None:
            return None
        old_files = previous.get("files", {})
        pdf_rel = annex.print_file[:-5] + ".pdf"
        old_pdf = self.batch.out / plan.name / pdf_rel
        entry = old_files.get(pdf_rel)
        if entry is None or not old_pdf.is_file() or entry.get("key") != old_files.get(annex.print_file, {}).get("sha256"):
            return None
        old_members = self.print_members(annex, old_files, previous.get("pieces", {}).get(annex.print_file, []))
        if old_members is None:
            return None
        ranges: dict[str, tuple[Path, int, int]] = {}
        page = 0
        for rel in old_members:
            pages = old_files.get(rel[:-5] + ".pdf", {}).get("pages")
            if not pages:
                return None
            ranges[old_files[rel]["key"]] = (old_pdf, page, page + pages)
            page += pages
        if page != entry.get("pages"):
            return None
        return ranges

    def whole(self, plan: UnitPlan, annex: annexes.Document, members: list[str], sizes: list[int], keys: list[str]) -> None:
        """Convert a print file in marked chunks and cut every document's PDF out of it."""
        folder = self.batch.stage / plan.name
        work = self.work / f"{len(self.jobs):04d}"
        chunks = [range(lo, hi) for lo, hi in stable_chunk_ranges(keys, CHUNK_DOCUMENTS)]
        paths, names = write_marked_chunks(folder / annex.print_file, sizes, work, chunks=chunks)
        documents: dict[str, tuple[Path, Path]] = {}
        wanted = self.wanted_rels(plan.name)
        for positions, chunk_names in zip(chunks, names):
            for n, name in zip(positions, chunk_names):
                rel = members[n]
                target = folder / (rel[:-5] + ".pdf") if rel in wanted else work / f"kept-{n}.pdf"
                documents[name] = (folder / rel, target)
        # the print file's PDF, unless it is kept (only some of its documents lacked theirs)
        target = folder / (annex.print_file[:-5] + ".pdf") if annex.print_file in wanted else work / "print.pdf"
        self.jobs.append(PrintJob(folder / annex.print_file, target, paths, names, documents))

    def splice(self, plan: UnitPlan, annex: annexes.Document, members: list[str], changed: list[int], sizes: list[int],
               old: dict[str, tuple[Path, int, int]]) -> None:  # fmt: skip
        """Convert only the changed documents (in chunks of their own) and join the print
        file's PDF from the previous one's pages and theirs."""
        folder = self.batch.stage / plan.name
        files = self.manifests[plan.name]["files"]
        splice = _Splice(plan.name, annex.print_file[:-5] + ".pdf")
        for n, rel in enumerate(members):
            if n in changed:
                splice.parts.append(("new", folder / rel))
            else:
                kept = old.get(files[rel]["key"])
                if kept is None:  # an unchanged document the previous print file lacks
                    self.whole(plan, annex, members, sizes, [row for row in self.keys(plan, annex)])
                    return
                splice.parts.append(("old", kept))
        if changed:
            work = self.work / f"{len(self.jobs):04d}"
            chunks = [changed[i : i + CHUNK_DOCUMENTS] for i in range(0, len(changed), CHUNK_DOCUMENTS)]
            paths, names = write_marked_chunks(folder / annex.print_file, sizes, work, chunks=chunks)
            documents = {
                name: (folder / members[n], folder / (members[n][:-5] + ".pdf"))
                for positions, chunk_names in zip(chunks, names)
                for n, name in zip(positions, chunk_names)
            }
            self.jobs.append(PrintJob(work / "changed.docx", work / "changed.pdf", paths, names, documents))
        self.splices.append(splice)

    def keys(self, plan: UnitPlan, annex: annexes.Document) -> list[str]:
        return [row[0] for row in self.manifests[plan.name]["pieces"][annex.print_file]]

    # -- converting ---------------------------------------------------------------------

    def run(self) -> None:
        """Convert, cut, splice; note every PDF in its unit's manifest, name what failed."""
        if not self.plan():
            return
        total = len(self.wanted)

        def progress(step: Progress) -> None:
            if self.on_pdf is not None:
                self.on_pdf(min(step.done, total), total, step.pages)

        try:
            result = convert_print_jobs(self.jobs, self.others, workers=self.workers, progress=progress, work_dir=self.work)
        finally:
            shutil.rmtree(self.work, ignore_errors=True)
        made = {doc: (m.pdf, m.pages) for doc, m in result.made.items()}
        failed = dict(result.failed)
        for splice in self.splices:
            self.join(splice, made, failed)
        self.note(made, failed)
        report = self.batch.report
        if result.peak_rss is not None:
            report.pdf_peak_rss = max(report.pdf_peak_rss or 0, result.peak_rss)
        if self.on_pdf is not None:
            self.on_pdf(total, total, sum(pages for _, pages in made.values()))

    def join(self, splice: _Splice, made: dict[Path, tuple[Path, int]], failed: dict[Path, str]) -> None:
        folder = self.batch.stage / splice.unit
        source = folder / (splice.rel[:-4] + ".docx")
        parts: list[Path | tuple[Path, int, int]] = []
        for how, part in splice.parts:
            if how == "old":
                parts.append(part)
            elif part in made:
                pdf, pages = made[part]
                parts.append((pdf, 0, pages))
            else:
                failed[source] = f"打印件缺少 {Path(part).name} 的 PDF，未生成"
                return
        try:
            pages = concatenate_pdfs(parts, folder / splice.rel)
        except (PdfError, OSError) as exc:
            failed[source] = f"打印件 PDF 无法拼接：{exc}"
            return
        made[source] = (folder / splice.rel, pages)

    def note(self, made: dict[Path, tuple[Path, int]], failed: dict[Path, str]) -> None:
        """Manifest entries of the PDFs made; the report's lists of failed and miscounted PDFs."""
        report = self.batch.report
        for document, (unit, rel) in self.wanted.items():
            pdf_rel = rel[:-5] + ".pdf"
            files = self.manifests[unit]["files"]
            if document not in made:
                report.pdf_failed.append((Path(unit) / pdf_rel, failed.get(document, "LibreOffice 未生成 PDF")))
                continue
            path, pages = made[document]
            data = path.read_bytes()
            files[pdf_rel] = {"key": files[rel]["sha256"], "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pages": pages}
            report.rebuilt.append(Path(unit) / pdf_rel)
            expected = files[rel].get("pages")
            if expected and expected != pages:
                report.pdf_pages.append(
                    (
                        Path(unit) / pdf_rel,
                        f"有 {pages} 页，按表格的页面规则应为 {expected} 页：请打开核对（是否有空白页或被挤到下一页的行）",
                    )
                )
        for (unit, print_rel), members in self.members.items():
            files = self.manifests[unit]["files"]
            print_pdf = files.get(print_rel[:-5] + ".pdf")
            counts = [files.get(rel[:-5] + ".pdf", {}).get("pages") for rel in members]
            if print_pdf is None or not print_pdf.get("pages") or not all(counts):
                continue
            if print_pdf["pages"] != sum(c for c in counts if c):
                report.pdf_pages.append((Path(unit) / (print_rel[:-5] + ".pdf"),
                                         f"有 {print_pdf['pages']} 页，而其中各文档共 {sum(c for c in counts if c)} 页：打印前请核对"))  # fmt: skip
        for unit, manifest in self.manifests.items():
            manifest["files"] = dict(sorted(manifest["files"].items()))
            plan = next(p for p in self.batch.units if p.name == unit)
            self.batch.write_manifest(plan, manifest)
