"""The answer object: what ``hrq ask --json`` prints and every surface renders.

No surface computes anything; they render an :class:`Answer`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.snapshot import ClosedMonth

Language = Literal["zh", "en"]
Kind = Literal["answer", "clarification", "refusal", "error"]
Path = Literal["planner", "llm"]
#: How a column's values read: money to the cent, a fraction as a percentage, a month
#: as 2026年1月 / Jan 2026, a flag as yes or no; text as it is.
ColumnKind = Literal["text", "money", "count", "number", "percent", "month", "date", "flag"]


class ColumnFormat(BaseModel):
    """How one column of an answer's table is shown (every surface and download alike)."""

    kind: ColumnKind = "text"
    values: dict[str, str] = Field(
        default_factory=dict,
        description="A coded value in words of the answer's language (offline -> 线下).",
    )


class Chart(BaseModel):
    """The chart of an answer: bars of the measure the question asked for, one per row.

    Absent when a chart says nothing (one row, a yes or no, a list of names)."""

    label: int = Field(description="Index of the column that names each bar.")
    value: int = Field(description="Index of the column of the measure asked for.")
    title: str = Field(description="The measure's name in the answer's language.")
    kind: ColumnKind = "number"
    reference: float | None = Field(
        default=None, description="A line to read the bars against (the department median)."
    )
    reference_label: str | None = None
    sort: bool = Field(
        default=False,
        description="Draw the bars highest first (rows in no order of their own); else in row order.",
    )


class ToolCallInfo(BaseModel):
    """The performance-engine tool that produced an answer, with its arguments."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class Usage(BaseModel):
    """Model usage of an answer produced on the LLM path."""

    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_latency_ms: float = 0.0


class Answer(BaseModel):
    """One answer to one question, in the question's language."""

    question: str
    language: Language = "zh"
    kind: Kind = "answer"
    answer: str = Field(description="One or two sentences with the key figures.")
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(
        default_factory=list, description="JSON-safe: numbers as numbers, dates as ISO strings."
    )
    formats: list[ColumnFormat] = Field(
        default_factory=list, description="How each column reads (one per column, or none)."
    )
    chart: Chart | None = None
    sql: str | None = Field(
        default=None, description="The SQL that ran, as rewritten by the guard."
    )
    notes: list[str] = Field(
        default_factory=list,
        description="How the rows were cut or shown: a row or size limit reached, binary values "
        "as base64, NaN as null (schema/jsonvalue.py).",
    )
    tool: ToolCallInfo | None = None
    trace: list[str] = Field(default_factory=list)
    interpretation: str | None = Field(
        default=None,
        description="What was understood, restated from the plan in one line (我的理解：…).",
    )
    as_of: date
    path: Path = "planner"
    latency_ms: float = 0.0
    options: list[str] = Field(
        default_factory=list, description="Choices offered by a clarification."
    )
    examples: list[str] = Field(
        default_factory=list, description="Questions hrq can answer, offered with a refusal."
    )
    reason: str | None = Field(default=None, description="Machine-readable refusal/error reason.")
    scoped: bool = Field(
        default=False, description="True when the caller's scope narrowed what the answer saw."
    )
    sql_written: str | None = Field(default=None, description="The SQL before the guard.")
    scopes: list[str] = Field(default_factory=list, description="Scopes the guard applied.")
    plan: dict[str, Any] | None = Field(
        default=None, description="The planner's plan (slots), reused by follow-up questions."
    )
    usage: Usage | None = None
    statements: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Every statement the LLM agent sent to the guard, with its outcome (audit only).",
    )
    closed: ClosedMonth | None = Field(
        default=None,
        description="Set when the answer is about a closed month: the snapshot it comes from.",
    )
    conversation_id: str | None = None
    answer_id: str | None = None

    def public(self) -> dict[str, Any]:
        """The JSON object of ``hrq ask --json`` (audit-only fields left out)."""
        return self.model_dump(mode="json", exclude={"sql_written", "scopes", "plan", "statements"})
