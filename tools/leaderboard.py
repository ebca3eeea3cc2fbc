"""The department leaderboard: ranked rows with gap to median, as text, markdown and a PNG chart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Connection

from schema.caller import Caller
from tools.errors import AmbiguousDepartmentError
from tools.money import fmt_money
from tools.performance import monthly_performance
from tools.period import month_label
from tools.policy import BonusPolicy
from tools.report import table_of
from tools.snapshot import ClosedMonth, SnapshotSource, closed_line

MET_MARK = "✓"  # met the minimum target
ABOVE_MARK = "▲"  # strictly above the median


class LeaderboardRow(BaseModel):
    """One place on the leaderboard; ``min_target``/``met_minimum``/``bonus`` may be hidden (None)."""

    rank: int
    employee_id: int | None
    name: str
    sales: Decimal
    gap_to_median: Decimal
    above_median: bool
    min_target: Decimal | None
    met_minimum: bool | None
    bonus: Decimal | None

    @property
    def markers(self) -> str:
        """``'✓▲'``: met minimum, above median (blank where not, or not visible)."""
        return (MET_MARK if self.met_minimum else "") + (ABOVE_MARK if self.above_median else "")


class Leaderboard(BaseModel):
    """One sales department's ranked month, with its median and calculation trace."""

    COLUMNS: tuple[str, ...] = (
        "rank",
        "name",
        "sales",
        "gap_to_median",
        "met_minimum",
        "above_median",
    )

    month: date
    department_id: int
    department: str
    median: Decimal
    month_to_date: bool
    rows: list[LeaderboardRow]
    trace: list[str]
    scope_note: str | None = None
    #: set when the month is closed (see ``PerformanceReport.closed``)
    closed: ClosedMonth | None = None

    @property
    def title(self) -> str:
        """``'华东销售一部 2026-07 leaderboard'`` (``month to date`` when in progress)."""
        mtd = ", month to date" if self.month_to_date else ""
        return f"{self.department} {month_label(self.month)} leaderboard{mtd}"

    def to_text(self) -> str:
        """Plain text for a terminal or a chat line by line."""
        lines = [self.title, f"median {fmt_money(self.median)}"]
        for r in self.rows:
            lines.append(
                f"{r.rank:>3}. {r.name}  {fmt_money(r.sales)}  "
                f"({_signed(r.gap_to_median)} vs median) {r.markers}".rstrip()
            )
        lines.append(f"{MET_MARK} met minimum target  {ABOVE_MARK} above the median")
        if self.scope_note:
            lines.append(self.scope_note)
        if self.closed is not None:
            lines.append(closed_line(self.closed))
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A markdown table (WeCom markdown and chat)."""
        lines = [
            f"**{self.title}** (median {fmt_money(self.median)})",
            "",
            "| # | name | sales | gap to median | |",
            "|---:|---|---:|---:|---|",
        ]
        for r in self.rows:
            lines.append(
                f"| {r.rank} | {r.name} | {fmt_money(r.sales)} | {_signed(r.gap_to_median)} | {r.markers} |"
            )
        lines += ["", f"{MET_MARK} met minimum target · {ABOVE_MARK} above the median"]
        if self.scope_note:
            lines.append(f"_{self.scope_note}_")
        return "\n".join(lines)

    def as_table(self) -> dict[str, object]:
        """``{columns, rows, summary, trace}`` with JSON-safe values."""
        columns = list(self.COLUMNS)
        return {
            "columns": columns,
            "rows": table_of(list(self.rows), columns),
            "summary": {"department": self.department, "month": month_label(self.month),
                        "median": float(self.median), "roster_size": len(self.rows)},
            "trace": self.trace,
            "scope_note": self.scope_note,
            "closed": None if self.closed is None else self.closed.model_dump(),
        }  # fmt: skip

    def render_png(self, path: Path) -> Path:
        """Draw the chart to ``path`` (bars per person, median line, minimum-target markers)."""
        from tools.chart import draw_leaderboard

        warning = draw_leaderboard(self, Path(path))
        if warning:
            self.trace.append(warning)
        return Path(path)


def leaderboard(
    conn: Connection,
    month: str | date,
    department: str | int,
    *,
    caller: Caller,
    as_of: date | None = None,
    policy: BonusPolicy | None = None,
    closes: SnapshotSource | None = None,
) -> Leaderboard:
    """The ranked leaderboard of one sales department for a month: rank, name, sales, gap to
    the department median, met-minimum and above-median markers.

    ``department`` is a Chinese name, English name, id or unique abbreviation and must
    name one department with a sales roster. A salesperson sees colleagues' name, rank,
    sales and gap only (their minimum targets and bonuses are hidden).
    """
    report = monthly_performance(
        conn, month, caller=caller, department=department, as_of=as_of, policy=policy,
        closes=closes,
    )  # fmt: skip
    members = list(report.rows)
    departments = sorted({(r.department_id, r.department) for r in members})
    if len(departments) != 1:
        raise AmbiguousDepartmentError(
            f"a leaderboard is for one sales department; {department!r} covers {len(departments)}",
            [name for _, name in departments],
        )
    ((dept_id, dept_name),) = departments
    rows = [
        LeaderboardRow(
            rank=r.rank,
            employee_id=r.employee_id,
            name=r.name,
            sales=r.sales,
            gap_to_median=r.gap_to_median,
            above_median=r.above_median,
            min_target=r.min_target,
            met_minimum=r.met_minimum,
            bonus=r.bonus,
        )  # fmt: skip
        for r in members
    ]
    return Leaderboard(
        month=report.month,
        department_id=dept_id,
        department=dept_name,
        median=members[0].median,
        month_to_date=report.month_to_date,
        rows=rows,
        trace=list(report.trace),
        scope_note=report.scope_note,
        closed=report.closed,
    )


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + fmt_money(value)
