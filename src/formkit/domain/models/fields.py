"""Field types of the records: each scalar typed as text, converted by its field's type.

Money, dates, ID numbers, vocabularies, 是/否, names, phones; and the findings of a record's own checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from formkit.domain import idcard, vocab
from formkit.domain.amounts import VOUCHER_LIMIT, parse_yuan, ungrouped
from formkit.domain.dates import ACCEPTED_FORMS, parse_date
from formkit.domain.idcard import IDNumber
from formkit.domain.text import INVISIBLE_CHARACTERS as INVISIBLE_CHARACTERS  # re-exported: formkit.domain.models names it
from formkit.domain.text import clean, code_points, unprintable
from formkit.domain.vocab import (
    HardshipCause,
    Vocabulary,
    VocabularyError,
)
from formkit.errors import AmountError, DateError, IDNumberError

VALUE_ERROR = "formkit_value"
#: ``type`` of the pydantic error carrying a record's cross-field findings (ctx: findings).
RECORD_CHECK = "record_check"

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Finding:
    """One result of a check within a record.

    Attributes:
        loc: where, relative to the model checked: Chinese keys and 0-based list indexes.
        message: what is wrong, in Chinese (no ID or phone number).
        allowed: what is allowed instead ("" when nothing to add).
        severity: ``"error"`` or ``"warning"``.
        line_loc: where to point when ``loc`` was not typed (a missing key): this key's line.
    """

    loc: tuple[str | int, ...]
    message: str
    allowed: str = ""
    severity: str = "error"
    line_loc: tuple[str | int, ...] | None = None


def _refuse(message: str, allowed: str = "") -> PydanticCustomError:
    return PydanticCustomError(VALUE_ERROR, "{message}", {"message": message, "allowed": allowed})


def raise_findings(findings: list[Finding]) -> None:
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        summary = "；".join(f.message for f in errors)
        raise PydanticCustomError(RECORD_CHECK, "{summary}", {"summary": summary, "findings": errors})


# ---------------------------------------------------------------- field types


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def describe_invisible(text: str) -> str:
    """The invisible characters of *text* as code points, for a message: ``U+202E、U+2066``."""
    return code_points(INVISIBLE_CHARACTERS.findall(text))


def _field_type(
    base: Any,
    convert: Callable[[Any], Any],
    schema: dict[str, Any],
    *,
    optional: bool,
    default: Any = None,
    marker: Any = None,
    keep_invisible: bool = False,
) -> Any:
    """An annotated type: blank → *default* (optional) or refused (required), else ``convert``.

    Text is cleaned first by :func:`formkit.domain.text.clean` (Excel's ``_xHHHH_`` escapes
    decoded, then control, XML-illegal and invisible characters removed; ``formkit.records.load``
    warns about them), unless *keep_invisible*: then only the escapes are decoded and the
    converter refuses what is left. *marker* (a vocabulary class) is kept in the metadata for
    :mod:`formkit.records.skeleton`.
    """

    def before(value: Any) -> Any:
        if value.__class__ is str:  # the usual case: text from yamlio
            value = clean(value, keep_unprintable=keep_invisible)
            if value and not value.isspace():
                return convert(value)
        elif value is not None:
            if isinstance(value, (dict, list)):
                raise _refuse("应是一个值，不是列表或“键: 值”组", "在冒号后面直接写值")
            return convert(value)
        if optional:
            return default
        raise _refuse("不能为空", "请填写这一项")

    annotated = base | None if optional else base
    if marker is not None:
        return Annotated[annotated, BeforeValidator(before), WithJsonSchema(schema), VocabularyMarker(marker)]
    return Annotated[annotated, BeforeValidator(before), WithJsonSchema(schema)]


@dataclass(frozen=True)
class VocabularyMarker:
    """Metadata naming the vocabulary of a field (whose value is stored as its label, a str)."""

    vocabulary: type[Vocabulary]


def _text(value: Any) -> str:
    return str(value).strip()


_SCALAR = ["string", "number"]
#: Free text (addresses, 备注, unit names); surrounding spaces and invisible characters
#: removed; required / optional.
RequiredText = _field_type(str, _text, {"type": _SCALAR}, optional=False)
OptionalText = _field_type(str, _text, {"type": _SCALAR}, optional=True)

#: Digits in a row (spaces and hyphens between them aside) that make a 姓名 refused (fewer
#: are a warning).
NAME_DIGIT_RUN = 5
_DIGIT_RUN = re.compile(rf"\d(?:[\s\-.]?\d){{{NAME_DIGIT_RUN - 1},}}")
_NAME_ALLOWED = "姓名的文字；少数民族姓名的间隔号写“·”，如 阿依古丽·买买提"
#: Unicode noncharacters (U+FDD0–U+FDEF, and the last two code points of every plane): never
#: text, and U+FFFE/U+FFFF cannot even be held by XML.
_NONCHARACTERS = frozenset([chr(c) for c in range(0xFDD0, 0xFDF0)] + [chr(p * 0x10000 + c) for p in range(17) for c in (0xFFFE, 0xFFFF)])
_SLASHES = frozenset("/\\／＼|｜")
_BULLETS = frozenset("•●∙◦⋅")


def _person_name(value: Any) -> str:
    """姓名 as written on the 居民身份证: letters (CJK, Extension B such as 𠮷, Latin),
    spaces and the middle dot of minority names (· U+00B7, also ‧ U+2027, ・ U+30FB, ･ U+FF65).

    Refused: a run of :data:`NAME_DIGIT_RUN` or more digits (an ID or a phone number typed
    into the name, which the public roster would print), slashes (two people in one field),
    bullets (• is not the middle dot), symbols (an emoji, ★), a name without a letter (only
    combining marks or punctuation), and invisible or control characters
    (:data:`INVISIBLE_CHARACTERS`, which can reorder the printed name; control characters
    and what XML cannot hold, :func:`formkit.domain.text.unprintable`, which no form can
    print). Fewer digits are a warning of the record's checks (:func:`name_findings`).
    """
    text = str(value).strip()
    invisible = code_points(
        unprintable(text) + [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") or ch in _NONCHARACTERS]
    )
    if invisible:
        raise _refuse(
            f"姓名里有不可见的字符（{invisible}），会打乱打印出来的文字：请删去（重新输入姓名即可）",
            _NAME_ALLOWED,
        )
    if _DIGIT_RUN.search(unicodedata.normalize("NFKC", text)):
        raise _refuse("姓名里不能有一串数字（像是身份证号或电话）：请写在各自的栏目", _NAME_ALLOWED)
    slash = next((ch for ch in text if ch in _SLASHES), None)
    if slash is not None:
        raise _refuse(f"姓名里不能有“{slash}”：每人一份记录，一栏只写一个人的姓名", _NAME_ALLOWED)
    bullet = next((ch for ch in text if ch in _BULLETS), None)
    if bullet is not None:
        raise _refuse(f"姓名里的“{bullet}”不是间隔号：请改成“·”", _NAME_ALLOWED)
    symbol = next((ch for ch in text if unicodedata.category(ch) in ("So", "Sm", "Sc", "Sk")), None)
    if symbol is not None:  # an emoji, ★, ＋: no 居民身份证 prints one, and it would go into file names
        raise _refuse(f"姓名里不能有符号“{symbol}”（{code_points(symbol)}）", _NAME_ALLOWED)
    if text and not any(unicodedata.category(ch)[0] == "L" or unicodedata.category(ch) == "Nl" for ch in text):
        raise _refuse("姓名里没有文字（只有标点、附加符号或空格）", _NAME_ALLOWED)
    return text


def name_findings(name: str | None, loc: tuple[str | int, ...] = ("姓名",)) -> list[Finding]:
    """A warning for a 姓名 holding a digit or two (a placeholder such as 职工12, or a slip).

    Returns:
        The findings (empty when the name has no digit).
    """
    digit = next((ch for ch in name or "" if unicodedata.category(ch) in ("Nd", "No")), None)
    if digit is None:
        return []
    return [Finding(loc, f"姓名里有数字（“{digit}”）：请核对是否为本人的真实姓名", _NAME_ALLOWED, "warning")]


#: 姓名 of a worker or a family member (see :func:`_person_name`).
PersonName = _field_type(str, _person_name, {"type": "string"}, optional=False, keep_invisible=True)


def _money(value: Any) -> Decimal:
    try:
        return parse_yuan(value)
    except AmountError as exc:
        raise _refuse(str(exc), "金额以元为单位，不为负，最多两位小数，如 1409.50") from None


_MONEY_SCHEMA = {"type": _SCALAR, "pattern": r"^\s*[￥¥]?\s*[0-9,]+(\.[0-9]{1,2})?\s*$", "minimum": 0}
Money = _field_type(Decimal, _money, _MONEY_SCHEMA, optional=False)
OptionalMoney = _field_type(Decimal, _money, _MONEY_SCHEMA, optional=True)


def _voucher_amount(value: Any) -> Decimal:
    amount = _money(value)
    if amount <= 0:
        raise _refuse("资助金额必须大于 0", "以元为单位的正数，最多两位小数，如 500.00")
    if amount >= VOUCHER_LIMIT:
        raise _refuse(
            f"资助金额 {amount} 元填不进凭证的大写金额格（格子只到仟位）",
            "小于 10000 元（最多 9999.99 元）；更大的金额请分开发放",
        )
    return amount


VoucherAmount = _field_type(Decimal, _voucher_amount, dict(_MONEY_SCHEMA, exclusiveMaximum=10000), optional=False)


_WAN_YUAN = re.compile(r"(\d+)(\.\d{1,4})?")
_WAN_YUAN_ALLOWED = "以万元为单位的数，最多4位小数（即精确到元），如 12.5 或 1,280.5（千位逗号可写可不写）；没有拖欠填 0"


def _wan_yuan(value: Any) -> Decimal:
    typed = unicodedata.normalize("NFKC", str(value)).strip()
    shown = typed if len(typed) <= 20 else typed[:20] + "…"
    text = typed
    for unit in ("万元", "万"):
        if text.endswith(unit):
            text = text[: -len(unit)].strip()
    if text.startswith("-"):
        raise _refuse(f"拖欠数额不能为负数（“{shown}”）", _WAN_YUAN_ALLOWED)
    plain = ungrouped(text)  # thousands separators as in yuan amounts (1,280.5)
    if plain is None and re.fullmatch(r"[\d,]+(\.\d+)?", text):
        raise _refuse(f"拖欠数额“{shown}”的千位逗号位置不对：应从小数点往左每三位一个", _WAN_YUAN_ALLOWED)
    if plain is not None and re.fullmatch(r"\d+\.\d{5,}", plain):
        raise _refuse(f"拖欠数额“{shown}”的小数多于4位；请核对，不会自动四舍五入", _WAN_YUAN_ALLOWED)
    if plain is None or not _WAN_YUAN.fullmatch(plain):
        raise _refuse(f"拖欠数额“{shown}”不是以万元为单位的数", _WAN_YUAN_ALLOWED)
    try:
        return Decimal(plain)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise _refuse(f"拖欠数额“{shown}”不是数字", _WAN_YUAN_ALLOWED) from None


def _blank_is_zero(convert: Callable[[Any], Any], zero: Any) -> Callable[[Any], Any]:
    """A blank cell of 附件4 is 0 (as on the paper form)."""

    def before(value: Any) -> Any:
        if is_blank(value):
            return zero
        if isinstance(value, (dict, list)):
            raise _refuse("应是一个数，不是列表或“键: 值”组", "在冒号后面直接写数")
        return convert(value)

    return before


WanYuan = Annotated[
    Decimal,
    BeforeValidator(_blank_is_zero(_wan_yuan, Decimal(0))),
    WithJsonSchema({"type": _SCALAR, "minimum": 0}),
]


def _count(value: Any) -> int:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for unit in ("人", "户", "口"):
        if text.endswith(unit):
            text = text[:-1].strip()
    if not text.isdigit():
        raise _refuse("应是不为负的整数", "如 3（不带小数点）")
    return int(text)


_COUNT_SCHEMA = {"type": ["integer", "string"], "minimum": 0}
#: A count of enterprises (户) or persons (人) on 附件4; blank is 0.
Count = Annotated[int, BeforeValidator(_blank_is_zero(_count, 0)), WithJsonSchema(_COUNT_SCHEMA)]


def _household_size(value: Any) -> int:
    size = _count(value)
    if size < 1:
        raise _refuse("家庭人口至少为 1（含职工本人）", "家庭人口数（人），含职工本人")
    return size


#: Largest 家庭人口 (persons) taken without the whole family listed: above it the number
#: is a slip (an ID or a phone number typed in the wrong field).
MAX_HOUSEHOLD_SIZE = 99
HouseholdSize = _field_type(int, _household_size, dict(_COUNT_SCHEMA, minimum=1), optional=True)


#: Years a record's date may fall in: the oldest family member alive in 2011 was born after
#: 1890; nothing the campaign records is later than 2099. Outside, the year is a slip of hand.
FIRST_YEAR, LAST_YEAR = 1890, 2099
_YEAR_FIRST = re.compile(r"\s*(\d{4})\s*(?:[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d{4})\s*")


def _date(value: Any) -> date:
    text = str(value)
    typed = _YEAR_FIRST.fullmatch(unicodedata.normalize("NFKC", text))
    if typed and not FIRST_YEAR <= int(typed.group(1)) <= LAST_YEAR:
        raise _refuse(
            f"日期“{text.strip()}”的年份不对（{typed.group(1)}年）",
            f"四位公历年份（{FIRST_YEAR}–{LAST_YEAR}），日期写成 {ACCEPTED_FORMS}",
        )
    try:
        return parse_date(text)
    except DateError as exc:
        raise _refuse(exc.fault, f"日期写成 {ACCEPTED_FORMS}") from None  # the hint once, as the allowed


_DATE_SCHEMA = {
    "type": ["string", "integer"],
    "pattern": r"^\s*\d{4}\s*([-./年])\s*\d{1,2}\s*([-./月])\s*\d{1,2}\s*日?\s*$|^\d{8}$",
}
Date = _field_type(date, _date, _DATE_SCHEMA, optional=False)
OptionalDate = _field_type(date, _date, _DATE_SCHEMA, optional=True)


def YesNo(item: int) -> Any:
    """是/否 of 填表说明 item *item* (15, 17, 19, 20) as a bool."""

    def convert(value: Any) -> bool:
        try:
            return vocab.parse_yes_no(value)
        except VocabularyError as exc:
            raise _refuse(f"{exc.message}（填表说明第{item}项）", exc.allowed) from None

    return _field_type(bool, convert, {"enum": ["是", "否", True, False]}, optional=True)


def _plain_yes_no(value: Any) -> bool:
    try:
        return vocab.parse_yes_no(value)
    except VocabularyError as exc:
        raise _refuse(exc.message, exc.allowed) from None


#: 是/否 of a key outside the 填表说明 (e.g. 慰问.宣传推荐).
PLAIN_YES_NO = _field_type(bool, _plain_yes_no, {"enum": ["是", "否", True, False]}, optional=True)


@lru_cache(maxsize=4096)
def parse_id_number(text: str) -> IDNumber:
    """:func:`formkit.domain.idcard.parse_id_number`, cached: each number is checked when its field
    is validated and again by the record's checks (IDNumber is immutable)."""
    return idcard.parse_id_number(text)


