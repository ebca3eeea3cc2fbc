"""The grounding check: every number in a model-written sentence must come from the results.

A figure counts as grounded when it equals (to the precision it is written
in, so 1,234.5 matches 1234.4967) a number in the tool results, a row count,
a number in the question or a part of the reference date; a percentage also
matches the fraction it renders (95.2 % <- 0.952). One ungrounded figure and
the model's sentence is replaced by the answer hrq composes itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

_NUMBER = re.compile(r"(?<![A-Za-z\d.])\d[\d,，]*(?:\.\d+)?\s*(%|％)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def numbers_in(text: str) -> list[tuple[Decimal, bool]]:
    """The numbers written in ``text``, each with whether it is a percentage."""
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0).rstrip("%％ ").replace(",", "").replace("，", "")
        try:
            found.append((Decimal(raw), bool(match.group(1))))
        except InvalidOperation:
            continue
    return found


def known_numbers(values: Iterable[Any], question: str, as_of: date) -> set[Decimal]:
    """Every number the model may legitimately write: results, question and reference date."""
    known: set[Decimal] = {Decimal(as_of.year), Decimal(as_of.month), Decimal(as_of.day)}
    known.update(n for n, _ in numbers_in(question))
    for value in values:
        _collect(value, known)
    return known


def ungrounded(text: str, known: set[Decimal]) -> list[str]:
    """The figures in ``text`` that match no known number (empty: the text is grounded).

    Signs are not compared (a date's hyphens are no minus signs; a gap of -1,200 may be
    written "1,200 below"): numbers match by magnitude.
    """
    known = {abs(k) for k in known}
    missing = []
    for value, percent in numbers_in(text):
        candidates = [value, value / 100] if percent else [value]
        if not any(_matches(c, k) for c in candidates for k in known):
            missing.append(f"{value}{'%' if percent else ''}")
    return missing


def _matches(written: Decimal, known: Decimal) -> bool:
    exponent = written.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    quantum = Decimal(1).scaleb(-places)
    try:
        return abs(known - written) <= quantum / 2 or known.quantize(quantum) == written
    except InvalidOperation:
        return False


def _collect(value: Any, known: set[Decimal]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | Decimal):
        known.add(Decimal(value))
    elif isinstance(value, float):
        known.add(Decimal(repr(value)))
    elif isinstance(value, date):
        known.update({Decimal(value.year), Decimal(value.month), Decimal(value.day)})
    elif isinstance(value, str):
        if _DATE.fullmatch(value):
            year, month, day = value.split("-")
            known.update({Decimal(year), Decimal(int(month)), Decimal(int(day))})
        else:
            known.update(n for n, _ in numbers_in(value))
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, known)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, known)
