"""Pydantic models of the record files, keyed by the Chinese keys of records.md.

Models: :class:`Campaign` (campaign.yaml), :class:`Unit` (单位.yaml), :class:`Worker`
(职工/*.yaml, with :class:`FamilyMember`, :class:`Attachment` and the payment
:class:`Payment` = 慰问 with its :class:`Subsidy` = 低保 line) and :class:`WeeklyReport`
(周报/*.yaml, with :class:`Figures` rows). Attribute names are English; the aliases are the
Chinese keys, so ``model_validate`` takes the records as typed and
``model_dump(by_alias=True)`` returns the records.md keys with typed values: ``Decimal``
yuan, ``date``, ``bool``, ``int``, ``str`` (vocabulary values as their printed label),
lists and dicts, and None for an absent optional value.

Every scalar arrives as text (:mod:`formkit.records.yamlio`) and is converted by field type: money
by :func:`formkit.domain.amounts.parse_yuan`, dates by :func:`formkit.domain.dates.parse_date`, 是/否 by
:func:`formkit.domain.vocab.parse_yes_no`, ID numbers by :func:`formkit.domain.idcard.parse_id_number`
(stored in their 18-character form), vocabulary fields by :meth:`Vocabulary.lookup`. An empty
value is absent.

Checks within one record run after the fields validate (``model_validator(mode="after")``);
their errors are raised together as one ``record_check`` error whose context holds the
:class:`Finding` list (``ctx["findings"]``), each located relative to the model; their
warnings are kept on the model (:attr:`Worker.warnings`). Values derived when absent:
性别 and 出生日期 from the 身份证号; 家庭年人均收入; 慰问's 居住地址, 所在单位 and 致困原因.
Nothing here knows about files or line numbers (see :mod:`formkit.records.load`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Annotated, Any, Optional, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from formkit.domain import vocab
from formkit.domain.amounts import VOUCHER_LIMIT, parse_yuan
from formkit.domain.dates import ACCEPTED_FORMS, age_on, parse_date, report_days
from formkit.domain.idcard import IDNumber
from formkit.domain.idcard import parse_id_number as _parse_id_number
from formkit.domain.vocab import (
    ArchiveStatus,
    DifficultyCategory,
    EmployerNature,
    EnterpriseCondition,
    Ethnicity,
    FamilyMemberStatus,
    FloorArea,
    HardshipCause,
    HealthStatus,
    HouseholdType,
    HousingType,
    Industry,
    MaritalStatus,
    ModelWorkerType,
    PoliticalStatus,
    Relationship,
    Sex,
    UnitType,
    Vocabulary,
    VocabularyError,
    Weekday,
    WorkerStatus,
)
from formkit.errors import AmountError, DateError, IDNumberError

__all__ = [
    "Attachment",
    "Campaign",
    "EnterpriseRows",
    "FamilyMember",
    "Figures",
    "Finding",
    "LabourRows",
    "Payment",
    "RECORD_CHECK",
    "Subsidy",
    "Unit",
    "VALUE_ERROR",
    "WeeklyReport",
    "Worker",
    "check_household_division",
    "field_description",
    "known_keys",
    "INVISIBLE_CHARACTERS",
    "OptionalText",
    "PersonName",
    "RequiredText",
    "describe_invisible",
    "name_findings",
]

#: ``type`` of the pydantic errors raised for a refused value (ctx: message, allowed).
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


def _raise_findings(findings: list[Finding]) -> None:
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        summary = "；".join(f.message for f in errors)
        raise PydanticCustomError(RECORD_CHECK, "{summary}", {"summary": summary, "findings": errors})


# ---------------------------------------------------------------- field types


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: Invisible format characters that text pasted from web pages and chat apps carries:
#: zero-width space and joiners (U+200B–U+200D), direction marks (U+200E, U+200F, U+061C),
#: embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069) of the Unicode
#: bidirectional algorithm (UAX #9), word joiner and invisible operators (U+2060–U+2064),
#: soft hyphen (U+00AD) and a byte-order mark inside the text (U+FEFF). An override makes
#: text print in another order than it was typed ("Trojan Source", CVE-2021-42574).
INVISIBLE_CHARACTERS = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def describe_invisible(text: str) -> str:
    """The invisible characters of *text* as code points, for a message: ``U+202E、U+2066``."""
    found = dict.fromkeys(INVISIBLE_CHARACTERS.findall(text))
    return "、".join(f"U+{ord(ch):04X}" for ch in found)


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

    :data:`INVISIBLE_CHARACTERS` are removed from text first (``formkit.records.load`` warns
    about them), unless *keep_invisible* (the converter then refuses them). *marker* (a
    vocabulary class) is kept in the metadata for :mod:`formkit.records.skeleton`.
    """

    def before(value: Any) -> Any:
        if value.__class__ is str:  # the usual case: text from yamlio
            if not keep_invisible and INVISIBLE_CHARACTERS.search(value):
                value = INVISIBLE_CHARACTERS.sub("", value)
            if value and not value.isspace():
                return convert(value)
        elif value is not None:
            if isinstance(value, (dict, list)):
                raise _refuse("应是一个值，不是列表或“键: 值”组", "在冒号后面直接写值")
            return convert(value)
        if optional:
            return default
        raise _refuse("不能为空", "请填写这一项")

    annotated = Optional[base] if optional else base
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
_SLASHES = frozenset("/\\／＼|｜")
_BULLETS = frozenset("•●∙◦⋅")


