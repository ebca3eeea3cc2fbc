"""The bilingual planner: question -> :data:`Plan`, with no model.

Each step is a module of its own, testable alone:

- :mod:`assistant.reading`: normalise, find the period(s), tag the rest, read the shape
  words (ranking, threshold, which group, period operators);
- :mod:`assistant.entities`: resolve departments and people (ambiguous names are asked back);
- :mod:`assistant.conditions` and :mod:`assistant.metric_words`: what is asked of whom;
- :mod:`assistant.query_slots` / :mod:`assistant.tool_slots`: fill the SQL or the
  performance-engine plan; :mod:`assistant.followups`: continue the previous answer;
- :mod:`assistant.accounting`: the plan must account for every word of the question, or
  :mod:`assistant.clarify` asks back with the partial reading.

This module puts them in order and applies the refusals (writes, others' payroll,
colleagues' hidden figures). A question the plan does not explain is asked back or
refused, never guessed.
"""

from __future__ import annotations

import re
from datetime import date

from assistant import lexicon as lx
from assistant.accounting import Context, Leftover, account
from assistant.clarify import unaccounted, unknown_names
from assistant.conditions import compose_conditions
from assistant.dispute_slots import dispute_plan
from assistant.entities import resolve_entities, shared_name_part
from assistant.followups import REFERS_BACK, follow_up, is_follow_up, narrowed_plan
from assistant.gazetteer import Gazetteer
from assistant.heads import heads_plan
from assistant.metric_words import metrics_named
from assistant.operators import PER_HEAD
from assistant.plan import (
    Choice,
    Clarify,
    Plan,
    QueryPlan,
    Refuse,
    ToolPlan,
)
from assistant.query_slots import query_plan, records_plan
from assistant.reading import (
    Understanding,
    ranking_of,
    threshold_of,
    understand,
)
from assistant.tool_slots import TOOL_CONCEPTS, tool_plan
from assistant.typos import correction, unread_words
from assistant.whatif_slots import what_if_plan
from schema.caller import Caller, Role
from schema.semantic import SemanticModel

#: Share of a question's content the tags must explain for the plan to run.
MIN_COVERAGE = 0.6


