"""Which metrics a question names, strongest first: specific words over generic ones, and
metrics implied by a value (病假) or a counted dimension."""

from __future__ import annotations

from assistant import lexicon as lx
from assistant.reading import (
    Understanding,
    ranking_of,
    threshold_of,
)
from schema.semantic import SemanticModel


def metrics_named(u: Understanding, model: SemanticModel) -> list[str]:
    """The metrics named, strongest first.

    Generic words (多少人, 天数, times) only count when nothing more specific is
    named; a value word (病假, 迟到) implies its own metric when the named one
    cannot be filtered by it.
    """
    strong: list[str] = []
    weak: list[str] = []
    for tag in u.kinds("bundle"):
        strong.extend(m for m in model.bundles[tag.value].metrics if m not in strong)
    for tag in u.kinds("metric"):
        bucket = weak if _generic(tag.text) else strong
        for value in tag.values:
            if value not in strong and value not in weak:
                bucket.append(value)
                break
    names = strong or weak
    implied: dict[str, int] = {}
    for tag in u.kinds("value"):
        metric = model.values[int(tag.value.split(":", 1)[0])].metric
        if metric:
            implied[metric] = implied.get(metric, 0) + 1
    several = [m for m, n in implied.items() if n >= 2]
    if several:
        return several[:1]
    if not strong:
        for tag in u.kinds("dimension"):
            dim = model.dimensions[tag.value]
            if dim.tables and (not names or model.metrics[names[0]].table not in dim.tables):
                default = model.metrics.get(model.default_metric or "")
                if not names and default is not None and default.table in dim.tables:
                    return [model.default_metric]  # type: ignore[list-item]  # 各产品线销售占比: sales
                counted = [
                    n
                    for n, m in model.metrics.items()
                    if m.table in dim.tables and m.format == "count"
                ]
                if counted:
                    return counted[:1]
    for tag in u.kinds("value"):
        value_set = model.values[int(tag.value.split(":", 1)[0])]
        named = model.metrics[names[0]] if names else None
        # 没批的请假: the named metric counts approved leave only; the value asks for another state.
        value = tag.value.split(":", 1)[1]
        conflict = (
            named is not None
            and value_set.column in (named.where or "")
            and f"'{value}'" not in (named.where or "")
        )
        if value_set.metric and (named is None or named.table not in value_set.tables or conflict):
            if not strong or not names or conflict:
                names = [value_set.metric]
            break
    if not names and ("employee" in u.values_of("dimension") or u.managers):
        order, _ = ranking_of(u)
        if (order or threshold_of(u)) and model.default_metric:  # 谁最高: ranked by sales
            names.append(model.default_metric)
        elif u.has(lx.WHO_WORDS) or u.has(lx.LIST_WORDS):  # 人事部都有谁: the people themselves
            if model.people_metric or model.default_metric:
                names.append(model.people_metric or model.default_metric)  # type: ignore[arg-type]
    if names and not strong and u.has(("多少人", "几个人", "几人", "how many people")):
        table = model.metrics[names[0]].table
        counted = [n for n, m in model.metrics.items() if m.table == table and m.format == "count"]
        if model.metrics[names[0]].format != "count" and counted:
            names = counted[:1]
    if names and u.has(_COUNTING):  # how many sales / orders got refunded: the count of those rows
        first = model.metrics[names[0]]
        siblings = [n for n, m in model.metrics.items()
                    if m.table == first.table and m.where == first.where and m.format == "count"]  # fmt: skip
        if first.format == "money" and siblings:
            both = u.has(
                ("how much", "多少钱", "金额")
            )  # how many and how much: the count and the sum
            names = [siblings[0], *names] if both else [siblings[0], *names[1:]]
    parts = model.ratio_parts(names)
    if parts:  # 投放ROI（业绩÷市场投入）: the parts named explain the ratio, not more figures
        names = [n for n in names if n not in parts]
    if len(names) > 1:
        table = model.metrics[names[0]].table
        names = [n for n in names if model.metrics[n].table == table]
    return names


#: Asking for a number of rows (orders, refunds), not an amount.
_COUNTING = ("how many", "number of", "几单", "多少单", "几笔", "多少笔")


def _generic(text: str) -> bool:
    return text in lx.GENERIC_METRIC_WORDS
