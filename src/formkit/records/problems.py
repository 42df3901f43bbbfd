"""Problems at file:line:field, in Chinese.

Turns pydantic's errors and the models' findings into located messages, numbers masked.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from formkit.domain.models import (
    RECORD_CHECK,
    VALUE_ERROR,
    Finding,
    describe_invisible,
    field_description,
    known_keys,
)
from formkit.domain.privacy import masked_path, scrub_numbers
from formkit.errors import Problem
from formkit.records.yamlio import YamlDocument

FILE_FIELD = "文件"

Loc = tuple[str | int, ...]

# ---------------------------------------------------------------- messages


def dotted(loc: Iterable[str | int]) -> str:
    """The Chinese field path of *loc*: ``家庭成员[2].身份证号`` (list positions from 1)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + part
    return text


#: Characters of a faulty line echoed in a message; of a key or field name; of a message.
ECHO_CHARS, NAME_CHARS, MESSAGE_CHARS = 80, 40, 1000
#: Problems listed per file; the rest are counted in one more line.
MAX_PROBLEMS_PER_FILE = 50


def clip(text: str, limit: int) -> str:
    """*text* scrubbed, then cut to *limit* characters with the full length said."""
    text = scrub_numbers(text)
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}个字符）"


def problem(path: Path, line: int, fieldname: str, message: str, allowed: str = "", severity: str = "error") -> Problem:
    return Problem(
        masked_path(path),
        line,
        clip(fieldname, MESSAGE_CHARS),
        clip(message, MESSAGE_CHARS),
        clip(allowed, MESSAGE_CHARS),
        severity,
    )


def finding_problem(path: Path, doc: YamlDocument, base: Loc, finding: Finding) -> Problem:
    """Turn a model's finding (a check within one record) into a Problem at its file and line.

    Args:
        path: the record file.
        doc: the file as read by :func:`formkit.records.yamlio.load_yaml` (for the line map).
        base: the location of the checked model inside the file (``()`` for the whole file).
        finding: the model's finding (location, Chinese message, allowed values, severity).
    """
    loc = base + finding.loc
    if loc not in doc.lines and finding.line_loc is not None:
        line = doc.line_of(base + finding.line_loc)
    else:
        line = doc.line_of(loc)
    return problem(path, line, dotted(loc), finding.message, finding.allowed, finding.severity)


#: Unknown keys in one mapping beyond which no nearest key is guessed for them (a file of
#: thousands of stray keys is not a typo).
_MOST_GUESSES = 100


def validation_problems(
    exc: ValidationError,
    doc: YamlDocument,
    model: type[BaseModel],
    path: Path,
) -> list[Problem]:
    """Turn pydantic's errors into located Chinese problems.

    Unknown keys name the nearest known key (a typo must never drop data silently); the
    missing key a misspelt one stands for is then not reported twice.

    Args:
        exc: the ValidationError of ``model``.
        doc: the file as read by :func:`formkit.records.yamlio.load_yaml` (for the line map).
        model: the model that was validated (for known keys and field descriptions).
        path: the record file.

    Returns:
        One Problem per error, with file, line, dotted Chinese field, message and allowed values.
    """
    problems: list[Problem] = []
    errors = exc.errors(include_url=False)
    extra_by_parent: dict[Loc, int] = defaultdict(int)
    for err in errors:
        if err["type"] == "extra_forbidden":
            extra_by_parent[tuple(err["loc"])[:-1]] += 1
    guesses: dict[Loc, str | None] = {}

    def guess_for(loc: Loc) -> str | None:
        if loc not in guesses:
            guess = None
            if extra_by_parent[loc[:-1]] <= _MOST_GUESSES:
                found = difflib.get_close_matches(str(loc[-1]), known_keys(model, loc[:-1]), n=1, cutoff=0.4)
                guess = found[0] if found else None
            guesses[loc] = guess
        return guesses[loc]

    missing = {tuple(err["loc"]) for err in errors if err["type"] == "missing"}
    missing_parents = {loc[:-1] for loc in missing}
    suggested: set[Loc] = set()
    for err in errors:
        loc: Loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden" and loc[:-1] in missing_parents:
            guess = guess_for(loc)
            if guess is not None:
                suggested.add(loc[:-1] + (guess,))
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        ctx: dict[str, Any] = err.get("ctx") or {}
        line = doc.line_of(loc)
        name = clip(dotted(loc), ECHO_CHARS)
        if kind == RECORD_CHECK:
            problems += [finding_problem(path, doc, loc, f) for f in ctx["findings"]]
        elif kind == VALUE_ERROR:
            problems.append(problem(path, line, name, ctx["message"], ctx.get("allowed", "")))
        elif kind == "missing":
            if loc in suggested:
                continue  # reported with the misspelt key that should be this one
            problems.append(problem(path, line, name, f"缺少必填项“{loc[-1]}”", field_description(model, loc)))
        elif kind == "extra_forbidden":
            unknown = f"未知的键“{clip(str(loc[-1]), NAME_CHARS)}”"
            hidden = describe_invisible(str(loc[-1]))
            if hidden:
                unknown += f"（里面有不可见的字符 {hidden}，请删去这个键重新输入）"
            guess = guess_for(loc)
            if guess:
                message = f"{unknown}：是不是“{guess}”？"
                allowed = f"改成“{guess}”"
            else:
                keys = known_keys(model, loc[:-1])
                message = f"{unknown}：不认识这个键，它的内容不会被读取"
                allowed = f"这一层可用的键：{'、'.join(keys)}"
            problems.append(problem(path, line, name, message, allowed))
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            keys = known_keys(model, loc)
            problems.append(
                problem(
                    path,
                    line,
                    name,
                    "应是一组“键: 值”（在下一行缩进写各项），不是单个值",
                    "可用的键：" + "、".join(keys),
                )
            )
        elif kind == "list_type":
            problems.append(problem(path, line, name, "应是列表：每项占一行，以“- ”开头", ""))
        else:  # pragma: no cover - every field type raises VALUE_ERROR; kept as a safety net
            described = field_description(model, loc)
            problems.append(problem(path, line, name, "这个值的写法不对，没有被读取", f"应填：{described}" if described else ""))
    return problems


def format_problems(problems: Iterable[Problem], base: Path | None = None) -> list[str]:
    """Format problems as ``path:line: 字段 — 问题 — 允许值`` lines.

    Errors come first, then warnings; each group sorted by file and line. Paths are shown
    relative to *base* where possible.

    Args:
        problems: the problems (e.g. ``RecordSet.problems``).
        base: the folder paths are shown relative to (usually the records folder).

    Returns:
        One line per problem.
    """
    ordered = sorted(problems, key=lambda p: (not p.is_error, p.path.as_posix(), p.line, p.field))
    return [p.format(base) for p in ordered]
