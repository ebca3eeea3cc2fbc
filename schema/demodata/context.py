"""What every table generator shares: the period, the people, and who is employed when."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from schema.demodata.departments import Department
from schema.demodata.period import Period
from schema.demodata.scales import ScaleSpec
from schema.demodata.staff import Staff

#: Seasonality of demand by calendar month (Spring Festival is slow, year end busy).
SEASON = np.array([0.78, 0.72, 1.0, 1.04, 1.06, 1.1, 0.96, 0.95, 1.05, 0.92, 1.15, 1.2])


@dataclass
class Context:
    """Inputs shared by the generators, with employment worked out per employee-month.

    ``lo``/``hi`` (employees x months) are the first and last day an employee
    works in a month up to the end date (``hi < lo``: not employed that month);
    ``hi_full`` is the same ignoring the end date (for prorating monthly targets).
    """

    seed: int
    spec: ScaleSpec
    period: Period
    departments: list[Department]
    staff: Staff
    lo: np.ndarray = field(init=False)
    hi: np.ndarray = field(init=False)
    hi_full: np.ndarray = field(init=False)
    sales_dept_ids: np.ndarray = field(init=False)
    dept_pos: np.ndarray = field(
        init=False
    )  # department_id -> index among sales departments, or -1
    season: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        p, s = self.period, self.staff
        last_day = s.term[:, None] - 1
        self.lo = np.maximum(s.hire[:, None], p.month_start[None, :])
        self.hi = np.minimum(np.minimum(p.month_cut[None, :], last_day), p.end)
        self.hi_full = np.minimum(p.month_end[None, :], last_day)
        self.sales_dept_ids = np.array(
            [d.department_id for d in self.departments if d.kind == "sales"], dtype=np.int64
        )
        self.dept_pos = np.full(len(self.departments) + 1, -1, dtype=np.int64)
        self.dept_pos[self.sales_dept_ids] = np.arange(len(self.sales_dept_ids))
        months = np.array([d.month for d in p.month_dates()]) - 1
        self.season = SEASON[months]

    def rng(self, *keys: int) -> np.random.Generator:
        """An independent random stream for one table (and chunk): same keys, same numbers."""
        return np.random.default_rng([self.seed, *keys])

    @property
    def days(self) -> np.ndarray:
        """Days employed per employee-month up to the end date (0 when not employed)."""
        return np.maximum(self.hi - self.lo + 1, 0)

    @property
    def month_length(self) -> np.ndarray:
        return self.period.month_end - self.period.month_start + 1

    def department_size(self) -> np.ndarray:
        """Representatives per sales department at the start of the period."""
        start = self.period.start
        here = self.staff.is_rep & (self.staff.hire <= start) & (self.staff.term > start)
        pos = self.dept_pos[self.staff.department_id[here]]
        return np.maximum(np.bincount(pos, minlength=len(self.sales_dept_ids)), 1)
