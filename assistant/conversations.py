"""Conversations: the turns of one asker, so follow-up questions can reuse the last plan.

A conversation belongs to the caller who started it (by employee number; the
local operator is ``@operator``). Every read checks the owner: an unknown id
and someone else's id raise the same :class:`ConversationNotFoundError`, so an
id reveals nothing about whether it exists. Each turn stores the whole
:class:`Answer` (plan, SQL as written, scopes included) as JSON.

Feedback on an answer is kept next to it: the asker says whether it was
correct; correct ones can become retrieval examples, wrong ones are reviewed
with ``hrq feedback list``.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from assistant.answer import Answer
from assistant.audit import prepare_sqlite
from schema.app import conversations, create_app_schema, feedback, turns
from schema.caller import Caller
from schema.errors import HrqError

OPERATOR_OWNER = "@operator"
_MAX_ATTEMPTS = 100


class ConversationNotFoundError(HrqError):
    """No conversation with that id belongs to the caller."""

    code = "conversation_not_found"


class AnswerNotFoundError(HrqError):
    """No answer with that id belongs to the caller."""

    code = "answer_not_found"


class FeedbackRecord(BaseModel):
    """What an asker said about one answer."""

    feedback_id: int
    answer_id: str
    employee_no: str
    correct: bool
    comment: str | None
    question: str
    sql: str | None
    created_at: datetime


def owner_of(caller: Caller) -> str:
    """The owner key of a caller's conversations."""
    return caller.employee_no or OPERATOR_OWNER


def _new_id() -> str:
    return uuid.uuid4().hex


def _conversation_row(conversation_id: str, caller: Caller) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "owner": owner_of(caller),
        "created_at": datetime.now(UTC),
    }


def _turn_row(conversation_id: str, answer: Answer) -> dict[str, Any]:
    """The ``turns`` row of ``answer``, but for its ``seq``. The stored answer carries its
    ``conversation_id`` and ``answer_id`` (a new one unless it has one)."""
    answer_id = answer.answer_id or _new_id()
    stored = answer.model_copy(update={"conversation_id": conversation_id, "answer_id": answer_id})
    return {
        "answer_id": answer_id,
        "conversation_id": conversation_id,
        "created_at": datetime.now(UTC),
        "answer": stored.model_dump_json(),
    }


class ConversationStore:
    """Conversations, their turns and feedback in the app database."""

    def __init__(self, engine: Engine, *, create_schema: bool = True) -> None:
        self.engine = engine
        prepare_sqlite(engine)
        if create_schema:
            create_app_schema(engine)

    def start(self, caller: Caller) -> str:
        """Start a conversation owned by ``caller``; return its id."""
        conversation_id = _new_id()
        with self.engine.begin() as conn:
            conn.execute(insert(conversations), _conversation_row(conversation_id, caller))
        return conversation_id

    def start_with(self, caller: Caller, answer: Answer) -> tuple[str, str]:
        """Start a conversation owned by ``caller`` whose first turn is ``answer``, in one
        transaction; return (conversation id, answer id).

        Like :meth:`start` then :meth:`append`, without looking up a conversation that
        cannot have turns yet.
        """
        conversation_id = _new_id()
        row = _turn_row(conversation_id, answer)
        with self.engine.begin() as conn:
            conn.execute(insert(conversations), _conversation_row(conversation_id, caller))
            conn.execute(insert(turns), {**row, "seq": 1})
        return conversation_id, str(row["answer_id"])

    def check_owner(self, conversation_id: str, caller: Caller) -> None:
        """Raise :class:`ConversationNotFoundError` unless ``caller`` owns the conversation."""
        with self.engine.connect() as conn:
            owner = conn.execute(
                select(conversations.c.owner).where(
                    conversations.c.conversation_id == conversation_id
                )
            ).scalar_one_or_none()
        if owner is None or owner != owner_of(caller):
            raise ConversationNotFoundError(f"no conversation {conversation_id!r} of yours")

    def last_answer(self, conversation_id: str, caller: Caller) -> Answer | None:
        """The previous turn of the caller's conversation (None before the first turn)."""
        self.check_owner(conversation_id, caller)
        with self.engine.connect() as conn:
            text = conn.execute(
                select(turns.c.answer)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.seq.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if text is None else Answer.model_validate_json(text)

    def append(self, conversation_id: str, answer: Answer) -> str:
        """Add ``answer`` as the conversation's next turn; return its answer id.

        The stored answer carries its ``conversation_id`` and ``answer_id``.
        """
        row = _turn_row(conversation_id, answer)
        for attempt in range(_MAX_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    exists = conn.execute(
                        select(conversations.c.conversation_id).where(
                            conversations.c.conversation_id == conversation_id
                        )
                    ).first()
                    if exists is None:
                        raise ConversationNotFoundError(f"no conversation {conversation_id!r}")
                    last = conn.execute(
                        select(func.max(turns.c.seq)).where(
                            turns.c.conversation_id == conversation_id
                        )
                    ).scalar_one_or_none()
                    conn.execute(insert(turns), {**row, "seq": (last or 0) + 1})
                return str(row["answer_id"])
            except (IntegrityError, OperationalError):
                time.sleep(min(0.001 * (attempt + 1), 0.05))
        raise HrqError("could not save the conversation turn: the database stayed busy")

    def turns(self, conversation_id: str, caller: Caller) -> list[Answer]:
        """Every turn of the caller's conversation, oldest first."""
        self.check_owner(conversation_id, caller)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(turns.c.answer)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.seq)
            ).scalars()
            return [Answer.model_validate_json(text) for text in rows]

    def get_answer(self, answer_id: str, caller: Caller) -> Answer:
        """One answer of the caller's, by id."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(turns.c.answer, conversations.c.owner)
                .join(conversations, conversations.c.conversation_id == turns.c.conversation_id)
                .where(turns.c.answer_id == answer_id)
            ).first()
        if row is None or row.owner != owner_of(caller):
            raise AnswerNotFoundError(f"no answer {answer_id!r} of yours")
        return Answer.model_validate_json(row.answer)

    def add_feedback(
        self, answer_id: str, caller: Caller, correct: bool, comment: str | None = None
    ) -> FeedbackRecord:
        """Record the asker's verdict on one of their answers."""
        answer = self.get_answer(answer_id, caller)
        values = {
            "answer_id": answer_id,
            "employee_no": owner_of(caller),
            "correct": correct,
            "comment": comment,
            "question": answer.question,
            "sql": answer.sql,
            "created_at": datetime.now(UTC),
        }
        with self.engine.begin() as conn:
            result = conn.execute(insert(feedback).values(**values))
            feedback_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return FeedbackRecord(feedback_id=feedback_id, **values)  # type: ignore[arg-type]

    def list_feedback(self, correct: bool | None = None) -> list[FeedbackRecord]:
        """Feedback, oldest first; only the correct or only the wrong ones when asked."""
        query = select(feedback).order_by(feedback.c.feedback_id)
        if correct is not None:
            query = query.where(feedback.c.correct == correct)
        with self.engine.connect() as conn:
            return [FeedbackRecord.model_validate(dict(r._mapping)) for r in conn.execute(query)]
