"""The notice packet: the notice itself and its four blank annexes, one packet per addressee.

For every unit named under 主送 in campaign.yaml, :func:`render_notice` writes::

    out/通知/<主送单位>/
        通知_厦工[2011]104号.docx                 the notice (文号 from campaign.yaml)
        附件1_慰问金发放凭证.docx                  the four annexes as blank forms
        附件2_实名制发放凭证汇总表.docx
        附件3_困难职工档案登记表.docx
        附件4_企业工资拖欠情况周报表.docx

The notice is laid out as an official document (GB/T 9704-2012《党政机关公文格式》: 发文机关
标志, 发文字号, red separator, 标题, 主送机关, 正文, 附件说明, 发文机关署名, 成文日期, page
numbers); ``tools/build_notice_template.py`` documents the layout. Its text lives in the
template, not here: next year's campaign is a new campaign.yaml plus an edited copy of the
template (``templates/通知_<文号>.docx`` or ``templates/通知.docx``), not new code.

How a copy is addressed. A 公文 is one document for all its addressees; its 主送 line names
them as issued (here the collective 各区工会、各产业工会工委, which the 《党政机关公文处理工作
条例》 allows: 主送机关 may be 同类型机关统称). Rewriting that line per copy would make thirteen
different documents under one 文号. So each copy keeps the notice as issued and adds a cover
sheet in front of it, as the envelope (公文封) or distribution slip of a mailed copy would:
“送：思明区总工会”, with the 发文机关 and 文号. The cover is its own section with an empty
reverse page, so the notice starts on a fresh sheet when printed on both sides and is numbered
from page 1.

成文日期: the notice text carries no date. It is printed from ``issued`` (or a 成文日期 in
campaign.yaml, should the record format gain one); without it the line is left blank as
“　　年　月　日”, for the date to be written when the seal is applied.

Fields of the notice template (all text, ready to print, as for the annexes in
docs/templates.md):

=================  ==========================================================================
tag                value
=================  ==========================================================================
``发文机关``         campaign.yaml 发文机关 (发文机关标志 and 署名)
``文号``             campaign.yaml 文号 (发文字号), e.g. 厦工[2011]104号
``活动名称``         campaign.yaml 活动名称
``资金使用截止``     e.g. 2011年12月31日 (§三.2)
``上报截止``         e.g. 2012年1月6日 (§三.2, §四.3)
``周报起`` ``周报止``  the first and last day of 周报起止, e.g. 2011年12月1日, 2012年1月22日 (§四.3)
``周报日``           e.g. 星期五; ``周报日简称`` e.g. 周五 (“于每周五上报”)
``主送``             the list of addressees; ``主送单位`` the same joined with 、
``送达单位``         the addressee of this copy (the cover sheet)
``成文日期``         e.g. 2011年11月28日, or “　　年　月　日” when not given
``活动``             the campaign as the annex templates see it (``活动.文号`` …)
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from formkit.documents.template import (
    FormTemplate,
    default_template_dir,
)
from formkit.domain.annexes import by_kind
from formkit.domain.dates import format_date_zh
from formkit.domain.models import Unit, Worker
from formkit.errors import Problem, RecordsInvalid, TemplateProblem
from formkit.files import safe_name, write_atomic
from formkit.forms import context as ctx
from formkit.records.load import load_records
from formkit.records.recordset import RecordSet
from formkit.records.walk import CAMPAIGN_FILE

__all__ = [
    "BLANK_DATE",
    "NOTICE_DIR",
    "blank_annex_contexts",
    "notice_context",
    "notice_template_path",
    "render_notice",
]

#: The folder under ``out`` that holds one packet folder per addressee.
NOTICE_DIR = "通知"

#: 成文日期 when none is given: room to write the date by hand when the seal is applied.
BLANK_DATE = "　　年　月　日"

#: Blank space printed for 帮扶项目 in the title of the blank 附件2, to write it in by hand.
BLANK_PROJECT = "　　　　"


def notice_template_path(document_number: str, folder: Path | None = None) -> Path:
    """Find the notice template for a campaign.

    Looks in ``folder`` (default :func:`formkit.documents.render.default_template_dir`) for
    ``通知_<文号>.docx`` (this campaign's own notice), then ``通知.docx``.

    Args:
        document_number: campaign.yaml 文号, e.g. ``厦工[2011]104号``.
        folder: the templates folder.

    Raises:
        TemplateProblem: neither file exists (the message names both).
    """
    folder = Path(folder) if folder is not None else default_template_dir()
    candidates = [folder / f"通知_{safe_name(document_number, '通知')}.docx", folder / "通知.docx"]
    for path in candidates:
        if path.is_file():
            return path
    names = "或".join(p.name for p in candidates)
    raise TemplateProblem(f"找不到通知模板：{folder} 里应有 {names}（把上一年的通知模板复制一份，改正文后另存为这个名字）。")


def _weekday_short(weekday: str) -> str:
    """星期五 → 周五 (the notice writes “每周五”)."""
    return "周" + weekday[2:] if weekday.startswith("星期") else weekday


def notice_context(campaign: Mapping[str, Any], addressee: str, issued: date | None = None) -> dict[str, Any]:
    """The fields of the notice template for one addressee's copy.

    Args:
        campaign: campaign.yaml as ``Campaign.model_dump(by_alias=True)`` (Chinese keys,
            typed values).
        addressee: the unit this copy is sent to (送达单位, printed on the cover sheet).
        issued: the 成文日期; default the campaign's 成文日期 if it has one, else blank.

    Returns:
        The keys listed in this module's docstring, every value text (or a list of text).
    """
    start, end = campaign["周报起止"]
    issued = issued or campaign.get("成文日期")
    addressees = [ctx.to_text(a) for a in campaign.get("主送") or []]
    weekday = ctx.to_text(campaign.get("周报日")) or "星期五"
    return {
        "发文机关": ctx.to_text(campaign.get("发文机关")),
        "文号": ctx.to_text(campaign.get("文号")),
        "活动名称": ctx.to_text(campaign.get("活动名称")),
        "资金使用截止": format_date_zh(campaign["资金使用截止"]),
        "上报截止": format_date_zh(campaign["上报截止"]),
        "周报起": format_date_zh(start),
        "周报止": format_date_zh(end),
        "周报日": weekday,
        "周报日简称": _weekday_short(weekday),
        "主送": addressees,
        "主送单位": "、".join(addressees),
        "送达单位": ctx.to_text(addressee),
        "成文日期": format_date_zh(issued) if issued else BLANK_DATE,
        "活动": ctx.texts(campaign),
    }


def _blank(keys: Any) -> dict[str, str]:
    return {key: "" for key in keys}


def blank_annex_contexts(campaign: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Contexts that print annexes 1–4 as empty forms, as annexed to the notice.

    Every field of docs/templates.md is ``""``; the tables get blank rows: 附件2 one page of
    :data:`formkit.forms.context.ROSTER_ROWS_PER_PAGE` rows, 附件3 the printed 5 family rows and 2
    attachment rows (附件3 第18项). The campaign's own values (``活动.*``) are kept, since the
    annexes print them as part of the form; 填报单位 and ``单位.*`` are blank for the unit to
    fill in.

    Args:
        campaign: campaign.yaml as ``Campaign.model_dump(by_alias=True)``.

    Returns:
        ``{kind: context}`` for the kinds of :data:`formkit.domain.annexes.ANNEXES`
        (voucher, roster, registration, weekly).
    """
    unit: dict[str, Any] = {field.alias or name: None for name, field in Unit.model_fields.items()}
    worker: dict[str, Any] = {field.alias or name: None for name, field in Worker.model_fields.items()}

    voucher = ctx.common_context(campaign, unit)
    voucher.update(ctx.texts(worker))  # the worker's own fields, blank (附件1 may use them too)
    voucher.update(
        _blank(
            (
                "姓名",
                "性别",
                "档案编号",
                "身份证号",
                "联系电话",
                "居住地址",
                "所在单位",
                "致困原因",
                "其它帮扶措施",
                "街道",
                "资助金额",
                "资助金额大写",
                "帮扶项目",
                "资金来源",
                "发放日期",
                "宣传推荐",
            )
        )
    )
    voucher["低保"] = _blank(("起年", "起月", "起日", "止年", "止月", "止日", "每月"))
    voucher["大写位"] = _blank(("仟", "佰", "拾", "元", "角", "分"))

    rows = [_blank(ctx.ROSTER_COLUMNS) for _ in range(ctx.ROSTER_ROWS_PER_PAGE)]
    roster = ctx.common_context(campaign, unit)
    roster.update(
        帮扶项目=BLANK_PROJECT,
        行=rows,
        分页=[{"行": rows, "页码": 1, "总页数": 1, "末页": True}],
        合计=_blank(("人数", "帮扶金额", "帮扶金额大写")),
    )
    return {
        "voucher": voucher,
        "roster": roster,
        "registration": ctx.registration_context(campaign, unit, worker, instructions=True),
        "weekly": ctx.weekly_context(campaign, unit, {}),
    }


def _campaign_problems(records: RecordSet) -> list[Problem]:
    return [p for p in records.problems if p.path.name == CAMPAIGN_FILE]


def render_notice(
    records_root: Path | str | RecordSet,
    out: Path | str,
    *,
    template: Path | str | None = None,
    templates: Path | str | None = None,
    issued: date | None = None,
) -> list[Path]:
    """Write the notice packet of every addressee listed under 主送 in campaign.yaml.

    Each packet is ``out/通知/<主送单位>/``: the notice addressed to that unit by its cover
    sheet, and annexes 1–4 as blank forms (see the module docstring). Only campaign.yaml is
    needed: errors in workers' or weekly records do not stop the notice. Every file is written
    atomically (:func:`formkit.documents.render.write_atomic`); files of an earlier run that this run
    does not write are left alone.

    Args:
        records_root: a records folder (or a loaded RecordSet).
        out: the output folder; the packets go into ``out/通知/``.
        template: the notice template; default :func:`notice_template_path` for the
            campaign's 文号 in ``templates``.
        templates: the folder of the annex templates (and of the notice template); default
            :func:`formkit.documents.render.default_template_dir`.
        issued: the 成文日期 to print; default blank (see the module docstring).

    Returns:
        The written files, packet by packet, the notice first and then 附件1–4.

    Raises:
        RecordsInvalid: campaign.yaml is missing or has errors, or its 主送 is empty.
        TemplateProblem: a template is missing, corrupt, or names a field the context lacks.
        OutputError: the output folder cannot be written.
    """
    records = records_root if isinstance(records_root, RecordSet) else load_records(Path(records_root))
    if records.campaign is None or any(p.is_error for p in _campaign_problems(records)):
        raise RecordsInvalid(_campaign_problems(records) or list(records.errors))
    campaign = records.campaign.model_dump(by_alias=True)
    addressees = list(dict.fromkeys(ctx.to_text(a) for a in campaign.get("主送") or [] if ctx.to_text(a)))
    if not addressees:
        # campaign.yaml is in the records folder, or above it when a unit folder was given
        campaign_path = next(
            (p for p in (records.root / CAMPAIGN_FILE, records.root.parent / CAMPAIGN_FILE) if p.is_file()), records.root / CAMPAIGN_FILE
        )
        raise RecordsInvalid(
            [Problem(campaign_path, 0, "主送", "主送为空：不知道通知发给哪些单位", "在 主送 下每行写一个单位，以“- ”开头")]
        )

    folder = Path(templates) if templates is not None else default_template_dir()
    notice_path = Path(template) if template is not None else notice_template_path(campaign["文号"], folder)
    notice = FormTemplate(notice_path)
    notice.check_fields(set(notice_context(campaign, addressees[0], issued)))

    annexes: list[tuple[str, bytes]] = []
    for kind, context in blank_annex_contexts(campaign).items():
        annex = FormTemplate(folder / by_kind(kind).template)
        annex.check_fields(set(context))
        annexes.append((by_kind(kind).template, annex.render(context)))

    notice_name = f"通知_{safe_name(ctx.to_text(campaign['文号']), '通知')}.docx"
    rendered = [(name, notice.render(notice_context(campaign, name, issued))) for name in addressees]
    written: list[Path] = []
    base = Path(out) / NOTICE_DIR
    for addressee, document in rendered:
        packet = base / safe_name(addressee, "未命名单位")
        write_atomic(packet / notice_name, document)
        written.append(packet / notice_name)
        for name, data in annexes:
            write_atomic(packet / name, data)
            written.append(packet / name)
    return written
