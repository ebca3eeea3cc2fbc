"""Input and output models shared by the routers (each router keeps its own specific ones)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.answer import (
    Answer,
    Chart,
    ColumnFormat,
    Kind,
    Language,
    Path,
    ToolCallInfo,
    Usage,
)
from tools.snapshot import ClosedMonth

MAX_QUESTION_CHARS = 2000

ANSWER_EXAMPLE: dict[str, Any] = {
    "question": "上个月成都组谁超过了中位数?",
    "language": "zh",
    "kind": "answer",
    "answer": "2026年8月成都组有 3 人超过中位数 ¥52,300.00。",
    "columns": ["name", "sales", "gap_to_median"],
    "rows": [["王芳", 81250.0, 28950.0], ["李雷", 60000.0, 7700.0], ["赵敏", 52300.5, 0.5]],
    "sql": None,
    "tool": {
        "name": "monthly_performance",
        "arguments": {"month": "2026-08", "department": "成都组"},
    },
    "trace": ["median of 7 = ¥52,300.00"],
    "as_of": "2026-09-15",
    "path": "planner",
    "latency_ms": 8.4,
    "options": [],
    "examples": [],
    "reason": None,
    "scoped": False,
    "usage": None,
    "conversation_id": "5f0c7e0a3b4d4a0e9a3c1d2b7e6f8a90",
    "answer_id": "b1e2c3d4e5f60718293a4b5c6d7e8f90",
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code.", examples=["unauthorized"])
    message: str = Field(description="What went wrong, safe to show a person.")


class ErrorOut(BaseModel):
    """Every error response: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses, all with :class:`ErrorOut`."""
    described = {
        401: "Missing, invalid or revoked API key.",
        403: "Outside what the caller may see.",
        404: "Not found (or not yours).",
        406: "The requested format is not available.",
        409: "Ambiguous: the message lists the candidates.",
        413: "Request body too large.",
        422: "Invalid request.",
        429: "Rate limit reached; see Retry-After.",
        503: "The warehouse or the app database is unavailable.",
    }
    return {s: {"model": ErrorOut, "description": described.get(s, "Error.")} for s in statuses}


AUTH_ERRORS = (401, 422, 429)


class AnswerPublic(BaseModel):
    """One answer, as ``hrq ask --json`` prints it, with its conversation and answer ids."""

    model_config = ConfigDict(json_schema_extra={"examples": [ANSWER_EXAMPLE]})

    question: str
    language: Language
    kind: Kind = Field(description="answer | clarification | refusal | error")
    answer: str = Field(description="One or two sentences with the key figures.")
    columns: list[str]
    rows: list[list[Any]] = Field(description="JSON-safe values; dates as ISO strings.")
    formats: list[ColumnFormat] = Field(
        default_factory=list,
        description="How each column reads: money, percent, month, a flag; coded values in words.",
    )
    chart: Chart | None = Field(
        default=None,
        description="Bars of the measure asked for (label and value column indexes), or none "
        "when a chart would say nothing.",
    )
    sql: str | None = Field(description="The SQL that ran, as rewritten by the guard.")
    notes: list[str] = Field(
        default_factory=list,
        description="How the rows were cut or shown: a row or size limit reached, binary values "
        "as base64, NaN as null.",
    )
    tool: ToolCallInfo | None
    trace: list[str]
    interpretation: str | None = Field(
        default=None, description="What was understood, restated in one line (我的理解：…)."
    )
    as_of: date
    path: Path
    latency_ms: float
    options: list[str] = Field(description="Choices offered by a clarification.")
    examples: list[str] = Field(description="Questions hrq can answer, offered with a refusal.")
    reason: str | None = Field(description="Machine-readable refusal or error reason.")
    scoped: bool = Field(description="True when the caller's scope narrowed the answer.")
    usage: Usage | None
    closed: ClosedMonth | None = Field(
        default=None,
        description="Set for a closed month: the snapshot version and hash the figures come "
        "from, and whether live data changed since (`live=true` gives the live figures).",
    )
    conversation_id: str | None
    answer_id: str | None

    @classmethod
    def of(cls, answer: Answer) -> AnswerPublic:
        """The public view of an answer (audit-only fields left out)."""
        return cls.model_validate(answer.public())


TableFormat = Literal["json", "csv", "xlsx"]
