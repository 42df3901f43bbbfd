"""Tests of formkit.domain.idcard against tests/data/idcards.tsv (all numbers fictional)."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formkit.domain.idcard import (
    IDNumber,
    check_digit,
    normalize_id_number,
    parse_id_number,
)
from formkit.domain.privacy import mask_id, mask_phone
from formkit.errors import FormkitError, IDNumberError

DATA = Path(__file__).parent / "data" / "idcards.tsv"
DEADLINE = date(2012, 1, 6)  # 活动.上报截止 of 厦工[2011]104号
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # GB 11643-1999 Wi


def _rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _rows()
VALID = [r for r in ROWS if r["valid"] == "yes"]
INVALID = [r for r in ROWS if r["valid"] == "no"]


def _ids(rows: list[dict[str, str]]) -> list[str]:
    return [f"{n}:{r['reason'][:40]}" for n, r in enumerate(rows)]


def _gb_check_digit(first17: str) -> str:
    """The check digit computed from the standard's own weights (independent of stdnum)."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return "10X98765432"[total % 11]


def _assert_no_number(message: str, *numbers: str) -> None:
    for number in numbers:
        digits = re.sub(r"\D", "", number)
        if len(digits) >= 11:
            assert digits not in message
    assert not re.search(r"\d{7}", message), message  # at most an address code / a date part


def test_golden_table_is_complete() -> None:
    assert len(ROWS) == 44
    assert len(VALID) == 26


@pytest.mark.parametrize("row", VALID, ids=_ids(VALID))
def test_valid_rows(row: dict[str, str]) -> None:
    result = parse_id_number(row["input"], reference_date=DEADLINE)
    assert result.number == row["normalized_18"]
    assert result.sex == row["sex"]
    assert result.birth_date == date.fromisoformat(row["birth_date"])
    assert result.age_on(DEADLINE) == int(row["age_at_2012-01-06"])
    assert result.number[-1] == _gb_check_digit(result.number[:17])
    assert (result.warning is not None) == ("WARNING" in row["reason"])
    if "15-digit legacy" in row["reason"]:
        assert result.legacy15 is not None and len(result.legacy15) == 15
        assert result.number == result.legacy15[:6] + "19" + result.legacy15[6:] + result.number[-1]
    else:
        assert result.legacy15 is None
    assert result.masked == result.number[:6] + "*" * 8 + result.number[-4:]
    assert result.address_code == row["normalized_18"][:6]
    assert result.number not in repr(result)


def _expected_fragments(reason: str) -> list[str]:
    if reason.startswith("invalid birth date"):
        return ["出生日期不存在"]
    if reason.startswith("checksum mismatch"):
        expected = re.search(r"expected (\w)", reason)
        assert expected
        return ["校验码不符", f"应为 {expected.group(1)}"]
    if reason.startswith("wrong length"):
        length = reason.split()[2]
        return [f"长度 {length} 位，应为 15 或 18 位"]
    table = {
        "empty": ["为空"],
        "X only": ["X", "最后一位"],
        "birth date 2012-01-07 after": ["出生日期", "晚于"],
        "birth date before 1900": ["出生日期", "1900"],
        "non-digit": ["字符", "“身”", "“:”"],
        "Excel/float scientific": ["科学计数法", "文本"],
        "address code": ["地址码", "350207"],
        "province code": ["地址码", "99"],
    }
    for prefix, fragments in table.items():
        if reason.startswith(prefix):
            return fragments
    raise AssertionError(f"reason not mapped: {reason}")


@pytest.mark.parametrize("row", INVALID, ids=_ids(INVALID))
def test_invalid_rows(row: dict[str, str]) -> None:
    with pytest.raises(IDNumberError) as info:
        parse_id_number(row["input"], reference_date=DEADLINE)
    message = str(info.value)
    for fragment in _expected_fragments(row["reason"]):
        assert fragment in message
    _assert_no_number(message, row["input"], normalize_id_number(row["input"]))
    assert isinstance(info.value, FormkitError) and isinstance(info.value, ValueError)


def test_reference_date_defaults_to_today() -> None:
    # born 2012-01-07: after the deadline, but long past today
    assert parse_id_number("350203201201071915").birth_date == date(2012, 1, 7)
    tomorrow = date.today() + timedelta(days=1)
    body = f"350203{tomorrow:%Y%m%d}191"
    with pytest.raises(IDNumberError, match="晚于"):
        parse_id_number(body + _gb_check_digit(body))