def plan(
    question: str,
    as_of: date,
    caller: Caller,
    gazetteer: Gazetteer,
    model: SemanticModel,
    previous: dict | None = None,
    pins: dict[str, int] | None = None,
    *,
    mend: bool = True,
) -> tuple[Plan, Understanding]:
    """The plan for ``question`` asked by ``caller`` on ``as_of``: answered only when it
    accounts for the whole question (:mod:`assistant.accounting`), else a clarification
    that offers the partial reading. ``pins`` resolve ambiguous names (their text) to one
    department or employee id: a clarification's choice. With ``mend``, a typing slip
    with one possible mending (:mod:`assistant.typos`) is mended when the mended question
    is then read in full; the Understanding records it (``mended``)."""
    the_plan, u = _read(question, as_of, caller, gazetteer, model, previous, pins or {})
    offered = [c.plan for c in the_plan.choices] if isinstance(the_plan, Clarify) else []
    if any(isinstance(p, ToolPlan) and _colleagues_hidden(p, caller) for p in [the_plan, *offered]):
        return _refuse(
            "denied_colleagues",
            "同事的奖金、最低目标和达标情况只有主管和 HR 可以查看；你可以查询自己的，"
            "也可以看本部门排行榜（业绩和与中位数的差距）。",
            "Colleagues' bonuses, minimum targets and whether they met them are for managers "
            "and HR; you may ask about your own, or see your department's leaderboard "
            "(sales and gap to the median).",
        ), u

    def mended(left: list[Leftover]) -> tuple[Plan, Understanding] | None:
        fix = correction(u.text, left, gazetteer) if left and mend else None
        if fix is None:
            return None
        again, mu = plan(fix.question, as_of, caller, gazetteer, model, previous, pins, mend=False)
        if not isinstance(again, QueryPlan | ToolPlan):
            return None
        mu.mended = (fix.wrong, fix.right)
        return again, mu

    if isinstance(the_plan, Refuse) and the_plan.reason == "out_of_scope":
        # 业积, leaderbaord: a slip in the one word that would have placed the question
        spans = [*u.period_spans, *((t.start, t.end) for t in u.tags)]
        found = mended(unread_words(u.text, spans))
        if found is not None:
            return found
    if isinstance(the_plan, QueryPlan) and (one_sided := _one_sided_filter(the_plan, model)):
        ratio = model.metrics[the_plan.metrics[0]]
        return Clarify(
            reason="unaccounted",
            message_zh=f"{ratio.zh}是两项之比，「{one_sided}」只能筛选其中一项，这样算出的比值不对。"
            "请去掉这个条件，或只问其中一项。",
            message_en=f"{ratio.en} divides one figure by another, and '{one_sided}' filters only "
            "one of them, which would give a wrong ratio. Ask without it, or for one figure.",
        ), u
    if (
        isinstance(the_plan, QueryPlan)
        and the_plan.share_of_departments
        and not caller.role.sees_everything
    ):
        # a share of the whole company needs the whole company's figure, which the asker may
        # not see: scoped, the share would be of what they see, silently
        return _refuse(
            "denied_company_share",
            "占全公司的比例要用到全公司的数据，只有 HR 可以查看；你可以问自己范围内的数据。",
            "A share of the whole company needs the whole company's figures, which only HR "
            "may see; you may ask about the figures in your own scope.",
        ), u
    if isinstance(the_plan, QueryPlan) and the_plan.heads and not _sees_whole(the_plan, caller):
        # who heads a department is read off all of its members (whose manager is not one
        # of them): scoped to part of it, anyone seen could look like its head
        return _refuse(
            "denied_department_head",
            "查询部门负责人要用到这个部门全部人员的数据，你的权限看不到这个部门的全部人员；"
            "可以请部门主管或 HR 查询。",
            "Who heads a department is read from all of its members, and you may not see all "
            "of this department's members; a manager of it or HR can ask.",
        ), u
    if isinstance(the_plan, QueryPlan) and _others_rows(the_plan, caller):
        return _refuse(
            "denied_colleagues",
            "同事的个人数据只有主管和 HR 可以查看；你可以查询自己的，也可以看本部门排行榜"
            "（姓名、排名、业绩和与中位数的差距）。",
            "Colleagues' own figures are for managers and HR; you may ask about your own, or "
            "see your department's leaderboard (name, rank, sales and gap to the median).",
        ), u
    if isinstance(the_plan, QueryPlan | ToolPlan):
        context = Context(the_plan, caller, gazetteer, model, u.follow_up)
        left = account(u.text, u.period_spans, u.tags, context)
        found = mended(left)
        if found is not None:
            return found
        if left:
            return unaccounted(question, u.language, the_plan, left, model, gazetteer), u
    return the_plan, u


