"""Benchmark of ``formkit render`` at city scale (issue 5), with its floor measured in the same run.

One command::

    .venv/bin/python bench/run.py --workers 100 1000 10000

For each N it generates N fictional workers across ``--units`` units (10 by default, with
their weekly reports; :mod:`formkit.fake`, cached under ``bench/.data/``, git-ignored) and
times, in this order:

``load+check``
    :func:`formkit.api.check` on the folder.
``batch``
    :func:`formkit.api.render` of everything (vouchers, rosters, registration forms, weekly
    reports, print files; .docx), fresh (``force=True``), with the default process count.
    Peak memory is sampled meanwhile (see below).
``batch floor``
    The floor of that batch: for every .docx the batch wrote, its parts are read back (not
    timed) and then written again as a zip with ``zipfile`` (ZIP_DEFLATED, level 6, every
    part compressed, the file written to disk): the cost of writing the output with its final
    XML and nothing else, in one process.
``per-document render, by annex``
    Up to ``--sample`` documents of each annex, rendered and written one by one in this
    process (:meth:`FormTemplate.render_fast` + the .docx written), against the floor of
    writing the same documents' zips from their final XML (as above), and against the
    docxtpl reference (``DocxTemplate.render`` from scratch, as formkit did before) on a few.
``print files``
    A unit's three print files, as a batch builds them: each document rendered and written,
    its piece taken (the body's deflated bytes are shared with the document; only the
    first paragraph is deflated again with its page break), then the print file assembled
    and written. Printed: the assembly against the floor of writing the same print file
    from its final XML, and documents + print file against both floors.
``roster``
    A unit's 附件2 roster, rendered and written, against its floor.
``incremental``
    On one unit folder (``--units`` units: N/units workers each): a render, then one record
    changed (its 备注) and the unit rendered again, timed as a user sees it (load+check of the
    unit included); the rebuilt files are listed, and the result is compared byte for byte
    with a fresh render of the changed records.
``pdf``
    A sample (``--pdf-sample`` documents of each annex) converted in one LibreOffice run:
    seconds and pages per second. ``--pdf-unit`` also converts one unit's three print files.

Peak memory: the largest sum of resident set sizes (VmRSS, /proc) of this process and all its
descendants, sampled every 0.1 s during the batch (Linux); ``ru_maxrss`` of this process is
printed too (it includes the records loaded by load+check, held through the batch). With
several N, each N runs in a fresh process (``--same-process`` to run them all in this one),
so that what one N leaves in memory does not count for the next, and the peaks are printed
side by side with their ratio to N = 1,000 (issue 5: flat in N, within 20 %). Everything
runs on the machine at hand: the figures in README were measured on a 2-core machine
shared with other work.

Run an older formkit against the same data with ``PYTHONPATH=<its src> bench/run.py
--stages load,batch`` (stages it lacks are skipped).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"

try:
    import formkit  # noqa: F401
except ImportError:  # a checkout without an install
    sys.path.insert(0, str(ROOT / "src"))

from formkit import api
from formkit.documents.template import FormTemplate
from formkit.domain import annexes
from formkit.fake import generate_records
from formkit.forms import context as ctx

STAGES = ("load", "batch", "floor", "annex", "print", "roster", "incremental", "pdf")


# --------------------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


class PeakMemory:
    """Largest sum of VmRSS over this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.available = Path("/proc/self/status").exists()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            total = _rss_kb(me) + sum(_rss_kb(p) for p in _descendants(me))
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.available:
            self._thread.join()


# --------------------------------------------------------------------------------------
# Floors
# --------------------------------------------------------------------------------------