def _id_number(value: Any) -> str:
    try:
        return parse_id_number(str(value)).number
    except IDNumberError as exc:
        raise _refuse(f"身份证号有误：{exc}", "15位或18位号码（填表说明第3项），18位的最后一位可以是 X") from None


_ID_SCHEMA = {"type": ["string", "integer"], "pattern": r"^\s*[0-9０-９ ]{14,17}[0-9０-９XxＸｘ]\s*$"}
IDNumberText = _field_type(str, _id_number, _ID_SCHEMA, optional=False)
OptionalIDNumberText = _field_type(str, _id_number, _ID_SCHEMA, optional=True)


def Vocab(cls: type[Vocabulary], optional: bool = True, default: Vocabulary | None = None) -> Any:
    """A field of vocabulary *cls*, matched leniently and stored as the printed label (a
    plain ``str``, so templates and dumps never see an enum member).

    A blank value is *default* (its label) when the field is optional.
    """

    def convert(value: Any) -> str:
        try:
            return str(cls.lookup(value).value)
        except VocabularyError as exc:
            raise _refuse(exc.message, exc.allowed) from None

    label = default.value if default is not None else None
    return _field_type(str, convert, {"enum": list(cls.labels())}, optional=optional, default=label, marker=cls)


def _postcode(value: Any) -> str:
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    if not re.fullmatch(r"\d{6}", text):
        raise _refuse("邮政编码应是6位数字", "如 361000")
    return text


