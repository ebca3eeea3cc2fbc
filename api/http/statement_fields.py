"""A bonus statement as labelled fields, for its XLSX and PDF files.

``fields`` turns the statement document (``tools.statement.statement``) into rows of
label, value, kind and note in the statement's language: the person, sales, the
minimum target, the department median with the roster size and the middle values,
the gap, the two bars, eligibility, the policy, the bonus as closed, each adjustment
with its dispute and reason, the final bonus, and the snapshot's version and hash.
Both files show the same rows, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from tools.money import fmt_money, fmt_rate, to_decimal

Kind = Literal["text", "money", "median", "percent", "count", "flag"]

#: (zh, en) of every label, title and heading the files print.
WORDS: dict[str, tuple[str, str]] = {
    "title": ("奖金结算单", "Bonus statement"),
    "item": ("项目", "Item"),
    "value": ("数值", "Value"),
    "note": ("说明", "Note"),
    "sheet": ("结算单", "Statement"),
    "about": ("计算过程", "How it was computed"),
    "month": ("月份", "Month"),
    "employee_no": ("员工编号", "Employee no."),
    "name": ("姓名", "Name"),
    "department": ("部门", "Department"),
    "sales": ("业绩", "Sales"),
    "orders": ("计入的已付款订单", "Paid orders counted"),
    "min_target": ("最低目标", "Minimum target"),
    "met_minimum": ("达到最低目标", "Minimum target met"),
    "median": ("部门中位数", "Department median"),
    "roster_size": ("部门在册人数", "Department roster size"),
    "middle": ("中间值", "Middle value"),
    "gap": ("与中位数差距", "Gap to the median"),
    "above_median": ("超过部门中位数", "Above the median"),
    "eligible": ("获得奖金资格", "Bonus eligible"),
    "rate": ("提成比例", "Bonus rate"),
    "cap": ("奖金上限", "Bonus cap"),
    "cap_note": ("上限", "cap"),
    "policy": ("奖金政策", "Bonus policy"),
    "bonus": ("奖金（结账时）", "Bonus as closed"),
    "adjustment": ("调整（争议 #{id}）", "Adjustment (dispute #{id})"),
    "carried": ("沿用第 {v} 版结账的调整", "kept from close version {v}"),
    "final_bonus": ("最终奖金", "Final bonus"),
    "version": ("结账快照版本", "Close version"),
    "statement_version": ("结算单版本", "Statement version"),
    "closed_at": ("结账时间", "Closed at"),
    "hash": ("快照哈希", "Snapshot hash"),
    "changed": ("结账后实时数据有变", "Changed since the close"),
    "orders_counted": ("计入的订单编号", "Order ids counted"),
    "not_met": ("未达到最低目标", "minimum target not met"),
    "not_above": ("未超过部门中位数", "not above the median"),
    "none": ("无", "none"),
    "unchecked": ("未检查", "not checked"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}
#: The bar each reason for no bonus names.
MISSED = {"not_met": "met_minimum", "not_above": "above_median"}


def word(key: str, language: str, **values: object) -> str:
    """The word ``key`` in ``language`` (zh, else English), with ``values`` filled in."""
    zh, en = WORDS[key]
    return (zh if language == "zh" else en).format(**values)


def heading(doc: dict[str, Any], language: str) -> str:
    """The statement's title with its month as a person writes it (2026年10月奖金结算单)."""
    year, month = (int(part) for part in str(doc["month"]).split("-"))
    if language == "zh":
        return f"{year}年{month}月{word('title', language)}"
    return f"{word('title', language)}, {date(year, month, 1):%B %Y}"


@dataclass(frozen=True, slots=True)
class Field:
    """One line of the statement: a label, a value of a kind, and a note."""

    key: str
    label: str
    value: Any
    kind: Kind = "text"
    note: str = ""

    def shown(self, language: str) -> str:
        """The value as the PDF prints it (and roughly as a spreadsheet shows it)."""
        if self.value is None:
            return word("none", language)
        if self.kind in ("money", "median"):
            sign = "-" if self.value < 0 else "+" if self.key == "gap" and self.value > 0 else ""
            return f"{sign}¥{fmt_money(abs(self.value))}"
        if self.kind == "percent":
            return fmt_rate(self.value)
        if self.kind == "flag":
            return word("yes" if self.value else "no", language)
        if self.kind == "count":
            return f"{self.value:,}"
        return str(self.value)


