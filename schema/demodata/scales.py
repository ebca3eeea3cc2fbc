"""The sizes the demo warehouse comes in: small (the demo), medium and large (benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from schema.demodata.errors import DemoDataError

Scale = Literal["small", "medium", "large"]
SCALES: tuple[str, ...] = get_args(Scale)


@dataclass(frozen=True)
class ScaleSpec:
    """How big each part of the company is at one scale."""

    sales_departments: int
    reps_per_department: int  # steady headcount of representatives (manager excluded)
    marketing: int
    hr: int
    operations: int
    orders_per_rep_month: float  # mean number of orders of an average rep in a full month
    interactions_per_rep_month: float
    months: int = 24  # months of history, the end date's month included


SPECS: dict[str, ScaleSpec] = {
    "small": ScaleSpec(6, 9, 5, 4, 5, orders_per_rep_month=12, interactions_per_rep_month=14),
    "medium": ScaleSpec(8, 100, 60, 30, 80, orders_per_rep_month=55, interactions_per_rep_month=16),
    "large": ScaleSpec(
        40, 128, 200, 80, 200, orders_per_rep_month=92, interactions_per_rep_month=10
    ),
}


def spec_of(scale: str) -> ScaleSpec:
    """The spec of a scale name, or a DemoDataError naming the valid ones."""
    try:
        return SPECS[scale]
    except KeyError:
        raise DemoDataError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}") from None
