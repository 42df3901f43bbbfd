"""Load a records folder: read every record, check it and the rules across records, and
locate every problem at file:line.

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

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from formkit.domain.dates import format_date_zh
from formkit.domain.models import (
    INVISIBLE_CHARACTERS,
    Campaign,
    Unit,
    WeeklyReport,
    Worker,
    describe_invisible,
)
from formkit.domain.privacy import masked_path, scrub_numbers
from formkit.domain.text import MULTILINE_KEYS, describe_cleaning, needs_cleaning, unprintable
from formkit.errors import FormkitError, Problem
from formkit.records.checks import (
    Loaded,
    check_recommendations,
    check_weeks,
    check_worker,
    check_workers,
    name_units,
)
from formkit.records.problems import (
    ECHO_CHARS,
    FILE_FIELD,
    MAX_PROBLEMS_PER_FILE,
    Loc,
    clip,
    dotted,
    finding_problem,
    problem,
    validation_problems,
)
from formkit.records.recordset import RecordSet, UnitRecords, WeekRecord, WorkerRecord
from formkit.records.walk import (
    CAMPAIGN_FILE,
    UNIT_FILE,
    WEEKS_DIR,
    WORKERS_DIR,
    is_unit_folder,
    record_files,
    stray_files,
)
from formkit.records.yamlio import YamlDocument, YamlFileError, load_yaml

M = TypeVar("M", bound=BaseModel)

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
                problem(
                    path,
                    first.line,
                    FILE_FIELD,
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
    problems.append(problem(path, 0, FILE_FIELD, missing, allowed))
    return None


def _read_file(path: Path, model: type[M], problems: list[Problem]) -> tuple[M | None, YamlDocument | None]:
    if scrub_numbers(path.name) != path.name:
        problems.append(
            problem(
                path,
                0,
                FILE_FIELD,
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
            message += f"（这一行是：{clip(exc.line_text.strip(), ECHO_CHARS)}）"
        problems.append(problem(path, exc.line, FILE_FIELD, message))
        return None, None
    misplaced = _MISPLACED.get(model)
    if misplaced and sum(key in doc.data for key in misplaced[0]) >= 2:
        problems.append(problem(path, doc.line_of(()), FILE_FIELD, misplaced[1]))
        return None, doc
    try:
        obj = model.model_validate(doc.data)
    except ValidationError as exc:
        problems += validation_problems(exc, doc, model, path)
        return None, doc
    for finding in getattr(obj, "warnings", ()):
        problems.append(finding_problem(path, doc, (), finding))
    for loc, text in _unclean_values(doc.data, ()):
        problems.append(_cleaned(path, doc, loc, text))
    problems += _joined_lines(path, doc)
    return obj, doc


def _joined_lines(path: Path, doc: YamlDocument) -> list[Problem]:
    """A warning for each free-text value (:data:`formkit.domain.text.MULTILINE_KEYS`)
    written over several lines without ``|``: YAML joined its lines into one (a line break
    became a space), so the form would print one line. Said at the value's first line,
    with how to keep the line breaks."""
    found = []
    for loc, (first, last) in doc.folded.items():
        if loc and loc[-1] in MULTILINE_KEYS:
            key = str(loc[-1])
            found.append(
                problem(
                    path,
                    first,
                    dotted(loc),
                    f"这一项写在第{first}–{last}行，但没有写“|”：YAML 会把这几行连成一行（换行变成空格），打印出来是一行",
                    f"要保留换行，请写成“{key}: |”，从下一行起每行缩进两格、写一行文字（formkit new 生成的文件里有示例）；本来就是一句话的，可以不改",
                    "warning",
                )
            )
    return found


def _cleaned(path: Path, doc: YamlDocument, loc: Loc, text: str) -> Problem:
    """The warning for a value the one cleaner changed (:func:`formkit.domain.text.clean`):
    what it removed or decoded, at the value's line; never the value."""
    if all(INVISIBLE_CHARACTERS.match(ch) for ch in unprintable(text)) and describe_invisible(text) and "_x" not in text:
        return problem(
            path,
            doc.line_of(loc),
            dotted(loc),
            f"有不可见的字符（{describe_invisible(text)}），已删去：它们会打乱打印出来的文字顺序",
            "常见于从网页或聊天软件复制的文字；在这里重新输入这一项即可",
            "warning",
        )
    return problem(
        path,
        doc.line_of(loc),
        dotted(loc),
        f"{describe_cleaning(text)}：打印的表格容纳不了这些字符",
        "常见于从别的表格、网页或聊天软件粘贴的文字；在这里重新输入这一项即可",
        "warning",
    )


