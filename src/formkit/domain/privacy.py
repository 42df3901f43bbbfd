"""Privacy: the one masker of personal numbers, for every message, log, 公示 copy and sheet.

Personal data is real in production (the records hold the ID numbers, phones and addresses
of families in hardship). Whatever formkit shows or publishes passes through here:

- :func:`scrub_numbers` masks anything in free text that looks like an ID number (15 or 18
  characters, GB 11643) or a phone number (10 digits or more: a mobile number, a landline
  with its area code), however it was typed: with spaces, hyphens, dots or brackets, next
  to letters, full-width, after ``+86``. Amounts (``100000000 元``, ``￥1409.50``), dates
  and counts are recognised and left alone. Every message, warning, error, log line and
  displayed path goes through it (:func:`masked_path` for paths);
- :func:`mask_context` masks a template context for publicity (公示, the press; 通知四.2):
  ID numbers keep their first 6 and last 4 characters, phone numbers their first 3 and last
  4 digits, addresses are cut after their 街道（镇、乡）, and every other text is scrubbed as
  above.

The principle is GB/T 35273-2020《信息安全技术 个人信息安全规范》3.14/3.15 (去标识化: keep
no more than the purpose needs). Names, amounts and employers are kept: they are what a
公示 publishes. A new kind of number to mask (a bank card, say) is a rule in
:func:`_mask_run`, and reaches every output from there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ADDRESS_KEYS",
    "ID_KEYS",
    "MIXED_ADDRESS_KEYS",
    "PHONE_KEYS",
    "cut_address",
    "fold_number",
    "looks_like_address",
    "mask_context",
    "mask_id",
    "mask_phone",
    "mask_phones",
    "masked_path",
    "scrub_numbers",
]

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


def fold_number(value: str | int) -> str:
    """A number as typed, folded to plain characters: NFKC (full-width digits and letters,
    Ⅹ), spaces, zero-width characters and hyphens or dashes removed, ``x`` made ``X``, a
    spreadsheet's trailing ``.0`` dropped. No check is made."""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if not ch.isspace() and ch not in _DASHES and unicodedata.category(ch) != "Cf")
    text = text.upper()
    match = re.fullmatch(r"(\d+)\.0+", text)
    return match.group(1) if match else text


