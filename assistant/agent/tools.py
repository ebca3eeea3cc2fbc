"""The agent's tools: plain typed functions whose docstrings and signatures are the schema.

Each takes the run's :class:`~assistant.agent.deps.AgentDeps` as an
``InjectedToolArg`` (the model never sees it) and returns the JSON text the
model reads. Every real result is recorded in ``deps.state`` and phrased by
hrq; the model sees only what :mod:`assistant.agent.privacy` allows.

Guard, warehouse and tool errors are raised, not swallowed: the loop sends
the message back to the model (a correction) or ends the run (a refusal).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from langchain_core.tools import BaseTool, InjectedToolArg, tool
from pydantic import InstanceOf

from assistant import compose
from assistant.agent.deps import AgentDeps, Clarification, ToolRecord
from assistant.agent.errors import ToolArgumentError
from assistant.agent.final import compose_rows
from assistant.agent.privacy import view_for_model
from assistant.errors import GuardError
from assistant.guard import guard
from assistant.plan import Condition, Focus, ToolPlan
from assistant.tool_answer import run_tool
from schema.errors import HrqError
from schema.jsonvalue import json_rows
from tools.departments import load_departments, resolve_department
from tools.targets import suggest_targets as suggest_targets_tool

Deps = Annotated[InstanceOf[AgentDeps], InjectedToolArg]
#: Engine results that are aggregates, not people: the model may see their rows.
AGGREGATE_FOCUS = frozenset({"median", "total_bonus", "count", "share"})
SCOPE_NOTE = {"zh": "（仅包含你有权查看的数据）", "en": " (only data you may see is included)"}


def search_schema(topic: str, deps: Deps) -> str:
    """Find the warehouse tables and columns, business rules and example SQL about a topic.

    Args:
        topic: a few words in Chinese or English, e.g. "请假天数" or "customer visits".
    """
    if deps.retriever is None:
        tables = {name: sorted(cols) for name, cols in deps.assistant.catalog.tables.items()}
        return json.dumps({"tables": tables}, ensure_ascii=False)
    found = deps.retriever.search(topic, deps.assistant.settings.retrieval_top_k)
    return json.dumps({
        "tables": [s.text for s in found.tables],
        "rules": [s.text for s in found.rules],
        "examples": [{"question": s.key, "sql": s.sql} for s in found.examples],
    }, ensure_ascii=False)  # fmt: skip


def run_sql(sql: str, deps: Deps, aggregates: list[str] | None = None) -> str:
    """Run one read-only SELECT on the HR warehouse, checked by hrq's guard in the asker's scope.

    You see the result's column names, its row count and the aggregates you ask for,
    computed by hrq over the rows; hrq composes the answer from the rows themselves.

    Args:
        sql: exactly one SELECT statement in the warehouse's SQL dialect.
        aggregates: figures to compute over the result, each "function:column" with function
            one of sum, avg, min, max, count, count_distinct; e.g. ["sum:days"].
    """
    a = deps.assistant
    attempt: dict[str, Any] = {"sql_written": sql, "sql_guarded": None}
    deps.state.statements.append(attempt)
    try:
        guarded = guard(sql, deps.caller, a.catalog, limit=a.settings.sql_row_limit)
        attempt["sql_guarded"] = guarded.sql
        result = a.executor.execute(guarded)
    except HrqError as exc:
        attempt["outcome"] = "refusal" if isinstance(exc, GuardError) else "error"
        attempt["reason"] = getattr(exc, "reason", None) or exc.code
        raise
    attempt.update(outcome="answer", row_count=len(result.rows))
    columns = list(result.columns)
    converted = result.json_rows()
    rows = converted.rows
    view = view_for_model(columns, rows, aggregates or [], sees_rows=deps.sees_rows,
                          pseudonyms=deps.state.pseudonyms, truncated=result.truncated)  # fmt: skip
    sentence = compose_rows(deps.language, columns, rows)
    if guarded.scopes:
        sentence += SCOPE_NOTE[deps.language]
    deps.state.records.append(ToolRecord(
        tool="run_sql", arguments={"sql": sql}, columns=columns, rows=rows, sentence=sentence,
        sql=guarded.sql, sql_written=sql, scopes=list(guarded.scopes), scoped=bool(guarded.scopes),
        notes=converted.notes, shown=[view.get("aggregates", {}), view.get("rows", [])],
    ))  # fmt: skip
    return json.dumps({"status": "ok", **view}, ensure_ascii=False)


def performance(
    month: str,
    deps: Deps,
    department: str | None = None,
    focus: Focus = "rows",
    conditions: list[Condition] | None = None,
    order: Literal["desc", "asc"] | None = None,
    limit: int | None = None,
) -> str:
    """Dual-target performance of a month from hrq's performance engine: sales, minimum target,
    attainment, department median, gap to median, bonus eligibility, bonus, rank, leaderboard.

    Args:
        month: the month as YYYY-MM.
        department: a department's Chinese or English name or abbreviation; default: all.
        focus: what to show: rows, median, bonus, total_bonus, gap, attainment, min_target,
            sales, count, leaderboard, rank or share.
        conditions: keep only people who are above_median, below_median, met_minimum,
            missed_minimum, bonus_eligible or not_bonus_eligible.
        order: sort by sales (or bonus) descending or ascending.
        limit: keep the first N people.
    """
    plan = ToolPlan(tool="performance", month=_month(month), department=_department(deps, department),
                    focus=focus, conditions=conditions or [], order=order, limit=limit)  # fmt: skip
    return _run_plan(plan, deps, {"month": month, "department": department, "focus": focus,
                                  "conditions": conditions or [], "order": order, "limit": limit})  # fmt: skip


def forecast(deps: Deps, department: str | None = None) -> str:
    """Month-end forecast for the month of the reference date: month-to-date sales, projected
    sales, who is at risk of missing the minimum target, who is projected above the median.

    Args:
        department: a department's Chinese or English name or abbreviation; default: all.
    """
    plan = ToolPlan(
        tool="forecast", month=deps.as_of.replace(day=1), department=_department(deps, department)
    )
    return _run_plan(plan, deps, {"department": department})


def suggest_targets(month: str, department: str, planned_spend: float, deps: Deps,
                    planned_leads: int | None = None) -> str:  # fmt: skip
    """Suggest a sales department's minimum targets for a month from its planned marketing spend.

    Args:
        month: the target month as YYYY-MM.
        department: the sales department's Chinese or English name or abbreviation.
        planned_spend: planned marketing spend in CNY.
        planned_leads: planned leads (customers brought in), if known.
    """
    a = deps.assistant
    with a.warehouse.connect() as conn:
        result = suggest_targets_tool(conn, department, month, Decimal(str(planned_spend)), caller=deps.caller,
                                      planned_leads=planned_leads, policy=a.policy)  # fmt: skip
    table: dict[str, Any] = result.as_table()
    columns, rows = list(table["columns"]), [list(r) for r in table["rows"]]
    summary = table["summary"]
    zh = deps.language == "zh"
    point = compose.money(summary["conservative_point"])
    sentence = (f"{summary['department']}{summary['month']}的建议：保守业绩 {point}，共 {len(rows)} 人的最低目标。"
                if zh else f"Suggested targets for {summary['department']}, {summary['month']}: conservative "
                f"sales {point}, minimum targets for {len(rows)} people.")  # fmt: skip
    deps.state.records.append(ToolRecord(
        tool="suggest_targets", arguments={"month": month, "department": department,
                                           "planned_spend": planned_spend, "planned_leads": planned_leads},
        columns=columns, rows=json_rows(rows).rows, sentence=sentence,
        scoped=bool(result.scope_note), shown=[summary],
    ))  # fmt: skip
    view = view_for_model(
        columns, rows, [], sees_rows=deps.sees_rows, pseudonyms=deps.state.pseudonyms
    )
    return json.dumps({"status": "ok", "summary": summary, **view}, ensure_ascii=False, default=str)


def ask_user(question: str, deps: Deps, options: list[str] | None = None) -> str:
    """Ask the user one short question when their question is ambiguous, instead of guessing.

    Args:
        question: the question to ask, in the user's language.
        options: up to five likely answers (e.g. department names or months).
    """
    deps.state.clarification = Clarification(
        question=question.strip(), options=list(options or [])[:5]
    )
    return json.dumps({"status": "asked", "note": "the question was shown to the user; stop here"})


def build_tools() -> list[BaseTool]:
    """The agent's tools as LangChain tools (schema from signatures and docstrings)."""
    return [tool(f, parse_docstring=True)
            for f in (search_schema, run_sql, performance, forecast, suggest_targets, ask_user)]  # fmt: skip


