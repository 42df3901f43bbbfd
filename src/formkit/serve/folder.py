"""The records folder as the page shows it: units, their records, and formkit's problems.

:meth:`Folder.state` runs :func:`formkit.api.check` on the whole folder (the code of
``formkit check``: every check, across records and units included) and sorts its problems
to the files and units they concern. The result is kept until a record file changes (the
folder's file names, sizes and modification times are compared on each call: a few
milliseconds for a thousand files), so pages stay quick and always show the checks of what
is on disk, whoever changed it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.serve import _core

__all__ = ["Folder", "FolderState", "RecordFile", "UnitView", "record_kind"]

_SUFFIXES = (".yaml", ".yml")


@dataclass
class RecordFile:
    """One record file.

    Attributes:
        path: the file.
        rel: its path inside the records folder, ``/``-separated (the URL's path).
        kind: ``worker``, ``week``, ``unit`` or ``campaign``.
        title: 姓名 (worker), 时间 (week), 填报单位 (unit), or the file name.
        number: the worker's 档案编号 ("" otherwise).
        problems: formkit's problems of this file.
        rendered: ``""`` (never rendered), ``"current"`` (its documents are newer than the
            file) or ``"stale"`` (the file changed since).
        documents: its rendered documents, relative to the output folder.
    """

    path: Path
    rel: str
    kind: str
    title: str = ""
    number: str = ""
    problems: list[Any] = field(default_factory=list)
    rendered: str = ""
    documents: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Any]:
        """The errors among the problems."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Any]:
        """The warnings among the problems."""
        return [p for p in self.problems if not p.is_error]


@dataclass
class UnitView:
    """One unit folder.

    Attributes:
        folder: the unit's folder; ``name`` its name (the URL's).
        title: its 填报单位 (or the folder name when 单位.yaml is missing or wrong).
        unit_type: its 单位类型 as typed.
        unit_file: its 单位.yaml (None when missing).
        workers, weeks: its record files.
        problems: every problem of a file in the folder (the unit's own included).
        output: the name of its folder in the output folder.
    """

    folder: Path
    name: str
    title: str
    unit_type: str = ""
    unit_file: RecordFile | None = None
    workers: list[RecordFile] = field(default_factory=list)
    weeks: list[RecordFile] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    output: str = ""
    info: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Any]:
        """The errors among the unit's problems."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Any]:
        """The warnings among the unit's problems."""
        return [p for p in self.problems if not p.is_error]


@dataclass
class FolderState:
    """The records folder, checked.

    Attributes:
        units: the unit folders, by name.
        files: every record file by its ``rel``.
        campaign: campaign.yaml (None when missing).
        problems: every problem of the check.
        loose: problems of no record file or unit (the folder's own).
        record_set: what :func:`formkit.api.check` returned (None when the folder is not yet a
            records folder: no campaign.yaml and no unit).
        failure: why the check could not run ("" when it ran).
    """

    units: dict[str, UnitView] = field(default_factory=dict)
    files: dict[str, RecordFile] = field(default_factory=dict)
    campaign: RecordFile | None = None
    problems: list[Any] = field(default_factory=list)
    loose: list[Any] = field(default_factory=list)
    record_set: Any = None
    failure: str = ""

    @property
    def errors(self) -> list[Any]:
        """Every error of the check."""
        return [p for p in self.problems if p.is_error]


def record_kind(rel: str) -> str | None:
    """What a path inside the records folder is: ``campaign``, ``unit``, ``worker``, ``week``,
    or None for anything the page does not edit."""
    parts = rel.split("/")
    if not parts[-1].lower().endswith(_SUFFIXES):
        return None
    if parts == [_core.CAMPAIGN_FILE]:
        return "campaign"
    if len(parts) == 2 and parts[1] == _core.UNIT_FILE:
        return "unit"
    if len(parts) >= 3 and parts[1] == _core.WORKERS_DIR:
        return "worker"
    if len(parts) >= 3 and parts[1] == _core.WEEKS_DIR:
        return "week"
    return None


