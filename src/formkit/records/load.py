"""Walk a records folder, check every record, and locate every problem at file:line.

Layout (records.md)::

    records/
      campaign.yaml
      <填报单位>/单位.yaml
      <填报单位>/职工/*.yaml        (sub-folders allowed; also *.yml)
      <填报单位>/周报/*.yaml

:func:`load_records` also accepts a single unit folder, and then reads the campaign.yaml of
its parent folder. No record is skipped without a word: a file that looks like a record but
is not read is reported with the name to give it (``.yaml.txt`` saved by Notepad or a
trailing space: error; a ``.txt`` or a shortcut in 职工/ or 周报/: warning), as are sub-folders
that are symbolic links (not followed: a link back up would loop) and folders that cannot be
opened; a records folder without any unit folder is an error stating the layout. The walk is
iterative (any depth). At most :data:`MAX_PROBLEMS_PER_FILE` problems are listed per file. It never raises for a fault in a record: it collects :class:`Problem`
objects (file, line, Chinese field path such as ``家庭成员[2].身份证号`` with 1-based list
positions, message, allowed values) and leaves a record with errors out of its unit's lists,
so that ``render --keep-going`` renders the valid ones.

Checks across records (notice §三, §四): the same 身份证号 twice anywhere (any unit) is an error
in each file, naming the other (不重复); a family member who is also a registered worker is a
warning; 档案编号 is unique within a unit; a 脱贫 archive is kept and excluded from payment
(warning saying so); 发放日期 after 资金使用截止 for 中央财政帮扶专项资金 (warning); weekly
reports: one per 时间 in a unit, 时间 on the 周报日 inside 周报起止 (warning), weeks without a
report (warning).

No message holds a full ID or phone number: every message, field name and allowed text is
scrubbed by :func:`scrub_numbers` (numbers typed with spaces, hyphens, dots, next to letters
or after +86 included), and the path of every problem by :func:`masked_path`: a file named
after an ID number is shown as ``350203********2108.yaml`` (so ``Problem.path`` is then not
the file's real path; such a file also gets a warning asking to rename it).
"""

from __future__ import annotations

import difflib
import os
import pickle
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from formkit.domain.dates import format_date_zh
from formkit.domain.models import (
    INVISIBLE_CHARACTERS,
    RECORD_CHECK,
    VALUE_ERROR,
    Campaign,
    Finding,
    Unit,
    WeeklyReport,
    Worker,
    describe_invisible,
    field_description,
    known_keys,
)
from formkit.domain.privacy import masked_path, scrub_numbers
from formkit.domain.vocab import ArchiveStatus, Weekday
from formkit.errors import FormkitError, Problem
from formkit.files import safe_name
from formkit.records.yamlio import YamlDocument, YamlFileError, load_yaml

__all__ = [
    "CAMPAIGN_FILE",
    "RecordSet",
    "UnitRecords",
    "WeekRecord",
    "WorkerRecord",
    "WORKERS_DIR",
    "UNIT_FILE",
    "WEEKS_DIR",
    "dotted",
    "finding_problem",
    "format_problems",
    "load_records",
    "name_units",
    "masked_path",
    "pack",
    "scrub_numbers",
    "unpack",
    "validation_problems",
]

CAMPAIGN_FILE = "campaign.yaml"
UNIT_FILE = "单位.yaml"
WORKERS_DIR = "职工"
WEEKS_DIR = "周报"
_SUFFIXES = (".yaml", ".yml")
_FILE_FIELD = "文件"

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


