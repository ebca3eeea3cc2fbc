"""Resolving a department from what a person types."""

from __future__ import annotations

import pytest

from tools.departments import Department, resolve_department, subtree_ids
from tools.errors import AmbiguousDepartmentError, UnknownDepartmentError

DEPTS = [
    Department(department_id=1, name="总公司", name_en="Head Office", kind="company"),
    Department(department_id=2, name="华东大区", name_en="East China", parent_id=1, kind="region"),
    Department(
        department_id=3,
        name="华东销售一部",
        name_en="East China Sales 1",
        parent_id=2,
        kind="sales",
    ),
    Department(
        department_id=4,
        name="华东销售二部",
        name_en="East China Sales 2",
        parent_id=2,
        kind="sales",
    ),
    Department(
        department_id=5, name="华南销售部", name_en="South China Sales", parent_id=1, kind="sales"
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("华东销售一部", 3),
        ("east china sales 2", 4),
        ("4", 4),
        (5, 5),
        ("华南", 5),  # unique substring
        ("华东一部", 3),  # characters in order
        ("South", 5),
        ("East China", 2),  # exact English name wins over longer names containing it
        ("  华东大区 ", 2),
    ],
)
def test_resolves(text: str | int, expected: int) -> None:
    assert resolve_department(DEPTS, text).department_id == expected


def test_ambiguous_lists_candidates() -> None:
    with pytest.raises(AmbiguousDepartmentError) as info:
        resolve_department(DEPTS, "华东销售")
    assert "华东销售一部 (East China Sales 1, id 3)" in str(info.value)
    assert info.value.candidates == [
        "华东销售一部 (East China Sales 1, id 3)",
        "华东销售二部 (East China Sales 2, id 4)",
    ]


def test_unknown_lists_candidates_of_the_kind() -> None:
    with pytest.raises(UnknownDepartmentError, match="no department matches '西北'") as info:
        resolve_department(DEPTS, "西北", kinds={"sales"})
    assert [c.split(" ")[0] for c in info.value.candidates] == [
        "华东销售一部",
        "华东销售二部",
        "华南销售部",
    ]


def test_kinds_narrow_the_match() -> None:
    assert resolve_department(DEPTS, "华东", kinds={"region"}).department_id == 2
    with pytest.raises(AmbiguousDepartmentError):
        resolve_department(DEPTS, "华东")


def test_subtree() -> None:
    assert subtree_ids(DEPTS, 2) == {2, 3, 4}
    assert subtree_ids(DEPTS, 1) == {1, 2, 3, 4, 5}
    assert subtree_ids(DEPTS, 5) == {5}
