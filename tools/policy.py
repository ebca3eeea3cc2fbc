"""The bonus policy: rate and optional cap per department, and the new-hire ramp ladder.

The policy is a TOML file (format documented in the packaged ``bonus_policy.toml``):
a ``[default]`` table (rate 5 %, no cap unless set), optional ``[department."<name,
English name or id>"]`` tables, and a ``[ramp]`` ladder. ``load_policy`` validates the
whole file and raises :class:`PolicyError` naming the file, line and key at fault.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from tools.errors import PolicyError
from tools.money import fmt_money, fmt_rate

DEFAULT_RATE = Decimal("0.05")
DEFAULT_LADDER = (Decimal("0.40"), Decimal("0.60"), Decimal("0.80"))
PACKAGED_POLICY = "bonus_policy.toml"
_TABLE_KEYS = {"rate", "cap"}


class RatePolicy(BaseModel):
    """Bonus rate and optional cap (CNY) for one department; ``source`` says where it came from."""

    model_config = ConfigDict(frozen=True)

    rate: Decimal = DEFAULT_RATE
    cap: Decimal | None = None
    source: str = "default"

    def describe(self) -> str:
        """E.g. ``'rate 5 %, no cap (default)'``."""
        cap = f"cap {fmt_money(self.cap)}" if self.cap is not None else "no cap"
        return f"rate {fmt_rate(self.rate)}, {cap} ({self.source})"


class BonusPolicy(BaseModel):
    """The whole policy: default rates, per-department overrides and the ramp ladder."""

    model_config = ConfigDict(frozen=True)

    default: RatePolicy = RatePolicy()
    departments: dict[str, RatePolicy] = {}
    ramp_ladder: tuple[Decimal, ...] = DEFAULT_LADDER
    origin: str = "built-in"

    def for_department(self, department_id: int, name: str, name_en: str | None) -> RatePolicy:
        """The policy of one department: matched by id, Chinese name or English name."""
        keys = [str(department_id), name.strip().casefold()]
        if name_en:
            keys.append(name_en.strip().casefold())
        for key in keys:
            if key in self.departments:
                return self.departments[key]
        return self.default

    def ramp_fraction(self, employment_month: int) -> Decimal | None:
        """Fraction of the typical target in employment month 1, 2, ...; None past the ramp."""
        if 1 <= employment_month <= len(self.ramp_ladder):
            return self.ramp_ladder[employment_month - 1]
        return None


def load_policy(path: Path | None = None) -> BonusPolicy:
    """Read and validate a policy file; ``None`` reads the packaged default (5 %, no cap)."""
    if path is None:
        text = resources.files("tools").joinpath(PACKAGED_POLICY).read_text(encoding="utf-8")
        origin = f"packaged {PACKAGED_POLICY}"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"cannot read bonus policy {path}: {exc.strerror}") from exc
        origin = str(path)
    return parse_policy(text, origin)


def parse_policy(text: str, origin: str = "<policy>") -> BonusPolicy:
    """Validate policy TOML text; errors name ``origin``, the line and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"bonus policy {origin}: invalid TOML: {exc}") from exc
    locate = _Locator(text, origin)
    unknown = set(data) - {"default", "department", "ramp"}
    if unknown:
        key = sorted(unknown)[0]
        raise locate.error(
            (key,), None, f"unknown section [{key}] (expected default, department, ramp)"
        )
    default = _rate_table(data.get("default", {}), ("default",), "default", locate)
    departments: dict[str, RatePolicy] = {}
    raw_departments = data.get("department", {})
    if not isinstance(raw_departments, dict):
        raise locate.error(("department",), None, 'expected tables like [department."name"]')
    for key, table in raw_departments.items():
        merged = {"rate": default.rate, "cap": default.cap, **_as_table(table, key, locate)}
        norm = key.strip().casefold()
        if norm in departments:
            raise locate.error(("department", key), None, f"department {key!r} is listed twice")
        departments[norm] = _rate_table(merged, ("department", key), f'department "{key}"', locate)
    ladder = _ladder(data.get("ramp", {}), locate)
    return BonusPolicy(default=default, departments=departments, ramp_ladder=ladder, origin=origin)


