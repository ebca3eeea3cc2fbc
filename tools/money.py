"""Money helpers: Decimal everywhere, half-up rounding to 0.01 CNY, readable formatting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal:
    """A Decimal from a database or user value (int, float via its shortest repr, str, Decimal)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def round_money(value: Decimal) -> Decimal:
    """``value`` rounded half-up to 0.01 (0.005 -> 0.01, -0.005 -> -0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal | None) -> str:
    """``1234567.5`` -> ``'1,234,567.50'``; keeps a third decimal if the value has one (medians)."""
    if value is None:
        return "-"
    exponent = value.as_tuple().exponent
    places = 2 if not isinstance(exponent, int) or exponent >= -2 else min(-exponent, 6)
    return f"{value:,.{places}f}"


def fmt_rate(rate: Decimal) -> str:
    """``Decimal('0.05')`` -> ``'5 %'``."""
    pct = (rate * 100).normalize()
    return f"{pct:f} %"
