"""Closing a month end to end on the demo warehouse: the snapshot, answers from it, a refund
after the close, version 2's diff, refusals, scope, and tampering found by verify."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from typer.testing import CliRunner

from api.cli import app
from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.closes import CloseBook, CloseConflictError
from schema.app import month_close_rows, month_closes
from schema.caller import Caller
from schema.db import warehouse_engine
from schema.settings import Settings, get_settings
from schema.warehouse import sales_orders
from tools.errors import CloseForbiddenError, MonthInProgressError
from tools.performance import monthly_performance
from tools.snapshot import MonthSnapshot, SnapshotRow

AS_OF = date(2026, 11, 26)
MONTH = "2026-10"
OPERATOR = Caller.operator()


@dataclass
class World:
    """A writable copy of the demo warehouse, an assistant over it and October closed once."""

    warehouse: Path
    settings: Settings
    assistant: Assistant
    book: CloseBook
    first: MonthSnapshot


def _world(source_url: str, tmp: Path, app_db_url: str | None = None) -> World:
    copy = tmp / "warehouse.duckdb"
    shutil.copy(source_url.removeprefix("duckdb:///"), copy)
    settings = Settings(
        warehouse_url=f"duckdb:///{copy}",
        app_db_url=app_db_url or f"sqlite:///{tmp / 'app.db'}",
        as_of=AS_OF,
    )
    assistant = Assistant.from_settings(settings)
    assert assistant.closes is not None
    with assistant.warehouse.connect() as conn:
        first = assistant.closes.close(
            conn, MONTH, caller=OPERATOR, today=AS_OF, policy=assistant.policy
        )
    return World(copy, settings, assistant, assistant.closes, first)


@pytest.fixture(scope="module")
def world(demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """October closed once; nothing changed since (tests here must not write)."""
    built = _world(demo_warehouse_url, tmp_path_factory.mktemp("closed"))
    yield built
    built.assistant.warehouse.dispose()


@pytest.fixture
def refunded(demo_warehouse_url: str, tmp_path: Path) -> Iterator[tuple[World, SnapshotRow, int]]:
    """October closed, then one paid October order refunded in the warehouse: the largest
    order of the member with the smallest sales above their department's median."""
    built = _world(demo_warehouse_url, tmp_path)
    person = min((r for r in built.first.rows if r.above_median), key=lambda r: r.gap)
    built.assistant.warehouse.dispose()  # DuckDB: no read-only connection while writing
    writer = warehouse_engine(built.settings.warehouse_url, read_only=False)
    with writer.begin() as conn:
        o = sales_orders
        order_id = conn.execute(
            sa.select(o.c.order_id)
            .where(o.c.order_id.in_(person.order_ids))
            .order_by(o.c.amount.desc())
            .limit(1)
        ).scalar_one()
        conn.execute(sa.update(o).where(o.c.order_id == order_id).values(status="refunded"))
    writer.dispose()
    yield built, person, order_id
    built.assistant.warehouse.dispose()


def _live(world: World) -> dict[str, tuple[Decimal, ...]]:
    """Every roster member's live figures, by employee_no (the engine without closes)."""
    with world.assistant.warehouse.connect() as conn:
        report = monthly_performance(conn, MONTH, caller=OPERATOR, policy=world.assistant.policy)
    return {r.employee_no or "": (r.sales, r.median, r.gap_to_median, r.bonus) for r in report.rows}


def _cli(env: dict[str, str], *args: str) -> Result:
    """``hrq ARGS`` with these HRQ_* variables (settings read afresh, and forgotten after)."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()


def _frozen(snapshot: MonthSnapshot) -> dict[str, tuple[Decimal, ...]]:
    return {r.employee_no: (r.sales, r.median, r.gap, r.bonus) for r in snapshot.rows}


#: Dual-target questions about last month (October, as of 2026-11-26); {dept}, {name} filled in.
QUESTIONS = (
    "上个月各销售部门业绩中位数是多少",
    "上个月{dept}谁超过了中位数",
    "上个月哪些人获得了业绩奖金",
    "上个月{dept}排行榜",
    "上个月{name}的业绩和奖金",
    "上个月{dept}的奖金总额",
    "who is eligible for the bonus last month",
)


def _ask_all(world: World, person: SnapshotRow, *, live: bool = False) -> list[Answer]:
    answers = []
    for template in QUESTIONS:
        question = template.format(dept=person.department, name=person.name)
        answer = world.assistant.ask(question, OPERATOR, live=live)
        assert answer.kind == "answer", (question, answer.answer)
        answers.append(answer)
    return answers


def _figures(answer: Answer) -> dict[str, list[object]]:
    """The answer's figures by row label (employee_no when shown, else the first cell)."""
    cols = answer.columns
    key = (
        cols.index("工号")
        if "工号" in cols
        else cols.index("employee_no")
        if "employee_no" in cols
        else 0
    )
    return {str(row[key]): row for row in answer.rows}


