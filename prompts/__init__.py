"""Prompt templates of the LLM agent, as files, one per prompt and language.

- ``system.{zh,en}.md``: the agent's role, the dialect, the asker's scope, the
  reference date, the tools and the (retrieved) business rules.
- ``sql.{zh,en}.md``: the question with the retrieved tables and examples.
- ``clarify.{zh,en}.md``: sent when the model answers without calling a tool:
  fetch data or ask the user (``ask_user``), never answer from memory.

Templates use ``string.Template`` placeholders (``$as_of``); :func:`render`
fails with :class:`PromptError` when a placeholder has no value, so a renamed
value can never silently produce a prompt with a hole in it.
"""

from __future__ import annotations

from pathlib import Path
from string import Template
from typing import Literal

PROMPT_DIR = Path(__file__).resolve().parent
PromptName = Literal["system", "sql", "clarify"]
NAMES: tuple[PromptName, ...] = ("system", "sql", "clarify")
LANGUAGES = ("zh", "en")


class PromptError(ValueError):
    """A prompt template is missing or a placeholder has no value."""


def template_path(name: PromptName, language: str) -> Path:
    """The file of prompt ``name`` in ``language`` (``zh`` or ``en``; anything else: ``en``)."""
    return PROMPT_DIR / f"{name}.{language if language in LANGUAGES else 'en'}.md"


def render(name: PromptName, language: str, **values: object) -> str:
    """Prompt ``name`` in ``language`` with every ``$placeholder`` filled from ``values``."""
    path = template_path(name, language)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"prompt template {path.name} cannot be read: {exc.strerror}") from exc
    try:
        return Template(text).substitute({k: str(v) for k, v in values.items()})
    except KeyError as exc:
        raise PromptError(f"prompt {path.name} needs a value for ${exc.args[0]}") from exc


def placeholders(name: PromptName, language: str) -> set[str]:
    """The placeholder names prompt ``name`` uses in ``language``."""
    text = template_path(name, language).read_text(encoding="utf-8")
    return set(Template(text).get_identifiers())


__all__ = ["NAMES", "PROMPT_DIR", "PromptError", "placeholders", "render", "template_path"]
