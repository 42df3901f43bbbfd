"""Tests of formkit.domain.amounts against tests/data/amounts.tsv and by properties."""

from __future__ import annotations

import csv
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formkit.domain.amounts import (
    STOP_MARK,
    amount_in_words,
    format_yuan,
    parse_yuan,
    voucher_boxes,
    words_to_amount,
)
from formkit.errors import AmountError, FormkitError

DATA = Path(__file__).parent / "data" / "amounts.tsv"
KINDS = {"out-of-range": "range", "negative": "negative", "more-than-2-decimals": "precision"}
OPTIONS = {
    "zheng": ("整", "正"),
    "ling_after_yuan": (False, True),
    "zheng_after_jiao": (True, False),
    "ling_yuan_prefix": (False, True),
    "ling_at_wan_yi": (True, False),
}


def _rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _value(text: str) -> object:
    """The tsv input: text as typed, or a Python float expression after ``py:``."""
    if text.startswith("py:"):
        value = eval(text[3:], {"__builtins__": {}})
        assert isinstance(value, float)
        return value
    return text


ROWS = _rows()
VALID = [r for r in ROWS if not r["standard"].startswith("!ERROR")]
ERRORS = [r for r in ROWS if r["standard"].startswith("!ERROR")]
WAN_YI = Decimal(10) ** 12


def _ids(rows: list[dict[str, str]]) -> list[str]:
    return [r["input"] for r in rows]


def test_golden_table_is_complete() -> None:
    assert len(ROWS) == 77
    assert len(ERRORS) == 9


@pytest.mark.parametrize("row", VALID, ids=_ids(VALID))
def test_standard_form(row: dict[str, str]) -> None:
    value = _value(row["input"])
    assert amount_in_words(value) == row["standard"]


@pytest.mark.parametrize("row", VALID, ids=_ids(VALID))
def test_every_alternate_is_reachable_and_nothing_else(row: dict[str, str]) -> None:
    value = _value(row["input"])
    produced = {amount_in_words(value, **dict(zip(OPTIONS, combo))) for combo in itertools.product(*OPTIONS.values())}
    expected = {row["standard"], *filter(None, row["alternates"].split("|"))}
    assert produced == expected


@pytest.mark.parametrize("row", VALID, ids=_ids(VALID))
def test_words_to_amount_reads_every_form(row: dict[str, str]) -> None:
    expected = parse_yuan(_value(row["input"]))
    for words in [row["standard"], *filter(None, row["alternates"].split("|"))]:
        assert words_to_amount(words) == expected
        assert words_to_amount("人民币" + words) == expected


@pytest.mark.parametrize("row", VALID, ids=_ids(VALID))
def test_voucher_boxes(row: dict[str, str]) -> None:
    value = _value(row["input"])
    if row["slots"] == "N/A":
        with pytest.raises(AmountError) as info:
            voucher_boxes(value)
        assert info.value.kind == "range"
        assert "仟" in str(info.value) and "9999.99" in str(info.value)
    else:
        assert voucher_boxes(value) == _with_stop_mark(row["slots"].split())


def _with_stop_mark(slots: list[str]) -> tuple[str, ...]:
    """The tsv's ``slots`` (``-``: a box above the highest digit) as the voucher prints them:
    the stop mark in the box just above the highest digit, the boxes further left blank."""
    above = slots.count("-")
    assert slots[:above] == ["-"] * above
    return tuple([""] * max(0, above - 1) + [STOP_MARK] * (above > 0) + slots[above:])


@pytest.mark.parametrize(
    ("amount", "marks"),
    [
        ("800", "⊗ 捌 零 零 零 零"),
        ("800.00", "⊗ 捌 零 零 零 零"),
        ("25", "- ⊗ 贰 伍 零 零"),
        ("0.05", "- - ⊗ 零 零 伍"),
        ("9,999.99", "玖 玖 玖 玖 玖 玖"),
        ("1000", "壹 零 零 零 零 零"),
        ("0", "- - ⊗ 零 零 零"),
    ],
)
def test_stop_mark_above_the_highest_digit(amount: str, marks: str) -> None:
    """The stop mark ⊗ sits in the box just above the highest digit; no box below it is blank."""
    boxes = voucher_boxes(amount)
    assert boxes == tuple("" if m == "-" else m for m in marks.split())
    assert boxes.count(STOP_MARK) <= 1
    if STOP_MARK in boxes:
        assert all(boxes[boxes.index(STOP_MARK) + 1 :]), "a box below the stop mark is blank"


@pytest.mark.parametrize("row", ERRORS, ids=_ids(ERRORS))
def test_refused_with_kind(row: dict[str, str]) -> None:
    kind = KINDS[row["standard"].removeprefix("!ERROR:")]
    value = _value(row["input"])
    for function in (parse_yuan, format_yuan, amount_in_words, voucher_boxes):
        with pytest.raises(AmountError) as info:
            function(value)  # type: ignore[operator]
        assert info.value.kind == kind
        assert isinstance(info.value, FormkitError) and isinstance(info.value, ValueError)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))  # Chinese message
    with pytest.raises(AmountError):
        amount_in_words(value)


