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
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from formkit.serve.binding import Bound, bind, display, shape_ok, text_of
from formkit.serve.specs import LISTS, Spec
from formkit.serve.yamledit import new_map, new_seq, scalar

__all__ = ["apply_form", "changed_fields"]

# ---------------------------------------------------------------- saving


def submitted_value(spec: Spec, form: dict[str, str], name: str) -> Any | None:
    """What the form holds for a key (None: not on the form, e.g. shown read-only)."""
    if spec.kind in ("causes", "dates"):
        keys = sorted(
            (k for k in form if k.startswith(name + "[") and k[len(name) + 1 : -1].isdigit() and k.endswith("]")),
            key=lambda k: int(k[len(name) + 1 : -1]),
        )
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


def position_of(mapping: CommentedMap, order: list[str], key: str) -> int:
    """Where a key missing from *mapping* goes: after the keys that come before it."""
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    pos = 0
    for i, existing in enumerate(mapping):
        if rank.get(existing, -1) < mine:
            pos = i + 1
    return pos


def put_key(mapping: CommentedMap, order: list[str], key: str, value: Any) -> None:
    if key in mapping:
        mapping[key] = value
        return
    pos = position_of(mapping, order, key)
    mapping.insert(pos, key, value)
    if pos > 0:
        carry_comment(mapping, list(mapping)[pos - 1], key)


def comment_holder(container: Any, key: Any) -> tuple[Any, Any]:
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


def carry_comment(mapping: CommentedMap, before: str, key: str) -> None:
    """Keep the comment lines written above the key that followed *before* right above it,
    now that *key* is inserted between them: ruamel.yaml stores those lines with *before*'s
    value, so they would otherwise end up above the inserted key."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    holder, item = comment_holder(mapping, before)
    entry = holder.ca.items.get(item) if hasattr(holder, "ca") else None
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        return
    first, newline, rest = token.value.partition("\n")
    if not rest:
        return
    token.value = first + newline
    target, last = comment_holder_for_new(mapping, key)
    target.ca.items.setdefault(last, [None, None, None, None])
    target.ca.items[last][2] = CommentToken("\n" + rest, CommentMark(0), None)


def comment_holder_for_new(mapping: CommentedMap, key: str) -> tuple[Any, Any]:
    value = mapping[key]
    if isinstance(value, CommentedMap) and len(value):
        return comment_holder_for_new(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
        last = value[len(value) - 1]
        if isinstance(last, CommentedMap) and len(last):
            return comment_holder_for_new(last, list(last)[-1])
        return value, len(value) - 1
    return mapping, key


def write_list(spec: Spec, mapping: CommentedMap, order: list[str], new: list[str]) -> None:
    old = mapping.get(spec.key)
    if spec.kind == "dates" and not any(new):
        new = []
    if isinstance(old, CommentedSeq):
        while len(old) > len(new):
            del old[len(old) - 1]
        for i, value in enumerate(new):
            if i < len(old):
                if text_of(old[i]) != value:
                    old[i] = scalar(value, like=old[i]) if value else None
            else:
                old.append(scalar(value) if value else None)
        if not new and spec.kind != "causes":
            mapping[spec.key] = None
        return
    if isinstance(old, str) and old.strip() and spec.kind == "causes":
        put_key(mapping, order, spec.key, scalar("、".join(new), like=old) if new else None)
        return
    if not new:
        if spec.key in mapping:
            mapping[spec.key] = None
        return
    seq = new_seq(flow=spec.kind == "dates")
    for value in new:
        seq.append(scalar(value) if value else None)
    put_key(mapping, order, spec.key, seq)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(is_blank(v) for v in value)
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
        if not shape_ok(spec, current):
            continue  # shown read-only: never written
        if spec.kind == "group":
            if isinstance(current, CommentedMap):
                changed += apply_form(spec.children, current, form, name + ".")
            else:
                fresh = new_map()
                made = apply_form(spec.children, fresh, form, name + ".")
                if made and not is_blank(list(fresh.values())):
                    put_key(mapping, order, spec.key, fresh)
                    changed += made
        elif spec.kind == "rows":
            changed += apply_rows(spec, mapping, order, form, name)
        elif spec.kind in LISTS:
            new = submitted_value(spec, form, name)
            if new is None:
                continue
            old, _ = display(spec, current)
            if list(new) != list(old):
                write_list(spec, mapping, order, new)
                changed.append(name)
        else:
            new = submitted_value(spec, form, name)
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
            put_key(mapping, order, spec.key, scalar(new, like=current, quote=spec.quote))
            changed.append(name)
    return changed


def apply_rows(spec: Spec, mapping: CommentedMap, order: list[str], form: dict[str, str], name: str) -> list[str]:
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
            if not is_blank(list(fresh.values())):
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
        put_key(mapping, order, spec.key, seq)
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
                            new = submitted_value(child.spec, form, f"{b.name}[{position}].{child.spec.key}")
                            if new is not None and new != child.value:
                                out[f"{b.name}[{position}].{child.spec.key}"] = new
            else:
                new = submitted_value(b.spec, form, b.name)
                if new is not None and new != b.value:
                    out[b.name] = new

    walk(bind(specs, data))
    return out
