"""Words on the pages: titles, status phrases, differences, new records' names.

Also the live check of one value as it is typed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from formkit.serve import _core
from formkit.serve.folder import RecordFile
from formkit.serve.specs import Spec


def status_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def form_refusal(detail: str, max_fields: int) -> tuple[int, str]:
    """Starlette's English refusal of a POSTed form (a field over 1 MB, too many fields,
    broken multipart) in Chinese, with its status (413 for a field too large); the field is
    named when Starlette's words name it (its words of version 0.40 to 1.x do not)."""
    size = re.search(r"(?:Field|Part) (?:'([^']*)' )?exceeded maximum size of (\d+) ?KB", detail)
    if size:
        field = f"“{size.group(1)}”" if size.group(1) else "其中一栏"
        kb = int(size.group(2))
        limit = f"{kb // 1024} MB" if kb % 1024 == 0 else f"{kb} KB"
        return 413, f"提交的内容里{field}超过了 {limit}，没有保存：每一栏最多 {limit}（{kb} KB）。请把过长的文字（例如备注）删短后再保存。"
    if detail.startswith("Too many fields"):
        return 400, f"一次提交的栏目太多（最多 {max_fields} 个），没有保存。"
    if detail.startswith("Too many files"):
        return 400, "这里不接受上传文件，没有保存。"
    return 400, "提交的表单格式不对，没有保存：请刷新页面后再提交。"


def diff_lines(disk: str, mine: str) -> list[tuple[str, str]]:
    """The lines where the two versions differ (``-`` on disk only, ``+`` in the form's
    version only), with two lines of context; [] when there is no version of the form."""
    import difflib

    if not mine:
        return []
    lines = difflib.unified_diff(disk.replace("\r\n", "\n").splitlines(), mine.replace("\r\n", "\n").splitlines(), n=2, lineterm="")
    out = []
    for line in list(lines)[2:]:
        kind = {"-": "disk", "+": "mine", "@": "gap"}.get(line[:1], "same")
        out.append((kind, "⋯" if kind == "gap" else line[1:]))
    return out


def hidden_pairs(specs: list[Spec], changes: dict[str, Any]) -> list[tuple[str, str]]:
    """The form fields that carry a refused save's changes (``mine:<name>``)."""
    pairs = []
    for name, value in changes.items():
        if value is None:
            continue
        if isinstance(value, list):
            spec = next((s for s in specs if s.key == name), None)
            if spec is not None and spec.kind == "lines":
                pairs.append((f"mine:{name}", "\n".join(value)))
            else:
                pairs += [(f"mine:{name}[{i}]", v) for i, v in enumerate(value, 1)]
                pairs += [(f"mine:{name}[{i}]", "") for i in range(len(value) + 1, 4)]
        else:
            pairs.append((f"mine:{name}", value))
    return pairs


def title_of(kind: str, rec: RecordFile | None, data: Any) -> str:
    data = data if isinstance(data, dict) else {}
    if kind == "worker":
        name = str(data.get("姓名") or "").strip()
        number = str(data.get("档案编号") or "").strip()
        return f"职工：{name or '（新职工）'}" + (f"（{number}）" if number else "")
    if kind == "week":
        typed = str(data.get("时间") or "").strip()
        try:
            typed = _core.format_date_zh(_core.parse_date(typed))
        except _core.FormkitError:
            pass
        return f"周报：{typed or '（新周报）'}"
    if kind == "unit":
        return f"单位：{str(data.get('填报单位') or '').strip() or '（新单位）'}"
    return "活动（campaign.yaml）"


FIELD_PART = re.compile(r"\[(\d+)\]|[^.\[\]]+")


def field_label(name: str) -> str:
    """A problem's field as the form labels it: ``慰问.资金来源`` → ``慰问 · 资金来源``,
    ``家庭成员[1].性别`` → ``家庭成员 第1行 · 性别``, ``致困主要原因[2]`` → ``致困主要原因 第2项``
    (the file's own problems: ``文件``)."""
    parts = [(m.group(1), m.group()) for m in FIELD_PART.finditer(name)]
    shown = ""
    for i, (position, key) in enumerate(parts):
        if position is not None:
            shown += f" 第{position}{'行' if i + 1 < len(parts) else '项'}"
        else:
            shown += (" · " if shown else "") + key
    return shown or "文件"


def natural_key(text: str) -> list[Any]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p]


