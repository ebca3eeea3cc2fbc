"""Conversations: turns in order, owner only, and feedback on answers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assistant.conversations import (
    AnswerNotFoundError,
    ConversationNotFoundError,
    ConversationStore,
)
from schema.caller import Caller
from tests.api.conftest import ALICE, BOB, make_answer


def test_turns_in_order_and_last_answer(engine: Engine) -> None:
    store = ConversationStore(engine)
    cid = store.start(ALICE)
    assert store.last_answer(cid, ALICE) is None
    first = store.append(cid, make_answer("上个月销售额是多少?"))
    second = store.append(cid, make_answer("那上上个月呢?", plan={"shape": "figure", "m": 2}))
    assert first != second
    last = store.last_answer(cid, ALICE)
    assert last is not None
    assert (last.question, last.plan, last.answer_id, last.conversation_id) == (
        "那上上个月呢?",
        {"shape": "figure", "m": 2},
        second,
        cid,
    )
    assert [a.question for a in store.turns(cid, ALICE)] == ["上个月销售额是多少?", "那上上个月呢?"]
    assert store.get_answer(first, ALICE).sql_written is not None


def test_start_with_the_first_turn(engine: Engine) -> None:
    store = ConversationStore(engine)
    cid, first = store.start_with(ALICE, make_answer("上个月销售额是多少?"))
    second = store.append(cid, make_answer("那上上个月呢?"))
    turns = store.turns(cid, ALICE)
    assert [(a.question, a.answer_id, a.conversation_id) for a in turns] == [
        ("上个月销售额是多少?", first, cid),
        ("那上上个月呢?", second, cid),
    ]
    with pytest.raises(ConversationNotFoundError):
        store.turns(cid, BOB)


def test_foreign_and_unknown_conversations_look_the_same(engine: Engine) -> None:
    store = ConversationStore(engine)
    cid = store.start(ALICE)
    answer_id = store.append(cid, make_answer())
    for call in (
        lambda: store.last_answer(cid, BOB),
        lambda: store.turns(cid, BOB),
        lambda: store.turns("f" * 32, ALICE),
    ):
        with pytest.raises(ConversationNotFoundError):
            call()
    with pytest.raises(AnswerNotFoundError):
        store.get_answer(answer_id, BOB)
    with pytest.raises(AnswerNotFoundError):
        store.add_feedback(answer_id, BOB, correct=False)
    with pytest.raises(ConversationNotFoundError):
        store.append("0" * 32, make_answer())


def test_operator_owns_conversations_too(engine: Engine) -> None:
    store = ConversationStore(engine)
    cid = store.start(Caller.operator())
    store.append(cid, make_answer())
    assert len(store.turns(cid, Caller.operator())) == 1
    with pytest.raises(ConversationNotFoundError):
        store.turns(cid, ALICE)


def test_feedback_kept_and_filtered(engine: Engine) -> None:
    store = ConversationStore(engine)
    cid = store.start(ALICE)
    good = store.append(cid, make_answer("本月业绩前五名"))
    bad = store.append(cid, make_answer("武汉组人数", sql="SELECT 1"))
    store.add_feedback(good, ALICE, correct=True)
    store.add_feedback(bad, ALICE, correct=False, comment="少算了离职的人")
    wrong = store.list_feedback(correct=False)
    assert [(f.answer_id, f.question, f.sql, f.comment) for f in wrong] == [
        (bad, "武汉组人数", "SELECT 1", "少算了离职的人")
    ]
    assert [f.correct for f in store.list_feedback()] == [True, False]
    assert [f.answer_id for f in store.list_feedback(correct=True)] == [good]
