"""The shape of a template's context: which names exist, which hold sub-names, which are lists to loop over.

A :class:`Shape` is read from an example context (:meth:`Shape.of`): a dict becomes names
with shapes of their own, a list a row shape (the union of its items), a bool a flag, other
values text. The checks of :mod:`formkit.documents.preflight` walk a template's tags against
it, whichever branch a record takes. This module knows nothing of records: the forms layer
hands it example contexts (:mod:`formkit.forms.tagnames`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Shape:
    """What a name of a context holds.

    Attributes:
        kind: ``text`` (printable text, a number), ``flag`` (true or false), ``fields``
            (sub-names, ``低保.起年``), ``rows`` (a list to loop over, ``{% for r in 行 %}``),
            ``loop`` (Jinja's ``loop`` inside a for), or ``any`` (not known: nothing checked).
        fields: for ``fields``: each sub-name and its shape.
        item: for ``rows``: the shape of one item.
    """

    kind: str
    fields: Mapping[str, Shape] = field(default_factory=dict)
    item: Shape | None = None

    @classmethod
    def of(cls, value: Any) -> Shape:
        """The shape of an example value (a context, or one of its values)."""
        if isinstance(value, Mapping):
            return cls("fields", {str(k): cls.of(v) for k, v in value.items()})
        if isinstance(value, (list, tuple)):
            item: Shape | None = None
            for element in value:
                item = cls.of(element) if item is None else item.merged(cls.of(element))
            return cls("rows", item=item or ANY)
        if isinstance(value, bool):
            return FLAG
        return TEXT

    @classmethod
    def names(cls, names: Mapping[str, Shape] | Iterator[str] | list[str] | set[str] | frozenset[str]) -> Shape:
        """Names with the given shapes (or, given plain names, with any shape)."""
        if isinstance(names, Mapping):
            return cls("fields", dict(names))
        return cls("fields", dict.fromkeys(names, ANY))

    def merged(self, other: Shape) -> Shape:
        """The union of two shapes (rows whose items differ: every sub-name of either)."""
        if self.kind == other.kind == "fields":
            merged = dict(self.fields)
            for name, shape in other.fields.items():
                merged[name] = merged[name].merged(shape) if name in merged else shape
            return Shape("fields", merged)
        if self.kind == other.kind == "rows" and self.item is not None and other.item is not None:
            return Shape("rows", item=self.item.merged(other.item))
        return self if self.kind == other.kind else ANY

    def paths(self, prefix: str = "") -> Iterator[tuple[str, Shape]]:
        """Every dotted name under this shape and its shape (a row's names as ``行[].姓名``)."""
        if self.kind == "fields":
            for name, shape in self.fields.items():
                path = f"{prefix}.{name}" if prefix else name
                yield path, shape
                yield from shape.paths(path)
        elif self.kind == "rows" and self.item is not None:
            yield from self.item.paths(prefix + "[]")


TEXT = Shape("text")
FLAG = Shape("flag")
ANY = Shape("any")
#: Jinja's ``loop`` inside a for: its attributes.
LOOP = Shape(
    "fields",
    {
        name: (FLAG if name in ("first", "last") else ANY)
        for name in (
            "index",
            "index0",
            "revindex",
            "revindex0",
            "first",
            "last",
            "length",
            "depth",
            "depth0",
            "previtem",
            "nextitem",
            "cycle",
            "changed",
        )
    },
)
