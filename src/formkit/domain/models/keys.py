"""The keys a model has at a place in a record file, and their descriptions.

For messages (the nearest known key to a typo) and for skeletons.
"""

from __future__ import annotations

from functools import cache
from typing import Any, get_args, get_origin

from pydantic import (
    BaseModel,
)
from pydantic.fields import FieldInfo

# ---------------------------------------------------------------- keys, for messages


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation (Optional/list/Annotated unwrapped), if any."""
    if isinstance(annotation, type) and get_origin(annotation) is None and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None or get_args(annotation):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


@cache
def _children(model: type[BaseModel]) -> dict[str, tuple[type[BaseModel] | None, FieldInfo]]:
    out: dict[str, tuple[type[BaseModel] | None, FieldInfo]] = {}
    for name, info in model.model_fields.items():
        out[info.alias or name] = (_model_in(info.annotation), info)
    return out


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        entry = _children(current).get(part)
        current = entry[0] if entry else None
    return current


def known_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The Chinese keys allowed in the mapping at *loc* of a *model* record.

    Args:
        model: the record's model (Worker, WeeklyReport, Unit, Campaign).
        loc: the path of the mapping (keys and list indexes), ``()`` for the file itself.

    Returns:
        The keys in declaration order ([] when *loc* is not a mapping of a model).
    """
    current = _model_at(model, loc)
    return list(_children(current)) if current is not None else []


def field_description(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """The Chinese description of the field at *loc* (what to type there), or ""."""
    if not loc or not isinstance(loc[-1], str):
        return ""
    parent = _model_at(model, loc[:-1])
    entry = _children(parent).get(loc[-1]) if parent is not None else None
    return (entry[1].description or "") if entry else ""
