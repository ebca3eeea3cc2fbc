"""Leaderboard rows, text/markdown renderings and the PNG chart."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pytest

from schema.caller import Caller, Role
from schema.db import warehouse_engine
from tests.tools.builders import WarehouseBuilder
from tests.tools.test_performance import JULY
from tools import chart
from tools.errors import AmbiguousDepartmentError
from tools.leaderboard import Leaderboard, leaderboard


@pytest.fixture
def url(tmp_path: Path) -> str:
    b = WarehouseBuilder().department(10, "测试大区", kind="region")
    b.department(1, "测试销售一部", "Test Sales 1", parent_id=10)
    b.department(2, "测试销售二部", "Test Sales 2", parent_id=10)
    people = [(1, "张伟", 1, "300", 250), (2, "李娜", 1, "100", 50), (3, "王芳", 1, "200", 250),
              (4, "赵强", 2, "10", 5)]  # fmt: skip
    for emp, name, dept, sales, target in people:
        b.employee(emp, name, dept).target(emp, JULY, target).order(emp, date(2026, 7, 9), sales)
    return b.duckdb(tmp_path)


def board(
    url: str, department: str | int = "测试销售一部", caller: Caller | None = None
) -> Leaderboard:
    with warehouse_engine(url).connect() as conn:
        return leaderboard(conn, "2026-07", department, caller=caller or Caller.operator())


def test_rows_and_text(url: str) -> None:
    b = board(url)
    assert [(r.rank, r.name, str(r.gap_to_median), r.markers) for r in b.rows] == [
        (1, "张伟", "100.00", "✓▲"),
        (2, "王芳", "0.00", ""),
        (3, "李娜", "-100.00", "✓"),
    ]
    assert b.to_text().splitlines()[:3] == [
        "测试销售一部 2026-07 leaderboard",
        "median 200.00",
        "  1. 张伟  300.00  (+100.00 vs median) ✓▲",
    ]


def test_markdown(url: str) -> None:
    md = board(url, "Test Sales 1").to_markdown().splitlines()
    assert md[0] == "**测试销售一部 2026-07 leaderboard** (median 200.00)"
    assert md[4] == "| 1 | 张伟 | 300.00 | +100.00 | ✓▲ |"
    assert md[6] == "| 3 | 李娜 | 100.00 | -100.00 | ✓ |"


def test_sales_caller_sees_no_colleague_targets(url: str) -> None:
    b = board(url, caller=Caller(role=Role.SALES, employee_id=2, department_id=1))
    rows = {r.name: r for r in b.rows}
    assert rows["张伟"].min_target is None and rows["张伟"].markers == "▲"
    assert rows["李娜"].min_target is not None
    assert b.scope_note and b.scope_note in b.to_markdown()


def test_region_is_not_one_leaderboard(url: str) -> None:
    with pytest.raises(AmbiguousDepartmentError, match="covers 2.*测试销售一部, 测试销售二部"):
        board(url, "测试大区")


def test_png_renders_chinese_names(url: str, tmp_path: Path) -> None:
    if chart.find_cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    path = tmp_path / "out" / "board.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        board(url).render_png(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5_000
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []


def test_png_without_cjk_font_warns_and_still_draws(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chart, "find_cjk_font", lambda: None)
    b = board(url)
    with pytest.warns(UserWarning, match="no CJK font found"):
        b.render_png(tmp_path / "board.png")
    assert (tmp_path / "board.png").exists()
    assert chart.NO_CJK_FONT in b.trace