def _read(
    question: str,
    as_of: date,
    caller: Caller,
    gazetteer: Gazetteer,
    model: SemanticModel,
    previous: dict | None,
    pins: dict[str, int],
) -> tuple[Plan, Understanding]:
    """The planner's best reading of ``question``, before accounting."""
    u = understand(question, as_of, gazetteer)
    if u.has(lx.WRITE_WORDS) or lx.WRITE_PATTERN.search(u.text):
        return _refuse(
            "read_only",
            "我只能查询数据，不能修改、删除或新增任何记录。",
            "I can only read data; I cannot change, delete or add records.",
        ), u
    resolved = resolve_entities(u, gazetteer, caller, pins)
    if isinstance(resolved, Clarify):
        return resolved, u
    departments, employees = resolved
    disputed = dispute_plan(question, u, departments, employees, caller, model.disputes)
    if disputed is not None:  # 我的奖金不对: the asker's closed bonus disputed (a free reason)
        return disputed, u
    what_if = what_if_plan(u, departments, employees, caller, as_of, gazetteer, model)
    if what_if is not None:  # 如果我再卖5万, 我还差多少能拿奖金: one person's month recomputed
        return what_if, u
    heads = heads_plan(u, departments, employees, model)
    if heads is not None:  # 组织人才部负责人是谁: who heads the department named
        return heads, u
    if not departments and not employees and not previous:
        shared = shared_name_part(u, gazetteer)
        if shared is not None:
            return shared, u

    if (
        previous and previous.get("kind") == "tool"
        and (REFERS_BACK.search(u.text) or u.text.endswith("呢"))
    ):  # fmt: skip
        # 其中谁也达标了, 那他们的奖金呢, which of them: this question, about the people,
        # month and team of the previous answer
        fresh, _ = _read(question, as_of, caller, gazetteer, model, None, pins)
        if isinstance(fresh, ToolPlan):
            u.follow_up = True
            return narrowed_plan(
                ToolPlan.model_validate(previous), fresh, u, departments, employees
            ), u
    if previous and is_follow_up(u):
        merged = follow_up(previous, u, departments, employees, model, gazetteer)
        if merged is not None:
            u.follow_up = True
            return merged, u

    concepts = compose_conditions(u)
    if PER_HEAD.search(u.text) and not concepts and metrics_named(u, model) in ([], ["sales"]):
        concepts.add("per_head")  # 人均业绩: department sales per roster member (the engine)
    threshold = threshold_of(u)
    if (
        "min_target" in concepts
        and threshold is not None
        and ("%" in u.text or "百分之" in u.text or "一半" in u.text or "half" in u.text)
    ):
        concepts.add("attainment")
        concepts -= {"met_minimum", "missed_minimum"}
    metrics = metrics_named(u, model)
    if "bonus" in concepts and any(model.metrics[m].table == "payroll" for m in metrics):
        concepts.discard("bonus")
        metrics.append("payroll_bonus")
    if (
        (not metrics or metrics == ["sales"])
        and not concepts
        and employees
        and u.has(lx.RANK_WORDS)
    ):
        concepts = {"leaderboard"}
    monthly = u.period is None or u.period.grain in ("month", "week", "day")
    if concepts & TOOL_CONCEPTS and is_dual_target(concepts, metrics, monthly=monthly):
        return tool_plan(u, concepts, departments, employees, as_of, gazetteer), u
    records = records_plan(u, metrics, departments, employees, model, gazetteer)
    if records is not None:
        return records, u
    if metrics and _payroll_of_others(metrics, model, caller, departments, employees, u):
        if model.metrics[metrics[0]].personal:
            return _refuse(
                "denied_personal_data",
                "手机号和邮箱仅 HR 可以查看，你只能查询自己的。",
                "Phone numbers and emails are visible to HR only; you may ask about your own.",
            ), u
        return _refuse(
            "denied_payroll",
            "工资数据仅 HR 可以查看，你只能查询自己的工资。",
            "Payroll is visible to HR only; you may ask about your own pay.",
        ), u
    # 谁表现最好, 哪个组效率最高: people or groups ranked by a figure the model does not have
    ranks_people = (
        bool(u.kinds("dimension") or u.has(lx.WHO_WORDS)) and ranking_of(u)[0] is not None
    )
    if metrics and not (u.coverage < MIN_COVERAGE and ranks_people):
        if u.coverage < MIN_COVERAGE:
            return _unknown_name_or_refuse(u, gazetteer, pins), u
        return query_plan(u, metrics, departments, employees, model, gazetteer), u
    if employees or departments or ranks_people:
        return _which_figure(u, pins), u
    return _unknown_name_or_refuse(u, gazetteer, pins), u


def _which_figure(u: Understanding, pins: dict[str, int] | None) -> Clarify:
    """A question about someone, a team or a period that names no figure: which one?"""
    figures = (
        ["业绩", "订单数", "迟到次数", "请假天数"] if u.language == "zh"
        else ["sales", "orders", "late days", "leave days"]
    )  # fmt: skip
    return Clarify(
        message_zh="您想了解哪一项数据？例如业绩、订单数、考勤或请假。",
        message_en="Which figure would you like? For example sales, orders, attendance or leave.",
        options=figures,
        choices=[Choice(label=f, question=f"{u.text} {f}", pins=pins or {}) for f in figures],
    )


def _payroll_of_others(
    metrics: list[str],
    model: SemanticModel,
    caller: Caller,
    departments: list[int],
    employees: list[int],
    u: Understanding,
) -> bool:
    """A non-HR caller asking for payroll of anyone but themselves (RULES: payroll is HR's)."""
    metric = model.metrics[metrics[0]]
    if caller.role.sees_everything or not (metric.table == "payroll" or metric.personal):
        return False
    own = caller.employee_id is not None and employees == [caller.employee_id]
    others = ("所有人", "每个人", "大家", "全部人", "同事", "everyone", "everybody", "all employees", "teammates",
              "colleagues")  # fmt: skip
    return not own or "team" in u.values_of("self") or u.has(others)


def _refuse(reason: str, zh: str, en: str) -> Refuse:
    return Refuse(reason=reason, message_zh=zh, message_en=en)


