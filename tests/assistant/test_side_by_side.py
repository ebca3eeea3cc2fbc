"""Two periods side by side: one row per group with a column for each period, and a
month to date set against the same days of the month before, checked against the
warehouse's own sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from schema.caller import Caller

AS_OF = date(2026, 11, 26)


def _sales(assistant: Assistant, start: str, end: str, by_department: bool) -> dict[str, Decimal]:
    group = "d.name" if by_department else "'all'"
    sql = (
        f"SELECT {group}, SUM(o.amount) FROM sales_orders o "
        "JOIN employees e ON e.employee_id = o.employee_id "
        "JOIN departments d ON d.department_id = e.department_id "
        f"WHERE o.status = 'paid' AND o.order_date >= DATE '{start}' AND o.order_date < DATE '{end}' "
        f"GROUP BY {group}"
    )
    with assistant.warehouse.connect() as conn:
        return {str(k): Decimal(str(v)) for k, v in conn.execute(sa.text(sql))}


def test_two_months_per_department_are_one_row_each(assistant: Assistant) -> None:
    answer = assistant.ask("9月和10月各部门销售额对比一下", Caller.operator(), as_of=AS_OF)
    september = _sales(assistant, "2026-09-01", "2026-10-01", by_department=True)
    october = _sales(assistant, "2026-10-01", "2026-11-01", by_department=True)
    assert len(answer.rows) == len(october)
    later = next(i for i, c in enumerate(answer.columns) if "10月" in c)
    earlier = next(i for i, c in enumerate(answer.columns) if "9月" in c)
    for row in answer.rows:
        assert Decimal(str(row[later])) == october[row[0]]
        assert Decimal(str(row[earlier])) == september.get(row[0], Decimal(0))
    assert "2026年10月" in answer.answer and "2026年9月" in answer.answer


def test_month_to_date_is_set_against_the_same_days_of_last_month(assistant: Assistant) -> None:
    answer = assistant.ask("本月业绩环比增长了多少", Caller.operator(), as_of=AS_OF)
    now = _sales(assistant, "2026-11-01", "2026-11-27", by_department=False)["all"]
    then = _sales(assistant, "2026-10-01", "2026-10-27", by_department=False)["all"]
    row = answer.rows[0]
    assert (Decimal(str(row[0])), Decimal(str(row[1]))) == (now, then)
    assert "2026年10月1日至10月26日" in answer.answer  # not "October": only its first 26 days


def test_shares_are_fractions_of_the_whole_led_by_the_largest(assistant: Assistant) -> None:
    answer = assistant.ask("上个月各部门业绩占全公司的比例", Caller.operator(), as_of=AS_OF)
    october = _sales(assistant, "2026-10-01", "2026-11-01", by_department=True)
    whole = sum(october.values())
    share_at = answer.columns.index("占比")
    got = {row[0]: row[share_at] for row in answer.rows}
    assert got == pytest.approx({k: float(v / whole) for k, v in october.items()})
    largest = max(october, key=lambda k: october[k])
    assert answer.answer.index(largest) < min(
        answer.answer.index(k) for k in october if k != largest
    )