#: A typical worker record (fictional, the sample 001-王秀英.yaml): its pickle is the preset
#: dictionary every packed record is deflated with (what records share, field names, class
#: paths and common values, then costs nothing: about 0.6 KB a record instead of 1.4 KB).
_PACKING_SAMPLE: dict[str, Any] = {
    "档案编号": "SM2011-001", "困难类别": "低保户", "姓名": "王秀英", "民族": "汉族", "性别": "女", "政治面貌": "群众",
    "出生日期": "1962-05-14", "身份证号": "350203196205142107", "健康状况": "疾病", "身份": "下（待）岗",
    "劳模类型": "非劳模", "住房类型": "承租单位公房", "建筑面积": "20至50", "邮政编码": "361008",
    "联系电话": "0592-5503127", "工作时间": "1980-09-01", "所属行业": "纺织系统", "婚姻状况": "已婚",
    "户口类型": "非农业", "家庭住址": "厦门市思明区莲前街道前埔西社区前埔西路36号502室", "工作单位": "厦门市鹭江纺织厂",
    "单位性质": "国有企业", "企业状况": "改制企业", "是否单亲": "否", "本人月平均收入": 600, "家庭年度总收入": 21600,
    "家庭人口": 3, "家庭年人均收入": 7200, "户口所在地行政区划": "福建省厦门市思明区", "是否进入医保": "是",
    "家庭成员": [
        {"姓名": "张德明", "关系": "丈夫", "性别": "男", "政治面貌": "群众", "出生日期": "1960-08-17",
         "身份证号": "350203196008171312", "健康状况": "疾病", "月收入": 1200, "身份": "病退", "单位或学校": "厦门市第二建筑工程公司"},
    ],
    "是否有一定自救能力": "是", "是否为零就业家庭": "否", "致困主要原因": ["供养直系亲属大病", "子女上学"],
    "所附附件": [{"附件类型": "低保证", "附件文件": "低保证复印件.pdf"}],
    "档案状态": "在档",
    "慰问": {"资助金额": "1000.00", "帮扶项目": "生活救助", "资金来源": "中央财政帮扶专项资金",
           "低保": {"起": "2011-01-01", "止": "2011-12-31", "每月": 400},
           "其它帮扶措施": "协助其子申请国家助学贷款", "街道": "莲前街道", "发放日期": "2011-12-26"},
}
_packing: dict[str, bytes] = {}


def _packing_dictionary(kind: str = "worker") -> bytes:
    """The preset deflate dictionary of packed records (made once per process, the same
    in every process: :data:`_PACKING_SAMPLE` validated and pickled; ``kind="dump"``: its
    ``model_dump(by_alias=True)`` pickled)."""
    zdict = _packing.get(kind)
    if zdict is None:
        sample = Worker.model_validate(_PACKING_SAMPLE)
        _packing["worker"] = pickle.dumps(sample, protocol=pickle.HIGHEST_PROTOCOL)
        _packing["dump"] = pickle.dumps(sample.model_dump(by_alias=True), protocol=pickle.HIGHEST_PROTOCOL)
        zdict = _packing[kind]
    return zdict


def pack(value: Any, kind: str = "worker") -> bytes:
    """*value* pickled and deflated with the preset dictionary of *kind* ("worker": a
    :class:`Worker`; "dump": its ``model_dump(by_alias=True)``); see :func:`unpack`."""
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS, 9, zlib.Z_DEFAULT_STRATEGY, _packing_dictionary(kind))
    return packer.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) + packer.flush()


def unpack(data: bytes, kind: str = "worker") -> Any:
    """What :func:`pack` packed (only bytes formkit packed itself: this unpickles)."""
    unpacker = zlib.decompressobj(zlib.MAX_WBITS, _packing_dictionary(kind))
    return pickle.loads(unpacker.decompress(data) + unpacker.flush())


