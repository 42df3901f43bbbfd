"""Page rules of the printed forms: what fits on a voucher's one page.

A voucher (附件1) is one page: it is signed, stamped and filed as one sheet. Its free-text
boxes hold only so much; :func:`page_warnings` warns (at ``formkit check``) about a record
whose text may push its voucher onto a second page, so the clerk can shorten it before
printing.
"""

from __future__ import annotations

from formkit.errors import Problem
from formkit.forms.context import voucher_texts
from formkit.records.problems import problem
from formkit.records.recordset import RecordSet

__all__ = ["VOUCHER_FIT", "page_warnings"]

#: Characters each voucher box holds before the voucher may run onto a second page
#: (measured with LibreOffice on templates/附件1: a 60-character 居住地址 with a three-line
#: 所在单位 and a long 其它帮扶措施 still prints on one page).
VOUCHER_FIT = {"居住地址": 80, "所在单位": 60, "致困原因": 60, "其它帮扶措施": 120}


def page_warnings(record_set: RecordSet) -> list[Problem]:
    """Warnings for the paid workers whose voucher text may not fit its one page.

    Returns:
        One warning per box longer than :data:`VOUCHER_FIT` allows (characters), at the
        worker's file.
    """
    problems = []
    for unit in record_set.units:
        for rec in record_set.paid_workers(unit):
            texts = voucher_texts(rec.worker.model_dump(by_alias=True))
            for key, limit in VOUCHER_FIT.items():
                length = len(texts[key])
                if length > limit:
                    problems.append(
                        problem(
                            rec.path,
                            rec.line,
                            f"慰问.{key}",
                            f"有 {length} 个字，凭证上这一格约能印 {limit} 个字，凭证可能印成两页",
                            "请缩写，或在打印前检查这张凭证",
                            "warning",
                        )
                    )
    return problems
