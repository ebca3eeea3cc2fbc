"""What hrq remembers of incoming WeCom messages: MsgIds seen and each user's conversation.

WeCom retries a callback it thinks unanswered (up to three times), and a
restarted or second server process may receive the retry. :meth:`Inbox.claim`
inserts the MsgId under a unique key *before* anything is processed: only the
first insert succeeds, so only one answer is ever produced per message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from api.wecom.messages import WeComMessage
from schema.app import create_app_schema, wecom_conversations, wecom_messages


def dedup_key(message: WeComMessage) -> str:
    """The MsgId of a message; events have none, so sender, time and event name stand in."""
    if message.msg_id:
        return message.msg_id
    return (
        f"{message.from_user_name}:{message.create_time}:{message.msg_type}:{message.event or ''}"
    )


class Inbox:
    """MsgIds seen (for deduplication) and the conversation of each WeCom user."""

    def __init__(self, engine: Engine, *, create_schema: bool = True) -> None:
        self.engine = engine
        if create_schema:
            create_app_schema(engine)

    def claim(self, message: WeComMessage) -> bool:
        """Record ``message`` as received; False if its MsgId was seen before (a retry)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(wecom_messages).values(
                        msg_id=dedup_key(message)[:128],
                        from_user=message.from_user_name[:64],
                        msg_type=message.msg_type[:32],
                        received_at=datetime.now(UTC),
                        status="received",
                        payload=message.model_dump_json(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def unanswered(self, older_than_s: float) -> list[WeComMessage]:
        """Messages received more than ``older_than_s`` ago and never answered (the process
        that claimed them stopped), each taken over by this process: the status moves from
        ``received`` to ``recovering`` under the same check, so two processes never both
        answer one message."""
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_s)
        taken: list[WeComMessage] = []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(wecom_messages.c.msg_id, wecom_messages.c.payload).where(
                    wecom_messages.c.status == "received",
                    wecom_messages.c.received_at < cutoff,
                    wecom_messages.c.payload.is_not(None),
                )
            ).all()
        for row in rows:
            with self.engine.begin() as conn:
                result = conn.execute(
                    update(wecom_messages)
                    .where(
                        wecom_messages.c.msg_id == row.msg_id, wecom_messages.c.status == "received"
                    )
                    .values(status="recovering")
                )
            if result.rowcount == 1:
                taken.append(WeComMessage.model_validate_json(row.payload))
        return taken

    def mark(self, message: WeComMessage, status: str) -> None:
        """Record how processing of ``message`` ended (``answered``, ``failed``...)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(wecom_messages)
                .where(wecom_messages.c.msg_id == dedup_key(message)[:128])
                .values(status=status, processed_at=datetime.now(UTC))
            )

    def status(self, msg_id: str) -> str | None:
        """The processing status of a MsgId, None if never received."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(wecom_messages.c.status).where(wecom_messages.c.msg_id == msg_id)
            ).scalar_one_or_none()

    def conversation_of(self, userid: str) -> str | None:
        """The conversation id the user is in, if any."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(wecom_conversations.c.conversation_id).where(
                    wecom_conversations.c.userid == userid
                )
            ).scalar_one_or_none()

    def set_conversation(self, userid: str, conversation_id: str) -> None:
        """Remember that the user's follow-ups belong to ``conversation_id``."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(wecom_conversations)
                .where(wecom_conversations.c.userid == userid)
                .values(conversation_id=conversation_id, updated_at=now)
            ).rowcount
            if not changed:
                conn.execute(
                    insert(wecom_conversations).values(
                        userid=userid, conversation_id=conversation_id, updated_at=now
                    )
                )
