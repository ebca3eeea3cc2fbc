"""What-if questions end to end through ``Assistant.ask`` on the demo warehouse (seed 7,
2026-11-26): a sales rep about themselves, a manager about their team, the month in
progress to date, a closed month from its snapshot, and what a rep may not learn about a
colleague."""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.whatif_answer import needed_en, needed_zh
from schema.caller import Caller
from schema.db import warehouse_engine
from schema.settings import Settings
from schema.warehouse import sales_orders
from tests.assistant.test_whatif_planner import manager_of
from tools.money import fmt_money
from tools.performance import monthly_performance
from tools.performance_rows import PerformanceRow
from tools.whatif import HowMuchMore, Person, Standing

AS_OF = date(2026, 11, 26)
CENT = Decimal("0.01")
RATE = Decimal("0.05")  # the packaged policy: 5 %, no cap
OPERATOR = Caller.operator()


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Iterator[Assistant]:
    assistant = Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)
    yield assistant
    assistant.warehouse.dispose()


@pytest.fixture(scope="module")
def rep(demo: Assistant) -> Caller:
    return resolve_caller("E00048", warehouse=demo.warehouse)


@pytest.fixture(scope="module")
def manager(demo: Assistant, rep: Caller) -> Caller:
    return manager_of(demo, rep)


def _month(assistant: Assistant, month: str) -> list[PerformanceRow]:
    """Every roster member's month, as the engine computes it for HR (the brute force's input)."""
    with assistant.warehouse.connect() as conn:
        report = monthly_performance(
            conn, month, caller=OPERATOR, as_of=AS_OF, policy=assistant.policy
        )
    return list(report.rows)


def _recompute(rows: list[PerformanceRow], who: int, sales: Decimal) -> dict[str, object]:
    """The whole department recomputed by hand with one member's sales changed."""
    me = next(r for r in rows if r.employee_id == who)
    department = [
        sales if r.employee_id == who else r.sales
        for r in rows
        if r.department_id == me.department_id
    ]
    med = statistics.median(department)
    target = me.min_target or Decimal(0)
    eligible = sales >= target and sales > med
    bonus = (
        (RATE * (sales - med)).quantize(CENT, rounding=ROUND_HALF_UP)
        if eligible
        else Decimal("0.00")
    )
    rank = 1 + sum(s > sales for s in department)
    return {"new_sales": sales, "new_median": med, "min_target": target, "eligible": eligible,
            "bonus": bonus, "rank": rank}  # fmt: skip


def _least_passing(rows: list[PerformanceRow], who: int) -> Decimal:
    """The least extra sales that make ``who`` eligible, found by trying candidates: every
    amount that reaches the target or passes a colleague by a cent, smallest passing."""
    me = next(r for r in rows if r.employee_id == who)
    others = [r.sales for r in rows if r.department_id == me.department_id and r.employee_id != who]
    candidates = sorted(
        {Decimal("0.00"), (me.min_target or Decimal(0)) - me.sales}
        | {o + CENT - me.sales for o in others}
    )
    return next(c for c in candidates if c >= 0 and _recompute(rows, who, me.sales + c)["eligible"])


def _cells(answer: Answer) -> list[dict[str, object]]:
    keys = ["name", "employee_no", "current_sales", "extra", "new_sales", "new_median",
            "min_target", "eligible", "bonus", "rank"]  # fmt: skip
    return [dict(zip(keys, row, strict=True)) for row in answer.rows]


def _as_json(figures: dict[str, object]) -> dict[str, object]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in figures.items()}


