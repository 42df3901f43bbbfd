"""Publicity copies (公示, the press; 通知四.2): personal numbers masked, in OUT/公示/.

The roster and the vouchers of each unit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from formkit.domain.annexes import (
    ROSTER,
    VOUCHER,
)
from formkit.errors import OutputError, RecordsInvalid, os_reason
from formkit.files import (
    remove_leftovers,
    safe_name,
    staging_folder,
    swap_in,
    write_new,
)
from formkit.forms import context as ctx
from formkit.pipeline.output import (
    document_name,
    load_templates,
    refuse_records_as_output,
    worker_sort_key,
)
from formkit.records.load import load_records
from formkit.records.recordset import RecordSet

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
    refuse_records_as_output(record_set.root, out)
    base = out / PUBLICITY_DIR
    remove_leftovers(base)
    tpl = load_templates(Path(templates) if templates else None)
    campaign = record_set.campaign.model_dump(by_alias=True)
    written: list[Path] = []
    stage = staging_folder(base)
    try:
        names = []
        for unit in record_set.units:
            info = unit.unit.model_dump(by_alias=True)
            name = unit.name
            names.append(name)
            paid = [rec.worker.model_dump(by_alias=True) for rec in sorted(record_set.paid_workers(unit), key=worker_sort_key)]
            for project, roster in ctx.roster_contexts(campaign, info, paid) if paid else []:
                rel = Path(name) / (f"{ROSTER.stem}_{safe_name(project)}（公示）.docx" if project else f"{ROSTER.stem}（公示）.docx")
                (stage / rel).parent.mkdir(parents=True, exist_ok=True)
                write_new(stage / rel, tpl["roster"].render(mask_context(roster)))
                written.append(Path(PUBLICITY_DIR) / rel)
            for rec, worker in zip(sorted(record_set.paid_workers(unit), key=worker_sort_key), paid):
                rel = Path(name) / VOUCHER.folder / document_name(worker, rec)
                (stage / rel).parent.mkdir(parents=True, exist_ok=True)
                write_new(stage / rel, tpl["voucher"].render(mask_context(ctx.voucher_context(campaign, info, worker))))
                written.append(Path(PUBLICITY_DIR) / rel)
        for name in names:
            if (stage / name).is_dir():
                swap_in(stage / name, base / name)
    except OSError as exc:
        raise OutputError(f"无法写入输出文件夹 {base}：{os_reason(exc)}") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return written
