"""Reports as a person opens them in Excel: formats, widths, a frozen header, headers in the
question's language, and where the table comes from on a second sheet."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.conftest import bearer

AS_OF = "2026-09-15"
MONEY = '"¥"#,##0.00;-"¥"#,##0.00'


def _report(client: TestClient, key: str, question: str) -> tuple[dict[str, Any], Any]:
    """The answer (as /v1/ask gives it) and its XLSX report (of that same answer)."""
    answer = client.post(
        "/v1/ask", json={"question": question, "as_of": AS_OF}, headers=bearer(key)
    ).json()
    assert answer["kind"] == "answer", answer
    response = client.post(
        "/v1/reports",
        json={"answer_id": answer["answer_id"], "format": "xlsx"},
        headers=bearer(key),
    )
    assert response.status_code == 200, response.text
    return answer, load_workbook(io.BytesIO(response.content))


def _cents(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_a_leaderboard_report_reads_like_the_page(client: TestClient, keys: dict[str, str]) -> None:
    answer, book = _report(client, keys["hr"], "2026年8月成都销售组的排行榜")
    table, about = book.worksheets
    assert [table.title, about.title] == ["结果", "说明"]
    head = [c.value for c in table[1]]
    assert head == answer["columns"] and all(c.font.bold for c in table[1])
    assert table.freeze_panes == "A2" and table.auto_filter.ref == f"A1:H{len(answer['rows']) + 1}"
    columns = answer["columns"]
    for name in ("业绩", "与中位数差距"):
        at = columns.index(name)
        cells = [row[at] for row in table.iter_rows(min_row=2)]
        assert {c.number_format for c in cells} == {MONEY}
        assert [c.value for c in cells] == [_cents(r[at]) for r in answer["rows"]]
    met = columns.index("达到最低目标")
    assert {c.value for c in (row[met] for row in table.iter_rows(min_row=2))} <= {"是", "否"}
    assert [
        c.value for c in (row[columns.index("排名")] for row in table.iter_rows(min_row=2))
    ] == [r[columns.index("排名")] for r in answer["rows"]]
    widths = {c: table.column_dimensions[chr(ord("A") + i)].width for i, c in enumerate(columns)}
    assert widths["与中位数差距"] >= 14 and widths["工号"] >= 8 and widths["业绩"] >= 12
    context = {r[0]: r[1] for r in about.iter_rows(min_row=2, values_only=True) if r[0]}
    assert context["问题"] == "2026年8月成都销售组的排行榜" and context["截至"] == AS_OF
    assert context["我的理解"] == answer["interpretation"] and context["回答"] == answer["answer"]
    assert (
        context["工具"].startswith("monthly_performance")
        and context["计算过程"] == "理解：绩效引擎计算（问题覆盖 100%）"
    )


def test_attainment_is_a_percentage(client: TestClient, keys: dict[str, str]) -> None:
    answer, book = _report(client, keys["hr"], "2026年8月成都销售组每个人的目标完成率")
    table = book.worksheets[0]
    at = answer["columns"].index("目标完成率")
    cells = [row[at] for row in table.iter_rows(min_row=2)]
    assert cells and {c.number_format for c in cells} == {"0.0%"}
    assert [c.value for c in cells] == [r[at] for r in answer["rows"]]  # the fraction, shown as %


def test_months_are_months_and_english_questions_get_english_sheets(
    client: TestClient, keys: dict[str, str]
) -> None:
    answer, book = _report(client, keys["hr"], "2026年各月销售额")
    table = book.worksheets[0]
    assert [c.value for c in table[1]] == ["月份", "销售额"]
    months = [row[0] for row in table.iter_rows(min_row=2)]
    assert months[0].value == datetime(2026, 1, 1) and months[0].number_format == 'yyyy"年"m"月"'
    assert len(months) == len(answer["rows"])

    answer, book = _report(client, keys["hr"], "sales by month in 2026")
    table, about = book.worksheets
    assert [table.title, about.title] == ["Result", "About"]
    assert [c.value for c in table[1]] == answer["columns"] == ["month", "sales"]
    assert table["A2"].number_format == "mmm yyyy" and table["B2"].number_format == MONEY
    context = {r[0]: r[1] for r in about.iter_rows(min_row=2, values_only=True) if r[0]}
    assert context["question"] == "sales by month in 2026" and "SELECT" in context["SQL"].upper()


def test_coded_values_are_words_and_english_twins_are_left_out(
    client: TestClient, keys: dict[str, str]
) -> None:
    answer, book = _report(client, keys["hr"], "2026年8月各渠道销售额")
    table = book.worksheets[0]
    assert answer["formats"][0]["values"]["offline"] == "线下"
    channels = {row[0].value for row in table.iter_rows(min_row=2)}
    assert channels and channels <= {"线上", "线下", "合作伙伴"}
    answer, book = _report(client, keys["hr"], "2026年8月各部门销售额")
    assert "部门_en" in answer["columns"]
    assert [c.value for c in book.worksheets[0][1]] == ["部门", "销售额"]