def next_number(number: str) -> str:
    """The 档案编号 after *number*: its last run of digits plus one, as wide (SM2011-009 → SM2011-010)."""
    runs = list(re.finditer(r"\d+", number))
    if not runs:
        return ""
    last = runs[-1]
    following = str(int(last.group()) + 1).zfill(len(last.group()))
    return number[: last.start()] + following + number[last.end() :]


def new_stem(kind: str, form: dict[str, str]) -> str:
    """The file name of a new record: ``<档案编号>-<姓名>`` or the week's date."""
    if kind == "worker":
        parts = [form.get("档案编号", "").strip(), form.get("姓名", "").strip()]
        stem = "-".join(p for p in parts if p)
        fallback = "新职工"
    else:
        try:
            stem = _core.parse_date(form.get("时间", "")).isoformat()
        except _core.FormkitError:
            stem = ""
        fallback = "新周报"
    if not stem or _core.scrub_numbers(stem) != stem:  # never an ID or phone number in a file name
        stem = fallback
    return visible_name(stem, fallback)


def visible_name(text: str, fallback: str) -> str:
    """A file name that every system accepts and shows: no format or control character
    (U+202E would show the name reversed), no leading dot or space (a hidden file that
    ``formkit check`` and the pages skip); *fallback* when nothing is left."""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _HIDDEN)
    return _core.safe_name(text.lstrip(". "), fallback).lstrip(". ") or fallback


#: Unicode categories of characters that show nothing: format (Cf) and control (Cc).
_HIDDEN = frozenset({"Cf", "Cc"})
#: The fields of a new record that make its file name (``<档案编号>-<姓名>``).
NAME_FIELDS = {"worker": ("档案编号", "姓名")}


def hidden_characters(kind: str, form: dict[str, str]) -> list[Any]:
    """A new record's fields that hold characters that show nothing, as problems beside
    them, in the words of ``formkit check``: such a record is not written."""
    found = []
    for key in NAME_FIELDS.get(kind, ()):
        value = form.get(key, "").strip()
        hidden = [ch for ch in dict.fromkeys(value) if unicodedata.category(ch) in _HIDDEN]
        if not hidden:
            continue
        codes = "、".join(f"U+{ord(ch):04X}" for ch in hidden)
        if all(unicodedata.category(ch) == "Cf" for ch in hidden):
            message = f"有不可见的字符（{codes}），没有保存：它们会打乱打印出来的文字顺序"
        else:
            message = f"有控制字符（{codes}），没有保存：打印的表格容纳不了这些字符"
        found.append(_core.Problem(Path(key), 0, key, message, "常见于从网页或聊天软件复制的文字；在这里重新输入这一项即可"))
    return found


def check_value(kind: str, value: str) -> dict[str, Any]:
    """One value checked with formkit's functions, for the page as it is typed.

    Returns:
        ``ok`` and ``message`` (Chinese); for an ID number ``sex`` and ``birth`` (ISO date);
        for a date ``iso`` and ``shown`` (2011年12月2日); for an amount ``words`` (大写金额)
        and ``boxes`` (the six 仟…分 digits as the voucher prints them).
    """
    value = value.strip()
    if not value:
        return {"ok": True, "message": ""}
    try:
        if kind == "id":
            ident = _core.parse_id_number(value)
            birth = ident.birth_date
            message = f"号码有效：{birth.year}年{birth.month}月{birth.day}日出生，{ident.sex}"
            if ident.legacy15:
                message += "（15位旧号码，按18位保存亦可）"
            if ident.warning:
                message += "。" + ident.warning
            return {"ok": True, "message": message, "sex": ident.sex, "birth": birth.isoformat()}
        if kind == "date":
            day = _core.parse_date(value)
            weekday = "一二三四五六日"[day.weekday()]
            shown = _core.format_date_zh(day)
            return {"ok": True, "message": f"即 {shown}（星期{weekday}）", "iso": day.isoformat(), "shown": shown}
        if kind in ("amount", "money"):
            amount = _core.parse_yuan(value)
            figure = _core.format_yuan(amount)
            result: dict[str, Any] = {"ok": True, "message": f"{figure} 元", "words": _core.amount_in_words(amount), "figure": figure}
            if kind == "amount":
                if amount <= 0:
                    return {"ok": False, "message": "资助金额必须大于 0"}
                result["boxes"] = list(_core.voucher_boxes(amount))
            return result
    except _core.FormkitError as exc:
        return {"ok": False, "message": _core.scrub_numbers(str(exc))}
    return {"ok": True, "message": ""}
