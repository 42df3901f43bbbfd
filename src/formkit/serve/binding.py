"""A form's values: a spec paired with a file's values and formkit's problems.

Values are the text as typed, so an untouched field compares equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from formkit.serve import _core
from formkit.serve.specs import CAUSE_SPLIT, LISTS, SECTIONS, Spec

__all__ = ["Bound", "attach_problems", "bind", "display", "index", "sections"]

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
    children: list[Bound] = field(default_factory=list)
    rows: list[list[Bound]] = field(default_factory=list)
    row_from: list[int] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    readonly: str | None = None
    extra: bool = False
    template: list[Bound] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The spec's kind."""
        return self.spec.kind

    @property
    def has_error(self) -> bool:
        """An error of formkit's checks concerns this field."""
        return any(p.is_error for p in self.problems)


def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


def display(spec: Spec, value: Any) -> tuple[Any, bool]:
    """The value of a key as the form shows it, and whether it is outside the choices.

    A vocabulary value typed in a lenient form (``下岗``, ``汉``) shows as its printed label,
    是/否 as 是 or 否 (``true`` too): an untouched drop-down then compares equal and is not
    written back.
    """
    if spec.kind in LISTS:
        return list_values(spec, value), False
    text = text_of(value)
    if not text:
        return "", False
    if spec.kind == "select":
        vocabulary = next((v for v in VOCABULARIES if v.labels() == spec.choices), None)
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


def vocabularies() -> list[type[_core.Vocabulary]]:
    out: list[type[_core.Vocabulary]] = []
    stack = list(_core.Vocabulary.__subclasses__())
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack += cls.__subclasses__()
    return out


VOCABULARIES = vocabularies()


def list_values(spec: Spec, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        if spec.kind == "causes":
            parts = [p for p in CAUSE_SPLIT.split(value) if p.strip()]
        elif spec.kind == "dates":
            parts = [p for p in re.split(r"至|到|~|～|—|--|,|，", value) if p.strip()]
        else:
            parts = [p for p in re.split(r"[、,，;；\n]", value) if p.strip()]
        values = [p.strip() for p in parts]
    elif isinstance(value, list):
        values = [text_of(v) for v in value if not isinstance(v, (dict, list))]
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


def shape_ok(spec: Spec, value: Any) -> bool:
    """The file holds *value* in a shape the form can show for *spec*."""
    if value is None:
        return True
    if spec.kind == "group":
        return isinstance(value, dict) or (isinstance(value, str) and not value.strip())
    if spec.kind == "rows":
        return isinstance(value, list) and all(isinstance(v, dict) or v is None for v in value)
    if spec.kind in LISTS:
        return isinstance(value, (str, list)) and not (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))
    return not isinstance(value, (dict, list))


def readonly_text(value: Any) -> str:
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
        if not shape_ok(spec, value):
            b.readonly = readonly_text(value)
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


PART = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


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
            shorter = PART.sub("", name)
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


def sections(model: type[BaseModel], bound: list[Bound]) -> list[tuple[str, list[Bound]]]:
    """The bound fields cut into the headed parts of :data:`SECTIONS`."""
    starts = SECTIONS.get(model.__name__, {})
    parts: list[tuple[str, list[Bound]]] = []
    for b in bound:
        if b.spec.key in starts or not parts:
            parts.append((starts.get(b.spec.key, ""), []))
        parts[-1][1].append(b)
    return parts
