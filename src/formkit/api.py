"""The library API: load and check a records folder, render its annexes.

    >>> from formkit import api
    >>> records = api.check("records")          # RecordSet; .errors, .warnings
    >>> report = api.render("records", "output")  # RenderReport; .files, .rebuilt

The ``formkit`` command is a thin layer over these functions.

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
import pickle
import shutil
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Optional

from formkit import __version__
from formkit.documents.deflate import PieceRef, PrintPiece
from formkit.documents.printfile import print_frame, print_piece, write_print_file
from formkit.documents.template import (
    FormTemplate,
    default_template_dir,
)
from formkit.documents.zipio import DOCUMENT_PART, member_data_offset
from formkit.domain.annexes import (
    ANNEXES,
    REGISTRATION,
    ROSTER,
    SUMMARY,
    VOUCHER,
    WEEKLY,
)
from formkit.domain.models import Worker
from formkit.errors import FormkitError, OutputError, Problem, RecordsInvalid
from formkit.files import (
    remove_leftovers,
    safe_name,
    staging_folder,
    swap_in,
    write_new,
)
from formkit.forms import context as ctx
from formkit.pipeline.packets import build_unit_packet, packet_zip_path
from formkit.pipeline.pdf import convert_to_pdf, find_soffice
from formkit.records.load import (
    CAMPAIGN_FILE,
    RecordSet,
    UnitRecords,
    WorkerRecord,
    load_records,
    pack,
    unpack,
)

#: Inside each unit folder: what each file was made from, for the next incremental run.
#: Not a dot-file: other tools treat dot-entries in a unit folder as leftovers of their own
#: (tests/test_packets.py), and a dot-file is not hidden on Windows anyway. Deleting it only
#: makes the next run render the unit in full.
MANIFEST = "formkit-manifest.json"
MANIFEST_FORMAT = 1

#: Below this many documents to render, one process renders them: starting a process pool
#: costs about half a second per process (imports), more than 400 documents take to render.
POOL_THRESHOLD = 400
#: Documents per job sent to a pool process.
CHUNK = 48
#: A unit's print-file pieces wait in ``<staging>/<unit>/<SPOOL_PREFIX><annex>`` until the
#: unit is finished (removed then).
SPOOL_PREFIX = ".pieces-"



#: Characters each voucher field holds before the voucher may run onto a second page
#: (measured with LibreOffice on templates/附件1: a 60-character 居住地址 with a three-line
#: 所在单位 and a long 其它帮扶措施 still prints on one page).
VOUCHER_FIT = {"居住地址": 80, "所在单位": 60, "致困原因": 60, "其它帮扶措施": 120}


def voucher_fit_warnings(record_set: RecordSet) -> list[Problem]:
    """Warnings for paid workers whose voucher text may not fit its one page (issue 4).

    Returns:
        One warning per field longer than ``VOUCHER_FIT`` allows, at the worker's file.
    """
    return [p for unit in record_set.units for rec in record_set.paid_workers(unit) for p in _fit_problems(rec, rec.worker)]


def _fit_problems(rec: WorkerRecord, worker: Worker) -> list[Problem]:
    problems = []
    texts = ctx.voucher_texts(worker.model_dump(by_alias=True))
    for key, limit in VOUCHER_FIT.items():
        length = len(texts[key])
        if length > limit:
            problems.append(Problem(rec.path, rec.line, f"慰问.{key}", f"有 {length} 个字，凭证上这一格约能印 {limit} 个字，凭证可能印成两页",
                                    "请缩写，或在打印前检查这张凭证", "warning"))
    return problems


def recommendation_warnings(record_set: RecordSet) -> list[Problem]:
    """A unit recommending more than two households for publicity (通知四.2: 1—2户（人）)."""
    problems = []
    for unit in record_set.units:
        marked = [rec for rec in record_set.paid_workers(unit) if (payment := rec.worker.payment) is not None and payment.recommended]
        problems += _too_many_recommended(marked)
    return problems


def _too_many_recommended(marked: list[WorkerRecord]) -> list[Problem]:
    return [Problem(rec.path, rec.line, "慰问.宣传推荐", f"本单位已有 {len(marked)} 户标为宣传推荐", "通知四.2：每个单位推荐1—2户（人）", "warning")
            for rec in marked[2:]]


def _paid_warnings(record_set: RecordSet) -> list[Problem]:
    """:func:`voucher_fit_warnings` and :func:`recommendation_warnings` in one pass (each
    record unpacked once)."""
    problems = []
    for unit in record_set.units:
        marked = []
        for rec in record_set.paid_workers(unit):
            worker = rec.worker
            problems += _fit_problems(rec, worker)
            if worker.payment is not None and worker.payment.recommended:
                marked.append(rec)
        problems += _too_many_recommended(marked)
    return problems


def check(records: Path | str) -> RecordSet:
    """Load a records folder and check every rule.

    Returns:
        The RecordSet; its ``problems`` (sorted by file and line) hold every error and warning.

    Raises:
        FormkitError: the folder does not exist or is not a records folder.
    """
    record_set = load_records(Path(records))
    record_set.problems = sorted({*record_set.problems, *_paid_warnings(record_set)})
    return record_set


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
        pdf_failed: with ``pdf``, each PDF (relative to ``out``) LibreOffice could not make,
            and why; its .docx is written all the same (:attr:`complete` is then false).
    """

    out: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rebuilt: list[Path] = field(default_factory=list)
    processes: int = 1
    packets: list[Path] = field(default_factory=list)
    pdf_failed: list[tuple[Path, str]] = field(default_factory=list)
    publicity: list[Path] = field(default_factory=list)

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


