"""Forms built from the record models, and saving a form into its YAML file.

:func:`spec_of` walks a record model (Worker, WeeklyReport, Unit, Campaign) the way
``formkit new`` does: every key with its Chinese label, its description, the 填表说明 item
it comes from and what may be typed (a vocabulary becomes a drop-down, 致困主要原因 up to
three drop-downs, a date a date field, …). :func:`bind` pairs the spec with a file's values
(the text as typed, so an untouched field compares equal) and the problems of formkit's
checks; :func:`apply_form` writes what was changed, and only that, into the ruamel.yaml
document of the file.

Form field names are the dotted field names of formkit's problems, list positions from 1:
``姓名``, ``慰问.资助金额``, ``家庭成员[2].身份证号``, ``致困主要原因[1]``. A list of blocks
(家庭成员, 所附附件) has, per row, a hidden ``<name>[k]._from`` holding the row's position in
the file (empty for a row added on the page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Optional, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from formkit.serve import _core
from formkit.serve.yamledit import new_map, new_seq, scalar

__all__ = ["Bound", "KINDS", "Spec", "apply_form", "bind", "changed_fields", "spec_of", "sections"]

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
_SCALARS = frozenset({"text", "textarea", "select", "yesno", "date", "id", "money", "amount", "int", "wan"})
_LISTS = frozenset({"causes", "lines", "dates"})
#: Keys whose values run to several lines.
_LONG_TEXT = frozenset({"备注", "案例说明", "其它帮扶措施"})
#: Keys whose one-line values are long (addresses, employers).
_WIDE = frozenset({"家庭住址", "工作单位", "户口所在地行政区划", "居住地址", "所在单位", "致困原因"})
#: Keys typed as digits that other YAML readers would take for numbers: written quoted.
_QUOTED = frozenset({"身份证号", "邮政编码"})
_ITEM = re.compile(r"填表说明第(\d+)项")
#: How 致困主要原因 may be typed on one line (as formkit.models reads it).
_CAUSE_SPLIT = re.compile(r"[、,，;；/\s]+")


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
    item: Optional[int] = None
    item_text: str = ""
    children: list["Spec"] = field(default_factory=list)
    quote: bool = False
    max_items: int = 0
    placeholder: str = ""
    note: str = ""

    @property
    def wide(self) -> bool:
        """Shown across the whole width of the form (long text, lists, tables)."""
        return self.kind in ("textarea", "lines", "causes", "amount", "rows", "group", "dates") or self.key in _WIDE

    @property
    def grid(self) -> bool:
        """A group of groups with the same keys (附件4's rows): shown as a table."""
        return (
            self.kind == "group"
            and len(self.children) > 1
            and all(c.kind == "group" for c in self.children)
            and len({tuple(g.key for g in c.children) for c in self.children}) == 1
        )


def _unwrap(annotation: Any) -> list[Any]:
    found = [annotation]
    for arg in get_args(annotation):
        if arg is not type(None):
            found += _unwrap(arg)
    return found


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for t in _unwrap(annotation):
        if isinstance(t, type) and get_origin(t) is None and issubclass(t, BaseModel):
            return t
    return None


def _vocabulary_of(info: FieldInfo) -> type[_core.Vocabulary] | None:
    for item in [*info.metadata, *_unwrap(info.annotation)]:
        if isinstance(item, _core.VocabularyMarker):
            return item.vocabulary
    return None


def _is_list(annotation: Any) -> bool:
    return any(get_origin(t) is list for t in _unwrap(annotation))


def _item_of(key: str, info: FieldInfo, vocabulary: type[_core.Vocabulary] | None) -> Optional[int]:
    if vocabulary is not None and vocabulary.item_number is not None:
        return vocabulary.item_number
    found = _ITEM.search(info.description or "")
    return int(found.group(1)) if found else None


def _item_text(number: Optional[int]) -> str:
    if number is None or number not in _core.ITEMS:
        return ""
    item = _core.ITEMS[number]
    text = f"填表说明第{number}项 {item.printed_label}"
    if item.rule:
        text += f"：{item.rule}"
    return text


_EXAMPLE = re.compile(r"如\s*([^，,；;（(、]+)")


def _placeholder(spec: Spec) -> str:
    """The grey hint inside an empty field: the description's example, or what a blank means."""
    if spec.kind == "date":
        return "如 2011-12-02"
    parts = [p.strip() for p in re.split(r"[；，,;]", spec.help)]
    for i, part in enumerate(parts):
        if "不填" in part:
            return "，".join(parts[i : i + 2]) if part == "可不填" else part
    found = _EXAMPLE.search(spec.help)
    if found and spec.kind in ("text", "money", "amount", "wan", "int"):
        return "如 " + found.group(1).strip()
    return ""


def _note(spec: Spec) -> str:
    """The description shown under a field, without what the label and the item badge say."""
    if spec.kind == "rows":
        return ""
    text = _ITEM.sub("", spec.help).replace("，以“- ”开头", "")
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
        types = _unwrap(annotation)
        vocabulary = _vocabulary_of(info)
        sub = _model_in(annotation)
        spec = Spec(key=key, help=info.description or "", kind="text", required=info.is_required())
        spec.item = _item_of(key, info, vocabulary)
        spec.item_text = _item_text(spec.item)
        if sub is not None:
            spec.kind = "rows" if _is_list(annotation) else "group"
            spec.children = spec_of(sub)
        elif _is_list(annotation):
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
        elif key in _LONG_TEXT:
            spec.kind = "textarea"
        spec.quote = key in _QUOTED
        spec.placeholder = _placeholder(spec)
        spec.note = _note(spec)
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


def sections(model: type[BaseModel], bound: list["Bound"]) -> list[tuple[str, list["Bound"]]]:
    """The bound fields cut into the headed parts of :data:`SECTIONS`."""
    starts = SECTIONS.get(model.__name__, {})
    parts: list[tuple[str, list[Bound]]] = []
    for b in bound:
        if b.spec.key in starts or not parts:
            parts.append((starts.get(b.spec.key, ""), []))
        parts[-1][1].append(b)
    return parts


# ---------------------------------------------------------------- values on the page


@dataclass
class Bound:
    """A spec with its name on the page, its value in the file and its problems.

    Attributes:
        spec: the key.
        name: the form name (dotted field name, list positions from 1).
        value: the text shown (a list of texts for causes, dates, lines).
        children: a group's keys.
        rows: per row of a ``rows`` field, its keys; ``row_from`` the row's position in the file.
        problems: formkit's problems about this field (and, for a group, about the group).
        readonly: the value's text when the file holds it in a shape the form cannot show
            (a list where one value is expected, …): shown as is, never written.
        extra: the typed value is not one of ``spec.choices`` (shown as an extra choice).
    """

    spec: Spec
    name: str
    value: Any = ""
    children: list["Bound"] = field(default_factory=list)
    rows: list[list["Bound"]] = field(default_factory=list)
    row_from: list[int] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    readonly: Optional[str] = None
    extra: bool = False
    template: list["Bound"] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The spec's kind."""
        return self.spec.kind

    @property
    def has_error(self) -> bool:
        """An error of formkit's checks concerns this field."""
        return any(p.is_error for p in self.problems)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def display(spec: Spec, value: Any) -> tuple[Any, bool]:
    """The value of a key as the form shows it, and whether it is outside the choices.

    A vocabulary value typed in a lenient form (``下岗``, ``汉``) shows as its printed label,
    是/否 as 是 or 否 (``true`` too): an untouched drop-down then compares equal and is not
    written back.
    """
    if spec.kind in _LISTS:
        return _list_values(spec, value), False
    text = _text(value)
    if not text:
        return "", False
    if spec.kind == "select":
        vocabulary = next((v for v in _VOCABULARIES if v.labels() == spec.choices), None)
        if vocabulary is not None:
            try:
                return vocabulary.lookup(text).value, False
            except _core.VocabularyError:
                return text, True
    if spec.kind == "yesno":
        try:
            return ("是" if _core.parse_yes_no(text) else "否"), False
        except _core.VocabularyError:
            return text, True
    if spec.kind == "textarea":
        return text.replace("\r\n", "\n"), False
    return text, False


def _vocabularies() -> list[type[_core.Vocabulary]]:
    out: list[type[_core.Vocabulary]] = []
    stack = list(_core.Vocabulary.__subclasses__())
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack += cls.__subclasses__()
    return out


_VOCABULARIES = _vocabularies()


def _list_values(spec: Spec, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        if spec.kind == "causes":
            parts = [p for p in _CAUSE_SPLIT.split(value) if p.strip()]
        elif spec.kind == "dates":
            parts = [p for p in re.split(r"至|到|~|～|—|--|,|，", value) if p.strip()]
        else:
            parts = [p for p in re.split(r"[、,，;；\n]", value) if p.strip()]
        values = [p.strip() for p in parts]
    elif isinstance(value, list):
        values = [_text(v) for v in value if not isinstance(v, (dict, list))]
    else:
        return []
    if spec.kind == "causes":
        shown = []
        for v in values:
            try:
                shown.append(_core.HardshipCause.lookup(v).value)
            except _core.VocabularyError:
                shown.append(v)
        return shown
    return values


def _shape_ok(spec: Spec, value: Any) -> bool:
    """The file holds *value* in a shape the form can show for *spec*."""
    if value is None:
        return True
    if spec.kind == "group":
        return isinstance(value, dict) or (isinstance(value, str) and not value.strip())
    if spec.kind == "rows":
        return isinstance(value, list) and all(isinstance(v, dict) or v is None for v in value)
    if spec.kind in _LISTS:
        return isinstance(value, (str, list)) and not (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))
    return not isinstance(value, (dict, list))


def _readonly_text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def bind(specs: list[Spec], data: Any, prefix: str = "") -> list[Bound]:
    """Pair each spec with its value in *data* (the document's mapping, or None)."""
    mapping = data if isinstance(data, dict) else {}
    bound = []
    for spec in specs:
        name = f"{prefix}{spec.key}"
        value = mapping.get(spec.key)
        b = Bound(spec, name)
        if not _shape_ok(spec, value):
            b.readonly = _readonly_text(value)
        elif spec.kind == "group":
            b.children = bind(spec.children, value, name + ".")
        elif spec.kind == "rows":
            for index, row in enumerate(value or []):
                b.rows.append(bind(spec.children, row, f"{name}[{index + 1}]."))
                b.row_from.append(index + 1)
            b.template = bind(spec.children, None, f"{name}[__N__].")
        else:
            b.value, b.extra = display(spec, value)
        bound.append(b)
    return bound


def index(bound: list[Bound]) -> dict[str, Bound]:
    """Every bound field and group by its name (rows as ``家庭成员[2]``)."""
    found: dict[str, Bound] = {}

    def walk(items: list[Bound]) -> None:
        for b in items:
            found[b.name] = b
            walk(b.children)
            for k, row in enumerate(b.rows, 1):
                row_name = f"{b.name}[{k}]"
                found[row_name] = Bound(Spec(b.spec.key, "", "row"), row_name)
                walk(row)
            if b.kind == "causes" or b.kind == "dates":
                for k in range(1, max(len(b.value), b.spec.max_items or 2) + 1):
                    found[f"{b.name}[{k}]"] = b
    walk(bound)
    return found


_PART = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


def attach_problems(bound: list[Bound], problems: list[Any]) -> tuple[list[Any], dict[str, list[Any]]]:
    """Put each problem beside its field: the field named by the problem, or the nearest
    enclosing group or row.

    Returns:
        (problems of no field on the form, problems by row name such as ``家庭成员[2]``).
    """
    names = index(bound)
    loose: list[Any] = []
    by_row: dict[str, list[Any]] = {}
    for problem in problems:
        name = problem.field
        target = names.get(name)
        while target is None:
            shorter = _PART.sub("", name)
            if not shorter or shorter == name:
                break
            name = shorter
            target = names.get(name)
        if target is None:
            loose.append(problem)
        elif target.spec.kind == "row":
            by_row.setdefault(name, []).append(problem)
        else:
            target.problems.append(problem)
    return loose, by_row


# ---------------------------------------------------------------- saving


def _submitted(spec: Spec, form: dict[str, str], name: str) -> Optional[Any]:
    """What the form holds for a key (None: not on the form, e.g. shown read-only)."""
    if spec.kind in ("causes", "dates"):
        keys = sorted((k for k in form if k.startswith(name + "[") and k[len(name) + 1 : -1].isdigit() and k.endswith("]")),
                      key=lambda k: int(k[len(name) + 1 : -1]))
        if not keys and name not in form:
            return None
        values = [form[k].strip() for k in keys]
        if spec.kind == "causes":
            return [v for v in values if v]
        return values if any(values) else []
    if name not in form:
        return None
    value = form[name].replace("\r\n", "\n").replace("\r", "\n")
    if spec.kind == "lines":
        return [line.strip() for line in value.split("\n") if line.strip()]
    if spec.kind == "textarea":
        return "\n".join(line.rstrip() for line in value.strip().split("\n"))
    return value.strip()


def _position(mapping: CommentedMap, order: list[str], key: str) -> int:
    """Where a key missing from *mapping* goes: after the keys that come before it."""
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    pos = 0
    for i, existing in enumerate(mapping):
        if rank.get(existing, -1) < mine:
            pos = i + 1
    return pos


def _put(mapping: CommentedMap, order: list[str], key: str, value: Any) -> None:
    if key in mapping:
        mapping[key] = value
        return
    pos = _position(mapping, order, key)
    mapping.insert(pos, key, value)
    if pos > 0:
        _carry_comment(mapping, list(mapping)[pos - 1], key)


def _comment_holder(container: Any, key: Any) -> tuple[Any, Any]:
    """Where ruamel.yaml keeps the comment lines that follow *key*'s value: on the key
    itself, or (a block value) on the last item inside it."""
    while True:
        value = container[key]
        entry = container.ca.items.get(key) if hasattr(container, "ca") else None
        if entry and len(entry) > 2 and entry[2] is not None:
            return container, key
        if isinstance(value, CommentedMap) and len(value):
            container, key = value, list(value)[-1]
        elif isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
            container, key = value, len(value) - 1
        else:
            return container, key


def _carry_comment(mapping: CommentedMap, before: str, key: str) -> None:
    """Keep the comment lines written above the key that followed *before* right above it,
    now that *key* is inserted between them: ruamel.yaml stores those lines with *before*'s
    value, so they would otherwise end up above the inserted key."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    holder, item = _comment_holder(mapping, before)
    entry = holder.ca.items.get(item) if hasattr(holder, "ca") else None
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        return
    first, newline, rest = token.value.partition("\n")
    if not rest:
        return
    token.value = first + newline
    target, last = _comment_holder_for_new(mapping, key)
    target.ca.items.setdefault(last, [None, None, None, None])
    target.ca.items[last][2] = CommentToken("\n" + rest, CommentMark(0), None)


def _comment_holder_for_new(mapping: CommentedMap, key: str) -> tuple[Any, Any]:
    value = mapping[key]
    if isinstance(value, CommentedMap) and len(value):
        return _comment_holder_for_new(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
        last = value[len(value) - 1]
        if isinstance(last, CommentedMap) and len(last):
            return _comment_holder_for_new(last, list(last)[-1])
        return value, len(value) - 1
    return mapping, key


def _write_list(spec: Spec, mapping: CommentedMap, order: list[str], new: list[str]) -> None:
    old = mapping.get(spec.key)
    if spec.kind == "dates" and not any(new):
        new = []
    if isinstance(old, CommentedSeq):
        while len(old) > len(new):
            del old[len(old) - 1]
        for i, value in enumerate(new):
            if i < len(old):
                if _text(old[i]) != value:
                    old[i] = scalar(value, like=old[i]) if value else None
            else:
                old.append(scalar(value) if value else None)
        if not new and spec.kind != "causes":
            mapping[spec.key] = None
        return
    if isinstance(old, str) and old.strip() and spec.kind == "causes":
        _put(mapping, order, spec.key, scalar("、".join(new), like=old) if new else None)
        return
    if not new:
        if spec.key in mapping:
            mapping[spec.key] = None
        return
    seq = new_seq(flow=spec.kind == "dates")
    for value in new:
        seq.append(scalar(value) if value else None)
    _put(mapping, order, spec.key, seq)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(_blank(v) for v in value)
    return False


def apply_form(specs: list[Spec], mapping: CommentedMap, form: dict[str, str], prefix: str = "") -> list[str]:
    """Write the form's changed values into *mapping* (a ruamel.yaml document), in place.

    A value is changed when it differs from what the form showed for the file's value
    (:func:`display`); everything else of the file (other keys, comments, quotes, unknown
    keys, values the form showed read-only) is left as it is. A key missing from the file is
    added, in the order of records.md, only when given a value.

    Returns:
        The names of the changed fields (``慰问.资助金额``, ``家庭成员[3]`` for an added or
        removed row).
    """
    changed: list[str] = []
    order = [s.key for s in specs]
    for spec in specs:
        name = f"{prefix}{spec.key}"
        current = mapping.get(spec.key)
        if not _shape_ok(spec, current):
            continue  # shown read-only: never written
        if spec.kind == "group":
            if isinstance(current, CommentedMap):
                changed += apply_form(spec.children, current, form, name + ".")
            else:
                fresh = new_map()
                made = apply_form(spec.children, fresh, form, name + ".")
                if made and not _blank(list(fresh.values())):
                    _put(mapping, order, spec.key, fresh)
                    changed += made
        elif spec.kind == "rows":
            changed += _apply_rows(spec, mapping, order, form, name)
        elif spec.kind in _LISTS:
            new = _submitted(spec, form, name)
            if new is None:
                continue
            old, _ = display(spec, current)
            if list(new) != list(old):
                _write_list(spec, mapping, order, new)
                changed.append(name)
        else:
            new = _submitted(spec, form, name)
            if new is None:
                continue
            old, _ = display(spec, current)
            if new == old:
                continue
            if not new:
                if spec.key in mapping:
                    mapping[spec.key] = None
                    changed.append(name)
                continue
            _put(mapping, order, spec.key, scalar(new, like=current, quote=spec.quote))
            changed.append(name)
    return changed


def _apply_rows(spec: Spec, mapping: CommentedMap, order: list[str], form: dict[str, str], name: str) -> list[str]:
    """A table of blocks (家庭成员, 所附附件): rows kept, edited, added (at the end) and removed."""
    marker = re.compile(re.escape(name) + r"\[(\d+)\]\._from$")
    rows = sorted((int(m.group(1)), form[k]) for k in form if (m := marker.match(k)))
    current = mapping.get(spec.key)
    if not rows and f"{name}._rows" not in form:
        return []  # the table was not on the form
    existing = list(current) if isinstance(current, list) else []
    changed: list[str] = []
    kept: list[int] = []
    added: list[CommentedMap] = []
    for position, origin in rows:
        row_name = f"{name}[{position}]"
        if origin.isdigit() and 1 <= int(origin) <= len(existing):
            index = int(origin) - 1
            kept.append(index)
            item = existing[index]
            if isinstance(item, CommentedMap):
                changed += apply_form(spec.children, item, form, row_name + ".")
            elif item is None:
                fresh = new_map()
                made = apply_form(spec.children, fresh, form, row_name + ".")
                if made:
                    current[index] = fresh
                    changed += made
        else:
            fresh = new_map()
            apply_form(spec.children, fresh, form, row_name + ".")
            if not _blank(list(fresh.values())):
                added.append(fresh)
                changed.append(row_name)
    removed = [i for i in range(len(existing)) if i not in kept]
    if not removed and not added:
        return changed
    if isinstance(current, CommentedSeq):
        for i in sorted(removed, reverse=True):
            del current[i]
            changed.append(f"{name}[{i + 1}]")
        for item in added:
            current.append(item)
        if not len(current):
            mapping[spec.key] = None
    elif added:
        seq = new_seq()
        for item in added:
            seq.append(item)
        _put(mapping, order, spec.key, seq)
    return changed


def changed_fields(specs: list[Spec], data: Any, form: dict[str, str]) -> dict[str, Any]:
    """The form's values that differ from the file's (scalars and lists only; rows that were
    added or removed are named with the value None). Used to show what a refused save held."""
    out: dict[str, Any] = {}

    def walk(items: list[Bound]) -> None:
        for b in items:
            if b.readonly is not None:
                continue
            if b.kind == "group":
                walk(b.children)
            elif b.kind == "rows":
                marker = re.compile(re.escape(b.name) + r"\[(\d+)\]\._from$")
                rows = sorted((int(m.group(1)), form[k]) for k in form if (m := marker.match(k)))
                origins = [int(o) if o.isdigit() else 0 for _, o in rows]
                if origins != list(range(1, len(b.rows) + 1)):
                    out[b.name] = None
                for position, origin in rows:
                    if origin.isdigit() and 1 <= int(origin) <= len(b.rows):
                        for child in b.rows[int(origin) - 1]:
                            new = _submitted(child.spec, form, f"{b.name}[{position}].{child.spec.key}")
                            if new is not None and new != child.value:
                                out[f"{b.name}[{position}].{child.spec.key}"] = new
            else:
                new = _submitted(b.spec, form, b.name)
                if new is not None and new != b.value:
                    out[b.name] = new

    walk(bind(specs, data))
    return out