Postcode = _field_type(str, _postcode, {"type": ["string", "integer"], "pattern": r"^\d{6}$"}, optional=True)

_PHONE_SEPARATORS = re.compile(r"[、,，;；/]|或")


def phone_digits(text: str) -> list[str]:
    """The digits of each number of a 联系电话 (NFKC-folded): numbers split at 、 , ; / 或,
    an extension (转 123, 分机 123) dropped, spaces, dashes and brackets removed, a leading
    +86 dropped from a number longer than 12 digits."""
    found = []
    for number in _PHONE_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        number = re.sub(r"(转|ext\.?|分机)\s*\d{1,6}$", "", number.strip(), flags=re.I)
        digits = re.sub(r"[\s\-()（）]", "", number)
        found.append(re.sub(r"^(\+?86)", "", digits) if len(digits) > 12 else digits)
    return found


def _phone(value: Any) -> str:
    """联系电话 as the forms print it: full-width digits and dashes typed with a Chinese input
    method folded to ASCII (NFKC: "０５９２－５２０１０３１" → "0592-5201031", which the roster's
    narrow column would otherwise wrap); one number or several, each 7–12 digits."""
    text = unicodedata.normalize("NFKC", str(value).strip())
    for digits in phone_digits(text):
        if not digits.isdigit() or not 7 <= len(digits) <= 12:
            raise _refuse(
                "联系电话不像电话号码（应为7–12位数字，可带区号和“-”）",
                "固定电话写区号和号码（如 0592-xxxxxxx），手机写11位；多个号码用“、”分开",
            )
    return text


