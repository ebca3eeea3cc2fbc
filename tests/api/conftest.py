"""Fixtures of the API tests: an app database per test, answers and callers to store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.answer import Answer
from schema.caller import Caller, Role
from schema.db import app_engine


@pytest.fixture
def app_db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture
def engine(app_db_url: str) -> Iterator[Engine]:
    eng = app_engine(app_db_url)
    yield eng
    eng.dispose()


def make_answer(question: str = "上个月销售额是多少?", **fields: object) -> Answer:
    """An answer as ``Assistant.ask`` would return it."""
    base: dict[str, object] = {
        "question": question,
        "answer": "上个月销售额为 ¥1,234.50。",
        "columns": ["department", "sales"],
        "rows": [["成都组", 1234.5], ["武汉组", 99.0]],
        "sql": "SELECT d.name, SUM(o.amount) FROM sales_orders o ... WHERE o.employee_id = 7",
        "sql_written": "SELECT d.name, SUM(o.amount) FROM sales_orders o ...",
        "scopes": ["own_rows"],
        "plan": {"shape": "figure", "metric": "sales"},
        "as_of": date(2026, 9, 15),
        "latency_ms": 12.5,
    }
    base.update(fields)
    return Answer.model_validate(base)


ALICE = Caller(role=Role.SALES, employee_id=7, employee_no="E0007", name="Alice")
BOB = Caller(role=Role.SALES, employee_id=8, employee_no="E0008", name="Bob")
