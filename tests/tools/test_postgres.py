"""The same warehouse rows give the same results on DuckDB and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.builders import WarehouseBuilder
from tests.tools.test_performance import CASES, Member, run

pytestmark = pytest.mark.postgres


def build(b: WarehouseBuilder, members: list[Member]) -> WarehouseBuilder:
    from datetime import date

    b.department(1, "测试销售一部", "Test Sales 1").department(2, "测试销售二部")
    for i, m in enumerate(members, start=1):
        b.employee(i, m.name, 1 + i % 2, termination_date=m.terminated)
        b.target(i, date(2026, 7, 1), m.min_target)
        for amount, status in m.orders:
            b.order(i, date(2026, 7, 15), amount, status)
    return b


def test_same_results_on_duckdb_and_postgres(tmp_path: Path, postgres_url: str) -> None:
    members = [m for case in CASES for m in case.members]
    members = [
        Member(f"{m.name}{i}", m.min_target, m.orders, m.terminated) for i, m in enumerate(members)
    ]
    duck = run(build(WarehouseBuilder(), members).duckdb(tmp_path))
    pg = run(build(WarehouseBuilder(), members).write(postgres_url))
    assert len(duck.rows) == len(members)
    assert duck == pg
