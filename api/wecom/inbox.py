"""What hrq remembers of incoming WeCom messages: MsgIds, who is answering them, conversations.

WeCom retries a callback it thinks unanswered (up to three times), and a
restarted or second server process may receive the retry. Exactly one reply per
MsgId rests on three steps, each one conditional update in the app database:

1. :meth:`Inbox.claim` inserts the MsgId under a unique key *before* the callback
   is acknowledged, with a **lease**: the claiming process (``owner``) answers it
   until ``lease_expires_at``, and renews the lease while it works
   (:meth:`Inbox.renew`). A retry of a MsgId whose lease is live is dropped; a
   retry of one whose lease expired (its process stopped) takes it over.
2. Every process looks for expired leases every second or so
   (:meth:`Inbox.take_expired`), so a message left by a killed process is
   answered within a lease of the restart, retry or not (at once when the killed
   process ran on the same host: :func:`~api.wecom.leases.stopped`).
3. :meth:`Inbox.commit_replies` writes the replies to the outbox and moves the
   message to ``replied`` in one transaction, *only if the lease is still this
   process's*. Two processes may both compute an answer (one stalled past its
   lease); only one can queue it. From then on the outbox owns delivery.

A message taken up :data:`MAX_ATTEMPTS` times without being answered (each
attempt killed its process) is answered with an apology instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from api.wecom.leases import stopped
from api.wecom.messages import WeComMessage
from api.wecom.outbox import Draft, Outbox
from schema.app import create_app_schema, wecom_conversations, wecom_messages, wecom_outbox

MAX_ATTEMPTS = 3
"""Times a message is taken up before it is answered with an apology instead of an answer."""

#: Statuses of a message some process may still be answering (``recovering``: older versions).
IN_PROGRESS = ("received", "recovering")


def dedup_key(message: WeComMessage) -> str:
    """The MsgId of a message; events have none, so sender, time and event name stand in."""
    if message.msg_id:
        return message.msg_id[:128]
    key = f"{message.from_user_name}:{message.create_time}:{message.msg_type}:{message.event or ''}"
    return key[:128]


@dataclass(frozen=True)
class Leased:
    """A message this process now answers, and how many times it was taken up (1 = first)."""

    message: WeComMessage
    attempt: int


class Inbox:
    """MsgIds seen, their leases, and the conversation of each WeCom user."""

    def __init__(self, engine: Engine, *, create_schema: bool = True) -> None:
        self.engine = engine
        if create_schema:
            create_app_schema(engine)

    def claim(self, message: WeComMessage, owner: str, lease_s: float) -> Leased | None:
        """Record ``message`` and lease it to ``owner``; None if it is a retry of a message
        that was answered, or that a live process is answering."""
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(wecom_messages).values(
                        msg_id=dedup_key(message),
                        from_user=message.from_user_name[:64],
                        msg_type=message.msg_type[:32],
                        received_at=now,
                        status="received",
                        payload=message.model_dump_json(),
                        lease_owner=owner,
                        lease_expires_at=now + timedelta(seconds=lease_s),
                        attempts=1,
                    )
                )
        except IntegrityError:
            return self._take_over(dedup_key(message), owner, lease_s)
        return Leased(message, 1)

    def take_expired(self, owner: str, lease_s: float, limit: int = 100) -> list[Leased]:
        """Messages whose process stopped (lease expired, or its process on this host
        ended: :func:`~api.wecom.leases.stopped`), each now leased to ``owner``."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    wecom_messages.c.msg_id,
                    wecom_messages.c.lease_owner,
                    wecom_messages.c.lease_expires_at,
                )
                .where(
                    wecom_messages.c.status.in_(IN_PROGRESS),
                    wecom_messages.c.payload.is_not(None),
                    or_(_expired(now), wecom_messages.c.lease_owner != owner),
                )
                .order_by(wecom_messages.c.lease_expires_at)
                .limit(limit)
            ).all()
        candidates = [
            r.msg_id
            for r in rows
            if r.lease_expires_at is None
            or _utc(r.lease_expires_at) < now
            or stopped(r.lease_owner)
        ]
        taken = (self._take_over(msg_id, owner, lease_s) for msg_id in candidates)
        return [leased for leased in taken if leased is not None]

    def _take_over(self, msg_id: str, owner: str, lease_s: float) -> Leased | None:
        """Lease ``msg_id`` to ``owner`` if it is unanswered and its lease expired (or its
        owner was a process of this host that ended)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            holder = conn.execute(
                select(wecom_messages.c.lease_owner).where(wecom_messages.c.msg_id == msg_id)
            ).scalar_one_or_none()
            free = _expired(now)
            if holder is not None and holder != owner and stopped(holder):
                free = or_(free, wecom_messages.c.lease_owner == holder)
            changed = conn.execute(
                update(wecom_messages)
                .where(
                    wecom_messages.c.msg_id == msg_id,
                    wecom_messages.c.status.in_(IN_PROGRESS),
                    free,
                )
                .values(
                    status="received",
                    lease_owner=owner,
                    lease_expires_at=now + timedelta(seconds=lease_s),
                    attempts=func.coalesce(wecom_messages.c.attempts, 0) + 1,
                )
            ).rowcount
            if changed != 1:
                return None
            row = conn.execute(
                select(wecom_messages.c.payload, wecom_messages.c.attempts).where(
                    wecom_messages.c.msg_id == msg_id
                )
            ).one()
        if row.payload is None:  # recorded by a version that kept no payload: cannot answer
            return None
        return Leased(WeComMessage.model_validate_json(row.payload), row.attempts or 1)

    def renew(self, owner: str, lease_s: float) -> int:
        """Extend every lease ``owner`` holds; returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(
                update(wecom_messages)
                .where(wecom_messages.c.lease_owner == owner, wecom_messages.c.status == "received")
                .values(lease_expires_at=datetime.now(UTC) + timedelta(seconds=lease_s))
            ).rowcount

    def release(self, message: WeComMessage, owner: str) -> None:
        """Give up ``owner``'s lease on ``message`` (any process may take it up now)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(wecom_messages)
                .where(
                    wecom_messages.c.msg_id == dedup_key(message),
                    wecom_messages.c.lease_owner == owner,
                )
                .values(lease_expires_at=datetime.now(UTC))
            )

    def commit_replies(
        self,
        message: WeComMessage,
        owner: str,
        replies: Sequence[Draft],
        also: Callable[[Connection], object] | None = None,
    ) -> list[int] | None:
        """Queue ``replies`` in the outbox and mark the message ``replied``, in one
        transaction, if ``owner`` still holds its lease; None (nothing written) if another
        process took it over. ``also`` writes more in the same transaction (the robot's
        finished stream)."""
        msg_id = dedup_key(message)
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(wecom_messages)
                .where(
                    wecom_messages.c.msg_id == msg_id,
                    wecom_messages.c.status == "received",
                    wecom_messages.c.lease_owner == owner,
                )
                .values(status="replied", lease_owner=None, processed_at=datetime.now(UTC))
            ).rowcount
            if changed != 1:
                return None
            if also is not None:
                also(conn)
            return [Outbox.insert_draft(conn, draft, reply_to=msg_id) for draft in replies]

    def mark(self, message: WeComMessage, status: str) -> None:
        """Record how delivery of the replies ended (``answered``, ``queued``)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(wecom_messages)
                .where(wecom_messages.c.msg_id == dedup_key(message))
                .values(status=status, processed_at=datetime.now(UTC))
            )

    def settle(self) -> int:
        """Mark ``answered`` every replied or queued message whose replies were all sent
        (after the outbox delivered them on a later round); returns how many."""
        unsent = (
            select(wecom_outbox.c.outbox_id)
            .where(wecom_outbox.c.reply_to == wecom_messages.c.msg_id)
            .where(wecom_outbox.c.status != "sent")
        )
        with self.engine.begin() as conn:
            return conn.execute(
                update(wecom_messages)
                .where(wecom_messages.c.status.in_(("replied", "queued")), ~unsent.exists())
                .values(status="answered", processed_at=datetime.now(UTC))
            ).rowcount

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


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _expired(now: datetime) -> ColumnElement[bool]:
    """No live lease: none recorded (older versions) or expired."""
    column = wecom_messages.c.lease_expires_at
    return or_(column.is_(None), column < now)