def _as_table(table: Any, key: str, locate: _Locator) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise locate.error(("department",), key, "expected a table with rate and/or cap")
    return table


def _rate_table(table: Any, path: tuple[str, ...], source: str, locate: _Locator) -> RatePolicy:
    if not isinstance(table, dict):
        raise locate.error(path[:-1], path[-1], "expected a table with rate and/or cap")
    for key in table:
        if key not in _TABLE_KEYS:
            raise locate.error(path, key, f"unknown key {key!r} (expected rate, cap)")
    rate = _number(table.get("rate", DEFAULT_RATE), path, "rate", locate)
    if not Decimal(0) <= rate <= Decimal(1):
        raise locate.error(path, "rate", f"rate must be between 0 and 1 (5 % is 0.05), got {rate}")
    cap_value = table.get("cap")
    cap = None if cap_value is None else _number(cap_value, path, "cap", locate)
    if cap is not None and cap < 0:
        raise locate.error(path, "cap", f"cap must not be negative, got {cap}")
    return RatePolicy(rate=rate, cap=cap, source=source)


def _number(value: Any, path: tuple[str, ...], key: str, locate: _Locator) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise locate.error(path, key, f"{key} must be a number, got {value!r}")
    text = str(value).strip()
    scale = Decimal(1)
    if text.endswith("%"):
        text, scale = text[:-1].strip(), Decimal("0.01")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else text) * scale
    except InvalidOperation:
        raise locate.error(path, key, f"{key} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise locate.error(path, key, f"{key} must be a finite number, got {value!r}")
    return number


def _ladder(table: Any, locate: _Locator) -> tuple[Decimal, ...]:
    if not isinstance(table, dict):
        raise locate.error((), "ramp", "expected a [ramp] table")
    for key in table:
        if key != "ladder":
            raise locate.error(("ramp",), key, f"unknown key {key!r} (expected ladder)")
    raw = table.get("ladder", list(DEFAULT_LADDER))
    if not isinstance(raw, list) or not raw:
        raise locate.error(
            ("ramp",), "ladder", "ladder must be a non-empty list like [0.4, 0.6, 0.8]"
        )
    steps = tuple(_number(step, ("ramp",), "ladder", locate) for step in raw)
    if any(not Decimal(0) < step <= Decimal(1) for step in steps):
        raise locate.error(("ramp",), "ladder", "each ladder step must be in (0, 1]")
    return steps


class _Locator:
    """Finds the line of a table or key in the policy text, for error messages."""

    def __init__(self, text: str, origin: str) -> None:
        self.lines = text.splitlines()
        self.origin = origin

    def error(self, path: tuple[str, ...], key: str | None, message: str) -> PolicyError:
        line = self._find(path, key)
        where = f"line {line}" if line else "file"
        name = ".".join((*path, key) if key else path) or "policy"
        return PolicyError(f"bonus policy {self.origin}, {where}, {name}: {message}")

    def _find(self, path: tuple[str, ...], key: str | None) -> int | None:
        current: tuple[str, ...] = ()
        header_line: int | None = None
        for number, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            if line.startswith("["):
                current = _header_path(line)
                if current == path or (key is None and current[: len(path)] == path):
                    header_line = number
                    if key is None:
                        return number
                continue
            if key is not None and current == path and "=" in line:
                name = line.split("=", 1)[0].strip().strip('"').strip("'")
                if name == key:
                    return number
        return header_line


def _header_path(line: str) -> tuple[str, ...]:
    try:
        data = tomllib.loads(line.split("#", 1)[0] if '"' not in line else line)
    except tomllib.TOMLDecodeError:
        return ()
    path: list[str] = []
    while isinstance(data, dict) and len(data) == 1:
        name, data = next(iter(data.items()))
        path.append(name)
    return tuple(path)
