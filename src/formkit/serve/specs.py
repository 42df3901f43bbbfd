"""Form specs built from the record models: labels, 填表说明 items, what may be typed.

A vocabulary becomes a drop-down, a date a date field, 致困主要原因 up to three choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from formkit.serve import _core

__all__ = ["KINDS", "SECTIONS", "Spec", "spec_of"]

#: What each kind of field is on the page.
KINDS = {
    "text": "一行文字",
    "textarea": "多行文字",
    "select": "下拉选择",
    "yesno": "是/否",
    "date": "日期",
    "id": "身份证号",
    "money": "金额（元）",
    "amount": "资助金额（元），带大写",
    "int": "整数",
    "wan": "万元",
    "causes": "一至三项",
    "lines": "每行一项",
    "dates": "两个日期",
    "group": "一组",
    "rows": "表格，每行一项",
}
SCALARS = frozenset({"text", "textarea", "select", "yesno", "date", "id", "money", "amount", "int", "wan"})
LISTS = frozenset({"causes", "lines", "dates"})
#: Keys whose values run to several lines.
LONG_TEXT = frozenset({"备注", "案例说明", "其它帮扶措施"})
#: Keys whose one-line values are long (addresses, employers).
WIDE = frozenset({"家庭住址", "工作单位", "户口所在地行政区划", "居住地址", "所在单位", "致困原因"})
#: Keys typed as digits that other YAML readers would take for numbers: written quoted.
QUOTED = frozenset({"身份证号", "邮政编码"})
ITEM = re.compile(r"填表说明第(\d+)项")
#: How 致困主要原因 may be typed on one line (as formkit.models reads it).
CAUSE_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class Spec:
    """One key of a record, as the form shows it.

    Attributes:
        key: the Chinese key of the YAML file.
        help: what to type there (the model's description).
        kind: one of :data:`KINDS`.
        required: the record is refused without it.
        choices: the allowed values (vocabularies, 是/否).
        item: the 填表说明 item number, or None.
        item_text: the item's printed label and rule, e.g. ``第3项 身份证号：必须是15位或18位``.
        children: the keys of a group or of each row.
        quote: new values are written in double quotes (digits such as ID numbers).
        max_items: most values of a ``causes`` field.
    """

    key: str
    help: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    item: int | None = None
    item_text: str = ""
    children: list[Spec] = field(default_factory=list)
    quote: bool = False
    max_items: int = 0
    placeholder: str = ""
    note: str = ""

    @property
    def wide(self) -> bool:
        """Shown across the whole width of the form (long text, lists, tables)."""
        return self.kind in ("textarea", "lines", "causes", "amount", "rows", "group", "dates") or self.key in WIDE

    @property
    def grid(self) -> bool:
        """A group of groups with the same keys (附件4's rows): shown as a table."""
        return (
            self.kind == "group"
            and len(self.children) > 1
            and all(c.kind == "group" for c in self.children)
            and len({tuple(g.key for g in c.children) for c in self.children}) == 1
        )


def unwrap(annotation: Any) -> list[Any]:
    found = [annotation]
    for arg in get_args(annotation):
        if arg is not type(None):
            found += unwrap(arg)
    return found


def model_in(annotation: Any) -> type[BaseModel] | None:
    for t in unwrap(annotation):
        if isinstance(t, type) and get_origin(t) is None and issubclass(t, BaseModel):
            return t
    return None


def vocabulary_of(info: FieldInfo) -> type[_core.Vocabulary] | None:
    for item in [*info.metadata, *unwrap(info.annotation)]:
        if isinstance(item, _core.VocabularyMarker):
            return item.vocabulary
    return None


def is_list(annotation: Any) -> bool:
    return any(get_origin(t) is list for t in unwrap(annotation))


def item_of(key: str, info: FieldInfo, vocabulary: type[_core.Vocabulary] | None) -> int | None:
    if vocabulary is not None and vocabulary.item_number is not None:
        return vocabulary.item_number
    found = ITEM.search(info.description or "")
    return int(found.group(1)) if found else None


def item_text(number: int | None) -> str:
    if number is None or number not in _core.ITEMS:
        return ""
    item = _core.ITEMS[number]
    text = f"填表说明第{number}项 {item.printed_label}"
    if item.rule:
        text += f"：{item.rule}"
    return text


EXAMPLE = re.compile(r"如\s*([^，,；;（(、]+)")


def placeholder(spec: Spec) -> str:
    """The grey hint inside an empty field: the description's example, or what a blank means."""
    if spec.kind == "date":
        return "如 2011-12-02"
    parts = [p.strip() for p in re.split(r"[；，,;]", spec.help)]
    for i, part in enumerate(parts):
        if "不填" in part:
            return "，".join(parts[i : i + 2]) if part == "可不填" else part
    found = EXAMPLE.search(spec.help)
    if found and spec.kind in ("text", "money", "amount", "wan", "int"):
        return "如 " + found.group(1).strip()
    return ""


def note_of(spec: Spec) -> str:
    """The description shown under a field, without what the label and the item badge say."""
    if spec.kind == "rows":
        return ""
    text = ITEM.sub("", spec.help).replace("，以“- ”开头", "")
    text = re.sub(r"[，,]\s*([）)])", r"\1", text)
    text = re.sub(r"[（(]\s*[）)]", "", text).strip("，；。 ")
    if text.startswith(spec.key + "，") or text.startswith(spec.key + "；"):
        text = text[len(spec.key) + 1 :]
    if text in ("", spec.key) or text == spec.placeholder:
        text = ""
    if spec.kind == "date" and not text:
        return "也可写 2011.12.2 或 2011年12月2日，或点右边的日历"
    return text


def spec_of(model: type[BaseModel]) -> list[Spec]:
    """The form of a record model: one :class:`Spec` per key, in the order of records.md."""
    specs = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        annotation = info.annotation
        types = unwrap(annotation)
        vocabulary = vocabulary_of(info)
        sub = model_in(annotation)
        spec = Spec(key=key, help=info.description or "", kind="text", required=info.is_required())
        spec.item = item_of(key, info, vocabulary)
        spec.item_text = item_text(spec.item)
        if sub is not None:
            spec.kind = "rows" if is_list(annotation) else "group"
            spec.children = spec_of(sub)
        elif is_list(annotation):
            if vocabulary is not None:
                spec.kind, spec.choices, spec.max_items = "causes", vocabulary.labels(), 3
            elif date in types:
                spec.kind = "dates"
            else:
                spec.kind = "lines"
        elif vocabulary is not None:
            spec.kind, spec.choices = "select", vocabulary.labels()
        elif bool in types:
            spec.kind, spec.choices = "yesno", ("是", "否")
        elif date in types:
            spec.kind = "date"
        elif key == "身份证号":
            spec.kind = "id"
        elif key == "资助金额":
            spec.kind = "amount"
        elif key == "拖欠数额":
            spec.kind = "wan"
        elif Decimal in types:
            spec.kind = "money"
        elif int in types:
            spec.kind = "int"
        elif key in LONG_TEXT:
            spec.kind = "textarea"
        spec.quote = key in QUOTED
        spec.placeholder = placeholder(spec)
        spec.note = note_of(spec)
        specs.append(spec)
    return specs


#: Where each part of a record's form starts (key → heading); a key no longer in the model
#: only merges two parts.
SECTIONS = {
    "Worker": {
        "档案编号": "档案与本人",
        "住房类型": "住房、工作与户口",
        "本人月平均收入": "收入",
        "家庭成员": "家庭成员",
        "是否有一定自救能力": "致困情况与附件",
        "慰问": "今年的慰问（附件1 凭证、附件2 汇总表）",
    },
    "WeeklyReport": {"时间": "周报", "企业类型": "拖欠情况", "报出日期": "表尾"},
    "Unit": {"填报单位": "填报单位"},
    "Campaign": {"活动名称": "活动"},
}
