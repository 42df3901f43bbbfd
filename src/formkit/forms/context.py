"""Validated records → the dictionaries the templates see.

Every value handed to a template is text ready to print (docs/templates.md): money as
``1409.50`` (yuan, two decimals), dates as ``2012年1月6日``, 是/否 for booleans, and ``""``
for anything absent, so a template never prints ``None``. Control characters other than
line breaks are removed (a form feed would become a page break in docxtpl, design.md).

The functions here take plain dictionaries in the record contract's shape, i.e. the output of
``model.model_dump(by_alias=True)`` (Chinese keys, typed values: Decimal, date, bool, int,
str, lists and dicts). They know nothing of files or docx.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from formkit.domain.amounts import amount_in_words, format_yuan, voucher_boxes
from formkit.domain.dates import date_parts, format_date_zh
from formkit.domain.idcard import normalize_id_number, parse_id_number
from formkit.domain.models.worker import ID_AS_TYPED
from formkit.domain.text import printable
from formkit.forms.pages import split_registration

#: Rows of the annex-2 roster per printed page (one table per page, header repeated).
#: Sized so that a page of A4 landscape holds the rows when no cell wraps; a wrapped row
#: pushes the rest of its table on, where the repeated header keeps the page readable.
ROSTER_ROWS_PER_PAGE = 15

#: The paper annex 3 prints five family rows and two attachment rows; shorter lists are
#: padded with blank rows so the printed form keeps its shape.
FAMILY_ROWS = 5
ATTACHMENT_ROWS = 2

#: Keys of a family-member row on annex 3 (附件3 第18项), in the printed column order.
FAMILY_COLUMNS = ("姓名", "关系", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "月收入", "身份", "单位或学校")

#: Columns of the annex-2 roster, in printed order.
ROSTER_COLUMNS = ("序号", "姓名", "性别", "年龄", "身份证号", "工作单位或家庭住址", "帮扶金额", "家庭联系电话", "资金来源", "备注")

#: The two row groups of annex 4 and their rows, in printed order.
WEEKLY_GROUPS = {
    "企业类型": ("国有企业", "集体企业", "其他类型企业"),
    "用工来源": ("城镇职工", "农民工", "其中建筑业农民工"),
}
WEEKLY_FIGURES = ("拖欠数额", "涉及企业数", "涉及人数")

#: Money fields (yuan) printed with two decimals wherever they appear.
MONEY_KEYS = frozenset({"本人月平均收入", "家庭年度总收入", "家庭年人均收入", "月收入", "资助金额", "每月", "帮扶金额"})


def clean_text(text: str) -> str:
    """Return ``text`` with Windows line ends folded to ``\\n`` and control characters removed.

    Tabs become a space; line breaks are kept (docxtpl prints them as ``<w:br/>``); control
    characters, what XML cannot hold (U+FFFE, U+FFFF, lone surrogates) and invisible format
    characters are removed (the one cleaner, :func:`formkit.domain.text.printable`).
    """
    return printable(text)


def to_text(value: Any, key: str = "") -> str:
    """Return one value as printable text.

    Args:
        value: a typed record value (None, str, bool, int, Decimal, date, Enum, list).
        key: the Chinese key it came from; money keys (``MONEY_KEYS``) print as yuan with two
            decimals.

    Returns:
        ``""`` for None; 是/否 for bools; ``2012年1月6日`` for dates; lists joined with 、.
    """
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return format_date_zh(value)
    if isinstance(value, Decimal):
        return format_yuan(value) if key in MONEY_KEYS else format(value, "f")
    if isinstance(value, (list, tuple)):
        return "、".join(to_text(v, key) for v in value if v is not None)
    if isinstance(value, Mapping):
        raise TypeError(f"{key}: a mapping has no single printed form")
    return clean_text(str(value))


def texts(record: Mapping[str, Any], keys: Iterable[str] | None = None) -> dict[str, str]:
    """Return ``{key: to_text(value)}`` for the scalar and list-of-scalar keys of a record.

    Nested mappings and lists of mappings are left out; the callers build those explicitly.
    """
    out: dict[str, str] = {}
    for key in keys if keys is not None else record.keys():
        value = record.get(key)
        if isinstance(value, Mapping):
            continue
        if isinstance(value, (list, tuple)) and any(isinstance(v, Mapping) for v in value):
            continue
        out[key] = to_text(value, key)
    return out


def street_name(text: str) -> str:
    """The 街道（镇） blank of annex 1: the name without its 街道/镇 suffix.

    The voucher prints ``____街道（镇）（盖章）``, so 莲前街道 is written 莲前 and 灌口镇 灌口.
    """
    for suffix in ("街道办事处", "街道", "镇"):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def printed_id(record: Mapping[str, Any]) -> str:
    """The 身份证号 of a worker or family member as the forms print it: as typed, folded only
    in width and case (a 15-digit number stays 15 digits, as on the card; 填表说明第3项 allows
    15 or 18), '' when absent. The 18-digit form stays in ``身份证号`` for the checks.
    """
    value = record.get(ID_AS_TYPED) or record.get("身份证号")
    if value in (None, ""):
        return ""
    return normalize_id_number(value)


def common_context(campaign: Mapping[str, Any], unit: Mapping[str, Any]) -> dict[str, Any]:
    """The keys every template sees: 填报单位, 单位 {…}, 活动 {…}.

    Args:
        campaign: campaign.yaml as a dict (Chinese keys, typed values).
        unit: 单位.yaml as a dict.
    """
    活动 = texts(campaign)
    return {"填报单位": to_text(unit.get("填报单位")), "单位": texts(unit), "活动": 活动}


def voucher_texts(worker: Mapping[str, Any]) -> dict[str, str]:
    """The voucher's free-text boxes, as printed: 居住地址, 所在单位 and 致困原因 (defaulting to
    the worker's 家庭住址, 工作单位 and 致困主要原因, records.md) and 其它帮扶措施 — what may not
    fit the voucher's one page (:func:`formkit.forms.pagecheck.page_warnings`).

    Raises:
        KeyError: the worker has no 慰问 block.
    """
    pay = worker["慰问"]
    if pay is None:
        raise KeyError("慰问")
    return {
        "居住地址": to_text(pay.get("居住地址") or worker.get("家庭住址")),
        "所在单位": to_text(pay.get("所在单位") or worker.get("工作单位")),
        "致困原因": to_text(pay.get("致困原因") or worker.get("致困主要原因")),
        "其它帮扶措施": to_text(pay.get("其它帮扶措施")).rstrip("。. "),
    }


def voucher_context(campaign: Mapping[str, Any], unit: Mapping[str, Any], worker: Mapping[str, Any]) -> dict[str, Any]:
    """Annex 1 (慰问金发放凭证) for one paid worker.

    Args:
        campaign, unit: as for :func:`common_context`.
        worker: a worker record with a 慰问 block.

    Returns:
        The keys of docs/templates.md §附件1: the worker's own fields (:func:`worker_texts`)
        and the voucher's. 居住地址, 所在单位 and 致困原因 default to the worker's 家庭住址,
        工作单位 and 致困主要原因 (records.md).

    Raises:
        KeyError: the worker has no 慰问 block (callers render only paid workers).
        formkit.errors.AmountError: 资助金额 does not fit the voucher's 仟 box (>= 10000 yuan).
    """
    pay = worker["慰问"]
    if pay is None:
        raise KeyError("慰问")
    amount = pay["资助金额"]
    boxes = voucher_boxes(amount)
    dibao = pay.get("低保") or {}
    start, end = dibao.get("起"), dibao.get("止")
    sy, sm, sd = date_parts(start)
    ey, em, ed = date_parts(end)
    ctx = common_context(campaign, unit)
    ctx.update(worker_texts(worker))  # every field of the worker, as on 附件3 (issue 14)
    ctx.update(
        姓名=to_text(worker.get("姓名")),
        性别=to_text(worker.get("性别")),
        档案编号=to_text(worker.get("档案编号")),
        身份证号=printed_id(worker),
        联系电话=to_text(worker.get("联系电话")),
        **voucher_texts(worker),
        低保={"起年": sy, "起月": sm, "起日": sd, "止年": ey, "止月": em, "止日": ed, "每月": to_text(dibao.get("每月"), "每月")},
        街道=street_name(to_text(pay.get("街道"))),
        资助金额=format_yuan(amount),
        资助金额大写=amount_in_words(amount),
        大写位=dict(zip(("仟", "佰", "拾", "元", "角", "分"), boxes)),
        帮扶项目=to_text(pay.get("帮扶项目")),
        资金来源=to_text(pay.get("资金来源")),
        发放日期=to_text(pay.get("发放日期")),
        宣传推荐=to_text(pay.get("宣传推荐")),
    )
    return ctx


def roster_row(index: int, worker: Mapping[str, Any], deadline: date) -> dict[str, str]:
    """One row of annex 2 for a paid worker.

    Args:
        index: 序号, from 1.
        worker: a worker record with a 慰问 block.
        deadline: the day 年龄 is counted on (活动.上报截止, notice §三.2: 2012-01-06).

    Returns:
        The ten columns of ``ROSTER_COLUMNS``. 工作单位或家庭住址 prints the 工作单位 when there is
        one (无, 暂无, - and the like count as none), else the 家庭住址; 家庭联系电话 is the
        worker's 联系电话; 备注 is left blank for the clerk.
    """
    pay = worker["慰问"]
    ident = parse_id_number(worker["身份证号"])
    return {
        "序号": str(index),
        "姓名": to_text(worker.get("姓名")),
        "性别": to_text(worker.get("性别")) or ident.sex,
        "年龄": str(ident.age_on(deadline)),
        "身份证号": printed_id(worker),
        "工作单位或家庭住址": _first_given(pay.get("所在单位"), worker.get("工作单位"), pay.get("居住地址"), worker.get("家庭住址")),
        "帮扶金额": format_yuan(pay["资助金额"]),
        "家庭联系电话": to_text(worker.get("联系电话")),
        "资金来源": to_text(pay.get("资金来源")),
        # Left blank for the clerk: the archive's 备注 often holds medical details that do not
        # belong on a table sent to the city federation.
        "备注": "",
    }


def roster_contexts(
    campaign: Mapping[str, Any],
    unit: Mapping[str, Any],
    paid_workers: Iterable[Mapping[str, Any]],
    rows_per_page: int = ROSTER_ROWS_PER_PAGE,
) -> list[tuple[str, dict[str, Any]]]:
    """Annex 2 (实名制发放凭证汇总表): one roster per 帮扶项目, in order of first appearance.

    Args:
        campaign, unit: as for :func:`common_context`; campaign's 上报截止 fixes 年龄.
        paid_workers: the unit's paid workers (在档 with a 慰问 block), in roster order; read
            once, so a generator serves (only the rows are kept, not the records).
        rows_per_page: rows per printed page; each page is its own table (design.md: one long
            table converts to PDF in time worse than linear).

    Returns:
        ``[(帮扶项目, context)]``; context has 帮扶项目, 行, 分页 (each with 行, 页码, 总页数, 末页)
        and 合计 (人数 in persons, 帮扶金额 in yuan, 帮扶金额大写).
    """
    if rows_per_page < 1:
        raise ValueError("rows_per_page must be at least 1")
    deadline = campaign["上报截止"]
    groups: dict[str, tuple[list[dict[str, str]], list[Decimal]]] = {}
    for worker in paid_workers:
        rows, amounts = groups.setdefault(to_text(worker["慰问"].get("帮扶项目")), ([], []))
        rows.append(roster_row(len(rows) + 1, worker, deadline))
        amounts.append(worker["慰问"]["资助金额"])
    result = []
    for project, (rows, amounts) in groups.items():
        total = sum(amounts, Decimal("0"))
        chunks = [rows[i : i + rows_per_page] for i in range(0, len(rows), rows_per_page)] or [[]]
        pages = [{"行": chunk, "页码": n, "总页数": len(chunks), "末页": n == len(chunks)} for n, chunk in enumerate(chunks, start=1)]
        ctx = common_context(campaign, unit)
        ctx.update(
            帮扶项目=project,
            行=rows,
            分页=pages,
            合计={"人数": str(len(rows)), "帮扶金额": format_yuan(total), "帮扶金额大写": amount_in_words(total)},
        )
        result.append((project, ctx))
    return result


#: Values that people type to mean "none" in a free-text field.
NONE_WORDS = frozenset({"无", "暂无", "没有", "-", "—", "/", "／", "无单位"})


def _first_given(*values: Any) -> str:
    """The first value that is neither empty nor a word for "none" (``NONE_WORDS``), as text."""
    for value in values:
        text = to_text(value).strip()
        if text and text not in NONE_WORDS:
            return text
    return ""


def _family_row(member: Mapping[str, Any]) -> dict[str, str]:
    row = {}
    for key in FAMILY_COLUMNS:
        value = member.get(key)
        row[key] = _date_text(value) if type(value) is date else to_text(value, key)  # as to_text, dates remembered
    row["身份证号"] = printed_id(member)
    return row


def _padded(rows: list[dict[str, str]], columns: Sequence[str], minimum: int) -> list[dict[str, str]]:
    blank = {key: "" for key in columns}
    return rows + [dict(blank) for _ in range(minimum - len(rows))]


#: A date as :func:`to_text` prints it, remembered: a worker's dates are printed on the voucher
#: and on the form (babel's formatting costs about 10 µs a date).
_date_text = functools.lru_cache(maxsize=1 << 14)(format_date_zh)

#: The worker's tables, printed as 家庭成员行 and 附件行 (not as text, even when empty).
_WORKER_TABLES = frozenset({"家庭成员", "所附附件", "慰问"})


def worker_texts(worker: Mapping[str, Any]) -> dict[str, str]:
    """Every scalar field of a worker record as text (as :func:`texts` prints it), the
    身份证号 as typed (:func:`printed_id`): what 附件3 prints, and what 附件1's template may use too.

    Made for every voucher and form: None, text and dates take a shortcut past
    :func:`to_text`'s type checks, with the same result (text through :func:`clean_text`).
    """
    out: dict[str, str] = {}
    for key, value in worker.items():
        if key in _WORKER_TABLES:
            continue
        if value is None:
            out[key] = ""
        elif type(value) is str:
            out[key] = clean_text(value)  # what to_text does with text, past its type checks
        elif type(value) is date:
            out[key] = _date_text(value)
        elif not isinstance(value, Mapping):
            out[key] = to_text(value, key)
    out.pop(ID_AS_TYPED, None)
    out["身份证号"] = printed_id(worker)
    return out


def registration_fields(worker: Mapping[str, Any]) -> dict[str, Any]:
    """What 附件3 prints of a worker, before it is split over its pages: the worker's texts
    (:func:`worker_texts`), 家庭成员行 (padded to ``FAMILY_ROWS``) and 附件行 (padded to
    ``ATTACHMENT_ROWS``). :func:`formkit.forms.pages.split_registration` takes it as it is."""
    fields: dict[str, Any] = worker_texts(worker)
    family = [_family_row(m) for m in worker.get("家庭成员") or []]
    fields["家庭成员行"] = _padded(family, FAMILY_COLUMNS, FAMILY_ROWS)
    attachments = [{k: to_text(a.get(k)) for k in ("附件类型", "附件文件")} for a in worker.get("所附附件") or []]
    fields["附件行"] = _padded(attachments, ("附件类型", "附件文件"), ATTACHMENT_ROWS)
    return fields


def registration_context(
    campaign: Mapping[str, Any], unit: Mapping[str, Any], worker: Mapping[str, Any], *, instructions: bool = False
) -> dict[str, Any]:
    """Annex 3 (困难职工档案登记表) for one worker.

    Args:
        campaign, unit: as for :func:`common_context`.
        worker: a worker record.
        instructions: print the 填表说明 page after the form (``附填表说明``): wanted on the
            blank form of the notice packet, not on each filled form (a print file of 300 forms
            would carry 300 instruction pages).

    Returns:
        Every scalar worker key of records.md as text (身份证号 as typed, :func:`printed_id`;
        致困主要原因 joined with 、), plus 家庭成员行 (at least ``FAMILY_ROWS`` rows,
        blank-padded; more when the family is larger, 附件3 第18项), 附件行 (at least
        ``ATTACHMENT_ROWS``) and 续页 (家庭成员行, 备注: what continues on the continuation
        page, empty when the form fits its page; formkit.forms.pages.split_registration, whose
        split also sets 家庭成员行 and 备注 to what the form's page holds).
    """
    ctx = common_context(campaign, unit)
    ctx.update(registration_fields(worker))
    ctx["附填表说明"] = instructions
    split = split_registration(ctx)
    ctx["家庭成员行"], ctx["备注"] = split.rows, split.remarks
    ctx["续页"] = {"家庭成员行": split.more_rows, "备注": split.more_remarks}
    return ctx


def weekly_context(campaign: Mapping[str, Any], unit: Mapping[str, Any], report: Mapping[str, Any]) -> dict[str, Any]:
    """Annex 4 (企业工资拖欠情况周报表) for one weekly report.

    Returns:
        时间 {年, 月, 日}; 企业类型 and 用工来源, each row a dict of 拖欠数额 (万元, as typed),
        涉及企业数 (户) and 涉及人数 (人); 单位负责人, 填表人, 联系电话 defaulting to 单位.yaml;
        报出日期; 案例说明 (``""`` when there is none).
    """
    ctx = common_context(campaign, unit)
    y, m, d = date_parts(report.get("时间"))
    ctx["时间"] = {"年": y, "月": m, "日": d}
    for group, rows in WEEKLY_GROUPS.items():
        given = report.get(group) or {}
        ctx[group] = {row: {f: to_text((given.get(row) or {}).get(f), f) for f in WEEKLY_FIGURES} for row in rows}
    for key in ("单位负责人", "填表人", "联系电话"):
        ctx[key] = to_text(report.get(key) or unit.get(key))
    ctx["报出日期"] = to_text(report.get("报出日期"))
    ctx["案例说明"] = to_text(report.get("案例说明"))
    return ctx


#: The context builder of each kind of document that is made per worker or per weekly report
#: (:attr:`formkit.domain.annexes.Document.each`): ``builder(campaign, unit, record)``. The
#: roster, made per 帮扶项目 from many workers, is :func:`roster_contexts`.
CONTEXTS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]] = {
    "voucher": voucher_context,
    "registration": registration_context,
    "weekly": weekly_context,
}
