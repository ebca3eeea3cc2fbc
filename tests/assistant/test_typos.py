"""Typing slips: mended only when one vocabulary word fits and the mended question is read
in full, and the answer says what it mended; names and ambiguous slips are asked back.

Each answered case is checked against the same question typed correctly: the plan must be
the one the correct spelling gives, so a mend can never give another figure.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.ask import Assistant
from assistant.typos import _latin_vocabulary, _one_edit_apart
from schema.caller import Caller
from schema.settings import Settings

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


# (typed with a slip, typed correctly, the slip, its mend)
MENDED = [
    ("华东销售一部上个月中位树是多少", "华东销售一部上个月中位数是多少", "中位树", "中位数"),
    ("上个月华东销售一部目标完成律多少", "上个月华东销售一部目标完成率多少", "完成律", "完成率"),
    ("上个月各部门业积", "上个月各部门业绩", "业积", "业绩"),
    ("who beat the medain in 华东销售一部 last month", "who beat the median in 华东销售一部 last month",
     "medain", "median"),
    ("bonus elegible list for 华东销售一部 last month", "bonus eligible list for 华东销售一部 last month",
     "elegible", "eligible"),
    ("sales by department last quater", "sales by department last quarter", "quater", "quarter"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "meant", "wrong", "right"), MENDED)
def test_a_slip_with_one_mend_is_answered_as_the_correct_spelling_and_says_so(
    demo: Assistant, typed: str, meant: str, wrong: str, right: str
) -> None:
    caller = Caller.operator()
    got = demo.ask(typed, caller, as_of=AS_OF)
    expected = demo.ask(meant, caller, as_of=AS_OF)
    assert expected.kind == "answer", expected.answer
    assert got.kind == "answer", got.answer
    assert got.plan == expected.plan
    assert got.rows == expected.rows
    assert got.interpretation is not None and wrong in got.interpretation
    assert right in got.interpretation


@pytest.mark.parametrize(
    "typed",
    [
        "what were the sales of lxx last month",  # no vocabulary word one edit away
        "上个月华东销售一部的中卫",  # a name-like slip with no vocabulary phrase of that sound
    ],
)
def test_a_slip_without_one_mend_is_not_answered(demo: Assistant, typed: str) -> None:
    got = demo.ask(typed, Caller.operator(), as_of=AS_OF)
    assert got.kind in ("clarification", "refusal"), got.answer


def test_names_are_never_mended(demo: Assistant) -> None:
    """A name one letter off is another person, or nobody: names are not in the words a
    slip is mended to, only the semantic model's and the grammar's."""
    demo.gazetteer.add_spelled()  # names spelled in pinyin (zhang wei) are phrases too
    words = _latin_vocabulary(demo.gazetteer)
    assert {"median", "eligible", "quarter", "sales"} <= words
    assert not {"zhang", "wang", "liu"} & words
    got = demo.ask("上个月 zhangg wei 的业绩", Caller.operator(), as_of=AS_OF)
    assert "zhang" not in (got.interpretation or "")


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        ("medain", "median", True),  # two neighbours swapped
        ("elegible", "eligible", True),  # one changed
        ("quater", "quarter", True),  # one dropped
        ("bonuss", "bonus", True),  # one added
        ("whole", "who", False),  # two dropped
        ("median", "median", False),  # the same word is no slip
        ("maiden", "median", False),  # two far apart swapped
    ],
)
def test_one_edit_apart(a: str, b: str, apart: bool) -> None:
    assert _one_edit_apart(a, b) is apart


def test_a_slip_in_a_question_not_read_in_full_is_offered_not_answered(demo: Assistant) -> None:
    """The mend alone does not make the question readable (an unknown word stays): the
    sound-alike phrase is offered as a reading to pick, and nothing is answered."""
    got = demo.ask("华东销售一部上个月中位树是多少呜呼", Caller.operator(), as_of=AS_OF)
    assert got.kind == "clarification", got.answer
    assert "「中位数」" in got.answer
    assert any("中位数" in option for option in got.options)
