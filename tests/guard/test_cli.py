"""``hrq sql`` and ``hrq users`` through typer's CliRunner on the org warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from api.cli import app
from assistant.audit import AuditLog
from schema.db import app_engine
from schema.settings import get_settings
from tests.api.conftest import ALICE, make_answer

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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def audited_env(
    request: pytest.FixtureRequest, env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The CLI's app database (the audit log's) on SQLite, and on PostgreSQL when available."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("HRQ_APP_DB_URL", url)
        get_settings.cache_clear()
    return url


def test_every_statement_is_audited_run_refused_or_failed(audited_env: str) -> None:
    ran = runner.invoke(app, ["sql", "SELECT employee_id FROM employees", "--user", "E006"])
    refused = runner.invoke(app, ["sql", "SELECT * FROM payroll", "--user", "E003", "--json"])
    failed = runner.invoke(app, ["sql", "SELECT CAST(name AS INTEGER) AS n FROM employees"])
    assert (ran.exit_code, refused.exit_code, failed.exit_code) == (0, 1, 1), failed.output
    engine = app_engine(audited_env)
    records = AuditLog(engine).tail(10)
    engine.dispose()
    assert [(r.surface, r.path, r.employee_no, r.kind, r.reason) for r in records] == [
        ("cli-sql", "sql", "E006", "answer", None),
        ("cli-sql", "sql", "E003", "refusal", "denied_payroll"),
        ("cli-sql", "sql", None, "error", "query_failed"),
    ]
    first, second, third = records
    assert first.question == first.sql_written == "SELECT employee_id FROM employees"
    assert first.row_count == 2 and "LIMIT" in (first.sql_guarded or "")
    assert first.role == "manager" and json.loads(first.scopes)[0].startswith("employees: rows")
    assert second.sql_written == "SELECT * FROM payroll" and second.sql_guarded is None
    assert third.role == "admin" and third.sql_guarded is not None and third.row_count == 0
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0 and verified.stdout.startswith("audit log intact: 3 records")


def test_hrq_sql_refuses_to_run_when_it_cannot_audit(
    env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyed audit log and no key: nothing runs unrecorded."""
    engine = app_engine(f"sqlite:///{tmp_path / 'app.db'}")
    AuditLog(engine, hmac_key=SecretStr("k" * 32)).record(make_answer(), ALICE, "cli")
    result = runner.invoke(app, ["sql", "SELECT employee_id FROM employees"])
    assert result.exit_code == 2 and "HRQ_AUDIT_HMAC_KEY" in result.output
    assert "employee_id" not in result.stdout
    monkeypatch.setenv("HRQ_AUDIT_HMAC_KEY", "k" * 32)
    get_settings.cache_clear()
    assert runner.invoke(app, ["sql", "SELECT employee_id FROM employees"]).exit_code == 0
    assert AuditLog(engine, hmac_key=SecretStr("k" * 32)).verify().ok
