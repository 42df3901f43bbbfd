"""Dates as typed in the records, and dates as printed on the forms.

Accepted forms (records.md, "Values"): ``2011-12-02``, ``2011.12.2``, ``2011/12/2`` and
``2011年12月2日``, with spaces anywhere and full-width digits; also ``20111202`` (eight
digits, as a spreadsheet or YAML integer may hold it). Printed form: ``2012年1月6日``
(babel, CLDR ``long`` format of zh_CN), weekdays ``星期五``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta

from babel.dates import format_date

from formkit.domain.vocab import Weekday
from formkit.errors import DateError

__all__ = [
    "ACCEPTED_FORMS",
    "age_on",
    "date_parts",
    "format_date_zh",
    "parse_date",
    "report_days",
    "weekday_zh",
]

#: Shown in every DateError so the clerk knows what to type.
ACCEPTED_FORMS = "2011-12-02、2011.12.2、2011/12/2 或 2011年12月2日"

_PATTERNS = (
    re.compile(r"(\d{4})([-./])(\d{1,2})\2(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_LOCALE = "zh_CN"


def _refuse(fault: str) -> DateError:
    """*fault*, then how to write a date (:attr:`DateError.fault` is *fault* alone)."""
    return DateError(f"{fault}；应写成 {ACCEPTED_FORMS}", fault)


def _shown(text: str) -> str:
    """The typed text for a message, unless it may be an ID or phone number."""
    if len(text) > 24 or re.search(r"\d{9}", text):
        return ""
    return f"“{text}”"


def _build(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        pass
    if 1 <= month <= 12:
        days = calendar.monthrange(year, month)[1]
        reason = f"{year}年{month}月只有 {days} 天"
    else:
        reason = "月份应为 1–12"
    raise DateError(f"日期{_shown(text)}不存在（{reason}）")


def parse_date(value: str | date | datetime | int) -> date:
    """Return the date a record's field means.

    Args:
        value: text in one of :data:`ACCEPTED_FORMS` (spaces and full-width digits allowed)
            or ``YYYYMMDD``; a ``date``; a ``datetime`` (its date is taken); an int of the
            form ``YYYYMMDD`` (what YAML makes of ``20111202``).

    Returns:
        The date.

    Raises:
        DateError: not one of the accepted forms (the message names them), or a day that
            does not exist (``2011-02-30``). The message never repeats a long digit string,
            so a misplaced ID number is not echoed.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DateError(f"日期应写成 {ACCEPTED_FORMS}", "不是日期")
    text = str(value)
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    for pattern in _PATTERNS:
        match = pattern.fullmatch(compact)
        if match:
            numbers = [int(group) for group in match.groups() if group.isdigit()]
            return _build(numbers[0], numbers[1], numbers[2], compact)
    if not compact:
        raise _refuse("日期为空")
    raise _refuse(f"无法识别的日期{_shown(text.strip())}")


def format_date_zh(d: date | None) -> str:
    """Return ``'2012年1月6日'`` (babel ``long`` format, locale zh_CN); ``''`` for None."""
    if d is None:
        return ""
    return format_date(d, "long", locale=_LOCALE)


def weekday_zh(d: date) -> str:
    """Return the weekday in Chinese, e.g. ``'星期五'`` (babel, locale zh_CN)."""
    return format_date(d, "EEEE", locale=_LOCALE)


def date_parts(d: date | None) -> tuple[str, str, str]:
    """Return year, month and day as printed in a form's 年 月 日 blanks.

    Returns:
        ``('2012', '1', '6')`` without leading zeros; ``('', '', '')`` for None.
    """
    if d is None:
        return ("", "", "")
    return (str(d.year), str(d.month), str(d.day))


def report_days(start: date, end: date, weekday: str = "星期五") -> list[date]:
    """Every ``weekday`` from ``start`` to ``end``, both included: the 周报日 of 附件4 (通知四.3:
    "于每周五上报"). The one list of report days every part of formkit uses
    (:attr:`formkit.domain.models.Campaign.report_days`).

    2011-12-01..2012-01-22 gives the 8 Fridays 2011-12-02 … 2012-01-20; an empty list when
    ``end`` is before ``start``.

    Args:
        start, end: 周报起止.
        weekday: 周报日, ``星期一`` … ``星期日``.

    Raises:
        ValueError: ``weekday`` is not a weekday's name.
    """
    target = Weekday(weekday).weekday_number
    first = start + timedelta(days=(target - start.weekday()) % 7)
    count = (end - first).days // 7 + 1 if first <= end else 0
    return [first + timedelta(weeks=n) for n in range(count)]


def age_on(birth: date, day: date) -> int:
    """Return the age in full years on ``day`` (someone born 29 February turns a year
    older on 1 March in common years).

    Raises:
        DateError: day is before birth.
    """
    if day < birth:
        raise DateError(f"日期 {format_date_zh(day)} 早于出生日期")
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
