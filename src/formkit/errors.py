"""Errors and problems raised by formkit.

Every error formkit raises on purpose derives from :class:`FormkitError`. The CLI
(``formkit.cli``) is the one place that turns them into ``Error: …`` lines and exit codes.
This module imports nothing of formkit, so every layer may use it.

Messages are in Chinese where a clerk reads them. No message may contain a full ID number
or phone number: callers mask them first (``formkit.domain.idcard.mask``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class FormkitError(Exception):
    """Base of every error formkit raises on purpose.

    Attributes:
        exit_code: the process exit code the CLI uses for this error (2 by default;
            1 is reserved for "the records have errors").
    """

    exit_code = 2


class AmountError(FormkitError, ValueError):
    """An amount of money that must be refused (never rounded or truncated silently).

    Attributes:
        kind: one of ``"negative"``, ``"precision"`` (more than 2 decimals), ``"format"``
            (not a number), ``"range"`` (too large for the form or for 大写金额).
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class IDNumberError(FormkitError, ValueError):
    """A 居民身份证号码 that fails GB 11643-1999 (length, birth date or check digit).

    The message never contains the full number.
    """


class DateError(FormkitError, ValueError):
    """A date that is not in one of the accepted forms or does not exist."""


class TemplateProblem(FormkitError):
    """A template that cannot be used: not a .docx, corrupt, or naming unknown fields.

    Attributes:
        problems: each problem found, located at the template, where the tag is and the tag
            (``附件1_慰问金发放凭证.docx:0: 表格1 第3行 第2格 — 标签“{{ 姓明 }}”：…``); the
            message lists them after its first line. Empty for a problem of the folder.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])

    def __reduce__(self) -> tuple[type[TemplateProblem], tuple[str, list[Problem]]]:
        return (type(self), (self.args[0] if self.args else "", self.problems))

    def __str__(self) -> str:
        lines = [super().__str__()]
        lines += ["  " + p.format() for p in sorted(self.problems)]
        return "\n".join(lines)


class OutputError(FormkitError):
    """An output folder or file that cannot be written."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the records, located at file, line and field.

    Attributes:
        path: the record file (relative to the records folder where possible).
        line: 1-based line in that file; 0 when the problem concerns the whole file.
        field: the Chinese key, dotted for nested keys (``家庭成员[2].身份证号``).
        message: what is wrong, in Chinese, without any full ID or phone number.
        allowed: what is allowed instead (may be empty).
        severity: ``"error"`` (blocks rendering) or ``"warning"``.
    """

    path: Path
    line: int
    field: str
    message: str
    allowed: str = ""
    severity: str = "error"

    def format(self, base: Path | None = None) -> str:
        """Return ``path:line: 字段 — what is wrong — what is allowed``."""
        path = self.path
        if base is not None:
            try:
                path = self.path.relative_to(base)
            except ValueError:
                pass
        text = f"{path.as_posix()}:{self.line}: {self.field} — {self.message}"
        if self.allowed:
            text += f" — {self.allowed}"
        return text

    @property
    def is_error(self) -> bool:
        """True when this problem blocks rendering."""
        return self.severity == "error"


@dataclass
class RecordsInvalid(FormkitError):
    """The records folder has errors; rendering refuses to write anything.

    Attributes:
        problems: every problem found, errors and warnings, sorted by file and line.
    """

    problems: list[Problem] = field(default_factory=list)
    exit_code = 1

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.is_error]
        return f"记录有 {len(errors)} 处错误，未生成任何文件。请先运行 formkit check 查看并修改。"
