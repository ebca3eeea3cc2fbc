"""Three ``hrq serve`` replicas on one PostgreSQL app database keep every promise of one.

Requests go to the replicas at random (:class:`~tests.replicas.cluster.Cluster`): a key's
rate limit counts across them, a conversation continues on any of them, a WeCom message
delivered to several is answered once and its reply sent once, the scheduled crossings run
in one replica per slot and the month-end once, concurrent asks leave one unbroken audit chain, and a replica
killed mid-load loses and doubles nothing.

``HRQ_REPLICA_ASKS`` sets how many concurrent asks the audit test sends (default 200, so
the suite stays near two minutes on two cores; ``bench/replicas.py`` sends 2,000).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import Engine

from api.wecom.month_end import month_index, month_of_index
from api.wecom.stub import WeComStub
from assistant.audit import AuditLog
from assistant.keys import create_key
from schema.app import audit_log, notifications_sent, scheduled_jobs, wecom_messages, wecom_outbox
from tests.replicas.cluster import ROOT, Cluster, Outcome
from tests.replicas.conftest import CROSSINGS_EVERY_S, RATE_PER_MINUTE
from tests.wecom.live import wait_for

ASKS = int(os.environ.get("HRQ_REPLICA_ASKS", "200"))
QUESTIONS = [
    "2026年8月各部门销售额",
    "2026年8月成都销售组的业绩排名",
    "2026年7月各部门的入职人数",
    "how many employees by department",
    "2026年8月谁超过了中位数",
    "上个月各部门销售额",
]
#: Uses of one key in the load tests, well under its rate limit.
USES_PER_KEY = RATE_PER_MINUTE // 2


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _keys(app_db: Engine, employee_no: str, uses: int) -> list[str]:
    """Enough keys for ``uses`` requests within the rate limit."""
    count = -(-uses // USES_PER_KEY)
    return [create_key(app_db, employee_no)[0] for _ in range(count)]


def _ask(cluster: Cluster, key: str, question: str, **extra: Any) -> Outcome:
    body = {"question": question, **extra}
    return cluster.request("POST", "/v1/ask", json=body, headers=_bearer(key))


def _hrq(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("HRQ_")} | env
    command = [sys.executable, "-c", "from api.cli import main; main()", *args]
    return subprocess.run(command, cwd=ROOT, env=full, capture_output=True, text=True, timeout=120)


def test_a_keys_rate_limit_counts_across_replicas(
    cluster: Cluster, app_db: Engine, people: dict[str, Any]
) -> None:
    key, _ = create_key(app_db, people["hr"])
    started = time.monotonic()
    with ThreadPoolExecutor(12) as pool:
        outcomes = list(
            pool.map(lambda _: cluster.request("GET", "/v1/me", headers=_bearer(key)), range(100))
        )
    elapsed = time.monotonic() - started
    codes = Counter(o.response.status_code for o in outcomes if o.response is not None)
    assert set(codes) == {200, 429}, codes
    assert {o.replica for o in outcomes} == {0, 1, 2}
    # The burst, plus what grew back while the requests ran (one every 2 s); one bucket per
    # process would let up to three bursts through.
    assert RATE_PER_MINUTE <= codes[200] <= RATE_PER_MINUTE + elapsed * RATE_PER_MINUTE / 60 + 1
    limited = next(o.response for o in outcomes if o.response and o.response.status_code == 429)
    assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_a_conversation_continues_on_any_replica(
    cluster: Cluster, app_db: Engine, people: dict[str, Any]
) -> None:
    key, _ = create_key(app_db, people["hr"])
    first = _ask(cluster, key, "上个月各部门销售额")
    assert first.response is not None and first.response.status_code == 200
    cid = first.response.json()["conversation_id"]
    others = [i for i in range(3) if i != first.replica]
    body = {"question": "那上上个月呢?", "conversation_id": cid}
    follow = httpx.post(
        cluster.replicas[others[0]].base + "/v1/ask", json=body, headers=_bearer(key), timeout=60
    )
    assert follow.status_code == 200, follow.text
    answer = follow.json()
    assert answer["kind"] == "answer" and answer["conversation_id"] == cid
    assert answer["rows"] != first.response.json()["rows"]
    assert len(answer["rows"]) == len(first.response.json()["rows"])
    turns = httpx.get(
        f"{cluster.replicas[others[1]].base}/v1/conversations/{cid}", headers=_bearer(key)
    ).json()["turns"]
    assert [t["question"] for t in turns] == ["上个月各部门销售额", "那上上个月呢?"]
    assert [t["answer_id"] for t in turns] == [first.response.json()["answer_id"],
                                               answer["answer_id"]]  # fmt: skip


def _send_callback(cluster: Cluster, stub: WeComStub, userid: str, text: str, msg_id: int) -> int:
    """Deliver one callback to a random live replica as WeCom does; the replica's index, or
    -1 when it was cut off (WeCom then retries)."""
    index = cluster.pick()
    try:
        response = stub.send_text(
            cluster.replicas[index].callback_url, userid, text, msg_id=msg_id, timeout_s=30
        )
    except Exception:  # the replica died under the request
        return -1
    return index if (response.status_code, response.content) == (200, b"") else -1


def _bodies(messages: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps(m, sort_keys=True, ensure_ascii=False) for m in messages)


def _outbox_requests(app_db: Engine) -> Counter[str]:
    """The request bodies of the outbox's sent rows."""
    with app_db.connect() as conn:
        requests = conn.execute(
            sa.select(wecom_outbox.c.request).where(wecom_outbox.c.status == "sent")
        ).scalars()
        return _bodies([json.loads(r) for r in requests])


