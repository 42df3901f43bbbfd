"""Tests of formkit.domain.dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formkit.domain.dates import (
    age_on,
    date_parts,
    format_date_zh,
    parse_date,
    report_days,
    weekday_zh,
)
from formkit.errors import DateError, FormkitError

DEC_2 = date(2011, 12, 2)


@pytest.mark.parametrize(
    "value",
    [
        "2011-12-02",
        "2011-12-2",
        "2011.12.2",
        "2011.12.02",
        "2011/12/2",
        "2011年12月2日",
        "2011年12月02日",
        "2011 年 12 月 2 日",
        " 2011-12-02 ",
        "２０１１年１２月２日",
        "２０１１．１２．０２",
        "20111202",
        20111202,
        DEC_2,
        datetime(2011, 12, 2, 15, 30),
    ],
)
def test_parse_date_accepted_forms(value: object) -> None:
    result = parse_date(value)  # type: ignore[arg-type]
    assert result == DEC_2
    assert type(result) is date


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "2011-12",
        "12/2/2011",
        "2011-12/02",
        "11-12-02",
        "2011年12月",
        "二〇一一年十二月二日",
        "2011-12-02T00:00",
        "明天",
        2011,
        True,
        None,
        1.5,
    ],
)
def test_parse_date_refuses_other_forms(value: object) -> None:
    with pytest.raises(DateError) as info:
        parse_date(value)  # type: ignore[arg-type]
    message = str(info.value)
    assert "2011-12-02" in message and "2011年12月2日" in message
    assert isinstance(info.value, FormkitError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("2011-02-29", "28"),
        ("2012-02-30", "29"),
        ("2011年4月31日", "30"),
        ("2011.13.01", "1–12"),
        ("2011/00/10", "1–12"),
        ("2011-12-00", "31"),
    ],
)
def test_parse_date_refuses_days_that_do_not_exist(value: str, hint: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(value)
    assert "不存在" in str(info.value)
    assert hint in str(info.value)


def test_error_does_not_echo_a_long_number() -> None:
    with pytest.raises(DateError) as info:
        parse_date("350203197508151232")
    assert "151232" not in str(info.value)


def test_leap_day_accepted() -> None:
    assert parse_date("2012-02-29") == date(2012, 2, 29)
    assert parse_date("2000/2/29") == date(2000, 2, 29)


def test_format_date_zh() -> None:
    assert format_date_zh(date(2012, 1, 6)) == "2012年1月6日"
    assert format_date_zh(date(2011, 12, 31)) == "2011年12月31日"
    assert format_date_zh(None) == ""


def test_weekday_zh() -> None:
    assert weekday_zh(date(2012, 1, 6)) == "星期五"
    assert weekday_zh(date(2011, 12, 31)) == "星期六"
    assert weekday_zh(date(2012, 1, 1)) == "星期日"


def test_date_parts() -> None:
    assert date_parts(date(2012, 1, 6)) == ("2012", "1", "6")
    assert date_parts(date(2011, 12, 31)) == ("2011", "12", "31")
    assert date_parts(None) == ("", "", "")


def test_fridays_of_the_campaign() -> None:
    result = report_days(date(2011, 12, 1), date(2012, 1, 22))
    assert len(result) == 8
    assert result[0] == date(2011, 12, 2)
    assert result[-1] == date(2012, 1, 20)
    assert all(weekday_zh(d) == "星期五" for d in result)


def test_fridays_edges() -> None:
    friday = date(2011, 12, 2)
    assert report_days(friday, friday) == [friday]
    assert report_days(date(2011, 12, 3), date(2011, 12, 8)) == []
    assert report_days(date(2011, 12, 9), date(2011, 12, 1)) == []


@settings(derandomize=True, max_examples=100, deadline=None)
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    span=st.integers(min_value=0, max_value=120),
)
def test_fridays_matches_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    expected = [start + timedelta(days=n) for n in range(span + 1)]
    assert report_days(start, end) == [d for d in expected if d.isoweekday() == 5]


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(1975, 8, 15), date(2012, 1, 6), 36),
        (date(1982, 1, 7), date(2012, 1, 6), 29),
        (date(1982, 1, 6), date(2012, 1, 6), 30),
        (date(1984, 2, 29), date(2012, 1, 6), 27),
        (date(1984, 2, 29), date(2011, 2, 28), 26),
        (date(1984, 2, 29), date(2011, 3, 1), 27),
        (date(1984, 2, 29), date(2012, 2, 29), 28),
        (date(2012, 1, 6), date(2012, 1, 6), 0),
    ],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_age_on_before_birth() -> None:
    with pytest.raises(DateError):
        age_on(date(2012, 1, 7), date(2012, 1, 6))


@settings(derandomize=True, max_examples=100, deadline=None)
@given(d=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_printed_forms_parse_back(d: date) -> None:
    assert parse_date(format_date_zh(d)) == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(".".join(date_parts(d))) == d
    assert parse_date("/".join(date_parts(d))) == d