def _unique_name(world: World) -> SnapshotRow:
    names = [r.name for r in world.first.rows]
    return next(r for r in world.first.rows if r.above_median and names.count(r.name) == 1)


def test_the_snapshot_holds_the_engines_figures_and_the_orders_counted(world: World) -> None:
    snapshot = world.book.get(MONTH)
    assert (snapshot.version, snapshot.hash) == (1, world.first.hash)
    assert snapshot.computed_hash() == snapshot.hash
    assert _frozen(snapshot) == _live(world)
    o = sales_orders
    with world.assistant.warehouse.connect() as conn:
        amounts = dict(conn.execute(sa.select(o.c.order_id, o.c.amount)).all())
        statuses = dict(conn.execute(sa.select(o.c.order_id, o.c.status)).all())
    for row in snapshot.rows:
        assert sum((amounts[i] for i in row.order_ids), Decimal(0)) == row.sales
        assert {statuses[i] for i in row.order_ids} <= {"paid"}
    # the audit record chains the snapshot's hash
    (record,) = [r for r in world.assistant.audit.tail(50) if r.path == "close"]  # type: ignore[union-attr]
    assert json.loads(record.tool or "")["arguments"] == {"month": MONTH, "version": 1,
                                                          "hash": snapshot.hash}  # fmt: skip
    assert world.book.verify().ok


def test_dual_target_questions_say_they_come_from_the_close(world: World) -> None:
    person = _unique_name(world)
    for answer in _ask_all(world, person):
        assert answer.closed is not None, answer.question
        assert answer.closed.model_dump() == {
            "month": MONTH, "version": 1, "hash": world.first.hash,
            "changed_since_close": False, "source": "snapshot",
        }  # fmt: skip
        assert "注意" not in answer.answer and "Note" not in answer.answer
        assert answer.tool is not None and answer.tool.arguments["closed"]["version"] == 1


def test_after_a_refund_answers_stay_on_the_snapshot_and_live_gives_the_new_figures(
    refunded: tuple[World, SnapshotRow, int],
) -> None:
    world, person, order_id = refunded
    live = _live(world)
    frozen = _frozen(world.first)
    assert live[person.employee_no][0] < person.sales  # the refund lowered their live sales
    named = next(r for r in world.first.rows if r.employee_no == person.employee_no)
    closed = _ask_all(world, named)
    for answer in closed:
        assert answer.closed is not None and answer.closed.changed_since_close, answer.question
        assert answer.closed.source == "snapshot"
        assert ("结账后实时数据有变化" in answer.answer) or (
            "Live data have changed" in answer.answer
        )
    # the person's own figures, the department's median and the bonus total: the closed ones
    mine = _figures(closed[4])[person.employee_no]
    assert Decimal(str(mine[closed[4].columns.index("业绩")])) == person.sales
    medians = {row[0]: Decimal(str(row[1])) for row in closed[0].rows}
    assert medians[person.department] == person.median
    dept_total = sum(
        (r.bonus for r in world.first.department_rows(person.department_id)), Decimal(0)
    )
    assert Decimal(str(closed[5].rows[0][0])) == dept_total

    opened = _ask_all(world, named, live=True)
    for answer in opened:
        assert answer.closed is not None and answer.closed.source == "live", answer.question
        assert answer.closed.changed_since_close
    mine = _figures(opened[4])[person.employee_no]
    assert Decimal(str(mine[opened[4].columns.index("业绩")])) == live[person.employee_no][0]
    medians = {row[0]: Decimal(str(row[1])) for row in opened[0].rows}
    assert medians[person.department] == live[person.employee_no][1]

    # another department's answers: nothing of theirs moved, and they are told nothing moved
    other = next(r.department for r in world.first.rows if r.department_id != person.department_id)
    elsewhere = world.assistant.ask(f"上个月{other}谁超过了中位数", OPERATOR)
    assert elsewhere.closed is not None and not elsewhere.closed.changed_since_close
    assert "注意" not in elsewhere.answer

    # closing again: version 2, whose diff names the refunded order and exactly the people
    # whose figures moved (the median moving takes the whole department along)
    with world.assistant.warehouse.connect() as conn:
        second = world.book.close(conn, MONTH, caller=OPERATOR, today=AS_OF,
                                  policy=world.assistant.policy)  # fmt: skip
    assert second.version == 2 and second.hash != world.first.hash
    assert second.diff is not None and second.diff["from_version"] == 1
    assert second.diff["orders_removed"] == [{
        "order_id": order_id, "employee_no": person.employee_no,
        "amount": second.diff["orders_removed"][0]["amount"], "now": "refunded",
    }]  # fmt: skip
    assert second.diff["orders_appeared"] == []
    moved = {no for no in frozen if frozen[no] != live[no]}
    assert {p["employee_no"] for p in second.diff["people"]} == moved
    (theirs,) = [p for p in second.diff["people"] if p["employee_no"] == person.employee_no]
    assert theirs["changes"]["sales"] == [str(person.sales), str(live[person.employee_no][0])]
    assert any(f"order {order_id}" in why and "refunded" in why for why in theirs["why"])
    assert _frozen(second) == live
    # answers now come from version 2, which matches live data
    again = world.assistant.ask(QUESTIONS[0], OPERATOR)
    assert again.closed is not None
    assert (again.closed.version, again.closed.changed_since_close) == (2, False)
    assert world.book.verify().ok


