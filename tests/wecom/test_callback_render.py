"""Answers as WeCom chat text: compact tables, the 2,048-byte limit, numbered options."""

from __future__ import annotations

from datetime import date

from api.wecom.limits import MARKDOWN_LIMIT_BYTES, utf8_len
from api.wecom.render import cell, render_answer
from assistant.answer import Answer


def _answer(rows: int, **fields: object) -> Answer:
    base: dict[str, object] = {
        "question": "上个月各人的业绩",
        "answer": "2026年10月共 N 人。",
        "columns": ["排名", "姓名", "业绩"],
        "rows": [[i, f"员工{i:03d}号很长的名字", 100000.5 - i] for i in range(1, rows + 1)],
        "as_of": date(2026, 11, 26),
        "answer_id": "abc123",
    }
    base.update(fields)
    return Answer.model_validate(base)


def test_cells() -> None:
    assert [cell(v) for v in (None, True, False, 3, 12.0, 1234.5, "a|b")] == [
        "—", "✓", "✗", "3", "12", "1,234.50", "a/b",
    ]  # fmt: skip


def test_a_small_table_is_shown_whole() -> None:
    text = render_answer(_answer(3))
    assert text.splitlines() == [
        "2026年10月共 N 人。", "", "**排名** | **姓名** | **业绩**",
        "1 | 员工001号很长的名字 | 99,999.50", "2 | 员工002号很长的名字 | 99,998.50",
        "3 | 员工003号很长的名字 | 99,997.50",
    ]  # fmt: skip


def test_a_long_table_keeps_top_rows_a_total_and_the_link() -> None:
    text = render_answer(_answer(200), "https://hrq.example.com/", limit=600)
    assert utf8_len(text) <= 600
    lines = text.splitlines()
    assert lines[3].startswith("1 | ") and lines[-1] == (
        "[在网页查看完整报表](https://hrq.example.com/?answer=abc123)"
    )
    shown = sum(1 for line in lines if " | " in line and not line.startswith("**"))
    assert lines[-2] == f"共 200 行，此处显示前 {shown} 行。" and 0 < shown < 20


def test_the_default_limit_is_wecoms() -> None:
    assert utf8_len(render_answer(_answer(500), "https://h")) <= MARKDOWN_LIMIT_BYTES


def test_clarification_numbers_and_picks() -> None:
    clarification = _answer(0, kind="clarification", answer="哪一位？", columns=[],
                            options=["张伟（华南销售部）", "张伟（华北销售部）"])  # fmt: skip
    assert render_answer(clarification).splitlines() == [
        "哪一位？", "请回复序号选择：", "1. 张伟（华南销售部）", "2. 张伟（华北销售部）",
    ]  # fmt: skip
