"""A department's head asked for (组织人才部负责人是谁, who is the manager of Brand Centre):
the members in charge of the department named, not everyone in it grouped by manager.

The words come from the semantic model's ``department_head``: one right after the
department's name (的 or 's between them allowed) or right before it. The plan is made
only when the question asks who, nothing more: a figure of the head (负责人的业绩) is not
this plan, and the head word left unused makes the question be asked back."""

from __future__ import annotations

import re

from assistant.gazetteer import Tag
from assistant.plan import Comparison, QueryPlan
from assistant.reading import Understanding
from schema.semantic import DepartmentHead, SemanticModel


def heads_plan(
    u: Understanding,
    departments: list[int],
    employees: list[int],
    model: SemanticModel,
) -> QueryPlan | None:
    """The plan listing the heads of the departments named, or None when the question does
    not ask for one. The head words become a ``head`` tag (the words inside them, 经理 as
    a grouping by manager, are no longer read on their own)."""
    spec = model.department_head
    if spec is None or employees or not departments or model.people_metric is None:
        return None
    if u.kinds("concept") or any(model.people_metric not in t.values for t in u.kinds("metric")):
        return None
    heads: list[int] = []
    spans: list[tuple[int, int]] = []
    for tag in u.kinds("department"):
        ids = [int(v) for v in tag.values if int(v) in departments]
        span = _head_words(u.text, tag, spec)
        if len(ids) == 1 and span is not None:
            heads.append(ids[0])
            spans.append(span)
    if not heads:
        return None
    inside = [t for t in u.tags if any(a <= t.start and t.end <= b for a, b in spans)]
    u.tags = [t for t in u.tags if t not in inside] + [
        Tag(a, b, "head", ("head",), u.text[a:b]) for a, b in spans
    ]
    return QueryPlan(
        metrics=[model.people_metric],
        group_by=["employee"],
        departments=sorted(set(heads)),
        period=u.period,
        having=Comparison(op=">", value=0, stated=False),  # those there on the day
        heads=True,
    )


def _head_words(text: str, tag: Tag, spec: DepartmentHead) -> tuple[int, int] | None:
    """Where the head words beside the department ``tag`` are, if any."""
    after = _after(spec).match(text, tag.end)
    if after is not None:
        return after.start("word"), after.end("word")
    before = _before(spec).search(text[: tag.start])
    if before is not None:
        return before.start("word"), before.end("word")
    return None


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _after(spec: DepartmentHead) -> re.Pattern[str]:
    return re.compile(rf"\s*(?:的|'s|s\b)?\s*(?P<word>{_alternatives(spec.after)})(?![a-z])")


def _before(spec: DepartmentHead) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z])(?P<word>{_alternatives(spec.before)})\s*(?:the\s+)?$")
