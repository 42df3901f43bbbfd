"""A unit's plan: the documents it holds, its print files, what the previous run left.

Made by :class:`formkit.pipeline.batch.Batch` for each unit before anything is rendered,
and forgotten (but for its file names) once the unit is finished.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.pipeline.jobs import Done
from formkit.records.recordset import UnitRecords


@dataclass(slots=True)
class PlannedDoc:
    kind: str
    rel: str
    key: str
    payload: Any
    annex: str | None


@dataclass
class PlannedPrint:
    rel: str
    kind: str
    members: list[int]  # indices into the unit's documents, in page order
    key: str


@dataclass
class UnitPlan:
    name: str
    docs: list[PlannedDoc]
    prints: list[PlannedPrint]
    counts: dict[str, int]
    info: dict[str, Any]
    old: dict[str, Any] | None = None  # previous manifest
    old_dir: Path | None = None
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)  # rel -> manifest entry reused
    results: dict[int, Done] = field(default_factory=dict)
    pending: int = 0
    staged: bool = False
    records: UnitRecords | None = None
    packet_key: str = ""  # what the unit's submission packet is made from ("" : no packet)
    rels: list[str] = field(default_factory=list)  # once finished: its .docx files, in document order
    rebuilt: list[str] = field(default_factory=list)  # of those (and PDFs), the ones made this run


def distinct_names(docs: list[PlannedDoc]) -> None:
    """Give a second document of the same name (same 档案编号_姓名) a ``_2`` suffix, so that
    no document silently replaces another."""
    seen: set[str] = set()
    for doc in docs:
        rel, n = doc.rel, 1
        while rel in seen:
            n += 1
            rel = f"{doc.rel[:-5]}_{n}.docx"
        doc.rel = rel
        seen.add(rel)
