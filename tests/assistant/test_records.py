"""Single orders listed rather than summed: 最大的5笔订单, the last 3 refunds.

Each answer is checked against the same rows read straight from the warehouse, and a
salesperson's listing against their own orders only.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from schema.caller import Caller

AS_OF = date(2026, 11, 26)
OCTOBER = "order_date >= DATE '2026-10-01' AND order_date < DATE '2026-11-01'"


def _order_ids(assistant: Assistant, sql: str) -> list[int]:
    with assistant.warehouse.connect() as conn:
        return [int(v) for v in conn.execute(sa.text(sql)).scalars()]


def _ids(answer_rows: list[list[object]]) -> list[int]:
    return [int(row[0]) for row in answer_rows]  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("question", "sql"),
    [
        (
            "上个月金额最大的五笔订单",
            f"SELECT order_id FROM sales_orders WHERE status = 'paid' AND {OCTOBER} "
            "ORDER BY amount DESC, order_id LIMIT 5",
        ),
        (
            "the 3 biggest orders last month",
            f"SELECT order_id FROM sales_orders WHERE status = 'paid' AND {OCTOBER} "
            "ORDER BY amount DESC, order_id LIMIT 3",
        ),
        (
            "上个月最大的一笔退款",
            f"SELECT order_id FROM sales_orders WHERE status = 'refunded' AND {OCTOBER} "
            "ORDER BY amount DESC, order_id LIMIT 1",
        ),
        (
            "上个月单笔金额最小的订单",
            f"SELECT order_id FROM sales_orders WHERE status = 'paid' AND {OCTOBER} "
            "ORDER BY amount ASC, order_id LIMIT 1",
        ),
        (
            "the last 4 refunds",  # the latest, whenever they were
            "SELECT order_id FROM sales_orders WHERE status = 'refunded' "
            "ORDER BY order_date DESC, order_id DESC LIMIT 4",
        ),
        (
            "上个月华东销售一部Hardware最大的2笔订单",
            "SELECT o.order_id FROM sales_orders o JOIN employees e USING (employee_id) "
            "JOIN departments d ON d.department_id = e.department_id WHERE o.status = 'paid' "
            f"AND o.{OCTOBER} AND d.name = '华东销售一部' AND o.product_line = 'Hardware' "
            "ORDER BY o.amount DESC, o.order_id LIMIT 2",
        ),
    ],
)
def test_listed_orders_are_the_warehouse_rows(
    assistant: Assistant, question: str, sql: str
) -> None:
    answer = assistant.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert answer.plan is not None and answer.plan["records"] is not None
    expected = _order_ids(assistant, sql)
    assert expected and _ids(answer.rows) == expected


def test_the_sentence_names_the_rows_in_the_question_language(assistant: Assistant) -> None:
    zh = assistant.ask("上个月最大的一笔订单是谁签的", Caller.operator(), as_of=AS_OF)
    amount = zh.columns.index("金额")
    who = zh.rows[0][zh.columns.index("员工")]
    assert zh.answer.startswith("2026年10月金额最大的一笔订单：")
    assert str(who) in zh.answer and f"{zh.rows[0][amount]:,.2f}" in zh.answer
    en = assistant.ask("the 2 largest deals in October 2026", Caller.operator(), as_of=AS_OF)
    assert en.answer.startswith("The largest 2 orders in October 2026: ")
    assert en.columns[-1] == "amount" and len(en.rows) == 2


@pytest.mark.parametrize(
    "question",
    [
        "上个月订单最多的人",
        "谁的订单最多",
        "5笔以上订单的人有哪些",
        "who had the most orders last month",
    ],
)
def test_counting_orders_is_not_listing_them(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.plan is not None and answer.plan.get("records") is None


def test_a_salesperson_sees_only_their_own_orders(assistant: Assistant) -> None:
    with assistant.warehouse.connect() as conn:
        employee_no, employee_id = conn.execute(sa.text(
            "SELECT e.employee_no, e.employee_id FROM employees e JOIN sales_targets t "
            "USING (employee_id) WHERE t.month = DATE '2026-10-01' AND e.manager_id IS NOT NULL "
            "AND e.employee_id NOT IN (SELECT manager_id FROM employees WHERE manager_id IS NOT NULL) "
            "ORDER BY e.employee_id LIMIT 1"
        )).one()  # fmt: skip
    caller = resolve_caller(employee_no, warehouse=assistant.warehouse)
    answer = assistant.ask("上个月最大的5笔订单", caller, as_of=AS_OF)
    assert answer.kind == "answer" and answer.scoped
    expected = _order_ids(
        assistant,
        f"SELECT order_id FROM sales_orders WHERE status = 'paid' AND {OCTOBER} "
        f"AND employee_id = {employee_id} ORDER BY amount DESC, order_id LIMIT 5",
    )
    assert _ids(answer.rows) == expected
