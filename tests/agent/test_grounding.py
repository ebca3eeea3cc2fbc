"""The grounding check and the pseudonyms, table-driven."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assistant.agent.grounding import known_numbers, ungrounded
from assistant.agent.privacy import Pseudonyms, aggregate, view_for_model

RESULTS = [[["华东销售一部", 1234567.891, 0.9523, "2026-10-01"]], {"sum:amount": 42.0}]


@pytest.mark.parametrize(("text", "missing"), [
    ("华东销售一部业绩 ¥1,234,567.89。", []),
    ("业绩约 123.5 万", ["123.5"]),
    ("目标完成率 95.2 %", []),
    ("目标完成率 96 %", ["96%"]),
    ("2026年10月共 42 天", []),
    ("截至 2026-11-26 共 3 人", ["3"]),
    ("question number 7 is fine", []),
    ("没有数字", []),
])  # fmt: skip
def test_figures_must_come_from_the_results(text: str, missing: list[str]) -> None:
    known = known_numbers(RESULTS, "第7个问题 question 7", date(2026, 11, 26))
    assert ungrounded(text, known) == missing


def test_pseudonyms_mask_people_and_restore_them() -> None:
    names = Pseudonyms(people=frozenset({"张伟", "王芳"}))
    masked = [names.mask_row(["name", "department", "manager"], row)
              for row in (["张伟", "华东", "王芳"], ["王芳", "华南", None])]  # fmt: skip
    assert masked == [["E1", "华东", "E2"], ["E2", "华南", None]]
    assert (
        names.restore("E2 的业绩高于 E1，E12 不存在，E00123 是工号")
        == "王芳 的业绩高于 张伟，E12 不存在，E00123 是工号"
    )


@pytest.mark.parametrize(("spec", "value"), [
    ("sum:days", 7.5), ("avg:days", 2.5), ("min:days", 1.0), ("max:days", 4.0), ("count:type", 3),
    ("count_distinct:type", 2), ("median:days", "error: unknown aggregate 'median'; use one of sum, avg, "
                                 "min, max, count, count_distinct"),
    ("sum:nope", "error: no column 'nope' in the result; columns are type, days"),
    ("sum:type", "error: column 'type' is not numeric"),
])  # fmt: skip
def test_aggregates_over_a_result(spec: str, value: object) -> None:
    rows = [["sick", Decimal("1")], ["annual", Decimal("4")], ["sick", 2.5]]
    assert aggregate(["type", "days"], rows, spec) == value


def test_the_default_view_has_no_rows() -> None:
    view = view_for_model(["name"], [["张伟"]], [], sees_rows=False, pseudonyms=Pseudonyms())
    assert view == {"columns": ["name"], "row_count": 1, "truncated": False,
                    "note": "rows are not shown to the model; hrq composes the answer from them"}  # fmt: skip