def _sent_once(app_db: Engine, stub: WeComStub) -> None:
    """Every message WeCom took is one sent row of the outbox and every sent row was taken
    once (a resend that WeCom's duplicate check dropped is not a second message)."""
    try:
        wait_for(lambda: _outbox_requests(app_db) == _bodies(stub.state.messages), timeout_s=30)
    except AssertionError:
        outbox, taken = _outbox_requests(app_db), _bodies(stub.state.messages)
        raise AssertionError(
            f"outbox {sum(outbox.values())} sent, WeCom took {sum(taken.values())}: "
            f"{list((taken - outbox).items())[:2]} {list((outbox - taken).items())[:2]}"
        ) from None


def _answered_once(app_db: Engine, msg_ids: list[int]) -> None:
    """Each MsgId got one answer: one text or markdown reply (and at most its chart)."""
    with app_db.connect() as conn:
        rows = conn.execute(
            sa.select(wecom_outbox.c.reply_to, wecom_outbox.c.msgtype, wecom_outbox.c.status)
            .where(wecom_outbox.c.reply_to.in_([str(m) for m in msg_ids]))
        ).all()  # fmt: skip
    assert {r.status for r in rows} == {"sent"}
    kinds = {m: Counter() for m in msg_ids}  # type: dict[int, Counter[str]]
    for row in rows:
        kinds[int(row.reply_to)]["image" if row.msgtype == "image" else "text"] += 1
    assert all(k["text"] == 1 and k["image"] <= 1 for k in kinds.values()), kinds


def _statuses(app_db: Engine, msg_ids: list[int]) -> dict[int, str]:
    with app_db.connect() as conn:
        rows = conn.execute(
            sa.select(wecom_messages.c.msg_id, wecom_messages.c.status).where(
                wecom_messages.c.msg_id.in_([str(m) for m in msg_ids])
            )
        ).all()
    return {int(r.msg_id): r.status for r in rows}


def _wait_answered(cluster: Cluster, app_db: Engine, msg_ids: list[int]) -> None:
    try:
        wait_for(lambda: set(_statuses(app_db, msg_ids).values()) == {"answered"}, timeout_s=60)
    except AssertionError:
        logs = "\n".join(r.log() for r in cluster.replicas)
        raise AssertionError(f"not all answered: {_statuses(app_db, msg_ids)}\n{logs}") from None


def test_a_callback_delivered_to_several_replicas_is_answered_once(
    cluster: Cluster, app_db: Engine, stub: WeComStub, people: dict[str, Any]
) -> None:
    users = people["userids"][:8]
    msg_ids = [stub.new_msg_id() for _ in users]
    deliveries = [(m, u, QUESTIONS[i % len(QUESTIONS)])
                  for i, (m, u) in enumerate(zip(msg_ids, users, strict=True))] * 3  # fmt: skip
    cluster.random.shuffle(deliveries)  # each MsgId three times (WeCom's retries), anywhere
    with ThreadPoolExecutor(9) as pool:
        taken = list(
            pool.map(lambda d: _send_callback(cluster, stub, d[1], d[2], d[0]), deliveries)
        )
    assert -1 not in taken
    assert len(set(taken)) == 3  # every replica got some
    _wait_answered(cluster, app_db, msg_ids)
    _sent_once(app_db, stub)
    _answered_once(app_db, msg_ids)
    assert stub.state.duplicates == []  # not even a resend: each reply went out once


