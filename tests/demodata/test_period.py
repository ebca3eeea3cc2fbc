"""The demo period: months ending on the end date, Chinese working days, weekday fallback."""

from __future__ import annotations

from datetime import date

import pytest

from schema.demodata.period import build_period, from_day_number


def test_period_is_months_up_to_the_end_date() -> None:
    period = build_period(date(2026, 11, 26), 24)
    assert period.month_dates()[0] == date(2024, 12, 1)
    assert from_day_number(period.month_cut[-1]) == date(2026, 11, 26)
    assert from_day_number(period.month_end[-1]) == date(2026, 11, 30)
    workdays = {from_day_number(d) for d in period.workdays}
    assert date(2026, 2, 17) not in workdays  # Spring Festival
    assert date(2026, 1, 5) in workdays


def test_beyond_the_calendar_falls_back_to_weekdays_with_one_warning() -> None:
    with pytest.warns(UserWarning, match="Monday-Friday") as caught:
        period = build_period(date(2027, 3, 10), 4)
    assert len(caught) == 1
    days = [from_day_number(d) for d in period.workdays]
    assert date(2026, 12, 31) in days and date(2027, 1, 1) in days  # 2027 holidays are unknown
    assert all(d.weekday() < 5 for d in days if d.year == 2027)
