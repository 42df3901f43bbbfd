"""The schedule: the Fridays of 周报起止, the two deadlines, per-unit status and days left.

Expected dates are written out from the notice (§三.2, §四.3: 2011-12-01 … 2012-01-22, every
Friday; 2011-12-31; 2012-01-06); per-unit status is tested by deleting or changing records
in a copy of the sample folder.
"""

from __future__ import annotations

import shutil
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import RECORDS
from formkit.domain.dates import report_days
from formkit.errors import RecordsInvalid
from formkit.forms.schedule import (
    DUE_TODAY,
    FUND_DEADLINE,
    MISSING,
    PENDING,
    REPORT_DEADLINE,
    SUBMITTED,
    WEEKLY,
    days_left_text,
    display_width,
    format_schedule,
    schedule,
    schedule_text,
)
from formkit.records.load import load_records

DISTRICT = "思明区总工会"
INDUSTRY = "市建设工会工委"

#: The eight Fridays from 2011-12-01 to 2012-01-22 (notice §四.3), written out.
FRIDAYS = [
    date(2011, 12, 2),
    date(2011, 12, 9),
    date(2011, 12, 16),
    date(2011, 12, 23),
    date(2011, 12, 30),
    date(2012, 1, 6),
    date(2012, 1, 13),
    date(2012, 1, 20),
]


@pytest.fixture
def records_copy(tmp_path: Path) -> Path:
    """A private copy of the sample records (records/ itself is never modified)."""
    target = tmp_path / "records"
    shutil.copytree(RECORDS, target)
    return target


def weekly(rows):
    return [r for r in rows if r.kind == WEEKLY]


def row_on(rows, day, kind=WEEKLY):
    (row,) = [r for r in rows if r.due == day and r.kind == kind]
    return row


def test_the_eight_fridays_of_the_samples():
    rows = schedule(load_records(RECORDS), date(2011, 12, 1))
    days = [r.due for r in weekly(rows)]
    assert days == FRIDAYS
    assert all(d.weekday() == 4 for d in days)
    assert next(r.item for r in weekly(rows)).startswith("第1周") and weekly(rows)[-1].item.startswith("第8周")


def test_the_two_deadlines_and_their_order():
    rows = schedule(load_records(RECORDS), date(2011, 12, 1))
    assert row_on(rows, date(2011, 12, 31), FUND_DEADLINE)
    assert row_on(rows, date(2012, 1, 6), REPORT_DEADLINE)
    assert [r.due for r in rows] == sorted(r.due for r in rows)
    same_day = [r.kind for r in rows if r.due == date(2012, 1, 6)]
    assert same_day == [WEEKLY, REPORT_DEADLINE]
    assert len(rows) == 10


def test_report_days_other_weekday_and_edges():
    assert report_days(date(2011, 12, 1), date(2011, 12, 31), "星期一") == [
        date(2011, 12, 5),
        date(2011, 12, 12),
        date(2011, 12, 19),
        date(2011, 12, 26),
    ]
    # both ends included
    assert report_days(date(2011, 12, 2), date(2011, 12, 2)) == [date(2011, 12, 2)]
    assert report_days(date(2011, 12, 3), date(2011, 12, 8)) == []
    assert report_days(date(2012, 1, 22), date(2011, 12, 1)) == []


def test_all_samples_submitted():
    rows = schedule(load_records(RECORDS), date(2012, 2, 1))
    for row in weekly(rows):
        assert set(row.units) == {DISTRICT, INDUSTRY}
        assert set(row.units.values()) == {SUBMITTED}
        assert row.missing == []


def test_deleted_report_is_missing_only_there(records_copy: Path):
    (records_copy / DISTRICT / "周报" / "2011-12-16.yaml").unlink()
    rows = schedule(load_records(records_copy), date(2012, 1, 10))
    for row in weekly(rows):
        if row.due == date(2011, 12, 16):
            assert row.units == {INDUSTRY: SUBMITTED, DISTRICT: MISSING}
            assert row.missing == [DISTRICT]
            assert row.submitted == [INDUSTRY]
        else:
            assert row.units[DISTRICT] == SUBMITTED
    text = format_schedule(rows)
    (line,) = [ln for ln in text.splitlines() if ln.startswith("2011年12月16日")]
    assert MISSING in line


def test_future_report_is_pending_then_due_then_missing(records_copy: Path):
    # The industry union's eighth report (第8周.yaml) covers 2012-01-20.
    (records_copy / INDUSTRY / "周报" / "第8周.yaml").unlink()
    records = load_records(records_copy)
    last = date(2012, 1, 20)
    assert row_on(schedule(records, date(2012, 1, 10)), last).units[INDUSTRY] == PENDING
    assert row_on(schedule(records, last), last).units[INDUSTRY] == DUE_TODAY
    assert row_on(schedule(records, date(2012, 1, 21)), last).units[INDUSTRY] == MISSING
    assert row_on(schedule(records, date(2012, 1, 21)), last).units[DISTRICT] == SUBMITTED


def test_days_left_arithmetic():
    today = date(2011, 12, 30)
    rows = schedule(load_records(RECORDS), today)
    for row in rows:
        assert row.days_left == (row.due - today).days
    assert row_on(rows, date(2011, 12, 30)).days_left == 0
    assert row_on(rows, date(2011, 12, 31), FUND_DEADLINE).days_left == 1
    assert row_on(rows, date(2011, 12, 2)).days_left == -28
    assert row_on(rows, date(2012, 1, 20)).days_left == 21
    assert days_left_text(-28) == "已过期 28 天"
    assert days_left_text(0) == "今天"
    assert days_left_text(21) == "剩 21 天"


