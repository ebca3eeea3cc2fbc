"""The agent loop: model -> tool calls -> tool results -> model, within hard limits.

An explicit loop of about a hundred lines rather than LangChain's ``create_agent``:
every rule of this loop is ours and has to be exact and testable, and each
would be a middleware or a graph hook around ``create_agent``:

- a step limit (model calls) and a token budget (prompt + completion tokens);
- a guard refusal on policy grounds (a write, payroll for a manager, system
  catalogs ...) ends the run as a refusal, never retried;
- any other guard, warehouse, tool or argument error goes back to the model
  with its message, at most :data:`MAX_CORRECTIONS` times, then a clear failure;
- ``ask_user`` ends the run as a clarification;
- a text reply with no data yet gets one nudge (the clarification prompt);
- model transport errors (timeout, HTTP 5xx, unreadable JSON) end the run with
  a clear answer; nothing is ever written anywhere (the warehouse is read-only
  and the guard admits SELECT only).

The model is any LangChain ``BaseChatModel`` with ``bind_tools``: ``ChatOpenAI``
from :mod:`assistant.llm` in production, a scripted fake model in tests.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.tools import BaseTool
from pydantic import ValidationError

from assistant.agent.context import clarify_prompt, question_prompt, system_prompt
from assistant.agent.deps import AgentDeps
from assistant.agent.final import failure, finish
from assistant.agent.tools import build_tools
from assistant.answer import Answer, Usage
from assistant.errors import GuardError
from assistant.llm import model_error_detail, model_error_reason
from assistant.retrieval import Retrieved
from schema.errors import HrqError

#: Errors sent back to the model for it to fix, per question.
MAX_CORRECTIONS = 3
#: Guard reasons that end the run as a refusal: retrying cannot make them allowed.
POLICY_REASONS = frozenset({
    "not_read_only", "denied_payroll", "denied_table", "no_scope", "system_catalog",
    "multiple_statements", "parameter_not_allowed", "cte_shadows_table",
})  # fmt: skip


def run_agent(
    model: BaseChatModel,
    deps: AgentDeps,
    base: Answer,
    *,
    max_steps: int,
    token_budget: int,
    model_name: str | None = None,
    found: Retrieved | None = None,
    tools: Sequence[BaseTool] | None = None,
) -> Answer:
    """Answer ``deps.question`` with ``model`` and the tools; always returns an Answer.

    ``tools`` defaults to :func:`~assistant.agent.tools.build_tools` (pass them in to
    reuse them across questions: building their schemas costs tens of milliseconds).
    """
    by_name = {t.name: t for t in (tools if tools is not None else build_tools())}
    bound = model.bind_tools(list(by_name.values()))
    messages: list[BaseMessage] = [SystemMessage(system_prompt(deps, found)),
                                   HumanMessage(question_prompt(deps, found))]  # fmt: skip
    usage = Usage(model=model_name)
    base.path, base.usage = "llm", usage
    base.statements = deps.state.statements  # the same list: every way out of the run keeps it
    nudged = False
    for step in range(1, max_steps + 1):
        started = time.perf_counter()
        try:
            reply = bound.invoke(messages)
        except (
            Exception
        ) as exc:  # transport, HTTP status, unreadable body: a clear answer, never a crash
            usage.model_latency_ms += _ms(started)
            reason = model_error_reason(exc)
            base.trace.append(f"llm step {step}: {reason} ({model_error_detail(exc)})")
            return failure(base, reason, detail=model_error_detail(exc))
        usage.model_latency_ms += _ms(started)
        if not isinstance(reply, AIMessage):
            return failure(base, "llm_bad_response")
        _count(usage, reply)
        messages.append(reply)
        calls = list(reply.tool_calls)
        invalid = list(reply.invalid_tool_calls)
        base.trace.append(f"llm step {step}: " + (", ".join(c["name"] for c in calls) or "text"))
        if usage.prompt_tokens + usage.completion_tokens > token_budget:
            return failure(base, "llm_token_budget", n=token_budget)
        if not calls and not invalid:
            if not deps.state.records and not nudged:
                nudged = True
                messages.append(HumanMessage(clarify_prompt(deps)))
                continue
            return finish(base, deps, _text(reply))
        for bad in invalid:
            error = (
                f"the arguments of {bad.get('name')} are not valid JSON: {bad.get('error') or ''}"
            )
            if not _correct(deps, base, error):
                return failure(base, "llm_corrections", n=MAX_CORRECTIONS, detail=error)
            messages.append(
                ToolMessage(error, tool_call_id=bad.get("id") or "invalid", status="error")
            )
        for call in calls:
            content, failed = _call(by_name, call, deps)
            if deps.state.refusal is not None:
                reason, message = deps.state.refusal
                base.trace.append(f"guard refused ({reason}): {message}")
                return finish(base, deps, None)
            if failed is not None:
                base.trace.append(f"correction: {failed}")
                if not _correct(deps, base, failed):
                    return failure(base, "llm_corrections", n=MAX_CORRECTIONS, detail=failed)
                content = failed
            messages.append(ToolMessage(content, tool_call_id=call.get("id") or call["name"],
                                        status="error" if failed else "success"))  # fmt: skip
            if deps.state.clarification is not None:
                return finish(base, deps, None)
    return failure(base, "llm_step_limit", n=max_steps)


def _call(tools: dict[str, BaseTool], call: ToolCall, deps: AgentDeps) -> tuple[str, str | None]:
    """Run one tool call: ``(content for the model, None)`` or ``("", error message)``."""
    chosen = tools.get(call["name"])
    if chosen is None:
        return "", f"there is no tool {call['name']!r}; the tools are {', '.join(tools)}"
    try:
        return str(chosen.invoke({**call.get("args", {}), "deps": deps})), None
    except GuardError as exc:
        if exc.reason in POLICY_REASONS:
            deps.state.refusal = (exc.reason, str(exc))
            return "", None
        return "", f"refused by the guard ({exc.reason}): {exc}"
    except HrqError as exc:
        return "", f"error ({getattr(exc, 'reason', None) or exc.code}): {exc}"
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        return "", f"invalid arguments for {call['name']}: {details}"
    except (
        Exception
    ) as exc:  # a tool failed unexpectedly: reported to the model, bounded by the corrections
        return "", f"the tool {call['name']} failed ({type(exc).__name__}); try another way"


def _correct(deps: AgentDeps, base: Answer, error: str) -> bool:
    """Count a correction; False when the model has used all of them."""
    deps.state.errors.append(error)
    if deps.state.corrections >= MAX_CORRECTIONS:
        return False
    deps.state.corrections += 1
    return True


def _count(usage: Usage, reply: AIMessage) -> None:
    meta = reply.usage_metadata
    if meta is not None:
        usage.prompt_tokens += int(meta.get("input_tokens", 0))
        usage.completion_tokens += int(meta.get("output_tokens", 0))


def _text(reply: AIMessage) -> str:
    content = reply.content
    if isinstance(content, str):
        return content
    return " ".join(p["text"] if isinstance(p, dict) and "text" in p else str(p) for p in content)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