def _templates(folder: Path | None) -> dict[str, FormTemplate]:
    folder = Path(folder) if folder is not None else default_template_dir()
    return {annex.kind: FormTemplate(folder / annex.template) for annex in ANNEXES}


def _worker_sort_key(rec: WorkerRecord) -> tuple[Any, ...]:
    return rec.sort_key


def _doc_name(worker: dict[str, Any], rec: WorkerRecord) -> str:
    number = ctx.to_text(worker.get("档案编号"))
    name = ctx.to_text(worker.get("姓名"))
    return safe_name("_".join(p for p in (number, name) if p) or rec.path.stem) + ".docx"


def _json(value: Any) -> str:
    """Canonical JSON of a record dump (Decimal, date and enum values as their text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------
# Jobs: what a process renders (top-level, picklable: the pool uses ``spawn``)
# --------------------------------------------------------------------------------------


class _Item(NamedTuple):
    index: int  # position in the unit's document list
    kind: str  # voucher / registration / weekly / roster
    rel: str  # path in the unit folder (posix)
    payload: Any  # the record dump, or (帮扶项目, [paid worker dumps]) for a roster
    first: bool  # opens its print file
    piece: bool  # its print-file piece is wanted
    write: bool  # its file is to be written (else only the piece)


class _Job(NamedTuple):
    unit: str
    folder: str  # the unit's staging folder
    campaign: dict[str, Any]
    info: dict[str, Any]
    items: list[_Item]


class _Done(NamedTuple):
    index: int
    sha256: str
    size: int
    piece: Optional[PrintPiece | PieceRef]  # a PieceRef once the parent has spooled it


def _context(kind: str, campaign: dict[str, Any], info: dict[str, Any], payload: Any) -> dict[str, Any]:
    """The template context of one document (formkit.forms.context).

    A worker's document carries its record's dump packed (``bytes``, formkit.records.load.pack:
    0.5 KB, for the parent holds a unit's worth of them and a pool process a roster's); a
    roster carries ``(帮扶项目, [packed dumps])``, unpacked one by one as its rows are made.
    """
    if kind == "registration":
        return ctx.registration_context(campaign, info, _unpacked(payload))
    if kind == "voucher":
        return ctx.voucher_context(campaign, info, _unpacked(payload))
    if kind == "weekly":
        return ctx.weekly_context(campaign, info, payload)
    project, workers = payload
    [(name, roster)] = ctx.roster_contexts(campaign, info, (_unpacked(w) for w in workers))
    assert name == project
    return roster


def _unpacked(payload: Any) -> Any:
    return unpack(payload, "dump") if isinstance(payload, bytes) else payload


def _render_items(templates: dict[str, FormTemplate], job: _Job) -> list[_Done]:
    done = []
    folder = Path(job.folder)
    for item in job.items:
        template = templates[item.kind]
        doc = template.render_fast(_context(item.kind, job.campaign, job.info, item.payload))
        data = doc.to_bytes()
        if item.write:
            write_new(folder / item.rel, data)
        piece = print_piece(doc, first=item.first, level=template.level) if item.piece else None
        done.append(_Done(item.index, hashlib.sha256(data).hexdigest(), len(data), piece))
    return done


_POOL_TEMPLATES: dict[str, FormTemplate] = {}


def _pool_init(templates: dict[str, FormTemplate]) -> None:
    """Set up a pool process: the templates, and an end with its parent.

    A pool process waits for work on a queue whose writing end every sibling also holds, so
    it never sees the parent go when the parent is killed (SIGKILL, a closed console): it
    would wait for ever. A thread watches the parent's sentinel and ends the process then.
    """
    global _POOL_TEMPLATES
    _POOL_TEMPLATES = templates
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True, name="formkit-parent-watch").start()


def _exit_with(sentinel: Any) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(70)


def _pool_job(job: _Job) -> list[_Done]:
    try:
        return _render_items(_POOL_TEMPLATES, job)
    except OSError as exc:
        raise OutputError(f"无法写入输出文件夹：{exc.strerror or exc}") from None
    except Exception as exc:
        try:  # the exception travels back to the parent pickled: make sure it can
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise FormkitError(f"{type(exc).__name__}: {exc}") from None
        raise


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1


# --------------------------------------------------------------------------------------
# One unit: what it holds, what can be kept from the previous run
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Doc:
    kind: str
    rel: str
    key: str
    payload: Any
    annex: Optional[str]
    first: bool = False


@dataclass
class _Print:
    rel: str
    kind: str
    members: list[int]  # indices into the unit's documents, in page order
    key: str


@dataclass
class _Unit:
    name: str
    docs: list[_Doc]
    prints: list[_Print]
    counts: dict[str, int]
    info: dict[str, Any]
    old: Optional[dict[str, Any]] = None  # previous manifest
    old_dir: Optional[Path] = None
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)  # rel -> manifest entry reused
    results: dict[int, _Done] = field(default_factory=dict)
    pending: int = 0
    staged: bool = False
    records: Optional[UnitRecords] = None
    packet_key: str = ""  # what the unit's submission packet is made from ("" : no packet)
    rels: list[str] = field(default_factory=list)  # once finished: its .docx files, in document order
    rebuilt: list[str] = field(default_factory=list)  # of those (and PDFs), the ones made this run


class _Batch:
    """Renders a RecordSet's units into a staging folder inside ``out``."""

    def __init__(self, record_set: RecordSet, out: Path, templates: dict[str, FormTemplate], *, force: bool, pdf: bool,
                 report: RenderReport, progress: Optional[Callable[[str], None]],
                 on_documents: Optional[Callable[[int, int], None]]) -> None:
        self.records = record_set
        self.out = out
        self.templates = templates
        self.force = force
        self.pdf = pdf
        self.report = report
        self.progress = progress
        self.on_documents = on_documents
        assert record_set.campaign is not None
        self.campaign = record_set.campaign.model_dump(by_alias=True)
        self.template_sha = {kind: hashlib.sha256(t.data).hexdigest() for kind, t in templates.items()}
        self.level = {kind: t.level for kind, t in templates.items()}
        self.checked: set[str] = set()
        self.stage = staging_folder(out)
        self.units: list[_Unit] = []
        self.done = 0
        self.total = 0

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
        paid = self.records.paid_workers(unit)
        return len(unit.workers) + len(paid) + len(unit.weeks) + (1 if paid else 0)

    def plan(self, unit: UnitRecords, name: str) -> _Unit:
        info = unit.unit.model_dump(by_alias=True)
        unit_key = _digest(__version__, str(MANIFEST_FORMAT), _json(self.campaign), _json(info))
        keys = {kind: _digest(unit_key, kind, self.template_sha[kind], str(self.level[kind])) for kind in self.templates}
        docs: list[_Doc] = []
        counts = {annex.short: 0 for annex in ANNEXES}
        # one roster per 帮扶项目, as ctx.roster_contexts groups them: its key is
        # _digest(roster key, 帮扶项目, each member's record text), hashed as it goes
        groups: dict[str, tuple[Any, list[bytes]]] = {}
        for rec in sorted(unit.workers, key=_worker_sort_key):
            model = rec.worker
            worker = model.model_dump(by_alias=True)
            text = model.model_dump_json(by_alias=True)  # the record as loaded, canonical
            payload = pack(worker, "dump")
            file_name = _doc_name(worker, rec)
            docs.append(_Doc(REGISTRATION.kind, f"{REGISTRATION.folder}/{file_name}", _digest(keys[REGISTRATION.kind], text), payload, REGISTRATION.kind))
            counts[REGISTRATION.short] += 1
            if rec.paid:
                docs.append(_Doc(VOUCHER.kind, f"{VOUCHER.folder}/{file_name}", _digest(keys[VOUCHER.kind], text), payload, VOUCHER.kind))
                counts[VOUCHER.short] += 1
                project = ctx.to_text(worker["慰问"].get("帮扶项目"))
                if project not in groups:
                    groups[project] = (hashlib.sha256(f"{keys['roster']}\x1f{project}".encode("utf-8")), [])
                hasher, members = groups[project]
                hasher.update(f"\x1f{text}".encode("utf-8"))
                members.append(payload)
        for project, (hasher, members) in groups.items():
            suffix = f"_{safe_name(project)}" if project else ""
            docs.append(_Doc(ROSTER.kind, f"{ROSTER.stem}{suffix}.docx", hasher.hexdigest(), (project, members), None))
            counts[ROSTER.short] += 1
        if len(groups) > 1:  # count() took one roster per unit
            self.total += len(groups) - 1
        for week in sorted(unit.weeks, key=lambda w: (w.report.model_dump(by_alias=True)["时间"], w.path.as_posix())):
            data = week.report.model_dump(by_alias=True)
            text = week.report.model_dump_json(by_alias=True)
            docs.append(_Doc(WEEKLY.kind, f"{WEEKLY.folder}/{data['时间'].isoformat()}.docx", _digest(keys[WEEKLY.kind], text), data, WEEKLY.kind))
            counts[WEEKLY.short] += 1
        _distinct_names(docs)
        prints = []
        for annex in ANNEXES:
            members = [i for i, d in enumerate(docs) if annex.printed and d.annex == annex.kind]
            if members:
                docs[members[0]].first = True
                key = _digest(*(docs[i].key for i in members))
                prints.append(_Print(annex.print_file, annex.kind, members, key))
        plan = _Unit(name, docs, prints, counts, info, records=unit)
        if not name.endswith(INCOMPLETE):
            plan.packet_key = self.packet_key(unit)
        return plan

    def summary_folder(self) -> Optional[Path]:
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
                parts += [path.as_posix(), _file_sha(path)]
            except OSError:
                parts += [path.as_posix(), "?"]
        return _digest(*parts)

    def check_templates(self, plan: _Unit) -> None:
        """Refuse a template naming a field its context lacks, before anything is written."""
        for doc in plan.docs:
            if doc.kind not in self.checked:
                payload = doc.payload
                if doc.kind == "roster":  # the same keys with one row as with a thousand
                    payload = (payload[0], payload[1][:1])
                self.templates[doc.kind].check_fields(set(_context(doc.kind, self.campaign, plan.info, payload)))
                self.checked.add(doc.kind)

    def previous(self, plan: _Unit) -> tuple[Optional[dict[str, Any]], set[str]]:
        """The previous manifest of the unit folder (None if absent or of another version)
        and the files the folder holds (posix paths relative to it, the manifest excluded)."""
        folder = self.out / plan.name
        if not folder.is_dir():
            return None, set()
        present = set()
        for base, dirs, files in os.walk(folder):
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

    def jobs(self) -> Iterator[_Job]:
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

    def stage_unit(self, plan: _Unit) -> Iterator[_Job]:
        old, present = self.previous(plan)
        plan.old, plan.old_dir = old, self.out / plan.name
        entries = (old or {}).get("files", {})
        verified: dict[str, bool] = {}

        def keep(rel: str, key: str) -> bool:
            entry = entries.get(rel)
            if entry is None or entry.get("key") != key or rel not in present:
                return False
            if rel not in verified:
                try:
                    verified[rel] = _file_sha(plan.old_dir / rel) == entry.get("sha256")
                except OSError:
                    verified[rel] = False
            return verified[rel]

        old_pieces: dict[str, dict[tuple[str, bool], list[int]]] = {}
        whole_print: set[str] = set()
        for pr in plan.prints:
            if keep(pr.rel, pr.key):
                whole_print.add(pr.rel)
                plan.kept[pr.rel] = entries[pr.rel]
                continue
            table = (old or {}).get("pieces", {}).get(pr.rel)
            if table and pr.rel in present and keep(pr.rel, entries.get(pr.rel, {}).get("key", "")):
                old_pieces[pr.rel] = {(row[0], bool(row[1])): row[2:] for row in table}
        need_piece: set[int] = set()
        for pr in plan.prints:
            if pr.rel in whole_print:
                continue
            reusable = old_pieces.get(pr.rel, {})
            need_piece.update(i for i in pr.members if (plan.docs[i].key, plan.docs[i].first) not in reusable)
        items = []
        for index, doc in enumerate(plan.docs):
            kept = keep(doc.rel, doc.key)
            if kept:
                plan.kept[doc.rel] = entries[doc.rel]
            if not kept or index in need_piece:
                items.append(_Item(index, doc.kind, doc.rel, doc.payload, doc.first, index in need_piece, not kept))
        if self.pdf:
            for rel in [d.rel for d in plan.docs] + [p.rel for p in plan.prints]:
                pdf = rel[:-5] + ".pdf"
                entry = entries.get(pdf)
                if rel in plan.kept and entry and entry.get("key") == plan.kept[rel]["sha256"] and keep(pdf, entry["key"]):
                    plan.kept[pdf] = entry
        expected = {d.rel for d in plan.docs} | {p.rel for p in plan.prints}
        if self.pdf:
            expected |= {rel[:-5] + ".pdf" for rel in expected}
        packet_kept = True
        if plan.packet_key:  # the packet is kept only with everything else: it is cheap to make again
            packet = (old or {}).get("packet") or {}
            packet_files = packet.get("files") or {}
            packet_kept = packet.get("key") == plan.packet_key and bool(packet_files) and all(
                rel in present and _file_sha(plan.old_dir / rel) == entry.get("sha256") for rel, entry in packet_files.items()
            )
            expected_all = expected | set(packet_files)
        else:
            expected_all = expected
        untouched = not items and packet_kept and expected_all == present and len(plan.kept) == len(expected) and old is not None
        reused_now = len(plan.docs) - sum(1 for item in items if item.write)
        self.advance(reused_now)
        if untouched:
            if plan.packet_key:
                self.report.packets.append(Path(plan.name) / old["packet"]["zip"])
            self.release(plan)
            return
        plan.staged = True
        folder = self.stage / plan.name
        for sub in {str(Path(rel).parent) for rel in expected}:
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for rel in plan.kept:
            _link(plan.old_dir / rel, folder / rel)
        plan.pending = (len(items) + CHUNK - 1) // CHUNK
        if not items:
            self.finish(plan)
        for start in range(0, len(items), CHUNK):
            yield _Job(plan.name, str(folder), self.campaign, plan.info, items[start : start + CHUNK])

    def advance(self, n: int) -> None:
        self.done += n
        if self.on_documents and n:
            self.on_documents(self.done, self.total)

    def collect(self, job: _Job, results: list[_Done]) -> None:
        """A job's results are in. Print-file pieces go to the unit's spool files in the
        staging folder (one per print file, removed when the unit is finished): the parent
        keeps where they are, not their bytes."""
        plan = next(u for u in reversed(self.units) if u.name == job.unit)
        spools: dict[str, Any] = {}
        try:
            for result in results:
                piece = result.piece
                if piece is not None:
                    annex = plan.docs[result.index].annex
                    spool = self.stage / plan.name / f"{SPOOL_PREFIX}{annex}"
                    fh = spools.get(annex)
                    if fh is None:
                        fh = spools[annex] = open(spool, "ab")
                    offset = fh.tell()
                    fh.write(piece.data)
                    result = result._replace(piece=PieceRef(spool, offset, len(piece.data), piece.crc, piece.size))
                plan.results[result.index] = result
        finally:
            for fh in spools.values():
                fh.close()
        self.advance(sum(1 for item in job.items if item.write))
        plan.pending -= 1
        if plan.pending == 0:
            self.finish(plan)

    def finish(self, plan: _Unit) -> None:
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
        self.write_manifest(plan, {"format": MANIFEST_FORMAT, "formkit": __version__, "files": dict(sorted(files.items())), "pieces": pieces})
        for spool in folder.glob(f"{SPOOL_PREFIX}*"):
            spool.unlink()
        self.release(plan)

    def release(self, plan: _Unit) -> None:
        """Forget what a finished unit was made from (memory: a batch keeps per unit only
        its file names, its manifest waits in the staging folder)."""
        plan.rels = [d.rel for d in plan.docs] + [p.rel for p in plan.prints]
        plan.docs, plan.prints, plan.results, plan.kept, plan.old = [], [], {}, {}, None

    def write_manifest(self, plan: _Unit, manifest: dict[str, Any]) -> None:
        """Write (again) a staged unit's manifest."""
        data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")) + "\n"
        write_new(self.stage / plan.name / MANIFEST, data.encode("utf-8"))

    def staged_manifest(self, plan: _Unit) -> dict[str, Any]:
        """A staged unit's manifest, as :meth:`finish` wrote it."""
        manifest: dict[str, Any] = json.loads((self.stage / plan.name / MANIFEST).read_text(encoding="utf-8"))
        return manifest

    def assemble(self, plan: _Unit, pr: _Print, target: Path) -> tuple[str, int, list[list[Any]]]:
        """Write a print file from its pieces (new ones from this run's spool files, the
        others from the previous print file), streamed: returns its SHA-256, size and the
        table of its pieces for the manifest."""
        template = self.templates[pr.kind]
        first = plan.docs[pr.members[0]]
        frame = print_frame(template, template.render_fast(_context(first.kind, self.campaign, plan.info, first.payload)))
        old_file: Optional[Path] = None
        old_start = 0
        old_table: dict[tuple[str, bool], list[int]] = {}
        if plan.old and pr.rel in (plan.old.get("pieces") or {}) and plan.old_dir is not None and (plan.old_dir / pr.rel).is_file():
            candidate = plan.old_dir / pr.rel
            if _file_sha(candidate) == plan.old["files"].get(pr.rel, {}).get("sha256"):
                old_file, old_start = candidate, member_data_offset(candidate, DOCUMENT_PART)
                old_table = {(row[0], bool(row[1])): row[2:] for row in plan.old["pieces"][pr.rel]}
        offset = len(frame.head.data)
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
                start, length, size, crc = old_table[(doc.key, doc.first)]
                piece = PieceRef(old_file, old_start + start, length, crc, size)
            pieces.append(piece)
            length = piece.length if isinstance(piece, PieceRef) else len(piece.data)
            table.append([doc.key, int(doc.first), offset, length, piece.size, piece.crc])
            offset += length
        sha256, size = write_print_file(target, frame, pieces)
        return sha256, size, table

    def convert_pdfs(self) -> None:
        """PDF of every staged .docx that has none kept, in one LibreOffice run."""
        todo: list[tuple[_Unit, str]] = []
        manifests: dict[str, dict[str, Any]] = {}
        for plan in self.units:
            if not plan.staged:
                continue
            files = self.staged_manifest(plan)["files"]
            wanted = [rel for rel in plan.rels if rel[:-5] + ".pdf" not in files]
            todo += [(plan, rel) for rel in wanted]
        if not todo:
            return
        if self.progress:
            self.progress("PDF")
        documents = [self.stage / plan.name / rel for plan, rel in todo]
        conversion = convert_to_pdf(documents)
        for (plan, rel), document in zip(todo, documents):
            pdf = rel[:-5] + ".pdf"
            if document in conversion.failed:
                self.report.pdf_failed.append((Path(plan.name) / pdf, conversion.failed[document]))
                continue
            path = conversion.pdfs[document]
            manifest = manifests.get(plan.name) or manifests.setdefault(plan.name, self.staged_manifest(plan))
            data = path.read_bytes()
            manifest["files"][pdf] = {"key": manifest["files"][rel]["sha256"], "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            self.report.rebuilt.append(Path(plan.name) / pdf)
        for plan in self.units:
            if plan.name in manifests:
                manifest = manifests[plan.name]
                manifest["files"] = dict(sorted(manifest["files"].items()))
                self.write_manifest(plan, manifest)

    def run(self, processes: Optional[int]) -> None:
        """Render every unit, PDFs, manifests; then swap the staged units in.

        Args:
            processes: processes rendering documents; None: every CPU once more than
                ``POOL_THRESHOLD`` documents are to be rendered (counted after comparing
                with the previous output, so a small incremental run starts no pool).
        """
        self.stage.mkdir(parents=True)
        jobs: Iterator[_Job] = self.jobs()
        if processes is None:
            waiting: list[_Job] = []
            count = 0
            for job in jobs:
                waiting.append(job)
                count += len(job.items)
                if count >= POOL_THRESHOLD:
                    break
            processes = _cpus() if count >= POOL_THRESHOLD else 1
            jobs = itertools.chain(waiting, jobs)
        self.report.processes = max(1, processes)
        if self.report.processes == 1:
            for job in jobs:
                self.collect(job, _render_items(self.templates, job))
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
        for plan in self.units:
            if plan.staged and plan.packet_key:
                folder = self.stage / plan.name
                packet = build_unit_packet(folder, plan.records, self.records, templates=self.summary_folder())
                archive = packet_zip_path(packet)
                self.report.packets.append(archive.relative_to(self.stage))
                made = [archive] + sorted(p for p in packet.rglob("*") if p.is_file())
                manifest = self.staged_manifest(plan)
                manifest["packet"] = {
                    "key": plan.packet_key,
                    "zip": archive.relative_to(folder).as_posix(),
                    "files": {p.relative_to(folder).as_posix(): {"sha256": _file_sha(p), "size": p.stat().st_size} for p in made},
                }
                self.write_manifest(plan, manifest)
        for plan in self.units:
            if plan.staged:
                swap_in(self.stage / plan.name, self.out / plan.name)

    def pool(self, jobs: Iterator[_Job], processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_pool_init, initargs=(self.templates,))
        pending: deque[tuple[_Job, Future[list[_Done]]]] = deque()
        try:
            for job in jobs:
                pending.append((job, executor.submit(_pool_job, job)))
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


def _distinct_names(docs: list[_Doc]) -> None:
    """Give a second document of the same name (same 档案编号_姓名) a ``_2`` suffix, so that
    no document silently replaces another."""
    seen: set[str] = set()
    for doc in docs:
        rel, n = doc.rel, 1
        while rel in seen:
            n += 1
            rel = f"{doc.rel[:-5]}_{n}.docx"
        doc.rel = rel
        seen.add(rel)


def _link(source: Path, target: Path) -> None:
    """Put an unchanged file of the previous output into the staging folder."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def render(
    records: Path | str | RecordSet,
    out: Path | str = "output",
    *,
    templates: Path | str | None = None,
    keep_going: bool = False,
    pdf: bool = False,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    processes: int | None = None,
    on_documents: Callable[[int, int], None] | None = None,
    mask: bool = False,
) -> RenderReport:
    """Render the four annexes for every unit of a records folder.

    Per unit, into ``out/<填报单位>/``: one 附件1 voucher per paid worker whose archive is 在档
    (notice §三.2: a 脱贫 archive is kept but not paid), the 附件2 roster per 帮扶项目, one 附件3
    form per worker, one 附件4 report per weekly record, and per annex one print file of all
    its documents (``打印件/``).

    The batch is rendered into a staging folder inside ``out`` and each unit's folder replaces
    the previous one only when the whole batch has been rendered: an interrupted run leaves the
    previous output as it was. Records are only read, never written.

    Incremental: a unit folder's manifest (``formkit-manifest.json``) records, for each
    file, a digest of what it is made from (the record as loaded, the unit, the campaign, the
    template's bytes, the formkit version) and the file's SHA-256. A file whose inputs and
    bytes are unchanged is kept; a unit with nothing changed is not touched at all. The
    output is byte for byte that of a fresh render (``force=True``).

    Args:
        records: a records folder (or an already loaded RecordSet).
        out: the output folder (created if needed).
        templates: a folder with the four templates; default :func:`default_template_dir`.
        keep_going: render the valid records even when others have errors (listed in
            ``RenderReport.skipped``); otherwise refuse to write anything.
        pdf: also convert every document to PDF (beside it) with LibreOffice, before
            anything replaces the previous output. A document LibreOffice cannot convert (after
            one retry) is listed in ``RenderReport.pdf_failed``; every .docx is written all the
            same.
        progress: called with each unit's name as it starts, and with "PDF" before conversion.
        force: ignore the previous output's manifests and render everything.
        processes: processes rendering documents; default: every CPU when at least
            ``POOL_THRESHOLD`` documents are to be rendered (after comparing with the
            previous output), else 1.
        on_documents: called with (documents done, documents in all) as documents are
            rendered or found unchanged (for a progress bar).
        mask: also write the masked copies for 公示 (:func:`render_publicity`) into
            ``out/公示/``. Once they exist, every later render keeps them current, mask or
            not: a 公示 must never show last week's amounts. (Not while records are left out
            with ``keep_going``: a 公示 of part of a unit is not made.)

    Raises:
        RecordsInvalid: the records have errors and ``keep_going`` is false.
        TemplateProblem: a template is missing, corrupt, or names an unknown field.
        OutputError: the output folder cannot be written.
        PdfError: with ``pdf``, LibreOffice is missing (checked before anything is rendered).
    """
    record_set = records if isinstance(records, RecordSet) else check(records)
    if record_set.errors and not keep_going:
        raise RecordsInvalid(list(record_set.problems))
    if record_set.campaign is None:
        raise RecordsInvalid(list(record_set.problems))
    out = Path(out)
    _refuse_records_as_output(record_set.root, out)
    if pdf:
        find_soffice()
    remove_leftovers(out)
    report = RenderReport(out=out, skipped=list(record_set.errors), warnings=list(record_set.warnings))
    batch = _Batch(record_set, out, _templates(Path(templates) if templates else None), force=force, pdf=pdf,
                   report=report, progress=progress, on_documents=on_documents)
    try:
        batch.run(processes)
    except OSError as exc:
        raise OutputError(f"无法写入输出文件夹 {out}：{exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(batch.stage, ignore_errors=True)
    if (mask or (out / PUBLICITY_DIR).is_dir()) and not report.skipped:
        report.publicity = render_publicity(record_set, out, templates=templates)
    return report


def _refuse_records_as_output(records: Path, out: Path) -> None:
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
        raise OutputError(f"输出文件夹 {out} 不能是记录文件夹 {records}，也不能在它里面或包含它：生成的文件会替换记录。请换一个输出文件夹，例如 output。")


#: Folder (inside the output folder) of the masked copies for 公示 and the press.
PUBLICITY_DIR = "公示"


def render_publicity(
    records: Path | str | RecordSet,
    out: Path | str = "output",
    *,
    templates: Path | str | None = None,
) -> list[Path]:
    """Render masked copies for 公示 or the press (notice §四.2) into ``out/公示/<填报单位>/``.

    Per unit: the annex-2 roster(s) and the annex-1 vouchers, with ID numbers and phone
    numbers masked (middle digits) and addresses cut to the street (:func:`formkit.domain.privacy.mask_context`).
    Names, ages and amounts stay: a 公示 exists to show who was paid what.

    Each unit's folder is built aside and moved into place whole; the records are only read.

    Returns:
        The written files, relative to ``out``.

    Raises:
        RecordsInvalid: the records have errors.
        TemplateProblem: a template is missing, corrupt, or names an unknown field.
        OutputError: the output folder cannot be written, or is the records folder.
    """
    from formkit.domain.privacy import mask_context

    record_set = records if isinstance(records, RecordSet) else load_records(Path(records))
    if record_set.errors or record_set.campaign is None:
        raise RecordsInvalid(list(record_set.problems))
    out = Path(out)
    _refuse_records_as_output(record_set.root, out)
    base = out / PUBLICITY_DIR
    remove_leftovers(base)
    tpl = _templates(Path(templates) if templates else None)
    campaign = record_set.campaign.model_dump(by_alias=True)
    written: list[Path] = []
    stage = staging_folder(base)
    try:
        names = []
        for unit in record_set.units:
            info = unit.unit.model_dump(by_alias=True)
            name = unit.name
            names.append(name)
            paid = [rec.worker.model_dump(by_alias=True) for rec in sorted(record_set.paid_workers(unit), key=_worker_sort_key)]
            for project, roster in ctx.roster_contexts(campaign, info, paid) if paid else []:
                rel = Path(name) / (f"{ROSTER.stem}_{safe_name(project)}（公示）.docx" if project else f"{ROSTER.stem}（公示）.docx")
                (stage / rel).parent.mkdir(parents=True, exist_ok=True)
                write_new(stage / rel, tpl["roster"].render(mask_context(roster)))
                written.append(Path(PUBLICITY_DIR) / rel)
            for rec, worker in zip(sorted(record_set.paid_workers(unit), key=_worker_sort_key), paid):
                rel = Path(name) / VOUCHER.folder / _doc_name(worker, rec)
                (stage / rel).parent.mkdir(parents=True, exist_ok=True)
                write_new(stage / rel, tpl["voucher"].render(mask_context(ctx.voucher_context(campaign, info, worker))))
                written.append(Path(PUBLICITY_DIR) / rel)
        for name in names:
            if (stage / name).is_dir():
                swap_in(stage / name, base / name)
    except OSError as exc:
        raise OutputError(f"无法写入输出文件夹 {base}：{exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return written