def mask_id(text: str) -> str:
    """Return an ID number with its middle replaced by ``*``, safe to print or log.

    Keeps the first 6 and last 4 characters of a number of 15 characters or more
    (``'350203********1232'``). Shorter text reveals less: at most two thirds of it,
    never more than 10 characters in all, so a wrong-length number is never shown whole.
    The text is folded first (:func:`fold_number`).

    Args:
        text: an ID number, valid or not.

    Returns:
        The masked text, of the same length as the folded text.
    """
    folded = fold_number(text) if isinstance(text, (str, int)) else ""
    size = len(folded)
    hidden = max(size - 10, -(-size // 3))  # ceil(size / 3)
    shown = size - hidden
    tail = min(4, shown // 2)
    head = shown - tail
    return folded[:head] + "*" * hidden + folded[size - tail :]


def mask_phone(text: str) -> str:
    """Return a phone number with its middle replaced by ``*``, safe to print or log.

    Spaces and hyphens are removed first. Numbers of 11 characters or more keep the first
    3 and the last 4 (``'138****5678'``, ``'059****4567'`` for ``0592-1234567``); shorter
    numbers keep only the last 2 (``'*****67'``).

    Args:
        text: a phone number as typed.

    Returns:
        The masked number.
    """
    folded = fold_number(text) if isinstance(text, (str, int)) else ""
    if len(folded) >= 11:
        return folded[:3] + "*" * (len(folded) - 7) + folded[-4:]
    return "*" * max(0, len(folded) - 2) + folded[-2:]


#: A run of digits as people type numbers: groups of digits with up to two separators
#: (spaces, hyphens, dots, brackets) between them, optionally after ``+`` and ending in an X.
_NUMBER_RUN = re.compile(
    r"(?<![0-9０-９])[+＋]?[0-9０-９](?:[ \t\u00a0\u2000-\u200a\u3000\-‐‑‒–—－.．()（）]{0,2}[0-9０-９])*"
    r"(?:[ \-－]?[XxＸｘ](?![A-Za-zＡ-Ｚａ-ｚ]))?"
)
#: Dates typed as ``2011-12-02`` (one or several, separated by spaces): never masked.
_DATES = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:\s+\d{4}[-./]\d{1,2}[-./]\d{1,2})*")
#: Fewest digits of a run masked as an ID number (GB 11643-1999: 15 or 18) or a phone number
#: (a mobile number has 11 digits, a landline with its area code 10–12; a date has 8).
_ID_DIGITS, _PHONE_DIGITS = 15, 10
#: What makes a run of digits an amount or a count, not a personal number: a currency sign
#: before it, or a unit after it (元, 万元, 人, 户 …), or two decimals at its end.
_AMOUNT_BEFORE = re.compile(r"(?:[￥¥]|RMB|人民币)\s*$", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"\s*(?:元|万元|万|亿|块|角|分|人|户|口|名|位|份|次|个|天|年)")
_DECIMALS = re.compile(r"[0-9０-９]+[.．][0-9０-９]{1,2}")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def _is_amount(match: re.Match[str], digits: str) -> bool:
    """Whether the run of ``digits`` at ``match`` is an amount or a count: two decimals at
    its end or a currency sign before it; or a unit after it (元, 人, 户 …) unless it has the
    shape of an ID number (15 digits or more) or a mobile number (11 digits from 13–19)."""
    if _DECIMALS.fullmatch(match.group()):
        return True
    if _AMOUNT_BEFORE.search(match.string[max(0, match.start() - 8) : match.start()]):
        return True
    if len(digits) >= _ID_DIGITS or _MOBILE.fullmatch(digits):
        return False
    return bool(_UNIT_AFTER.match(match.string, match.end()))


def _mask_run(match: re.Match[str]) -> str:
    text = match.group()
    folded = unicodedata.normalize("NFKC", text)
    digits = "".join(ch for ch in folded if ch.isdigit())
    if folded[-1] not in "Xx" and _is_amount(match, digits):
        return text
    if folded[-1] in "Xx":
        if len(digits) < _ID_DIGITS - 1:  # not an ID's check digit: mask the digits before it
            head = text.rstrip("XxＸｘ -－")
            return scrub_numbers(head) + text[len(head) :]
        digits += "X"
    if len(digits) >= _ID_DIGITS:
        if _DATES.fullmatch(folded.strip()):
            return text
        return mask_id(digits)
    if len(digits) >= _PHONE_DIGITS:
        if folded.startswith("+") and digits.startswith("86") and len(digits) == 13:
            return "+86 " + mask_phone(digits[2:])
        return mask_phone(digits)
    return text


def scrub_numbers(text: str) -> str:
    """Mask anything in *text* that looks like an ID or phone number: the last safety net of
    every message, field name and displayed path.

    A number is found however it was typed: next to letters (``ID350203…``), in groups
    separated by spaces, hyphens, dots or brackets (``350203 19620514 2107``,
    ``138-1234-5678``, ``(0592) 5503127``), full-width, or after ``+86``. A run of 15 or
    more digits (14 and an X) is masked by :func:`mask_id` (first 6 and last 4 kept); of 10
    to 14 digits (a mobile number, a landline with its area code) by :func:`mask_phone`
    (first 3 and last 4 kept from 11 digits on). Amounts and counts are left alone, however
    long: a run after ``￥``/``¥``/``人民币``, before a unit (``元``, ``万元``, ``人``, ``户`` …)
    or ending in one or two decimals (``100000000 元``, ``￥1409.50``); so are dates
    (``2011-12-02``).

    Args:
        text: any text shown to the user.

    Returns:
        The text with each such number masked (separators inside it removed).
    """
    if not text:
        return text
    return _NUMBER_RUN.sub(_mask_run, text)


def masked_path(path: Path) -> Path:
    """*path* with every ID or phone number in its folder and file names masked (see
    :func:`scrub_numbers`): ``职工/350203********2108.yaml``. The clerk still finds the file
    by its first and last digits; the number is not shown whole. A path without such a
    number is returned as is (the same object).
    """
    parts = path.parts
    shown = [scrub_numbers(part) for part in parts]
    return path if shown == list(parts) else Path(*shown)


#: Keys whose value is an ID number (worker, family member row, roster row).
ID_KEYS = frozenset({"身份证号"})
#: Keys whose value is one or more phone numbers (worker, unit, roster's 家庭联系电话).
PHONE_KEYS = frozenset({"联系电话", "家庭联系电话"})
#: Keys whose value is always an address (附件3 家庭住址, 附件1 居住地址).
ADDRESS_KEYS = frozenset({"家庭住址", "居住地址"})
#: Keys whose value is an employer's name or an address (附件2 工作单位或家庭住址): cut only
#: when the value reads as an address (:func:`looks_like_address`).
MIXED_ADDRESS_KEYS = frozenset({"工作单位或家庭住址"})

# Separators between several phone numbers typed in one field (models._PHONE_SEPARATORS).
_PHONE_SPLIT = re.compile(r"(\s*(?:[、,，;；/]|或)\s*)")

# Administrative levels of a Chinese address, each name at most 8 characters and without
# digits: 省/自治区, 市/自治州/地区/盟, 区/县/旗/县级市, then 街道/镇/乡.
_NAME = r"[^\d０-９\s]{1,8}?"
_ADDRESS = re.compile(
    rf"^(?P<province>{_NAME}(?:省|自治区|特别行政区))?"
    rf"(?P<city>{_NAME}(?:市|自治州|地区|盟))?"
    rf"(?P<county>(?:(?!街道)[^\d０-９\s]){{1,8}}?(?:(?<!社)区|县|旗|市))?"
    rf"(?P<street>{_NAME}(?:街道办事处|街道|镇|乡))?"
)
# What an address has and an employer's name does not: a house number, a room, a floor,
# a community or a village.
_ADDRESS_MARKS = re.compile(r"[0-9０-９]+\s*(?:号|室|楼|栋|幢|座|单元|弄|巷)|社区|居委会|村委会|[^\s]村|里[0-9０-９]|（租住）")


def mask_phones(text: str) -> str:
    """Mask each phone number of a 联系电话 field (numbers separated by 、 , ; / 或).

    Args:
        text: the field as printed, e.g. ``0592-5503127、13812345678``.

    Returns:
        Each number masked by :func:`formkit.domain.idcard.mask_phone` (first 3 and last 4 digits
        kept; a number shorter than 11 keeps its last 2), the separators kept.
    """
    if not text:
        return text
    parts = _PHONE_SPLIT.split(text)
    return "".join(part if i % 2 else (mask_phone(part) if part.strip() else part) for i, part in enumerate(parts))


def looks_like_address(text: str) -> bool:
    """True when *text* reads as an address rather than an employer's name.

    An address has a house number, room or floor (``36号``, ``502室``, ``3楼``), a 社区 or a
    村, or a 街道/镇/乡 after its 区（县）; ``厦门市鹭江纺织厂`` has none of these.
    """
    if not text:
        return False
    if _ADDRESS_MARKS.search(text):
        return True
    match = _ADDRESS.match(text)
    return bool(match and match.group("street") and match.group("county"))


def cut_address(text: str) -> str:
    """Cut an address after its 街道（镇、乡）, or after its 区（县） when it names none.

    Examples:
        ``厦门市思明区莲前街道前埔西社区前埔西路36号502室`` → ``厦门市思明区莲前街道``;
        ``厦门市翔安区新店镇洪前村洪厝里23号`` → ``厦门市翔安区新店镇``;
        ``厦门市思明区鹭江街道镇海社区镇海路40号`` → ``厦门市思明区鹭江街道`` (the 镇 of 镇海路
        comes after the street);
        ``厦门市思明区大同路218号`` → ``厦门市思明区``.

    Args:
        text: an address as typed.

    Returns:
        The address down to the street, or to the district; ``""`` when it names neither
        a 区（县）nor a 街道/镇/乡 (nothing of it is safe to print).
    """
    if not text:
        return text
    compact = text.strip()
    match = _ADDRESS.match(compact)
    if match is None or not match.group(0):  # pragma: no cover - every group is optional
        return ""
    if match.group("street"):
        return match.group(0)
    if match.group("county"):
        return compact[: match.end("county")]
    return ""


def _mask_value(key: str, value: str) -> str:
    if key in ID_KEYS:
        return mask_id(value) if value.strip() else value
    if key in PHONE_KEYS:
        return mask_phones(value)
    if key in ADDRESS_KEYS:
        return cut_address(value)
    if key in MIXED_ADDRESS_KEYS and looks_like_address(value):
        return cut_address(value)
    return scrub_numbers(value)


def _mask(value: Any, key: str) -> Any:
    if isinstance(value, str):
        return _mask_value(key, value)
    if isinstance(value, Mapping):
        return {k: _mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, key) for v in value]
    if isinstance(value, tuple):
        return tuple(_mask(v, key) for v in value)
    return value


def mask_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a template context fit for publicity (公示, the press; 通知四.2).

    Walks the context recursively (nested dicts such as ``单位``, lists of rows such as the
    roster's ``行`` and ``分页[*].行`` or the registration form's ``家庭成员行``): values under
    :data:`ID_KEYS` are masked with :func:`formkit.domain.idcard.mask_id`, under :data:`PHONE_KEYS`
    with :func:`mask_phones`, under :data:`ADDRESS_KEYS` cut by :func:`cut_address`, under
    :data:`MIXED_ADDRESS_KEYS` cut when :func:`looks_like_address`; every other string is
    passed through :func:`scrub_numbers`. Non-text values (numbers, booleans, None) are kept.

    Args:
        context: a context of :mod:`formkit.forms.context` (or any mapping with the record
            contract's Chinese keys, e.g. ``Worker.model_dump(by_alias=True)``).

    Returns:
        A new dict with the same keys and shape; *context* itself is not changed.
    """
    return {k: _mask(v, str(k)) for k, v in context.items()}
