"""The library API: every command of ``formkit`` as a function a Python user can call.

    >>> from formkit import api
    >>> records = api.check("records")          # RecordSet; .errors, .warnings
    >>> report = api.render("records", "output")  # RenderReport; .files, .rebuilt

The ``formkit`` command (:mod:`formkit.cli`) only parses arguments, calls these and prints.
Each function orchestrates the layers below (records, forms, pipeline, exchange); how a
render works is told in :mod:`formkit.pipeline.batch`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from formkit.documents.template import default_template_dir
from formkit.domain import amounts
from formkit.errors import FormkitError, OutputError, Problem, RecordsInvalid, TemplateProblem, os_reason
from formkit.exchange import sheetimport
from formkit.exchange.collect import collect as collect_records
from formkit.exchange.sheetexport import export_tables
from formkit.exchange.sheetimport import ImportReport
from formkit.files import remove_leftovers, write_atomic
from formkit.forms.notice import NOTICE_DIR, render_notice
from formkit.forms.pagecheck import page_warnings
from formkit.forms.schedule import schedule_text
from formkit.forms.tagnames import check_templates
from formkit.pipeline.batch import Batch
from formkit.pipeline.output import (
    INCOMPLETE,
    RenderReport,
    refuse_records_as_output,
    unit_has_errors,
)
from formkit.pipeline.pdf import find_soffice
from formkit.pipeline.publicity import PUBLICITY_DIR, render_publicity
from formkit.records import schema, skeleton
from formkit.records.load import load_records
from formkit.records.recordset import RecordSet
from formkit.records.walk import UNIT_FILE


def check(records: Path | str, *, templates: Path | str | None = None) -> RecordSet:
    """Load a records folder and check every rule; with ``templates``, check those too.

    Args:
        records: the records folder.
        templates: a templates folder (``--templates``): every template in it is read and
            each of its tags checked against the record model (:func:`preflight`); its
            problems join the records' (an error there is an error of the check).

    Returns:
        The RecordSet; its ``problems`` (sorted by file and line) hold every error and warning.

    Raises:
        FormkitError: the folder does not exist or is not a records folder.
    """
    record_set = load_records(Path(records))
    found = preflight(templates) if templates is not None else []
    record_set.problems = sorted({*record_set.problems, *page_warnings(record_set), *found})
    return record_set


def preflight(templates: Path | str | None = None) -> list[Problem]:
    """Read every template of a folder and check each tag before any record is filled in
    (:func:`formkit.forms.tagnames.check_templates`): the file (a .doc beside it, Strict Open
    XML), Word's markup and input-method slips in tags, the syntax and blocks, and every name
    in every branch and loop against the record model, with the closest valid names.

    Args:
        templates: the folder; default :func:`default_template_dir`.

    Returns:
        Every problem (errors and warnings), each naming the template, where the tag is in
        words (``表格1 第3行 第2格``) and the tag.
    """
    folder = Path(templates) if templates is not None else default_template_dir()
    return check_templates(folder, every=True)[1]


#: Why a render stopped when its staging folder disappeared under it: a second render into
#: the same output folder removes what it takes for the leftovers of an interrupted run.
CONCURRENT_RENDER = "另一个 formkit render 同时在写同一个输出文件夹，这次生成已中止；等它完成后再生成。"


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
    pdf_workers: int | None = None,
    on_pdf: Callable[[int, int, int], None] | None = None,
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
            anything replaces the previous output: the print files in chunks, each cut into
            its documents' PDFs, so each page is laid out once (:mod:`formkit.pipeline.pdfstage`).
            A document LibreOffice cannot convert (after one retry) is listed in
            ``RenderReport.pdf_failed``; every .docx is written all the same. PDFs whose pages
            are not what the page rules give are listed in ``RenderReport.pdf_pages``.
        progress: called with each unit's name as it starts, and with "PDF" before conversion.
        force: ignore the previous output's manifests and render everything.
        processes: processes rendering documents; default: every CPU when at least
            ``POOL_THRESHOLD`` documents are to be rendered (after comparing with the
            previous output), else 1.
        on_documents: called with (documents done, documents in all) as documents are
            rendered or found unchanged (for a progress bar).
        pdf_workers: LibreOffice processes side by side; default the number of CPUs.
        on_pdf: called with (documents settled, documents in all, pages made) as PDFs are made.
        mask: also write the masked copies for 公示 (:func:`render_publicity`) into
            ``out/公示/``. Once they exist, every later render keeps them current, mask or
            not: a 公示 must never show last week's amounts. (Not while records are left out
            with ``keep_going``: a 公示 of part of a unit is not made.)

    Raises:
        RecordsInvalid: the records have errors and ``keep_going`` is false.
        TemplateProblem: a template is missing, corrupt, or names an unknown field (checked
            before anything is written, :func:`preflight`; its ``problems`` list each).
        OutputError: the output folder cannot be written, or another render into the same
            output folder removed this one's staging folder (:data:`CONCURRENT_RENDER`).
        PdfError: with ``pdf``, LibreOffice is missing (checked before anything is rendered).
    """
    record_set = records if isinstance(records, RecordSet) else check(records)
    if record_set.errors and not keep_going:
        raise RecordsInvalid(list(record_set.problems))
    if record_set.campaign is None:
        raise RecordsInvalid(list(record_set.problems))
    out = Path(out)
    refuse_records_as_output(record_set.root, out)
    if pdf:
        find_soffice()
    loaded, template_problems = check_templates(Path(templates) if templates else default_template_dir())
    if any(p.is_error for p in template_problems):
        raise TemplateProblem("模板有问题，未生成任何文件（formkit check --templates 文件夹 可以只检查模板）：", template_problems)
    remove_leftovers(out)
    report = RenderReport(out=out, skipped=list(record_set.errors), warnings=list(record_set.warnings) + template_problems)
    batch = Batch(
        record_set,
        out,
        loaded,
        force=force,
        pdf=pdf,
        report=report,
        progress=progress,
        on_documents=on_documents,
        pdf_workers=pdf_workers,
        on_pdf=on_pdf,
    )
    try:
        batch.run(processes)
    except Exception as exc:
        if batch.stage_made and not batch.stage.exists():  # another render's start removed it
            raise OutputError(CONCURRENT_RENDER) from exc
        if isinstance(exc, OSError):
            raise OutputError(f"无法写入输出文件夹 {out}：{os_reason(exc)}") from exc
        raise
    finally:
        shutil.rmtree(batch.stage, ignore_errors=True)
    if (mask or (out / PUBLICITY_DIR).is_dir()) and not report.skipped:
        report.publicity = render_publicity(record_set, out, templates=templates)
    return report


