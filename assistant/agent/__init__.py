"""The LLM agent: for questions the planner cannot plan, a model writes guarded SQL or calls tools.

Public API:

- :class:`Agent` (``Agent.from_settings(settings)`` -> Agent or None): what
  the router in :mod:`assistant.ask` calls, ``agent.answer(assistant, base,
  question, caller, as_of) -> Answer`` with ``path="llm"`` and ``usage``;
- :func:`~assistant.agent.loop.run_agent`: the loop itself, for any LangChain
  chat model (tests pass a scripted fake);
- :class:`~assistant.agent.deps.AgentDeps`: the per-run dependencies.

Privacy: by default the model sees the question, schema excerpts, rules,
examples and, of results, only column names, row counts and the aggregates it
asks for; hrq composes the answer from the real rows. ``HRQ_LLM_SEES_ROWS=true``
lets the model phrase the answer over pseudonymised rows (E1, E2 ...), names
restored afterwards, every figure checked against the results.
"""

from __future__ import annotations

from assistant.agent.agent import Agent

__all__ = ["Agent"]
