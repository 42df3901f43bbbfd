"""The layout of a records folder: which files are records, and which are not read.

Every file or folder that looks like a record but is not read is named, with what to rename it to.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from formkit.errors import Problem, os_reason
from formkit.records.problems import FILE_FIELD, problem

CAMPAIGN_FILE = "campaign.yaml"
UNIT_FILE = "单位.yaml"
WORKERS_DIR = "职工"
WEEKS_DIR = "周报"
_SUFFIXES = (".yaml", ".yml")

HIDDEN = (".", "~")  # editors' temporary and backup files, .git and the like: skipped silently
#: Extensions an editor or Windows adds after ``.yaml``: the file is a record that is not read.
_ADDED_EXTENSION = re.compile(r"(?P<stem>.+\.ya?ml)\.(?:txt|text|lnk)", re.IGNORECASE)
_WINDOWS_HINT = "（Windows 默认隐藏扩展名：在资源管理器“查看”里勾选“文件扩展名”后再改名）"


def is_record_name(name: str) -> bool:
    return name.lower().endswith(_SUFFIXES)


def name_fault(name: str, plain_text: bool = True) -> tuple[str, str, str] | None:
    """Why a file named *name* is not read although it may be a record.

    Args:
        name: the file name.
        plain_text: also report a plain ``.txt`` file (in 职工/ and 周报/, where a record
            saved by Notepad lands; elsewhere a .txt is more likely a note).

    Returns:
        ``(severity, message, allowed)``, or None for a record file (``.yaml``/``.yml``) or a
        file that is clearly something else (an attachment such as a .pdf or .jpg).
    """
    stripped = name.rstrip(" .\t\u3000")
    if stripped != name and is_record_name(stripped):
        return (
            "error",
            "文件名末尾有空格或句点，这份记录没有被读取",
            f"改名为“{stripped}”",
        )
    added = _ADDED_EXTENSION.fullmatch(stripped)
    if added:
        stem = added.group("stem")
        if stripped.lower().endswith(".lnk"):
            return (
                "warning",
                "这是一个快捷方式，不是记录文件本身：没有被读取",
                f"把记录文件“{stem}”本身复制到这里，删去快捷方式",
            )
        return (
            "error",
            f"文件名的真实结尾是“{stripped[len(stem) :]}”（记事本保存时自动加上的），这份记录没有被读取",
            f"改名为“{stem}”{_WINDOWS_HINT}",
        )
    if plain_text and stripped.lower().endswith((".txt", ".text")):
        stem = stripped.rsplit(".", 1)[0]
        return (
            "warning",
            "这个 .txt 文件没有被读取：记录文件的名字要以 .yaml 结尾",
            f"如果这是一份记录，改名为“{stem}.yaml”{_WINDOWS_HINT}",
        )
    return None


def record_files(folder: Path, problems: list[Problem]) -> list[Path]:
    """The record files (``*.yaml``, ``*.yml``) in *folder* and its sub-folders, sorted.

    The walk is iterative (a folder tree thousands of levels deep needs no recursion) and
    does not follow sub-folders that are symbolic links (a link back up would loop): each is
    reported instead, as are files that look like records but are not read (``.yaml.txt``,
    a trailing space, a .txt file) and folders that cannot be read. Names starting with
    ``.`` or ``~`` (editors' temporary files) are skipped silently.
    """
    if not folder.is_dir():
        return []
    found: list[Path] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            problems.append(
                problem(
                    current,
                    0,
                    FILE_FIELD,
                    f"无法打开这个文件夹（{os_reason(exc)}），其中的记录没有被读取",
                    "检查文件夹的权限，或把路径改短（少一些层次）",
                    "warning",
                )
            )
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(HIDDEN):
                continue
            path = current / name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                is_link, is_dir, is_file = False, False, False
            if is_dir:
                if is_link:
                    problems.append(
                        problem(
                            path,
                            0,
                            FILE_FIELD,
                            "这个文件夹是指向别处的链接（快捷方式），里面的记录没有被读取",
                            "把记录文件本身复制到这里",
                            "warning",
                        )
                    )
                else:
                    stack.append(path)
                continue
            if is_record_name(name):
                if is_file:
                    found.append(path)
                elif is_link:
                    problems.append(problem(path, 0, FILE_FIELD, "这个链接（快捷方式）指向的文件不存在，没有被读取", "", "warning"))
                continue
            fault = name_fault(name)
            if fault is not None and (is_file or is_link):
                severity, message, allowed = fault
                problems.append(problem(path, 0, FILE_FIELD, message, allowed, severity))
    return sorted(found)


def is_unit_folder(folder: Path) -> bool:
    return (folder / UNIT_FILE).is_file() or (folder / WORKERS_DIR).is_dir() or (folder / WEEKS_DIR).is_dir()


def stray_files(folder: Path, expected: set[str], where: str, problems: list[Problem]) -> None:
    for p in sorted(folder.iterdir()):
        if p.name.startswith(HIDDEN) or not p.is_file():
            continue
        if is_record_name(p.name):
            if p.name not in expected:
                problems.append(problem(p, 0, FILE_FIELD, f"这个文件没有被读取：{where}", "", "warning"))
            continue
        fault = name_fault(p.name, plain_text=False)
        if fault is None:
            continue
        severity, message, allowed = fault
        if not any(name in allowed for name in expected):  # not 单位.yaml.txt or campaign.yaml.txt
            severity = "warning"
        problems.append(problem(p, 0, FILE_FIELD, message, allowed, severity))