class WorkerRecord:
    """A valid worker record. ``line`` is the first line of its content.

    The :class:`Worker` is kept packed (pickled, then deflated with a preset dictionary:
    about 0.6 KB, where the pydantic objects take about 14 KB), so that a city's 10,000
    records cost little memory (issue 5: memory flat in the number of workers). ``worker``
    unpacks it on every access (about 0.1 ms) and returns a new object each time: read it
    into a local name when using it more than once; assigning ``worker`` packs the new
    value. ``paid``, ``archive_number`` and ``sort_key`` answer the common questions
    without unpacking. A WorkerRecord pickles as its path, line and Worker.

    Attributes:
        path: the record file.
        line: the first line of its content.
        paid: it gets a voucher and a roster row: 在档 with a 慰问 (通知三.2).
        archive_number: its 档案编号.
    """

    __slots__ = ("_path", "line", "paid", "archive_number", "_packed")

    def __init__(self, path: Path, line: int, worker: Worker) -> None:
        self.path = path
        self.line = line
        self.worker = worker

    @property
    def path(self) -> Path:
        """The record file (kept as text: a Path object per record costs half a kilobyte)."""
        return Path(self._path)

    @path.setter
    def path(self, path: Path) -> None:
        self._path = os.fspath(path)

    @property
    def worker(self) -> Worker:
        """The worker (a fresh copy, unpacked)."""
        worker: Worker = unpack(self._packed)
        return worker

    @worker.setter
    def worker(self, worker: Worker) -> None:
        self._packed = pack(worker)
        self.paid = worker.payment is not None and worker.archive_status == ArchiveStatus.ACTIVE
        self.archive_number = worker.archive_number

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """Roster and document order within a unit: by 档案编号, its runs of digits compared
        as numbers (SM-2 before SM-10), then by file path."""
        digits = [int(d) if d.isdigit() else d for d in re.split(r"(\d+)", self.archive_number)]
        return (digits, self._path.replace(os.sep, "/"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkerRecord):
            return NotImplemented
        return (self.path, self.line, self.worker) == (other.path, other.line, other.worker)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __reduce__(self) -> tuple[Any, ...]:
        return (WorkerRecord, (self.path, self.line, self.worker))

    def __repr__(self) -> str:
        return f"WorkerRecord(path={self.path!r}, line={self.line})"


@dataclass
class WeekRecord:
    """A valid weekly report; 单位负责人, 填表人 and 联系电话 already default to 单位.yaml."""

    path: Path
    line: int
    report: WeeklyReport


@dataclass
class UnitRecords:
    """One unit's folder and its valid records (those with errors are left out).

    Attributes:
        folder: the unit's folder.
        path: its 单位.yaml.
        unit: the unit.
        workers: valid worker records, sorted by path.
        weeks: valid weekly reports, sorted by 时间.
        name: the unit's name in every output (its output folder, its packet, its rows in
            the schedule, the roll-up and the spreadsheets): its 填报单位 made safe for file
            systems (:func:`formkit.files.safe_name`), unique in the record set
            (:func:`name_units`).
    """

    folder: Path
    path: Path
    unit: Unit
    workers: list[WorkerRecord] = field(default_factory=list)
    weeks: list[WeekRecord] = field(default_factory=list)
    name: str = ""


def name_units(units: list[UnitRecords], problems: list[Problem]) -> None:
    """Give each unit its :attr:`UnitRecords.name`, and report two folders with one 填报单位.

    Two unit folders whose 单位.yaml give the same 填报单位 would render, publish and export
    into the same folders, one over the other. It is an error in each 单位.yaml, naming the
    other folder (each 填报单位 is one unit, 通知四.3: one packet each); with ``--keep-going``
    both units are kept, the second (in folder order) named ``<填报单位>_<its folder name>``.
    """
    taken: dict[str, UnitRecords] = {}
    for unit in units:
        name = safe_name(unit.unit.name, unit.folder.name)
        first = taken.get(name)
        if first is not None:
            for this, other in ((unit, first), (first, unit)):
                problems.append(_problem(this.path, _unit_name_line(this.path), "填报单位",
                                         f"与 {other.folder.name}/{UNIT_FILE} 的填报单位相同（“{this.unit.name}”）：两个文件夹会被当成同一个单位",
                                         "每个填报单位只用一个文件夹：把职工和周报合到一个文件夹里，或改正填报单位"))
            name = safe_name(f"{name}_{unit.folder.name}")
            while name in taken:
                name = safe_name(f"{name}_")
        unit.name = name
        taken[name] = unit


def _unit_name_line(path: Path) -> int:
    try:
        return load_yaml(path).line_of(("填报单位",))
    except YamlFileError:
        return 0


@dataclass
class RecordSet:
    """A checked records folder.

    Attributes:
        root: the folder given to :func:`load_records`.
        campaign: the campaign, or None when campaign.yaml is missing or has errors.
        units: the units whose 单位.yaml is valid, sorted by folder name.
        problems: every error and warning, sorted by file and line.
    """

    root: Path
    campaign: Campaign | None
    units: list[UnitRecords]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        """The problems that block rendering."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not block rendering."""
        return [p for p in self.problems if not p.is_error]

    def paid_workers(self, unit: UnitRecords) -> list[WorkerRecord]:
        """The unit's workers who get a voucher and a roster row: 在档 with a 慰问 (通知三.2)."""
        return [rec for rec in unit.workers if rec.paid]

    def missing_weeks(self, unit: UnitRecords, until: date | None = None) -> list[date]:
        """The report days (活动.周报日 inside 活动.周报起止, up to *until*) with no valid report.

        Returns:
            The dates, in order; [] without a valid campaign.
        """
        if self.campaign is None:
            return []
        have = {week.report.day for week in unit.weeks}
        return [day for day in self.campaign.report_days if day not in have and (until is None or day <= until)]


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
_ECHO_CHARS, _NAME_CHARS, _MESSAGE_CHARS = 80, 40, 1000
#: Problems listed per file; the rest are counted in one more line.
MAX_PROBLEMS_PER_FILE = 50


def _clip(text: str, limit: int) -> str:
    """*text* scrubbed, then cut to *limit* characters with the full length said."""
    text = scrub_numbers(text)
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}个字符）"