def test_int_and_float_cells() -> None:
    assert parse_id_number(350203197508151232).number == "350203197508151232"
    assert parse_id_number(350203750815124).legacy15 == "350203750815124"
    assert parse_id_number(350203750815124.0).number == "350203197508151240"
    with pytest.raises(IDNumberError, match="科学计数法"):
        parse_id_number(350203197508151232.0)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("35021119830614109x", "35021119830614109X"),
        ("３５０２１１１９８３０６１４１０９ｘ", "35021119830614109X"),
        ("35021119830614109ⅹ", "35021119830614109X"),
        ("\t350211 19830614 109X\n", "35021119830614109X"),
        ("350211\u201319830614\u2014109X", "35021119830614109X"),
        ("350211\u00ad19830614109X", "35021119830614109X"),
        ("350203750815124.0", "350203750815124"),
        ("350203197508151232.5", "350203197508151232.5"),
        (350203750815124, "350203750815124"),
        ("", ""),
    ],
)
def test_normalize_id_number(typed: str | int, folded: str) -> None:
    assert normalize_id_number(typed) == folded


@pytest.mark.parametrize("value", [None, True, 3.5j, b"350203197508151232"])
def test_not_text_refused(value: object) -> None:
    with pytest.raises(IDNumberError):
        parse_id_number(value)  # type: ignore[arg-type]


def test_fifteen_digits_ending_in_x() -> None:
    with pytest.raises(IDNumberError, match="15"):
        parse_id_number("35020375081512X")


def test_check_digit_agrees_with_the_standard() -> None:
    for first17 in ["35020319750815123", "35021119830614109", "11010119700101219", "0" * 17]:
        assert check_digit(first17) == _gb_check_digit(first17)


def test_mask_id() -> None:
    assert mask_id("350203197508151232") == "350203********1232"
    assert mask_id("3502 0319 7508 1512 32") == "350203********1232"
    assert mask_id("350203750815124") == "350203*****5124"
    assert mask_id("") == ""


@pytest.mark.parametrize("length", range(1, 41))
def test_mask_id_never_reveals_much(length: int) -> None:
    text = "".join(str(n % 10) for n in range(1, length + 1))
    masked = mask_id(text)
    assert len(masked) == length
    revealed = len(masked) - masked.count("*")
    assert revealed <= 10
    assert revealed <= (2 * length) // 3
    assert masked.count("*") >= 1


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("0592-1234567") == "059****4567"
    assert mask_phone("5123456") == "*****56"
    assert mask_phone("") == ""


# --- properties --------------------------------------------------------------------

CODES = ["350203", "350206", "350211", "350221", "350202", "110101"]


@st.composite
def id_numbers(draw: st.DrawFn) -> tuple[str, date, str]:
    code = draw(st.sampled_from(CODES))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=DEADLINE))
    sequence = draw(st.integers(min_value=0, max_value=995))
    body = f"{code}{birth:%Y%m%d}{sequence:03d}"
    return body + _gb_check_digit(body), birth, "男" if sequence % 2 else "女"


@settings(derandomize=True, max_examples=200, deadline=None)
@given(case=id_numbers())
def test_generated_numbers_parse(case: tuple[str, date, str]) -> None:
    number, birth, sex = case
    result = parse_id_number(number, reference_date=DEADLINE)
    assert (result.number, result.birth_date, result.sex) == (number, birth, sex)
    if birth.year < 2000:
        legacy = number[:6] + number[8:17]
        assert parse_id_number(legacy, reference_date=DEADLINE).number == number


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    case=id_numbers(),
    position=st.integers(min_value=0, max_value=17),
    shift=st.integers(min_value=1, max_value=9),
)
def test_one_wrong_digit_is_refused_without_revealing(case: tuple[str, date, str], position: int, shift: int) -> None:
    number = case[0]
    old = number[position]
    digit = 10 if old == "X" else int(old)
    new = str((digit + shift) % 11) if position == 17 else str((digit + shift) % 10)
    new = "X" if new == "10" else new
    typo = number[:position] + new + number[position + 1 :]
    with pytest.raises(IDNumberError) as info:
        parse_id_number(typo, reference_date=DEADLINE)
    _assert_no_number(str(info.value), number, typo)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789X -.x", max_size=25))
def test_any_text_either_parses_or_errs_safely(text: str) -> None:
    try:
        result = parse_id_number(text, reference_date=DEADLINE)
    except IDNumberError as error:
        _assert_no_number(str(error), text)
    else:
        assert isinstance(result, IDNumber)
        assert len(result.number) == 18