def notice(
    records: Path | str, out: Path | str = "output", *, templates: Path | str | None = None, issued: date | None = None
) -> list[Path]:
    """The notice packet (the notice and its four blank annexes) for every addressee in 主送,
    into ``out/通知/`` (:func:`formkit.forms.notice.render_notice`).

    Returns:
        The files written.

    Raises:
        RecordsInvalid: campaign.yaml is missing or has errors.
        TemplateProblem: a template is missing or broken.
        OutputError: the folder cannot be written.
    """
    return render_notice(records, out, templates=templates, issued=issued)


def collect(records: Path | str | RecordSet, out: Path | str, *, templates: Path | str | None = None) -> list[Path]:
    """The city roll-up for 法律与保障部 into ``out`` (:func:`formkit.exchange.collect.collect`):
    records with errors are left out of it (they are listed by :func:`check`).

    Returns:
        The files written.
    """
    record_set = records if isinstance(records, RecordSet) else check(records)
    return collect_records(record_set, Path(out), templates=Path(templates) if templates else None)


def export(records: Path | str | RecordSet, out: Path | str, *, keep_going: bool = False, csv_form: str = "plain") -> list[Path]:
    """The annex-2 roster and annex-4 figures as .xlsx and CSV (:func:`formkit.exchange.sheetexport.export_tables`);
    ``csv_form``: ``plain`` UTF-8, or ``excel`` (BOM, ``="…"`` around digit codes).

    Raises:
        RecordsInvalid: the records have errors and ``keep_going`` is false.
    """
    return export_tables(records, out, keep_going=keep_going, csv_form=csv_form)


