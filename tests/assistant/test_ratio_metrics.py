"""Ratio metrics of the semantic model (marketing ROI = sales / marketing spend), checked
against the two parts computed straight from the warehouse; and a value's share of the
whole when the question names its dimension too."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from schema.caller import Caller
from schema.semantic import load_semantic_model
from schema.settings import Settings

AS_OF = date(2026, 11, 26)
OCTOBER = "DATE '2026-10-01' AND DATE '2026-10-31'"


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


def _roi_by_department(demo: Assistant) -> dict[str, float]:
    with demo.warehouse.connect() as conn:
        rows = conn.execute(
            sa.text(
                "WITH s AS (SELECT e.department_id, SUM(o.amount) AS sales FROM sales_orders o "
                "JOIN employees e ON e.employee_id = o.employee_id WHERE o.status = 'paid' "
                f"AND o.order_date BETWEEN {OCTOBER} GROUP BY 1), "
                "m AS (SELECT department_id, SUM(amount) AS spend FROM marketing_spend "
                "WHERE month = DATE '2026-10-01' GROUP BY 1) "
                "SELECT d.name, s.sales / m.spend FROM s JOIN m USING (department_id) "
                "JOIN departments d USING (department_id)"
            )
        ).all()
    return {name: float(roi) for name, roi in rows}


@pytest.mark.parametrize(
    "question",
    [
        "上个月各部门的投放ROI",
        "上个月各部门投放ROI（业绩÷市场投入）",
        "marketing ROI by department last month",
    ],
)
def test_roi_by_department_is_sales_over_spend(demo: Assistant, question: str) -> None:
    got = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert got.kind == "answer", got.answer
    expected = _roi_by_department(demo)
    assert expected
    name_at = 0
    roi_at = got.columns.index("marketing ROI" if got.language == "en" else "投放ROI")
    assert {r[name_at]: pytest.approx(r[roi_at]) for r in got.rows} == expected
    assert "ROI" in (got.interpretation or "")


def test_whole_company_roi_is_all_sales_over_all_spend(demo: Assistant) -> None:
    got = demo.ask("今年整体 marketing ROI 是多少", Caller.operator(), as_of=AS_OF)
    assert got.kind == "answer", got.answer
    with demo.warehouse.connect() as conn:
        sales, spend = conn.execute(
            sa.text(
                "SELECT (SELECT SUM(amount) FROM sales_orders WHERE status = 'paid' AND "
                "order_date BETWEEN DATE '2026-01-01' AND DATE '2026-11-26'), "
                "(SELECT SUM(amount) FROM marketing_spend WHERE month BETWEEN DATE '2026-01-01' "
                "AND DATE '2026-11-01')"
            )
        ).one()
    assert got.rows[0][got.columns.index("投放ROI")] == pytest.approx(float(sales / spend))


def test_a_filter_only_one_part_has_is_not_divided(demo: Assistant) -> None:
    """A product line has sales but no spend: its sales over all the spend would be a wrong
    figure, so it is asked back, saying why."""
    got = demo.ask("上个月SaaS产品线的投放ROI", Caller.operator(), as_of=AS_OF)
    assert got.kind == "clarification" and not got.rows
    assert "SaaS" in got.answer and "投放ROI" in got.answer


def test_a_ratio_metric_fills_its_table_from_its_parts() -> None:
    model = load_semantic_model()
    roi = model.metrics["marketing_roi"]
    assert roi.ratio is not None and roi.table == model.metrics[roi.ratio.numerator].table
    assert "/" in roi.expr  # not additive: no total row is added to a breakdown


def test_a_value_s_share_with_its_dimension_named_is_its_share_of_the_whole(
    demo: Assistant,
) -> None:
    got = demo.ask("partner channel sales share last month", Caller.operator(), as_of=AS_OF)
    assert got.kind == "answer", got.answer
    with demo.warehouse.connect() as conn:
        part, whole = conn.execute(
            sa.text(
                "SELECT SUM(CASE WHEN channel = 'partner' THEN amount END), SUM(amount) "
                f"FROM sales_orders WHERE status = 'paid' AND order_date BETWEEN {OCTOBER}"
            )
        ).one()
    assert len(got.rows) == 1
    assert got.rows[0][got.columns.index("share")] == pytest.approx(float(part / whole))