Phone = _field_type(str, _phone, {"type": _SCALAR}, optional=True)


def phone_findings(phone: str | None, loc: tuple[str | int, ...] = ("联系电话",)) -> list[Finding]:
    """A warning for a number of 10 or 11 digits that starts with neither 0 nor 1: a fixed
    line whose area code lost its 0 in Excel (0592-3456789 typed as the number 5923456789);
    mobile numbers start with 1, area codes with 0. The number itself is not repeated.
    """
    for digits in phone_digits(phone or ""):
        if digits.isdigit() and len(digits) in (10, 11) and digits[0] not in "01":
            return [
                Finding(
                    loc,
                    f"联系电话里有一个{len(digits)}位、不以0开头的号码：像是区号前的“0”在 Excel 里被去掉了",
                    "固定电话写区号和号码（如 0592-xxxxxxx），手机写11位",
                    "warning",
                )
            ]
    return []


def _is_blank_tree(value: Any) -> bool:
    """True for a value left empty everywhere (a skeleton's block nobody filled in)."""
    if isinstance(value, dict):
        return all(_is_blank_tree(v) for v in value.values())
    if isinstance(value, list):
        return all(_is_blank_tree(v) for v in value)
    return is_blank(value)


def absent_if_blank(value: Any) -> Any:
    """A block (慰问, 低保) whose every value is empty is absent."""
    return None if _is_blank_tree(value) else value