def _unclean_values(data: Any, loc: Loc) -> Iterable[tuple[Loc, str]]:
    """(location, text) of each value the one cleaner changes (Excel escapes, control,
    XML-illegal and invisible characters: :func:`formkit.domain.text.needs_cleaning`; removed
    by the models; a record nests a few levels, bounded by yamlio.MAX_DEPTH)."""
    if isinstance(data, str):
        if needs_cleaning(data):
            yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _unclean_values(value, loc + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _unclean_values(value, loc + (index,))


_CROSS_KEYS = frozenset({"时间"})


def _slim(doc: YamlDocument) -> YamlDocument:
    """Keep only the lines the checks across weekly reports point at."""
    lines = {loc: line for loc, line in doc.lines.items() if not loc or loc[-1] in _CROSS_KEYS}
    return YamlDocument(doc.path, None, lines, set(), doc.encoding)


def _loaded(path: Path, doc: YamlDocument, worker: Worker, unit_index: int) -> Loaded:
    family = tuple(
        (index, member.id_number, member.name, doc.line_of(("家庭成员", index, "身份证号")))
        for index, member in enumerate(worker.family)
        if member.id_number is not None and member.id_number != worker.id_number
    )
    return Loaded(
        WorkerRecord(path, doc.line_of(()), worker),
        unit_index,
        worker.id_number,
        worker.name,
        doc.line_of(("身份证号",)),
        doc.line_of(("档案编号",)),
        family,
        doc.line_of(("慰问", "宣传推荐")) if worker.paid and worker.payment is not None and worker.payment.recommended else 0,
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
    if is_unit_folder(root) and not (root / CAMPAIGN_FILE).is_file():
        campaign_dir, unit_dirs = root.parent, [root]
    else:
        campaign_dir = root
        subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "~")))
        unit_dirs = [p for p in subfolders if is_unit_folder(p)]
        layout = (
            f"应有 {CAMPAIGN_FILE}，以及每个填报单位一个文件夹（内有 {UNIT_FILE}、"
            f"{WORKERS_DIR}/ 放职工记录、{WEEKS_DIR}/ 放周报），如 记录/思明区总工会/{WORKERS_DIR}/001-王秀英.yaml"
        )
        if not unit_dirs and not (root / CAMPAIGN_FILE).is_file():
            raise FormkitError(f"{masked_path(root)} 不是记录文件夹：{layout}")
        if not unit_dirs:
            problems.append(problem(root, 0, FILE_FIELD, "记录文件夹里没有任何单位文件夹，没有可读的职工记录和周报", layout))
        for p in subfolders:
            if p not in unit_dirs:
                problems.append(
                    problem(
                        p,
                        0,
                        FILE_FIELD,
                        f"这个文件夹里没有 {UNIT_FILE}、{WORKERS_DIR}/ 或 {WEEKS_DIR}/，没有被读取",
                        "",
                        "warning",
                    )
                )
        stray_files(root, {CAMPAIGN_FILE}, f"记录文件夹里只读 {CAMPAIGN_FILE}；职工和周报放在各单位文件夹里", problems)

    campaign = _read_required(
        campaign_dir / CAMPAIGN_FILE,
        Campaign,
        f"找不到 {CAMPAIGN_FILE}（活动名称、文号、截止日期等）：应放在 {campaign_dir}",
        "用 formkit new campaign 生成",
        problems,
    )

    units: list[UnitRecords] = []
    loaded: list[Loaded] = []
    weeks_by_unit: list[list[tuple[Path, YamlDocument, WeeklyReport]]] = []
    unit_of: list[UnitRecords | None] = []
    for folder in unit_dirs:
        unit_path = folder / UNIT_FILE
        unit = _read_required(unit_path, Unit, f"单位文件夹里缺少 {UNIT_FILE}（填报单位、单位类型）", "用 formkit new unit 生成", problems)
        stray_files(
            folder,
            {UNIT_FILE},
            f"单位文件夹里只读 {UNIT_FILE}；职工记录放在 {WORKERS_DIR}/，周报放在 {WEEKS_DIR}/",
            problems,
        )
        records = UnitRecords(folder, unit_path, unit) if unit is not None else None
        unit_of.append(records)
        index = len(unit_of) - 1
        for path in record_files(folder / WORKERS_DIR, problems):
            worker, doc = _read(path, Worker, problems)
            if worker is not None and doc is not None:
                check_worker(path, doc, worker, campaign, problems)
                loaded.append(_loaded(path, doc, worker, index))
        weeks: list[tuple[Path, YamlDocument, WeeklyReport]] = []
        for path in record_files(folder / WEEKS_DIR, problems):
            report, doc = _read(path, WeeklyReport, problems)
            if report is not None and doc is not None:
                weeks.append((path, _slim(doc), report))
        weeks_by_unit.append(weeks)

    rejected = check_workers(loaded, campaign_dir, problems)
    check_recommendations(loaded, rejected, problems)
    for rec in loaded:
        records = unit_of[rec.unit_index]
        if records is not None and rec.record.path not in rejected:
            records.workers.append(rec.record)
    del loaded
    for index, weeks in enumerate(weeks_by_unit):
        records = unit_of[index]
        rejected = check_weeks(weeks, campaign, campaign_dir, problems)
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

    name_units(units, problems, campaign.addressees if campaign is not None else ())
    record_set = RecordSet(root, campaign, units, problems)
    for records in units:
        missing = record_set.missing_weeks(records)
        if missing:
            shown = "、".join(format_date_zh(d) for d in missing)
            problems.append(
                problem(
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
