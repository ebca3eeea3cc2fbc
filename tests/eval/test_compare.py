"""The harness's result comparison (execution accuracy), table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answer import Answer
from assistant.evaluate import CaseResult, compare, summarize


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


def _result(case_id: str, family: str, expected: str, got: str, passed: bool) -> CaseResult:
    return CaseResult(
        id=case_id, family=family, question="q", passed=passed, expected=expected, got=got
    )


def test_wrong_answers_are_counted_apart_from_clarifications_and_refusals() -> None:
    report = summarize(
        [
            _result("a", "sales.total", "answer", "answer", True),
            _result("b", "sales.total", "answer", "answer", False),  # a wrong figure
            _result("c", "sales.total", "answer", "clarification", False),
            _result("d", "clarify.person", "clarification", "answer", False),  # should have asked
            _result("e", "refuse.write", "refusal", "refusal", True),
            _result("f", "refuse.write", "refusal", "error", False),
        ]
    )
    assert (report.total, report.passed, report.wrong, report.clarified) == (6, 2, 2, 1)
    assert report.wrong_rate == 2 / 6
    assert report.outcomes_by_family == {
        "clarify.person": {"right": 0, "wrong": 1, "clarified": 0, "declined": 0},
        "refuse.write": {"right": 1, "wrong": 0, "clarified": 0, "declined": 1},
        "sales.total": {"right": 1, "wrong": 1, "clarified": 1, "declined": 0},
    }
