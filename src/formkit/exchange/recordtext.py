"""A worker record's text as ``formkit new worker`` writes it, with the values filled in.

Every key in the order of records.md, with its comment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from formkit.records.skeleton import new_record

# ---------------------------------------------------------------- YAML like `formkit new worker`


@dataclass
class SkeletonNode:
    key: str
    comments: list[str]
    col: int
    item_start: bool
    children: list[SkeletonNode] = field(default_factory=list)


KEY_LINE = re.compile(r"^( *)(- )?([^\s#:][^:]*):\s*$")


@lru_cache(maxsize=1)
def skeleton_tree() -> tuple[list[str], list[SkeletonNode]]:
    """The worker skeleton as (header comment lines, tree of keys with their comments)."""
    header: list[str] = []
    pending: list[str] = []
    roots: list[SkeletonNode] = []
    stack: list[SkeletonNode] = []
    for line in new_record("worker").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped)
            continue
        match = KEY_LINE.match(line)
        if not match:
            continue
        main = max((i for i, c in enumerate(pending) if not c.startswith("#   ")), default=0)
        if not roots and not stack:
            header, pending = pending[:main], pending[main:]
        node = SkeletonNode(match.group(3).strip(), pending, len(match.group(1)) + len(match.group(2) or ""), bool(match.group(2)))
        pending = []
        while stack and stack[-1].col >= node.col:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return header, roots


PLAIN_BAD_START = set("-?:,[]{}#&*!|>'\"%@`")
NULLS = {"~", "null", "Null", "NULL"}


def scalar(text: str, indent: str) -> str:
    if "\n" in text:
        lines = text.split("\n")
        if not any(line[:1].isspace() for line in lines):
            return "|-\n" + "\n".join(f"{indent}  {line}" if line else "" for line in lines)
        return json.dumps(text, ensure_ascii=False)
    quote = (
        text[0] in PLAIN_BAD_START
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or text in NULLS
        or re.fullmatch(r"0[0-9]*|[0-9]{5,}[Xx]?", text) is not None  # codes, IDs, phones: as the samples
    )
    return json.dumps(text, ensure_ascii=False) if quote else text


def emit(nodes: list[SkeletonNode], data: dict[str, Any], indent: str, lines: list[str], comments: bool, first_prefix: str = "") -> None:
    prefix = first_prefix
    for node in nodes:
        value = data.get(node.key)
        if comments:
            lines += [f"{indent}{c}" for c in node.comments]
        head = f"{indent}{prefix}{node.key}:"
        inner = indent + " " * len(prefix)
        if node.children and node.children[0].item_start:
            lines.append(head)
            for n, item in enumerate(value or [{}]):
                emit(node.children, item, inner + "  ", lines, comments and n == 0, "- ")
        elif node.children:
            lines.append(head)
            emit(node.children, value or {}, inner + "  ", lines, comments)
        elif isinstance(value, list) and value:
            lines.append(head)
            lines += [f"{inner}  - {scalar(v, inner + '  ')}" for v in value]
        elif value:
            lines.append(f"{head} {scalar(value, inner)}")
        else:
            lines.append(head)
        indent, prefix = inner, ""


def yaml_text(data: dict[str, Any], source: str) -> str:
    header, roots = skeleton_tree()
    lines = list(header[:1]) + [f"# 由 formkit import 从 {source} 导入"] + list(header[1:])
    emit(roots, data, "", lines, True)
    return "\n".join(lines) + "\n"


def compact(value: Any) -> Any:
    """*value* without blank values, blocks and list items (what a record means)."""
    if isinstance(value, dict):
        out = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (compact(v) for v in value) if v not in (None, "", [], {})]
    return value
