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

from formkit.documents.shapes import Shape
from formkit.documents.template import FormTemplate
from formkit.domain import annexes
from formkit.domain.idcard import check_digit
from formkit.domain.models import Attachment, Campaign, FamilyMember, Figures, Payment, Subsidy, Unit, WeeklyReport, Worker
from formkit.errors import Problem, TemplateProblem
from formkit.forms import context as ctx
from formkit.forms.context import WEEKLY_GROUPS
from formkit.forms.notice import notice_context

#: The prototype's day (any valid date) and its fictional ID number (GB 11643 check digit).
_DAY = date(2012, 1, 6)
_ID17 = "35020319680312002"
_ID = _ID17 + check_digit(_ID17)

#: What the notice template is called in messages (its file name holds the campaign's 文号).
NOTICE_LABEL = "通知"


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
    problems: list[Problem] = []
    loaded: dict[str, FormTemplate] = {}
    for document in annexes.RENDERED:
        shape = shapes().get(document.kind)
        template = _load(folder / document.template, problems, (shape, document.label) if shape is not None else None)
        if template is not None:
            loaded[document.kind] = template
    if every:
        for path in sorted(folder.glob("通知*.docx")):
            _load(path, problems, (shapes()["notice"], NOTICE_LABEL))
        if (folder / annexes.SUMMARY.template).is_file():
            _load(folder / annexes.SUMMARY.template, problems)
    return loaded, sorted(set(problems))
