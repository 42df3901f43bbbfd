"""The library API: load and check a records folder, render its annexes.

    >>> from formkit import api
    >>> records = api.check("records")          # RecordSet; .errors, .warnings
    >>> report = api.render("records", "output")  # RenderReport; .files

The ``formkit`` command is a thin layer over these functions.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit import context as ctx
from formkit.errors import OutputError, Problem, RecordsInvalid
from formkit.records import RecordSet, UnitRecords, WorkerRecord, load_records
from formkit.pdf import convert_to_pdf
from formkit.render import TEMPLATE_FILES, FormTemplate, PrintFile, default_template_dir, document_bytes, safe_name, write_atomic

#: Folder and file names of the output, per annex (the names say what each file is).
VOUCHER_DIR = "附件1_慰问金发放凭证"
ROSTER_STEM = "附件2_实名制发放凭证汇总表"
REGISTRATION_DIR = "附件3_困难职工档案登记表"
WEEKLY_DIR = "附件4_企业工资拖欠情况周报表"
#: Per unit, one print file per annex: every document of that annex, page after page.
PRINT_DIR = "打印件"

def check(records: Path | str) -> RecordSet:
    """Load a records folder and check every rule.

    Returns:
        The RecordSet; its ``problems`` (sorted by file and line) hold every error and warning.

    Raises:
        FormkitError: the folder does not exist or is not a records folder.
    """
    return load_records(Path(records))


@dataclass
class RenderReport:
    """What one ``render`` wrote.

    Attributes:
        out: the output folder.
        files: every written file, relative to ``out``, in writing order.
        skipped: problems of the records left out (only with ``keep_going``).
        warnings: warnings found in the records (rendering went ahead).
        counts: per unit folder name: vouchers, rosters, registrations, weekly reports.
    """

    out: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def _templates(folder: Path | None) -> dict[str, FormTemplate]:
    folder = Path(folder) if folder is not None else default_template_dir()
    return {kind: FormTemplate(folder / name) for kind, name in TEMPLATE_FILES.items()}


def _worker_sort_key(rec: WorkerRecord) -> tuple[Any, ...]:
    number = str(rec.worker.model_dump(by_alias=True).get("档案编号") or "")
    digits = [int(d) if d.isdigit() else d for d in re.split(r"(\d+)", number)]
    return (digits, rec.path.as_posix())


def _doc_name(worker: dict[str, Any], rec: WorkerRecord) -> str:
    number = ctx.to_text(worker.get("档案编号"))
    name = ctx.to_text(worker.get("姓名"))
    return safe_name("_".join(p for p in (number, name) if p) or rec.path.stem) + ".docx"


class _Renderer:
    """Renders units into a staging folder; keeps the templates checked once per run."""

    def __init__(self, templates: dict[str, FormTemplate], campaign: dict[str, Any]) -> None:
        self.templates = templates
        self.campaign = campaign
        self.checked: set[str] = set()

    def write(self, kind: str, context: dict[str, Any], target: Path, print_file: PrintFile | None = None) -> None:
        template = self.templates[kind]
        if kind not in self.checked:
            template.check_fields(set(context))
            self.checked.add(kind)
        doc = template.render_document(context)
        write_atomic(target, document_bytes(doc))
        if print_file is not None:
            print_file.add(doc)

    def unit(self, records: RecordSet, unit: UnitRecords, folder: Path, report: RenderReport, base: Path) -> dict[str, int]:
        info = unit.unit.model_dump(by_alias=True)
        workers = sorted(unit.workers, key=_worker_sort_key)
        paid_paths = {rec.path for rec in records.paid_workers(unit)}
        counts = {"慰问金发放凭证": 0, "实名制发放凭证汇总表": 0, "困难职工档案登记表": 0, "周报表": 0}
        paid: list[dict[str, Any]] = []
        prints = {VOUCHER_DIR: PrintFile(), REGISTRATION_DIR: PrintFile(), WEEKLY_DIR: PrintFile()}

        def done(path: Path) -> None:
            report.files.append(path.relative_to(base))

        for rec in workers:
            worker = rec.worker.model_dump(by_alias=True)
            name = _doc_name(worker, rec)
            target = folder / REGISTRATION_DIR / name
            self.write("registration", ctx.registration_context(self.campaign, info, worker), target, prints[REGISTRATION_DIR])
            done(target)
            counts["困难职工档案登记表"] += 1
            if rec.path in paid_paths:
                paid.append(worker)
                target = folder / VOUCHER_DIR / name
                self.write("voucher", ctx.voucher_context(self.campaign, info, worker), target, prints[VOUCHER_DIR])
                done(target)
                counts["慰问金发放凭证"] += 1
        for project, roster in ctx.roster_contexts(self.campaign, info, paid) if paid else []:
            suffix = f"_{safe_name(project)}" if project else ""
            target = folder / f"{ROSTER_STEM}{suffix}.docx"
            self.write("roster", roster, target)
            done(target)
            counts["实名制发放凭证汇总表"] += 1
        for week in sorted(unit.weeks, key=lambda w: (w.report.model_dump(by_alias=True)["时间"], w.path.as_posix())):
            data = week.report.model_dump(by_alias=True)
            target = folder / WEEKLY_DIR / f"{data['时间'].isoformat()}.docx"
            self.write("weekly", ctx.weekly_context(self.campaign, info, data), target, prints[WEEKLY_DIR])
            done(target)
            counts["周报表"] += 1
        for annex, print_file in prints.items():
            if print_file.count:
                target = folder / PRINT_DIR / f"{annex}.docx"
                write_atomic(target, print_file.to_bytes())
                done(target)
        return counts


def render(
    records: Path | str | RecordSet,
    out: Path | str = "output",
    *,
    templates: Path | str | None = None,
    keep_going: bool = False,
    pdf: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RenderReport:
    """Render the four annexes for every unit of a records folder.

    Per unit, into ``out/<填报单位>/``: one 附件1 voucher per paid worker whose archive is 在档
    (notice §三.2: a 脱贫 archive is kept but not paid), the 附件2 roster per 帮扶项目, one 附件3
    form per worker, one 附件4 report per weekly record.

    The batch is rendered into a staging folder inside ``out`` and each unit's folder replaces
    the previous one only when the whole batch has been rendered: an interrupted run leaves the
    previous output as it was. Records are only read, never written.

    Args:
        records: a records folder (or an already loaded RecordSet).
        out: the output folder (created if needed).
        templates: a folder with the four templates; default :func:`default_template_dir`.
        keep_going: render the valid records even when others have errors (listed in
            ``RenderReport.skipped``); otherwise refuse to write anything.
        pdf: also convert every document to PDF (beside it), in one LibreOffice process for
            the whole batch, before anything replaces the previous output.
        progress: called with each unit's name as it starts, and with "PDF" before conversion.

    Raises:
        RecordsInvalid: the records have errors and ``keep_going`` is false.
        TemplateProblem: a template is missing, corrupt, or names an unknown field.
        OutputError: the output folder cannot be written.
        PdfError: with ``pdf``, LibreOffice is missing or failed (nothing is replaced then).
    """
    record_set = records if isinstance(records, RecordSet) else load_records(Path(records))
    if record_set.errors and not keep_going:
        raise RecordsInvalid(list(record_set.problems))
    if record_set.campaign is None:
        raise RecordsInvalid(list(record_set.problems))
    out = Path(out)
    report = RenderReport(out=out, skipped=list(record_set.errors), warnings=list(record_set.warnings))
    renderer = _Renderer(_templates(Path(templates) if templates else None), record_set.campaign.model_dump(by_alias=True))

    stage = out / f".formkit-staging-{uuid.uuid4().hex[:8]}"
    try:
        stage.mkdir(parents=True)
        names: dict[str, Path] = {}
        for unit in record_set.units:
            unit_name = safe_name(ctx.to_text(unit.unit.model_dump(by_alias=True).get("填报单位")), unit.folder.name)
            if unit_name in names:
                unit_name = safe_name(f"{unit_name}_{unit.folder.name}")
            if progress:
                progress(unit_name)
            names[unit_name] = stage / unit_name
            report.counts[unit_name] = renderer.unit(record_set, unit, stage / unit_name, report, stage)
        if pdf:
            if progress:
                progress("PDF")
            documents = [stage / f for f in report.files]
            report.files += [p.relative_to(stage) for p in convert_to_pdf(documents)]
        _swap_in(stage, out, list(names))
    except OSError as exc:
        raise OutputError(f"无法写入输出文件夹 {out}：{exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return report


def _swap_in(stage: Path, out: Path, unit_names: list[str]) -> None:
    """Move each staged unit folder into ``out``, replacing the previous one.

    The previous folder is first renamed aside and removed only once the new one is in place
    (os.replace cannot replace a non-empty folder on Windows).
    """
    for name in unit_names:
        new, target = stage / name, out / name
        old = out / f".formkit-old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
