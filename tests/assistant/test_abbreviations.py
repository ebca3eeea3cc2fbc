"""Department names shortened by dropping characters, on a gazetteer of made-up teams."""

from __future__ import annotations

import pytest

from assistant.abbreviations import with_abbreviations
from assistant.gazetteer import Entity, Gazetteer
from assistant.normalize import normalize

TEAMS = {
    1: "厦门寿险精英队",
    2: "北京企业内训办事处",
    3: "华东销售一部",
    4: "华东销售二部",
    5: "厦门团险渠道组",
}


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    built = Gazetteer()
    for i, name in TEAMS.items():
        built.departments[i] = Entity(i, name, None, i, "sales")
        built.add(name, "department", str(i))
    built.add("华东", "department", "3")
    built.add("华东", "department", "4")
    built.add("销售额", "metric", "sales")
    built.add("张伟", "employee", "100")
    return built


def _departments(gz: Gazetteer, question: str) -> list[tuple[str, tuple[str, ...]]]:
    text = normalize(question)
    tags = with_abbreviations(text, gz.tag(text), gz)
    return [(t.text, t.values) for t in tags if t.kind == "department"]


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("厦门精英队上个月的中位数", [("厦门精英队", ("1",))]),
        ("北京内训办有多少人", [("北京内训办", ("2",))]),
        ("厦门渠道组的业绩", [("厦门渠道组", ("5",))]),
        # shared by two teams: both are candidates, the planner asks which
        ("华东销售部的业绩", [("华东销售部", ("3", "4"))]),
        # a phrase running past the span is never cut: 华东 + 销售额
        ("华东销售额", [("华东", ("3", "4"))]),
        # too short to say more than the place
        ("厦门队", []),
        # a person's name is never swallowed
        ("北京张伟的业绩", []),
        # a full name is the gazetteer's own
        ("厦门寿险精英队", [("厦门寿险精英队", ("1",))]),
    ],
)
def test_abbreviations(
    gz: Gazetteer, question: str, found: list[tuple[str, tuple[str, ...]]]
) -> None:
    assert _departments(gz, question) == found
