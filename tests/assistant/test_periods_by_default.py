"""Periods a question does not name: a table posted after its month (payroll) means its
latest month; a bonus asked over several months is each month's bonus added up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from schema.caller import Caller
from schema.settings import Settings
from tools.performance import monthly_performance

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


def test_payroll_with_no_period_named_is_the_latest_payroll_month(demo: Assistant) -> None:
    with demo.warehouse.connect() as conn:
        latest = conn.execute(sa.text("SELECT MAX(month) FROM payroll")).scalar_one()
        expected = conn.execute(
            sa.text("SELECT AVG(net_pay) FROM payroll WHERE month = :m"), {"m": latest}
        ).scalar_one()
    assert latest < AS_OF.replace(day=1)  # payroll is posted after the month
    answer = demo.ask("平均到手工资多少", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert answer.rows[0][-1] == pytest.approx(float(expected), abs=0.01)
    assert f"{latest.year}年{latest.month}月" in (answer.interpretation or "")
    # a period named is kept, even one the table has no rows for yet
    named = demo.ask("这个月实发工资一共多少", Caller.operator(), as_of=AS_OF)
    assert "2026年11月" in (named.interpretation or "")


def _monthly_bonus(demo: Assistant, months: list[str], caller: Caller) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    with demo.warehouse.connect() as conn:
        for month in months:
            report = monthly_performance(
                conn, month, caller=caller, as_of=AS_OF, policy=demo.policy
            )
            for r in report.rows:
                totals[r.department] = totals.get(r.department, Decimal(0)) + (r.bonus or 0)
    return totals


def test_a_quarter_s_bonus_total_adds_up_each_month_s_bonus(demo: Assistant) -> None:
    months = ["2026-07", "2026-08", "2026-09"]
    expected = _monthly_bonus(demo, months, Caller.operator())
    by_team = demo.ask("三季度各组业绩奖金一共发了多少", Caller.operator(), as_of=AS_OF)
    assert by_team.kind == "answer", by_team.answer
    got = {row[0]: Decimal(str(row[-1])) for row in by_team.rows}
    assert got == {d: v for d, v in expected.items() if d in got}
    assert set(got) == {d for d in expected}
    assert "2026年Q3" in (by_team.interpretation or "")
    whole = demo.ask("三季度奖金一共发了多少", Caller.operator(), as_of=AS_OF)
    assert Decimal(str(whole.rows[0][0])) == sum(expected.values())


def test_my_bonus_this_year_is_my_months_added_up_and_only_mine(demo: Assistant) -> None:
    with demo.warehouse.connect() as conn:
        number = conn.execute(
            sa.text(
                "SELECT MIN(e.employee_no) FROM employees e JOIN sales_targets t "
                "ON t.employee_id = e.employee_id WHERE t.month = DATE '2026-01-01' "
                "AND e.employee_id NOT IN (SELECT manager_id FROM employees "
                "WHERE manager_id IS NOT NULL)"
            )
        ).scalar_one()
    rep = resolve_caller(number, warehouse=demo.warehouse)
    months = [f"2026-{m:02d}" for m in range(1, 12)]
    mine = Decimal(0)
    with demo.warehouse.connect() as conn:  # from everyone's rows, the rep's own
        for month in months:
            report = monthly_performance(conn, month, caller=Caller.operator(), as_of=AS_OF,
                                         policy=demo.policy)  # fmt: skip
            mine += sum((r.bonus or 0 for r in report.rows if r.employee_id == rep.employee_id),
                        Decimal(0))  # fmt: skip
    assert mine > 0
    answer = demo.ask("我今年一共拿了多少奖金", rep, as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert answer.columns[-1] == "奖金总额"
    assert Decimal(str(answer.rows[0][0])) == mine
    # the departments' totals over months are for those who see them
    assert demo.ask("三季度各组业绩奖金一共发了多少", rep, as_of=AS_OF).kind == "refusal"


def test_each_month_s_bonus_total_is_one_row_per_month(demo: Assistant) -> None:
    answer = demo.ask("今年以来每个月的业绩奖金总额", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    months = [f"2026-{m:02d}" for m in range(1, 12)]
    got = [Decimal(str(row[-1])) for row in answer.rows]
    assert got == [sum(_monthly_bonus(demo, [m], Caller.operator()).values()) for m in months]
    assert "按月份" in (answer.interpretation or "")
