"""Run a what-if :class:`ToolPlan` (``tools.whatif``) and word its answer.

The figures come first, in the question's language, money to the cent with thousands
separators; the table holds the person's current sales, the extra, the new sales, the
recomputed median, the minimum target, eligibility, bonus and rank. A "how much more"
answer has two rows: the least extra (eligible) and one cent less (not), the proof.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from assistant.figures import money
from assistant.plan import ToolPlan
from assistant.tool_answer import ToolResult
from schema.caller import Caller
from tools.errors import InvalidArgumentError
from tools.money import CENT
from tools.policy import BonusPolicy
from tools.snapshot import SnapshotSource
from tools.whatif import HowMuchMore, Person, Standing, WhatIf, how_much_more, what_if

KEYS = ["name", "employee_no", "current_sales", "extra", "new_sales", "new_median", "min_target",
        "bonus_eligible", "bonus", "new_rank"]  # fmt: skip


def run_what_if(
    plan: ToolPlan,
    conn: Connection,
    caller: Caller,
    as_of: date,
    policy: BonusPolicy,
    closes: SnapshotSource | None = None,
) -> ToolResult:
    """The what-if or "how much more" of one person, as ``caller`` may ask it."""
    if len(plan.employees) != 1:
        raise InvalidArgumentError("a what-if is about one person; name one")
    month = plan.month.strftime("%Y-%m")
    employee = plan.employees[0]
    arguments: dict[str, Any] = {
        "month": month,
        "employee_id": employee,
        "as_of": as_of.isoformat(),
    }
    if plan.extra is not None:
        arguments["extra"] = str(plan.extra)
        asked = what_if(conn, month, employee, plan.extra, caller=caller, as_of=as_of,
                        policy=policy, closes=closes)  # fmt: skip
        rows = [_row(asked.person, asked.before, asked.extra, asked.after)]
        sentence = {"zh": what_if_zh(asked, plan.focus), "en": what_if_en(asked, plan.focus)}
        name, trace, person = "what_if", asked.trace, asked.person
    else:
        needed = how_much_more(conn, month, employee, caller=caller, as_of=as_of, policy=policy,
                               closes=closes)  # fmt: skip
        rows = [
            _row(
                needed.person,
                needed.before,
                needed.extra or Decimal("0.00"),
                needed.at or needed.before,
            )
        ]
        if needed.one_cent_less is not None and needed.extra is not None:
            rows.append(
                _row(needed.person, needed.before, needed.extra - CENT, needed.one_cent_less)
            )
        sentence = {"zh": needed_zh(needed), "en": needed_en(needed)}
        name, trace, person = "how_much_more", needed.trace, needed.person
    if person.closed is not None:  # audited with the question: which snapshot answered it
        arguments["closed"] = person.closed.model_dump(include={"version", "hash", "source"})
    context = {"month": person.month, "month_to_date": person.month_to_date, "focus": name,
               "sentence": sentence}  # fmt: skip
    return ToolResult(
        name, arguments, list(KEYS), rows, trace, context=context, closed=person.closed
    )


def _row(person: Person, before: Standing, extra: Decimal, after: Standing) -> list[Any]:
    return [person.name, person.employee_no, before.sales, extra, after.sales, after.median,
            after.min_target, after.eligible, after.bonus, after.rank]  # fmt: skip


def _m(value: Decimal) -> str:
    return money(value)


def _when(person: Person, zh: bool) -> str:
    month = person.month
    if zh:
        return f"{month.year}年{month.month}月" + ("（截至目前）" if person.month_to_date else "")
    return month.strftime("%B %Y") + (" (month to date)" if person.month_to_date else "")


def _name(person: Person, zh: bool) -> str:
    return person.name if zh or not person.name_en else person.name_en


def _verdict_zh(s: Standing) -> str:
    if s.eligible:
        return "达到最低目标且超过部门中位数，可以拿到奖金"
    misses = []
    if not s.met_minimum:
        misses.append(f"未达到最低目标 {_m(s.min_target)}")
    if not s.above_median:
        misses.append("未超过部门中位数（须严格高于中位数）")
    return "，".join(misses) + "，拿不到奖金"


def _verdict_en(s: Standing) -> str:
    if s.eligible:
        return "minimum target met and above the department median: bonus eligible"
    misses = []
    if not s.met_minimum:
        misses.append(f"minimum target of {_m(s.min_target)} not met")
    if not s.above_median:
        misses.append("not above the department median (it must be strictly above)")
    return " and ".join(misses) + ": no bonus"


def what_if_zh(w: WhatIf, focus: str) -> str:
    b, a = w.before, w.after
    bonus, rank = f"奖金 {_m(a.bonus)}", f"排名第 {a.rank}（现第 {b.rank}）"
    lead = f"{rank}，{bonus}" if focus == "rank" else f"{bonus}，{rank}"
    median = (
        f"部门中位数仍为 {_m(a.median)}" if a.median == b.median
        else f"部门中位数 {_m(b.median)} → {_m(a.median)}"
    )  # fmt: skip
    return (
        f"{_when(w.person, True)}如果{_name(w.person, True)}再卖 {_m(w.extra)}：{lead}。"
        f"业绩 {_m(b.sales)} → {_m(a.sales)}，{median}（{a.roster_size} 人，按新业绩重新计算），"
        f"最低目标 {_m(a.min_target)}；{_verdict_zh(a)}。"
    )


def what_if_en(w: WhatIf, focus: str) -> str:
    b, a = w.before, w.after
    bonus, rank = f"bonus {_m(a.bonus)}", f"rank {a.rank} (now {b.rank})"
    lead = f"{rank}, {bonus}" if focus == "rank" else f"{bonus}, {rank}"
    median = (
        f"department median still {_m(a.median)}" if a.median == b.median
        else f"department median {_m(b.median)} → {_m(a.median)}"
    )  # fmt: skip
    return (
        f"If {_name(w.person, False)} sells {_m(w.extra)} more in {_when(w.person, False)}: {lead}. "
        f"Sales {_m(b.sales)} → {_m(a.sales)}, {median} ({a.roster_size} people, recomputed "
        f"with the new sales), minimum target {_m(a.min_target)}; {_verdict_en(a)}."
    )


def needed_zh(n: HowMuchMore) -> str:
    who, when, b = _name(n.person, True), _when(n.person, True), n.before
    if n.status == "impossible":
        return (
            f"{who}{when}所在部门在册只有 1 人，部门中位数就是其本人的业绩，无论再卖多少都不会"
            "严格超过中位数，所以拿不到业绩奖金。"
        )
    if n.status == "already" or n.at is None or n.extra is None:
        return (
            f"{who}{when}已经可以拿到奖金，不需要再多卖：业绩 {_m(b.sales)}，达到最低目标 "
            f"{_m(b.min_target)}，超过部门中位数 {_m(b.median)}，奖金 {_m(b.bonus)}。"
        )
    at = n.at
    bars = {
        ("min_target",): f"达到最低目标 {_m(at.min_target)}（已高于中位数）",
        ("median",): f"严格超过按新业绩重新计算的部门中位数 {_m(at.median)}",
        ("min_target", "median"): f"达到最低目标 {_m(at.min_target)}，并超过按新业绩重新计算的"
        f"部门中位数 {_m(at.median)}",
    }[n.bars]
    return (
        f"{who}{when}还需再卖 {_m(n.extra)} 才能拿到奖金：业绩 {_m(b.sales)} → {_m(at.sales)}，"
        f"{bars}；届时奖金 {_m(at.bonus)}，排名第 {at.rank}。少卖 ¥0.01（再卖 "
        f"{_m(n.extra - CENT)}）就拿不到。"
    )


def needed_en(n: HowMuchMore) -> str:
    who, when, b = _name(n.person, False), _when(n.person, False), n.before
    if n.status == "impossible":
        return (
            f"{who} is the only roster member of their department in {when}: the median is "
            "their own sales, which no amount can exceed, so there is no bonus to reach."
        )
    if n.status == "already" or n.at is None or n.extra is None:
        return (
            f"{who} is already bonus eligible in {when}; nothing more is needed: sales "
            f"{_m(b.sales)}, minimum target {_m(b.min_target)} met, above the department median "
            f"{_m(b.median)}, bonus {_m(b.bonus)}."
        )
    at = n.at
    bars = {
        ("min_target",): f"the minimum target of {_m(at.min_target)} (already above the median)",
        ("median",): "strictly above the department median recomputed with the new sales, "
        f"{_m(at.median)}",
        ("min_target", "median"): f"the minimum target of {_m(at.min_target)} and above the "
        f"department median recomputed with the new sales, {_m(at.median)}",
    }[n.bars]
    return (
        f"{who} needs {_m(n.extra)} more in {when} to be bonus eligible: sales {_m(b.sales)} → "
        f"{_m(at.sales)}, {bars}; the bonus would be {_m(at.bonus)}, rank {at.rank}. One cent "
        f"less ({_m(n.extra - CENT)}) is not enough."
    )
