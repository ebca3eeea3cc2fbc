"""The scheduled month-end job's slots: the previous month from the configured day on."""

from __future__ import annotations

from datetime import date

import pytest

from api.wecom.month_end import due_month, month_index, month_of_index


@pytest.mark.parametrize(
    ("today", "day", "month"),
    [
        (date(2026, 11, 26), 1, "2026-10"),
        (date(2026, 11, 3), 3, "2026-10"),
        (date(2026, 11, 2), 3, None),  # before the day: nothing due, not September late
        (date(2026, 1, 5), 1, "2025-12"),
        (date(2026, 12, 31), 28, "2026-11"),
    ],
)
def test_the_month_due(today: date, day: int, month: str | None) -> None:
    due = due_month(today, day)
    assert (None if due is None else month_of_index(due)) == month


def test_month_index_round_trips() -> None:
    assert [month_of_index(month_index(date(2026, m, 1))) for m in (1, 12)] == [
        "2026-01",
        "2026-12",
    ]
    assert month_index(date(2027, 1, 1)) - month_index(date(2026, 12, 31)) == 1