def test_the_scheduled_crossings_run_in_one_replica_per_slot(
    cluster: Cluster, app_db: Engine, stub: WeComStub
) -> None:
    started = time.time()
    crossings = scheduled_jobs.c.job == "crossings"
    with app_db.connect() as conn:
        before = conn.execute(sa.select(scheduled_jobs.c.runs).where(crossings)).scalar() or 0
    time.sleep(3 * CROSSINGS_EVERY_S)
    with app_db.connect() as conn:
        job = conn.execute(sa.select(scheduled_jobs).where(crossings)).one()
        recorded = conn.execute(sa.select(sa.func.count()).select_from(notifications_sent)).scalar()
    slots = int(time.time() // CROSSINGS_EVERY_S) - int(started // CROSSINGS_EVERY_S) + 1
    runs = job.runs - before
    assert job.job == "crossings" and job.last_error is None
    assert 1 <= runs <= slots, (runs, slots)  # three schedulers, one run per slot
    assert recorded and recorded > 0
    _sent_once(app_db, stub)  # no notification went out twice
    assert stub.state.duplicates == []


def test_the_month_end_pushes_run_once_in_one_replica(
    cluster: Cluster, app_db: Engine, stub: WeComStub, replica_env: dict[str, str]
) -> None:
    """Every replica schedules the previous month's month-end on start; one runs it."""
    month = month_index(date.fromisoformat(replica_env["HRQ_AS_OF"])) - 1
    job = scheduled_jobs.c.job == "month_end"

    def finished() -> Any:
        with app_db.connect() as conn:
            row = conn.execute(sa.select(scheduled_jobs).where(job)).first()
        return row if row is not None and row.finished_slot == month else None

    row = wait_for(finished, timeout_s=90, interval_s=0.5)
    assert (row.runs, row.last_error) == (1, None)  # three replicas tried, one ran it
    with app_db.connect() as conn:
        kinds = Counter(conn.execute(
            sa.select(notifications_sent.c.kind)
            .where(notifications_sent.c.month == month_of_index(month))
        ).scalars())  # fmt: skip
    assert kinds["congratulation"] > 0 and kinds["manager_leaderboard"] > 0, kinds
    _sent_once(app_db, stub)


def _audited(app_db: Engine, answer_ids: set[str]) -> Counter[str]:
    with app_db.connect() as conn:
        found = conn.execute(
            sa.select(audit_log.c.answer_id).where(audit_log.c.answer_id.in_(answer_ids))
        ).scalars()
        return Counter(str(a) for a in found)


def test_concurrent_asks_on_three_replicas_keep_one_audit_chain(
    cluster: Cluster, app_db: Engine, people: dict[str, Any], replica_env: dict[str, str]
) -> None:
    keys = _keys(app_db, people["hr"], ASKS)
    before = AuditLog(app_db, create_schema=False).count()
    with ThreadPoolExecutor(24) as pool:
        outcomes = list(pool.map(
            lambda i: _ask(cluster, keys[i // USES_PER_KEY], QUESTIONS[i % len(QUESTIONS)]),
            range(ASKS),
        ))  # fmt: skip
    assert [o.what() for o in outcomes if not o.ok] == []
    answer_ids = {o.response.json()["answer_id"] for o in outcomes if o.response is not None}
    assert len(answer_ids) == ASKS
    assert AuditLog(app_db, create_schema=False).count() - before == ASKS
    assert set(_audited(app_db, answer_ids).values()) == {1}
    verify = _hrq("audit", "verify", env=replica_env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "audit log intact" in verify.stdout


def test_a_replica_killed_mid_load_loses_and_doubles_nothing(
    cluster: Cluster,
    app_db: Engine,
    stub: WeComStub,
    people: dict[str, Any],
    replica_env: dict[str, str],
) -> None:
    asks, callbacks = 120, 12
    keys = _keys(app_db, people["hr"], asks)
    users = people["userids"][8 : 8 + callbacks]
    msg_ids = [stub.new_msg_id() for _ in users]
    victim = 0

    tasks = [("ask", i) for i in range(asks)] + [("wecom", i) for i in range(callbacks)]
    cluster.random.shuffle(tasks)
    started = itertools.count()

    def run(task: tuple[str, int]) -> Outcome | int:
        if next(started) == len(tasks) // 3:
            cluster.replicas[victim].kill()  # mid-load: the others are working too
        kind, i = task
        if kind == "ask":
            return _ask(cluster, keys[i // USES_PER_KEY], QUESTIONS[i % len(QUESTIONS)])
        for _ in range(4):  # WeCom's first delivery and its three retries
            if _send_callback(cluster, stub, users[i], QUESTIONS[i % len(QUESTIONS)],
                              msg_ids[i]) >= 0:  # fmt: skip
                return msg_ids[i]
        return -1

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(run, tasks))
    outcomes = [r for r in results if isinstance(r, Outcome)]
    delivered = [r for r in results if isinstance(r, int)]
    assert not cluster.replicas[victim].alive
    assert -1 not in delivered

    answered = [o for o in outcomes if o.ok]
    cut = [o for o in outcomes if not o.ok]
    assert all(o.replica == victim and o.response is None for o in cut), cut  # visible failures
    assert len(cut) <= 16  # only what the victim had in hand when it died (16 at once)
    answer_ids = {o.response.json()["answer_id"] for o in answered if o.response is not None}
    assert len(answer_ids) == len(answered)
    assert set(_audited(app_db, answer_ids).values()) == {1}  # every answer audited, once

    # The victim's WeCom messages are taken over; each is answered and its reply sent once.
    _wait_answered(cluster, app_db, msg_ids)
    _sent_once(app_db, stub)
    _answered_once(app_db, msg_ids)
    verify = _hrq("audit", "verify", env=replica_env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