def _run_plan(plan: ToolPlan, deps: Deps, arguments: dict[str, Any]) -> str:
    a = deps.assistant
    with a.warehouse.connect() as conn:
        result = run_tool(plan, conn, deps.caller, deps.as_of, a.policy, a.snapshots())
    rows = json_rows(result.rows).rows
    sentence = compose.tool_sentence(deps.language, result.keys, result.rows, result.context)
    if result.scoped:
        sentence += SCOPE_NOTE[deps.language]
    aggregate_rows = plan.focus in AGGREGATE_FOCUS and plan.tool == "performance"
    view = view_for_model(result.keys, rows, [], sees_rows=deps.sees_rows or aggregate_rows,
                          pseudonyms=deps.state.pseudonyms)  # fmt: skip
    deps.state.records.append(ToolRecord(
        tool=result.name, arguments=arguments, columns=result.columns(deps.language), rows=rows,
        sentence=sentence, scoped=result.scoped, shown=[view.get("rows", [])],
    ))  # fmt: skip
    return json.dumps({"status": "ok", **view}, ensure_ascii=False)


def _month(text: str) -> date:
    try:
        year, month = text.strip()[:7].split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise ToolArgumentError(
            f"month must be YYYY-MM, not {text!r}", reason="bad_argument"
        ) from exc


def _department(deps: AgentDeps, name: str | None) -> int | None:
    if name is None or not str(name).strip():
        return None
    with deps.assistant.warehouse.connect() as conn:
        return resolve_department(load_departments(conn), name).department_id