def _problem(
    path: Path, line: int, fieldname: str, message: str, allowed: str = "", severity: str = "error"
) -> Problem:
    return Problem(
        masked_path(path),
        line,
        _clip(fieldname, _MESSAGE_CHARS),
        _clip(message, _MESSAGE_CHARS),
        _clip(allowed, _MESSAGE_CHARS),
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
    return _problem(path, line, dotted(loc), finding.message, finding.allowed, finding.severity)


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
        name = _clip(dotted(loc), _ECHO_CHARS)
        if kind == RECORD_CHECK:
            problems += [finding_problem(path, doc, loc, f) for f in ctx["findings"]]
        elif kind == VALUE_ERROR:
            problems.append(_problem(path, line, name, ctx["message"], ctx.get("allowed", "")))
        elif kind == "missing":
            if loc in suggested:
                continue  # reported with the misspelt key that should be this one
            problems.append(_problem(path, line, name, f"缺少必填项“{loc[-1]}”", field_description(model, loc)))
        elif kind == "extra_forbidden":
            unknown = f"未知的键“{_clip(str(loc[-1]), _NAME_CHARS)}”"
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
            problems.append(_problem(path, line, name, message, allowed))
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            keys = known_keys(model, loc)
            problems.append(
                _problem(
                    path,
                    line,
                    name,
                    "应是一组“键: 值”（在下一行缩进写各项），不是单个值",
                    "可用的键：" + "、".join(keys),
                )
            )
        elif kind == "list_type":
            problems.append(_problem(path, line, name, "应是列表：每项占一行，以“- ”开头", ""))
        else:  # pragma: no cover - every field type raises VALUE_ERROR; kept as a safety net
            described = field_description(model, loc)
            problems.append(
                _problem(path, line, name, "这个值的写法不对，没有被读取", f"应填：{described}" if described else "")
            )
    return problems


# ---------------------------------------------------------------- reading files


_MISPLACED = {
    Worker: (("企业类型", "用工来源", "时间"), "这像是周报：周报应放在单位文件夹的“周报”文件夹里"),
    WeeklyReport: (
        ("身份证号", "困难类别", "档案编号"),
        "这像是职工档案：职工记录应放在单位文件夹的“职工”文件夹里",
    ),
}


def _read(path: Path, model: type[M], problems: list[Problem]) -> tuple[M | None, YamlDocument | None]:
    """Read and validate one record file; append its problems; return the model or None.

    At most :data:`MAX_PROBLEMS_PER_FILE` problems of a file are listed (errors first, by
    line); one more line, at the first one left out, counts the rest (a file of thousands
    of stray keys would otherwise print megabytes).
    """
    mine: list[Problem] = []
    try:
        return _read_file(path, model, mine)
    finally:
        if len(mine) > MAX_PROBLEMS_PER_FILE:
            mine.sort(key=lambda p: (not p.is_error, p.line, p.field))
            first = mine[MAX_PROBLEMS_PER_FILE]
            rest = len(mine) - MAX_PROBLEMS_PER_FILE
            mine[MAX_PROBLEMS_PER_FILE:] = [
                _problem(
                    path,
                    first.line,
                    _FILE_FIELD,
                    f"…还有 {rest} 处问题没有列出（每个文件只列出前 {MAX_PROBLEMS_PER_FILE} 处）",
                    "先改正列出的问题，再运行 formkit check",
                    "error" if any(p.is_error for p in mine[MAX_PROBLEMS_PER_FILE:]) else "warning",
                )
            ]
        problems += mine


def _read_required(path: Path, model: type[M], missing: str, allowed: str, problems: list[Problem]) -> M | None:
    """Read a file that must be there (campaign.yaml, 单位.yaml); a missing one is an error
    at line 0 saying *missing*, with *allowed* (how to make it)."""
    if path.is_file():
        return _read(path, model, problems)[0]
    problems.append(_problem(path, 0, _FILE_FIELD, missing, allowed))
    return None


def _read_file(path: Path, model: type[M], problems: list[Problem]) -> tuple[M | None, YamlDocument | None]:
    if scrub_numbers(path.name) != path.name:
        problems.append(
            _problem(
                path,
                0,
                _FILE_FIELD,
                "文件名里有身份证号或电话号码：显示时隐去了中间几位，文件名会随文件传出",
                "改名为“档案编号-姓名.yaml”，如 SM2011-001-王秀英.yaml",
                "warning",
            )
        )
    try:
        doc = load_yaml(path, require_mapping=True)
    except YamlFileError as exc:
        message = exc.message
        if exc.line_text.strip():
            message += f"（这一行是：{_clip(exc.line_text.strip(), _ECHO_CHARS)}）"
        problems.append(_problem(path, exc.line, _FILE_FIELD, message))
        return None, None
    misplaced = _MISPLACED.get(model)
    if misplaced and sum(key in doc.data for key in misplaced[0]) >= 2:
        problems.append(_problem(path, doc.line_of(()), _FILE_FIELD, misplaced[1]))
        return None, doc
    try:
        obj = model.model_validate(doc.data)
    except ValidationError as exc:
        problems += validation_problems(exc, doc, model, path)
        return None, doc
    for finding in getattr(obj, "warnings", ()):
        problems.append(finding_problem(path, doc, (), finding))
    for loc, text in _invisible_values(doc.data, ()):
        problems.append(
            _problem(
                path,
                doc.line_of(loc),
                dotted(loc),
                f"有不可见的字符（{describe_invisible(text)}），已删去：它们会打乱打印出来的文字顺序",
                "常见于从网页或聊天软件复制的文字；在这里重新输入这一项即可",
                "warning",
            )
        )
    return obj, doc


def _invisible_values(data: Any, loc: Loc) -> Iterable[tuple[Loc, str]]:
    """(location, text) of each value holding :data:`formkit.domain.models.INVISIBLE_CHARACTERS`
    (removed by the models; a record nests a few levels, bounded by yamlio.MAX_DEPTH)."""
    if isinstance(data, str):
        if INVISIBLE_CHARACTERS.search(data):
            yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _invisible_values(value, loc + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _invisible_values(value, loc + (index,))


_HIDDEN = (".", "~")  # editors' temporary and backup files, .git and the like: skipped silently
#: Extensions an editor or Windows adds after ``.yaml``: the file is a record that is not read.
_ADDED_EXTENSION = re.compile(r"(?P<stem>.+\.ya?ml)\.(?:txt|text|lnk)", re.IGNORECASE)
_WINDOWS_HINT = "（Windows 默认隐藏扩展名：在资源管理器“查看”里勾选“文件扩展名”后再改名）"


def _is_record_name(name: str) -> bool:
    return name.lower().endswith(_SUFFIXES)


def _name_fault(name: str, plain_text: bool = True) -> tuple[str, str, str] | None:
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
    if stripped != name and _is_record_name(stripped):
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
            f"文件名的真实结尾是“{stripped[len(stem):]}”（记事本保存时自动加上的），这份记录没有被读取",
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


def _record_files(folder: Path, problems: list[Problem]) -> list[Path]:
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
                _problem(
                    current,
                    0,
                    _FILE_FIELD,
                    f"无法打开这个文件夹（{exc.strerror or type(exc).__name__}），其中的记录没有被读取",
                    "检查文件夹的权限，或把路径改短（少一些层次）",
                    "warning",
                )
            )
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(_HIDDEN):
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
                        _problem(
                            path,
                            0,
                            _FILE_FIELD,
                            "这个文件夹是指向别处的链接（快捷方式），里面的记录没有被读取",
                            "把记录文件本身复制到这里",
                            "warning",
                        )
                    )
                else:
                    stack.append(path)
                continue
            if _is_record_name(name):
                if is_file:
                    found.append(path)
                elif is_link:
                    problems.append(
                        _problem(path, 0, _FILE_FIELD, "这个链接（快捷方式）指向的文件不存在，没有被读取", "", "warning")
                    )
                continue
            fault = _name_fault(name)
            if fault is not None and (is_file or is_link):
                severity, message, allowed = fault
                problems.append(_problem(path, 0, _FILE_FIELD, message, allowed, severity))
    return sorted(found)