def test_a_rep_asks_what_if_they_sold_50k_more_this_month(demo: Assistant, rep: Caller) -> None:
    answer = demo.ask("如果我这个月再卖5万，奖金能拿多少", rep, as_of=AS_OF)
    assert answer.kind == "answer" and answer.tool is not None and answer.tool.name == "what_if"
    rows = _month(demo, "2026-11")
    me = next(r for r in rows if r.employee_id == rep.employee_id)
    expected = _recompute(rows, rep.employee_id or 0, me.sales + Decimal("50000"))
    (row,) = _cells(answer)
    assert row["employee_no"] == rep.employee_no and row["current_sales"] == float(me.sales)
    assert row["extra"] == 50000
    figures = {k: row[k] for k in expected}
    assert figures == _as_json(expected)
    assert answer.columns == ["姓名", "工号", "当前业绩", "增加业绩", "推算业绩", "推算部门中位数",
                              "最低目标", "获得奖金", "奖金", "推算排名"]  # fmt: skip
    assert answer.interpretation == (
        f"我的理解：2026年11月 · {rep.name}（华东销售一部） · 假如再卖 ¥50,000.00："
        "重新计算部门中位数、能拿的奖金（及是否达标、排名）"
    )
    bonus = expected["bonus"]
    assert isinstance(bonus, Decimal)
    assert answer.answer.startswith(
        f"2026年11月（截至目前）如果{rep.name}再卖 ¥50,000.00：奖金 ¥{fmt_money(bonus)}，"
        f"排名第 {expected['rank']}（现第 {me.rank}）。"
    ), answer.answer
    assert answer.closed is None and not answer.scoped


def test_a_rep_asks_how_much_more_in_both_languages(demo: Assistant, rep: Caller) -> None:
    rows = _month(demo, "2026-11")
    me = next(r for r in rows if r.employee_id == rep.employee_id)
    needed = _least_passing(rows, rep.employee_id or 0)
    assert needed > 0  # the demo rep is not eligible yet this month
    for question in (
        "我还差多少能拿到奖金",
        "还要卖多少才能拿奖金",
        "how much more do I need to sell to get a bonus",
    ):
        answer = demo.ask(question, rep, as_of=AS_OF)
        assert answer.kind == "answer" and answer.tool and answer.tool.name == "how_much_more", (
            question
        )
        enough, short = _cells(answer)  # the least amount, and one cent less
        assert enough["extra"] == float(needed) and enough["eligible"] is True
        assert short["extra"] == float(needed - CENT) and short["eligible"] is False
        assert {k: enough[k] for k in ("new_median", "bonus", "rank")} == _as_json(
            {k: v for k, v in _recompute(rows, rep.employee_id or 0, me.sales + needed).items()
             if k in ("new_median", "bonus", "rank")}
        )  # fmt: skip
        amount = f"¥{fmt_money(needed)}"
        if answer.language == "zh":
            assert answer.answer.startswith(
                f"{rep.name}2026年11月（截至目前）还需再卖 {amount} 才能拿到奖金"
            ), answer.answer
            assert f"少卖 ¥0.01（再卖 ¥{fmt_money(needed - CENT)}）就拿不到" in answer.answer
        else:
            assert (
                f"needs {amount} more in November 2026 (month to date) to be bonus eligible"
                in answer.answer
            )
            assert answer.interpretation and answer.interpretation.startswith("I understood: ")


def test_what_if_in_english_moves_the_rank(demo: Assistant, rep: Caller) -> None:
    answer = demo.ask("what if I close another 80k this month", rep, as_of=AS_OF)
    rows = _month(demo, "2026-11")
    me = next(r for r in rows if r.employee_id == rep.employee_id)
    expected = _recompute(rows, rep.employee_id or 0, me.sales + Decimal("80000"))
    (row,) = _cells(answer)
    assert {k: row[k] for k in expected} == _as_json(expected)
    assert (
        answer.answer.startswith("If ")
        and "sells ¥80,000.00 more in November 2026" in answer.answer
    )


