"""formkit: fill the four annexes of 厦工[2011]104号 from YAML records.

What a Python user calls::

    import formkit

    records = formkit.check("records")            # a RecordSet: .units, .problems, .errors
    for problem in records.errors:
        print(problem.format())                   # 职工/004-黄建国.yaml:8: 政治面貌 — …
    report = formkit.render("records", "output")  # a RenderReport: .files, .packets, .pdf_failed

Every command of ``formkit`` is a function of :mod:`formkit.api` (notice, collect, export,
import_sheet, schedule, …); the names below are the ones most callers need. Everything else
in the package is internal: its layout (domain, records, documents, forms, pipeline,
exchange) is told in README, "Architecture".

The names are loaded on first use, so ``import formkit`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from formkit._version import __version__

__all__ = [
    "AmountError",
    "DateError",
    "FormkitError",
    "IDNumberError",
    "OutputError",
    "Problem",
    "RecordSet",
    "RecordsInvalid",
    "RenderReport",
    "TemplateProblem",
    "UnitRecords",
    "WorkerRecord",
    "__version__",
    "api",
    "check",
    "render",
]

_HOMES = {
    "check": "formkit.api",
    "render": "formkit.api",
    "RenderReport": "formkit.api",
    "RecordSet": "formkit.records.recordset",
    "UnitRecords": "formkit.records.recordset",
    "WorkerRecord": "formkit.records.recordset",
    "Problem": "formkit.errors",
    "FormkitError": "formkit.errors",
    "RecordsInvalid": "formkit.errors",
    "TemplateProblem": "formkit.errors",
    "OutputError": "formkit.errors",
    "AmountError": "formkit.errors",
    "DateError": "formkit.errors",
    "IDNumberError": "formkit.errors",
}

if TYPE_CHECKING:
    from formkit import api
    from formkit.api import RenderReport, check, render
    from formkit.errors import (
        AmountError,
        DateError,
        FormkitError,
        IDNumberError,
        OutputError,
        Problem,
        RecordsInvalid,
        TemplateProblem,
    )
    from formkit.records.recordset import RecordSet, UnitRecords, WorkerRecord


def __getattr__(name: str) -> Any:
    """The public names, imported when first asked for (PEP 562)."""
    import importlib

    if name == "api":
        return importlib.import_module("formkit.api")
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'formkit' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
