"""Skeleton record files for ``formkit new worker|week|unit|campaign``.

A skeleton holds every key of the record, in the order of records.md, each with an empty
value and, in a comment above it, what to type: the 填表说明 item, the allowed values, the
unit (元, 万元, 人), whether it is required; above a free-text field
(:data:`formkit.domain.text.MULTILINE_KEYS`), how to write it over several lines (``备注: |``). It is generated from the models
(:mod:`formkit.domain.models`), so it never drifts from what ``formkit check`` accepts: the file
loads as it is, and validates once filled in.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from formkit.domain.models import Campaign, Unit, VocabularyMarker, WeeklyReport, Worker
from formkit.domain.text import MULTILINE_KEYS
from formkit.domain.vocab import Ethnicity, Vocabulary, join_labels
from formkit.errors import FormkitError
from formkit.records.walk import CAMPAIGN_FILE, UNIT_FILE, WEEKS_DIR, WORKERS_DIR, is_record_name

__all__ = ["KINDS", "kind_names", "new_record", "record_path"]

#: kind → (sub-folder of a unit folder, numbered file name) for the records a unit holds many
#: of: where :func:`record_path` writes them, and what the skeleton's header says.
_NUMBERED = {"worker": (WORKERS_DIR, "{n:03d}.yaml"), "week": (WEEKS_DIR, "第{n}周.yaml")}


def _numbered_where(kind: str, other_name: str) -> str:
    """Where ``formkit new KIND <单位>`` writes: ``<单位>/周报/第1周.yaml、第2周.yaml …``, and
    that the file name is free (records.md), e.g. *other_name*."""
    sub, pattern = _NUMBERED[kind]
    return f"<单位>/{sub}/{pattern.format(n=1)}、{pattern.format(n=2)} …（依次编号；文件名也可自取，如 {other_name}）"


#: kind → (model, suggested file location, heading comment).
KINDS: dict[str, tuple[type[BaseModel], str, str]] = {
    "worker": (
        Worker,
        _numbered_where("worker", "<档案编号>-<姓名>.yaml"),
        "困难职工档案（附件3）及今年的慰问（附件1、附件2）",
    ),
    "week": (WeeklyReport, _numbered_where("week", "2011-12-02.yaml"), "企业工资拖欠情况周报表（附件4），每周五一份"),
    "unit": (Unit, f"<单位>/{UNIT_FILE}", "填报单位（区工会或产业工会工委）"),
    "campaign": (Campaign, CAMPAIGN_FILE, "活动（通知 厦工[2011]104号）"),
}

_HEADER = """\
# {title}
# 保存为：{where}；UTF-8 编码
# 在每个冒号后面空一格再填写；不用的项可以留空或删去。井号 # 后面是说明，不会被读取。
# 写好后运行 formkit check 检查。
"""


def _unwrap(annotation: Any) -> list[Any]:
    """Every type inside *annotation* (Optional, list, Annotated unwrapped), outermost first."""
    found = [annotation]
    for arg in get_args(annotation):
        if arg is not type(None):
            found += _unwrap(arg)
    return found


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for t in _unwrap(annotation):
        if isinstance(t, type) and get_origin(t) is None and issubclass(t, BaseModel):  # list[X] is a type on 3.10
            return t
    return None


def _vocabulary_of(info: FieldInfo) -> type[Vocabulary] | None:
    """The vocabulary of a field (in its metadata, or in its list items' annotation)."""
    for item in [*info.metadata, *_unwrap(info.annotation)]:
        if isinstance(item, VocabularyMarker):
            return item.vocabulary
    return None


def _is_list(annotation: Any) -> bool:
    return any(get_origin(t) is list for t in _unwrap(annotation))


def _comment(info: FieldInfo, annotation: Any) -> str:
    text = info.description or ""
    if info.is_required():
        text += "（必填）"
    types = _unwrap(annotation)
    vocabulary = _vocabulary_of(info)
    if bool in types:
        text += "：是、否"
    elif date in types:
        text += "：日期，如 2011-12-02、2011.12.2、2011年12月2日"
    elif vocabulary is Ethnicity:
        text += "：" + Ethnicity.allowed_text()
    elif vocabulary is not None:  # each value quoted: a value may hold “、” itself (“农、林、牧、渔业”)
        text += "：" + join_labels(vocabulary.labels(), "、" if _is_list(annotation) else "或")
    return text


def _emit(model: type[BaseModel], indent: str, first_prefix: str, lines: list[str]) -> None:
    """Append *model*'s keys; the first key gets *first_prefix* (``- `` in a list item)."""
    prefix = first_prefix
    for name, info in model.model_fields.items():
        key = info.alias or name
        annotation = info.annotation
        lines.append(f"{indent}# {_comment(info, annotation)}")
        sub = _model_of(annotation)
        if sub is not None and _is_list(annotation):
            lines.append(f"{indent}{prefix}{key}:")
            _emit(sub, indent + "  " + " " * len(prefix), "- ", lines)
        elif sub is not None:
            lines.append(f"{indent}{prefix}{key}:")
            _emit(sub, indent + "  " + " " * len(prefix), "", lines)
        elif key in MULTILINE_KEYS:  # free text: show how to keep several lines
            lines.append(f"{indent}#   写成几行时，冒号后写“|”，下面每行缩进两格（不写“|”，几行会连成一行）：")
            lines.append(f"{indent}#   {key}: |")
            lines.append(f"{indent}#     第一行")
            lines.append(f"{indent}#     第二行")
            lines.append(f"{indent}{prefix}{key}:")
        elif _is_list(annotation) and "[" not in (info.description or ""):
            lines.append(f"{indent}#   可写在一行里，用“、”分开；或每项一行，缩进两格后以“- ”开头")
            lines.append(f"{indent}{prefix}{key}:")
        else:  # a scalar, or a list shown in the description
            lines.append(f"{indent}{prefix}{key}:")
        # after the first key of a list item, the rest align under it
        indent, prefix = indent + " " * len(prefix), ""


def new_record(kind: str) -> str:
    """Return the text of a skeleton record file of *kind*.

    Args:
        kind: ``worker`` (职工/*.yaml), ``week`` (周报/*.yaml), ``unit`` (单位.yaml) or
            ``campaign`` (campaign.yaml).

    Returns:
        YAML text (UTF-8 when written) with every key and, in comments, its allowed values
        and 填表说明 item. Lists of members and attachments hold one blank item to copy.

    Raises:
        ValueError: unknown *kind* (the message lists the kinds).
    """
    try:
        model, where, title = KINDS[kind]
    except KeyError:
        raise ValueError(f"未知的记录种类“{kind}”：可用 {'、'.join(KINDS)}") from None
    lines = [_HEADER.format(title=title, where=where).rstrip("\n")]
    _emit(model, "", "", lines)
    return "\n".join(lines) + "\n"


def kind_names() -> list[str]:
    """The kinds :func:`new_record` accepts."""
    return list(KINDS)


def record_path(kind: str, path: Path | str) -> Path:
    """Where ``formkit new KIND PATH`` writes: PATH itself when it names a ``.yaml`` file;
    else PATH is a folder and the record goes where records.md puts it:

    - ``unit``: ``PATH/单位.yaml`` (PATH is the unit's folder, e.g. ``records/湖里区总工会``);
    - ``campaign``: ``PATH/campaign.yaml`` (PATH is the records folder);
    - ``worker``, ``week``: a new numbered file in ``PATH/职工/`` or ``PATH/周报/``
      (``001.yaml`` …, ``第1周.yaml`` …; PATH may also be that sub-folder itself).

    Raises:
        ValueError: unknown *kind*.
        FormkitError: PATH is an existing file that is not a record, or the wrong kind of
            folder (a unit inside a unit, workers in the records folder …); the message says
            which PATH to give instead.
    """
    if kind not in KINDS:
        raise ValueError(f"未知的记录种类“{kind}”：可用 {'、'.join(KINDS)}")
    path = Path(path)
    if is_record_name(path.name):
        return path
    if path.exists() and not path.is_dir():
        raise FormkitError(f"{path} 已存在，不是文件夹：请给出一个文件夹，或以 .yaml 结尾的新文件名")
    records_root = (path / CAMPAIGN_FILE).is_file()
    if kind == "campaign":
        if (path / UNIT_FILE).is_file():
            raise FormkitError(
                f"{path} 是单位文件夹：{CAMPAIGN_FILE} 放在记录文件夹里（单位文件夹的上一层），如 formkit new campaign {path.parent}"
            )
        return path / CAMPAIGN_FILE
    if kind == "unit":
        if records_root:
            raise FormkitError(f"{path} 是记录文件夹：每个单位在其中有自己的文件夹，如 formkit new unit {path / '湖里区总工会'}")
        return path / UNIT_FILE
    sub, pattern = _NUMBERED[kind]
    if path.name == sub:
        folder = path
    elif records_root:
        raise FormkitError(f"{path} 是记录文件夹：{sub}记录放在单位文件夹里，如 formkit new {kind} {path / '<填报单位>'}")
    else:
        folder = path / sub
    taken = {p.stem for p in folder.iterdir()} if folder.is_dir() else set()
    n = sum(1 for p in folder.iterdir() if is_record_name(p.name)) + 1 if folder.is_dir() else 1
    while True:
        name = pattern.format(n=n)
        stem = name[: -len(".yaml")]
        if not any(t == stem or re.match(rf"{re.escape(stem)}\D", t) for t in taken):
            return folder / name
        n += 1
