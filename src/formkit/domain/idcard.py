"""居民身份证号码 (citizen identification number) per GB 11643-1999.

An 18-character number is 6 digits of address code (GB/T 2260), 8 of birth date
(YYYYMMDD), 3 of sequence code (odd for men, even for women) and one check digit
(ISO 7064 MOD 11-2, ``X`` for 10). A 15-digit number is the older form of GB 11643-1989
(birth date YYMMDD in the 1900s, no check digit); it converts to 18 by inserting ``19``
before the year and appending the check digit.

python-stdnum's ``cn.ric`` serves for two things only: its check digit
(:func:`stdnum.cn.ric.calc_check_digit`) and its table of address codes, old ones
included. Its ``validate()`` is not used: it refuses a number whose district code was
created after the holder's birth, yet people keep the number issued to them later (a
350203 number of someone born 1968 is real), and codes abolished in 2003 (350202 鼓浪屿区,
350204 开元区) stay on their holders' cards. So an address code is accepted when it
appears anywhere in the code history, whatever the years.

Full numbers never appear in an error message: the messages name at most the address code
or the birth date digits, and the expected check digit. Use :func:`formkit.domain.privacy.mask_id` and
:func:`~formkit.domain.privacy.mask_phone` for anything printed to a log or screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from stdnum.cn.ric import calc_check_digit

from formkit.domain.dates import age_on as _age_on
from formkit.domain.privacy import fold_number, mask_id
from formkit.errors import IDNumberError

__all__ = [
    "IDNumber",
    "check_digit",
    "normalize_id_number",
    "parse_id_number",
]

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?E[+-]?\d+")
_CENTENARIAN = ("996", "997", "998", "999")
_MIN_BIRTH = date(1900, 1, 1)


def normalize_id_number(value: str | int) -> str:
    """Return the number as typed, folded to plain characters; no check is made.

    NFKC folds full-width digits and letters and Ⅹ (U+2169) to ASCII; spaces (including
    no-break spaces), tabs, zero-width characters, a BOM and hyphens/dashes are removed;
    ``x`` becomes ``X``; a trailing ``.0`` left by a spreadsheet's number cell is dropped
    (``350203750815124.0``). An int (YAML's reading of a number without ``X``) is taken
    as its digits.

    Args:
        value: the number as typed or pasted, or an int.

    Returns:
        The folded text, e.g. ``'35021119830614109X'`` (possibly still invalid).

    Raises:
        IDNumberError: value is neither text nor a number (e.g. a bool or None).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise IDNumberError("身份证号应为 15 或 18 位号码（文字），不是是/否或空值")
    return fold_number(value)


def check_digit(first17: str) -> str:
    """Return the GB 11643-1999 check digit (``'0'``–``'9'`` or ``'X'``) of 17 digits.

    Uses :func:`stdnum.cn.ric.calc_check_digit` (ISO 7064 MOD 11-2).
    """
    return calc_check_digit(first17 + "0")


@cache
def _address_problem(code: str) -> str | None:
    """Why a 6-digit address code is unknown to GB/T 2260's history, or None."""
    from stdnum import numdb

    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    if "province" not in info:
        return f"地址码前两位 {code[:2]} 不是任何省、自治区、直辖市的代码"
    if "county" not in info:
        return f"地址码 {code} 不在 GB/T 2260 行政区划代码（含历史代码）中"
    return None


@dataclass(frozen=True, repr=False)
class IDNumber:
    """A checked 居民身份证号码 (GB 11643-1999).

    Attributes:
        number: the 18-character form (a 15-digit number converted).
        legacy15: the 15-digit number as typed, or None.
        birth_date: from the birth date digits (7th–14th of the 18).
        sex: ``'男'`` (odd 17th digit) or ``'女'`` (even).
        warning: a Chinese note for the clerk when the number is valid but worth a look
            (15-digit sequence 996–999; 18 digits ending in 000), else None.
    """

    number: str
    legacy15: str | None
    birth_date: date
    sex: str
    warning: str | None = None

    def age_on(self, day: date) -> int:
        """Return the age in full years on ``day`` (附件2 年龄: on 活动.上报截止)."""
        return _age_on(self.birth_date, day)

    @property
    def masked(self) -> str:
        """The 18-character number masked: ``'350203********1232'``."""
        return mask_id(self.number)

    @property
    def address_code(self) -> str:
        """The 6-digit address code (GB/T 2260)."""
        return self.number[:6]

    def __repr__(self) -> str:  # never the full number
        return f"IDNumber({self.masked!r}, sex={self.sex!r})"

    def __str__(self) -> str:
        return self.number


def _structure(text: str) -> None:
    if not text:
        raise IDNumberError("身份证号为空")
    if _SCIENTIFIC.fullmatch(text):
        raise IDNumberError("身份证号被表格软件变成了科学计数法（如 3.5E+17），后几位已经丢失；请把该列设为“文本”后重新输入完整号码")
    wrong = sorted({ch for ch in text if ch not in "0123456789X"})
    if wrong:
        listed = "、".join(f"“{ch}”" for ch in wrong)
        raise IDNumberError(f"身份证号含有不允许的字符 {listed}；只能是数字，18 位号码的最后一位可以是 X")
    if "X" in text[:-1]:
        raise IDNumberError("X 只能是 18 位号码的最后一位（校验码）")
    if len(text) not in (15, 18):
        raise IDNumberError(f"身份证号长度 {len(text)} 位，应为 15 或 18 位")
    if len(text) == 15 and text.endswith("X"):
        raise IDNumberError("15 位的旧号码没有校验码，不能以 X 结尾")


def parse_id_number(value: str | int, *, reference_date: date | None = None) -> IDNumber:
    """Check a 居民身份证号码 and return what it says (附件3 填表说明第3项, GB 11643-1999).

    The value is folded by :func:`normalize_id_number`; then length (15 or 18), address
    code (known to GB/T 2260, any year), birth date (exists, 1900 or later, not after
    ``reference_date``) and, for 18 characters, the check digit are checked. A 15-digit
    number is converted to 18.

    Args:
        value: the number as typed, pasted or read by YAML.
        reference_date: the day the record speaks of (e.g. 活动.上报截止); a birth date
            after it is refused. Defaults to today.

    Returns:
        The checked number.

    Raises:
        IDNumberError: with a Chinese message saying what is wrong (长度 17 位，应为 15 或
            18 位 / 出生日期不存在 / 校验码不符 / 地址码 … / 科学计数法 …). The message never
            contains the full number.
    """
    text = normalize_id_number(value)
    _structure(text)
    legacy15 = text if len(text) == 15 else None
    body = text[:6] + "19" + text[6:] if legacy15 else text[:17]
    number = body + check_digit(body) if legacy15 else text

    problem = _address_problem(number[:6])
    if problem:
        raise IDNumberError(problem)

    year, month, day = number[6:10], number[10:12], number[12:14]
    try:
        birth = date(int(year), int(month), int(day))
    except ValueError:
        raise IDNumberError(f"出生日期不存在：{year}年{month}月{day}日") from None
    if birth < _MIN_BIRTH:
        raise IDNumberError(f"出生日期 {year}年{month}月{day}日 早于 1900 年")
    reference = reference_date or date.today()
    if birth > reference:
        raise IDNumberError(
            f"出生日期 {birth.year}年{birth.month}月{birth.day}日 晚于 {reference.year}年{reference.month}月{reference.day}日"
        )

    if not legacy15:
        expected = check_digit(body)
        if text[17] != expected:
            raise IDNumberError(
                f"校验码不符：第 18 位是 {text[17]}，按 GB 11643-1999 计算应为 {expected}；"
                "任何一位抄错都会这样，请对照身份证原件核对整个号码，不要只改最后一位"
            )

    warning = None
    if legacy15 and legacy15[12:15] in _CENTENARIAN:
        warning = "15 位号码的顺序码 996–999 在 GB 11643-1989 中留给百岁以上老人：出生年份可能是 18xx 年，请核对"
    elif not legacy15 and number.endswith("000"):
        warning = "号码以 000 结尾：若是从表格的数字单元格复制的，末几位可能已被截断，请核对原件"
    sex = "男" if int(number[16]) % 2 else "女"
    return IDNumber(number=number, legacy15=legacy15, birth_date=birth, sex=sex, warning=warning)