def list_of(item_label: str, split: str | None = None) -> Callable[[Any], Any]:
    """Before-validator of a list: blank → [], blank items dropped, a lone text split on *split*."""

    def before(value: Any) -> Any:
        if _is_blank_tree(value):
            return []
        if isinstance(value, str) and split is not None:
            return [part for part in re.split(split, value) if part.strip()]
        if not isinstance(value, list):
            raise _refuse(f"应是{item_label}的列表：每项占一行，以“- ”开头", "")
        if split is None:  # lists of blocks: an item left empty is dropped
            return [item for item in value if not _is_blank_tree(item)]
        return value

    return before


def one_to_three(causes: list[str]) -> list[str]:
    """填表说明第21项: 最少要填写1项，最多填3项; no value twice."""
    if not 1 <= len(causes) <= 3:
        raise _refuse(
            f"致困主要原因最少填1项、最多填3项（填表说明第21项），现在是{len(causes)}项",
            HardshipCause.allowed_text(),
        )
    if len(set(causes)) != len(causes):
        raise _refuse("致困主要原因有重复的项", HardshipCause.allowed_text())
    return causes


def two_dates(value: Any) -> Any:
    if isinstance(value, str):
        value = [p for p in re.split(r"至|到|~|～|—|--|,|，", value) if p.strip()]
    if not isinstance(value, list) or len(value) != 2:
        raise _refuse("周报起止应是两个日期：第一天和最后一天", "如 [2011-12-01, 2012-01-22]")
    return value


def names(value: Any) -> Any:
    return list_of("单位名称", r"[、,，;；\n]")(value)


# ---------------------------------------------------------------- models


class RecordModel(BaseModel):
    """Common configuration: Chinese aliases, unknown keys refused, labels stored."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        protected_namespaces=(),  # model_worker (劳模类型) is a field, not pydantic's
        use_enum_values=True,
        str_strip_whitespace=True,
        validate_default=False,
    )
