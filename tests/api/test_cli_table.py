"""``hrq ask`` prints its table's values as the web page and the XLSX do: money to the
cent with thousands separators, fractions as percentages, months in words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from schema.settings import get_settings

runner = CliRunner()


@pytest.fixture
def demo_env(
    demo_warehouse_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("HRQ_AS_OF", "2026-11-26")
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: no column is cut short
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _asked(question: str) -> tuple[dict[str, Any], list[list[str]]]:
    """The answer as JSON, and the printed table's body rows split into cells, in the
    answer's column order (a column the table leaves out reads as None)."""
    answer = json.loads(runner.invoke(app, ["ask", question, "--json"]).stdout)
    printed = runner.invoke(app, ["ask", question])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    header = next(ln for ln in lines if ln.startswith("┃"))
    shown = [c.strip() for c in header.strip("┃").split("┃")]
    body = []
    for line in lines:
        if line.startswith("│"):
            cells = dict(zip(shown, (c.strip() for c in line.strip("│").split("│")), strict=True))
            body.append([cells.get(column) for column in answer["columns"]])
    return answer, body


def _kinds(answer: dict[str, Any]) -> list[str]:
    return [f["kind"] for f in answer["formats"]]


def test_a_chinese_table_leaves_out_english_twins(demo_env: None) -> None:
    answer, body = _asked("各部门上个月离职率")
    twins = [i for i, c in enumerate(answer["columns"]) if c.endswith("_en")]
    assert twins
    assert all(cells[i] is None for cells in body for i in twins)


def test_money_to_the_cent_with_thousands_separators(demo_env: None) -> None:
    answer, body = _asked("本月各销售部门业绩中位数是多少")
    money = _kinds(answer).index("money")
    assert len(body) == len(answer["rows"]) >= 2
    for row, cells in zip(answer["rows"], body, strict=True):
        cents = Decimal(str(row[money])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert cells[money] == f"¥{cents:,.2f}"
        assert "," in cells[money]  # the medians are tens of thousands
    half_cents = [r[money] for r in answer["rows"] if len(str(r[money]).split(".")[-1]) == 3]
    assert half_cents, "a median of an even roster ends in a half cent"
    printed = "".join(str(c) for cells in body for c in cells)
    assert not any(str(v) in printed for v in half_cents)


def test_rates_as_percentages(demo_env: None) -> None:
    answer, body = _asked("各部门上个月离职率")
    rate = _kinds(answer).index("percent")
    assert any(row[rate] for row in answer["rows"])
    for row, cells in zip(answer["rows"], body, strict=True):
        assert cells[rate] == f"{row[rate] * 100:.1f} %"


def test_months_as_months(demo_env: None) -> None:
    answer, body = _asked("各月入职人数")
    month = _kinds(answer).index("month")
    for row, cells in zip(answer["rows"][:50], body, strict=True):
        year, number = row[month][:7].split("-")
        assert cells[month] == f"{int(year)}年{int(number)}月"
