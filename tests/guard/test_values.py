"""Every value type the warehouse returns has one JSON form (``schema/jsonvalue.py``), on DuckDB
and PostgreSQL, through the executor and through ``hrq sql --json``.

Each case is a DuckDB SQL expression (the guard reads it; PostgreSQL gets it transpiled),
the JSON form expected and the notes it needs. JSON output is parsed with ``NaN`` and
``Infinity`` refused, as a strict JSON reader would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from api.cli import app
from assistant.execute import Executor
from assistant.guard import Catalog, guard
from schema.caller import Caller
from schema.jsonvalue import NOTES, encoded_size, iso_duration, json_rows, json_value
from schema.settings import get_settings

DUCK = Catalog.from_contract("duckdb")
PG = Catalog.from_contract("postgres")
BOTH = ("duckdb", "postgres")


def instant(text: str) -> Callable[[Any], bool]:
    """A timestamp with time zone is the same instant whatever the session's time zone."""
    return lambda form: datetime.fromisoformat(form) == datetime.fromisoformat(text)


@dataclass(frozen=True)
class Case:
    name: str
    sql: str
    #: The JSON form, or a check of it.
    form: Any
    notes: frozenset[str] = frozenset()
    backends: tuple[str, ...] = BOTH


NAN = frozenset({"non_finite"})
# fmt: off
CASES = [
    Case("blob", "CAST('\\xFF' AS BLOB)", "/w==", frozenset({"bytes"})),
    Case("nan", "CAST('nan' AS DOUBLE)", None, NAN),
    Case("minus_infinity", "CAST('-inf' AS DOUBLE)", None, NAN),
    Case("overflow", "CAST('1e308' AS DOUBLE) * 10", None, NAN, ("duckdb",)),
    Case("real", "CAST(1.5 AS REAL)", 1.5),
    Case("decimal", "CAST('12345.67' AS DECIMAL(18, 2))", 12345.67),
    Case("decimal_integral", "CAST('12345' AS DECIMAL(18, 0))", 12345),
    Case("decimal_wide", "CAST('12345678901234567890.123' AS DECIMAL(38, 3))",
         "12345678901234567890.123", frozenset({"decimal_text"})),
    Case("numeric_nan", "CAST('NaN' AS NUMERIC)", None, NAN, ("postgres",)),
    Case("numeric_huge", "CAST('170141183460469231731687303715884105727' AS NUMERIC(39, 0))",
         "170141183460469231731687303715884105727", frozenset({"big_int"}), ("postgres",)),
    Case("hugeint", "CAST('170141183460469231731687303715884105727' AS HUGEINT)",
         "170141183460469231731687303715884105727", frozenset({"big_int"}), ("duckdb",)),
    Case("bigint_unsafe", "CAST(9007199254740993 AS BIGINT)", "9007199254740993",
         frozenset({"big_int"})),
    Case("bigint_safe", "CAST(9007199254740991 AS BIGINT)", 9007199254740991),
    Case("bool", "TRUE", True),
    Case("null", "NULL", None),
    Case("text", "'中文 \"quoted\" \\ back'", '中文 "quoted" \\ back'),
    Case("date", "DATE '2026-11-26'", "2026-11-26"),
    Case("date_infinity", "CAST('infinity' AS DATE)", "9999-12-31"),
    Case("time", "TIME '09:30:00.25'", "09:30:00.250000"),
    Case("time_tz", "CAST('09:30:00+08' AS TIMETZ)", "09:30:00+08:00"),
    Case("timestamp", "TIMESTAMP '2026-11-26 09:30:00'", "2026-11-26T09:30:00"),
    Case("timestamp_infinity", "CAST('infinity' AS TIMESTAMP)", "9999-12-31T23:59:59.999999"),
    Case("timestamp_tz", "CAST('2026-11-26 09:30:00+08' AS TIMESTAMPTZ)",
         instant("2026-11-26T01:30:00+00:00")),
    Case("interval", "INTERVAL '1 day 2 hours'", "P1DT2H"),
    Case("interval_negative", "CAST('-90 minutes' AS INTERVAL)", "-PT1H30M"),
    Case("interval_month", "INTERVAL '1 month'", "P30D"),
    Case("uuid", "CAST('7ddbd656-0f71-4bd0-833c-4683a44cfaa6' AS UUID)",
         "7ddbd656-0f71-4bd0-833c-4683a44cfaa6"),
    Case("list", "[1, 2, 3]", [1, 2, 3]),
    Case("list_with_nan", "[CAST('nan' AS DOUBLE), 1.5]", [None, 1.5], NAN),
    Case("struct", "{'a': 1, 'b': 'x'}", {"a": 1, "b": "x"}, backends=("duckdb",)),
    Case("json", "CAST('{\"a\": [1, 2.5]}' AS JSON)", {"a": [1, 2.5]}),
    Case("inet", "CAST('192.168.0.1' AS INET)", "192.168.0.1", backends=("postgres",)),
]
# fmt: on


def cases_for(backend: str) -> list[Case]:
    return [c for c in CASES if backend in c.backends]


def strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def assert_form(case: Case, form: Any) -> None:
    if callable(case.form):
        assert case.form(form), f"{case.name}: {form!r}"
    else:
        assert form == case.form and type(form) is type(case.form), f"{case.name}: {form!r}"


