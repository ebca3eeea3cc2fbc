"""The agent as the router sees it: a configured model plus the retrieval index.

:meth:`Agent.from_settings` returns None when no model is configured, so the
router's check is one ``is not None``. The retrieval index is opened (and
rebuilt when stale) on the first question, not at start-up; if it cannot be
opened the agent works with the whole schema in the prompt and says so in the
trace.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from assistant.llm import chat_model
from schema.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.tools import BaseTool

    from assistant.answer import Answer
    from assistant.ask import Assistant
    from assistant.retrieval import Retriever
    from schema.caller import Caller


@dataclass
class Agent:
    """The LLM path of ``ask``: a chat model, limits from settings, a lazily opened index."""

    settings: Settings
    model: BaseChatModel
    use_retrieval: bool = True
    _retriever: Retriever | None = field(default=None, init=False, repr=False)
    _opened: bool = field(default=False, init=False, repr=False)
    _tools: list[BaseTool] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Agent | None:
        """The agent for ``settings``, or None when no model is configured."""
        model = chat_model(settings)
        return cls(settings, model) if model is not None else None

    def retriever(self, assistant: Assistant, trace: list[str]) -> Retriever | None:
        """The retrieval index (opened once; None when retrieval is off or failed)."""
        if not self.use_retrieval:
            return None
        with self._lock:
            if not self._opened:
                self._opened = True
                from assistant.retrieval import open_index

                feedback: list[tuple[str, str]] = []
                if assistant.conversations is not None:
                    feedback = [(f.question, f.sql) for f in assistant.conversations.list_feedback(correct=True)
                                if f.sql]  # fmt: skip
                try:
                    self._retriever = open_index(self.settings, assistant.model, feedback=feedback)
                except (
                    Exception
                ) as exc:  # the agent still works, with the whole schema in the prompt
                    trace.append(
                        f"retrieval index unavailable ({type(exc).__name__}); whole schema used"
                    )
        return self._retriever

    def answer(
        self,
        assistant: Assistant,
        base: Answer,
        question: str,
        caller: Caller,
        as_of: date,
        hint: str | None = None,
    ) -> Answer:
        """Answer ``question`` on the LLM path (``base`` carries the planner's trace;
        ``hint`` its partial reading)."""
        from assistant.agent.deps import AgentDeps, RunState
        from assistant.agent.loop import run_agent
        from assistant.agent.privacy import Pseudonyms
        from assistant.agent.tools import build_tools

        if self._tools is None:
            self._tools = build_tools()  # the same stateless tools for every question
        retriever = self.retriever(assistant, base.trace)
        people = frozenset(
            n for e in assistant.gazetteer.employees.values() for n in (e.name, e.name_en) if n
        )
        deps = AgentDeps(assistant=assistant, caller=caller, as_of=as_of, language=base.language,
                         question=question, hint=hint, retriever=retriever, sees_rows=self.settings.llm_sees_rows,
                         state=RunState(pseudonyms=Pseudonyms(people=people)))  # fmt: skip
        found = None
        if retriever is not None:
            try:
                found = retriever.search(question, self.settings.retrieval_top_k)
            except Exception as exc:  # the prompt falls back to the whole schema
                base.trace.append(f"retrieval failed ({type(exc).__name__}); whole schema used")
        return run_agent(self.model, deps, base, max_steps=self.settings.llm_max_steps,
                         token_budget=self.settings.llm_token_budget, model_name=self.settings.llm_model,
                         found=found, tools=self._tools)  # fmt: skip
