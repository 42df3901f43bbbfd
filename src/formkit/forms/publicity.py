"""Publicity copies (公示, the press): a rendered context with personal numbers masked.

The notice asks the unions to publicise the campaign (通知四.2) and the 实名制 roster is
by its nature a list of named people; a copy that leaves the office must not carry what
identifies a household beyond its name. :func:`mask_context` takes any context a template
sees (:mod:`formkit.forms.context`: voucher, roster, registration form, weekly report) and returns
a copy in which

- every 身份证号 keeps its first 6 and last 4 characters (:func:`formkit.domain.idcard.mask_id`,
  ``350203********2107``), the form used for 公示 lists;
- every phone number keeps its first 3 and last 4 digits (:func:`formkit.domain.idcard.mask_phone`),
  each number of a ``、``-separated list on its own;
- an address is cut after its 街道（镇、乡）: ``厦门市思明区莲前街道前埔西社区前埔西路36号502室``
  becomes ``厦门市思明区莲前街道`` (the level that stamps the voucher, 附件1); an address with
  no 街道/镇/乡 is cut after its 区（县）, and one with neither is left out;
- any other text is scrubbed of what looks like an ID number (15 or 18 characters) or a
  phone number (a mobile number, or a number with an area code), so a number typed into
  备注 or 案例说明 does not slip through.

The principle is GB/T 35273-2020《信息安全技术 个人信息安全规范》3.14/3.15 (去标识化: keep
no more than the purpose needs). Names, amounts and employers are kept: they are what a
公示 publishes. The keys masked are listed in :data:`ID_KEYS`, :data:`PHONE_KEYS`,
:data:`ADDRESS_KEYS` and :data:`MIXED_ADDRESS_KEYS`; the structure of the context (its keys,
nesting, list lengths) is unchanged, so the masked context renders with the same template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from formkit.domain.idcard import mask_id, mask_phone

__all__ = [
    "ADDRESS_KEYS",
    "ID_KEYS",
    "MIXED_ADDRESS_KEYS",
    "PHONE_KEYS",
    "cut_address",
    "looks_like_address",
    "mask_context",
    "mask_phones",
    "mask_text",
]

#: Keys whose value is an ID number (worker, family member row, roster row).
ID_KEYS = frozenset({"身份证号"})
#: Keys whose value is one or more phone numbers (worker, unit, roster's 家庭联系电话).
PHONE_KEYS = frozenset({"联系电话", "家庭联系电话"})
#: Keys whose value is always an address (附件3 家庭住址, 附件1 居住地址).
ADDRESS_KEYS = frozenset({"家庭住址", "居住地址"})
#: Keys whose value is an employer's name or an address (附件2 工作单位或家庭住址): cut only
#: when the value reads as an address (:func:`looks_like_address`).
MIXED_ADDRESS_KEYS = frozenset({"工作单位或家庭住址"})

# An ID number: 15 or 18 characters (digits, an X last), full-width digits too, not inside
# a longer run of digits or letters.
_ID_RUN = re.compile(r"(?<![0-9A-Za-z０-９])[0-9０-９]{14}(?:[0-9０-９]{3}[0-9０-９XxＸｘ]|[0-9０-９])(?![0-9A-Za-z０-９])")
# A phone number: a mobile number (11 digits from 13–19), or an area code 0xx(x) and a
# 7–8 digit number, with an optional +86, spaces or a hyphen.
_PHONE_RUN = re.compile(
    r"(?<![0-9０-９])(?:(?:\+?86[ -]?)?1[3-9][0-9]{9}|0[0-9]{2,3}[ -]?[0-9]{7,8})(?![0-9０-９])"
)
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


def mask_text(text: str) -> str:
    """Mask every ID-like and phone-like number inside free text.

    Args:
        text: any text (备注, 案例说明, an address).

    Returns:
        The text with each 15/18-character ID number masked by
        :func:`formkit.domain.idcard.mask_id` and each mobile or area-code phone number by
        :func:`formkit.domain.idcard.mask_phone`; everything else unchanged.
    """
    if not text:
        return text
    text = _ID_RUN.sub(lambda m: mask_id(m.group()), text)
    return _PHONE_RUN.sub(lambda m: mask_phone(m.group()), text)


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
    return mask_text(value)


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
    passed through :func:`mask_text`. Non-text values (numbers, booleans, None) are kept.

    Args:
        context: a context of :mod:`formkit.forms.context` (or any mapping with the record
            contract's Chinese keys, e.g. ``Worker.model_dump(by_alias=True)``).

    Returns:
        A new dict with the same keys and shape; *context* itself is not changed.
    """
    return {k: _mask(v, str(k)) for k, v in context.items()}