def test_days_left_across_a_year_and_leap_day():
    # 2011-12-02 to 2012-03-01 crosses the year end and 2012-02-29: 91 days.
    rows = schedule(load_records(RECORDS), date(2012, 3, 1))
    assert row_on(rows, date(2011, 12, 2)).days_left == -(31 - 2 + 31 + 29 + 1)


def test_unit_packet_by_type_and_fund_status(records_copy: Path):
    rows = schedule(load_records(records_copy), date(2011, 12, 1))
    report = row_on(rows, date(2012, 1, 6), REPORT_DEADLINE)
    assert "附件1" in report.units[INDUSTRY] and "附件2" in report.units[INDUSTRY]  # 产业工会 (§四.3)
    assert "附件1" not in report.units[DISTRICT] and "附件2" in report.units[DISTRICT]  # 区工会
    before = row_on(rows, date(2011, 12, 31), FUND_DEADLINE).units[DISTRICT]
    done, total = (int(n) for n in before.removeprefix("已发 ").split("/"))
    assert done == total > 0

    # Pay one of the district's central-fund workers after the deadline.
    changed: Path | None = None
    for path in sorted((records_copy / DISTRICT / "职工").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "中央财政" in text and "发放日期:" in text and "脱贫" not in text:
            lines = [
                (ln.split("发放日期:")[0] + "发放日期: 2012-01-03" if ln.strip().startswith("发放日期:") else ln)
                for ln in text.splitlines()
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            changed = path
            break
    assert changed
    records = load_records(records_copy)
    assert not [p for p in records.errors if p.path == changed]  # still valid: only a late payment
    after = row_on(schedule(records, date(2011, 12, 1)), date(2011, 12, 31), FUND_DEADLINE).units[DISTRICT]
    assert after == f"已发 {done - 1}/{total}"


def _cells(line: str) -> list[str]:
    """The line as terminal cells: a wide character fills two."""
    out = []
    for ch in line:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append("")
    return out


@pytest.mark.parametrize("max_unit_columns", [4, 1])
def test_columns_line_up(records_copy: Path, max_unit_columns: int):
    (records_copy / DISTRICT / "周报" / "2011-12-16.yaml").unlink()
    text = schedule_text(records_copy, date(2012, 1, 10), max_unit_columns=max_unit_columns)
    lines = text.splitlines()
    (rule_at,) = [i for i, ln in enumerate(lines) if ln.startswith("-")]
    rule = lines[rule_at]
    gaps = [i for i, ch in enumerate(rule) if ch == " "]
    starts = [0] + [i + 1 for i in gaps if i + 1 < len(rule) and rule[i + 1] == "-"]
    table = lines[rule_at - 1 : rule_at + 11]
    assert len(table) == 12
    for line in table:
        cells = _cells(line)
        for gap in gaps:
            if gap < len(cells):
                assert cells[gap] == " ", f"column gap {gap} holds text in {line!r}"
        for start in starts[1:]:
            # every column starts on a cell boundary and right after a gap
            if start < len(cells):
                assert cells[start] != "" and cells[start - 1] == " "
    body = "\n".join(table)
    assert "2011年12月2日" in body and "星期五" in body and "星期六" in body  # 2011-12-31
    if max_unit_columns == 1:
        (line,) = [ln for ln in table if ln.startswith("2011年12月16日")]
        assert line.rstrip().endswith(DISTRICT) and "1/2" in line


def test_title_and_today():
    text = schedule_text(RECORDS, date(2012, 1, 10))
    first, second = text.splitlines()[:2]
    assert "厦工[2011]104号" in first
    assert second == "今天：2012年1月10日 星期二"


def test_display_width():
    assert display_width("思明区") == 6
    assert display_width("第1周（附件4）") == 2 + 1 + 2 + 2 + 2 * 2 + 1 + 2
    assert display_width("abc") == 3


def test_missing_campaign_refuses(records_copy: Path):
    (records_copy / "campaign.yaml").unlink()
    with pytest.raises(RecordsInvalid):
        schedule(load_records(records_copy), date(2012, 1, 10))


def test_fridays_are_the_default_report_days():
    start, end = date(2011, 12, 1), date(2012, 1, 22)
    assert report_days(start, end) == report_days(start, end, "星期五")
    # and one more week for every seven days added
    assert len(report_days(start, end + timedelta(days=7))) == 9


def test_a_campaign_long_over_says_so_once_without_day_counts(records_copy):
    """Issue 15: years later, not "已过期 5483 天" on every line, but the end said once and
    what was filed and what is missing."""
    missing = sorted((records_copy / "市建设工会工委" / "周报").glob("*.yaml"))[0]
    missing.unlink()
    text = schedule_text(records_copy, date(2026, 12, 1))
    assert "天" not in text.replace("今天", "")  # no day counts, no 期限 column
    assert "期限" not in text
    assert text.count("结束") == 1 and "活动已于2012年1月20日结束" in text
    assert "市建设工会工委：周报已报 7/8 份，缺报 1 份（2011年12月2日）" in text
    assert "思明区总工会：周报已报 8/8 份，没有缺报" in text
    during = schedule_text(records_copy, date(2012, 1, 10))
    assert "结束" not in during and "期限" in during and "剩 10 天" in during