def is_unit_folder(folder: Path) -> bool:
    """A unit folder holds 单位.yaml, 职工/ or 周报/ (as ``formkit check`` reads it)."""
    return (folder / _core.UNIT_FILE).is_file() or (folder / _core.WORKERS_DIR).is_dir() or (folder / _core.WEEKS_DIR).is_dir()


class Folder:
    """The records folder and the output folder of one ``formkit serve``."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root = root.resolve()
        self.out = out.resolve()
        self._lock = threading.Lock()
        self._signature: Any = None
        self._state: FolderState | None = None

    # -- files ---------------------------------------------------------------------------

    def unit_folders(self) -> list[Path]:
        """The unit folders, by name."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith((".", "~")) and is_unit_folder(p))

    def record_files(self, folder: Path) -> list[Path]:
        """The ``.yaml`` files under *folder* (sub-folders included, hidden names skipped)."""
        found: list[Path] = []
        if not folder.is_dir():
            return found
        for base, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "~")) and not Path(base, d).is_symlink())
            found += [Path(base) / n for n in sorted(names) if n.lower().endswith(_SUFFIXES) and not n.startswith((".", "~"))]
        return found

    def signature(self) -> Any:
        """What changes when any file of the records folder changes (names, sizes, times)."""
        entries = []
        if self.root.is_dir():
            for base, dirs, names in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for n in sorted(names):
                    try:
                        st = os.stat(os.path.join(base, n))
                    except OSError:
                        continue
                    entries.append((base, n, st.st_size, st.st_mtime_ns))
        return tuple(entries)

    def rel(self, path: Path) -> str:
        """*path* inside the records folder, ``/``-separated."""
        return path.resolve().relative_to(self.root).as_posix()

    # -- state ---------------------------------------------------------------------------

    def state(self) -> FolderState:
        """The folder checked (kept until a file changes)."""
        with self._lock:
            signature = self.signature()
            if self._state is None or signature != self._signature:
                self._state = self._check()
                self._signature = signature
            return self._state

    def forget(self) -> None:
        """Check again on the next :meth:`state` (after a save within the same second)."""
        with self._lock:
            self._state = None

    def _check(self) -> FolderState:
        state = FolderState()
        units = self.unit_folders()
        campaign_path = self.root / _core.CAMPAIGN_FILE
        if campaign_path.is_file():
            state.campaign = RecordFile(campaign_path, _core.CAMPAIGN_FILE, "campaign", "活动")
            state.files[state.campaign.rel] = state.campaign
        for folder in units:
            view = UnitView(folder, folder.name, folder.name)
            unit_path = folder / _core.UNIT_FILE
            if unit_path.is_file():
                view.unit_file = RecordFile(unit_path, self.rel(unit_path), "unit", folder.name)
                state.files[view.unit_file.rel] = view.unit_file
                data = _peek(unit_path)
                view.info = {k: str(v) for k, v in data.items() if isinstance(v, str)}
                view.title = view.info.get("填报单位") or folder.name
                view.unit_type = view.info.get("单位类型", "")
            for path in self.record_files(folder / _core.WORKERS_DIR):
                data = _peek(path)
                rec = RecordFile(path, self.rel(path), "worker", _str(data.get("姓名")) or path.stem, _str(data.get("档案编号")))
                payment = data.get("慰问")
                if not isinstance(payment, dict):
                    payment = {}
                rec.extra = {
                    "困难类别": _str(data.get("困难类别")),
                    "资助金额": _yuan(_str(payment.get("资助金额"))),
                    "档案状态": _str(data.get("档案状态")),
                }
                view.workers.append(rec)
                state.files[rec.rel] = rec
            for path in self.record_files(folder / _core.WEEKS_DIR):
                data = _peek(path)
                typed = _str(data.get("时间"))
                rec = RecordFile(path, self.rel(path), "week", _shown_date(typed) or path.stem, extra={"时间": typed})
                view.weeks.append(rec)
                state.files[rec.rel] = rec
            view.workers.sort(key=lambda r: (_natural(r.number), r.rel))
            view.weeks.sort(key=lambda r: (_date_key(r.extra["时间"]), r.rel))
            view.output = _core.safe_name(view.title, folder.name)
            state.units[view.name] = view
        if not campaign_path.is_file() and not units:
            state.failure = "这个文件夹里还没有记录：先新建活动（campaign.yaml），再新建单位。"
            return state
        try:
            record_set = _core.check(self.root)
        except _core.FormkitError as exc:
            state.failure = str(exc)
            return state
        state.record_set = record_set
        state.problems = list(record_set.problems)
        if not units:  # campaign.yaml and no unit yet: the home page says to make one
            root = _core.masked_path(self.root).as_posix()
            state.problems = [p for p in state.problems if not (Path(p.path).as_posix() == root and p.field == _core.FILE_FIELD)]
        for unit in record_set.units:  # the output folder's name as formkit render gives it
            found = next((v for v in state.units.values() if v.folder.resolve() == Path(unit.folder).resolve()), None)
            if found is not None:
                found.output = _core.output_name(unit)
        by_shown = {_core.masked_path(rec.path).as_posix(): rec for rec in state.files.values()}
        unit_prefixes = [(_core.masked_path(v.folder).as_posix() + "/", v) for v in state.units.values()]
        for problem in state.problems:
            shown = Path(problem.path).as_posix()
            holder = by_shown.get(shown)
            if holder is not None:
                holder.problems.append(problem)
            in_unit = next((v for prefix, v in unit_prefixes if (shown + "/").startswith(prefix)), None)
            if in_unit is not None:
                in_unit.problems.append(problem)
            elif holder is None or holder.kind != "campaign":
                state.loose.append(problem)
        self._rendered(state)
        return state

    def _rendered(self, state: FolderState) -> None:
        """Mark each record with the documents ``formkit render`` made of it."""
        for view in state.units.values():
            base = self.out / view.output
            if not base.is_dir():
                continue
            for rec in view.workers:
                stem = _core.safe_name("_".join(p for p in (rec.number, rec.title) if p) or rec.path.stem)
                docs = [f"{view.output}/{d}/{stem}.docx" for d in (_core.REGISTRATION_DIR, _core.VOUCHER_DIR)]
                rec.documents = [d for d in docs if (self.out / d).is_file()]
                rec.rendered = _freshness(rec.path, [self.out / d for d in rec.documents])
            for rec in view.weeks:
                try:
                    day = _core.parse_date(rec.extra["时间"]).isoformat()
                except _core.FormkitError:
                    continue
                doc = f"{view.output}/{_core.WEEKLY_DIR}/{day}.docx"
                rec.documents = [doc] if (self.out / doc).is_file() else []
                rec.rendered = _freshness(rec.path, [self.out / doc for doc in rec.documents])


