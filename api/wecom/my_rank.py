"""The answer to a pressed "查看我的排名" button: the presser's own rank and gap, one to one.

A card's button (:mod:`api.wecom.cards`) may be pressed by anyone who sees the card (a
group's members, a manager forwarding it); whoever presses it gets *their own* place, in
*their own* department, computed as them: the leaderboard tool cuts its rows to the
presser's scope, and the reply names only the presser's row (rank, sales, the median and
their gap to it). Someone without a place on a sales leaderboard is told so.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from schema.caller import Caller
from schema.errors import HrqError
from tools.leaderboard import leaderboard
from tools.money import fmt_money
from tools.policy import BonusPolicy
from tools.snapshot import SnapshotSource


def my_rank_text(
    warehouse: Engine,
    caller: Caller,
    month: str,
    as_of: date,
    *,
    policy: BonusPolicy | None = None,
    closes: SnapshotSource | None = None,
) -> str:
    """The presser's rank and gap to the median in ``month`` (markdown)."""
    nowhere = f"你不在 {month} 的销售排行榜中（排行榜只列在册的销售人员）。"
    if caller.employee_id is None or caller.department_id is None:
        return nowhere
    try:
        with warehouse.connect() as conn:
            board = leaderboard(conn, month, caller.department_id, caller=caller, as_of=as_of,
                                policy=policy, closes=closes)  # fmt: skip
    except HrqError:
        return nowhere
    mine = [r for r in board.rows if r.employee_id == caller.employee_id]
    if not mine:
        return nowhere
    row = mine[0]
    when = f"截至 {as_of.isoformat()}" if board.month_to_date else month
    gap = (
        f"已超过中位数 ¥{fmt_money(row.gap_to_median)}"
        if row.above_median
        else f"距中位数还差 ¥{fmt_money(-row.gap_to_median)}"
    )
    return (
        f"**{caller.name}，你在{board.department}的排名（{when}）**\n"
        f"第 **{row.rank}** 名，共 {len(board.rows)} 人\n"
        f"业绩 ¥{fmt_money(row.sales)}，部门中位数 ¥{fmt_money(board.median)}，{gap}"
    )