def test_a_month_in_progress_and_a_month_not_over_are_refused(world: World) -> None:
    with world.assistant.warehouse.connect() as conn:
        for today in (AS_OF, date(2026, 11, 30)):
            with pytest.raises(MonthInProgressError, match="2026-11 is still in progress"):
                world.book.close(conn, "2026-11", caller=OPERATOR, today=today,
                                 policy=world.assistant.policy)  # fmt: skip
        with pytest.raises(MonthInProgressError, match="has not started"):
            world.book.close(conn, "2027-01", caller=OPERATOR, today=AS_OF,
                             policy=world.assistant.policy)  # fmt: skip
    assert [c.month for c in world.book.list()] == [MONTH]


def test_only_hr_and_admins_close(world: World) -> None:
    rep = resolve_caller(world.first.rows[0].employee_no, warehouse=world.assistant.warehouse)
    with world.assistant.warehouse.connect() as conn:
        with pytest.raises(CloseForbiddenError, match="only HR and admins may close"):
            world.book.close(conn, MONTH, caller=rep, today=AS_OF, policy=world.assistant.policy)
    assert [c.version for c in world.book.list()] == [1]


def test_a_close_that_lost_the_race_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two closes computed against the same latest version: the second one to store is refused."""
    book = CloseBook(world.book.engine, world.book.audit)
    monkeypatch.setattr(book, "latest", lambda month: None)  # computed as if never closed
    before = world.book.audit.count()
    with world.assistant.warehouse.connect() as conn:
        with pytest.raises(CloseConflictError, match="closed again"):
            book.close(conn, MONTH, caller=OPERATOR, today=AS_OF, policy=world.assistant.policy)
    assert world.book.audit.count() == before  # the audit record was rolled back with it
    assert [c.version for c in world.book.list()] == [1]


def test_a_rep_asking_about_the_closed_month_sees_only_their_scope(world: World) -> None:
    person = _unique_name(world)
    rep = resolve_caller(person.employee_no, warehouse=world.assistant.warehouse)
    answer = world.assistant.ask("上个月我的奖金是多少", rep)
    assert answer.closed is not None and answer.closed.version == 1
    assert [row[answer.columns.index("工号")] for row in answer.rows] == [person.employee_no]
    assert Decimal(str(answer.rows[0][answer.columns.index("奖金")])) == person.bonus


def test_edited_replaced_or_deleted_snapshots_fail_audit_verify(
    refunded: tuple[World, SnapshotRow, int],
) -> None:
    world, person, _ = refunded
    engine = world.book.engine
    env = {"HRQ_APP_DB_URL": world.settings.app_db_url}
    ok = _cli(env, "audit", "verify")
    assert ok.exit_code == 0 and "month closes: 1 snapshots match" in ok.output
    rows = month_close_rows
    with engine.begin() as conn:  # a bonus quietly raised in the stored snapshot
        conn.execute(sa.update(rows).where(rows.c.employee_id == person.employee_id)
                     .values(bonus=str(person.bonus + 100)))  # fmt: skip
    check = world.book.verify()
    assert (
        not check.ok
        and "snapshot 2026-10 v1" in check.problems[0]
        and "edited" in check.problems[0]
    )
    broken = _cli(env, "audit", "verify")
    assert broken.exit_code == 1 and "month closes broken" in broken.output
    # recomputing the snapshot's own hash does not help: the audit record chained the old one
    stored = world.book.get(MONTH)
    with engine.begin() as conn:
        conn.execute(sa.update(month_closes).values(hash=stored.computed_hash()))
    check = world.book.verify()
    assert not check.ok and "does not chain this hash" in check.problems[0]
    # nor does deleting the snapshot
    with engine.begin() as conn:
        conn.execute(sa.delete(rows))
        conn.execute(sa.delete(month_closes))
    check = world.book.verify()
    assert not check.ok and "snapshot is missing" in check.problems[0]


def test_cli_close_json_and_refusals(world: World, tmp_path: Path) -> None:
    env = {"HRQ_WAREHOUSE_URL": world.settings.warehouse_url,
           "HRQ_APP_DB_URL": f"sqlite:///{tmp_path / 'cli.db'}", "HRQ_AS_OF": AS_OF.isoformat()}  # fmt: skip
    world.assistant.warehouse.dispose()
    done = _cli(env, "close", "--month", MONTH, "--json")
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    assert (body["month"], body["version"]) == (MONTH, 1)
    assert body["rows"] == [r.public() for r in world.first.rows]
    assert list(body["rows"][0]) == ["employee_no", "name", "department", "sales", "min_target",
                                     "median", "gap", "met_minimum", "above_median", "eligible",
                                     "bonus"]  # fmt: skip
    busy = _cli(env, "close", "--month", "2026-11")
    assert busy.exit_code == 2 and "still in progress" in busy.output
    rep = _cli(env, "close", "--month", MONTH, "--as", world.first.rows[0].employee_no)  # fmt: skip
    assert rep.exit_code == 2 and "only HR and admins" in rep.output
    listed = _cli(env, "closes", "list", "--json")
    assert [c["version"] for c in json.loads(listed.output)] == [1]
    person = _unique_name(world)
    own = _cli(env, "statement", "--user", person.employee_no, "--month", MONTH,
                              "--as", person.employee_no)  # fmt: skip
    assert own.exit_code == 0, own.output
    document = json.loads(own.output)
    assert (document["bonus"], document["version"]) == (float(person.bonus), 1)
    assert document["changed_since_close"] is False
    other = next(
        r for r in world.first.rows if r.department_id == person.department_id and r != person
    )
    theirs = _cli(env, "statement", "--user", other.employee_no, "--month", MONTH,
                                 "--as", person.employee_no)  # fmt: skip
    assert theirs.exit_code == 2 and "only your own" in theirs.output
    shown = _cli(env, "closes", "show", "--month", MONTH, "--json", "--as",
                                person.employee_no)  # fmt: skip
    assert [r["employee_no"] for r in json.loads(shown.output)["rows"]] == [person.employee_no]


def test_cli_statement_files(world: World, tmp_path: Path) -> None:
    """--format xlsx|pdf write the statement with the snapshot's figures; someone else's
    statement is refused and no file is written."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from tools.money import fmt_money

    env = {"HRQ_WAREHOUSE_URL": world.settings.warehouse_url,
           "HRQ_APP_DB_URL": world.settings.app_db_url, "HRQ_AS_OF": AS_OF.isoformat()}  # fmt: skip
    world.assistant.warehouse.dispose()
    person = _unique_name(world)
    pdf, xlsx = tmp_path / "mine.pdf", tmp_path / "mine.xlsx"
    for fmt, out, lang in (("pdf", pdf, "zh"), ("xlsx", xlsx, "en")):
        done = _cli(env, "statement", "--user", person.employee_no, "--month", MONTH, "--format",
                    fmt, "--out", str(out), "--lang", lang, "--as", person.employee_no)  # fmt: skip
        assert done.exit_code == 0, done.output
        assert done.output.startswith(f"{out}: the {MONTH} bonus statement of {person.employee_no}")
    text = PdfReader(pdf).pages[0].extract_text()
    for value in (person.sales, person.min_target, person.median, person.bonus):
        assert f"¥{fmt_money(value)}" in text
    assert person.name in text and world.first.hash in text
    cells = {a: b for a, b, _ in load_workbook(xlsx).worksheets[0].iter_rows(min_row=2,
                                                                            values_only=True)}  # fmt: skip
    assert (Decimal(str(cells["Sales"])), Decimal(str(cells["Bonus as closed"]))) == (
        person.sales,
        person.bonus,
    )
    assert cells["Snapshot hash"] == world.first.hash and cells["Close version"] == 1
    other = next(
        r for r in world.first.rows if r.department_id == person.department_id and r != person
    )
    theirs = tmp_path / "theirs.pdf"
    refused = _cli(env, "statement", "--user", other.employee_no, "--month", MONTH, "--format",
                   "pdf", "--out", str(theirs), "--as", person.employee_no)  # fmt: skip
    assert refused.exit_code == 2 and "only your own" in refused.output and not theirs.exists()
    odd = _cli(env, "statement", "--user", person.employee_no, "--month", MONTH, "--format", "doc")
    assert odd.exit_code == 2 and "use json, text, xlsx or pdf" in odd.output


