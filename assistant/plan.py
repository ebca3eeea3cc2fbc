"""The planner's output: a typed plan for one question.

``QueryPlan`` is compiled to SQL and goes through the guard; ``ToolPlan`` is a
call of the performance engine; ``Clarify`` and ``Refuse`` are answered in
words. Plans are pydantic models so a follow-up question can reuse the
previous turn's slots (they travel in ``Answer.plan``).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from assistant.timeparse import Period


class PeriodSlot(BaseModel):
    start: date
    end: date
    grain: str
    label_zh: str
    label_en: str
    explicit: bool = True

    @classmethod
    def of(cls, period: Period, *, explicit: bool = True) -> PeriodSlot:
        return cls(
            start=period.start, end=period.end, grain=period.grain,
            label_zh=period.label_zh, label_en=period.label_en, explicit=explicit,
        )  # fmt: skip

    def period(self) -> Period:
        return Period(self.start, self.end, self.grain, self.label_zh, self.label_en)


class Comparison(BaseModel):
    op: Literal[">", ">=", "<", "<="]
    value: float
    #: False when the plan adds it itself (people listed at a date: those there that day);
    #: such a filter answers no word of the question.
    stated: bool = True


class QueryPlan(BaseModel):
    """Metrics by dimensions over a period, with filters, order and limit."""

    kind: Literal["query"] = "query"
    metrics: list[str]
    group_by: list[str] = Field(default_factory=list)
    departments: list[int] = Field(default_factory=list, description="Filter: these subtrees.")
    employees: list[int] = Field(default_factory=list)
    values: list[str] = Field(default_factory=list, description="'<value-set index>:<value>'")
    period: PeriodSlot | None = None
    order: Literal["desc", "asc"] | None = None
    limit: int | None = None
    having: Comparison | None = None
    share: bool = False
    managers: list[int] = Field(
        default_factory=list, description="Filter: direct reports of these."
    )
    also: PeriodSlot | None = Field(
        default=None, description="A second period, compared with the first."
    )
    all_time: bool = Field(
        default=False, description="No period: all of history (a state now, e.g. pending)."
    )
    records: Literal["largest", "smallest", "latest"] | None = Field(
        default=None,
        description="List the metric's single rows (e.g. orders) ranked this way, not a sum.",
    )
    compare: Literal["previous", "year_ago", "named"] | None = Field(
        default=None,
        description="Compare the period with another (环比: the one before; 同比: a year "
        "earlier; named: `versus`): both figures, the difference and the growth.",
    )
    versus: PeriodSlot | None = Field(default=None, description="The period compared with.")
    share_of: list[str] = Field(
        default_factory=list,
        description="'<value-set index>:<value>' groups whose share of the total is asked "
        "(空调占总销售额多少): the groups are ranked by share, only these are shown.",
    )
    share_of_departments: list[int] = Field(
        default_factory=list,
        description="Departments whose share of the whole is asked (合肥组业绩占全公司多少): "
        "every department's share computed, only these shown.",
    )
    change: Literal["side_by_side", "difference", "growth"] | None = Field(
        default=None, description="What of the comparison the question asks for."
    )
    heads: bool = Field(
        default=False,
        description="Only the heads of `departments` (those departments themselves, not the "
        "teams below them): the semantic model's department_head condition.",
    )


Focus = Literal[
    "rows", "median", "bonus", "total_bonus", "gap", "attainment", "min_target", "sales",
    "count", "leaderboard", "rank", "share", "per_head", "target_gap",
]  # fmt: skip
Condition = Literal["above_median", "below_median", "not_above_median", "met_minimum", "missed_minimum", "bonus_eligible",
                    "not_bonus_eligible"]  # fmt: skip


#: A condition and its exceptions (did everyone meet the minimum? those who missed it).
OPPOSITE_CONDITION: dict[str, Condition] = {
    "above_median": "not_above_median",
    "not_above_median": "above_median",
    "met_minimum": "missed_minimum",
    "missed_minimum": "met_minimum",
    "bonus_eligible": "not_bonus_eligible",
    "not_bonus_eligible": "bonus_eligible",
}


class ToolPlan(BaseModel):
    """A call of a performance-engine tool and what to show of its result."""

    kind: Literal["tool"] = "tool"
    tool: Literal["performance", "forecast", "suggest_targets", "what_if"]
    month: date
    months: list[date] = Field(default_factory=list, description="Several months (a trend).")
    per_month: bool = Field(
        default=False, description="Several months' figures one row per month (每个月的奖金总额)."
    )
    department: int | None = None
    departments: list[int] = Field(
        default_factory=list, description="Several departments compared."
    )
    employees: list[int] = Field(default_factory=list)
    grouped: bool = False
    having: Comparison | None = None
    conditions: list[Condition] = Field(default_factory=list)
    focus: Focus = "rows"
    order: Literal["desc", "asc"] | None = None
    sort_by: Literal["sales", "bonus", "attainment", "gap_to_median"] = "sales"
    limit: int | None = None
    spend: float | None = None
    period: PeriodSlot | None = None
    asked: Literal["everyone", "anyone"] | None = Field(
        default=None, description="A yes/no question; 'everyone' lists the exceptions."
    )
    each: bool = Field(
        default=False, description="Every member asked for (每个人的奖金): zeros included."
    )
    extra: Decimal | None = Field(
        default=None,
        description="what_if: the person's sales this much higher (CNY); None: how much more "
        "they need to sell to be bonus eligible.",
    )


class DisputePlan(BaseModel):
    """我的奖金不对: the asker disputes their bonus of a closed month (``month`` None: the
    latest month closed with them on its roster), with the reason they gave, if any."""

    kind: Literal["dispute"] = "dispute"
    month: date | None = None
    employee: int = Field(description="Whose bonus: the asker (nobody disputes another's).")
    reason: str | None = None


class Choice(BaseModel):
    """One answer to a clarification, and how the question resumes with it.

    ``plan``: answer this plan (a reading offered in full). Otherwise re-read
    ``question`` (the original, or the original with a word filled in) with ``pins``: the
    ambiguous phrase (its text) resolved to one department or employee id.
    """

    label: str
    plan: QueryPlan | ToolPlan | None = None
    question: str | None = None
    pins: dict[str, int] = Field(default_factory=dict)


class Clarify(BaseModel):
    kind: Literal["clarify"] = "clarify"
    message_zh: str
    message_en: str
    options: list[str] = Field(default_factory=list)
    #: one per option, in order: what choosing it resumes
    choices: list[Choice] = Field(default_factory=list)
    #: ambiguous (a name or figure to pick) | unaccounted (part of the question unused) |
    #: unknown (a name the warehouse lacks)
    reason: Literal["ambiguous", "unaccounted", "unknown"] = "ambiguous"
    #: the planner's partial reading of the question, when it had one
    reading: QueryPlan | ToolPlan | None = None


class Refuse(BaseModel):
    kind: Literal["refuse"] = "refuse"
    reason: str
    message_zh: str
    message_en: str


Plan = Annotated[QueryPlan | ToolPlan | DisputePlan | Clarify | Refuse, Field(discriminator="kind")]


#: A reply that picks an option by its number: 1, 第2个, 选3, option 2.
_NUMBERED = re.compile(
    r"^\s*(?:第|选|选择|option\s*|#)?\s*(\d{1,2})\s*(?:个|项|号|条|\.|、|\))?\s*$", re.I
)


def chosen(reply: str, previous: dict[str, Any] | None) -> Choice | None:
    """The choice a reply picks from the previous turn's clarification: by its number or by
    its option's text; None when the reply is a new question."""
    if not previous or previous.get("kind") != "clarify":
        return None
    choices = [Choice.model_validate(c) for c in previous.get("choices") or []]
    if not choices:
        return None
    numbered = _NUMBERED.match(reply)
    if numbered:
        index = int(numbered.group(1)) - 1
        return choices[index] if 0 <= index < len(choices) else None
    text = reply.strip().lower()
    exact = [c for c in choices if c.label.strip().lower() == text]
    if exact:
        return exact[0]
    partial = [c for c in choices if text and text in c.label.lower()]
    return partial[0] if len(partial) == 1 else None
