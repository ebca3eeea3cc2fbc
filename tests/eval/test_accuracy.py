"""The planner answers the development and held-out sets: execution accuracy, and how
often it answers wrongly.

Each set has a floor (right answers) and a ceiling (wrong answers: answered, but not the
gold). A wrong answer is worse than a clarification: since the planner only answers what
its plan accounts for (``assistant.accounting``), several floors were lowered by one to
three points when confident wrong answers became clarifications. The eighth and ninth
sets were written blind and first measured at 70.6 % / 75.0 % right with 19.9 % / 17.5 %
wrong; the numbers below were measured after the changes they prompted, so they are
regression guards, not evidence of generalisation (see README "Accuracy").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.ask import Assistant
from assistant.evaluate import EvalReport, Harness, load_cases
from schema.db import warehouse_engine
from schema.settings import Settings
from tests.eval.heldout_sets import HELD_OUT_SETS


@dataclass(frozen=True)
class Bar:
    """What one question set must reach: right answers at least, wrong answers at most."""

    right: float
    wrong: float


DEVSET_BAR = Bar(right=0.98, wrong=0.005)
#: held-out set key -> its bar
BARS: dict[str, Bar] = {
    "holdout": Bar(0.95, 0.02),
    "org2": Bar(0.96, 0.01),
    "org3": Bar(0.96, 0.01),
    "org4": Bar(0.95, 0.03),
    "org5": Bar(0.94, 0.03),
    "org6": Bar(0.93, 0.02),
    "org7": Bar(0.95, 0.01),
    "org8": Bar(0.85, 0.02),
    "org9": Bar(0.82, 0.02),
    "org10": Bar(0.80, 0.045),
    "org11": Bar(0.85, 0.01),
    "org12": Bar(0.81, 0.035),
    "org13": Bar(0.89, 0.025),
    "org14": Bar(0.95, 0.025),
    "org15": Bar(0.94, 0.01),
    "org16": Bar(0.90, 0.025),
    "org17": Bar(0.92, 0.01),
}


def _run(url: str, questions: Path | None) -> EvalReport:
    assistant = Assistant.from_settings(Settings(warehouse_url=url), app_state=False)
    gold = warehouse_engine(url, read_only=True)
    try:
        return Harness(assistant, gold).run(load_cases(questions))
    finally:
        assistant.warehouse.dispose()
        gold.dispose()


def _check(report: EvalReport, bar: Bar, name: str) -> None:
    failures = "\n".join(
        f"{f.outcome} {f.id}: {f.question} -> {f.got}: {f.detail[:160]}" for f in report.failures
    )
    assert report.accuracy >= bar.right, f"{name}: right {report.accuracy:.1%}\n{failures}"
    assert report.wrong_rate <= bar.wrong, f"{name}: wrong {report.wrong_rate:.1%}\n{failures}"


@pytest.fixture(scope="module")
def report(demo_warehouse_url: str) -> EvalReport:
    return _run(demo_warehouse_url, None)


def test_accuracy_on_the_development_set(report: EvalReport) -> None:
    _check(report, DEVSET_BAR, "devset")


def test_every_family_is_mostly_answered(report: EvalReport) -> None:
    weak = {f: (p, t) for f, (p, t) in report.by_family.items() if t >= 3 and p / t < 0.3}
    assert len(weak) <= 3, weak


def test_planner_never_answers_a_refusal_case_with_data(report: EvalReport) -> None:
    leaks = [r for r in report.results if r.expected == "refusal" and r.got == "answer"
             and not r.family.startswith("refuse.permission")]  # fmt: skip
    assert not leaks, leaks


def test_every_held_out_set_has_a_bar() -> None:
    assert set(BARS) == {s.key for s in HELD_OUT_SETS}


@pytest.mark.parametrize("held_out", HELD_OUT_SETS, ids=lambda s: s.key)
def test_accuracy_on_the_held_out_sets(tmp_path: Path, held_out) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{held_out.key}.duckdb"
    build: Callable[[Path], None] = held_out.build
    build(path)
    _check(_run(f"duckdb:///{path}", held_out.path), BARS[held_out.key], held_out.key)
