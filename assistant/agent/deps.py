"""Per-run dependencies of the agent, in one dataclass, and what a run collects.

:class:`AgentDeps` travels to every tool (LangChain's ``InjectedToolArg``: the
model never sees it). :class:`RunState` is the run's own record: the real
results (which hrq composes the answer from), the refusals, the corrections
and a clarification, if the model asked for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.agent.privacy import Pseudonyms

if TYPE_CHECKING:
    from assistant.ask import Assistant
    from assistant.retrieval import Retriever
    from schema.caller import Caller


@dataclass
class ToolRecord:
    """One successful tool call: the real (JSON-safe) table and how hrq phrases it."""

    tool: str
    arguments: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    sentence: str
    sql: str | None = None
    sql_written: str | None = None
    scopes: list[str] = field(default_factory=list)
    scoped: bool = False
    #: How the rows were cut or shown (truncation, base64 bytes, null for NaN), for the answer.
    notes: list[str] = field(default_factory=list)
    #: Figures the model was shown (aggregates, aggregate tool rows), for the grounding check.
    shown: list[Any] = field(default_factory=list)


@dataclass
class Clarification:
    """The model asked the user a question instead of guessing."""

    question: str
    options: list[str]


@dataclass
class RunState:
    """What one agent run has collected so far."""

    records: list[ToolRecord] = field(default_factory=list)
    refusal: tuple[str, str] | None = None
    corrections: int = 0
    errors: list[str] = field(default_factory=list)
    clarification: Clarification | None = None
    pseudonyms: Pseudonyms = field(default_factory=Pseudonyms)
    #: Every statement sent to the guard, with its outcome: the audit record keeps them all.
    statements: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AgentDeps:
    """Everything a tool needs for one question: who asks, as of when, and hrq itself."""

    assistant: Assistant
    caller: Caller
    as_of: date
    language: str
    question: str
    #: the planner's partial reading, restated, when it could not account for the question
    hint: str | None = None
    retriever: Retriever | None = None
    sees_rows: bool = False
    state: RunState = field(default_factory=RunState)
