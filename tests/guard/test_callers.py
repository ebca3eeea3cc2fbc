"""Resolving callers from the warehouse, and role overrides in the app database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.callers import grant_role, granted_role, resolve_caller, subtree
from assistant.errors import CallerError
from schema.caller import Role
from schema.db import app_engine


@pytest.mark.parametrize(
    ("number", "role", "departments"),
    [
        ("E003", Role.MANAGER, {4, 6}),
        ("E006", Role.MANAGER, {6}),
        ("E002", Role.MANAGER, {2, 4, 5, 6}),
        ("E004", Role.SALES, {4, 6}),
        ("E013", Role.HR, {8}),
        ("E012", Role.HR, {8}),
        ("E014", Role.EMPLOYEE, {9}),
    ],
)
def test_default_roles(number: str, role: Role, departments: set[int], duck_engine: Engine) -> None:
    caller = resolve_caller(number, warehouse=duck_engine)
    assert (caller.role, set(caller.department_ids)) == (role, departments)
    assert caller.employee_no == number and caller.employee_id == int(number[1:])


def test_unknown_and_inactive(duck_engine: Engine) -> None:
    with pytest.raises(CallerError, match="no employee with number 'E999'"):
        resolve_caller("E999", warehouse=duck_engine)
    with pytest.raises(CallerError) as info:
        resolve_caller("E015", warehouse=duck_engine)
    assert info.value.reason == "inactive_employee"


def test_grant_overrides(duck_engine: Engine, tmp_path: Path) -> None:
    app = app_engine(f"sqlite:///{tmp_path / 'app.db'}")
    assert granted_role(app, "E004") is None
    grant_role(app, "E004", "manager")
    grant_role(app, "E004", Role.HR)
    assert granted_role(app, "E004") is Role.HR
    assert resolve_caller("E004", warehouse=duck_engine, app=app).role is Role.HR
    with pytest.raises(CallerError):
        grant_role(app, "E004", "boss")


def test_subtree() -> None:
    edges = [(1, None), (2, 1), (3, 2), (4, 1), (5, 3)]
    assert subtree(2, edges) == {2, 3, 5}
    assert subtree(5, edges) == {5}
