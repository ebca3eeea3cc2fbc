"""The planner answers the development and held-out sets: execution accuracy.

Issue target: 95 % on the development set. The floors are the accuracies
measured when this test was last tightened; they only ever go up. The held-out
set (another seed, end date and wording) guards against tuning to the devset.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.ask import Assistant
from assistant.evaluate import Harness, load_cases
from schema.db import warehouse_engine
from schema.demodata import generate
from schema.settings import Settings
from tests.eval.org2 import build_org2
from tests.eval.org3 import build_org3
from tests.eval.org4 import build_org4
from tests.eval.org5 import build_org5
from tests.eval.org6 import build_org6
from tests.eval.org7 import build_org7

ACCURACY_FLOOR = 0.99
HOLDOUT_FLOOR = 0.97
HOLDOUT = Path(__file__).with_name("holdout.yaml")
#: The second held-out set runs on another organisation's warehouse (tests/eval/org2.py).
OTHER_ORG_FLOOR = 0.96
OTHER_ORG = Path(__file__).with_name("holdout2.yaml")
#: The third set runs on a third organisation's warehouse (tests/eval/org3.py).
THIRD_ORG_FLOOR = 0.98
THIRD_ORG = Path(__file__).with_name("holdout3.yaml")
#: The fourth set runs on a fourth organisation's warehouse (tests/eval/org4.py).
FOURTH_ORG_FLOOR = 0.94
FOURTH_ORG = Path(__file__).with_name("holdout4.yaml")
#: The fifth set runs on a fifth organisation's warehouse (tests/eval/org5.py); 83.1 % at
#: its first measurement, before the fixes it prompted.
FIFTH_ORG_FLOOR = 0.95
FIFTH_ORG = Path(__file__).with_name("holdout5.yaml")
#: The sixth set runs on a sixth organisation's warehouse (tests/eval/org6.py); 86.8 % at
#: its first measurement.
SIXTH_ORG_FLOOR = 0.95
SIXTH_ORG = Path(__file__).with_name("holdout6.yaml")
#: The seventh set runs on a seventh organisation's warehouse (tests/eval/org7.py); 91.1 % at
#: its first measurement.
SEVENTH_ORG_FLOOR = 0.95
SEVENTH_ORG = Path(__file__).with_name("holdout7.yaml")


@pytest.fixture(scope="module")
def report(demo_warehouse_url: str):  # type: ignore[no-untyped-def]
    settings = Settings(warehouse_url=demo_warehouse_url, app_db_url="sqlite:///:memory:")
    assistant = Assistant.from_settings(settings, app_state=False)
    gold = warehouse_engine(demo_warehouse_url, read_only=True)
    try:
        return Harness(assistant, gold).run(load_cases())
    finally:
        assistant.warehouse.dispose()
        gold.dispose()


def test_accuracy_on_the_development_set(report) -> None:  # type: ignore[no-untyped-def]
    failures = "\n".join(
        f"{f.id}: {f.question} -> {f.got}: {f.detail[:160]}" for f in report.failures
    )
    assert report.accuracy >= ACCURACY_FLOOR, f"accuracy {report.accuracy:.1%}\n{failures}"


def test_every_family_is_mostly_answered(report) -> None:  # type: ignore[no-untyped-def]
    weak = {f: (p, t) for f, (p, t) in report.by_family.items() if t >= 3 and p / t < 0.3}
    assert len(weak) <= 3, weak


def test_planner_never_answers_a_refusal_case_with_data(report) -> None:  # type: ignore[no-untyped-def]
    leaks = [r for r in report.results if r.expected == "refusal" and r.got == "answer"
             and not r.family.startswith("refuse.permission")]  # fmt: skip
    assert not leaks, leaks


def test_accuracy_on_the_held_out_set(tmp_path_factory: pytest.TempPathFactory) -> None:
    url = f"duckdb:///{tmp_path_factory.mktemp('holdout') / 'holdout.duckdb'}"
    generate(url, seed=23, end_date=date(2026, 10, 20), scale="small")
    assistant = Assistant.from_settings(Settings(warehouse_url=url), app_state=False)
    gold = warehouse_engine(url, read_only=True)
    try:
        result = Harness(assistant, gold).run(load_cases(HOLDOUT))
    finally:
        assistant.warehouse.dispose()
        gold.dispose()
    failures = "\n".join(
        f"{f.id}: {f.question} -> {f.got}: {f.detail[:160]}" for f in result.failures
    )
    assert result.accuracy >= HOLDOUT_FLOOR, f"held-out accuracy {result.accuracy:.1%}\n{failures}"


def _accuracy_on(build, path: Path, questions: Path):  # type: ignore[no-untyped-def]
    build(path)
    url = f"duckdb:///{path}"
    assistant = Assistant.from_settings(Settings(warehouse_url=url), app_state=False)
    gold = warehouse_engine(url, read_only=True)
    try:
        return Harness(assistant, gold).run(load_cases(questions))
    finally:
        assistant.warehouse.dispose()
        gold.dispose()


@pytest.mark.parametrize(
    ("build", "questions", "floor"),
    [
        (build_org2, OTHER_ORG, OTHER_ORG_FLOOR),
        (build_org3, THIRD_ORG, THIRD_ORG_FLOOR),
        (build_org4, FOURTH_ORG, FOURTH_ORG_FLOOR),
        (build_org5, FIFTH_ORG, FIFTH_ORG_FLOOR),
        (build_org6, SIXTH_ORG, SIXTH_ORG_FLOOR),
        (build_org7, SEVENTH_ORG, SEVENTH_ORG_FLOOR),
    ],
    ids=["yunfan", "hengxing", "vista", "xianhe", "lutong", "yuefu"],
)
def test_accuracy_on_other_organisations(
    tmp_path: Path,
    build,
    questions: Path,
    floor: float,  # type: ignore[no-untyped-def]
) -> None:
    result = _accuracy_on(build, tmp_path / "org.duckdb", questions)
    failures = "\n".join(
        f"{f.id}: {f.question} -> {f.got}: {f.detail[:160]}" for f in result.failures
    )
    assert result.accuracy >= floor, f"{questions.name}: accuracy {result.accuracy:.1%}\n{failures}"