def _freshness(record: Path, documents: list[Path]) -> str:
    if not documents:
        return ""
    try:
        newest = record.stat().st_mtime_ns
        return "current" if all(d.stat().st_mtime_ns >= newest for d in documents) else "stale"
    except OSError:
        return ""


def _peek(path: Path) -> dict[str, Any]:
    """The top-level keys of a record file as text ({} when it cannot be read)."""
    try:
        raw = path.read_bytes()
        text, _ = _core.decode_bytes(raw)
        doc = _core.load_yaml_text(text)
    except (OSError, _core.FormkitError):
        return {}
    return doc.data if isinstance(doc.data, dict) else {}


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _natural(text: str) -> list[Any]:
    import re

    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p]


def _yuan(text: str) -> str:
    """An amount as the voucher prints it (1000.00), as typed when it is not one."""
    try:
        return _core.format_yuan(text) if text else ""
    except _core.FormkitError:
        return text


def _shown_date(text: str) -> str:
    """A typed date as 2011年12月2日 (as typed when it is not a date)."""
    try:
        return _core.format_date_zh(_core.parse_date(text))
    except _core.FormkitError:
        return text


def _date_key(text: str) -> str:
    try:
        return _core.parse_date(text).isoformat()
    except _core.FormkitError:
        return "9999-" + text
