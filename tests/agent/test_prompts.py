"""Prompt templates rendered with real data: dialect, scope, reference date, rules, tables."""

from __future__ import annotations

import pytest

from assistant.agent.context import clarify_prompt, question_prompt, system_prompt
from assistant.ask import Assistant
from assistant.retrieval import Retriever
from prompts import NAMES, PromptError, placeholders, render
from schema.caller import Caller
from tests.agent.conftest import make_deps


@pytest.mark.parametrize("language", ["zh", "en"])
def test_system_and_question_prompts_carry_the_callers_world(
    agent_assistant: Assistant, manager: Caller, retriever: Retriever, language: str
) -> None:
    question = "本月各部门的请假天数" if language == "zh" else "leave days by department this month"
    deps = make_deps(agent_assistant, manager, question, language=language, retriever=retriever)
    found = retriever.search(question, 3)
    system = system_prompt(deps, found)
    department = agent_assistant.gazetteer.departments[manager.department_id].name  # type: ignore[index]
    assert "2026-11-26" in system and "duckdb" in system and department in system
    assert manager.name in system and ("payroll" in system)
    assert any(s.text.splitlines()[0] in system for s in found.rules)
    asked = question_prompt(deps, found)
    assert question in asked and "leave_requests" in asked and "SQL:" in asked
    assert "$" not in system + asked + clarify_prompt(deps)


def test_without_an_index_the_prompt_has_every_table_and_all_rules(
    agent_assistant: Assistant, manager: Caller
) -> None:
    deps = make_deps(agent_assistant, manager, "请假", language="en")
    assert "## Who may see what" in system_prompt(deps, None)
    asked = question_prompt(deps, None)
    assert all(f"- {table}:" in asked for table in agent_assistant.catalog.tables)


def test_every_prompt_exists_in_both_languages_with_the_same_placeholders() -> None:
    for name in NAMES:
        assert placeholders(name, "zh") == placeholders(name, "en")


def test_a_missing_value_is_an_error_not_a_hole() -> None:
    with pytest.raises(PromptError, match=r"needs a value for \$question"):
        render("clarify", "zh")
