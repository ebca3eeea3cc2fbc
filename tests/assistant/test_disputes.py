"""Disputes of a closed bonus on the demo warehouse: read from a question, opened once, scoped,
resolved by HR only, the adjustment on the next statement version, and every step in the
audit log, where verify finds an edited one."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection

from assistant.ask import Assistant
from assistant.audit import AuditLog
from assistant.callers import resolve_caller
from assistant.dispute_check import verify_disputes
from assistant.disputes import DisputeBook, DisputeEvent
from assistant.errors import CallerError
from assistant.plan import DisputePlan, Refuse
from assistant.planner import plan
from schema.app import audit_log, disputes, month_close_adjustments, month_close_rows
from schema.caller import Caller, Role
from schema.settings import Settings
from tools.errors import (
    DisputeForbiddenError,
    DisputeNotFoundError,
    DisputeResolvedError,
    InvalidArgumentError,
)
from tools.snapshot import MonthSnapshot
from tools.statement import statement

AS_OF = date(2026, 11, 26)
OCTOBER = date(2026, 10, 1)
OPERATOR = Caller.operator()


class Recorder:
    """A notifier that keeps the events it was given (the WeCom one is tested end to end in
    tests/wecom/test_dispute_flow.py)."""

    def __init__(self) -> None:
        self.events: list[DisputeEvent] = []

    def __call__(self, conn: Connection, event: DisputeEvent) -> list[str]:
        self.events.append(event)
        return [r.wecom_userid for r in event.recipients]


@dataclass
class World:
    assistant: Assistant
    book: DisputeBook
    recorder: Recorder
    october: MonthSnapshot
    rep: Caller
    colleague: Caller
    manager: Caller
    hr: Caller
    outsider: Caller  # a rep of another department


def _callers(assistant: Assistant, snapshot: MonthSnapshot) -> dict[str, Caller]:
    app = assistant.closes.engine if assistant.closes else None
    names = Counter(e.name for e in assistant.gazetteer.employees.values())
    rows = [r for r in snapshot.rows if names[r.name] == 1]
    reps = []
    for r in rows:
        try:
            caller = resolve_caller(r.employee_no, warehouse=assistant.warehouse, app=app)
        except CallerError:  # left since the close
            continue
        if caller.role is Role.SALES:
            reps.append(caller)
    rep = reps[0]
    colleague = next(c for c in reps[1:] if c.department_id == rep.department_id)
    outsider = next(c for c in reps if c.department_id != rep.department_id)
    with assistant.warehouse.connect() as conn:
        manager_no = conn.execute(
            sa.text(
                "SELECT m.employee_no FROM employees e JOIN employees m ON m.employee_id = e.manager_id "
                "WHERE e.employee_id = :id"
            ),
            {"id": rep.employee_id},
        ).scalar_one()
        hr_no = conn.execute(
            sa.text(
                "SELECT e.employee_no FROM employees e JOIN departments d USING (department_id) "
                "WHERE d.kind = 'hr' AND e.status = 'active' ORDER BY e.employee_id LIMIT 1"
            )
        ).scalar_one()
    manager = resolve_caller(manager_no, warehouse=assistant.warehouse, app=app)
    hr = resolve_caller(hr_no, warehouse=assistant.warehouse, app=app)
    assert (manager.role, hr.role) == (Role.MANAGER, Role.HR)
    return {"rep": rep, "colleague": colleague, "manager": manager, "hr": hr, "outsider": outsider}


@pytest.fixture
def world(demo_warehouse_url: str, tmp_path: Path) -> Iterator[World]:
    """October closed once; disputes recorded with a notifier that keeps its events."""
    settings = Settings(
        warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{tmp_path / 'app.db'}", as_of=AS_OF
    )
    recorder = Recorder()
    assistant = Assistant.from_settings(settings, notifier=recorder)
    assert assistant.closes is not None and assistant.disputes is not None
    with assistant.warehouse.connect() as conn:
        october = assistant.closes.close(
            conn, "2026-10", caller=OPERATOR, today=AS_OF, policy=assistant.policy
        )
    people = _callers(assistant, october)
    yield World(assistant, assistant.disputes, recorder, october, **people)
    assistant.warehouse.dispose()


def _plan(world: World, question: str, caller: Caller) -> object:
    a = world.assistant
    return plan(question, AS_OF, caller, a.gazetteer, a.model)[0]


@pytest.mark.parametrize(
    ("question", "month", "reason"),
    [
        ("我的奖金不对", None, None),
        ("我的奖金不对，10月25日那笔订单没算进去", None, "10月25日那笔订单没算进去"),
        ("上个月的奖金算错了，因为有一笔退款不是我的", OCTOBER, "有一笔退款不是我的"),
        ("10月奖金有误", OCTOBER, None),
        ("我的结算单不对：少了两笔订单", None, "少了两笔订单"),
        ("my bonus is wrong", None, None),
        ("My October bonus is wrong because order 1234 was not counted", OCTOBER,
         "order 1234 was not counted"),
        ("I dispute my bonus last month", OCTOBER, None),
    ],
)  # fmt: skip
def test_dispute_questions_are_read_with_their_month_and_reason(
    world: World, question: str, month: date | None, reason: str | None
) -> None:
    got = _plan(world, question, world.rep)
    assert got == DisputePlan(month=month, employee=world.rep.employee_id, reason=reason)


@pytest.mark.parametrize(
    "question",
    ["我的奖金是多少", "我的奖金比上个月少了多少", "上个月谁拿到了奖金", "how much is my bonus",
     "我还差多少能拿奖金", "这个月我的业绩不对吗", "我上个月的奖金对不对", "is my bonus right"],
)  # fmt: skip
def test_questions_that_are_no_dispute_stay_questions(world: World, question: str) -> None:
    assert not isinstance(_plan(world, question, world.rep), DisputePlan)


def test_a_rep_disputing_a_colleagues_bonus_is_refused(world: World) -> None:
    name = world.assistant.gazetteer.employees[world.colleague.employee_id or 0].name
    department = world.assistant.gazetteer.departments[world.rep.department_id or 0].name
    for question in (f"{name}的奖金不对", f"{name}上个月的奖金算错了", f"{department}的奖金不对",
                     "我们部门的奖金算错了", "my team's bonuses are wrong"):  # fmt: skip
        got = _plan(world, question, world.rep)
        assert isinstance(got, Refuse) and got.reason == "dispute_others", question
    answer = world.assistant.ask(f"{name}的奖金不对", world.rep, surface="wecom")
    assert answer.kind == "refusal" and "只能对自己的奖金提出异议" in answer.answer
    assert world.book.listed(OPERATOR) == [] and world.recorder.events == []


def test_nobody_in_particular_cannot_dispute(world: World) -> None:
    room = Caller(role=Role.SALES, employee_id=None, name="本群",
                  department_id=world.rep.department_id)  # fmt: skip
    got = _plan(world, "我的奖金不对", room)
    assert isinstance(got, Refuse) and got.reason == "dispute_nobody"
    with pytest.raises(DisputeForbiddenError):
        world.book.open(OPERATOR, None, None, surface="cli")


def test_two_processes_opening_at_once_open_one_dispute(world: World) -> None:
    books = [
        DisputeBook(world.book.engine, AuditLog(world.book.engine), world.book.closes,
                    world.assistant.warehouse)
        for _ in range(2)
    ]  # fmt: skip
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda b: b.open(world.rep, None, "x", surface="cli"), books))
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.dispute.dispute_id for r in results}) == 1
    assert len(world.book.listed(OPERATOR)) == 1 and len(_records(world)) == 1


def test_a_dispute_opens_once_confirms_what_was_disputed_and_tells_hr(world: World) -> None:
    row = world.october.row_of(world.rep.employee_no or "")
    assert row is not None
    answer = world.assistant.ask("我的奖金不对，10月有一笔订单没算进去", world.rep, surface="wecom")
    assert answer.kind == "answer" and answer.tool is not None
    dispute_id = answer.tool.arguments["dispute_id"]
    money = f"¥{row.bonus:,.2f}"
    assert answer.answer == (
        f"已记录你对2026年10月奖金的异议 #{dispute_id}：结账第 1 版中你的奖金为 {money}。"
        "理由：10月有一笔订单没算进去。已通过企业微信通知 HR，处理结果会通知你。"
    )
    assert answer.interpretation == (
        f"我的理解：2026年10月 · {row.name}（{row.department}） · 对奖金提出异议 · "
        "理由：10月有一笔订单没算进去"
    )
    assert answer.rows == [[dispute_id, "2026-10", 1, row.employee_no, float(row.bonus), "open",
                            "10月有一笔订单没算进去"]]  # fmt: skip
    (event,) = world.recorder.events
    assert event.kind == "opened" and event.dispute.dispute_id == dispute_id
    hr_users = {r.employee_no for r in event.recipients}
    assert world.hr.employee_no in hr_users and world.rep.employee_no not in hr_users
    # again, in English: the open dispute is named, nothing is opened or sent twice
    again = world.assistant.ask("my bonus is wrong", world.rep, surface="cli")
    assert again.tool is not None and again.tool.arguments["dispute_id"] == dispute_id
    assert again.tool.arguments["created"] is False
    assert again.answer.startswith(f"Your dispute #{dispute_id} of your Oct 2026 bonus")
    assert len(world.recorder.events) == 1 and len(world.book.listed(OPERATOR)) == 1


def test_a_month_never_closed_has_no_statement_yet(world: World) -> None:
    zh = world.assistant.ask("这个月的奖金不对", world.rep)
    assert (zh.kind, zh.reason) == ("error", "not_closed")
    assert zh.answer.startswith("2026年11月还没有结账，所以还没有奖金结算单")
    en = world.assistant.ask("my bonus in September is wrong", world.rep)
    assert en.answer.startswith("Sep 2026 has not been closed yet, so there is no bonus statement")
    assert world.book.listed(OPERATOR) == [] and world.recorder.events == []


def test_someone_off_the_roster_has_no_bonus_to_dispute(world: World) -> None:
    answer = world.assistant.ask("我10月的奖金不对", world.hr)
    assert (answer.kind, answer.reason) == ("error", "not_on_roster")
    with pytest.raises(InvalidArgumentError):
        world.book.open(world.hr, OCTOBER, None, surface="cli")


def test_listing_and_showing_follow_the_callers_scope(world: World) -> None:
    mine = world.book.open(world.rep, None, "a", surface="cli").dispute
    theirs = world.book.open(world.colleague, None, "b", surface="cli").dispute
    far = world.book.open(world.outsider, None, "c", surface="cli").dispute
    ids = lambda c: [d.dispute_id for d in world.book.listed(c)]  # noqa: E731
    assert ids(world.rep) == [mine.dispute_id]
    assert ids(world.colleague) == [theirs.dispute_id]
    assert ids(world.manager) == [theirs.dispute_id, mine.dispute_id]
    assert ids(world.hr) == [far.dispute_id, theirs.dispute_id, mine.dispute_id]
    assert ids(world.rep) == [d.dispute_id for d in world.book.listed(world.rep, "open")]
    assert world.book.listed(world.rep, "resolved") == []
    for caller, other in ((world.rep, theirs), (world.manager, far)):
        with pytest.raises(DisputeNotFoundError, match=f"no dispute #{other.dispute_id} that you"):
            world.book.get(caller, other.dispute_id)
    for missing in (999, 0, 2**63):  # a missing one reads the same
        with pytest.raises(DisputeNotFoundError):
            world.book.get(world.rep, missing)


def test_only_hr_and_admins_resolve(world: World) -> None:
    opened = world.book.open(world.rep, None, "missing order", surface="cli").dispute
    for caller in (world.rep, world.manager, world.colleague):
        with pytest.raises(DisputeForbiddenError, match="only HR and admins resolve disputes"):
            world.book.resolve(caller, opened.dispute_id, accept=True, adjustment="500",
                               reason="self-service", surface="cli")  # fmt: skip
    assert world.book.get(OPERATOR, opened.dispute_id).status == "open"
    with world.book.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(month_close_adjustments)).scalar()
            == 0
        )


def test_accepting_issues_the_next_statement_version_and_tells_the_person(world: World) -> None:
    rep_no = world.rep.employee_no or ""
    row = world.october.row_of(rep_no)
    assert row is not None
    before = world.book.closes.get("2026-10")
    opened = world.book.open(world.rep, OCTOBER, "order 77 missing", surface="http").dispute
    with pytest.raises(InvalidArgumentError, match="nonzero --adjustment"):
        world.book.resolve(world.hr, opened.dispute_id, accept=True, reason="x", surface="cli")
    with pytest.raises(InvalidArgumentError, match="negative"):
        world.book.resolve(world.hr, opened.dispute_id, accept=True, adjustment=-(row.bonus + 1),
                           reason="x", surface="cli")  # fmt: skip
    resolved = world.book.resolve(
        world.hr, opened.dispute_id, accept=True, adjustment="512.345", reason="订单 77 漏算",
        surface="cli",
    )  # fmt: skip
    assert (resolved.status, resolved.adjustment, resolved.resolved_by) == (
        "accepted", Decimal("512.35"), world.hr.employee_no,
    )  # fmt: skip
    snapshot = world.book.closes.get("2026-10")
    assert snapshot.hash == before.hash and snapshot.rows == before.rows  # rows untouched
    document = statement(snapshot, rep_no, caller=world.rep,
                         adjustments=world.book.adjustments(snapshot, rep_no))  # fmt: skip
    assert document["statement_version"] == 2
    assert document["bonus"] == float(row.bonus)
    assert document["adjustment"] == 512.35
    assert document["final_bonus"] == float(row.bonus + Decimal("512.35"))
    assert [a["dispute_id"] for a in document["adjustments"]] == [opened.dispute_id]
    assert (
        f"调整（争议 #{opened.dispute_id}，结算单第 2 版）：+¥512.35，理由：订单 77 漏算"
        in document["lines"]
    )
    assert (
        f"最终奖金：¥{row.bonus:,.2f}（结账时）+ ¥512.35（调整）= ¥{row.bonus + Decimal('512.35'):,.2f}"
        in document["lines"]
    )
    kinds = [(e.kind, [r.employee_no for r in e.recipients]) for e in world.recorder.events]
    assert kinds[-1] == ("accepted", [rep_no])
    sent = world.recorder.events[-1].statement
    assert sent is not None and sent["final_bonus"] == document["final_bonus"]
    with pytest.raises(DisputeResolvedError, match="already accepted"):
        world.book.resolve(world.hr, opened.dispute_id, accept=False, reason="no", surface="cli")
    # a second dispute of the same close, accepted too: version 3 adds to version 2
    second = world.book.open(world.rep, OCTOBER, "another", surface="cli").dispute
    world.book.resolve(world.hr, second.dispute_id, accept=True, adjustment="-12.35",
                       reason="refund", surface="cli")  # fmt: skip
    third = statement(snapshot, rep_no, caller=world.rep,
                      adjustments=world.book.adjustments(snapshot, rep_no))  # fmt: skip
    assert (third["statement_version"], third["adjustment"]) == (3, 500.0)
    assert third["final_bonus"] == float(row.bonus + 500)


def test_rejecting_keeps_the_bonus_and_tells_the_person(world: World) -> None:
    opened = world.book.open(world.rep, None, None, surface="cli").dispute
    with pytest.raises(InvalidArgumentError, match="no adjustment"):
        world.book.resolve(world.hr, opened.dispute_id, accept=False, adjustment="5",
                           reason="x", surface="cli")  # fmt: skip
    with pytest.raises(InvalidArgumentError, match="reason"):
        world.book.resolve(world.hr, opened.dispute_id, accept=False, reason="  ", surface="cli")
    resolved = world.book.resolve(world.hr, opened.dispute_id, accept=False,
                                  reason="订单在11月付款", surface="cli")  # fmt: skip
    assert (resolved.status, resolved.adjustment) == ("rejected", None)
    assert world.book.adjustments(world.october) == []
    assert world.recorder.events[-1].kind == "rejected"
    assert [d.dispute_id for d in world.book.listed(world.rep, "resolved")] == [opened.dispute_id]
    # resolved, a new dispute may be opened again
    assert world.book.open(world.rep, None, "again", surface="cli").created


def _records(world: World) -> list[dict]:
    with world.book.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log).where(audit_log.c.path == "dispute")).all()
    return [dict(r._mapping) for r in rows]


def test_every_step_is_an_audit_record_and_verify_finds_an_edit(world: World) -> None:
    answer = world.assistant.ask("我的奖金不对，少算了订单", world.rep, surface="wecom")
    assert answer.tool is not None
    dispute_id = answer.tool.arguments["dispute_id"]
    world.assistant.ask("我的奖金不对", world.rep, surface="wecom")  # already open: no record
    world.book.resolve(world.hr, dispute_id, accept=True, adjustment="300", reason="ok",
                       surface="cli")  # fmt: skip
    records = _records(world)
    steps = [(r["employee_no"], r["surface"], json.loads(r["tool"])) for r in records]
    rep_no = world.rep.employee_no
    row = world.october.row_of(rep_no or "")
    assert row is not None
    assert steps[0] == (rep_no, "wecom", {"name": "open_dispute", "arguments": {
        "month": "2026-10", "version": 1, "employee_no": rep_no, "bonus": str(row.bonus),
        "reason": "少算了订单"}})  # fmt: skip
    assert steps[1][0:2] == (world.hr.employee_no, "cli")
    assert steps[1][2]["arguments"] | {"hash": None} == {
        "dispute_id": dispute_id, "decision": "accepted", "reason": "ok", "adjustment": "300.00",
        "hash": None,
    }  # fmt: skip
    assert len(records) == 2
    assert world.book.audit.verify().ok
    check = verify_disputes(world.book.engine)
    assert (check.ok, check.checked) == (True, 2)
    engine = world.book.engine
    with engine.begin() as conn:  # someone raises the adjustment in the app database
        conn.execute(sa.update(month_close_adjustments).values(amount="3000.00"))
    assert verify_disputes(engine).problems == [
        f"adjustment of dispute #{dispute_id}: its content does not match its hash (edited)"
    ]
    with engine.begin() as conn:
        conn.execute(sa.update(month_close_adjustments).values(amount="300.00"))
        conn.execute(sa.update(disputes).values(reason="something else"))
    assert verify_disputes(engine).problems == [
        f"dispute #{dispute_id}: audit record {records[0]['seq']} does not record its opening (edited)"
    ]
    with engine.begin() as conn:
        conn.execute(sa.delete(month_close_adjustments))
        conn.execute(sa.delete(disputes))
    assert len(verify_disputes(engine).problems) == 2  # both records name a missing dispute
    # and the snapshot rows stay covered by the close's own check
    with engine.begin() as conn:
        conn.execute(sa.update(month_close_rows).where(month_close_rows.c.employee_no == rep_no)
                     .values(bonus="99999.00"))  # fmt: skip
    assert not world.book.closes.verify().ok


def test_answers_about_the_closed_bonus_say_it_was_adjusted_to_those_who_see_it(
    world: World,
) -> None:
    rep_no = world.rep.employee_no or ""
    row = world.october.row_of(rep_no)
    assert row is not None
    name = row.name
    before = world.assistant.ask("我10月的奖金多少", world.rep)
    assert "调整" not in before.answer
    opened = world.book.open(world.rep, OCTOBER, "order", surface="cli").dispute
    world.book.resolve(world.hr, opened.dispute_id, accept=True, adjustment="500",
                       reason="ok", surface="cli")  # fmt: skip
    note = (
        f"注意：{name}的奖金已按异议 #{opened.dispute_id} 调整 +¥500.00，最终奖金 "
        f"¥{row.bonus + 500:,.2f}（奖金结算单第 2 版）。"
    )
    own = world.assistant.ask("我10月的奖金多少", world.rep)
    assert own.answer.endswith(note), own.answer
    team = world.assistant.ask("10月我团队每个人的奖金", world.manager)
    assert team.kind == "answer" and team.answer.endswith(note), team.answer
    # a colleague sees the leaderboard (no bonuses): nothing about the adjustment
    board = world.assistant.ask("10月我们部门的排行榜", world.colleague)
    assert board.kind == "answer" and "调整" not in board.answer and name in board.answer
    theirs = world.assistant.ask("我10月的奖金多少", world.colleague)
    assert "调整" not in theirs.answer and name not in theirs.answer


def test_a_re_close_keeps_accepted_adjustments_and_says_so(world: World) -> None:
    """Version 2 of the month carries version 1's accepted adjustment (and names the version
    it was made on); a dispute of version 2 continues the statement versions; version 1's
    statement does not gain version 2's adjustment; everything still verifies."""
    rep_no = world.rep.employee_no or ""
    row = world.october.row_of(rep_no)
    assert row is not None
    first = world.book.open(world.rep, OCTOBER, "order 77 missing", surface="cli").dispute
    world.book.resolve(world.hr, first.dispute_id, accept=True, adjustment="300.00",
                       reason="订单 77 漏算", surface="cli")  # fmt: skip
    with world.assistant.warehouse.connect() as conn:
        v2 = world.book.closes.close(conn, "2026-10", caller=world.hr, today=AS_OF,
                                     policy=world.assistant.policy)  # fmt: skip
    assert v2.version == 2 and v2.row_of(rep_no) == row  # nothing changed in the data
    kept = world.book.adjustments(v2, rep_no)
    assert [(a.dispute_id, a.amount, a.close_version) for a in kept] == [
        (first.dispute_id, Decimal("300.00"), 1)
    ]
    for language, says in (("zh", "沿用第 1 版结账的调整"), ("en", "kept from close version 1")):
        document = statement(v2, rep_no, caller=world.rep, language=language,  # type: ignore[arg-type]
                             adjustments=kept)  # fmt: skip
        assert (document["version"], document["statement_version"]) == (2, 2)
        assert document["final_bonus"] == float(row.bonus + Decimal("300.00"))
        assert [line for line in document["lines"] if says in line], document["lines"]
        assert document["adjustments"][0]["close_version"] == 1
    # someone else's row of version 2 carries nothing
    other = next(r for r in v2.rows if r.employee_no != rep_no)
    assert world.book.adjustments(v2, other.employee_no) == []

    # a dispute of version 2, accepted: the statement's next version adds to the kept one,
    # and the bonus may go down by what the kept adjustment added (no further)
    second = world.book.open(world.rep, OCTOBER, "another", surface="cli").dispute
    assert second.version == 2
    with pytest.raises(InvalidArgumentError, match="negative"):
        world.book.resolve(world.hr, second.dispute_id, accept=True,
                           adjustment=-(row.bonus + Decimal("300.01")), reason="x", surface="cli")  # fmt: skip
    world.book.resolve(world.hr, second.dispute_id, accept=True,
                       adjustment=-(row.bonus + Decimal("250.00")), reason="refund", surface="cli")  # fmt: skip
    both = world.book.adjustments(v2, rep_no)
    assert [(a.close_version, a.statement_version) for a in both] == [(1, 2), (2, 3)]
    latest = statement(v2, rep_no, caller=world.rep, adjustments=both)
    assert (latest["statement_version"], latest["final_bonus"]) == (3, 50.0)
    v1 = world.book.closes.get("2026-10", 1)
    assert [a.dispute_id for a in world.book.adjustments(v1, rep_no)] == [first.dispute_id]
    assert world.book.audit.verify().ok and verify_disputes(world.book.engine).ok

    # `hrq close` names the adjustments the new version keeps
    from typer.testing import CliRunner

    from api.cli import app
    from schema.settings import get_settings

    world.assistant.warehouse.dispose()  # DuckDB: the command opens the file itself
    env = {"HRQ_WAREHOUSE_URL": world.assistant.settings.warehouse_url,
           "HRQ_APP_DB_URL": world.assistant.settings.app_db_url, "HRQ_AS_OF": AS_OF.isoformat()}  # fmt: skip
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(app, ["close", "--month", "2026-10", "--json"], env=env)
        text = CliRunner().invoke(app, ["close", "--month", "2026-10"], env=env)
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    assert body["version"] == 3
    assert [(a["employee_no"], a["dispute_id"], a["close_version"]) for a in body["adjustments_kept"]] == [
        (rep_no, first.dispute_id, 1), (rep_no, second.dispute_id, 2)
    ]  # fmt: skip
    assert (
        text.exit_code == 0
        and f"kept: dispute #{first.dispute_id}'s adjustment of {rep_no}, +300.00 (made on version 1)"
        in text.output
    )
