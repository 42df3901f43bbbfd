"""The check's page warnings: records whose forms will not fit their pages as printed.

Run by ``formkit check`` (and before every render, which reports what check reports): a
voucher (附件1) whose free text may push it onto a second page, a registration form (附件3)
that will print with a continuation page, or over more pages than the form and one
continuation, a weekly report whose 案例说明 runs over more than one page. Each warning names
the record's file and line and the field, so the clerk can shorten the text before printing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from formkit.errors import FormkitError, Problem
from formkit.forms import pages
from formkit.forms.context import registration_fields, voucher_texts, weekly_context
from formkit.records.problems import problem
from formkit.records.recordset import RecordSet
from formkit.records.yamlio import load_yaml

__all__ = ["VOUCHER_FIT", "page_warnings"]

#: Characters each voucher box holds before the voucher may run onto a second page
#: (measured with LibreOffice on templates/附件1: a 60-character 居住地址 with a three-line
#: 所在单位 and a long 其它帮扶措施 still prints on one page).
VOUCHER_FIT = {"居住地址": 80, "所在单位": 60, "致困原因": 60, "其它帮扶措施": 120}


def _line(path: Path, loc: tuple[str | int, ...], fallback: int) -> int:
    """The line of ``loc`` in a record file (the record's first line if it cannot be read)."""
    try:
        return load_yaml(path).line_of(loc) or fallback
    except (OSError, FormkitError):
        return fallback


def _voucher_warnings(path: Path, line: int, worker: dict[str, Any]) -> list[Problem]:
    """One warning per voucher box longer than :data:`VOUCHER_FIT` allows (characters)."""
    problems = []
    texts = voucher_texts(worker)
    for key, limit in VOUCHER_FIT.items():
        length = len(texts[key])
        if length > limit:
            problems.append(
                problem(
                    path,
                    line,
                    f"慰问.{key}",
                    f"有 {length} 个字，凭证上这一格约能印 {limit} 个字，凭证可能印成两页",
                    "请缩写，或在打印前检查这张凭证",
                    "warning",
                )
            )
    return problems


def page_warnings(record_set: RecordSet) -> list[Problem]:
    """Warnings for the records whose forms will not print as one page each.

    Returns:
        Per paid worker, one warning per voucher box longer than :data:`VOUCHER_FIT`
        allows (characters); per worker whose registration form needs its continuation page
        (pages rules of formkit.forms.pages: family rows and 备注 estimated by line counts),
        one warning at 家庭成员 or 备注; per weekly report whose 案例说明 takes more than
        one page, one warning at 案例说明.
    """
    problems = []
    campaign = record_set.campaign.model_dump(by_alias=True) if record_set.campaign is not None else {}
    for unit in record_set.units:
        info = unit.unit.model_dump(by_alias=True)
        for rec in unit.workers:
            worker = rec.worker.model_dump(by_alias=True)  # unpacked once for both forms
            if rec.paid:
                problems += _voucher_warnings(rec.path, rec.line, worker)
            split = pages.split_registration(registration_fields(worker))
            if not split.continues:
                continue
            count = split.pages
            field = "家庭成员" if split.more_rows else "备注"
            first_moved = len(split.rows) if split.more_rows else None
            line = _line(rec.path, ("家庭成员", first_moved) if first_moved is not None else ("备注",), rec.line)
            what = []
            if split.more_rows:
                what.append(f"{len(split.more_rows)} 名家庭成员")
            if split.more_remarks:
                what.append("备注的后半部分")
            message = f"登记表一页印不下，{'和'.join(what)}印在续页（标题“困难职工档案登记表（续）”）上，共 {count} 页"
            fix = "打印后把续页与登记表订在一起；也可缩短备注" if count == 2 else "续页也印不下：请缩短备注，或把家庭成员写得更简"
            problems.append(problem(rec.path, line, field, message, fix, "warning"))
        for week in unit.weeks:
            report = week.report.model_dump(by_alias=True)
            count = pages.weekly_pages(weekly_context(campaign, info, report))
            if count > 2:
                problems.append(
                    problem(
                        week.path,
                        _line(week.path, ("案例说明",), week.line),
                        "案例说明",
                        f"案例说明约需 {count - 1} 页，周报表将印成 {count} 页",
                        "请缩写案例说明，或在打印前检查",
                        "warning",
                    )
                )
    return problems
