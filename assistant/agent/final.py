"""The agent's answer, composed by hrq from the real results (never from the model's rows).

- a result: hrq's own sentence for it (:func:`compose_rows` for SQL, the
  composer of :mod:`assistant.compose` for the performance engine); in the
  opt-in mode the model's sentence, names restored, if it passes the
  grounding check;
- a clarification: the model's question and options;
- a policy refusal by the guard: the guard's message;
- a failure (limits, model errors): a clear sentence saying what happened.
"""

from __future__ import annotations

import json
from typing import Any

from assistant import compose
from assistant.agent.deps import AgentDeps
from assistant.agent.grounding import known_numbers, ungrounded
from assistant.answer import Answer, ToolCallInfo

FAILURES: dict[str, tuple[str, str]] = {
    "llm_step_limit": ("模型在 {n} 步内没有得出答案，已停止。请换个问法或把问题拆小。",
                       "The model found no answer within {n} steps and was stopped. Rephrase or split the question."),
    "llm_token_budget": ("本问题的模型用量超过上限（{n} 个 token），已停止。请把问题问得更具体些。",
                         "The question used more than its model budget ({n} tokens) and was stopped. Ask something more specific."),
    "llm_corrections": ("模型写的查询修正 {n} 次后仍然失败，已停止。最后的错误：{detail}",
                        "The model's query still failed after {n} corrections and was stopped. Last error: {detail}"),
    "llm_timeout": ("模型服务超时，没有得到回答，请稍后再试。", "The model server timed out; no answer. Try again later."),
    "llm_unavailable": ("模型服务出错（{detail}），没有得到回答，请稍后再试。",
                        "The model server failed ({detail}); no answer. Try again later."),
    "llm_bad_response": ("模型服务返回了无法解析的响应，没有得到回答。",
                         "The model server sent a response hrq could not read; no answer."),
    "llm_no_data": ("我没有查到能回答这个问题的数据。我可以回答业绩、目标、奖金、人事、考勤、请假等问题。",
                    "I found no data that answers this. I answer questions about sales, targets, bonuses, "
                    "people, attendance and leave."),
}  # fmt: skip


def compose_rows(language: str, columns: list[str], rows: list[list[Any]]) -> str:
    """One sentence for a SQL result: the figures of one row, or the row count and the first rows."""
    zh = language == "zh"
    if not rows:
        return "没有符合条件的数据。" if zh else "No matching data."
    if len(rows) == 1:
        parts = [f"{c} {_cell(v)}" for c, v in zip(columns, rows[0], strict=False)]
        return ("，".join(parts) + "。") if zh else ", ".join(parts) + "."
    first = "；".join(" ".join(_cell(v) for v in row) for row in rows[:5])
    more = ("等" if zh else ", ...") if len(rows) > 5 else ""
    return f"共 {len(rows)} 行结果：{first}{more}。" if zh else f"{len(rows)} rows: {first}{more}."


def failure(base: Answer, reason: str, **values: Any) -> Answer:
    """``base`` as a clear failure answer (kind ``error``) for ``reason``."""
    zh, en = FAILURES[reason]
    base.kind = "error"
    base.reason = reason
    base.answer = (zh if base.language == "zh" else en).format(**values)
    return base


def finish(base: Answer, deps: AgentDeps, model_text: str | None) -> Answer:
    """The answer of a run that ended normally (the model stopped calling tools, or asked)."""
    state = deps.state
    if state.refusal is not None:
        reason, message = state.refusal
        base.kind, base.reason, base.answer = "refusal", reason, message
        return base
    if state.clarification is not None:
        base.kind = "clarification"
        base.answer = state.pseudonyms.restore(state.clarification.question)
        base.options = [state.pseudonyms.restore(o) for o in state.clarification.options]
        return base
    if not state.records:
        return failure(base, "llm_no_data")
    record = state.records[-1]
    base.columns, base.rows = record.columns, record.rows
    base.sql, base.sql_written = record.sql, record.sql_written
    base.scopes, base.scoped = record.scopes, record.scoped
    base.notes = record.notes
    if record.tool != "run_sql":
        base.tool = ToolCallInfo(name=record.tool, arguments=record.arguments)
    base.answer = record.sentence
    if deps.sees_rows and model_text and model_text.strip():
        restored = state.pseudonyms.restore(model_text.strip())
        known = known_numbers([r.rows for r in state.records] + [r.shown for r in state.records]
                              + [len(r.rows) for r in state.records], deps.question, deps.as_of)  # fmt: skip
        missing = ungrounded(restored, known)
        if missing:
            base.trace.append(f"grounding: figures {', '.join(missing)} are not in the results; "
                              "the composed answer replaces the model's sentence")  # fmt: skip
        else:
            base.answer = restored
    return base


def _cell(value: Any) -> str:
    """A value in the JSON form of :mod:`schema.jsonvalue` as text: numbers as people read them,
    lists and objects as their JSON."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return "—" if value is None else str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return compose.number(value)
