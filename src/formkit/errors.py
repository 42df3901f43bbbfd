"""Errors and problems raised by formkit.

Every error formkit raises on purpose derives from :class:`FormkitError`. The CLI
(``formkit.cli``) is the one place that turns them into ``错误：…`` lines on stderr and exit
codes; each error carries its code (:data:`EXIT_PROBLEMS`, :data:`EXIT_USAGE`,
:data:`EXIT_ENVIRONMENT`).
This module imports nothing of formkit, so every layer may use it.

Messages are in Chinese where a clerk reads them. No message may contain a full ID number
or phone number: callers mask them first (``formkit.domain.idcard.mask``).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path

#: Exit codes of the ``formkit`` command (README "Exit codes", ``formkit --help``): done;
#: problems in what staff wrote (records, a sheet's rows; or units left out with
#: --keep-going); wrong usage (an option, a folder, file or template folder that is not what
#: the command needs); something in the environment (LibreOffice missing, a folder that cannot
#: be written, PDFs not made).
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3


#: What the operating system's error numbers mean, in the words of a message to staff (the
#: system's own text, ``strerror``, is English on most machines).
_OS_REASONS = {
    errno.ENOENT: "找不到这个文件或文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "磁盘是只读的",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已经存在",
    errno.EBUSY: "正被别的程序占用",
    errno.ETXTBSY: "正被别的程序占用",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.EXDEV: "不能跨磁盘移动",
    errno.EIO: "磁盘读写出错",
}
#: Windows' own error numbers (``OSError.winerror``) that staff meet.
_WINDOWS_REASONS = {32: "文件正在别的程序里打开着（如 Word、Excel、WPS）：请先关闭", 33: "文件的一部分被别的程序锁定：请先关闭它"}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese: ``没有权限``, ``磁盘已满``; the system's own
    text (or the error's name) for a number not listed."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINDOWS_REASONS:
        return _WINDOWS_REASONS[winerror]
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    return exc.strerror or type(exc).__name__


class FormkitError(Exception):
    """Base of every error formkit raises on purpose.

    Attributes:
        exit_code: the process exit code the CLI uses for this error: :data:`EXIT_USAGE`
            by default; :data:`EXIT_PROBLEMS` for problems in the records,
            :data:`EXIT_ENVIRONMENT` for the computer's part.
    """

    exit_code = EXIT_USAGE


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
    """A date that is not in one of the accepted forms or does not exist.

    Attributes:
        fault: what is wrong, without the hint on how to write a date that the message may
            end with (for a Problem, whose allowed values give that hint).
    """

    def __init__(self, message: str, fault: str | None = None) -> None:
        super().__init__(message)
        self.fault = fault if fault is not None else message

    def __reduce__(self) -> tuple[type[DateError], tuple[str, str]]:
        return (type(self), (self.args[0] if self.args else "", self.fault))


class TemplateProblem(FormkitError):
    """A template that cannot be used: not a .docx, corrupt, or naming unknown fields (the
    ``--templates`` folder given cannot be used: :data:`EXIT_USAGE`).

    Attributes:
        problems: each problem found, located at the template, where the tag is and the tag
            (``附件1_慰问金发放凭证.docx: 表格1 第3行 第2格 — 标签“{{ 姓明 }}”：…``); the
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
    """An output folder or file that cannot be written (the disk, permissions, a file open
    in another program: :data:`EXIT_ENVIRONMENT`)."""

    exit_code = EXIT_ENVIRONMENT


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the records, located at file, line and field.

    Attributes:
        path: the record file (relative to the records folder where possible).
        line: 1-based line in that file; 0 when the problem concerns the whole file or a
            folder (then no line is printed).
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
        """Return ``path:line: 字段 — what is wrong — what is allowed``; ``path: 字段 — …``
        when there is no line (a folder, a whole file, a template)."""
        path = self.path
        if base is not None:
            try:
                path = self.path.relative_to(base)
            except ValueError:
                pass
        where = f"{path.as_posix()}:{self.line}" if self.line else path.as_posix()
        text = f"{where}: {self.field} — {self.message}"
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
    exit_code = EXIT_PROBLEMS

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.is_error]
        return f"记录有 {len(errors)} 处错误，未生成任何文件。请先运行 formkit check 查看并修改。"
