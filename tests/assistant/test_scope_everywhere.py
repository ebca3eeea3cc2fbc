"""Every performance-engine and forecast answer, asked as a salesperson, managers and HR:
nothing outside the caller's scope appears anywhere in the answer's JSON (rows, sentence,
trace, summary, options), and the API's performance report obeys the same rule.

What is outside a caller's scope comes from the whole (admin) report of the same month:
departments the caller may not see (their names, in both languages), the people in them
(names and employee numbers, unless an in-scope person has the same name), and for a
salesperson the figures the leaderboard hides (colleagues' targets and bonuses, their
department's bonus total) and the counts that make them computable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from schema.caller import Caller
from schema.settings import Settings
from tools.forecast import forecast
from tools.money import fmt_money
from tools.performance import PerformanceReport, monthly_performance
from tools.scope import visible_department

AS_OF = date(2026, 11, 26)
LAST_MONTH = "2026-10"
SALES, MANAGER, DIRECTOR, HR = "E00048", "E00010", "E00002", "E00014"

QUESTIONS = (
    "上个月各部门业绩中位数是多少",
    "上个月我们部门的中位数",
    "上个月谁超过了中位数",
    "上个月谁低于中位数",
    "上个月谁达到了最低目标",
    "上个月谁没完成最低目标",
    "上个月谁拿到了业绩奖金",
    "上个月奖金总额是多少",
    "上个月各部门奖金总额",
    "上个月每个人的奖金是多少",
    "上个月每个人与中位数的差距",
    "上个月每个人的目标完成率",
    "上个月的业绩排行榜",
    "上个月我的业绩排第几",
    "上个月多少人达到了最低目标",
    "上个月各部门有几个人拿到奖金",
    "上个月拿到奖金的人占多少比例",
    "上个月大家都达标了吗",
    "上个月有没有人拿到奖金",
    "近3个月各部门的业绩中位数",
    "这个月谁可能完不成最低目标",
    "本月业绩预测",
    "who beat the median last month",
    "total bonus last month by department",
    "how many people met their minimum target last month",
    "last month's leaderboard",
    "am i above the median last month",
    "forecast for this month",
)


@pytest.fixture(scope="module")
def assistant(
    demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    app_db = tmp_path_factory.mktemp("scope-app") / "app.db"
    built = Assistant.from_settings(
        Settings(warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{app_db}")
    )
    yield built
    built.warehouse.dispose()


@pytest.fixture(scope="module")
def whole(assistant: Assistant) -> PerformanceReport:
    with assistant.warehouse.connect() as conn:
        return monthly_performance(conn, LAST_MONTH, caller=Caller.operator(), as_of=AS_OF)


def _caller(assistant: Assistant, employee_no: str) -> Caller:
    return resolve_caller(employee_no, warehouse=assistant.warehouse)


def _money_forms(value: Decimal) -> set[str]:
    """How an amount can be written in an answer: 8,378.27, 8378.27, 8378.27 as a float."""
    return {fmt_money(value), f"{value:.2f}", repr(float(value))}


def _forbidden(assistant: Assistant, whole: PerformanceReport, caller: Caller) -> set[str]:
    """Text that must not appear in any answer for ``caller``."""
    levels = {s.department_id: visible_department(caller, s.department_id) for s in whole.summaries}
    with assistant.warehouse.connect() as conn:
        projection = forecast(conn, AS_OF, caller=Caller.operator())
    departments = {
        s.department_id: s.department for s in whole.summaries
    }  # only sales departments have rosters; their English names are the rows' department_en
    rows = list(whole.rows)
    seen_names = {r.name for r in rows if levels[r.department_id] != "none"}
    seen_names.add(caller.name or "")
    out: set[str] = set()
    for dept_id, name in departments.items():
        if levels[dept_id] == "none":
            out.add(name)
    for r in rows:
        if levels[r.department_id] == "none" and r.employee_id != caller.employee_id:
            out.add(r.employee_no)
            if r.name not in seen_names:
                out.add(r.name)
        hidden_figures = (
            levels[r.department_id] == "leaderboard" and r.employee_id != caller.employee_id
        )
        if hidden_figures:
            out |= _money_forms(r.min_target)
            if r.bonus:
                out |= _money_forms(r.bonus)
    for s in whole.summaries:
        if levels[s.department_id] == "leaderboard" and s.total_bonus:
            out |= _money_forms(s.total_bonus)
    total = sum((s.total_bonus or Decimal(0) for s in whole.summaries), Decimal("0.00"))
    if any(level != "all" for level in levels.values()):
        out |= _money_forms(total)  # the company's bonus total is not the caller's to see
    for row in projection.rows:
        if levels.get(row.department_id) == "none":
            out.add(row.department)
    # A hidden figure equal to one the caller may see (their own target, a colleague's
    # sales) proves nothing.
    allowed: set[str] = set()
    for r in rows:
        if r.employee_id == caller.employee_id:
            figures = [r.sales, r.min_target, r.median, r.gap_to_median, r.bonus]
        elif levels[r.department_id] != "none":
            figures = [r.sales, r.median, r.gap_to_median]
        else:
            figures = []
        for figure in figures:
            if figure is not None:
                allowed |= _money_forms(figure)
    return {text for text in out - allowed if text}


def _counts_in_own_department(text: str) -> list[str]:
    """Trace lines that count who met the minimum, earned a bonus or is at risk (in English,
    or as a Chinese question's trace words them)."""
    counts = (
        r"met their minimum|eligible \(met|at risk of missing"
        r"|人中 \d+ 人达到最低目标|人获得奖金（达到最低目标|人中 \d+ 人可能达不到最低目标"
    )
    return re.findall(rf"[^\"]*(?:{counts})[^\"]*", text)


@pytest.mark.parametrize("asker", [SALES, MANAGER, DIRECTOR])
def test_no_answer_shows_anything_outside_the_callers_scope(
    assistant: Assistant, whole: PerformanceReport, asker: str
) -> None:
    caller = _caller(assistant, asker)
    forbidden = _forbidden(assistant, whole, caller)
    assert forbidden, "the check would be vacuous"
    answered = 0
    for question in QUESTIONS:
        answer = assistant.ask(question, caller, as_of=AS_OF)
        text = answer.model_dump_json()
        leaks = sorted(t for t in forbidden if t in text)
        assert not leaks, (question, answer.kind, leaks, text[:600])
        if caller.role.value == "sales":
            assert not _counts_in_own_department("\n".join(answer.trace)), (question, answer.trace)
        answered += answer.kind == "answer"
    assert answered >= 10, "too few answers to prove anything"


def test_hr_sees_what_the_others_may_not(assistant: Assistant, whole: PerformanceReport) -> None:
    """The same walk as HR does show other departments and the counts: the check can fail."""
    hr = _caller(assistant, HR)
    manager = _caller(assistant, MANAGER)
    forbidden = _forbidden(assistant, whole, manager)
    text = "".join(
        assistant.ask(q, hr, as_of=AS_OF).model_dump_json()
        for q in ("上个月各部门奖金总额", "上个月谁拿到了业绩奖金")
    )
    assert any(t in text for t in forbidden)
    assert _counts_in_own_department(text)