def test_closes_on_a_postgresql_app_database(
    demo_warehouse_url: str, tmp_path: Path, postgres_url: str
) -> None:
    world = _world(demo_warehouse_url, tmp_path, postgres_url)
    try:
        assert world.book.get(MONTH).rows == world.first.rows  # exact decimals back from text
        answer = world.assistant.ask(QUESTIONS[0], OPERATOR)
        assert answer.closed is not None and answer.closed.hash == world.first.hash
        assert world.book.verify().ok
        with world.book.engine.begin() as conn:
            conn.execute(sa.update(month_close_rows).where(
                month_close_rows.c.employee_id == world.first.rows[0].employee_id
            ).values(sales="0.00"))  # fmt: skip
        assert not world.book.verify().ok
    finally:
        world.assistant.warehouse.dispose()
        world.book.engine.dispose()


def test_cli_payroll_export_is_for_hr_only(world: World, tmp_path: Path) -> None:
    env = {"HRQ_WAREHOUSE_URL": world.settings.warehouse_url,
           "HRQ_APP_DB_URL": world.settings.app_db_url, "HRQ_AS_OF": AS_OF.isoformat()}  # fmt: skip
    world.assistant.warehouse.dispose()
    done = _cli(env, "payroll-export", "--month", MONTH)
    assert done.exit_code == 0, done.output
    lines = [line.split(",") for line in done.output.strip().splitlines()]
    assert lines[0] == ["employee_no", "month", "bonus", "version"]
    assert {(no, m, Decimal(b), int(v)) for no, m, b, v in lines[1:]} == {
        (r.employee_no, MONTH, r.bonus, 1) for r in world.first.rows
    }
    rep = world.first.rows[0].employee_no
    refused = _cli(env, "payroll-export", "--month", MONTH, "--as", rep)
    assert refused.exit_code == 2 and "only HR and admins may export" in refused.output
    assert rep not in refused.output.replace(f"--as {rep}", "")
    never = _cli(env, "payroll-export", "--month", "2026-07")
    assert never.exit_code == 2 and "hrq close --month 2026-07" in never.output
    xlsx = tmp_path / "payroll.xlsx"
    written = _cli(env, "payroll-export", "--month", MONTH, "--format", "xlsx", "--out", str(xlsx))
    assert written.exit_code == 0, written.output
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).worksheets[0]
    cells = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert cells[0] == ("employee_no", "month", "bonus", "version")
    assert {(no, m, Decimal(str(b)), v) for no, m, b, v in cells[1:]} == {
        (r.employee_no, MONTH, r.bonus, 1) for r in world.first.rows
    }
    assert sheet["C2"].number_format == '"¥"#,##0.00;-"¥"#,##0.00'
