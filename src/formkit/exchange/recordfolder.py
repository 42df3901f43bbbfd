"""The records folder an import writes into: units, ID numbers already there, new files.

A file is never overwritten.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.errors import FormkitError, OutputError, os_reason
from formkit.exchange.sheetread import id_key
from formkit.files import create_numbered_file
from formkit.records.walk import CAMPAIGN_FILE, UNIT_FILE, WORKERS_DIR
from formkit.records.yamlio import (
    YamlFileError,
    load_yaml,
)

# ---------------------------------------------------------------- records folder


@dataclass
class Existing:
    path: Path
    folder: Path
    data: Any


@dataclass
class Folder:
    """The records folder: unit folders by name, and every worker record's 身份证号 and 档案编号."""

    units: dict[str, Path] = field(default_factory=dict)
    by_id: dict[str, Existing] = field(default_factory=dict)
    archives: dict[tuple[Path, str], str] = field(default_factory=dict)  # → shown where


def fold_name(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_unit(folder: Path) -> bool:
    return (folder / UNIT_FILE).is_file() or (folder / WORKERS_DIR).is_dir()


def scan_records(records: Path) -> tuple[list[Path], Folder]:
    """The unit folders targets may be, and the index of every existing worker record."""
    if not records.is_dir():
        raise FormkitError(
            f"记录文件夹不存在：{records}（新的记录文件夹：先用 formkit new campaign {records} 写活动，"
            f"再用 formkit new unit {records / '<填报单位>'} 建立单位）"
        )
    if is_unit(records) and not (records / CAMPAIGN_FILE).is_file():
        targets = [records]
        parent = records.parent
        scope = [p for p in sorted(parent.iterdir()) if p.is_dir() and is_unit(p)] if (parent / CAMPAIGN_FILE).is_file() else [records]
    else:
        targets = scope = [p for p in sorted(records.iterdir()) if p.is_dir() and not p.name.startswith((".", "~")) and is_unit(p)]
    index = Folder()
    for folder in scope:
        name = folder.name
        try:
            unit = load_yaml(folder / UNIT_FILE).data if (folder / UNIT_FILE).is_file() else None
            if isinstance(unit, dict) and isinstance(unit.get("填报单位"), str):
                name = unit["填报单位"].strip()
        except YamlFileError:
            pass
        if folder in targets:
            index.units.setdefault(fold_name(name), folder)
            index.units.setdefault(fold_name(folder.name), folder)
        workers = folder / WORKERS_DIR
        for path in sorted(workers.rglob("*.y*ml")) if workers.is_dir() else []:
            if any(part.startswith((".", "~")) for part in path.relative_to(workers).parts):
                continue
            try:
                data = load_yaml(path).data
            except YamlFileError:
                continue
            if not isinstance(data, dict):
                continue
            if isinstance(data.get("身份证号"), str):
                index.by_id.setdefault(id_key(data["身份证号"]), Existing(path, folder, data))
            if isinstance(data.get("档案编号"), str):
                index.archives.setdefault((folder, data["档案编号"].strip()), path.relative_to(folder).as_posix())
    return targets, index


def default_unit(unit: str | None, targets: list[Path], index: Folder, title: str, records: Path) -> Path | None:
    """The unit folder the rows go to: *unit*'s (by its 填报单位 or folder name), else the
    only one, else the one named in the sheet's *title*; None when undecided.

    Raises:
        FormkitError: *unit* names no unit folder of *records* (saying how to make it).
    """
    if unit is not None:
        folder = index.units.get(fold_name(unit))
        if folder is None:
            known = "、".join(sorted({p.name for p in index.units.values()})) or "（没有）"
            raise FormkitError(
                f"记录文件夹里没有填报单位“{unit}”的文件夹（现有：{known}）：请先用 formkit new unit {records / unit} 建立这个单位，再导入"
            )
        return folder
    if len(targets) == 1:
        return targets[0]
    named = {folder for name, folder in index.units.items() if name and name in fold_name(title)}
    return named.pop() if len(named) == 1 else None


def write_new_file(folder: Path, stem: str, text: str) -> Path:
    """Create ``folder/stem.yaml`` (``stem-2.yaml`` … if taken) atomically, never replacing a file.

    Raises:
        OutputError: the folder or file cannot be written.
    """
    try:
        return create_record_file(folder, stem, text)
    except OSError as exc:
        raise OutputError(f"无法写入 {folder}：{os_reason(exc)}") from exc


def create_record_file(folder: Path, stem: str, text: str) -> Path:
    """``folder/stem.yaml`` (``stem-2.yaml`` … if taken) holding ``text`` in UTF-8
    (:func:`formkit.files.create_numbered_file`).

    Raises:
        FormkitError: 999 names are taken.
        OSError: the folder or file cannot be written.
    """
    try:
        return create_numbered_file(folder, stem, ".yaml", text.encode("utf-8"))
    except FileExistsError as exc:
        raise FormkitError(f"{folder} 里同名文件太多：{stem}.yaml") from exc