def _is_unit_folder(folder: Path) -> bool:
    return (folder / UNIT_FILE).is_file() or (folder / WORKERS_DIR).is_dir() or (folder / WEEKS_DIR).is_dir()


def _stray_files(folder: Path, expected: set[str], where: str, problems: list[Problem]) -> None:
    for p in sorted(folder.iterdir()):
        if p.name.startswith(_HIDDEN) or not p.is_file():
            continue
        if _is_record_name(p.name):
            if p.name not in expected:
                problems.append(_problem(p, 0, _FILE_FIELD, f"这个文件没有被读取：{where}", "", "warning"))
            continue
        fault = _name_fault(p.name, plain_text=False)
        if fault is None:
            continue
        severity, message, allowed = fault
        if not any(name in allowed for name in expected):  # not 单位.yaml.txt or campaign.yaml.txt
            severity = "warning"
        problems.append(_problem(p, 0, _FILE_FIELD, message, allowed, severity))


@dataclass
class _Loaded:
    """A worker file that validated, before the checks across records: the record (packed)
    and what those checks need of it."""

    record: WorkerRecord
    unit_index: int
    id_number: str
    name: str
    id_line: int
    archive_line: int
    family: tuple[tuple[int, str, str, int], ...]  # (position, 身份证号, 姓名, line), members with a 身份证号


