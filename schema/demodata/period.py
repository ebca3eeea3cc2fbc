"""Months and working days of the demo period.

Working days follow the Chinese public-holiday calendar (``chinese_calendar``),
which knows holidays only up to its release year; for later dates the calendar
falls back to Monday-Friday and warns once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)


def day_number(value: date) -> int:
    """Days since 1970-01-01 (the integer form dates take inside the generator)."""
    return (value - EPOCH).days


def from_day_number(value: int) -> date:
    """The date of a day number."""
    return EPOCH + timedelta(days=int(value))


def add_months(value: date, months: int) -> date:
    """The first day of the month ``months`` after ``value``'s month."""
    index = value.year * 12 + value.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The demo period: ``months`` calendar months ending with the end date's month.

    Arrays are day numbers; ``month_end`` is the last day of each month, and
    ``month_cut`` the last day with data (the end date in the current month).
    """

    end_date: date
    month_start: np.ndarray
    month_end: np.ndarray
    month_cut: np.ndarray
    workdays: np.ndarray

    @property
    def months(self) -> int:
        return len(self.month_start)

    @property
    def start(self) -> int:
        return int(self.month_start[0])

    @property
    def end(self) -> int:
        return int(self.month_cut[-1])

    def month_dates(self) -> list[date]:
        """The first day of each month as dates."""
        return [from_day_number(v) for v in self.month_start]


def build_period(end_date: date, months: int) -> Period:
    """The period of ``months`` months ending on ``end_date`` (its month to date)."""
    first = add_months(end_date, -(months - 1))
    starts = [add_months(first, k) for k in range(months + 1)]
    month_start = np.array([day_number(d) for d in starts[:-1]], dtype=np.int64)
    month_end = np.array([day_number(d) - 1 for d in starts[1:]], dtype=np.int64)
    month_cut = np.minimum(month_end, day_number(end_date))
    days = np.arange(month_start[0], day_number(end_date) + 1, dtype=np.int64)
    return Period(end_date, month_start, month_end, month_cut, workdays_in(days))


def workdays_in(days: np.ndarray) -> np.ndarray:
    """The working days among ``days`` (day numbers), holidays and make-up days respected."""
    import chinese_calendar

    keep = np.zeros(len(days), dtype=bool)
    warned = False
    for k, value in enumerate(days):
        day = from_day_number(int(value))
        try:
            keep[k] = chinese_calendar.is_workday(day)
        except NotImplementedError:
            if not warned:
                warnings.warn(
                    f"chinese_calendar knows no holidays for {day.year}; "
                    "using Monday-Friday as working days from then on",
                    stacklevel=2,
                )
                warned = True
            keep[k] = day.weekday() < 5
    return days[keep]
