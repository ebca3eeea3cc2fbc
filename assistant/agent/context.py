"""The agent's first two messages: the system prompt and the question with retrieved context.

Only the top-k relevant tables, rules and examples go into the prompt (from
:mod:`assistant.retrieval`); without an index, every table and the whole
rules file do.
"""

from __future__ import annotations

from assistant.agent.deps import AgentDeps
from assistant.retrieval import CONTRACT_DIR, Retrieved
from prompts import render
from schema.caller import Caller, Role


def describe_scope(caller: Caller, language: str, department: str | None = None) -> str:
    """What ``caller`` may see, in a sentence for the system prompt."""
    zh = language == "zh"
    who = caller.name + (f"（{caller.employee_no}）" if zh and caller.employee_no else
                         f" ({caller.employee_no})" if caller.employee_no else "")  # fmt: skip
    dept = department or (str(caller.department_id) if caller.department_id is not None else "")
    if caller.role in (Role.ADMIN, Role.HR):
        return (
            f"{who}，角色 {caller.role.value}：可以查看全部数据。"
            if zh
            else f"{who}, role {caller.role.value}: may read everything."
        )
    if caller.role == Role.MANAGER:
        return (f"{who}，{dept} 的经理：只能查看本部门及下属部门的数据；不能查看工资（payroll），"
                "不能查看他人的电话和邮箱。") if zh else (
            f"{who}, manager of {dept}: may read only their department and the departments below it; "
            "no payroll, no phone or email of anyone else.")  # fmt: skip
    if caller.role == Role.SALES:
        return (f"{who}，{dept} 的销售：只能查看自己的数据，以及本部门排行榜（姓名、排名、业绩、与中位数差距）；"
                "不能查看他人的工资。") if zh else (
            f"{who}, salesperson in {dept}: may read their own rows and their department's leaderboard "
            "(name, rank, sales, gap to median); no payroll of anyone else.")  # fmt: skip
    return (
        f"{who}，员工：只能查看自己的数据。"
        if zh
        else f"{who}, employee: may read only their own rows."
    )


def system_prompt(deps: AgentDeps, found: Retrieved | None) -> str:
    """The system prompt for ``deps``' caller, reference date and dialect, with the rules."""
    if found is not None and found.rules:
        rules = "\n\n".join(f"## {s.text}" for s in found.rules)
    else:
        rules = (CONTRACT_DIR / "RULES.md").read_text(encoding="utf-8")
    a = deps.assistant
    department = None
    if (
        deps.caller.department_id is not None
        and deps.caller.department_id in a.gazetteer.departments
    ):
        department = a.gazetteer.departments[deps.caller.department_id].name
    return render("system", deps.language, as_of=deps.as_of.isoformat(), dialect=a.catalog.dialect,
                  scope=describe_scope(deps.caller, deps.language, department), rules=rules)  # fmt: skip


def question_prompt(deps: AgentDeps, found: Retrieved | None) -> str:
    """The question with the retrieved tables and examples."""
    catalog = deps.assistant.catalog
    if found is not None and found.tables:
        tables = "\n".join(f"- {s.text}" for s in found.tables)
    else:
        tables = "\n".join(f"- {t}: {', '.join(cols)}" for t, cols in catalog.tables.items())
    examples = (
        "\n\n".join(f"Q: {s.key}\nSQL: {s.sql}" for s in (found.examples if found else [])) or "-"
    )
    return render("sql", deps.language, question=deps.question, tables=tables, examples=examples,
                  dialect=catalog.dialect, hint=deps.hint or "-")  # fmt: skip


def clarify_prompt(deps: AgentDeps) -> str:
    """Sent once when the model replies without calling a tool."""
    return render("clarify", deps.language, question=deps.question)
