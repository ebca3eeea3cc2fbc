"""Time expressions: table-driven, relative to a fixed as-of date."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.normalize import normalize
from assistant.timeparse import Period, find_period, month_period, previous_period, year_ago

AS_OF = date(2026, 11, 26)

CASES = [
    # text, start, end (exclusive), grain
    ("本月业绩", "2026-11-01", "2026-12-01", "month"),
    ("这个月", "2026-11-01", "2026-12-01", "month"),
    ("上月", "2026-10-01", "2026-11-01", "month"),
    ("上个月", "2026-10-01", "2026-11-01", "month"),
    ("上上个月", "2026-09-01", "2026-10-01", "month"),
    ("今年", "2026-01-01", "2026-11-27", "year"),
    ("去年", "2025-01-01", "2026-01-01", "year"),
    ("本季度", "2026-10-01", "2027-01-01", "quarter"),
    ("上季度", "2026-07-01", "2026-10-01", "quarter"),
    ("2026年9月", "2026-09-01", "2026-10-01", "month"),
    ("九月份", "2026-09-01", "2026-10-01", "month"),
    ("12月", "2025-12-01", "2026-01-01", "month"),
    ("Q3", "2026-07-01", "2026-10-01", "quarter"),
    ("Q3华南销售部", "2026-07-01", "2026-10-01", "quarter"),
    ("2025年第二季度", "2025-04-01", "2025-07-01", "quarter"),
    ("近三个月", "2026-08-01", "2026-11-01", "range"),
    ("近3个月(含本月)", "2026-09-01", "2026-12-01", "range"),
    ("前两周", "2026-11-09", "2026-11-23", "range"),
    ("this month", "2026-11-01", "2026-12-01", "month"),
    ("last month", "2026-10-01", "2026-11-01", "month"),
    ("this quarter", "2026-10-01", "2027-01-01", "quarter"),
    ("last quarter", "2026-07-01", "2026-10-01", "quarter"),
    ("year to date", "2026-01-01", "2026-11-27", "year"),
    ("in 2025", "2025-01-01", "2026-01-01", "year"),
    ("September 2026", "2026-09-01", "2026-10-01", "month"),
    ("sales in Sept", "2026-09-01", "2026-10-01", "month"),
    ("last 3 months", "2026-08-01", "2026-11-01", "range"),
    ("2026-09-01到2026-09-15", "2026-09-01", "2026-09-16", "range"),
    ("9月1号至15号", "2026-09-01", "2026-09-16", "range"),
    ("2026年9月1日到9月15日", "2026-09-01", "2026-09-16", "range"),
    ("今年年初", "2026-01-01", "2026-01-02", "day"),
]


@pytest.mark.parametrize(("text", "start", "end", "grain"), CASES)
def test_period(text: str, start: str, end: str, grain: str) -> None:
    found = find_period(normalize(text), AS_OF)
    assert found is not None, text
    period, _span = found
    assert (period.start.isoformat(), period.end.isoformat(), period.grain) == (start, end, grain)


@pytest.mark.parametrize("text", ["华东销售一部业绩", "who is eligible for the bonus", "张伟", ""])
def test_no_period(text: str) -> None:
    assert find_period(normalize(text), AS_OF) is None


def test_month_to_date_caps_at_as_of() -> None:
    period, _ = find_period("本月", AS_OF)  # type: ignore[misc]
    assert period.capped(AS_OF).end == date(2026, 11, 27)
    last, _ = find_period("上月", AS_OF)  # type: ignore[misc]
    assert last.capped(AS_OF) == last


def test_quarter_labels_cover_the_period() -> None:
    period, _ = find_period("今年", AS_OF)  # type: ignore[misc]
    assert period.quarter_labels() == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


# --- the period a comparison sets against (环比, 同比) ----------------------------------------


COMPARED = [
    # (start, end exclusive), the operator, (start, end exclusive) of the earlier period, label
    (
        ("2026-11-01", "2026-11-27"),
        previous_period,
        ("2026-10-01", "2026-10-27"),
        "2026年10月1日至10月26日",
    ),
    (
        ("2026-01-01", "2026-11-27"),
        year_ago,
        ("2025-01-01", "2025-11-27"),
        "2025年1月1日至11月26日",
    ),
    (("2026-03-01", "2026-04-01"), previous_period, ("2026-02-01", "2026-03-01"), "2026年2月"),
    (
        ("2026-03-01", "2026-03-31"),
        previous_period,
        ("2026-02-01", "2026-03-01"),
        "2026年2月",  # up to 30 March: all of February
    ),
    (("2026-07-01", "2026-10-01"), previous_period, ("2026-04-01", "2026-07-01"), "2026年Q2"),
    (("2026-01-01", "2027-01-01"), year_ago, ("2025-01-01", "2026-01-01"), "2025年"),
]


@pytest.mark.parametrize(("current", "operator", "earlier", "label"), COMPARED)
def test_month_to_date_compares_with_the_same_days_before(
    current: tuple[str, str], operator: object, earlier: tuple[str, str], label: str
) -> None:
    start, end = (date.fromisoformat(d) for d in current)
    grain = (
        "month" if (end - start).days <= 31 else "quarter" if (end - start).days <= 92 else "year"
    )
    period = Period(start, end, grain, "", "")
    got = operator(period)  # type: ignore[operator]
    assert (got.start.isoformat(), got.end.isoformat()) == earlier
    assert got.label_zh == label


def test_a_whole_month_keeps_its_name() -> None:
    assert previous_period(month_period(date(2026, 11, 1))).label_zh == "2026年10月"


DAYS_AND_NAMED_MONTHS = [
    # a day without a year is the latest such day up to as_of
    ("6月1号的时候在职人数", "2026-06-12", ("2026-06-01", "2026-06-02"), "2026年6月1日"),
    ("12月3号入职的人", "2026-06-12", ("2025-12-03", "2025-12-04"), "2025年12月3日"),
    ("headcount on june 1st", "2026-06-12", ("2026-06-01", "2026-06-02"), "2026年6月1日"),
    # a named month of a relative year
    ("august last year sales", "2026-09-24", ("2025-08-01", "2025-09-01"), "2025年8月"),
    ("march of this year", "2026-09-24", ("2026-03-01", "2026-04-01"), "2026年3月"),
    # still a range when a second day follows
    ("8月1号到15号", "2026-09-24", ("2026-08-01", "2026-08-16"), "2026年8月1日至8月15日"),
]


@pytest.mark.parametrize(("text", "as_of", "span", "label"), DAYS_AND_NAMED_MONTHS)
def test_days_and_named_months(text: str, as_of: str, span: tuple[str, str], label: str) -> None:
    found = find_period(text, date.fromisoformat(as_of))
    assert found is not None
    period, _ = found
    assert (period.start.isoformat(), period.end.isoformat()) == span
    assert period.label_zh == label
