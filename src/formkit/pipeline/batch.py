"""A render batch: plan, keep what is unchanged, render the rest, swap the units in.

How a batch is rendered (issue 5: 10,000 workers in about a minute on 2 cores):

- each template is prepared once per process (:class:`formkit.documents.render.FormTemplate`);
- documents are rendered in chunks, by a pool of processes when there are enough of them
  (``spawn`` start method on every platform, top-level job functions), each process writing
  its documents straight into the staging folder and sending back only a digest and the
  document's compressed piece of its print file;
- the parent spools those pieces to files in the staging folder and writes each unit's
  print files from them, streamed (linear, no re-compression), as soon as the unit's chunks
  are in; the unit's manifest goes to the staging folder and its plan is forgotten. With
  the records kept packed (formkit.records.load.WorkerRecord, about 1 KB a worker in all) and
  documents rendered as streams past a size (formkit.documents.template.STREAM_CHARS), memory hardly
  grows with the number of workers (issue 5: 1,000 and 10,000 within 20 %);
- each unit folder carries a manifest (``formkit-manifest.json``: for every file the digest
  of what it was made from, and its own SHA-256), so the next run re-renders only what
  changed: after a correction to one record, that record's documents, its unit's roster and
  print files. Unchanged files are hard-linked (copied where links are not possible) from the
  previous output into the staging folder, unchanged print-file pieces are copied out of the
  previous print file, and the result is byte for byte what a fresh render writes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from formkit._version import __version__
from formkit.documents.deflate import PieceRef, PrintPiece
from formkit.documents.printfile import print_frame, write_print_file
from formkit.documents.template import (
    FormTemplate,
)
from formkit.documents.zipio import DOCUMENT_PART, member_data_offset
from formkit.domain import annexes
from formkit.domain.annexes import (
    EACH_PAID,
    EACH_PROJECT,
    EACH_WEEK,
    EACH_WORKER,
    SUMMARY,
)
from formkit.errors import FormkitError
from formkit.files import (
    link_or_copy,
    safe_name,
    staging_folder,
    swap_in,
    write_new,
)
from formkit.forms import context as ctx
from formkit.pipeline.jobs import (
    CHUNK,
    POOL_THRESHOLD,
    Done,
    Job,
    JobItem,
    cpu_count,
    document_context,
    pool_init,
    pool_job,
    render_items,
)
from formkit.pipeline.manifest import (
    MANIFEST,
    MANIFEST_FORMAT,
    canonical_json,
    digest,
    file_sha256,
)
from formkit.pipeline.output import (
    INCOMPLETE,
    RenderReport,
    document_name,
    unit_has_errors,
    worker_sort_key,
)
from formkit.pipeline.packets import build_unit_packet, packet_zip_path, user_summary, user_summary_path
from formkit.pipeline.pdfstage import PdfStage
from formkit.pipeline.plan import PlannedDoc, PlannedPrint, UnitPlan, distinct_names
from formkit.records.recordset import RecordSet, UnitRecords, pack
from formkit.records.walk import CAMPAIGN_FILE

#: A unit's print-file pieces wait in ``<staging>/<unit>/<SPOOL_PREFIX><annex>`` until the
#: unit is finished (removed then).
SPOOL_PREFIX = ".pieces-"

# --------------------------------------------------------------------------------------
# One unit: what it holds, what can be kept from the previous run
# --------------------------------------------------------------------------------------


class Batch:
    """Renders a RecordSet's units into a staging folder inside ``out``."""

    def __init__(
        self,
        record_set: RecordSet,
        out: Path,
        templates: dict[str, FormTemplate],
        *,
        force: bool,
        pdf: bool,
        report: RenderReport,
        progress: Callable[[str], None] | None,
        on_documents: Callable[[int, int], None] | None,
        pdf_workers: int | None = None,
        on_pdf: Callable[[int, int, int], None] | None = None,
    ) -> None:
        self.records = record_set
        self.out = out
        self.templates = templates
        self.force = force
        self.pdf = pdf
        self.report = report
        self.progress = progress
        self.on_documents = on_documents
        self.pdf_workers = pdf_workers
        self.on_pdf = on_pdf
        assert record_set.campaign is not None
        self.campaign = record_set.campaign.model_dump(by_alias=True)
        self.template_sha = {kind: hashlib.sha256(t.data).hexdigest() for kind, t in templates.items()}
        self.level = {kind: t.level for kind, t in templates.items()}
        self.checked: set[str] = set()
        self.stage = staging_folder(out)
        self.stage_made = False  # its staging folder was made (gone later: another render removed it)
        self.units: list[UnitPlan] = []
        self.done = 0
        self.total = 0
        self.pdfs_kept: dict[str, list[str]] = {}  # without --pdf: per unit, the PDFs kept

    # -- planning ------------------------------------------------------------------------

    def unit_names(self) -> list[tuple[UnitRecords, str]]:
        """Each unit with its output folder name: the 填报单位, made safe for file systems.

        A unit some of whose records have errors (rendered only with keep_going) goes to
        ``<填报单位>（不完整）``: its previous complete output stays as it was, and no
        submission packet is made from an incomplete unit.
        """
        names: set[str] = set()
        result = []
        for unit in self.records.units:
            name = unit.name
            if unit_has_errors(self.records, unit):
                name = safe_name(name + INCOMPLETE)
            while name in names:  # a unit named like another's incomplete folder
                name = safe_name(f"{name}_")
            names.add(name)
            result.append((unit, name))
        return result

    def count(self, unit: UnitRecords) -> int:
        """Documents of a unit (for the progress total), without unpacking its records:
        one roster is counted, :meth:`plan` adds any further 帮扶项目's."""
        paid = len(self.records.paid_workers(unit))
        per = {EACH_WORKER: len(unit.workers), EACH_PAID: paid, EACH_WEEK: len(unit.weeks), EACH_PROJECT: 1 if paid else 0}
        return sum(per.get(document.each, 0) for document in annexes.RENDERED)

    def plan(self, unit: UnitRecords, name: str) -> UnitPlan:
        info = unit.unit.model_dump(by_alias=True)
        unit_key = digest(__version__, str(MANIFEST_FORMAT), canonical_json(self.campaign), canonical_json(info))
        keys = {kind: digest(unit_key, kind, self.template_sha[kind], str(self.level[kind])) for kind in self.templates}
        docs: list[PlannedDoc] = []
        counts = {document.short: 0 for document in annexes.RENDERED}
        # per worker: every worker's documents first, then the paid worker's (附件3, then 附件1)
        per_worker = sorted((d for d in annexes.RENDERED if d.each in (EACH_WORKER, EACH_PAID)), key=lambda d: d.each != EACH_WORKER)
        per_project = [d for d in annexes.RENDERED if d.each == EACH_PROJECT]
        per_week = [d for d in annexes.RENDERED if d.each == EACH_WEEK]
        # one document per 帮扶项目 and kind, as ctx.roster_contexts groups them: its key is
        # digest(its kind's key, 帮扶项目, each member's record text), hashed as it goes
        groups: dict[str, tuple[list[Any], list[bytes]]] = {}
        for rec in sorted(unit.workers, key=worker_sort_key):
            model = rec.worker
            worker = model.model_dump(by_alias=True)
            text = model.model_dump_json(by_alias=True)  # the record as loaded, canonical
            payload = pack(worker, "dump")
            file_name = document_name(worker, rec)
            for document in per_worker:
                if document.each == EACH_PAID and not rec.paid:
                    continue
                key = digest(keys[document.kind], text)
                docs.append(PlannedDoc(document.kind, f"{document.folder}/{file_name}", key, payload, document.kind))
                counts[document.short] += 1
            if rec.paid and per_project:
                project = ctx.to_text(worker["慰问"].get("帮扶项目"))
                if project not in groups:
                    groups[project] = ([hashlib.sha256(f"{keys[d.kind]}\x1f{project}".encode()) for d in per_project], [])
                hashers, members = groups[project]
                for hasher in hashers:
                    hasher.update(f"\x1f{text}".encode())
                members.append(payload)
        for project, (hashers, members) in groups.items():
            suffix = f"_{safe_name(project)}" if project else ""
            for document, hasher in zip(per_project, hashers):
                docs.append(PlannedDoc(document.kind, f"{document.stem}{suffix}.docx", hasher.hexdigest(), (project, members), None))
                counts[document.short] += 1
        if len(groups) > 1:  # count() took one per unit
            self.total += (len(groups) - 1) * len(per_project)
        weeks = sorted(unit.weeks, key=lambda w: (w.report.model_dump(by_alias=True)["时间"], w.path.as_posix()))
        for week in weeks if per_week else []:
            data = week.report.model_dump(by_alias=True)
            text = week.report.model_dump_json(by_alias=True)
            for document in per_week:
                rel = f"{document.folder}/{data['时间'].isoformat()}.docx"
                docs.append(PlannedDoc(document.kind, rel, digest(keys[document.kind], text), data, document.kind))
                counts[document.short] += 1
        distinct_names(docs)
        prints = []
        for annex in annexes.RENDERED:
            printed = [i for i, d in enumerate(docs) if annex.printed and d.annex == annex.kind]
            if printed:
                key = digest(*(docs[i].key for i in printed))
                prints.append(PlannedPrint(annex.print_file, annex.kind, printed, key))
        plan = UnitPlan(name, docs, prints, counts, info, records=unit)
        if not name.endswith(INCOMPLETE):
            plan.packet_key = self.packet_key(unit)
        return plan

    def summary_folder(self) -> Path | None:
        """The templates folder when it holds a 活动小结.docx (else formkit's own is used)."""
        folder = self.templates["voucher"].path.parent
        return folder if (folder / SUMMARY.template).is_file() else None

    def packet_key(self, unit: UnitRecords) -> str:
        """Digest of everything a unit's submission packet is made from besides the rendered
        files (formkit.pipeline.packets): every file of the unit's records folder, campaign.yaml, the
        小结 template, the formkit version. The packet lists the records' SHA-256, so a change
        that alters no document (a comment in a record) still makes a new packet."""
        parts = [__version__, str(MANIFEST_FORMAT)]
        campaign = unit.folder.parent / CAMPAIGN_FILE
        files = [campaign] if campaign.is_file() else []
        for base, dirs, names in os.walk(unit.folder):
            dirs.sort()
            files += [Path(base) / n for n in sorted(names)]
        try:
            from formkit.forms.summary import summary_template_path

            files.append(summary_template_path(self.summary_folder()))
        except FormkitError:
            pass
        for path in files:
            try:
                parts += [path.as_posix(), file_sha256(path)]
            except OSError:
                parts += [path.as_posix(), "?"]
        return digest(*parts)

    def check_templates(self, plan: UnitPlan) -> None:
        """Refuse a template naming a field its context lacks, before anything is written."""
        for doc in plan.docs:
            if doc.kind not in self.checked:
                payload = doc.payload
                if doc.kind == "roster":  # the same keys with one row as with a thousand
                    payload = (payload[0], payload[1][:1])
                self.templates[doc.kind].check_fields(set(document_context(doc.kind, self.campaign, plan.info, payload)))
                self.checked.add(doc.kind)

    def previous(self, plan: UnitPlan) -> tuple[dict[str, Any] | None, set[str]]:
        """The previous manifest of the unit folder (None if absent or of another version)
        and the files the folder holds (posix paths relative to it, the manifest excluded)."""
        folder = self.out / plan.name
        if not folder.is_dir():
            return None, set()
        present = set()
        for base, _dirs, files in os.walk(folder):
            for name in files:
                present.add((Path(base) / name).relative_to(folder).as_posix())
        present.discard(MANIFEST)
        if self.force:
            return None, present
        try:
            old = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, present
        if not isinstance(old, dict) or old.get("format") != MANIFEST_FORMAT or old.get("formkit") != __version__:
            return None, present
        return old, present

    # -- running ---------------------------------------------------------------------------

    def jobs(self) -> Iterator[Job]:
        """Plan each unit, decide what to keep, stage it, and yield its rendering jobs."""
        named = self.unit_names()
        self.total = sum(self.count(unit) for unit, _ in named)
        for unit, name in named:
            if self.progress:
                self.progress(name)
            plan = self.plan(unit, name)
            self.check_templates(plan)
            self.units.append(plan)
            yield from self.stage_unit(plan)

    def stage_unit(self, plan: UnitPlan) -> Iterator[Job]:
        old, present = self.previous(plan)
        old_dir = plan.old_dir = self.out / plan.name
        plan.old = old
        entries = (old or {}).get("files", {})
        verified: dict[str, bool] = {}

        def keep(rel: str, key: str) -> bool:
            entry = entries.get(rel)
            if entry is None or entry.get("key") != key or rel not in present:
                return False
            if rel not in verified:
                try:
                    verified[rel] = file_sha256(old_dir / rel) == entry.get("sha256")
                except OSError:
                    verified[rel] = False
            return verified[rel]

        old_pieces: dict[str, dict[str, list[int]]] = {}
        whole_print: set[str] = set()
        for pr in plan.prints:
            if keep(pr.rel, pr.key):
                whole_print.add(pr.rel)
                plan.kept[pr.rel] = entries[pr.rel]
                continue
            table = (old or {}).get("pieces", {}).get(pr.rel)
            if table and pr.rel in present and keep(pr.rel, entries.get(pr.rel, {}).get("key", "")):
                old_pieces[pr.rel] = {row[0]: row[2:6] for row in table}
        need_piece: set[int] = set()
        for pr in plan.prints:
            if pr.rel in whole_print:
                continue
            reusable = old_pieces.get(pr.rel, {})
            need_piece.update(i for i in pr.members if plan.docs[i].key not in reusable)
        items = []
        for index, doc in enumerate(plan.docs):
            kept = keep(doc.rel, doc.key)
            if kept:
                plan.kept[doc.rel] = entries[doc.rel]
            if not kept or index in need_piece:
                items.append(JobItem(index, doc.kind, doc.rel, doc.payload, index in need_piece, not kept))
        # a PDF is kept when its document is (with or without --pdf): without --pdf, only the
        # PDFs of documents rendered again go, and are listed (RenderReport.pdf_removed)
        for rel in [d.rel for d in plan.docs] + [p.rel for p in plan.prints]:
            pdf = rel[:-5] + ".pdf"
            entry = entries.get(pdf)
            if rel in plan.kept and entry and entry.get("key") == plan.kept[rel]["sha256"] and keep(pdf, entry["key"]):
                plan.kept[pdf] = entry
        expected = {d.rel for d in plan.docs} | {p.rel for p in plan.prints}
        if self.pdf:
            expected |= {rel[:-5] + ".pdf" for rel in expected}
        else:
            self.pdfs_kept[plan.name] = sorted(rel for rel in plan.kept if rel.endswith(".pdf"))
            expected |= set(self.pdfs_kept[plan.name])
            self.report.pdf_removed += [Path(plan.name) / rel for rel in sorted(present) if rel.endswith(".pdf") and rel not in plan.kept]
        packet_kept = True
        if plan.packet_key:  # the packet is kept only with everything else: it is cheap to make again
            packet = (old or {}).get("packet") or {}
            packet_files = packet.get("files") or {}
            packet_kept = (
                packet.get("key") == plan.packet_key
                and bool(packet_files)
                and all(rel in present and file_sha256(plan.old_dir / rel) == entry.get("sha256") for rel, entry in packet_files.items())
            )
            expected_all = expected | set(packet_files)
        else:
            expected_all = expected
        untouched = not items and packet_kept and expected_all == present and len(plan.kept) == len(expected) and old is not None
        reused_now = len(plan.docs) - sum(1 for item in items if item.write)
        self.advance(reused_now)
        if untouched:
            if plan.packet_key and old is not None:
                self.note_packet(plan, Path(plan.name) / old["packet"]["zip"])
            self.release(plan)
            return
        plan.staged = True
        folder = self.stage / plan.name
        for sub in {str(Path(rel).parent) for rel in expected}:
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for rel in plan.kept:
            link_or_copy(old_dir / rel, folder / rel)
        plan.pending = (len(items) + CHUNK - 1) // CHUNK
        if not items:
            self.finish(plan)
        for start in range(0, len(items), CHUNK):
            yield Job(plan.name, str(folder), self.campaign, plan.info, items[start : start + CHUNK], self.pdf)

    def note_packet(self, plan: UnitPlan, archive: Path) -> None:
        """Report a unit's packet (relative to ``out``), and whether its 活动小结 is the draft."""
        self.report.packets.append(archive)
        if plan.records is not None and user_summary(plan.records) is None:
            self.report.draft_summaries[archive] = user_summary_path(plan.records)

    def advance(self, n: int) -> None:
        self.done += n
        if self.on_documents and n:
            self.on_documents(self.done, self.total)

    def collect(self, job: Job, results: list[Done]) -> None:
        """A job's results are in. Print-file pieces go to the unit's spool files in the
        staging folder (one per print file, removed when the unit is finished): the parent
        keeps where they are, not their bytes."""
        plan = next(u for u in reversed(self.units) if u.name == job.unit)
        spools: dict[str, Any] = {}
        try:
            for result in results:
                piece = result.piece
                if isinstance(piece, PrintPiece):  # a job sends bytes; a PieceRef is what this makes of them
                    annex = plan.docs[result.doc].annex or ""

                    spool = self.stage / plan.name / f"{SPOOL_PREFIX}{annex}"
                    fh = spools.get(annex)
                    if fh is None:
                        fh = spools[annex] = open(spool, "ab")
                    offset = fh.tell()
                    fh.write(piece.data)
                    result = result._replace(piece=PieceRef(spool, offset, len(piece.data), piece.crc, piece.size))
                plan.results[result.doc] = result
        finally:
            for fh in spools.values():
                fh.close()
        self.advance(sum(1 for item in job.items if item.write))
        plan.pending -= 1
        if plan.pending == 0:
            self.finish(plan)

    def finish(self, plan: UnitPlan) -> None:
        """All chunks of a unit are in: assemble its print files, note its manifest."""
        folder = self.stage / plan.name
        files: dict[str, dict[str, Any]] = {}
        for index, doc in enumerate(plan.docs):
            result = plan.results.get(index)
            if doc.rel in plan.kept:
                entry = plan.kept[doc.rel]
                files[doc.rel] = {"key": doc.key, "sha256": entry["sha256"], "size": entry["size"]}
            else:
                assert result is not None
                files[doc.rel] = {"key": doc.key, "sha256": result.sha256, "size": result.size}
                if result.pages:
                    files[doc.rel]["pages"] = result.pages
                plan.rebuilt.append(doc.rel)
        pieces: dict[str, list[list[Any]]] = {}
        for pr in plan.prints:
            if pr.rel in plan.kept and plan.kept[pr.rel].get("key") == pr.key:
                files[pr.rel] = dict(plan.kept[pr.rel])
                pieces[pr.rel] = (plan.old or {}).get("pieces", {}).get(pr.rel, [])
                continue
            sha256, size, table = self.assemble(plan, pr, folder / pr.rel)
            files[pr.rel] = {"key": pr.key, "sha256": sha256, "size": size}
            pieces[pr.rel] = table
            plan.rebuilt.append(pr.rel)
        for rel, entry in plan.kept.items():
            if rel.endswith(".pdf"):
                files[rel] = entry
        self.write_manifest(
            plan, {"format": MANIFEST_FORMAT, "formkit": __version__, "files": dict(sorted(files.items())), "pieces": pieces}
        )
        for spool in folder.glob(f"{SPOOL_PREFIX}*"):
            spool.unlink()
        self.release(plan)

    def release(self, plan: UnitPlan) -> None:
        """Forget what a finished unit was made from (memory: a batch keeps per unit only
        its file names, its manifest waits in the staging folder)."""
        plan.rels = [d.rel for d in plan.docs] + [p.rel for p in plan.prints]
        plan.docs, plan.prints, plan.results, plan.kept, plan.old = [], [], {}, {}, None

    def write_manifest(self, plan: UnitPlan, manifest: dict[str, Any]) -> None:
        """Write (again) a staged unit's manifest."""
        data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")) + "\n"
        write_new(self.stage / plan.name / MANIFEST, data.encode("utf-8"))

    def staged_manifest(self, plan: UnitPlan) -> dict[str, Any]:
        """A staged unit's manifest, as :meth:`finish` wrote it."""
        manifest: dict[str, Any] = json.loads((self.stage / plan.name / MANIFEST).read_text(encoding="utf-8"))
        return manifest

    def assemble(self, plan: UnitPlan, pr: PlannedPrint, target: Path) -> tuple[str, int, list[list[Any]]]:
        """Write a print file from its pieces (new ones from this run's spool files, the
        others from the previous print file), streamed, each document its own section
        (formkit.documents.printfile): returns its SHA-256, size and the table of its pieces
        for the manifest: per document ``[key, first, offset, length, size, crc]``, where
        its piece starts in document.xml's stored bytes and its stored and uncompressed
        length (its section's end, a small paragraph, follows it there; the last document's
        is the body's final ``w:sectPr``)."""
        template = self.templates[pr.kind]
        first = plan.docs[pr.members[0]]
        frame = print_frame(template, template.render_fast(document_context(first.kind, self.campaign, plan.info, first.payload)))
        old_file: Path | None = None
        old_start = 0
        old_table: dict[str, list[int]] = {}
        if plan.old and pr.rel in (plan.old.get("pieces") or {}) and plan.old_dir is not None and (plan.old_dir / pr.rel).is_file():
            candidate = plan.old_dir / pr.rel
            if file_sha256(candidate) == plan.old["files"].get(pr.rel, {}).get("sha256"):
                old_file, old_start = candidate, member_data_offset(candidate, DOCUMENT_PART)
                old_table = {row[0]: row[2:6] for row in plan.old["pieces"][pr.rel]}
        pieces: list[PrintPiece | PieceRef] = []
        table: list[list[Any]] = []
        for i in pr.members:
            doc = plan.docs[i]
            result = plan.results.get(i)
            piece: PrintPiece | PieceRef
            if result is not None and result.piece is not None:
                piece = result.piece
            else:
                assert old_file is not None
                start, length, size, crc = old_table[doc.key]
                piece = PieceRef(old_file, old_start + start, length, crc, size)
            pieces.append(piece)
        folder = self.stage / plan.name
        names = [*frame.own_parts, *(f"word/_rels/{n.removeprefix('word/')}.rels" for n in frame.own_parts)]

        def parts_of(index: int) -> dict[str, bytes]:
            """A document's own header and footer parts, from its file in the staging folder."""
            with zipfile.ZipFile(folder / plan.docs[pr.members[index]].rel) as zf:
                present = set(zf.namelist())
                return {name: zf.read(name) for name in names if name in present}

        sha256, size, offsets = write_print_file(target, frame, pieces, parts_of=parts_of)
        for n, (i, (offset, piece)) in enumerate(zip(pr.members, offsets)):
            length = piece.length if isinstance(piece, PieceRef) else len(piece.data)
            table.append([plan.docs[i].key, int(n == 0), offset, length, piece.size, piece.crc])
        return sha256, size, table

    def convert_pdfs(self) -> None:
        """PDFs of the staged units (:class:`formkit.pipeline.pdfstage.PdfStage`)."""
        if self.progress and any(plan.staged for plan in self.units):
            self.progress("PDF")
        PdfStage(self, workers=self.pdf_workers, on_pdf=self.on_pdf).run()

    def run(self, processes: int | None) -> None:
        """Render every unit, PDFs, manifests; then swap the staged units in.

        Args:
            processes: processes rendering documents; None: every CPU once more than
                ``POOL_THRESHOLD`` documents are to be rendered (counted after comparing
                with the previous output, so a small incremental run starts no pool).
        """
        self.stage.mkdir(parents=True)
        self.stage_made = True
        jobs: Iterator[Job] = self.jobs()
        if processes is None:
            waiting: list[Job] = []
            count = 0
            for job in jobs:
                waiting.append(job)
                count += len(job.items)
                if count >= POOL_THRESHOLD:
                    break
            processes = cpu_count() if count >= POOL_THRESHOLD else 1
            jobs = itertools.chain(waiting, jobs)
        self.report.processes = max(1, processes)
        if self.report.processes == 1:
            for job in jobs:
                self.collect(job, render_items(self.templates, job))
        else:
            self.pool(jobs, self.report.processes)
        for plan in self.units:
            paths = {rel: Path(plan.name) / rel for rel in plan.rels}  # one Path for files and rebuilt
            self.report.files += paths.values()
            self.report.rebuilt += [paths.get(rel) or Path(plan.name) / rel for rel in plan.rebuilt]
            self.report.counts[plan.name] = plan.counts
        if self.pdf:
            self.convert_pdfs()
            failed = {path for path, _ in self.report.pdf_failed}
            for plan in self.units:
                pdfs = [Path(plan.name) / (rel[:-5] + ".pdf") for rel in plan.rels]
                self.report.files += [path for path in pdfs if path not in failed]
        else:
            for plan in self.units:
                self.report.files += [Path(plan.name) / rel for rel in self.pdfs_kept.get(plan.name, [])]
        for plan in self.units:
            if plan.staged and plan.packet_key and plan.records is not None:
                folder = self.stage / plan.name
                packet = build_unit_packet(folder, plan.records, self.records, templates=self.summary_folder())
                archive = packet_zip_path(packet)
                self.note_packet(plan, archive.relative_to(self.stage))
                made = [archive] + sorted(p for p in packet.rglob("*") if p.is_file())
                manifest = self.staged_manifest(plan)
                manifest["packet"] = {
                    "key": plan.packet_key,
                    "zip": archive.relative_to(folder).as_posix(),
                    "files": {p.relative_to(folder).as_posix(): {"sha256": file_sha256(p), "size": p.stat().st_size} for p in made},
                }
                self.write_manifest(plan, manifest)
        for plan in self.units:
            if plan.staged:
                swap_in(self.stage / plan.name, self.out / plan.name)

    def pool(self, jobs: Iterator[Job], processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=pool_init, initargs=(self.templates,))
        pending: deque[tuple[Job, Future[list[Done]]]] = deque()
        try:
            for job in jobs:
                pending.append((job, executor.submit(pool_job, job)))
                while len(pending) > 2 * processes + 2:
                    done_job, future = pending.popleft()
                    self.collect(done_job, future.result())
            while pending:
                done_job, future = pending.popleft()
                self.collect(done_job, future.result())
        except BaseException:
            executor.shutdown(wait=True, cancel_futures=True)
            raise
        executor.shutdown(wait=True)