def read_parts(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def write_floor(parts: list[tuple[str, bytes]], target: Path) -> float:
    """Seconds to write ``parts`` as a zip (zipfile, deflate level 6) to ``target``."""
    start = time.perf_counter()
    with open(target, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            zf.writestr(name, data)
    return time.perf_counter() - start


def floor_of(files: list[Path], scratch: Path) -> float:
    """Total floor seconds for ``files`` (read untimed, one at a time)."""
    scratch.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for i, path in enumerate(files):
        total += write_floor(read_parts(path), scratch / f"f{i % 64}.docx")
    shutil.rmtree(scratch, ignore_errors=True)
    return total


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def dataset(workers: int, units: int, seed: int = 0) -> Path:
    folder = DATA / f"w{workers}-u{units}-s{seed}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_records(folder, workers=workers, units=units, seed=seed, weeks=True)
        done.write_text("ok\n", encoding="utf-8")
    return folder


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, stage: str, value: str, floor: str = "", ratio: str = "") -> None:
        self.rows.append((stage, value, floor, ratio))
        print(f"  {stage:<44} {value:>16} {floor:>16} {ratio:>8}", flush=True)


def contexts_of(record_set: Any, unit: Any) -> dict[str, list[dict[str, Any]]]:
    """The contexts of one unit's documents, by annex (as formkit.api builds them)."""
    campaign = record_set.campaign.model_dump(by_alias=True)
    info = unit.unit.model_dump(by_alias=True)
    paid_paths = {rec.path for rec in record_set.paid_workers(unit)}
    out: dict[str, list[dict[str, Any]]] = {"voucher": [], "registration": [], "weekly": [], "roster": []}
    paid = []
    for rec in sorted(unit.workers, key=lambda rec: rec.sort_key):
        worker = rec.worker.model_dump(by_alias=True)
        out["registration"].append(ctx.registration_context(campaign, info, worker))
        if rec.path in paid_paths:
            paid.append(worker)
            out["voucher"].append(ctx.voucher_context(campaign, info, worker))
    out["roster"] = [c for _, c in ctx.roster_contexts(campaign, info, paid)] if paid else []
    for week in unit.weeks:
        out["weekly"].append(ctx.weekly_context(campaign, info, week.report.model_dump(by_alias=True)))
    return out


def pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
        m = re.search(r"Pages:\s+(\d+)", info)
        if m:
            return int(m.group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


def bench(workers: int, args: argparse.Namespace, results: dict[str, Any]) -> None:
    stages = set(args.stages)
    fast = hasattr(FormTemplate, "render_fast")
    records = dataset(workers, args.units)
    work = DATA / f"run-w{workers}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    templates = ROOT / "templates"
    table = Table()
    res: dict[str, Any] = results.setdefault(str(workers), {})
    print(f"\nN = {workers} workers, {args.units} units ({records.relative_to(ROOT)})", flush=True)
    print(f"  {'stage':<44} {'time':>16} {'floor':>16} {'ratio':>8}")

    seconds, record_set = timed(lambda: api.check(records))
    weeks = sum(len(u.weeks) for u in record_set.units)
    table.add("load+check", fmt_s(seconds))
    res["load_check_s"] = seconds
    if record_set.errors:
        raise SystemExit(f"generated records have {len(record_set.errors)} errors")

    out = work / "out"
    if "batch" in stages:
        kwargs: dict[str, Any] = {"templates": templates}
        if fast:
            kwargs["force"] = True
            if args.processes:
                kwargs["processes"] = args.processes
        with PeakMemory() as peak:
            seconds, report = timed(lambda: api.render(record_set, out, **kwargs))
        docs = [out / f for f in report.files if f.suffix == ".docx"]
        procs = getattr(report, "processes", 1)
        table.add(f"batch: {len(docs)} .docx, {procs} process(es)", fmt_s(seconds))
        table.add("  per document (wall)", f"{seconds / len(docs) * 1000:.2f} ms")
        res.update(batch_s=seconds, documents=len(docs), processes=procs, weekly_reports=weeks)
        self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if peak.available:
            table.add("peak memory (sum of RSS, all processes)", f"{peak.peak_kb / 1024:.0f} MB")
            res["peak_rss_sum_mb"] = peak.peak_kb / 1024
        table.add("  of which this process (ru_maxrss)", f"{self_mb:.0f} MB")
        res["maxrss_self_mb"] = self_mb
        if "floor" in stages:
            floor = floor_of(docs, work / "floor")
            table.add("batch floor (1 process)", "", fmt_s(floor), f"{seconds / floor:.2f}×")
            res["batch_floor_s"] = floor

    if not fast:
        print("  (this formkit has no FormTemplate.render_fast: the other stages are skipped)")
        return
    loaded = {kind: FormTemplate(templates / name) for kind, name in [(a.kind, a.template) for a in annexes.ANNEXES]}
    unit = max(record_set.units, key=lambda u: len(u.workers))
    contexts = contexts_of(record_set, unit)

    if "annex" in stages:
        from formkit.files import write_new

        res["annex"] = {}
        for kind in ("voucher", "registration", "weekly"):
            sample = contexts[kind][: args.sample]
            if not sample:
                continue
            template = loaded[kind]
            template.render_fast(sample[0])  # prepared once per run, as in a batch
            folder = work / f"annex-{kind}"
            folder.mkdir()
            start = time.perf_counter()
            for i, context in enumerate(sample):
                write_new(folder / f"{i}.docx", template.render_fast(context).to_bytes())
            seconds = time.perf_counter() - start
            floor = floor_of(sorted(folder.glob("*.docx")), work / "floor")
            few = sample[: min(len(sample), 10)]
            reference, _ = timed(lambda template=template, few=few: [template.render_with_docxtpl(c) for c in few])
            per, per_floor, per_ref = seconds / len(sample), floor / len(sample), reference / len(few)
            table.add(
                f"{kind}: {len(sample)} docs, per document", f"{per * 1000:.2f} ms", f"{per_floor * 1000:.2f} ms", f"{per / per_floor:.2f}×"
            )
            table.add("  docxtpl from scratch (before), per document", f"{per_ref * 1000:.1f} ms", "", f"{per_ref / per_floor:.1f}×")
            res["annex"][kind] = {
                "documents": len(sample),
                "per_doc_ms": per * 1000,
                "floor_ms": per_floor * 1000,
                "docxtpl_ms": per_ref * 1000,
            }
            shutil.rmtree(folder)

    if "print" in stages:
        from formkit.documents.printfile import print_file_bytes, print_frame, print_piece
        from formkit.files import write_new

        res["print"] = {}
        for kind in ("voucher", "registration", "weekly"):
            sample = contexts[kind][: args.print_limit]
            if not sample:
                continue
            template = loaded[kind]
            template.render_fast(sample[0])
            folder = work / f"print-{kind}"
            folder.mkdir()
            target = work / f"print-{kind}.docx"
            start = time.perf_counter()
            pieces = []
            frame = None
            for i, context in enumerate(sample):  # as a batch does: each document, then its piece
                doc = template.render_fast(context)
                write_new(folder / f"{i}.docx", doc.to_bytes())
                frame = frame or print_frame(template, doc)
                pieces.append(print_piece(doc, level=template.level))
            middle = time.perf_counter()
            write_new(target, print_file_bytes(frame, pieces))
            seconds, both = time.perf_counter() - middle, time.perf_counter() - start
            pieces_s = middle - start
            del pieces
            docs_floor = floor_of(sorted(folder.glob("*.docx")), work / "floor")
            floor = floor_of([target], work / "floor")
            shutil.rmtree(folder)
            size = target.stat().st_size
            table.add(
                f"print file {kind}: {len(sample)} docs, {size / 1e6:.1f} MB", fmt_s(seconds), fmt_s(floor), f"{seconds / floor:.2f}×"
            )
            table.add(
                "  with its documents (rendered, written)", fmt_s(both), fmt_s(floor + docs_floor), f"{both / (floor + docs_floor):.2f}×"
            )
            res["print"][kind] = {
                "documents": len(sample),
                "assemble_s": seconds,
                "floor_s": floor,
                "with_documents_s": both,
                "documents_and_print_floor_s": floor + docs_floor,
                "render_and_pieces_s": pieces_s,
                "bytes": size,
            }

    if "roster" in stages and contexts["roster"]:
        from formkit.files import write_new

        template = loaded["roster"]
        template.render_fast(contexts["roster"][0])
        target = work / "roster.docx"
        seconds, _ = timed(lambda: [write_new(target, template.render_fast(c).to_bytes()) for c in contexts["roster"][:1]])
        floor = floor_of([target], work / "floor")
        rows = len(contexts["roster"][0]["行"])
        table.add(f"roster: {rows} rows", fmt_s(seconds), fmt_s(floor), f"{seconds / floor:.2f}×")
        reference, _ = timed(lambda: template.render_with_docxtpl(contexts["roster"][0]))
        table.add("  docxtpl from scratch (before)", fmt_s(reference), "", f"{reference / floor:.1f}×")
        res["roster"] = {"rows": rows, "s": seconds, "floor_s": floor, "docxtpl_s": reference}

    if "incremental" in stages:
        incremental(records, unit, work, templates, table, res)

    if "pdf" in stages and args.pdf_sample:
        pdf_stage(out if out.exists() else None, record_set, unit, work, templates, args, table, res)


def incremental(records: Path, unit: Any, work: Path, templates: Path, table: Table, res: dict[str, Any]) -> None:
    """Change one record of a unit and re-render that unit folder."""
    folder = work / "records"
    shutil.copytree(records, folder)
    unit_dir = folder / unit.folder.name
    out = work / "incr"
    api.render(unit_dir, out, templates=templates)  # the previous output
    target = sorted((unit_dir / "职工").glob("*.yaml"))[len(unit.workers) // 2]
    text = target.read_text(encoding="utf-8")
    changed = re.sub(r"^(备注:).*$", r"\1 复核后更正（基准测试）", text, count=1, flags=re.M)
    if changed == text:
        changed = text.rstrip("\n") + "\n备注: 复核后更正（基准测试）\n"
    target.write_text(changed, encoding="utf-8")
    seconds, report = timed(lambda: api.render(unit_dir, out, templates=templates))
    rebuilt = sorted(p.as_posix() for p in report.rebuilt)
    table.add(f"incremental: 1 of {len(unit.workers)} records changed", fmt_s(seconds))
    loading, _ = timed(lambda: api.check(unit_dir))
    table.add("  of which load+check of the unit", fmt_s(loading))
    table.add(f"  rebuilt {len(rebuilt)} of {len(report.files)} files", ", ".join(Path(r).name for r in rebuilt)[:60])
    fresh = work / "fresh"
    api.render(unit_dir, fresh, templates=templates, force=True)
    same = tree_digest(out) == tree_digest(fresh)
    table.add("  identical to a fresh render", "yes" if same else "NO")
    unchanged, _ = timed(lambda: api.render(unit_dir, out, templates=templates))
    table.add("  again, nothing changed", fmt_s(unchanged))
    res["incremental"] = {
        "workers": len(unit.workers),
        "s": seconds,
        "load_check_s": loading,
        "rebuilt": rebuilt,
        "identical": same,
        "unchanged_s": unchanged,
    }
    shutil.rmtree(folder)
    shutil.rmtree(fresh)


def pdf_stage(
    out: Path | None, record_set: Any, unit: Any, work: Path, templates: Path, args: argparse.Namespace, table: Table, res: dict[str, Any]
) -> None:
    from formkit.pipeline.pdf import PdfError, convert_to_pdf

    if out is None:
        return
    name = next(p for p in out.iterdir() if p.is_dir())
    sample: list[Path] = []
    for sub in (annexes.VOUCHER.folder, annexes.REGISTRATION.folder, annexes.WEEKLY.folder):
        sample += sorted((name / sub).glob("*.docx"))[: args.pdf_sample]
    sample += sorted(name.glob(f"{annexes.ROSTER.stem}*.docx"))[:1]
    folder = work / "pdf"
    folder.mkdir()
    copies = []
    for i, path in enumerate(sample):
        copies.append(folder / f"{i:03d}_{path.name}")
        shutil.copyfile(path, copies[-1])
    try:
        seconds, conversion = timed(lambda: convert_to_pdf(copies))
        pdfs = [made.pdf for made in conversion.made.values()]
    except PdfError as exc:
        table.add("pdf", f"skipped: {exc}"[:40])
        return
    pages = sum(pdf_pages(p) for p in pdfs)
    table.add(f"pdf: {len(copies)} docs, {pages} pages, 1 LibreOffice", fmt_s(seconds), "", f"{pages / seconds:.1f} p/s")
    res["pdf"] = {"documents": len(copies), "pages": pages, "s": seconds}
    if args.pdf_unit:
        prints = sorted((name / annexes.PRINT_DIR).glob("*.docx"))
        rosters = sorted(name.glob(f"{annexes.ROSTER.stem}*.docx"))
        files = [folder / f"u_{i}_{p.name}" for i, p in enumerate(prints + rosters)]
        for src, dst in zip(prints + rosters, files):
            shutil.copyfile(src, dst)
        seconds, conversion = timed(lambda: convert_to_pdf(files, timeout=3600))
        pdfs = [made.pdf for made in conversion.made.values()]
        pages = sum(pdf_pages(p) for p in pdfs)
        table.add(f"pdf: a unit's print files + roster, {pages} pages", fmt_s(seconds), "", f"{pages / seconds:.1f} p/s")
        res["pdf_unit"] = {"files": len(files), "pages": pages, "s": seconds}


def _passed_on(args: argparse.Namespace) -> list[str]:
    """The options of this run, for a child process running one N."""
    passed = [
        "--units",
        str(args.units),
        "--sample",
        str(args.sample),
        "--print-limit",
        str(args.print_limit),
        "--pdf-sample",
        str(args.pdf_sample),
        "--stages",
        ",".join(args.stages),
    ]
    if args.processes:
        passed += ["--processes", str(args.processes)]
    if args.level is not None:
        passed += ["--level", str(args.level)]
    if args.pdf_unit:
        passed.append("--pdf-unit")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[100, 1000, 10000], help="worker counts (default: 100 1000 10000)")
    parser.add_argument("--units", type=int, default=10, help="units the workers are spread over (default 10)")
    parser.add_argument("--processes", type=int, default=None, help="processes for the batch (default: formkit's choice)")
    parser.add_argument("--sample", type=int, default=300, help="documents per annex for the per-document ratio (default 300)")
    parser.add_argument(
        "--print-limit", type=int, default=100000, help="documents at most per print file measured (default: all of the unit)"
    )
    parser.add_argument("--pdf-sample", type=int, default=5, help="documents per annex converted to PDF (default 5; 0: no PDF)")
    parser.add_argument("--pdf-unit", action="store_true", help="also convert one unit's print files and roster to PDF (slow)")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}")
    parser.add_argument(
        "--level", type=int, default=None, help="zlib level formkit writes with (default: formkit.documents.template.DEFLATE_LEVEL)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--same-process", action="store_true", help="run every N in this process (default: each in a fresh one)")
    args = parser.parse_args(argv)
    args.stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    if args.level is not None:
        import formkit.documents.template

        formkit.documents.template.DEFLATE_LEVEL = args.level
    cpus = os.cpu_count()
    if len(args.workers) == 1 or args.same_process:  # else each child prints it
        print(
            f"formkit benchmark — {platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.machine()}, {cpus} CPUs"
        )
    results: dict[str, Any] = {"cpus": cpus, "python": platform.python_version()}
    if len(args.workers) == 1 or args.same_process:
        for workers in args.workers:
            bench(workers, args, results)
    else:  # each N in a fresh process: what one N leaves in memory must not count for the next
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as scratch:
                figures = Path(scratch) / "figures.json"
                child = [sys.executable, __file__, "--workers", str(workers), "--json", str(figures), *_passed_on(args)]
                subprocess.run(child, check=True)
                results[str(workers)] = json.loads(figures.read_text(encoding="utf-8"))[str(workers)]
        peaks = {n: results[str(n)].get("peak_rss_sum_mb") for n in args.workers}
        if peaks.get(1000):
            print("\npeak memory (sum of RSS during the batch), each N in a fresh process:")
            for n, mb in peaks.items():
                if mb:
                    print(f"  N = {n:>6}: {mb:5.0f} MB   {mb / peaks[1000]:.2f}× the figure at N = 1000")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
