"""The checked records in memory: a RecordSet of units and their valid records.

Worker records are kept packed (pickled and deflated) so a city's records cost little memory.
"""

from __future__ import annotations

import os
import pickle
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from formkit.domain.models import (
    Campaign,
    Unit,
    WeeklyReport,
    Worker,
)
from formkit.errors import Problem

#: A typical worker record (fictional, the sample 001-王秀英.yaml): its pickle is the preset
#: dictionary every packed record is deflated with (what records share, field names, class
#: paths and common values, then costs nothing: about 0.6 KB a record instead of 1.4 KB).
_PACKING_SAMPLE: dict[str, Any] = {
    "档案编号": "SM2011-001",
    "困难类别": "低保户",
    "姓名": "王秀英",
    "民族": "汉族",
    "性别": "女",
    "政治面貌": "群众",
    "出生日期": "1962-05-14",
    "身份证号": "350203196205142107",
    "健康状况": "疾病",
    "身份": "下（待）岗",
    "劳模类型": "非劳模",
    "住房类型": "承租单位公房",
    "建筑面积": "20至50",
    "邮政编码": "361008",
    "联系电话": "0592-5503127",
    "工作时间": "1980-09-01",
    "所属行业": "纺织系统",
    "婚姻状况": "已婚",
    "户口类型": "非农业",
    "家庭住址": "厦门市思明区莲前街道前埔西社区前埔西路36号502室",
    "工作单位": "厦门市鹭江纺织厂",
    "单位性质": "国有企业",
    "企业状况": "改制企业",
    "是否单亲": "否",
    "本人月平均收入": 600,
    "家庭年度总收入": 21600,
    "家庭人口": 3,
    "家庭年人均收入": 7200,
    "户口所在地行政区划": "福建省厦门市思明区",
    "是否进入医保": "是",
    "家庭成员": [
        {
            "姓名": "张德明",
            "关系": "丈夫",
            "性别": "男",
            "政治面貌": "群众",
            "出生日期": "1960-08-17",
            "身份证号": "350203196008171312",
            "健康状况": "疾病",
            "月收入": 1200,
            "身份": "病退",
            "单位或学校": "厦门市第二建筑工程公司",
        },
    ],
    "是否有一定自救能力": "是",
    "是否为零就业家庭": "否",
    "致困主要原因": ["供养直系亲属大病", "子女上学"],
    "所附附件": [{"附件类型": "低保证", "附件文件": "低保证复印件.pdf"}],
    "档案状态": "在档",
    "慰问": {
        "资助金额": "1000.00",
        "帮扶项目": "生活救助",
        "资金来源": "中央财政帮扶专项资金",
        "低保": {"起": "2011-01-01", "止": "2011-12-31", "每月": 400},
        "其它帮扶措施": "协助其子申请国家助学贷款",
        "街道": "莲前街道",
        "发放日期": "2011-12-26",
    },
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

    __slots__ = ("_packed", "_path", "archive_number", "line", "paid")

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
        self.paid = worker.paid
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
