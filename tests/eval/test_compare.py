"""The harness's result comparison (execution accuracy), table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answer import Answer
from assistant.evaluate import compare


def _answer(rows: list[list[object]]) -> Answer:
    return Answer(question="q", answer="", as_of=date(2026, 1, 1), rows=rows)


GOLD = [("A", 6), ("B", 5), ("C", 5)]


@pytest.mark.parametrize(
    ("rows", "ordered", "ok"),
    [
        ([["A", 6], ["B", 5], ["C", 5]], True, True),  # exact
        ([["A", 6], ["C", 5], ["B", 5]], True, True),  # a tie in either order
        ([["C", 5], ["A", 6], ["B", 5]], True, False),  # not ranked
        ([["C", 5], ["A", 6], ["B", 5]], False, True),  # order does not matter
        ([["A", 6.004], ["B", 5], ["C", 5]], False, True),  # within 0.01
        ([["A", 6.02], ["B", 5], ["C", 5]], False, False),  # beyond 0.01
        ([["A", 6, "extra"], ["B", 5, "x"], ["C", 5, "y"]], False, True),  # extra columns allowed
        ([["A", 6], ["B", 5]], False, False),  # a row missing
        ([["A", 6], ["B", 5], ["X", 5]], False, False),  # another person
    ],
)
def test_compare(rows: list[list[object]], ordered: bool, ok: bool) -> None:
    assert (compare(GOLD, _answer(rows), ordered) == "") is ok