def _money(value: Any) -> Decimal:
    return to_decimal(value)


def _how(median: dict[str, Any], language: str) -> str:
    """How the department median was found, in words."""
    middle = [f"¥{fmt_money(_money(v))}" for v in median["middle_values"]]
    count = median["roster_size"]
    if language == "zh":
        return (f"在册 {count} 人，取中间一位" if len(middle) == 1
                else f"在册 {count} 人，取中间两位 {middle[0]} 与 {middle[1]} 的平均")  # fmt: skip
    return (f"{count} on the roster: the middle value" if len(middle) == 1
            else f"{count} on the roster: the mean of {middle[0]} and {middle[1]}")  # fmt: skip


def _bonus_note(doc: dict[str, Any], language: str) -> str:
    """The bonus as computed: rate x (sales - median), capped; or why there is none."""
    if not doc["eligible"]:
        missed = [word(k, language) for k in ("not_met", "not_above") if not doc[MISSED[k]]]
        return ("；" if language == "zh" else "; ").join(missed)
    policy = doc["policy"]
    times = "×" if language == "zh" else "x"
    formula = (
        f"{fmt_rate(_money(policy['rate']))} {times} (¥{fmt_money(_money(doc['sales']))} - "
        f"¥{fmt_money(_money(doc['median']['value']))})"
    )
    if policy["cap"] is not None:
        formula += f", {word('cap_note', language)} ¥{fmt_money(_money(policy['cap']))}"
    return formula


def fields(doc: dict[str, Any]) -> list[Field]:
    """The statement document's lines as fields, in its language."""
    lang = doc["language"]

    def f(key: str, value: Any, kind: Kind = "text", note: str = "", **label: object) -> Field:
        return Field(key, word(key, lang, **label), value, kind, note)

    median = doc["median"]
    middles = median["middle_values"]
    policy = doc["policy"]
    version = doc["version"]
    rows = [
        f("month", doc["month"]),
        f("employee_no", doc["employee_no"]),
        f("name", doc["name"]),
        f("department", doc["department"]),
        f("sales", _money(doc["sales"]), "money"),
        f("orders", len(doc["orders_counted"]), "count"),
        f("min_target", _money(doc["min_target"]), "money"),
        f("met_minimum", doc["met_minimum"], "flag"),
        f("median", _money(median["value"]), "median", _how(median, lang)),
        f("roster_size", median["roster_size"], "count"),
        *(
            Field(
                "middle",
                word("middle", lang) + (f" {i}" if len(middles) > 1 else ""),
                _money(v),
                "money",
            )
            for i, v in enumerate(middles, start=1)
        ),  # fmt: skip
        f("gap", _money(doc["gap"]), "money"),
        f("above_median", doc["above_median"], "flag"),
        f("eligible", doc["eligible"], "flag"),
        f("rate", _money(policy["rate"]), "percent"),
        f("cap", None if policy["cap"] is None else _money(policy["cap"]), "money"),
        f("policy", f"{policy['source']} ({policy['origin']})"),
        f("bonus", _money(doc["bonus"]), "money", _bonus_note(doc, lang)),
    ]
    for a in doc["adjustments"]:
        made_on = a.get("close_version") or version
        colon = "：" if lang == "zh" else ": "
        carried = "" if made_on == version else word("carried", lang, v=made_on) + colon
        rows.append(f("adjustment", _money(a["amount"]), "money", carried + a["reason"],
                      id=a["dispute_id"]))  # fmt: skip
    rows += [
        f("final_bonus", _money(doc["final_bonus"]), "money"),
        f("version", version, "count"),
        f("statement_version", doc["statement_version"], "count"),
        f("closed_at", doc["closed_at"]),
        f("hash", doc["hash"]),
        f("changed", doc["changed_since_close"], "flag")
        if doc["changed_since_close"] is not None
        else f("changed", word("unchecked", lang)),
    ]
    return rows