def run_case(case: Case, executor: Executor, catalog: Catalog) -> None:
    guarded = guard(f"SELECT {case.sql} AS v", Caller.operator(), catalog, read="duckdb")
    converted = executor.execute(guarded).json_rows()
    assert len(converted.rows) == 1
    assert_form(case, strict_json(json.dumps(converted.rows[0][0], allow_nan=False)))
    assert converted.notes == [NOTES[k] for k in sorted(case.notes)], case.name


@pytest.mark.parametrize("case", cases_for("duckdb"), ids=lambda c: c.name)
def test_each_value_type_on_duckdb(case: Case, duck_executor: Executor) -> None:
    run_case(case, duck_executor, DUCK)


@pytest.mark.postgres
@pytest.mark.parametrize("case", cases_for("postgres"), ids=lambda c: c.name)
def test_each_value_type_on_postgres(case: Case, pg_executor: Executor) -> None:
    run_case(case, pg_executor, PG)


# --- hrq sql --json -----------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def hrq_sql_json(statement: str) -> tuple[int, Any]:
    result = runner.invoke(app, ["sql", statement, "--json"])
    return result.exit_code, strict_json(result.stdout)


@pytest.mark.parametrize(
    ("statement", "rows", "notes"),
    [
        ("SELECT CAST('\\xFF' AS BLOB)", [["/w=="]], ["bytes"]),
        ("SELECT CAST('nan' AS DOUBLE), CAST('1e308' AS DOUBLE) * 10", [[None, None]],
         ["non_finite"]),
    ],
)  # fmt: skip
def test_the_reported_statements_print_json(
    statement: str, rows: list[Any], notes: list[str], duck_url: str, cli_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", duck_url)
    code, payload = hrq_sql_json(statement)
    assert code == 0
    assert payload["rows"] == rows and payload["notes"] == [NOTES[k] for k in notes]


def every_case_at_once(backend: str, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """All of a backend's cases as the columns of one ``hrq sql --json`` statement."""
    cases = cases_for(backend)
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", url)
    statement = "SELECT " + ", ".join(f"{c.sql} AS {c.name}" for c in cases)
    code, payload = hrq_sql_json(statement)
    assert code == 0, payload
    assert payload["columns"] == [c.name for c in cases]
    for case, form in zip(cases, payload["rows"][0], strict=True):
        assert_form(case, form)
    notes = set().union(*(c.notes for c in cases))
    assert payload["notes"] == [NOTES[k] for k in sorted(notes)]


def test_every_type_through_the_cli_on_duckdb(
    duck_url: str, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_case_at_once("duckdb", monkeypatch, duck_url)


@pytest.mark.postgres
def test_every_type_through_the_cli_on_postgres(
    pg_url: str, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_case_at_once("postgres", monkeypatch, pg_url)


# --- values no guarded statement produces today (maps, buffers, odd objects) ---------------


class Opaque:
    def __str__(self) -> str:
        return "opaque"


@pytest.mark.parametrize(
    ("value", "form", "notes"),
    [
        ({1: "x", 2: "y"}, {"1": "x", "2": "y"}, set()),
        ({date(2026, 1, 2): b"\x00"}, {"2026-01-02": "AA=="}, {"bytes"}),
        ({"k": [Decimal("Infinity"), float("nan")]}, {"k": [None, None]}, {"non_finite"}),
        (memoryview(b"hi"), "aGk=", {"bytes"}),
        (bytearray(b"\xff\xfe"), "//4=", {"bytes"}),
        ((1, "a"), [1, "a"], set()),
        (-(2**53), str(-(2**53)), {"big_int"}),
        (Decimal("1E+30"), "1" + "0" * 30, {"big_int"}),
        (Decimal("-0.10"), -0.1, set()),
        (Decimal(21) / Decimal(58), 0.3620689655172414, set()),  # a computed share
        (Decimal("-9007199254740992.5"), "-9007199254740992.5", {"decimal_text"}),
        (datetime(2026, 11, 26, 9, 30, tzinfo=UTC), "2026-11-26T09:30:00+00:00", set()),
        (time(0, 0), "00:00:00", set()),
        (UUID(int=1), "00000000-0000-0000-0000-000000000001", set()),
        (Opaque(), "opaque", set()),
    ],
)  # fmt: skip
def test_json_value(value: Any, form: Any, notes: set[str]) -> None:
    seen: set[str] = set()
    assert json_value(value, seen) == form
    assert seen == notes
    json.dumps(json_value(value), allow_nan=False)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(seconds=0.5), "PT0.5S"),
        (timedelta(microseconds=-1), "-PT0.000001S"),
        (timedelta(days=3), "P3D"),
        (timedelta(days=-3), "-P3D"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4.25), "P1DT2H3M4.25S"),
    ],
)
def test_intervals_are_iso_8601_durations(delta: timedelta, text: str) -> None:
    assert iso_duration(delta) == text


def test_encoded_size_is_the_printed_size_of_a_row() -> None:
    row = ("中文", Decimal("1.50"), None, b"\x01")
    printed = json.dumps(json_rows([row]).rows[0], ensure_ascii=False)
    assert encoded_size(row) == len(printed.encode("utf-8")) + 1