def import_sheet(
    sheet: Path | str, records: Path | str = "records", *, unit: str | None = None, sheet_name: str | None = None, dry_run: bool = False
) -> ImportReport:
    """Worker records from a roster spreadsheet (.xlsx, .csv), one YAML per row; never
    overwrites (:func:`formkit.exchange.sheetimport.import_sheet`)."""
    return sheetimport.import_sheet(Path(sheet), Path(records), unit=unit, sheet_name=sheet_name, dry_run=dry_run)


def schedule(records: Path | str | RecordSet, today: date | None = None) -> str:
    """The dates that bind each unit, as text (:func:`formkit.forms.schedule.schedule_text`)."""
    return schedule_text(records, today)


def new_record(kind: str) -> str:
    """The skeleton of a record of ``kind`` (worker, week, unit, campaign): every key with its
    allowed values in comments (:func:`formkit.records.skeleton.new_record`)."""
    return skeleton.new_record(kind)


def write_new_record(kind: str, path: Path | str) -> Path:
    """Write the skeleton of ``kind`` where ``path`` says, never over an existing file.

    ``path`` is the file (``….yaml``) or a folder: ``records/湖里区总工会`` gets
    ``单位.yaml`` for a unit, a numbered file in its ``职工/`` or ``周报/`` for a worker or a
    week; a records folder gets ``campaign.yaml`` (:func:`formkit.records.skeleton.record_path`).

    Returns:
        The file written.

    Raises:
        FormkitError: ``path`` is the wrong kind of folder (the message says which to give),
            or the file exists (it is never overwritten).
        OutputError: the file cannot be written.
    """
    path = skeleton.record_path(kind, path)
    if path.exists() or path.is_symlink():
        raise FormkitError(f"{path} 已存在，不会覆盖：换一个文件名，或给出文件夹（formkit new 在里面新建一个文件）")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法建立文件夹 {path.parent}：{os_reason(exc)}") from exc
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(skeleton.new_record(kind))
    except FileExistsError:
        raise FormkitError(f"{path} 已存在，不会覆盖。") from None
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{os_reason(exc)}") from exc
    return path


def json_schema() -> dict[str, Any]:
    """One JSON Schema of every kind of record file (:func:`formkit.records.schema.json_schema`)."""
    return schema.json_schema()


def write_schemas(out: Path | str) -> dict[str, Any]:
    """Write one JSON Schema per kind of record file into ``out`` (:mod:`formkit.records.schema`).

    Returns:
        The ``yaml.schemas`` setting of VS Code's YAML extension for them.

    Raises:
        OutputError: the folder cannot be written.
    """
    out = Path(out)
    for kind, data in schema.json_schemas().items():
        write_atomic(out / schema.SCHEMA_FILES[kind][1], (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return schema.vscode_settings(out.as_posix())


def amount_in_words(value: str) -> str:
    """The 大写金额 of an amount in yuan (:func:`formkit.domain.amounts.amount_in_words`).

    Raises:
        AmountError: negative, more than 2 decimals, not a number, or out of range.
    """
    return amounts.amount_in_words(value)


__all__ = [
    "INCOMPLETE",
    "NOTICE_DIR",
    "PUBLICITY_DIR",
    "UNIT_FILE",
    "RenderReport",
    "amount_in_words",
    "check",
    "collect",
    "export",
    "import_sheet",
    "json_schema",
    "new_record",
    "notice",
    "preflight",
    "render",
    "render_publicity",
    "schedule",
    "unit_has_errors",
    "write_new_record",
    "write_schemas",
]
