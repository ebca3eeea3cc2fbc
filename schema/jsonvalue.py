"""One JSON form for every value the warehouse (DuckDB or PostgreSQL) can return.

Every surface that shows rows (``hrq sql --json``, ``hrq ask --json``, the HTTP API,
the agent's tool results) turns the driver's values into JSON here, and nowhere else:

| driver value | JSON form |
|---|---|
| ``None`` | ``null`` |
| ``bool`` | ``true`` / ``false`` |
| ``int`` | a number; beyond ±(2**53 - 1), the integers a JSON reader such as JavaScript holds exactly, its digits as text (note ``big_int``) |
| ``float`` | a number; NaN and ±Infinity have no JSON form: ``null`` (note ``non_finite``) |
| ``Decimal`` | without fraction digits, as an ``int``; else a number (a double: 15-17 significant digits, as every JSON reader holds numbers), but its digits as text beyond ±(2**53 - 1), so that no whole-number digit is lost (note ``decimal_text``); NaN and ±Infinity ``null`` (note ``non_finite``) |
| ``str`` | text |
| ``bytes`` (BLOB, BYTEA) | base64 text (note ``bytes``) |
| ``date``, ``datetime`` | ISO 8601 text: ``2026-11-26``, ``2026-11-26T09:30:00``, ``2026-11-26T09:30:00+08:00`` |
| ``time`` | ISO 8601 text: ``09:30:00``, ``09:30:00.250000+08:00`` |
| ``timedelta`` (INTERVAL) | ISO 8601 duration text: ``P1DT2H30M``, ``-PT0.5S`` (a month counts 30 days, as the drivers read it) |
| ``UUID`` | its canonical text |
| ``list``, ``tuple`` (LIST, ARRAY) | an array of these forms |
| ``dict`` (STRUCT, MAP, JSON) | an object of these forms; keys as text (a map's keys in their JSON form) |
| anything else (INET, ranges, geometry, ...) | its text, ``str(value)`` |

Each form that is not the value itself adds a note (:data:`NOTES`), which the
surfaces print with the rows, so a base64 text or a ``null`` is never mistaken
for the stored value.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

#: Integers a double, and so every JSON reader, holds exactly.
SAFE_INT = 2**53 - 1

NOTES = {
    "big_int": "integers beyond ±9007199254740991 are shown as text, so that no digit is lost",
    "bytes": "binary values are shown as base64 text",
    "decimal_text": "decimals beyond ±9007199254740991 are shown as text, so that no digit of "
    "the whole number is lost",
    "non_finite": "NaN and infinite numbers have no JSON form and are shown as null",
}


def json_value(value: Any, notes: set[str] | None = None) -> Any:
    """``value``'s JSON form (see the module's table); the notes it needs go into ``notes``."""
    seen = notes if notes is not None else set()
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return _integer(value, seen)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        seen.add("non_finite")
        return None
    if isinstance(value, Decimal):
        return _decimal(value, seen)
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, bytes | bytearray | memoryview):
        seen.add("bytes")
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(item, seen) for item in value]
    if isinstance(value, dict):
        return {_key(k, seen): json_value(v, seen) for k, v in value.items()}
    return str(value)


@dataclass(frozen=True)
class JsonRows:
    """Rows in their JSON form and the notes their values needed (sentences, sorted)."""

    rows: list[list[Any]]
    notes: list[str]


def json_rows(rows: Iterable[Sequence[Any]]) -> JsonRows:
    """Every row of ``rows`` in its JSON form, with the notes of all of them."""
    seen: set[str] = set()
    converted = [[json_value(v, seen) for v in row] for row in rows]
    return JsonRows(converted, note_texts(seen))


def note_texts(keys: Iterable[str]) -> list[str]:
    """The sentences of note ``keys``, in a fixed order."""
    return [NOTES[k] for k in sorted(set(keys))]


def encoded_size(row: Sequence[Any]) -> int:
    """Bytes ``row`` takes in UTF-8 JSON (as the CLI prints it), the separator included."""
    return len(json.dumps(json_value(row), ensure_ascii=False).encode("utf-8")) + 1


def iso_duration(delta: timedelta) -> str:
    """ISO 8601 duration of ``delta``: ``P1DT2H30M``, ``PT0.5S``, ``-P3D``, ``PT0S``."""
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    days, rest = divmod(micros, 86_400 * 1_000_000)
    hours, rest = divmod(rest, 3_600 * 1_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or fraction:
        clock += f"{seconds}.{fraction:06d}".rstrip("0").rstrip(".") + "S"
    if not days and not clock:
        return "PT0S"
    return f"{sign}P{f'{days}D' if days else ''}{'T' + clock if clock else ''}"


def _integer(value: int, seen: set[str]) -> int | str:
    if -SAFE_INT <= value <= SAFE_INT:
        return value
    seen.add("big_int")
    return str(value)


def _decimal(value: Decimal, seen: set[str]) -> int | float | str | None:
    if not value.is_finite():
        seen.add("non_finite")
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return _integer(int(value), seen)
    if -SAFE_INT <= value <= SAFE_INT:
        return float(value)
    seen.add("decimal_text")
    return str(value)


def _key(key: Any, seen: set[str]) -> str:
    if isinstance(key, str):
        return key
    form = json_value(key, seen)
    return form if isinstance(form, str) else json.dumps(form, ensure_ascii=False)
