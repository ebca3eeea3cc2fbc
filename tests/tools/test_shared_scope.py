"""A group chat's scope: exactly what every member may see (tools.scope.shared_scope)."""

from __future__ import annotations

import pytest

from schema.caller import Caller, Role
from tools.scope import ROOM_NAME, shared_scope, visible_department

# A department tree: 1 (region) > 2 (sales team A), 3 (sales team B); 4 elsewhere.
REGION = frozenset({1, 2, 3})
HR = Caller(Role.HR, employee_id=100, department_id=9, department_ids=frozenset({9}))
ADMIN = Caller(Role.ADMIN, employee_id=101)
REGIONAL = Caller(Role.MANAGER, employee_id=10, department_id=1, department_ids=REGION)
LEAD_A = Caller(Role.MANAGER, employee_id=11, department_id=2, department_ids=frozenset({2}))
LEAD_B = Caller(Role.MANAGER, employee_id=12, department_id=3, department_ids=frozenset({3}))
REP_A1 = Caller(Role.SALES, employee_id=21, department_id=2, department_ids=frozenset({2}))
REP_A2 = Caller(Role.SALES, employee_id=22, department_id=2, department_ids=frozenset({2}))
REP_B = Caller(Role.SALES, employee_id=23, department_id=3, department_ids=frozenset({3}))
CLERK = Caller(Role.EMPLOYEE, employee_id=30, department_id=4, department_ids=frozenset({4}))

NOBODY = (Role.EMPLOYEE, None, frozenset())


def _shape(caller: Caller) -> tuple[Role, int | None, frozenset[int]]:
    return caller.role, caller.department_id, caller.department_ids


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([HR, ADMIN], (Role.HR, None, frozenset())),
        ([REGIONAL, LEAD_A], (Role.MANAGER, 2, frozenset({2}))),
        ([REGIONAL, HR], (Role.MANAGER, 1, REGION)),
        ([LEAD_A, LEAD_B], NOBODY),  # two teams: no department both see
        ([LEAD_A, REP_A1, REP_A2], (Role.SALES, 2, frozenset({2}))),  # the group
        ([REGIONAL, REP_A1, HR], (Role.SALES, 2, frozenset({2}))),
        ([LEAD_B, REP_A1], NOBODY),  # the manager does not see the rep's department
        ([REP_A1, REP_B], NOBODY),
        ([LEAD_A, REP_A1, CLERK], NOBODY),
        ([], NOBODY),
    ],
)
def test_the_room_sees_the_intersection(
    members: list[Caller], expected: tuple[object, ...]
) -> None:
    room = shared_scope(members)
    assert _shape(room) == expected
    assert room.employee_id == -1 and room.name == ROOM_NAME  # nobody's own rows


def test_one_person_is_themselves() -> None:
    assert shared_scope([REP_A1, REP_A1]) is REP_A1


def test_the_room_sees_no_more_of_any_department_than_each_member() -> None:
    rank = {"none": 0, "leaderboard": 1, "all": 2}
    groups = [[LEAD_A, REP_A1, REP_A2], [REGIONAL, LEAD_A], [REGIONAL, REP_B], [HR, REP_B]]
    for members in groups:
        room = shared_scope(members)
        for department in (1, 2, 3, 4):
            seen = rank[visible_department(room, department)]
            assert all(seen <= rank[visible_department(m, department)] for m in members)