def _person_name(value: Any) -> str:
    """姓名 as written on the 居民身份证: letters (CJK, Extension B such as 𠮷, Latin),
    spaces and the middle dot of minority names (· U+00B7, also ‧ U+2027, ・ U+30FB, ･ U+FF65).

    Refused: a run of :data:`NAME_DIGIT_RUN` or more digits (an ID or a phone number typed
    into the name, which the public roster would print), slashes (two people in one field),
    bullets (• is not the middle dot), and invisible or control characters
    (:data:`INVISIBLE_CHARACTERS`, which can reorder the printed name). Fewer digits are a
    warning of the record's checks (:func:`name_findings`).
    """
    text = str(value).strip()
    invisible = describe_invisible(text) or "、".join(
        f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
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


def _wan_yuan(value: Any) -> Decimal:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for unit in ("万元", "万"):
        if text.endswith(unit):
            text = text[: -len(unit)].strip()
    if text.startswith("-"):
        raise _refuse("拖欠数额不能为负数", "以万元为单位的数，如 12.5；没有拖欠填 0")
    if not _WAN_YUAN.fullmatch(text):
        raise _refuse(
            "拖欠数额应是以万元为单位的数（最多4位小数，即精确到元）",
            "如 12.5（即 12.5 万元）；没有拖欠填 0",
        )
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise _refuse("拖欠数额不是数字", "如 12.5") from None


def _blank_is_zero(convert: Callable[[Any], Any], zero: Any) -> Callable[[Any], Any]:
    """A blank cell of 附件4 is 0 (as on the paper form)."""

    def before(value: Any) -> Any:
        if _is_blank(value):
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
        raise _refuse(str(exc), f"日期写成 {ACCEPTED_FORMS}") from None


_DATE_SCHEMA = {
    "type": ["string", "integer"],
    "pattern": r"^\s*\d{4}\s*([-./年])\s*\d{1,2}\s*([-./月])\s*\d{1,2}\s*日?\s*$|^\d{8}$",
}
Date = _field_type(date, _date, _DATE_SCHEMA, optional=False)
OptionalDate = _field_type(date, _date, _DATE_SCHEMA, optional=True)


def YesNo(item: int) -> Any:  # noqa: N802 - a type factory
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
_YES_NO = _field_type(bool, _plain_yes_no, {"enum": ["是", "否", True, False]}, optional=True)


@lru_cache(maxsize=4096)
def parse_id_number(text: str) -> IDNumber:
    """:func:`formkit.domain.idcard.parse_id_number`, cached: each number is checked when its field
    is validated and again by the record's checks (IDNumber is immutable)."""
    return _parse_id_number(text)


def _id_number(value: Any) -> str:
    try:
        return parse_id_number(str(value)).number
    except IDNumberError as exc:
        raise _refuse(f"身份证号有误：{exc}", "15位或18位号码（填表说明第3项），18位的最后一位可以是 X") from None


_ID_SCHEMA = {"type": ["string", "integer"], "pattern": r"^\s*[0-9０-９ ]{14,17}[0-9０-９XxＸｘ]\s*$"}
IDNumberText = _field_type(str, _id_number, _ID_SCHEMA, optional=False)
OptionalIDNumberText = _field_type(str, _id_number, _ID_SCHEMA, optional=True)


def Vocab(cls: type[Vocabulary], optional: bool = True, default: Vocabulary | None = None) -> Any:  # noqa: N802
    """A field of vocabulary *cls*, matched leniently and stored as the printed label (a
    plain ``str``, so templates and dumps never see an enum member).

    A blank value is *default* (its label) when the field is optional.
    """

    def convert(value: Any) -> str:
        try:
            return cls.lookup(value).value
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


def _phone(value: Any) -> str:
    text = str(value).strip()
    folded = unicodedata.normalize("NFKC", text)
    for number in _PHONE_SEPARATORS.split(folded):
        number = re.sub(r"(转|ext\.?|分机)\s*\d{1,6}$", "", number.strip(), flags=re.I)
        digits = re.sub(r"[\s\-()（）]", "", number)
        digits = re.sub(r"^(\+?86)", "", digits) if len(digits) > 12 else digits
        if not digits.isdigit() or not 7 <= len(digits) <= 12:
            raise _refuse(
                "联系电话不像电话号码（应为7–12位数字，可带区号和“-”）",
                "固定电话写区号和号码（如 0592-xxxxxxx），手机写11位；多个号码用“、”分开",
            )
    return text


Phone = _field_type(str, _phone, {"type": _SCALAR}, optional=True)


def _is_blank_tree(value: Any) -> bool:
    """True for a value left empty everywhere (a skeleton's block nobody filled in)."""
    if isinstance(value, dict):
        return all(_is_blank_tree(v) for v in value.values())
    if isinstance(value, list):
        return all(_is_blank_tree(v) for v in value)
    return _is_blank(value)


def _absent_if_blank(value: Any) -> Any:
    """A block (慰问, 低保) whose every value is empty is absent."""
    return None if _is_blank_tree(value) else value


def _list_of(item_label: str, split: str | None = None) -> Callable[[Any], Any]:
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


def _one_to_three(causes: list[str]) -> list[str]:
    """填表说明第21项: 最少要填写1项，最多填3项; no value twice."""
    if not 1 <= len(causes) <= 3:
        raise _refuse(
            f"致困主要原因最少填1项、最多填3项（填表说明第21项），现在是{len(causes)}项",
            HardshipCause.allowed_text(),
        )
    if len(set(causes)) != len(causes):
        raise _refuse("致困主要原因有重复的项", HardshipCause.allowed_text())
    return causes


def _two_dates(value: Any) -> Any:
    if isinstance(value, str):
        value = [p for p in re.split(r"至|到|~|～|—|--|,|，", value) if p.strip()]
    if not isinstance(value, list) or len(value) != 2:
        raise _refuse("周报起止应是两个日期：第一天和最后一天", "如 [2011-12-01, 2012-01-22]")
    return value


def _names(value: Any) -> Any:
    return _list_of("单位名称", r"[、,，;；\n]")(value)


# ---------------------------------------------------------------- models


class _Record(BaseModel):
    """Common configuration: Chinese aliases, unknown keys refused, labels stored."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        protected_namespaces=(),  # model_worker (劳模类型) is a field, not pydantic's
        use_enum_values=True,
        str_strip_whitespace=True,
        validate_default=False,
    )


class Campaign(_Record):
    """campaign.yaml: the campaign the records belong to (通知 厦工[2011]104号)."""

    name: RequiredText = Field(alias="活动名称", description="活动名称，如 2012年元旦春节送温暖活动")
    document_number: RequiredText = Field(alias="文号", description="通知文号，如 厦工[2011]104号")
    issuer: RequiredText = Field(alias="发文机关", description="发文机关，如 厦门市总工会")
    fund_deadline: Date = Field(
        alias="资金使用截止", description="中央财政帮扶专项资金使用截止日期（通知三.2：2011-12-31）"
    )
    report_deadline: Date = Field(
        alias="上报截止",
        description="凭证和汇总表上报截止日期（通知三.2：2012-01-06）；附件2的年龄按此日计算",
    )
    weekly_period: Annotated[list[Date], BeforeValidator(_two_dates)] = Field(
        alias="周报起止",
        description="周报的第一天和最后一天，两个日期，如 [2011-12-01, 2012-01-22]（通知四.3）",
    )
    weekly_day: Vocab(Weekday, default=Weekday.FRIDAY) = Field(  # type: ignore[valid-type]
        default=Weekday.FRIDAY.value, alias="周报日", description="每周上报周报的日子，不填为星期五"
    )
    addressees: Annotated[list[RequiredText], BeforeValidator(_names)] = Field(
        default_factory=list, alias="主送", description="主送单位名单（各区工会、各产业工会工委），每行一个"
    )

    @property
    def report_days(self) -> list[date]:
        """The 周报日 inside 周报起止, in order (通知四.3; :func:`formkit.domain.dates.report_days`)."""
        start, end = self.weekly_period
        return report_days(start, end, self.weekly_day)

    @model_validator(mode="after")
    def _check(self) -> Campaign:
        if self.weekly_period[0] > self.weekly_period[1]:
            _raise_findings(
                [Finding(("周报起止",), "周报起止的第一个日期晚于第二个日期", "先写开始日期，再写结束日期")]
            )
        return self


class Unit(_Record):
    """单位.yaml: one reporting union (区工会 or 产业工会工委)."""

    name: RequiredText = Field(alias="填报单位", description="填报单位全称，如 思明区总工会")
    unit_type: Vocab(UnitType, optional=False) = Field(  # type: ignore[valid-type]
        alias="单位类型", description="单位类型（决定上报材料，通知四.3）"
    )
    head: OptionalText = Field(default=None, alias="单位负责人", description="单位负责人（附件4表尾）")  # type: ignore[valid-type]
    preparer: OptionalText = Field(default=None, alias="填表人", description="填表人（附件4表尾）")  # type: ignore[valid-type]
    phone: Phone = Field(default=None, alias="联系电话", description="联系电话（附件4表尾）")


class Attachment(_Record):
    """One row of 所附附件 (附件3)."""

    kind: RequiredText = Field(alias="附件类型", description="附件类型，如 低保证复印件")
    file: OptionalText = Field(default=None, alias="附件文件", description="附件文件（名称或编号）")  # type: ignore[valid-type]


def _check_id_agreement(
    ident: IDNumber | None, sex: str | None, birth: date | None, prefix: tuple[str | int, ...] = ()
) -> list[Finding]:
    """性别 and 出生日期 must agree with the 身份证号 (GB 11643-1999: 7th–14th digits, 17th digit's parity)."""
    findings: list[Finding] = []
    if ident is None:
        return findings
    if sex is not None and sex != ident.sex:
        findings.append(
            Finding(
                prefix + ("性别",),
                f"性别“{sex}”与身份证号不符（号码第17位表示{ident.sex}性）",
                "与身份证号一致，或核对号码",
            )
        )
    if birth is not None and birth != ident.birth_date:
        b = ident.birth_date
        findings.append(
            Finding(
                prefix + ("出生日期",),
                f"出生日期 {birth.year}年{birth.month}月{birth.day}日 与身份证号不符（号码中是 {b.year}年{b.month}月{b.day}日）",
                "与身份证号一致，或核对号码",
            )
        )
    if ident.warning:
        findings.append(Finding(prefix + ("身份证号",), ident.warning, "", "warning"))
    return findings


class FamilyMember(_Record):
    """One family member (附件3 第18项). 性别 and 出生日期 are derived from the 身份证号 when absent."""

    name: PersonName = Field(alias="姓名", description="家庭成员姓名")
    relationship: Vocab(Relationship) = Field(default=None, alias="关系", description="与职工的关系（填表说明第18项）")  # type: ignore[valid-type]
    sex: Vocab(Sex) = Field(default=None, alias="性别", description="性别；可不填，按身份证号")  # type: ignore[valid-type]
    political_status: Vocab(PoliticalStatus) = Field(
        default=None, alias="政治面貌", description="政治面貌（填表说明第2项）"
    )  # type: ignore[valid-type]
    birth_date: OptionalDate = Field(default=None, alias="出生日期", description="出生日期；可不填，按身份证号")
    id_number: OptionalIDNumberText = Field(
        default=None, alias="身份证号", description="身份证号（15位或18位，填表说明第3项）"
    )
    health: Vocab(HealthStatus) = Field(default=None, alias="健康状况", description="健康状况（填表说明第4项）")  # type: ignore[valid-type]
    monthly_income: OptionalMoney = Field(default=None, alias="月收入", description="月收入（元）")
    status: Vocab(FamilyMemberStatus) = Field(default=None, alias="身份", description="身份（填表说明第18项）")  # type: ignore[valid-type]
    school_or_employer: OptionalText = Field(default=None, alias="单位或学校", description="单位或学校")  # type: ignore[valid-type]

    _warnings: list[Finding] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> FamilyMember:
        ident = parse_id_number(self.id_number) if self.id_number else None
        findings = _check_id_agreement(ident, self.sex, self.birth_date) + name_findings(self.name)
        implied = Relationship(self.relationship).implied_sex if self.relationship else None
        sex = self.sex or (ident.sex if ident else None)
        if implied and sex and implied != sex:
            findings.append(
                Finding(("关系",), f"关系“{self.relationship}”与性别“{sex}”不符", Relationship.allowed_text())
            )
        _raise_findings(findings)
        if ident is not None:
            self.sex = self.sex or ident.sex
            self.birth_date = self.birth_date or ident.birth_date
        self._warnings = findings
        return self

    @property
    def warnings(self) -> list[Finding]:
        """Warnings of the checks within this member (located relative to the member)."""
        return list(self._warnings)


class Subsidy(_Record):
    """低保: the 享受低保情况 line of 附件1 (年 月 日至 月 日每月领低保金 元)."""

    start: Date = Field(alias="起", description="享受低保的起始日期")
    end: Date = Field(alias="止", description="享受低保的截止日期")
    monthly: Money = Field(alias="每月", description="每月领低保金（元）")

    @model_validator(mode="after")
    def _check(self) -> Subsidy:
        if self.end < self.start:
            _raise_findings([Finding(("止",), "低保的截止日期早于起始日期", "止 不早于 起")])
        return self


class Payment(_Record):
    """慰问: this campaign's payment to the worker (附件1 voucher, 附件2 roster row).

    居住地址, 所在单位 and 致困原因 default to the worker's 家庭住址, 工作单位 and 致困主要原因
    (joined with 、); the worker fills them in after validation.
    """

    amount: VoucherAmount = Field(
        alias="资助金额", description="资助金额（元），最多两位小数，小于10000（凭证大写金额格只到仟位）"
    )
    project: RequiredText = Field(alias="帮扶项目", description="帮扶项目，如 生活救助")
    fund_source: RequiredText = Field(alias="资金来源", description="资金来源，如 中央财政帮扶专项资金、送温暖工程资金")
    subsidy: Annotated[Subsidy | None, BeforeValidator(_absent_if_blank)] = Field(
        default=None, alias="低保", description="享受低保情况：起、止、每月"
    )
    other_measures: OptionalText = Field(default=None, alias="其它帮扶措施", description="其它帮扶措施")  # type: ignore[valid-type]
    subdistrict: OptionalText = Field(default=None, alias="街道", description="盖章的街道（镇）")  # type: ignore[valid-type]
    residence: OptionalText = Field(default=None, alias="居住地址", description="居住地址；不填则用家庭住址")  # type: ignore[valid-type]
    employer: OptionalText = Field(default=None, alias="所在单位", description="所在单位；不填则用工作单位")  # type: ignore[valid-type]
    cause: OptionalText = Field(default=None, alias="致困原因", description="致困原因；不填则用致困主要原因")  # type: ignore[valid-type]
    paid_on: OptionalDate = Field(default=None, alias="发放日期", description="发放日期")
    recommended: _YES_NO = Field(  # type: ignore[valid-type]
        default=None, alias="宣传推荐",
        description="是否推荐为“两节”慰问的新闻宣传对象（通知四.2：每个单位推荐1—2户）；是/否，不填为否",
    )

    @property
    def is_central_fund(self) -> bool:
        """True when paid from 中央财政帮扶专项资金 (to be spent by 活动.资金使用截止, 通知三.2)."""
        return "中央财政" in self.fund_source


_CAUSES = Annotated[
    list[Vocab(HardshipCause, optional=False)],  # type: ignore[misc]
    BeforeValidator(_list_of("致困原因", r"[、,，;；/\s]+")),
    AfterValidator(_one_to_three),
]


class Worker(_Record):
    """A worker in hardship: one 困难职工档案登记表 (附件3) and this year's 慰问 (附件1, 附件2).

    Checks within the record (errors unless marked): 性别 and 出生日期 agree with the
    身份证号 (also for family members; derived when absent); 致困主要原因 1–3 values of
    item 21; 残疾类别 filled when 健康状况 is 残病; 家庭年人均收入 = 家庭年度总收入 / 家庭人口
    to the fen (ROUND_HALF_UP; computed when absent); 户口所在地行政区划 names 省、市、县（区）
    (item 16); 资助金额 fits the voucher's 仟 box; no family member has the worker's number
    or another member's; 关系 agrees with the member's 性别; 工作时间 after 出生日期; 家庭人口
    at most :data:`MAX_HOUSEHOLD_SIZE` persons unless every member is listed; 姓名 (also of
    the family) without a run of digits, slashes or invisible characters (a digit or two is
    a warning).
    Warnings: 家庭人口 differs from the family listed plus the worker (or is over
    :data:`MAX_HOUSEHOLD_SIZE` with all of them listed); a 低保户 paid without
    a 低保 line; 残疾类别 without 残病; a spouse listed while 未婚/离异/丧偶 or 单亲; work begun
    before 16; the ID number's own warnings.
    """

    archive_number: RequiredText = Field(alias="档案编号", description="困难职工档案编号（附件1），本单位内不重复")
    category: Vocab(DifficultyCategory, optional=False) = Field(
        alias="困难类别", description="困难类别（填表说明第1项）"
    )  # type: ignore[valid-type]
    name: PersonName = Field(alias="姓名", description="姓名")
    ethnicity: Vocab(Ethnicity) = Field(default=None, alias="民族", description="民族")  # type: ignore[valid-type]
    sex: Vocab(Sex) = Field(default=None, alias="性别", description="性别；可不填，按身份证号")  # type: ignore[valid-type]
    political_status: Vocab(PoliticalStatus) = Field(
        default=None, alias="政治面貌", description="政治面貌（填表说明第2项）"
    )  # type: ignore[valid-type]
    birth_date: OptionalDate = Field(default=None, alias="出生日期", description="出生日期；可不填，按身份证号")
    id_number: IDNumberText = Field(alias="身份证号", description="身份证号，15位或18位（填表说明第3项）")
    health: Vocab(HealthStatus) = Field(default=None, alias="健康状况", description="健康状况（填表说明第4项）")  # type: ignore[valid-type]
    disability: OptionalText = Field(default=None, alias="残疾类别", description="残疾类别；健康状况为残病时必填")  # type: ignore[valid-type]
    status: Vocab(WorkerStatus) = Field(default=None, alias="身份", description="身份（填表说明第5项）")  # type: ignore[valid-type]
    model_worker: Vocab(ModelWorkerType) = Field(
        default=None, alias="劳模类型", description="劳模类型（填表说明第6项）"
    )  # type: ignore[valid-type]
    housing: Vocab(HousingType) = Field(default=None, alias="住房类型", description="住房类型（填表说明第7项）")  # type: ignore[valid-type]
    floor_area: Vocab(FloorArea) = Field(
        default=None, alias="建筑面积", description="建筑面积档次，平方米（填表说明第8项）"
    )  # type: ignore[valid-type]
    postcode: Postcode = Field(default=None, alias="邮政编码", description="邮政编码，6位数字")
    phone: Phone = Field(default=None, alias="联系电话", description="联系电话")
    work_start: OptionalDate = Field(
        default=None, alias="工作时间", description="开始参加工作的年、月、日（填表说明第9项）"
    )
    industry: Vocab(Industry) = Field(default=None, alias="所属行业", description="所属行业（填表说明第10项）")  # type: ignore[valid-type]
    marital_status: Vocab(MaritalStatus) = Field(
        default=None, alias="婚姻状况", description="婚姻状况（填表说明第11项）"
    )  # type: ignore[valid-type]
    household_type: Vocab(HouseholdType) = Field(
        default=None, alias="户口类型", description="户口类型（填表说明第12项）"
    )  # type: ignore[valid-type]
    address: OptionalText = Field(default=None, alias="家庭住址", description="家庭住址")  # type: ignore[valid-type]
    employer: OptionalText = Field(default=None, alias="工作单位", description="工作单位")  # type: ignore[valid-type]
    employer_nature: Vocab(EmployerNature) = Field(
        default=None, alias="单位性质", description="单位性质（填表说明第13项）"
    )  # type: ignore[valid-type]
    enterprise_condition: Vocab(EnterpriseCondition) = Field(
        default=None, alias="企业状况", description="企业状况（填表说明第14项）"
    )  # type: ignore[valid-type]
    single_parent: YesNo(15) = Field(default=None, alias="是否单亲", description="是否单亲（填表说明第15项）")  # type: ignore[valid-type]
    monthly_income: OptionalMoney = Field(default=None, alias="本人月平均收入", description="本人月平均收入（元）")
    household_income: OptionalMoney = Field(default=None, alias="家庭年度总收入", description="家庭年度总收入（元）")
    household_size: HouseholdSize = Field(default=None, alias="家庭人口", description="家庭人口（人），含职工本人")
    income_per_head: OptionalMoney = Field(
        default=None,
        alias="家庭年人均收入",
        description="家庭年人均收入（元）；可不填，按 家庭年度总收入 ÷ 家庭人口 计算到分",
    )
    household_division: OptionalText = Field(  # type: ignore[valid-type]
        default=None,
        alias="户口所在地行政区划",
        description="户口所在地，写清 省、市、县（区），如 福建省厦门市思明区（填表说明第16项）",
    )
    medical_insurance: YesNo(17) = Field(
        default=None, alias="是否进入医保", description="是否进入医保（填表说明第17项）"
    )  # type: ignore[valid-type]
    family: Annotated[list[FamilyMember], BeforeValidator(_list_of("家庭成员"))] = Field(
        default_factory=list, alias="家庭成员", description="家庭成员（填表说明第18项），每人一项，以“- ”开头"
    )
    self_help: YesNo(19) = Field(
        default=None, alias="是否有一定自救能力", description="是否有一定自救能力（填表说明第19项）"
    )  # type: ignore[valid-type]
    zero_employment: YesNo(20) = Field(
        default=None, alias="是否为零就业家庭", description="是否为零就业家庭（填表说明第20项）"
    )  # type: ignore[valid-type]
    causes: _CAUSES = Field(alias="致困主要原因", description="致困主要原因，1至3项（填表说明第21项）")
    attachments: Annotated[list[Attachment], BeforeValidator(_list_of("附件"))] = Field(
        default_factory=list, alias="所附附件", description="所附附件，每项写 附件类型 和 附件文件"
    )
    remarks: OptionalText = Field(default=None, alias="备注", description="备注")  # type: ignore[valid-type]
    archive_status: Vocab(ArchiveStatus, default=ArchiveStatus.ACTIVE) = Field(  # type: ignore[valid-type]
        default=ArchiveStatus.ACTIVE.value,
        alias="档案状态",
        description="档案状态，不填为在档；脱贫的档案保留但不发放慰问金（通知三.2）",
    )
    payment: Annotated[Payment | None, BeforeValidator(_absent_if_blank)] = Field(
        default=None, alias="慰问", description="今年的慰问（附件1、附件2）；不填表示只登记、不发放"
    )

    _warnings: list[Finding] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        """Warnings of the checks within this record, located relative to the record."""
        return list(self._warnings)

    @property
    def id(self) -> IDNumber:
        """The checked 身份证号 (18-character form, birth date, sex, age)."""
        return parse_id_number(self.id_number)

    @model_validator(mode="after")
    def _check(self) -> Worker:
        ident = parse_id_number(self.id_number)
        findings = _check_id_agreement(ident, self.sex, self.birth_date) + name_findings(self.name)
        findings += self._check_family(ident)
        findings += self._check_income()
        findings += check_household_division(self.household_division)
        birth = self.birth_date or ident.birth_date
        if self.health == HealthStatus.DISABLED and not self.disability:
            findings.append(
                Finding(
                    ("残疾类别",),
                    "健康状况为“残病”时要填写残疾类别",
                    "如 肢体残疾二级",
                    line_loc=("健康状况",),
                )
            )
        elif self.disability and self.health not in (None, HealthStatus.DISABLED):
            findings.append(
                Finding(
                    ("残疾类别",),
                    f"填了残疾类别，但健康状况是“{self.health}”",
                    "健康状况为“残病”时才填残疾类别",
                    "warning",
                )
            )
        if self.work_start is not None:
            if self.work_start < birth:
                findings.append(
                    Finding(("工作时间",), "工作时间早于出生日期", "开始参加工作的年、月、日（填表说明第9项）")
                )
            elif age_on(birth, self.work_start) < 16:
                findings.append(
                    Finding(
                        ("工作时间",),
                        "按工作时间，参加工作时不满16岁：请核对",
                        "开始参加工作的年、月、日（填表说明第9项）",
                        "warning",
                    )
                )
        if self.payment is not None:
            if self.category == DifficultyCategory.MINIMUM_LIVING_ALLOWANCE and self.payment.subsidy is None:
                findings.append(
                    Finding(
                        ("慰问",),
                        "困难类别是低保户，但慰问里没有“低保”（凭证的享受低保情况一行将空白）",
                        "在 慰问 下写 低保: 起、止、每月",
                        "warning",
                    )
                )
        _raise_findings(findings)
        self.sex = self.sex or ident.sex
        self.birth_date = birth
        if self.payment is not None:
            self.payment.residence = self.payment.residence or self.address
            self.payment.employer = self.payment.employer or self.employer
            self.payment.cause = self.payment.cause or "、".join(self.causes)
        self._warnings = findings
        return self

    def _check_family(self, ident: IDNumber) -> list[Finding]:
        findings: list[Finding] = []
        seen: dict[str, int] = {}
        spouses = [i for i, m in enumerate(self.family) if m.relationship in (Relationship.HUSBAND, Relationship.WIFE)]
        for index, member in enumerate(self.family):
            findings += [
                Finding(("家庭成员", index) + w.loc, w.message, w.allowed, w.severity) for w in member.warnings
            ]
            if member.id_number is None:
                continue
            if member.id_number == ident.number:
                findings.append(
                    Finding(
                        ("家庭成员", index, "身份证号"),
                        "家庭成员的身份证号与职工本人相同",
                        "家庭成员本人的身份证号；职工本人不列入家庭成员",
                    )
                )
            elif member.id_number in seen:
                findings.append(
                    Finding(
                        ("家庭成员", index, "身份证号"),
                        f"与第{seen[member.id_number] + 1}个家庭成员的身份证号相同",
                        "每个家庭成员本人的身份证号",
                    )
                )
            else:
                seen[member.id_number] = index
        listed = len(self.family) + 1
        if self.household_size is not None and self.household_size > MAX_HOUSEHOLD_SIZE:
            if self.household_size == listed:
                findings.append(
                    Finding(
                        ("家庭人口",),
                        f"家庭人口{self.household_size}人，超过{MAX_HOUSEHOLD_SIZE}人：请核对",
                        f"一户 1–{MAX_HOUSEHOLD_SIZE} 人（含职工本人）",
                        "warning",
                    )
                )
            else:
                shown = f"{self.household_size}人" if self.household_size < 1000 else "这个数"
                findings.append(
                    Finding(
                        ("家庭人口",),
                        f"家庭人口写的是{shown}，不像一户的人数（列出的家庭成员加职工本人共{listed}人）",
                        f"一户 1–{MAX_HOUSEHOLD_SIZE} 人（含职工本人），如 {listed}",
                    )
                )
        elif self.household_size is not None and self.household_size != listed:
            findings.append(
                Finding(
                    ("家庭人口",),
                    f"家庭人口是{self.household_size}人，但列出的家庭成员{len(self.family)}人加职工本人共{len(self.family) + 1}人",
                    "家庭人口 = 家庭成员人数 + 1（职工本人）；或补全家庭成员",
                    "warning",
                )
            )
        if spouses and self.marital_status in (
            MaritalStatus.UNMARRIED,
            MaritalStatus.DIVORCED,
            MaritalStatus.WIDOWED,
        ):
            findings.append(
                Finding(
                    ("婚姻状况",),
                    f"婚姻状况是“{self.marital_status}”，但家庭成员里有丈夫或妻子",
                    MaritalStatus.allowed_text(),
                    "warning",
                )
            )
        if spouses and self.single_parent:
            findings.append(Finding(("是否单亲",), "是否单亲填“是”，但家庭成员里有丈夫或妻子", "请核对", "warning"))
        return findings

    def _check_income(self) -> list[Finding]:
        if self.household_income is None or self.household_size is None:
            return []
        if self.household_size > MAX_HOUSEHOLD_SIZE and self.household_size != len(self.family) + 1:
            return []  # the size itself is refused (see _check_family)
        computed = (self.household_income / self.household_size).quantize(CENT, rounding=ROUND_HALF_UP)
        if self.income_per_head is None:
            self.income_per_head = computed
            return []
        if self.income_per_head != computed:
            return [
                Finding(
                    ("家庭年人均收入",),
                    f"家庭年人均收入 {self.income_per_head} 元与 家庭年度总收入 {self.household_income} 元 ÷ 家庭人口 {self.household_size} 人 = {computed} 元 不符",
                    f"{computed}（四舍五入到分），或不填由程序计算",
                )
            ]
        return []


_PROVINCE = re.compile(r"^(?:.+?(?:省|自治区|特别行政区)|北京市?|天津市?|上海市?|重庆市?)")
_MUNICIPALITY = re.compile(r"^(?:北京|天津|上海|重庆)")
_CITY = re.compile(r"^.+?(?:市|自治州|地区|盟)")
_COUNTY = re.compile(r".+?(?:县|区|市|旗|特区|林区)")
_DIVISION_EXAMPLE = "写清 省、市、县（区），如 福建省厦门市思明区（填表说明第16项）"


def check_household_division(text: str | None) -> list[Finding]:
    """户口所在地行政区划 must name 省、市、县（区） (附件3 填表说明第16项).

    A province-level name (…省, …自治区, or 北京/天津/上海/重庆 which are also the city),
    then a city (…市/自治州/地区/盟), then a county-level division (…县/区/市/旗). 省 and a 市
    with nothing after is a warning only (a county-level city administered by the province,
    such as 湖北省仙桃市, has no county below it).

    Returns:
        The findings (empty when fine or absent).
    """
    if not text:
        return []
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    loc = ("户口所在地行政区划",)
    province = _PROVINCE.match(compact)
    if province is None:
        return [Finding(loc, "户口所在地行政区划没有写省（自治区、直辖市）", _DIVISION_EXAMPLE)]
    rest = compact[province.end() :]
    if _MUNICIPALITY.match(compact):
        rest = rest[1:] if rest.startswith("市") else rest
        if not _COUNTY.match(rest):
            return [Finding(loc, "户口所在地行政区划没有写到区（县）", _DIVISION_EXAMPLE)]
        return []
    city = _CITY.match(rest)
    if city is None:
        return [Finding(loc, "户口所在地行政区划没有写市", _DIVISION_EXAMPLE)]
    if not _COUNTY.match(rest[city.end() :]):
        if city.group().endswith("市"):
            return [
                Finding(
                    loc,
                    "户口所在地行政区划只写到市，没有写县（区）；省直辖的县级市可不理会此提醒",
                    _DIVISION_EXAMPLE,
                    "warning",
                )
            ]
        return [Finding(loc, "户口所在地行政区划没有写县（区）", _DIVISION_EXAMPLE)]
    return []


# ---------------------------------------------------------------- weekly report (附件4)


class Figures(_Record):
    """One row of 附件4: 拖欠数额 (万元), 涉及企业数 (户), 涉及人数 (人); each 0 when left out."""

    arrears: WanYuan = Field(default=Decimal(0), alias="拖欠数额", description="拖欠数额（万元），如 12.5；没有填 0")
    enterprises: Count = Field(default=0, alias="涉及企业数", description="涉及企业数（户）")
    persons: Count = Field(default=0, alias="涉及人数", description="涉及人数（人）")


def _row(value: Any) -> Any:
    return {} if _is_blank(value) else value


_Row = Annotated[Figures, BeforeValidator(_row)]


class EnterpriseRows(_Record):
    """The 企业类型 rows of 附件4."""

    state_owned: _Row = Field(default_factory=Figures, alias="国有企业", description="国有企业")
    collective: _Row = Field(default_factory=Figures, alias="集体企业", description="集体企业")
    other: _Row = Field(default_factory=Figures, alias="其他类型企业", description="其他类型企业")


class LabourRows(_Record):
    """The 用工来源 rows of 附件4; 其中建筑业农民工 is part of 农民工."""

    urban: _Row = Field(default_factory=Figures, alias="城镇职工", description="城镇职工")
    migrant: _Row = Field(default_factory=Figures, alias="农民工", description="农民工")
    migrant_construction: _Row = Field(
        default_factory=Figures, alias="其中建筑业农民工", description="其中建筑业农民工（农民工的一部分）"
    )


_FIGURES = (
    ("arrears", "拖欠数额", "万元"),
    ("enterprises", "涉及企业数", "户"),
    ("persons", "涉及人数", "人"),
)


class WeeklyReport(_Record):
    """A 企业工资拖欠情况周报表 (附件4) for one week.

    Checks: for 拖欠数额 and 涉及人数, the sum over 企业类型 equals 城镇职工 + 农民工 (the two
    groups count the same arrears); 其中建筑业农民工 does not exceed 农民工 in any figure.
    Warnings: a row with arrears but no enterprise or person (or the reverse), more
    enterprises than persons, 报出日期 before 时间. 单位负责人, 填表人 and 联系电话 default to
    单位.yaml (filled by :mod:`formkit.records.load`).
    """

    day: Date = Field(alias="时间", description="本周报对应的星期五（附件4 时间）")
    enterprise_types: Annotated[EnterpriseRows, BeforeValidator(_row)] = Field(
        default_factory=EnterpriseRows,
        alias="企业类型",
        description="按企业类型：国有企业、集体企业、其他类型企业",
    )
    labour_sources: Annotated[LabourRows, BeforeValidator(_row)] = Field(
        default_factory=LabourRows,
        alias="用工来源",
        description="按用工来源：城镇职工、农民工、其中建筑业农民工",
    )
    sent_on: OptionalDate = Field(default=None, alias="报出日期", description="报出日期")
    cases: OptionalText = Field(
        default=None, alias="案例说明", description="具体案例所涉及企业等情况的文字说明（附在表后）"
    )  # type: ignore[valid-type]
    head: OptionalText = Field(default=None, alias="单位负责人", description="单位负责人；不填则用 单位.yaml")  # type: ignore[valid-type]
    preparer: OptionalText = Field(default=None, alias="填表人", description="填表人；不填则用 单位.yaml")  # type: ignore[valid-type]
    phone: Phone = Field(default=None, alias="联系电话", description="联系电话；不填则用 单位.yaml")

    _warnings: list[Finding] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        """Warnings of the checks within this report."""
        return list(self._warnings)

    @model_validator(mode="after")
    def _check(self) -> WeeklyReport:
        findings: list[Finding] = []
        by_type = self.enterprise_types
        by_source = self.labour_sources
        types = (by_type.state_owned, by_type.collective, by_type.other)
        for attr, label, unit in (_FIGURES[0], _FIGURES[2]):
            total = sum(getattr(row, attr) for row in types)
            sources = getattr(by_source.urban, attr) + getattr(by_source.migrant, attr)
            if total != sources:
                findings.append(
                    Finding(
                        ("用工来源",),
                        f"{label}：企业类型三行合计 {total} {unit}，用工来源 城镇职工 + 农民工 合计 {sources} {unit}，两者应相等",
                        "同一批拖欠按企业类型和按用工来源各分一次，合计相同",
                    )
                )
        for attr, label, unit in _FIGURES:
            part = getattr(by_source.migrant_construction, attr)
            whole = getattr(by_source.migrant, attr)
            if part > whole:
                findings.append(
                    Finding(
                        ("用工来源", "其中建筑业农民工", label),
                        f"其中建筑业农民工的{label} {part} {unit} 大于农民工的 {whole} {unit}",
                        "不超过农民工一行的数",
                    )
                )
        for group, rows in (("企业类型", by_type), ("用工来源", by_source)):
            for alias, field in ((f.alias, name) for name, f in type(rows).model_fields.items()):
                row = getattr(rows, field)
                has_amount, has_ent, has_persons = row.arrears > 0, row.enterprises > 0, row.persons > 0
                if has_amount != has_persons or (group == "企业类型" and has_amount != has_ent):
                    findings.append(
                        Finding(
                            (group, alias),
                            f"{alias}一行的拖欠数额、涉及企业数、涉及人数有的为 0 有的不为 0",
                            "请核对",
                            "warning",
                        )
                    )
                elif row.enterprises > row.persons:
                    findings.append(
                        Finding((group, alias), f"{alias}一行的涉及企业数多于涉及人数", "请核对", "warning")
                    )
        if self.sent_on is not None and self.sent_on < self.day:
            findings.append(Finding(("报出日期",), "报出日期早于周报的时间", "不早于 时间", "warning"))
        _raise_findings(findings)
        self._warnings = findings
        return self


# ---------------------------------------------------------------- keys, for messages


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation (Optional/list/Annotated unwrapped), if any."""
    if isinstance(annotation, type) and get_origin(annotation) is None and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None or get_args(annotation):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


@cache
def _children(model: type[BaseModel]) -> dict[str, tuple[type[BaseModel] | None, FieldInfo]]:
    out: dict[str, tuple[type[BaseModel] | None, FieldInfo]] = {}
    for name, info in model.model_fields.items():
        out[info.alias or name] = (_model_in(info.annotation), info)
    return out


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        entry = _children(current).get(part)
        current = entry[0] if entry else None
    return current


def known_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The Chinese keys allowed in the mapping at *loc* of a *model* record.

    Args:
        model: the record's model (Worker, WeeklyReport, Unit, Campaign).
        loc: the path of the mapping (keys and list indexes), ``()`` for the file itself.

    Returns:
        The keys in declaration order ([] when *loc* is not a mapping of a model).
    """
    current = _model_at(model, loc)
    return list(_children(current)) if current is not None else []


def field_description(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """The Chinese description of the field at *loc* (what to type there), or ""."""
    if not loc or not isinstance(loc[-1], str):
        return ""
    parent = _model_at(model, loc[:-1])
    entry = _children(parent).get(loc[-1]) if parent is not None else None
    return (entry[1].description or "") if entry else ""
