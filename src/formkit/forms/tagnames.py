"""The names each template may use, derived from the record models, and a templates folder checked against them.

The names are not listed by hand: each annex's context is built by :mod:`formkit.forms.context`
from a prototype record that has every key of the record models (:mod:`formkit.domain.models`)
and one row in each list, and its :class:`~formkit.documents.shapes.Shape` is read from it. A
field added to a model is thus a name of every template that prints the record, in
``formkit check --templates`` and in docs/templates.md (``tools/template_fields.py``).
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from formkit.documents.preflight import used_names
from formkit.documents.shapes import Shape
from formkit.documents.template import FormTemplate
from formkit.domain import annexes
from formkit.domain.idcard import check_digit
from formkit.domain.models import Attachment, Campaign, FamilyMember, Figures, Payment, Subsidy, Unit, WeeklyReport, Worker
from formkit.errors import Problem, TemplateProblem
from formkit.forms import context as ctx
from formkit.forms.context import WEEKLY_FIGURES, WEEKLY_GROUPS
from formkit.forms.notice import notice_context

#: The prototype's day (any valid date) and its fictional ID number (GB 11643 check digit).
_DAY = date(2012, 1, 6)
_ID17 = "35020319680312002"
_ID = _ID17 + check_digit(_ID17)

#: What the notice template is called in messages (its file name holds the campaign's 文号).
NOTICE_LABEL = "通知"


def _rows(item: str) -> tuple[str, ...]:
    """The roster's row ``item``, through its pages (as shipped) or through all its rows."""
    return (f"分页[].行[].{item}", f"行[].{item}")


#: The values each form must print (填表说明, and the tags of the shipped templates): a tag
#: written as the shipped template writes it, and the name paths that print the value
#: (:func:`formkit.documents.preflight.used_names`; any one will do, or a path under it). A
#: template none of whose tags uses one of them is warned about (:func:`missing_values`).
REQUIRED: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "voucher": (
        ("{{ 姓名 }}", ("姓名",)),
        ("{{ 身份证号 }}", ("身份证号",)),
        ("{{ 资助金额 }}", ("资助金额",)),
        ("{{ 大写位.仟 }} … {{ 大写位.分 }}", ("大写位", "资助金额大写")),
    ),
    "roster": (
        ("{{ 帮扶项目 }}", ("帮扶项目",)),
        ("{{ 填报单位 }}", ("填报单位", "单位.填报单位")),
        ("{{ r.姓名 }}", _rows("姓名")),
        ("{{ r.身份证号 }}", _rows("身份证号")),
        ("{{ r.帮扶金额 }}", _rows("帮扶金额")),
        ("{{ 合计.帮扶金额 }}", ("合计.帮扶金额",)),
    ),
    "registration": (
        ("{{ 姓名 }}", ("姓名",)),
        *((f"{{{{ {name} }}}}", (name,)) for name in ("困难类别", "政治面貌", "身份证号", "健康状况", "身份", "劳模类型")),
        *((f"{{{{ {name} }}}}", (name,)) for name in ("住房类型", "建筑面积", "工作时间", "所属行业", "婚姻状况", "户口类型")),
        *((f"{{{{ {name} }}}}", (name,)) for name in ("单位性质", "企业状况", "是否单亲", "户口所在地行政区划", "是否进入医保")),
        ("{%tr for m in 家庭成员行 %}", ("家庭成员行",)),
        *((f"{{{{ {name} }}}}", (name,)) for name in ("是否有一定自救能力", "是否为零就业家庭", "致困主要原因")),
    ),
    "weekly": (
        ("{{ 填报单位 }}", ("填报单位", "单位.填报单位")),
        ("{{ 时间.年 }}", ("时间",)),
        *(
            (f"{{{{ {group}.{row}.{figure} }}}}", (f"{group}.{row}.{figure}",))
            for group, rows in WEEKLY_GROUPS.items()
            for row in rows
            for figure in WEEKLY_FIGURES
        ),
    ),
}

#: Where a missing tag is, in a message: nowhere in the template.
WHOLE = "全文"


def _keys(model: type[BaseModel]) -> dict[str, Any]:
    """Every key of a record model (its Chinese aliases), absent."""
    return {field.alias or name: None for name, field in model.model_fields.items()}


def prototypes() -> dict[str, dict[str, Any]]:
    """A campaign, a unit, a paid worker with one family member, one attachment and a 低保
    line, and a weekly report: every key of the models, values only where a context needs one."""
    campaign = _keys(Campaign) | {"资金使用截止": _DAY, "上报截止": _DAY, "周报起止": [_DAY, _DAY], "主送": ["单位"]}
    subsidy = _keys(Subsidy) | {"起": _DAY, "止": _DAY, "每月": Decimal("1")}
    payment = _keys(Payment) | {"资助金额": Decimal("1"), "低保": subsidy}
    worker = _keys(Worker) | {
        "身份证号": _ID,
        "致困主要原因": [],
        "家庭成员": [_keys(FamilyMember)],
        "所附附件": [_keys(Attachment)],
        "慰问": payment,
    }
    weekly = _keys(WeeklyReport) | {"时间": _DAY}
    weekly.update({group: {row: _keys(Figures) for row in rows} for group, rows in WEEKLY_GROUPS.items()})
    return {"campaign": campaign, "unit": _keys(Unit), "worker": worker, "weekly": weekly}


