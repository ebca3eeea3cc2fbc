"""The hostile corpus on DuckDB: every refusal with its reason, every accepted statement in scope."""

from __future__ import annotations

import pytest

from assistant.errors import GuardError
from assistant.execute import Executor
from assistant.guard import Catalog, guard
from schema.caller import Caller
from tests.guard import corpus, org

REJECTED = corpus.rejected()
ACCEPTED = corpus.accepted()


def test_corpus_is_large_enough() -> None:
    assert len(REJECTED) + len(ACCEPTED) >= 150
    reasons = {case.reason for case in REJECTED}
    assert {
        "multiple_statements",
        "not_read_only",
        "function_not_allowed",
        "system_catalog",
        "unknown_table",
        "unknown_column",
        "cte_shadows_table",
        "denied_payroll",
    } <= reasons


@pytest.mark.parametrize("case", REJECTED, ids=[corpus.case_id(c.sql) for c in REJECTED])
def test_rejected(case: corpus.Rejected, callers: dict[str, Caller]) -> None:
    catalog = Catalog.from_contract(case.dialect or "duckdb")
    for name in case.callers:
        with pytest.raises(GuardError) as info:
            guard(case.sql, callers[name], catalog)
        assert info.value.reason == case.reason, f"{name}: {info.value}"
        assert str(info.value)


def run_accepted(
    case: corpus.Accepted, callers: dict[str, Caller], executor: Executor, catalog: Catalog
) -> None:
    """Guard and run ``case`` for each caller; check refusals, the cap, scope and expected rows."""
    for name in case.callers:
        caller = callers[name]
        if name in case.denied:
            with pytest.raises(GuardError) as info:
                guard(case.sql, caller, catalog, limit=case.limit)
            assert info.value.reason == case.denied[name], name
            continue
        guarded = guard(case.sql, caller, catalog, limit=case.limit)
        assert guarded.limit <= case.limit
        try:
            result = executor.execute(guarded, timeout_s=1.0 if case.bomb else 20.0)
        except GuardError as exc:
            assert case.bomb and exc.reason == "timeout", f"{name}: {exc}"
            continue
        assert len(result.rows) <= case.limit
        truth = org.truth(
            caller.role.value, caller.employee_id, caller.department_ids, caller.department_id
        )
        assert org.leaks(result.rows, org.forbidden(truth)) == [], f"{name}: {guarded.sql}"
        if name in case.rows:
            assert [list(row) for row in result.rows] == case.rows[name], f"{name}: {guarded.sql}"


@pytest.mark.parametrize("case", ACCEPTED, ids=[corpus.case_id(c.sql) for c in ACCEPTED])
def test_accepted(
    case: corpus.Accepted,
    callers: dict[str, Caller],
    duck_executor: Executor,
    duck_catalog: Catalog,
) -> None:
    run_accepted(case, callers, duck_executor, duck_catalog)