_CROSS_KEYS = frozenset({"时间"})


def _slim(doc: YamlDocument) -> YamlDocument:
    """Keep only the lines the checks across weekly reports point at."""
    lines = {loc: line for loc, line in doc.lines.items() if not loc or loc[-1] in _CROSS_KEYS}
    return YamlDocument(doc.path, None, lines, set(), doc.encoding)


def _loaded(path: Path, doc: YamlDocument, worker: Worker, unit_index: int) -> _Loaded:
    family = tuple(
        (index, member.id_number, member.name, doc.line_of(("家庭成员", index, "身份证号")))
        for index, member in enumerate(worker.family)
        if member.id_number is not None and member.id_number != worker.id_number
    )
    return _Loaded(
        WorkerRecord(path, doc.line_of(()), worker),
        unit_index,
        worker.id_number,
        worker.name,
        doc.line_of(("身份证号",)),
        doc.line_of(("档案编号",)),
        family,
    )


def load_records(root: Path | str) -> RecordSet:
    """Load and check a records folder (or one unit's folder).

    Args:
        root: the records folder holding campaign.yaml and one folder per unit, or one
            unit's folder (its parent then holds campaign.yaml).

    Returns:
        The RecordSet: valid records by unit, and every problem found, sorted by file and
        line. A record with an error is reported and left out.

    Raises:
        FormkitError: *root* does not exist, is not a folder, or holds neither campaign.yaml
            nor any unit folder (单位.yaml, 职工/, 周报/).
    """
    root = Path(root)
    if not root.exists():
        raise FormkitError(f"记录文件夹不存在：{masked_path(root)}")
    if not root.is_dir():
        raise FormkitError(f"{masked_path(root)} 不是文件夹：请给出记录文件夹（其中有 campaign.yaml 和各单位的文件夹）")
    problems: list[Problem] = []
    if _is_unit_folder(root) and not (root / CAMPAIGN_FILE).is_file():
        campaign_dir, unit_dirs = root.parent, [root]
    else:
        campaign_dir = root
        subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "~")))
        unit_dirs = [p for p in subfolders if _is_unit_folder(p)]
        layout = (
            f"应有 {CAMPAIGN_FILE}，以及每个填报单位一个文件夹（内有 {UNIT_FILE}、"
            f"{WORKERS_DIR}/ 放职工记录、{WEEKS_DIR}/ 放周报），如 记录/思明区总工会/{WORKERS_DIR}/001-王秀英.yaml"
        )
        if not unit_dirs and not (root / CAMPAIGN_FILE).is_file():
            raise FormkitError(f"{masked_path(root)} 不是记录文件夹：{layout}")
        if not unit_dirs:
            problems.append(
                _problem(root, 0, _FILE_FIELD, "记录文件夹里没有任何单位文件夹，没有可读的职工记录和周报", layout)
            )
        for p in subfolders:
            if p not in unit_dirs:
                problems.append(
                    _problem(
                        p,
                        0,
                        _FILE_FIELD,
                        f"这个文件夹里没有 {UNIT_FILE}、{WORKERS_DIR}/ 或 {WEEKS_DIR}/，没有被读取",
                        "",
                        "warning",
                    )
                )
        _stray_files(root, {CAMPAIGN_FILE}, f"记录文件夹里只读 {CAMPAIGN_FILE}；职工和周报放在各单位文件夹里", problems)

    campaign = _read_required(
        campaign_dir / CAMPAIGN_FILE,
        Campaign,
        f"找不到 {CAMPAIGN_FILE}（活动名称、文号、截止日期等）：应放在 {campaign_dir}",
        "用 formkit new campaign 生成",
        problems,
    )

    units: list[UnitRecords] = []
    loaded: list[_Loaded] = []
    weeks_by_unit: list[list[tuple[Path, YamlDocument, WeeklyReport]]] = []
    unit_of: list[UnitRecords | None] = []
    for folder in unit_dirs:
        unit_path = folder / UNIT_FILE
        unit = _read_required(unit_path, Unit, f"单位文件夹里缺少 {UNIT_FILE}（填报单位、单位类型）", "用 formkit new unit 生成", problems)
        _stray_files(
            folder,
            {UNIT_FILE},
            f"单位文件夹里只读 {UNIT_FILE}；职工记录放在 {WORKERS_DIR}/，周报放在 {WEEKS_DIR}/",
            problems,
        )
        records = UnitRecords(folder, unit_path, unit) if unit is not None else None
        unit_of.append(records)
        index = len(unit_of) - 1
        for path in _record_files(folder / WORKERS_DIR, problems):
            worker, doc = _read(path, Worker, problems)
            if worker is not None and doc is not None:
                _check_worker(path, doc, worker, campaign, problems)
                loaded.append(_loaded(path, doc, worker, index))
        weeks: list[tuple[Path, YamlDocument, WeeklyReport]] = []
        for path in _record_files(folder / WEEKS_DIR, problems):
            report, doc = _read(path, WeeklyReport, problems)
            if report is not None and doc is not None:
                weeks.append((path, _slim(doc), report))
        weeks_by_unit.append(weeks)

    rejected = _check_workers(loaded, campaign_dir, problems)
    for rec in loaded:
        records = unit_of[rec.unit_index]
        if records is not None and rec.record.path not in rejected:
            records.workers.append(rec.record)
    del loaded
    for index, weeks in enumerate(weeks_by_unit):
        records = unit_of[index]
        rejected = _check_weeks(weeks, campaign, campaign_dir, problems)
        if records is None:
            continue
        for path, doc, report in weeks:
            if path in rejected:
                continue
            report.head = report.head or records.unit.head
            report.preparer = report.preparer or records.unit.preparer
            report.phone = report.phone or records.unit.phone
            records.weeks.append(WeekRecord(path, doc.line_of(()), report))
        records.weeks.sort(key=lambda w: (w.report.day, w.path))
        units.append(records)

    name_units(units, problems)
    record_set = RecordSet(root, campaign, units, problems)
    for records in units:
        missing = record_set.missing_weeks(records)
        if missing:
            shown = "、".join(format_date_zh(d) for d in missing)
            problems.append(
                _problem(
                    records.folder / WEEKS_DIR,
                    0,
                    "时间",
                    f"缺少{len(missing)}周的周报：{shown}",
                    f"周报起止内每个{campaign.weekly_day if campaign else '星期五'}一份（通知四.3）",
                    "warning",
                )
            )
    problems.sort(key=lambda p: (not p.is_error, p.path.as_posix(), p.line, p.field))
    return record_set


