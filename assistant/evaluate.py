"""The accuracy harness: run a question set and compare results like execution accuracy.

A case passes when hrq's answer has the expected kind and, for answers, every
column of the gold result matches a different column of hrq's result (extra
columns are allowed), with the same number of rows, in order when the
question ranks and as a multiset otherwise, numbers within 0.01.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, Field

from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.conversations import ConversationStore
from schema.caller import Caller
from schema.db import app_engine
from schema.errors import ConfigError

TOLERANCE = 0.01
DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests" / "eval" / "devset.yaml"


class EvalCase(BaseModel):
    id: str
    family: str
    lang: str
    question: str
    as_of: date
    user: str | None = None
    expect: Literal["answer", "clarification", "refusal"] = "answer"
    ordered: bool = False
    gold_sql: str | None = None
    split: str = "dev"
    empty_ok: bool = False
    #: Earlier questions of the same conversation (same asker and date), asked first and
    #: not graded: the case's own question is a follow-up to them.
    before: list[str] = Field(default_factory=list)


#: What became of one case: right; wrong (answered, not the gold answer, or answered where
#: the gold asks back or refuses); clarified (asked back); declined (refused, or an error).
Outcome = Literal["right", "wrong", "clarified", "declined"]
OUTCOMES: tuple[Outcome, ...] = ("right", "wrong", "clarified", "declined")


class CaseResult(BaseModel):
    id: str
    family: str
    question: str
    passed: bool
    expected: str
    got: str
    detail: str = ""
    latency_ms: float = 0.0

    @property
    def outcome(self) -> Outcome:
        if self.passed:
            return "right"
        if self.got == "answer":
            return "wrong"
        return "clarified" if self.got == "clarification" else "declined"


class EvalReport(BaseModel):
    total: int
    passed: int
    accuracy: float
    #: Answered, but not the gold answer (a wrong figure, the wrong rows): the worst outcome,
    #: counted apart from clarifications and refusals.
    wrong: int = 0
    wrong_rate: float = 0.0
    clarified: int = 0
    by_family: dict[str, tuple[int, int]] = Field(default_factory=dict)
    #: family -> outcome -> number of cases
    outcomes_by_family: dict[str, dict[str, int]] = Field(default_factory=dict)
    failures: list[CaseResult] = Field(default_factory=list)
    results: list[CaseResult] = Field(default_factory=list)


def load_cases(path: Path | None = None) -> list[EvalCase]:
    """Read a question set (YAML list of cases)."""
    path = path or DEFAULT_SET
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read question set {path}: {exc.strerror}") from exc
    if not isinstance(raw, list):
        raise ConfigError(f"{path} must be a YAML list of questions")
    return [EvalCase.model_validate(item) for item in raw]


def _cell(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int | float):
        return float(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= TOLERANCE
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b) if a is not None and b is not None else a == b
    return a == b


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, float | bool):
        return (1, float(value))
    return (2, str(value))


def _column_matches(gold: list[Any], got: list[Any], ordered: bool) -> bool:
    if not ordered:
        gold, got = sorted(gold, key=_sort_key), sorted(got, key=_sort_key)
    return all(_equal(a, b) for a, b in zip(gold, got, strict=True))


def compare(gold_rows: list[tuple[Any, ...]], answer: Answer, ordered: bool) -> str:
    """'' when the answer's table matches the gold result, else why not."""
    gold = [[_cell(v) for v in row] for row in gold_rows]
    got = [[_cell(v) for v in row] for row in answer.rows]
    if len(gold) != len(got):
        return f"{len(got)} rows, expected {len(gold)}"
    if not gold:
        return ""
    gold_cols = [list(c) for c in zip(*gold, strict=True)]
    got_cols = [list(c) for c in zip(*got, strict=True)] if got and got[0] else []
    if not ordered:
        return "" if _match_columns(gold_cols, got_cols, ordered=False) else _NO_MATCH
    if _match_columns(gold_cols, got_cols, ordered=True):
        return ""
    # Rows tied on the ranked figure may come in either order: the same rows, ranked by the
    # answer's column that matches the gold's figure, are a right ranking too.
    if not _match_columns(gold_cols, got_cols, ordered=False):
        return _NO_MATCH
    figure = gold_cols[-1]
    if not any(_monotonic(c) and _column_matches(figure, c, False) for c in got_cols):
        return "the rows are not ranked by the figure"
    return ""


