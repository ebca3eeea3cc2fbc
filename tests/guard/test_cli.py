"""``hrq sql`` and ``hrq users`` through typer's CliRunner on the org warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from schema.settings import get_settings

runner = CliRunner()


@pytest.fixture
def env(duck_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", duck_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run_json(*args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["sql", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_operator_sees_everything(env: None) -> None:
    code, payload = run_json("SELECT count(*) AS n FROM employees")
    assert code == 0
    assert payload["kind"] == "rows" and payload["rows"] == [[15]] and payload["scopes"] == []


def test_user_is_scoped(env: None) -> None:
    code, payload = run_json(
        "SELECT employee_id, phone FROM employees ORDER BY 1", "--user", "E006"
    )
    assert code == 0
    assert payload["rows"] == [[6, "13800000006"], [7, None]]
    assert payload["scopes"][0].startswith("employees: rows of departments 6")


def test_refusal_is_json_with_reason_and_exit_1(env: None) -> None:
    code, payload = run_json("SELECT * FROM payroll", "--user", "E003")
    assert code == 1
    assert payload == {
        "kind": "error",
        "reason": "denied_payroll",
        "message": "payroll is visible to HR only; managers see no payroll rows, not even their own (ask HR for your own)",
    }


def test_refusal_without_json_goes_to_stderr(env: None) -> None:
    result = runner.invoke(app, ["sql", "DELETE FROM employees"])
    assert result.exit_code == 1
    assert "not_read_only" in result.stderr


def test_table_output(env: None) -> None:
    result = runner.invoke(app, ["sql", "SELECT name FROM employees WHERE employee_id = 4"])
    assert result.exit_code == 0
    assert "员工04" in result.stdout and "1 row(s)" in result.stdout


def test_unknown_user_is_exit_2(env: None) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "--user", "E999"])
    assert result.exit_code == 2
    assert "no employee with number 'E999'" in result.stderr


def test_grant_overrides_the_default_role(env: None) -> None:
    shown = runner.invoke(app, ["users", "show", "E014"])
    assert shown.exit_code == 0 and "role employee" in shown.stdout
    granted = runner.invoke(app, ["users", "grant", "E014", "hr"])
    assert granted.exit_code == 0 and "E014 is now hr" in granted.stdout
    assert "role hr" in runner.invoke(app, ["users", "show", "E014"]).stdout
    code, payload = run_json("SELECT count(*) FROM payroll", "--user", "E014")
    assert code == 0 and payload["rows"] == [[45]]


def test_revoke_restores_the_warehouse_role_and_list_shows_grants(env: None) -> None:
    assert runner.invoke(app, ["users", "list"]).stdout.strip() == "no granted roles"
    assert runner.invoke(app, ["users", "grant", "E014", "hr"]).exit_code == 0
    assert runner.invoke(app, ["users", "grant", "E004", "manager"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and listed.stdout.splitlines() == ["E004\tmanager", "E014\thr"]
    revoked = runner.invoke(app, ["users", "revoke", "E014"])
    assert revoked.exit_code == 0
    assert "E014: grant of hr removed; role now employee" in revoked.stdout
    assert "role employee" in runner.invoke(app, ["users", "show", "E014"]).stdout
    code, payload = run_json("SELECT count(*) FROM payroll", "--user", "E014")
    assert code == 0 and payload["rows"] == [[3]]  # their own payroll rows only, again
    again = runner.invoke(app, ["users", "revoke", "E014"])
    assert again.exit_code == 2 and "E014 has no granted role" in again.stderr
    assert runner.invoke(app, ["users", "list"]).stdout.splitlines() == ["E004\tmanager"]


def test_grant_rejects_unknown_role_and_employee(env: None) -> None:
    bad_role = runner.invoke(app, ["users", "grant", "E014", "boss"])
    assert bad_role.exit_code == 2 and "unknown role 'boss'" in bad_role.stderr
    bad_employee = runner.invoke(app, ["users", "grant", "E999", "hr"])
    assert bad_employee.exit_code == 2