def example_contexts() -> dict[str, dict[str, Any]]:
    """The context of each rendered document (by kind, :data:`formkit.domain.annexes.RENDERED`,
    built as a render builds it: :data:`formkit.forms.context.CONTEXTS` by what the document is
    made for) and of the notice (``notice``), from the prototypes."""
    p = prototypes()
    campaign, unit, worker = p["campaign"], p["unit"], p["worker"]
    made_from = {annexes.EACH_WORKER: worker, annexes.EACH_PAID: worker, annexes.EACH_WEEK: p["weekly"]}
    contexts: dict[str, dict[str, Any]] = {}
    for document in annexes.RENDERED:
        if document.each == annexes.EACH_PROJECT:
            [(_, contexts[document.kind])] = ctx.roster_contexts(campaign, unit, [worker])
        elif document.kind in ctx.CONTEXTS and document.each in made_from:
            contexts[document.kind] = ctx.CONTEXTS[document.kind](campaign, unit, made_from[document.each])
    if "registration" in contexts:  # the 填表说明 page's flag: true on the notice's blank form
        contexts["registration"] = ctx.registration_context(campaign, unit, worker, instructions=True)
        # the continuation page's names (forms.pages.split_registration): a row and the 备注
        rows = contexts["registration"]["家庭成员行"]
        contexts["registration"]["续页"] = {"家庭成员行": rows[:1], "备注": "备注"}
    contexts["notice"] = notice_context(campaign, "单位")
    return contexts


@functools.cache
def shapes() -> dict[str, Shape]:
    """The :class:`Shape` of each context of :func:`example_contexts`, by kind."""
    return {kind: Shape.of(context) for kind, context in example_contexts().items()}


def _load(path: Path, problems: list[Problem], names: tuple[Shape, str] | None = None) -> FormTemplate | None:
    try:
        template = FormTemplate(path, names=names)
    except TemplateProblem as exc:
        problems += exc.problems or [Problem(path, 0, "文件", str(exc).splitlines()[0])]
        return None
    problems += template.notes
    return template


def missing_values(template: FormTemplate, kind: str, label: str) -> list[Problem]:
    """A warning for each value of :data:`REQUIRED` that none of the template's tags prints
    (a tag deleted by mistake prints an empty box, and nothing else would tell)."""
    shape = shapes().get(kind)
    if kind not in REQUIRED or shape is None:  # a kind without a list (a new annex): nothing to miss
        return []
    used = used_names(template.tags, shape, template.env)
    problems = []
    for shown, paths in REQUIRED[kind]:
        if not any(u == p or u.startswith((p + ".", p + "[")) for u in used for p in paths):
            problems.append(
                Problem(
                    template.path,
                    0,
                    WHOLE,
                    f"模板里没有 {shown}：{label}上这一项会空着（标签可能被误删了）",
                    f"在表上该印它的地方写上 {shown}（可对照 formkit 自带的模板）",
                    "warning",
                )
            )
    return problems


def template_files(folder: Path) -> list[Path]:
    """The templates of ``folder`` that ``formkit check --templates`` reads and finds there:
    the annexes (:data:`~formkit.domain.annexes.RENDERED`), the notices (``通知*.docx``) and
    the 活动小结."""
    found = [folder / d.template for d in (*annexes.RENDERED, annexes.SUMMARY)] + sorted(folder.glob("通知*.docx"))
    return [path for path in found if path.is_file()]


def stray_files(folder: Path) -> list[Problem]:
    """A warning for each .docx of ``folder`` that is none of the templates formkit reads
    (Explorer's "… - 副本.docx", a renamed copy: the clerk's edits may be there, and would
    never print). Word's lock files (``~$…``) are passed over."""
    expected = [d.template for d in (*annexes.RENDERED, annexes.SUMMARY)]
    problems = []
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() != ".docx" or path.name.startswith("~$") or path.name in expected or path.name.startswith("通知"):
            continue
        copy_of = next((name for name in expected if path.stem.startswith(Path(name).stem)), "")
        problems.append(
            Problem(
                path,
                0,
                "文件",
                "这个文件不是 formkit 要读的模板，不会被使用"
                + (f"（像是 {copy_of} 的副本）" if copy_of else "")
                + "：如果你的修改在这个文件里，它们不会印出来",
                (f"要用它，请把它改名为 {copy_of}（替换原来的文件）；" if copy_of else "")
                + "模板的文件名要是："
                + "、".join([*expected, "通知*.docx"]),
                "warning",
            )
        )
    return problems


def check_templates(folder: Path, *, every: bool = False) -> tuple[dict[str, FormTemplate], list[Problem]]:
    """Read the templates of ``folder`` and check every tag against the names of its form.

    Args:
        folder: a templates folder (``--templates``).
        every: also the notice templates (``通知*.docx``) and the 活动小结 when the folder has
            them (``formkit check --templates``); else the documents a render writes
            (:data:`formkit.domain.annexes.RENDERED`).

    Returns:
        (the templates of :data:`~formkit.domain.annexes.RENDERED` that could be read, by kind; every problem, errors and warnings,
        each naming the template, where the tag is and the tag).
    """
    problems: list[Problem] = stray_files(folder) if folder.is_dir() else []
    loaded: dict[str, FormTemplate] = {}
    for document in annexes.RENDERED:
        shape = shapes().get(document.kind)
        template = _load(folder / document.template, problems, (shape, document.label) if shape is not None else None)
        if template is not None:
            loaded[document.kind] = template
            problems += missing_values(template, document.kind, document.label)
    if every:
        for path in sorted(folder.glob("通知*.docx")):
            _load(path, problems, (shapes()["notice"], NOTICE_LABEL))
        if (folder / annexes.SUMMARY.template).is_file():
            _load(folder / annexes.SUMMARY.template, problems)
    return loaded, sorted(set(problems))
