"""Errors of the LLM agent; messages are safe to show a user."""

from __future__ import annotations

from assistant.errors import AssistantError


class AgentError(AssistantError):
    """The agent could not produce an answer (model unreachable, limits reached)."""

    code = "agent"


class ToolArgumentError(AgentError):
    """A tool was called with arguments it cannot use (sent back to the model)."""

    code = "tool_arguments"