def _where(path: Path, line: int, base: Path) -> str:
    try:
        shown = path.relative_to(base)
    except ValueError:
        shown = path
    return f"{shown.as_posix()}:{line}"


def _check_worker(path: Path, doc: YamlDocument, worker: Worker, campaign: Campaign | None, problems: list[Problem]) -> None:
    """The checks of one worker record against the campaign (warnings)."""
    if worker.archive_status == ArchiveStatus.LIFTED_OUT_OF_POVERTY:
        has_payment = worker.payment is not None
        problems.append(
            _problem(
                path,
                doc.line_of(("档案状态",)),
                "档案状态",
                "档案状态为脱贫：档案保留，不发放慰问金"
                + ("，这里写的“慰问”不会生成凭证，也不进汇总表" if has_payment else "（不生成凭证，不进汇总表）"),
                "通知三.2：不再符合标准的按脱贫处理；要发放请改为“在档”",
                "warning",
            )
        )
    payment = worker.payment
    if (
        campaign is not None
        and payment is not None
        and payment.paid_on is not None
        and payment.is_central_fund
        and payment.paid_on > campaign.fund_deadline
    ):
        loc = ("慰问", "发放日期")
        problems.append(
            _problem(
                path,
                doc.line_of(loc),
                dotted(loc),
                f"中央财政帮扶专项资金应在 {format_date_zh(campaign.fund_deadline)} 前用完，发放日期晚于此日",
                f"不晚于 {format_date_zh(campaign.fund_deadline)}（通知三.2）",
                "warning",
            )
        )


