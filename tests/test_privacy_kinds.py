"""The masker recognises what it masks (issue 15): amounts, dates and counts are never masked,
however long; ID and phone numbers always are. (``资助金额 100000000 元`` was shown as
``100****0000``.)"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from formkit.domain.privacy import scrub_numbers

#: Digits long enough to be masked as a phone number (10 to 14 digits). Longer runs have the
#: length of an ID number and are masked whatever follows them (an ID typed before 元 is
#: still an ID; no amount formkit accepts has 15 digits: amounts.amount_in_words stops at 12).
LONG = st.integers(10**9, 10**14 - 1).map(str)
UNITS = st.sampled_from(["元", " 元", "万元", "万", "人", "户", "名"])
MOBILE_PREFIXES = {f"1{d}" for d in "3456789"}


@given(LONG, UNITS)
def test_an_amount_or_a_count_before_its_unit_is_not_masked(digits: str, unit: str) -> None:
    if len(digits) == 11 and digits[:2] in MOBILE_PREFIXES:
        return  # shaped like a mobile number: masked whatever follows (covered below)
    text = f"资助金额 {digits}{unit}填不进凭证的大写金额格"
    assert scrub_numbers(text) == text


@given(LONG, st.sampled_from(["￥", "¥", "人民币", "RMB "]))
def test_an_amount_after_a_currency_sign_is_not_masked(digits: str, sign: str) -> None:
    text = f"合计 {sign}{digits}"
    assert scrub_numbers(text) == text


@given(LONG, st.integers(0, 99))
def test_an_amount_with_two_decimals_is_not_masked(digits: str, cents: int) -> None:
    text = f"资助金额 {digits}.{cents:02d} 填不进"
    assert scrub_numbers(text) == text


@given(st.dates())
def test_dates_are_not_masked(day) -> None:  # type: ignore[no-untyped-def]
    for text in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日", f"{day.isoformat()} {day.isoformat()}"):
        assert scrub_numbers(f"发放日期 {text} 晚于截止日") == f"发放日期 {text} 晚于截止日"


def test_the_amount_of_the_issue_is_shown_as_typed() -> None:
    assert scrub_numbers("资助金额 100000000 元填不进凭证的大写金额格") == "资助金额 100000000 元填不进凭证的大写金额格"
    assert scrub_numbers("资助金额 100000000.00 元") == "资助金额 100000000.00 元"


def test_id_and_phone_numbers_are_masked_even_before_a_unit() -> None:
    assert "350203196205142107" not in scrub_numbers("身份证号 350203196205142107 人")
    assert "13812345678" not in scrub_numbers("电话 13812345678 人")
    assert scrub_numbers("电话 13812345678") == "电话 138****5678"