def is_dual_target(concepts: set[str], metrics: list[str], *, monthly: bool = True) -> bool:
    """Dual-target words mean the performance engine unless another metric is ranked, or
    sales are ranked over more than a month (本季度各组销售额排名: a ranking of sales, as
    the engine's leaderboard is a month's)."""
    if concepts - {"leaderboard", "min_target"}:
        return True
    if concepts == {"leaderboard"} and metrics == ["sales"] and not monthly:
        return False
    return not metrics or metrics == ["sales"]


#: What a salesperson may not see of colleagues (RULES.md: only the leaderboard's columns).
_HIDDEN_FOCUS = frozenset({"bonus", "total_bonus", "min_target", "attainment"})
_HIDDEN_CONDITIONS = frozenset(
    {"met_minimum", "missed_minimum", "bonus_eligible", "not_bonus_eligible"}
)


def _colleagues_hidden(plan: ToolPlan, caller: Caller) -> bool:
    """A salesperson asking for colleagues' bonuses, targets or who met them, or a what-if
    about anyone but themselves (a manager asks about their team, HR about anyone)."""
    if caller.employee_id is not None and plan.employees == [caller.employee_id]:
        return False
    if plan.tool == "what_if":
        return caller.role in (Role.SALES, Role.EMPLOYEE)
    if caller.role is not Role.SALES or plan.tool != "performance":
        return False
    return plan.focus in _HIDDEN_FOCUS or bool(set(plan.conditions) & _HIDDEN_CONDITIONS)


def _one_sided_filter(plan: QueryPlan, model: SemanticModel) -> str | None:
    """A value filter of a ratio metric's plan that applies to only one of its parts
    (a product line has sales but no marketing spend): the value, in words."""
    item = model.one_sided_value(plan.metrics[0], plan.values) if plan.metrics else None
    if item is None:
        return None
    index, value = item.split(":", 1)
    label = model.values[int(index)].labels.get(value)
    return label.zh if label is not None else value


def _sees_whole(plan: QueryPlan, caller: Caller) -> bool:
    """Whether the caller may see every member of the plan's departments."""
    if caller.role.sees_everything:
        return True
    return caller.role is Role.MANAGER and set(plan.departments) <= caller.department_ids


def _others_rows(plan: QueryPlan, caller: Caller) -> bool:
    """A salesperson (or another employee without a team) asking for named colleagues'
    rows: the guard would leave nothing, and an empty answer would read as zero."""
    if caller.role not in (Role.SALES, Role.EMPLOYEE):
        return False
    return any(e != caller.employee_id for e in plan.employees)


def _unknown_name_or_refuse(
    u: Understanding, gz: Gazetteer, pins: dict[str, int] | None = None
) -> Plan:
    """A question the plan cannot read: asked back with the closest names when it names
    warehouse things (a metric, a department, a person), asked which figure when it names
    only a period or a team (上个月数据怎么样, how is the team doing), refused only when it
    names none of these."""
    masked = list(u.text)
    for tag in u.tags:
        masked[tag.start : tag.end] = " " * (tag.end - tag.start)
    for a, b in u.period_spans:
        masked[a:b] = " " * (b - a)
    warehouse_words = [
        t for t in u.tags if t.kind in ("metric", "concept", "bundle", "department", "employee")
    ]
    if not warehouse_words and (u.period_spans or u.kinds("self") or u.kinds("dimension")):
        rest = lx.FILLER_PATTERN.sub(" ", "".join(masked))
        unread = re.findall(r"[\u4e00-\u9fff]+|[a-z]+", lx.VAGUE_PATTERN.sub(" ", rest))
        if not unread:  # 上个月数据怎么样, how is the team doing: which figure?
            return _which_figure(u, pins)
    if not warehouse_words:
        return _refuse("out_of_scope", _OUT_OF_SCOPE_ZH, _OUT_OF_SCOPE_EN)
    return unknown_names(u.text, "".join(masked), u.language, gz)


_OUT_OF_SCOPE_ZH = (
    "这个问题超出了我能回答的范围。我可以回答业绩、目标、奖金、人事、考勤、请假等问题。"
)
_OUT_OF_SCOPE_EN = (
    "That is outside what I can answer. I answer questions about sales, targets, bonuses, people, "
    "attendance and leave."
)