def test_a_manager_asks_about_a_named_person_on_their_team(
    demo: Assistant, manager: Caller
) -> None:
    gz = demo.gazetteer
    shared: dict[str, list[int]] = {}
    for e in gz.employees.values():
        shared.setdefault(e.name, []).append(e.id)
    rows = _month(demo, "2026-11")
    on_roster = {r.employee_id for r in rows}
    name, ours = next(
        (n, mine[0]) for n, ids in shared.items()
        if len(ids) > 1
        and len(mine := [i for i in ids if gz.employees[i].department_id in manager.department_ids]) == 1
        and mine[0] in on_roster
    )  # fmt: skip
    answer = demo.ask(f"{name}还差多少能拿奖金", manager, as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    person = next(r for r in rows if r.employee_id == ours)
    cells = _cells(answer)
    assert cells[0]["employee_no"] == person.employee_no and cells[0]["eligible"] is True
    assert cells[0]["extra"] == float(_least_passing(rows, ours))
    # someone outside the manager's subtree: out of scope, no figures
    outsider = next(r for r in rows if r.department_id not in manager.department_ids
                    and len(shared[r.name]) == 1)  # fmt: skip
    refused = demo.ask(f"{outsider.name}还差多少能拿奖金", manager, as_of=AS_OF)
    assert refused.kind == "refusal" and refused.reason == "out_of_scope_rows" and not refused.rows


def _leaks(answer: Answer, row: PerformanceRow, figures: list[Decimal]) -> list[str]:
    """Anything of ``row`` (a colleague) in the answer's JSON, beyond the name in the question."""
    text = json.dumps(answer.public(), ensure_ascii=False).replace(answer.question, "")
    found = [s for s in (row.employee_no or "", row.name, row.name_en or "") if s and s in text]
    for value in figures:
        found += [s for s in (fmt_money(value), str(value), str(float(value))) if s in text]
    return found


def test_a_rep_learns_nothing_of_a_colleague(demo: Assistant, rep: Caller) -> None:
    rows = _month(demo, "2026-11")
    gz = demo.gazetteer
    colleague = next(
        r for r in rows
        if r.department_id == rep.department_id and r.employee_id != rep.employee_id
        and sum(e.name == r.name for e in gz.employees.values()) == 1
    )  # fmt: skip
    needed = _least_passing(rows, colleague.employee_id or 0)
    secrets = [colleague.min_target or Decimal(0), needed, needed - CENT]
    for question in (f"{colleague.name}还差多少", f"{colleague.name}还差多少能拿奖金",
                     f"如果{colleague.name}这个月再卖5万，奖金能拿多少"):  # fmt: skip
        answer = demo.ask(question, rep, as_of=AS_OF)
        assert answer.kind == "refusal" and answer.reason == "denied_colleagues", question
        assert answer.tool is None and not answer.rows and answer.interpretation is None
        assert not _leaks(answer, colleague, secrets), question
    # the same question from HR does show them: the check above can see a leak
    shown = demo.ask(f"{colleague.name}还差多少能拿奖金", OPERATOR, as_of=AS_OF)
    assert shown.kind == "answer" and _leaks(shown, colleague, secrets)


# --- a closed month --------------------------------------------------------------------


@dataclass
class Closed:
    assistant: Assistant
    rep: Caller
    closed_sales: Decimal
    refunded: Decimal


@pytest.fixture(scope="module")
def closed(demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Closed]:
    """October closed, then the rep's largest paid October order refunded in the warehouse."""
    tmp = tmp_path_factory.mktemp("whatif-closed")
    copy = tmp / "warehouse.duckdb"
    shutil.copy(demo_warehouse_url.removeprefix("duckdb:///"), copy)
    settings = Settings(warehouse_url=f"duckdb:///{copy}", app_db_url=f"sqlite:///{tmp / 'app.db'}",
                        as_of=AS_OF)  # fmt: skip
    assistant = Assistant.from_settings(settings)
    assert assistant.closes is not None
    with assistant.warehouse.connect() as conn:
        snapshot = assistant.closes.close(
            conn, "2026-10", caller=OPERATOR, today=AS_OF, policy=assistant.policy
        )
    rep = resolve_caller("E00048", warehouse=assistant.warehouse)
    row = snapshot.row_of("E00048")
    assert row is not None and row.order_ids
    assistant.warehouse.dispose()  # DuckDB: no read-only connection while writing
    writer = warehouse_engine(settings.warehouse_url, read_only=False)
    with writer.begin() as conn:
        o = sales_orders
        order_id, amount = conn.execute(
            sa.select(o.c.order_id, o.c.amount).where(o.c.order_id.in_(row.order_ids))
            .order_by(o.c.amount.desc()).limit(1)
        ).one()  # fmt: skip
        conn.execute(sa.update(o).where(o.c.order_id == order_id).values(status="refunded"))
    writer.dispose()
    yield Closed(assistant, rep, row.sales, amount)
    assistant.warehouse.dispose()


def test_a_closed_month_answers_from_its_snapshot(closed: Closed) -> None:
    answer = closed.assistant.ask("上个月我还差多少能拿奖金", closed.rep, as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert answer.closed is not None and answer.closed.source == "snapshot"
    assert answer.closed.changed_since_close
    assert _cells(answer)[0]["current_sales"] == float(
        closed.closed_sales
    )  # the refund is not in it
    assert "已结账" in answer.answer and any(
        t.startswith("按 2026-10 结账快照第 1 版作答") for t in answer.trace
    )
    live = closed.assistant.ask("上个月我还差多少能拿奖金", closed.rep, as_of=AS_OF, live=True)
    assert live.closed is not None and live.closed.source == "live"
    assert _cells(live)[0]["current_sales"] == float(closed.closed_sales - closed.refunded)


def test_a_rep_picking_a_colleague_from_a_clarification_is_still_refused(closed: Closed) -> None:
    """A name several people share is asked back; choosing the colleague is refused."""
    assistant, rep = closed.assistant, closed.rep
    gz = assistant.gazetteer
    shared: dict[str, list[int]] = {}
    for e in gz.employees.values():
        shared.setdefault(e.name, []).append(e.id)
    name, ids = next((n, i) for n, i in shared.items() if len(i) > 1
                     and any(gz.employees[x].department_id == rep.department_id for x in i))  # fmt: skip
    asked = assistant.ask(f"{name}还差多少能拿奖金", rep, as_of=AS_OF)
    assert asked.kind == "clarification" and asked.conversation_id
    pick = next(i for i, x in enumerate(ids) if gz.employees[x].department_id == rep.department_id)
    chose = assistant.ask(str(pick + 1), rep, as_of=AS_OF, conversation_id=asked.conversation_id)
    assert chose.kind == "refusal" and chose.reason == "denied_colleagues"
    assert chose.tool is None and not chose.rows


def test_someone_already_eligible_needs_nothing_more(demo: Assistant) -> None:
    rows = _month(demo, "2026-11")
    gz = demo.gazetteer
    eligible = next(r for r in rows if r.bonus_eligible
                    and sum(e.name == r.name for e in gz.employees.values()) == 1)  # fmt: skip
    answer = demo.ask(f"{eligible.name}还差多少能拿奖金", OPERATOR, as_of=AS_OF)
    assert answer.kind == "answer"
    (row,) = _cells(answer)
    assert (row["extra"], row["eligible"], row["bonus"]) == (0, True, float(eligible.bonus or 0))
    assert answer.answer.startswith(
        f"{eligible.name}2026年11月（截至目前）已经可以拿到奖金，不需要再多卖"
    )


def test_the_only_member_of_a_roster_is_told_no_amount_can_do_it() -> None:
    person = Person(1, "E1", "张三", "Zhang San", 1, "一部", date(2026, 10, 1), False, None,
                    "rate 5 %, no cap (default)")  # fmt: skip
    alone = Standing(Decimal("100.00"), Decimal("100.00"), Decimal("0.00"), True, False, False,
                     Decimal("0.00"), 1, 1)  # fmt: skip
    result = HowMuchMore(person, "impossible", None, alone, None, None, (), [])
    assert needed_zh(result).startswith("张三2026年10月所在部门在册只有 1 人")
    assert needed_en(result).startswith("Zhang San is the only roster member of their department")