def _check_workers(loaded: list[_Loaded], base: Path, problems: list[Problem]) -> set[Path]:
    """Checks across worker records; returns the paths of records with a new error."""
    rejected: set[Path] = set()
    by_id: dict[str, list[_Loaded]] = defaultdict(list)
    by_archive: dict[tuple[int, str], list[_Loaded]] = defaultdict(list)
    for rec in loaded:
        by_id[rec.id_number].append(rec)
        by_archive[(rec.unit_index, rec.record.archive_number)].append(rec)
    for group in by_id.values():
        if len(group) < 2:
            continue
        for rec in group:
            others = "、".join(f"{_where(o.record.path, o.id_line, base)}（{o.name}）" for o in group if o is not rec)
            problems.append(
                _problem(
                    rec.record.path,
                    rec.id_line,
                    "身份证号",
                    f"同一身份证号登记了{len(group)}次，另见 {others}",
                    "每人只登记一次（通知四.1：不重复、不遗漏）；删去重复的记录或核对号码",
                )
            )
            rejected.add(rec.record.path)
    for group in by_archive.values():
        if len(group) < 2:
            continue
        for rec in group:
            others = "、".join(_where(o.record.path, o.archive_line, base) for o in group if o is not rec)
            problems.append(
                _problem(
                    rec.record.path,
                    rec.archive_line,
                    "档案编号",
                    f"档案编号“{rec.record.archive_number}”在本单位重复，另见 {others}",
                    "本单位内每个档案编号只用一次",
                )
            )
            rejected.add(rec.record.path)
    for rec in loaded:
        for index, id_number, name, line in rec.family:
            for other in by_id.get(id_number, ()):
                loc = ("家庭成员", index, "身份证号")
                problems.append(
                    _problem(
                        rec.record.path,
                        line,
                        dotted(loc),
                        f"家庭成员{name}也登记为困难职工（{_where(other.record.path, other.id_line, base)}）",
                        "同一家庭一般只建一份档案；请核对是否重复慰问",
                        "warning",
                    )
                )
    return rejected


def _check_weeks(
    weeks: list[tuple[Path, YamlDocument, WeeklyReport]],
    campaign: Campaign | None,
    base: Path,
    problems: list[Problem],
) -> set[Path]:
    """Checks across one unit's weekly reports; returns the paths of reports with a new error."""
    rejected: set[Path] = set()
    by_day: dict[date, list[tuple[Path, YamlDocument]]] = defaultdict(list)
    for path, doc, report in weeks:
        by_day[report.day].append((path, doc))
        if campaign is None:
            continue
        start, end = campaign.weekly_period
        weekday = Weekday(campaign.weekly_day)
        if report.day.weekday() != weekday.weekday_number or not start <= report.day <= end:
            problems.append(
                _problem(
                    path,
                    doc.line_of(("时间",)),
                    "时间",
                    f"{format_date_zh(report.day)}不是周报起止（{format_date_zh(start)}至{format_date_zh(end)}）内的{weekday}",
                    f"周报起止内的{weekday}（通知四.3）",
                    "warning",
                )
            )
    for day, group in by_day.items():
        if len(group) < 2:
            continue
        for path, doc in group:
            others = "、".join(_where(p, d.line_of(("时间",)), base) for p, d in group if p != path)
            problems.append(
                _problem(
                    path,
                    doc.line_of(("时间",)),
                    "时间",
                    f"{format_date_zh(day)}的周报有{len(group)}份，另见 {others}",
                    "每周一份",
                )
            )
            rejected.add(path)
    return rejected


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