def test_wan_yi_written_as_in_the_golden_cases() -> None:
    assert amount_in_words("1000000000000") == "壹万亿元整"
    assert amount_in_words("999999999999.99").startswith("玖仟玖佰玖拾玖亿")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1409.5", "1409.50"),
        ("1,409.50", "1409.50"),
        ("１４０９．５０", "1409.50"),
        ("  1409.50 ", "1409.50"),
        ("￥1409.50", "1409.50"),
        ("¥ 1,409.5", "1409.50"),
        ("１，４０９．５", "1409.50"),
        ("12,345,678.9", "12345678.90"),
        ("007", "7.00"),
        ("-0", "0.00"),
        ("1680.320", "1680.32"),
    ],
)
def test_parse_yuan_text(text: str, expected: str) -> None:
    assert parse_yuan(text) == Decimal(expected)
    assert format_yuan(text) == expected


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("", "format"),
        ("abc", "format"),
        ("14,09.50", "format"),
        ("1,4090.50", "format"),
        ("1.2.3", "format"),
        (".5", "format"),
        ("1e3", "format"),
        ("NaN", "format"),
        ("壹佰元", "format"),
        (True, "format"),
        (False, "format"),
        (None, "format"),
        (float("nan"), "format"),
        (float("inf"), "format"),
        (Decimal("NaN"), "format"),
        (-1, "negative"),
        (Decimal("-0.01"), "negative"),
        (-0.5, "negative"),
        (Decimal("0.001"), "precision"),
        (0.333, "precision"),
        (10**16, "range"),
        (Decimal("1E+30"), "range"),
    ],
)
def test_parse_yuan_refuses(value: object, kind: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_yuan(value)  # type: ignore[arg-type]
    assert info.value.kind == kind


def test_parse_yuan_types() -> None:
    assert parse_yuan(1409) == Decimal("1409.00")
    assert parse_yuan(Decimal("1409.5")) == Decimal("1409.50")
    assert parse_yuan(-0.0) == Decimal("0.00")
    assert str(parse_yuan("-0.00")) == "0.00"
    assert parse_yuan(0.1 + 0.2) == Decimal("0.30")
    assert parse_yuan(1234567.89 * 3) == Decimal("3703703.67")


def test_zheng_must_be_zheng() -> None:
    with pytest.raises(ValueError):
        amount_in_words("1", zheng="")


def test_words_to_amount_refuses_garbage() -> None:
    for text in ["", "整", "壹元贰", "壹佰元伍分角", "一百元", "壹元零零伍角"]:
        with pytest.raises(AmountError) as info:
            words_to_amount(text)
        assert info.value.kind == "format"


# --- properties --------------------------------------------------------------------

CENTS = st.integers(min_value=0, max_value=10**12 - 1)


def _yuan(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    cents=CENTS,
    combo=st.tuples(*(st.sampled_from(values) for values in OPTIONS.values())),
)
def test_round_trip(cents: int, combo: tuple[object, ...]) -> None:
    amount = _yuan(cents)
    words = amount_in_words(amount, **dict(zip(OPTIONS, combo)))  # type: ignore[arg-type]
    assert words_to_amount(words) == amount
    assert "零零" not in words
    assert not words.endswith("分整") and not words.endswith("分正")


@settings(derandomize=True, max_examples=100, deadline=None)
@given(cents=st.integers(min_value=10**12, max_value=10**18 - 1))
def test_round_trip_wan_yi(cents: int) -> None:
    amount = _yuan(cents)
    assert words_to_amount(amount_in_words(amount)) == amount


@settings(derandomize=True, max_examples=300, deadline=None)
@given(cents=st.integers(min_value=0, max_value=999_999))
def test_boxes_agree_with_figures(cents: int) -> None:
    amount = _yuan(cents)
    figures = format_yuan(amount)  # e.g. '25.00'
    digits = figures.replace(".", "").rjust(6)
    boxes = voucher_boxes(amount)
    for at, (box, figure) in enumerate(zip(boxes, digits)):
        if figure == " ":
            assert box == (STOP_MARK if digits[at + 1] != " " else "")
        else:
            assert box == "零壹贰叁肆伍陆柒捌玖"[int(figure)]
    assert boxes[3:] != ("", "", "")


@settings(derandomize=True, max_examples=200, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**12 - 1))
def test_figures_round_trip(cents: int) -> None:
    amount = _yuan(cents)
    text = format_yuan(amount)
    assert "," not in text and text.count(".") == 1 and len(text.split(".")[1]) == 2
    assert parse_yuan(text) == amount
    assert parse_yuan(f"{amount:,}") == amount
    assert parse_yuan(float(text)) == amount
