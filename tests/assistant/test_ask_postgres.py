"""The planner's SQL gives the same answers on PostgreSQL as on DuckDB (same demo data).

The compiler writes one generic statement and the guard transpiles it to the
warehouse's dialect; these questions cover each shape it writes: sums by a dimension,
a ranked top N (a window in a subquery), single rows listed, people listed, a threshold,
a share, two periods side by side and a snapshot at a date.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.ask import Assistant
from schema.caller import Caller
from schema.settings import Settings
from tests.conftest import DEMO_END_DATE, DEMO_SEED

pytestmark = pytest.mark.postgres

AS_OF = date(2026, 11, 26)
QUESTIONS = [
    "上个月各部门销售额",
    "上个月销售额前5名",
    "上个月谁迟到次数最多",
    "上个月金额最大的5笔订单",
    "the last 3 refunds",
    "人力资源部都有谁",
    "上个月销售额超过10万的人",
    "上个月各产品线销售额占比",
    "9月和10月各部门的销售额",
    "现在各部门在职人数",
    "今年被驳回的请假申请有几个",
]


def _answers(url: str) -> list[tuple[str, list[str], list[list[object]]]]:
    assistant = Assistant.from_settings(
        Settings(warehouse_url=url, app_db_url="sqlite:///:memory:"), app_state=False
    )
    try:
        out = []
        for question in QUESTIONS:
            answer = assistant.ask(question, Caller.operator(), as_of=AS_OF)
            out.append((answer.kind, answer.columns, answer.rows))
        return out
    finally:
        assistant.warehouse.dispose()


def _normalised(rows: list[list[object]]) -> list[tuple[object, ...]]:
    return sorted(
        tuple(round(v, 2) if isinstance(v, float) else v for v in row) for row in rows
    )  # ties may come in either order


def test_duckdb_and_postgres_answer_alike(demo_warehouse_url: str, postgres_url: str) -> None:
    from schema.demodata import generate

    generate(
        postgres_url, seed=DEMO_SEED, end_date=date.fromisoformat(DEMO_END_DATE), scale="small"
    )
    duck, pg = _answers(demo_warehouse_url), _answers(postgres_url)
    for question, (kind_d, columns_d, rows_d), (kind_p, columns_p, rows_p) in zip(
        QUESTIONS, duck, pg, strict=True
    ):
        assert kind_d == kind_p == "answer", question
        assert columns_d == columns_p, question
        assert rows_d, question
        assert _normalised(rows_d) == _normalised(rows_p), question
