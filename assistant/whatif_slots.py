"""Reading a what-if question into a :class:`ToolPlan` (``tool="what_if"``).

Two questions, about one person's month:

- "what if they sold X more" (如果我这个月再卖5万，奖金能拿多少 / 排第几, what if I close
  another 80k this month): an extra amount after a selling verb (``lexicon.EXTRA_SALES``);
  the plan's ``extra`` is that amount;
- "how much more do they need" (我还差多少能拿到奖金, 还要卖多少才能拿奖金, how much more do I
  need to sell to get a bonus, 张伟还差多少能拿奖金): a how-much word
  (``lexicon.HOW_MUCH_MORE``) aimed at the bonus, or at nothing else but with a word of
  need; ``extra`` is None. A how-much aimed at the median or a target (我离中位数还差多少)
  is the gap, not this.

The person is the one named, else the asker; the month the one named, else this month.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from assistant import lexicon as lx
from assistant.gazetteer import Gazetteer
from assistant.normalize import chinese_number
from assistant.plan import Choice, Clarify, Focus, Plan, ToolPlan
from assistant.reading import Understanding
from assistant.timeparse import month_period
from schema.caller import Caller
from schema.semantic import SemanticModel

#: Concepts naming a goal other than the bonus: a how-much about them is not this question.
_OTHER_GOALS = frozenset(
    {"median", "above_median", "below_median", "not_above_median", "min_target", "met_minimum",
     "missed_minimum", "attainment", "leaderboard", "forecast", "suggest_targets"}
)  # fmt: skip
_BONUS = frozenset({"bonus", "bonus_eligible"})
CENT = Decimal("0.01")


def extra_sales(text: str) -> tuple[Decimal, tuple[int, int]] | None:
    """The extra amount a what-if names (再卖5万 -> 50000) and where it is, or None."""
    for pattern in lx.EXTRA_SALES:
        match = pattern.search(text)
        if match is None:
            continue
        amount = amount_of(match.group("num"), match.group("unit"))
        if amount is not None:
            return amount, match.span()
    return None


def amount_of(number: str, unit: str | None) -> Decimal | None:
    """``5`` ``万`` -> 50000.00; ``十万`` -> 100000.00; ``80`` ``k`` -> 80000.00 (to the cent)."""
    try:
        value = Decimal(number) if number[0].isdigit() else Decimal(repr(chinese_number(number)))
    except (ValueError, KeyError, ArithmeticError):
        return None
    value *= lx.UNITS.get(unit or "", 1)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def asks_how_much_more(u: Understanding, model: SemanticModel) -> bool:
    """A how-much word aimed at the bonus (or at nothing else, with a word of need)."""
    if not lx.HOW_MUCH_MORE.search(u.text):
        return False
    concepts = set(u.values_of("concept"))
    if "target_gap" in concepts:  # 离最低目标还差多少: the minimum alone, not the bonus
        return False
    medians = model.concepts.get("median", [])
    gap_to_median = any(  # 离中位数 is a gap word that names the median
        t.value == "gap" and any(m.lower() in t.text for m in medians) for t in u.kinds("concept")
    )
    if concepts & _OTHER_GOALS or gap_to_median:
        return False
    return bool(concepts & _BONUS) or bool(lx.NEEDED.search(u.text))


def what_if_plan(
    u: Understanding,
    departments: list[int],
    employees: list[int],
    caller: Caller,
    as_of: date,
    gz: Gazetteer,
    model: SemanticModel,
) -> Plan | None:
    """The what-if plan of the question, a clarification (whose? which month?), or None
    when the question is not a what-if."""
    found = extra_sales(u.text)
    if found is None and (len(employees) > 1 or not asks_how_much_more(u, model)):
        return None  # 张伟和李伟的奖金差多少: a comparison of two people, not a need
    extra = found[0] if found else None
    if u.period is not None and u.period.grain != "month":
        return Clarify(
            message_zh="中位数、达标和奖金按自然月计算，请指定一个月份（例如“本月”）。",
            message_en="Medians, targets and bonuses are monthly; please name one month (e.g. 'this month').",
            options=["本月", "上个月"],
            choices=[
                Choice(label=m, question=_with_month(u, m)) for m in ("本月", "上个月")
            ],
        )  # fmt: skip
    month = u.period.start if u.period else as_of.replace(day=1)
    period = u.period.period() if u.period else month_period(month)
    # nobody named: the asker, when they are someone (a group chat's caller is nobody)
    people = employees or [e for e in (caller.employee_id,) if e is not None and e in gz.employees]
    focus: Focus = "rank" if u.has(lx.RANK_WORDS) else "bonus" if _bonus_named(u) else "rows"
    plans = [
        ToolPlan(
            tool="what_if",
            month=period.start,
            employees=[p],
            extra=extra,
            focus=focus,
            period=u.period,
        )  # fmt: skip
        for p in people
    ]
    if len(plans) == 1:
        return plans[0]
    if not plans:
        return Clarify(
            message_zh="请问是哪一位员工？例如“张伟还差多少能拿奖金”。",
            message_en="Whose figures? For example 'how much more does Zhang Wei need for a bonus'.",
        )
    names = [gz.employees[p].name for p in people]
    return Clarify(
        message_zh="一次推算一个人，请问是哪一位？",
        message_en="One person at a time: whom do you mean?",
        options=names,
        choices=[Choice(label=n, plan=p) for n, p in zip(names, plans, strict=True)],
    )


def _bonus_named(u: Understanding) -> bool:
    return bool(set(u.values_of("concept")) & _BONUS)


def _with_month(u: Understanding, month: str) -> str:
    if u.period_span is None:
        return f"{month}{u.text}"
    a, b = u.period_span
    return u.text[:a] + month + u.text[b:]