_NO_MATCH = "a gold column has no matching column in the answer"


def _match_columns(gold_cols: list[list[Any]], got_cols: list[list[Any]], *, ordered: bool) -> bool:
    """Whether every gold column matches a different column of the answer."""
    used: set[int] = set()
    for column in gold_cols:
        match = next(
            (
                j
                for j, cand in enumerate(got_cols)
                if j not in used and _column_matches(column, cand, ordered)
            ),
            None,
        )
        if match is None:
            return False
        used.add(match)
    return True


def _monotonic(values: list[Any]) -> bool:
    """Numbers in ascending or descending order."""
    if not all(isinstance(v, float) for v in values):
        return False
    pairs = list(zip(values, values[1:], strict=False))
    return all(a >= b for a, b in pairs) or all(a <= b for a, b in pairs)


@dataclass
class Harness:
    """Runs cases through one assistant; gold SQL runs on ``gold_engine`` (read-only)."""

    assistant: Assistant
    gold_engine: sa.Engine
    progress: Callable[[int, int], None] | None = None
    _callers: dict[str, Caller] = field(default_factory=dict)
    _with_turns: Assistant | None = None

    def caller(self, user: str | None) -> Caller:
        if user is None:
            return Caller.operator()
        if user not in self._callers:
            self._callers[user] = resolve_caller(user, warehouse=self.assistant.warehouse)
        return self._callers[user]

    def run_case(self, case: EvalCase) -> CaseResult:
        started = time.perf_counter()
        caller = self.caller(case.user)
        conversation_id = None
        for earlier in case.before:
            conversation_id = (
                self._conversations()
                .ask(
                    earlier,
                    caller,
                    as_of=case.as_of,
                    conversation_id=conversation_id,
                    surface="eval",
                )
                .conversation_id
            )
        asker = self._conversations() if case.before else self.assistant
        answer = asker.ask(
            case.question, caller, as_of=case.as_of, conversation_id=conversation_id,
            surface="eval",
        )  # fmt: skip
        latency = (time.perf_counter() - started) * 1000
        result = CaseResult(id=case.id, family=case.family, question=case.question, passed=False,
                            expected=case.expect, got=answer.kind, latency_ms=round(latency, 2))  # fmt: skip
        expected_kind = case.expect
        if answer.kind != expected_kind:
            result.detail = answer.answer[:200]
            return result
        if expected_kind != "answer" or not case.gold_sql:
            result.passed = True
            return result
        with self.gold_engine.connect() as conn:
            gold = [tuple(r) for r in conn.execute(sa.text(case.gold_sql))]
        result.detail = compare(gold, answer, case.ordered)
        result.passed = not result.detail
        if not result.passed:
            result.detail += f" | answer: {answer.answer[:120]} | sql: {(answer.sql or '')[:200]}"
        return result

    def _conversations(self) -> Assistant:
        """The assistant with a conversation store, for follow-ups: the harness's own
        assistant has none, so a copy keeps its turns in an in-memory database."""
        if self._with_turns is None:
            store = self.assistant.conversations or ConversationStore(app_engine("sqlite://"))
            self._with_turns = dataclasses.replace(self.assistant, conversations=store)
        return self._with_turns

    def run(self, cases: Iterable[EvalCase]) -> EvalReport:
        cases = list(cases)
        results = []
        for i, case in enumerate(cases, 1):
            results.append(self.run_case(case))
            if self.progress:
                self.progress(i, len(cases))
        return summarize(results)


def summarize(results: list[CaseResult]) -> EvalReport:
    """Accuracy, wrong answers and clarifications, overall and per family."""
    by_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    outcomes: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for r in results:
        by_family[r.family][1] += 1
        by_family[r.family][0] += int(r.passed)
        outcomes[r.family][r.outcome] += 1
    total = len(results)
    passed = sum(r.passed for r in results)
    wrong = sum(r.outcome == "wrong" for r in results)
    return EvalReport(
        total=total, passed=passed, accuracy=passed / total if total else 0.0,
        wrong=wrong, wrong_rate=wrong / total if total else 0.0,
        clarified=sum(r.outcome == "clarified" for r in results),
        by_family={k: (v[0], v[1]) for k, v in sorted(by_family.items())},
        outcomes_by_family={k: outcomes[k] for k in sorted(outcomes)},
        failures=[r for r in results if not r.passed], results=results,
    )  # fmt: skip


def write_report(report: EvalReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1), encoding="utf-8"
    )
