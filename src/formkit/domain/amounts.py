"""Yuan amounts: exact parsing, 大写金额 and the voucher's six digit boxes.

Money is kept as :class:`decimal.Decimal` yuan quantized to 0.01 (分). Text is parsed as a
decimal, never through a binary float, and an amount with more than two decimals, a
negative amount or one out of range is refused with :class:`~formkit.errors.AmountError`,
never rounded or truncated silently.

Rules for 大写金额: 中国人民银行《正确填写票据和结算凭证的基本规定》(1997, annex to 《支付结算办法》,
cited below as PBOC 二 / 四(一)–(四)) and 财政部《会计基础工作规范》第五十二条 (MOF §52). Where the
two differ the default output satisfies both:

- 整 after 元 and after 角 (MOF §52(三)), never after 分 (PBOC 二);
- one 零 for a run of zeros between digits (PBOC 四(一)(二)), kept also when the run ends at
  a 万/亿 position (PBOC 四(三) allows either, MOF §52(五) reads "middle 0 -> 零");
- 零 after 元 when 角 is 0 and 分 is not (PBOC 四(四)); optional otherwise (PBOC 四(三));
- 壹拾 at the start (壹拾万, not 拾万), as in PBOC's own example.

Keyword options of :func:`amount_in_words` select the other conventions those rules allow.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from formkit.errors import AmountError

__all__ = [
    "MAX_YUAN",
    "STOP_MARK",
    "VOUCHER_LIMIT",
    "WAN_YI",
    "amount_in_words",
    "format_yuan",
    "parse_yuan",
    "ungrouped",
    "voucher_boxes",
    "words_to_amount",
]

CENT = Decimal("0.01")
#: parse_yuan refuses amounts of 17 integer digits or more (1 亿亿).
MAX_YUAN = Decimal(10) ** 16
#: 1 万亿 yuan: from here on the amount is written with 万亿 (壹万亿元整).
WAN_YI = Decimal(10) ** 12
#: The voucher's boxes go up to 仟: amounts must be below 10000 yuan.
VOUCHER_LIMIT = Decimal(10000)
#: The stop mark written in the 大写 box just above an amount's highest digit (附件1).
STOP_MARK = "\u2297"  # ⊗

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
#: Positions (power of ten) that end a section and carry 万 or 亿.
_SECTION_UNITS = {4: "万", 8: "亿", 12: "万"}

#: A decimal number as typed: its integer part plain (1409) or grouped by thousands
#: separators, a comma every three digits from the point (1,409 and 12,345,678; not 14,09).
_NUMBER_RE = re.compile(r"(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?")
_FLOAT_NOISE_ULPS = 8  # ulps of float noise tolerated around a whole cent


def _refuse(message: str, kind: str) -> AmountError:
    return AmountError(message, kind)


def _check_range(value: Decimal) -> Decimal:
    if value < 0:
        raise _refuse(f"金额不能为负数（{value}）", "negative")
    if value >= MAX_YUAN:
        raise _refuse("金额过大：整数部分不能超过 16 位", "range")
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise _refuse(f"金额最多两位小数（到分），不能是 {value}；请核对，不会自动四舍五入", "precision")
    value = value.quantize(CENT)
    return Decimal("0.00") if value == 0 else value  # no "-0.00"


def _from_float(value: float) -> Decimal:
    if not math.isfinite(value):
        raise _refuse(f"金额不是有效数字（{value}）", "format")
    exact = Decimal(repr(value))
    if exact < 0:
        raise _refuse(f"金额不能为负数（{value!r}）", "negative")
    if exact >= MAX_YUAN:
        raise _refuse("金额过大：整数部分不能超过 16 位", "range")
    cent = exact.quantize(CENT)
    slack = max(Decimal("1e-9"), Decimal(math.ulp(value)) * _FLOAT_NOISE_ULPS)
    if abs(exact - cent) > slack:
        raise _refuse(f"金额最多两位小数（到分），不能是 {value!r}；请核对，不会自动四舍五入", "precision")
    return _check_range(cent)


def ungrouped(text: str) -> str | None:
    """*text*, a decimal number as typed, without its thousands separators: ``'1,280.5'`` →
    ``'1280.5'``, ``'1280.5'`` unchanged; None when it is not a decimal number or its commas
    are misplaced (``'12,80'``, ``'1,2805'``). The one comma rule of every amount, in yuan
    (:func:`parse_yuan`) and in 万元 (附件4's 拖欠数额).

    Args:
        text: the number, NFKC-folded (a full-width ``，`` is a comma) and stripped.
    """
    match = _NUMBER_RE.fullmatch(text)
    if match is None:
        return None
    return match["sign"] + match["int"].replace(",", "") + (match["frac"] or "")


def parse_yuan(value: str | int | float | Decimal) -> Decimal:
    """Return an amount in yuan as an exact Decimal quantized to 0.01 (分).

    Text is read as a decimal number: surrounding spaces, full-width digits and punctuation
    (NFKC), a leading ``￥``/``¥`` and correctly grouped thousands separators
    (``1,409.50``) are accepted. Extra decimal zeros are fine (``1680.320``); leading zeros
    are ignored (``007``); ``-0`` is zero.

    A binary float is accepted only when it lies within float rounding noise of a whole
    cent (``0.1+0.2`` means 0.30, ``4.35*100`` means 435.00); any other float is refused
    (golden case rule ``py:`` in tests/data/amounts.tsv).

    Args:
        value: the amount in yuan as typed (str), or an int, float or Decimal.

    Returns:
        The amount in yuan, e.g. ``Decimal('1409.50')``; zero is ``Decimal('0.00')``.

    Raises:
        AmountError: kind ``"negative"`` (below zero), ``"precision"`` (more than two
            decimals), ``"format"`` (not a number, or a bool), ``"range"`` (17 integer
            digits or more). Never rounds or truncates.
    """
    if isinstance(value, bool):
        raise _refuse("金额不能是布尔值（是/否），请填写数字", "format")
    if isinstance(value, int):
        return _check_range(Decimal(value))
    if isinstance(value, float):
        return _from_float(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _refuse(f"金额不是有效数字（{value}）", "format")
        return _check_range(value)
    if not isinstance(value, str):
        raise _refuse(f"金额应为数字，收到的是 {type(value).__name__}", "format")
    text = unicodedata.normalize("NFKC", value).strip()
    if text[:1] in ("¥", "￥"):
        text = text[1:].lstrip()
    plain = ungrouped(text)
    if plain is None:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise _refuse(f"金额“{shown}”不是数字；请写成 1409.50 这样的数字（可带 ￥ 和千位逗号）", "format")
    try:
        number = Decimal(plain)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise _refuse(f"金额“{text}”不是数字", "format") from exc
    return _check_range(number)


def format_yuan(value: str | int | float | Decimal) -> str:
    """Return the amount in figures with two decimals and no thousands separator.

    Args:
        value: an amount in yuan, as accepted by :func:`parse_yuan`.

    Returns:
        e.g. ``'1409.50'``, ``'0.00'`` (printed after ￥ on the voucher, 附件1).

    Raises:
        AmountError: as :func:`parse_yuan`.
    """
    return format(parse_yuan(value), "f")


def _integer_words(digits: str, *, ling_at_wan_yi: bool) -> str:
    """Words for a non-zero integer part given as its decimal digits (no leading zeros)."""
    top = len(digits) - 1
    out: list[str] = []
    lowest_zero: int | None = None  # lowest position of the pending run of zeros
    for index, char in enumerate(digits):
        position = top - index
        digit = int(char)
        if digit == 0:
            lowest_zero = position
        else:
            if lowest_zero is not None:
                # PBOC 四(三): a run ending at a 万/亿 position may drop its 零.
                if ling_at_wan_yi or lowest_zero not in _SECTION_UNITS:
                    out.append("零")
                lowest_zero = None
            out.append(DIGITS[digit] + _SMALL_UNITS[position % 4])
        if position in _SECTION_UNITS:
            # write 万/亿 when its section has a digit; 亿 also when the 万亿 section does
            section = digits[max(0, index - 3) : index + 1]
            if position == 8:
                section = digits[: index + 1]
            if section.strip("0"):
                out.append(_SECTION_UNITS[position])
    return "".join(out)


def amount_in_words(
    value: str | int | float | Decimal,
    *,
    zheng: str = "整",
    ling_after_yuan: bool = False,
    zheng_after_jiao: bool = True,
    ling_yuan_prefix: bool = False,
    ling_at_wan_yi: bool = True,
) -> str:
    """Return the 大写金额 of an amount, without the 人民币 prefix.

    The default is the form that satisfies both PBOC and MOF §52, e.g.
    ``'壹仟肆佰零玖元伍角整'``, ``'壹拾万零柒仟元伍角叁分'``, ``'零元整'``. The options select the
    other forms the rules allow (each alternate of tests/data/amounts.tsv is some
    combination of them):

    Args:
        value: an amount in yuan, as accepted by :func:`parse_yuan`.
        zheng: ``"整"`` (default) or ``"正"`` (PBOC 二 allows both) after 元 or 角.
        ling_after_yuan: write 零 after 元 when the 元 digit is 0 and 角 is not
            (``壹仟陆佰捌拾元零叁角贰分``, PBOC 四(三)). 零 after 元 when 角 is 0 and 分 is
            not is always written (PBOC 四(四)).
        zheng_after_jiao: write 整 after a final 角 (MOF §52(三); PBOC 二 makes it
            optional): ``伍角整`` vs ``伍角``.
        ling_yuan_prefix: start amounts below one yuan with 零元 (``零元伍角整``,
            ``零元零壹分``); the rules are silent, the default omits it.
        ling_at_wan_yi: keep the 零 of a zero run that ends at the 万 or 亿 position
            (``壹拾万零柒仟`` vs ``壹拾万柒仟``, PBOC 四(三) allows both). Other 零s are
            mandatory.

    Returns:
        The uppercase amount, e.g. ``'壹仟肆佰零玖元伍角整'``.

    Raises:
        AmountError: as :func:`parse_yuan` (which accepts up to 16 integer digits, written
            with 万亿 as in tests/data/amounts.tsv).
        ValueError: ``zheng`` is neither 整 nor 正.
    """
    if zheng not in ("整", "正"):
        raise ValueError(f"zheng must be 整 or 正, not {zheng!r}")
    amount = parse_yuan(value)
    whole, _, frac = format(amount, "f").partition(".")
    jiao, fen = int(frac[0]), int(frac[1])
    if whole == "0":
        if jiao == 0 and fen == 0:
            return "零元" + zheng
        text = "零元" if ling_yuan_prefix else ""
    else:
        text = _integer_words(whole, ling_at_wan_yi=ling_at_wan_yi) + "元"
    if jiao == 0 and fen == 0:
        return text + zheng
    if jiao:
        if ling_after_yuan and whole != "0" and whole.endswith("0"):
            text += "零"
        text += DIGITS[jiao] + "角"
        if fen == 0:
            return text + (zheng if zheng_after_jiao else "")
    elif text:
        text += "零"
    return text + DIGITS[fen] + "分"


def _section_value(text: str, source: str) -> int:
    """Value of words below 万 (digits with 拾佰仟, 零s ignored)."""
    total = 0
    pending: int | None = None
    units = {"拾": 10, "佰": 100, "仟": 1000}
    for char in text:
        if char == "零":
            continue
        if char in DIGITS:
            if pending is not None:
                raise _refuse(f"无法识别的大写金额“{source}”", "format")
            pending = DIGITS.index(char)
        elif char in units:
            total += (1 if pending is None else pending) * units[char]
            pending = None
        else:
            raise _refuse(f"大写金额“{source}”中有无法识别的字“{char}”", "format")
    return total + (pending or 0)


def _words_value(text: str, source: str) -> int:
    if "亿" in text:
        high, _, low = text.rpartition("亿")
        return _words_value(high, source) * 10**8 + _words_value(low, source)
    if "万" in text:
        high, _, low = text.rpartition("万")
        return _words_value(high, source) * 10**4 + _words_value(low, source)
    return _section_value(text, source)


def words_to_amount(text: str) -> Decimal:
    """Return the amount in yuan written by a 大写金额 (inverse of :func:`amount_in_words`).

    Accepts every form :func:`amount_in_words` can produce (整/正, optional 零s, 零元
    prefix), an optional 人民币 prefix, 圆 for 元, and spaces.

    Args:
        text: the uppercase amount, e.g. ``'壹仟肆佰零玖元伍角整'``.

    Returns:
        The amount, e.g. ``Decimal('1409.50')``.

    Raises:
        AmountError: kind ``"format"`` when the text is not a 大写金额.
    """
    source = text
    words = "".join(unicodedata.normalize("NFKC", text).split()).replace("圆", "元")
    words = words.removeprefix("人民币")
    if words[-1:] in ("整", "正"):
        words = words[:-1]
    if not words:
        raise _refuse("大写金额为空", "format")
    whole_words, has_yuan, rest = words.partition("元")
    if not has_yuan:
        whole_words, rest = "", words
    match = re.fullmatch(r"零?(?:([壹贰叁肆伍陆柒捌玖])角)?(?:零?([壹贰叁肆伍陆柒捌玖])分)?", rest)
    if match is None:
        raise _refuse(f"无法识别的大写金额“{source}”", "format")
    whole = _words_value(whole_words, source)
    jiao = DIGITS.index(match[1]) if match[1] else 0
    fen = DIGITS.index(match[2]) if match[2] else 0
    return (Decimal(whole) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(CENT)


def voucher_boxes(value: str | int | float | Decimal) -> tuple[str, str, str, str, str, str]:
    """Return the six marks written before the voucher's 仟 佰 拾 元 角 分 boxes (附件1).

    Every box from the amount's highest digit down holds a digit (``零`` for 0; the 元 box
    always counts as holding one); the box just above the highest digit holds the stop mark
    :data:`STOP_MARK` (``⊗``), so that nothing can be written in front of the amount
    (practice on slot forms, tests/data/amounts.tsv ``slots``: "在最高位前写停止符"); boxes
    further left stay blank (``''``). So 800.00 gives ``('⊗', '捌', '零', '零', '零', '零')``,
    25.00 ``('', '⊗', '贰', '伍', '零', '零')``, 0.05 ``('', '', '⊗', '零', '零', '伍')``
    and 9999.99 (a digit in every box) no stop mark.

    Args:
        value: an amount in yuan, as accepted by :func:`parse_yuan`.

    Returns:
        A 6-tuple of one-character strings or ``''``: 仟, 佰, 拾, 元, 角, 分.

    Raises:
        AmountError: as :func:`parse_yuan`; kind ``"range"`` for 10000 yuan or more, since
            the voucher's boxes only go up to 仟 (at most 9999.99 yuan).
    """
    amount = parse_yuan(value)
    if amount >= VOUCHER_LIMIT:
        raise _refuse(
            f"金额 {amount} 元超出凭证的大写金额格：格子只到仟位（最多 9999.99 元），请分开发放或改用其他凭证",
            "range",
        )
    whole, _, frac = format(amount, "f").partition(".")
    above = 4 - len(whole)
    boxes = [""] * above + [DIGITS[int(c)] for c in whole + frac]
    if above:
        boxes[above - 1] = STOP_MARK
    return (boxes[0], boxes[1], boxes[2], boxes[3], boxes[4], boxes[5])
