"""A person's bonus statement for a closed month, from its snapshot, in Chinese or English.

Everything comes from the snapshot (``tools.snapshot``): sales and the orders
counted, the minimum target, the department median and how it was found (the
roster size and the middle values, without names), the gap, the two bars, the
bonus with the policy that computed it, and the snapshot's version and hash. An
accepted dispute adds an adjustment (``tools.adjustment``) beside the snapshot: the
statement's next version shows the bonus as closed, each adjustment with its dispute
and the final bonus. The statement is a personal document: a salesperson sees only their own, a manager
their subtree, HR everyone (``tools.scope.personal_rows``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from schema.caller import Caller
from tools.adjustment import Adjustment, total
from tools.errors import InvalidArgumentError, OutOfScopeError
from tools.money import fmt_money, fmt_rate
from tools.scope import personal_rows
from tools.snapshot import MonthSnapshot, SnapshotRow

Language = Literal["zh", "en"]


def statement(
    snapshot: MonthSnapshot,
    employee_no: str,
    *,
    caller: Caller,
    language: Language = "zh",
    changed_since_close: bool | None = None,
    adjustments: Sequence[Adjustment] = (),
) -> dict[str, Any]:
    """The statement of ``employee_no`` for the snapshot's month, as ``caller`` may see it,
    with the ``adjustments`` accepted disputes made to their row (oldest first).

    Raises InvalidArgumentError when they were not on the month's roster and
    OutOfScopeError when ``caller`` may not see their statement.
    """
    row = snapshot.row_of(employee_no)
    if row is None or not personal_rows([row], caller):
        # Whether someone outside the caller's scope was on the roster is not theirs to learn.
        if row is None and (caller.role.sees_everything or caller.employee_no == employee_no):
            raise InvalidArgumentError(
                f"{employee_no} was not on the sales roster of {snapshot.label} when it was "
                f"closed (version {snapshot.version})"
            )
        raise OutOfScopeError(
            "you may see only your own bonus statement"
            if caller.role.value in ("sales", "employee")
            else "you may see the bonus statements of your department subtree only"
        )
    roster = sorted(r.sales for r in snapshot.department_rows(row.department_id))
    count = len(roster)
    middle = (
        roster[count // 2 : count // 2 + 1]
        if count % 2
        else roster[count // 2 - 1 : count // 2 + 1]
    )
    rate = snapshot.policy.for_department(row.department_id, row.department, row.department_en)
    mine = [a for a in adjustments if a.employee_no == row.employee_no]
    adjusted = total(mine)
    lines = _lines(row, count, middle, rate.rate, rate.cap, snapshot, language)
    lines[-1:-1] = _adjustment_lines(row.bonus, mine, language, snapshot.version)
    return {
        "month": snapshot.label,
        "version": snapshot.version,
        "statement_version": 1 + len(mine),
        "hash": snapshot.hash,
        "closed_at": snapshot.closed_at,
        "changed_since_close": changed_since_close,
        "language": language,
        "employee_no": row.employee_no,
        "name": row.name if language == "zh" or not row.name_en else row.name_en,
        "department": row.department
        if language == "zh" or not row.department_en
        else row.department_en,
        "sales": float(row.sales),
        "orders_counted": list(row.order_ids),
        "min_target": float(row.min_target),
        "met_minimum": row.met_minimum,
        "median": {
            "value": float(row.median),
            "roster_size": count,
            "middle_values": [float(v) for v in middle],
        },
        "gap": float(row.gap),
        "above_median": row.above_median,
        "eligible": row.eligible,
        "bonus": float(row.bonus),
        "adjustments": [a.public() for a in mine],
        "adjustment": float(adjusted),
        "final_bonus": float(row.bonus + adjusted),
        "policy": {
            "rate": float(rate.rate),
            "cap": None if rate.cap is None else float(rate.cap),
            "source": rate.source,
            "origin": snapshot.policy.origin,
        },
        "lines": lines,
    }


def _adjustment_lines(
    bonus: Decimal, adjustments: Sequence[Adjustment], language: Language, version: int
) -> list[str]:
    """The adjustments and the final bonus, as sentences (none without adjustments); an
    adjustment made to an earlier version of the close says that this one kept it."""
    if not adjustments:
        return []
    zh = language == "zh"
    lines = []
    for a in adjustments:
        sign = "+" if a.amount >= 0 else "-"
        amount = f"{sign}¥{fmt_money(abs(a.amount))}"
        carried = a.close_version is not None and a.close_version != version
        kept = ((f"，沿用第 {a.close_version} 版结账的调整" if zh
                 else f", kept from close version {a.close_version}") if carried else "")  # fmt: skip
        lines.append(
            f"调整（争议 #{a.dispute_id}，结算单第 {a.statement_version} 版{kept}）：{amount}，理由：{a.reason}"
            if zh else f"Adjustment (dispute #{a.dispute_id}, statement version "
            f"{a.statement_version}{kept}): {amount}, reason: {a.reason}"
        )  # fmt: skip
    final = bonus + total(adjustments)
    lines.append(
        f"最终奖金：¥{fmt_money(bonus)}（结账时）{'+' if total(adjustments) >= 0 else '-'} "
        f"¥{fmt_money(abs(total(adjustments)))}（调整）= ¥{fmt_money(final)}"
        if zh else f"Final bonus: ¥{fmt_money(bonus)} (as closed) "
        f"{'+' if total(adjustments) >= 0 else '-'} ¥{fmt_money(abs(total(adjustments)))} "
        f"(adjustments) = ¥{fmt_money(final)}"
    )  # fmt: skip
    return lines


def _lines(
    row: SnapshotRow,
    count: int,
    middle: list[Decimal],
    rate: Decimal,
    cap: Decimal | None,
    snapshot: MonthSnapshot,
    language: Language,
) -> list[str]:
    """The statement as sentences a person reads."""
    zh = language == "zh"
    orders = len(row.order_ids)
    if len(middle) == 1:
        how = (f"在册 {count} 人，取中间一位的业绩 ¥{fmt_money(middle[0])}" if zh else
               f"{count} on the roster: the middle value, ¥{fmt_money(middle[0])}")  # fmt: skip
    else:
        how = (f"在册 {count} 人，取中间两位 ¥{fmt_money(middle[0])} 与 ¥{fmt_money(middle[1])} 的平均"
               if zh else f"{count} on the roster: the mean of the middle values "
               f"¥{fmt_money(middle[0])} and ¥{fmt_money(middle[1])}")  # fmt: skip
    capped = (
        "" if cap is None else (f"，上限 ¥{fmt_money(cap)}" if zh else f", cap ¥{fmt_money(cap)}")
    )
    gap = ("+" if row.gap > 0 else "-" if row.gap < 0 else "") + f"¥{fmt_money(abs(row.gap))}"
    if zh:
        verdict = "是（达到最低目标且超过部门中位数）" if row.eligible else "否（" + "；".join(
            ([] if row.met_minimum else ["未达到最低目标"]) + ([] if row.above_median else ["未超过部门中位数"])
        ) + "）"  # fmt: skip
        bonus = (f"奖金：{fmt_rate(rate)} ×（¥{fmt_money(row.sales)} − ¥{fmt_money(row.median)}）"
                 f"{capped} = ¥{fmt_money(row.bonus)}" if row.eligible else "奖金：¥0.00")  # fmt: skip
        return [
            f"{snapshot.month.year}年{snapshot.month.month}月奖金结算单：{row.name}（{row.employee_no}），"
            f"{row.department}",
            f"业绩：¥{fmt_money(row.sales)}（{orders} 笔已付款订单）",
            f"最低目标：¥{fmt_money(row.min_target)}，{'已达到' if row.met_minimum else '未达到'}",
            f"部门中位数：¥{fmt_money(row.median)}（{how}）",
            f"与中位数差距：{gap}",
            f"获得奖金资格：{verdict}",
            bonus,
            f"依据：结账快照第 {snapshot.version} 版（{snapshot.closed_at}，哈希 {snapshot.hash[:16]}）",
        ]
    missed = [n for n, ok in (("minimum target not met", row.met_minimum),
                              ("not above the median", row.above_median)) if not ok]  # fmt: skip
    verdict = (
        "yes (minimum target met and above the median)"
        if row.eligible
        else f"no ({'; '.join(missed)})"
    )
    bonus = (f"Bonus: {fmt_rate(rate)} x (¥{fmt_money(row.sales)} - ¥{fmt_money(row.median)}){capped} = "
             f"¥{fmt_money(row.bonus)}" if row.eligible else "Bonus: ¥0.00")  # fmt: skip
    name = row.name_en or row.name
    return [
        f"Bonus statement {snapshot.month:%b %Y}: {name} ({row.employee_no}), {row.department_en or row.department}",
        f"Sales: ¥{fmt_money(row.sales)} ({orders} paid orders)",
        f"Minimum target: ¥{fmt_money(row.min_target)}, {'met' if row.met_minimum else 'not met'}",
        f"Department median: ¥{fmt_money(row.median)} ({how})",
        f"Gap to the median: {gap}",
        f"Bonus eligible: {verdict}",
        bonus,
        f"Source: close version {snapshot.version} ({snapshot.closed_at}, hash {snapshot.hash[:16]})",
    ]
