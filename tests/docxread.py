"""Reading rendered .docx files back for tests (python-docx)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.table import Table


def squash(text: str) -> str:
    """Text without any white space (labels are printed with spacing: 姓   名)."""
    return re.sub(r"\s+", "", text)


@dataclass
class Grid:
    """A table as rows of distinct cells (a merged cell appears once per row)."""

    rows: list[list[str]]

    def find(self, label: str) -> tuple[int, int]:
        """Position of the first cell whose squashed text equals or starts with ``label``."""
        want = squash(label)
        for r, row in enumerate(self.rows):
            for c, text in enumerate(row):
                if squash(text) == want:
                    return r, c
        for r, row in enumerate(self.rows):
            for c, text in enumerate(row):
                if squash(text).startswith(want):
                    return r, c
        raise KeyError(f"label {label!r} not in table")

    def right_of(self, label: str) -> str:
        r, c = self.find(label)
        return self.rows[r][c + 1]

    def below(self, label: str) -> str:
        """The cell under the label, in the same column position (grid-aligned)."""
        r, c = self.find(label)
        return self.rows[r + 1][c]


def grid(table: Table) -> Grid:
    rows = []
    for row in table.rows:
        seen: list[object] = []
        cells = []
        for cell in row.cells:
            if any(cell._tc is s for s in seen):
                continue
            seen.append(cell._tc)
            cells.append(cell.text)
        rows.append(cells)
    return Grid(rows)


def grid_columns(table: Table) -> list[list[str]]:
    """Rows of the table as grid columns (a merged cell repeats), for column-aligned reading."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def all_text(path: Path) -> str:
    """Every paragraph and cell text of the body, in document order, joined by newlines."""
    doc = Document(str(path))
    parts: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append(_para_text(child))
        elif tag == "tbl":
            for tc in child.iter():
                if tc.tag.endswith("}tc"):
                    parts.append("\n".join(_para_text(p) for p in tc.iter() if p.tag.endswith("}p")))
    return "\n".join(parts)


def _para_text(p) -> str:
    out = []
    for node in p.iter():
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t":
            out.append(node.text or "")
        elif tag == "br":
            out.append("\n")
        elif tag == "tab":
            out.append("\t")
    return "".join(out)


def tables(path: Path) -> list[Table]:
    return list(Document(str(path)).tables)
