"""The harness asks a case's earlier questions (``before``) in one conversation first."""

from __future__ import annotations

from datetime import date

from assistant.ask import Assistant
from assistant.evaluate import EvalCase, Harness
from schema.db import warehouse_engine
from schema.settings import Settings

BY_DEPARTMENT = """
SELECT d.name, SUM(o.amount) FROM sales_orders o
JOIN employees e ON e.employee_id = o.employee_id
JOIN departments d ON d.department_id = e.department_id
WHERE o.status = 'paid' AND o.order_date BETWEEN DATE '{start}' AND DATE '{end}'
GROUP BY d.name
"""


def test_a_follow_up_is_graded_in_its_conversation(demo_warehouse_url: str) -> None:
    assistant = Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)
    harness = Harness(assistant, warehouse_engine(demo_warehouse_url, read_only=True))
    this_month = BY_DEPARTMENT.format(start="2026-11-01", end="2026-11-26")
    case = EvalCase(
        id="fu-001", family="sales.follow_up", lang="zh", question="那这个月呢",
        as_of=date(2026, 11, 26), before=["上个月各销售部门的业绩"], gold_sql=this_month,
    )  # fmt: skip
    assert harness.run_case(case).passed
    # Asked alone, the same words carry no metric: not the gold answer.
    alone = harness.run_case(case.model_copy(update={"before": []}))
    assert not alone.passed
