"""The persistent outbox: every message to WeCom is written to the app database first, then sent.

A message is ``pending`` until delivered (``sent``). A delivery that fails after
the client's own retries (network down, HTTP 5xx, rate limit, token trouble)
stays ``pending`` with ``attempts`` counted, ``last_error`` kept and
``next_attempt_at`` pushed back exponentially; :meth:`Outbox.deliver_pending`
retries the due ones later. A permanent error (e.g. an unknown userid) or
``max_attempts`` failures mark it ``failed``; ``hrq wecom outbox --retry``
retries those too. Nothing is lost.

**Sending is recorded.** A send first claims the row (``sending``, with a
lease: ``lease_owner`` until ``next_attempt_at``, renewed while it sends), so two
processes never send one row at once; a claim left by a stopped process
expires and is taken over (at once if that process ran on this host and ended). Before the first send the exact request body is
fixed in the row (``request``: an image is uploaded once and its media id kept),
and when WeCom acknowledges the send the row becomes ``sent`` with WeCom's
answer (``response``: its msgid). A ``sent`` row is never sent again.

**The crash between send and record.** A process can die after WeCom took a
message and before the row says so; the row is then sent again. App messages
carry WeCom's own idempotency check (``enable_duplicate_check``, with
``duplicate_check_interval`` = ``HRQ_WECOM_DUPLICATE_CHECK_S``): WeCom drops a
request identical to one it took within the interval, and since every resend
replays the stored body byte for byte, the user gets the message once. What is
promised, honestly:

- an app message is delivered at least once, and exactly once when a resend
  comes within the interval of the send WeCom took (a resend follows a crash by
  a lease, seconds, unless every process stays down longer than the interval);
- a message identical to one already sent to the same user within the interval
  (the same answer to the same question) goes out without the check, so WeCom
  does not swallow it, and is therefore not protected against that crash;
- group robot messages (``webhook/send``) have no such check at WeCom: one that
  was cut off between send and record may arrive twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, or_, select, update

from api.wecom.cards import webhook_card
from api.wecom.client import RETRYABLE_ERRCODES, TOKEN_ERRCODES, WeComClient
from api.wecom.errors import WeComApiError, WeComConfigError, WeComNetworkError
from api.wecom.leases import new_owner, stopped
from api.wecom.limits import RetryPolicy, truncate_markdown
from api.wecom.response_url import RESPONSE_LIMIT_BYTES, post_response
from schema.app import create_app_schema, wecom_outbox
from schema.settings import Settings

log = logging.getLogger(__name__)

Channel = Literal["app", "robot", "response"]
"""The self-built app (``message/send``), a group robot's webhook, or a robot message's
``response_url`` (the payload holds the URL)."""
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Draft:
    """One message to queue: where it goes, its type and content (see :meth:`Outbox.insert`)."""

    channel: Channel
    recipient: str
    msgtype: str
    payload: dict[str, Any]


def text_draft(userid: str, content: str) -> Draft:
    """A text message to a user."""
    return Draft("app", userid, "text", {"content": content})


def markdown_draft(userid: str, content: str) -> Draft:
    """A markdown message to a user."""
    return Draft("app", userid, "markdown", {"content": content})


def response_draft(userid: str, url: str, content: str) -> Draft:
    """A markdown reply to ``userid``'s robot message through its ``response_url``."""
    return Draft("response", userid, "markdown", {"url": url, "content": content})


def image_draft(userid: str, png: bytes, filename: str = "chart.png") -> Draft:
    """An image (PNG bytes, uploaded at delivery) to a user."""
    return Draft("app", userid, "image", image_payload(png, filename))


@dataclass(frozen=True)
class OutboxEntry:
    """One queued message (the payload is summarised, never a secret)."""

    outbox_id: int
    channel: str
    recipient: str
    msgtype: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    payload: dict[str, Any]
    request: str | None = None
    """The exact request body, once fixed (app messages)."""
    response: str | None = None
    """WeCom's answer to the send it took."""
    reply_to: str | None = None
    """The MsgId this replies to, if any."""

    def summary(self, width: int = 60) -> str:
        """A one-line preview of the content."""
        if self.msgtype == "image":
            return f"[image {len(self.payload.get('png_b64', '')) * 3 // 4} bytes]"
        text = str(self.payload.get("content", "")).replace("\n", " ⏎ ")
        return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery round did."""

    sent: list[int]
    retrying: list[int]
    failed: list[int]


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Outbox:
    """The outbox over the app database, delivering with a :class:`WeComClient`.

    ``client`` is built on first delivery by ``client_factory`` (so queueing works
    without WeCom settings, e.g. for a dry run or while WeCom is unconfigured).
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        client_factory: Callable[[], WeComClient] | None = None,
        *,
        create_schema: bool = True,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.owner = owner or new_owner()
        """The lease owner name of this outbox's sends."""
        self.lease = timedelta(seconds=settings.wecom_send_lease_s)
        self._client_factory = client_factory or (lambda: client_from_settings(settings))
        self._client: WeComClient | None = None
        if create_schema:
            create_app_schema(engine)

    # -- queueing -------------------------------------------------------------------

    def enqueue(
        self, channel: Channel, recipient: str, msgtype: str, payload: dict[str, Any]
    ) -> int:
        """Write one message (due now); returns its outbox id."""
        with self.engine.begin() as conn:
            return self.insert(conn, channel, recipient, msgtype, payload)

    @staticmethod
    def insert(
        conn: Connection,
        channel: Channel,
        recipient: str,
        msgtype: str,
        payload: dict[str, Any],
        *,
        reply_to: str | None = None,
    ) -> int:
        """Write one message inside the caller's transaction (e.g. with an idempotency record)."""
        now = datetime.now(UTC)
        result = conn.execute(
            insert(wecom_outbox).values(
                channel=channel,
                recipient=recipient,
                msgtype=msgtype,
                payload=json.dumps(payload, ensure_ascii=False),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                reply_to=reply_to,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    @classmethod
    def insert_draft(cls, conn: Connection, draft: Draft, *, reply_to: str | None = None) -> int:
        """Write ``draft`` inside the caller's transaction; returns its outbox id."""
        return cls.insert(
            conn, draft.channel, draft.recipient, draft.msgtype, draft.payload, reply_to=reply_to
        )

    def text(self, userid: str, content: str) -> int:
        """Queue a text message to a user."""
        return self.enqueue("app", userid, "text", {"content": content})

    def markdown(self, userid: str, content: str) -> int:
        """Queue a markdown message to a user."""
        return self.enqueue("app", userid, "markdown", {"content": content})

    def image(self, userid: str, png: bytes, filename: str = "chart.png") -> int:
        """Queue an image (PNG bytes, uploaded at delivery) to a user."""
        return self.enqueue("app", userid, "image", image_payload(png, filename))

    # -- reading ----------------------------------------------------------------------

    def entries(self, statuses: tuple[str, ...] | None = None) -> list[OutboxEntry]:
        """Messages with one of ``statuses`` (default: all), oldest first."""
        query = select(wecom_outbox).order_by(wecom_outbox.c.outbox_id)
        if statuses:
            query = query.where(wecom_outbox.c.status.in_(statuses))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            OutboxEntry(
                outbox_id=r.outbox_id,
                channel=r.channel,
                recipient=r.recipient,
                msgtype=r.msgtype,
                status=r.status,
                attempts=r.attempts,
                next_attempt_at=_utc(r.next_attempt_at),
                last_error=r.last_error,
                created_at=_utc(r.created_at),
                sent_at=_utc(r.sent_at) if r.sent_at else None,
                payload=json.loads(r.payload),
                request=r.request,
                response=r.response,
                reply_to=r.reply_to,
            )
            for r in rows
        ]

    def unsent(self) -> list[OutboxEntry]:
        """Messages not delivered yet (pending, being sent, or failed)."""
        return self.entries(("pending", "sending", "failed"))

    # -- delivery -----------------------------------------------------------------------

    def deliver(self, ids: list[int]) -> DeliveryReport:
        """Try to deliver these messages now (if still unsent), in order."""
        return self._deliver_rows(ids, include_failed=False, due_only=False)

    def deliver_pending(
        self, *, include_failed: bool = False, due_only: bool = True
    ) -> DeliveryReport:
        """Deliver every pending message whose retry time has come (all with ``due_only=False``;
        ``include_failed`` also retries those marked failed), and every send left by a
        process of this host that ended (:func:`~api.wecom.leases.stopped`)."""
        statuses = ("pending", "sending", "failed") if include_failed else ("pending", "sending")
        query = select(wecom_outbox.c.outbox_id).where(wecom_outbox.c.status.in_(statuses))
        if due_only:
            query = query.where(wecom_outbox.c.next_attempt_at <= datetime.now(UTC))
        with self.engine.connect() as conn:
            ids = list(conn.execute(query.order_by(wecom_outbox.c.outbox_id)).scalars())
            sending = conn.execute(
                select(wecom_outbox.c.outbox_id, wecom_outbox.c.lease_owner).where(
                    wecom_outbox.c.status == "sending", wecom_outbox.c.lease_owner != self.owner
                )
            ).all()
        orphans = {r.outbox_id: r.lease_owner for r in sending if stopped(r.lease_owner)}
        ids = sorted(set(ids) | set(orphans))
        return self._deliver_rows(
            ids, include_failed=include_failed, due_only=due_only, orphans=orphans
        )

    def _deliver_rows(
        self,
        ids: list[int],
        *,
        include_failed: bool,
        due_only: bool,
        orphans: dict[int, str] | None = None,
    ) -> DeliveryReport:
        sent: list[int] = []
        retrying: list[int] = []
        failed: list[int] = []
        for outbox_id in ids:
            stopped_owner = (orphans or {}).get(outbox_id)
            entry = self._claim(outbox_id, include_failed=include_failed, due_only=due_only,
                                stopped_owner=stopped_owner)  # fmt: skip
            if entry is None:
                continue
            outcome = self._send(entry)
            {"sent": sent, "pending": retrying, "failed": failed}[outcome].append(outbox_id)
        return DeliveryReport(sent, retrying, failed)

    def _claim(
        self,
        outbox_id: int,
        *,
        include_failed: bool,
        due_only: bool,
        stopped_owner: str | None = None,
    ) -> OutboxEntry | None:
        now = datetime.now(UTC)
        claimable = [wecom_outbox.c.status == "pending"]
        if include_failed:
            claimable.append(wecom_outbox.c.status == "failed")
        stale_lease = (wecom_outbox.c.status == "sending") & (wecom_outbox.c.next_attempt_at <= now)
        condition = or_(*claimable, stale_lease)
        if due_only:
            condition = condition & (wecom_outbox.c.next_attempt_at <= now)
        if stopped_owner is not None:  # its sender ended: no need to wait for the lease
            condition = or_(
                condition,
                (wecom_outbox.c.status == "sending")
                & (wecom_outbox.c.lease_owner == stopped_owner),
            )
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(wecom_outbox)
                .where(wecom_outbox.c.outbox_id == outbox_id, condition)
                .values(status="sending", lease_owner=self.owner, next_attempt_at=now + self.lease)
            ).rowcount
        if not claimed:
            return None
        return self._entry(outbox_id)

    def _entry(self, outbox_id: int) -> OutboxEntry | None:
        return next(iter(e for e in self.entries() if e.outbox_id == outbox_id), None)

    def renew(self) -> int:
        """Extend the lease of every row this outbox is sending; returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(
                update(wecom_outbox)
                .where(wecom_outbox.c.status == "sending", wecom_outbox.c.lease_owner == self.owner)
                .values(next_attempt_at=datetime.now(UTC) + self.lease)
            ).rowcount

    def _send(self, entry: OutboxEntry) -> str:
        try:
            response = self._transmit(entry)
        except (WeComApiError, WeComNetworkError, WeComConfigError) as exc:
            if entry.msgtype == "template_card" and isinstance(exc, WeComApiError):
                if _permanent(exc):  # WeCom took no card: the same figures as markdown
                    log.warning("template card refused (%s); sending it as markdown", exc)
                    return self._send(self._without_card(entry))
            return self._failed(entry, exc)
        with self.engine.begin() as conn:
            conn.execute(
                update(wecom_outbox)
                .where(wecom_outbox.c.outbox_id == entry.outbox_id)
                .values(
                    status="sent",
                    attempts=entry.attempts + 1,
                    sent_at=datetime.now(UTC),
                    last_error=None,
                    lease_owner=None,
                    response=response,
                )
            )
        return "sent"

    def _without_card(self, entry: OutboxEntry) -> OutboxEntry:
        """The card's row turned into its markdown fallback (the card was not delivered)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(wecom_outbox)
                .where(wecom_outbox.c.outbox_id == entry.outbox_id)
                .values(msgtype="markdown", request=None)
            )
        return replace(entry, msgtype="markdown", request=None)

    def _failed(self, entry: OutboxEntry, exc: Exception) -> str:
        attempts = entry.attempts + 1
        permanent = isinstance(exc, WeComConfigError) or (
            isinstance(exc, WeComApiError) and _permanent(exc)
        )
        status = (
            "failed"
            if permanent or attempts >= self.settings.wecom_outbox_max_attempts
            else "pending"
        )
        base = self.settings.wecom_outbox_backoff_s
        delay = min(timedelta(seconds=base * 2 ** (attempts - 1)), MAX_BACKOFF)
        with self.engine.begin() as conn:
            conn.execute(
                update(wecom_outbox)
                .where(wecom_outbox.c.outbox_id == entry.outbox_id)
                .values(
                    status=status,
                    attempts=attempts,
                    last_error=str(exc)[:500],
                    next_attempt_at=datetime.now(UTC) + delay,
                    lease_owner=None,
                )
            )
        return status

    def _transmit(self, entry: OutboxEntry) -> str:
        """Send ``entry``; WeCom's answer as JSON."""
        if entry.channel == "robot":
            return self._transmit_robot(entry)
        if entry.channel == "response":
            content = truncate_markdown(entry.payload["content"], RESPONSE_LIMIT_BYTES)
            body = {"msgtype": "markdown", "markdown": {"content": content}}
            return post_response(entry.payload["url"], body)
        client = self.client()
        body = json.loads(self._fixed_request(entry))
        return client.send_message(body).model_dump_json()

    def _fixed_request(self, entry: OutboxEntry) -> str:
        """The request body of an app message: the stored one, or built and stored now."""
        if entry.request is not None:
            return entry.request
        client = self.client()
        payload = entry.payload
        msgtype = entry.msgtype
        part: dict[str, Any]
        if msgtype == "template_card" and self.settings.wecom_cards:
            part = payload["card"]  # 发送应用消息 › 模板卡片消息 (api.wecom.cards)
        elif msgtype in ("text", "markdown", "template_card"):
            content = payload["content"]
            msgtype = "text" if msgtype == "text" else "markdown"
            part = {"content": truncate_markdown(content) if msgtype == "markdown" else content}
        elif msgtype == "image":
            png = base64.b64decode(payload["png_b64"])
            part = {"media_id": client.upload_image(png, payload.get("filename", "chart.png"))}
        else:
            raise WeComConfigError(f"unknown outbox message type {entry.msgtype!r}")
        body = client.message_body(entry.recipient, msgtype, part)
        interval = self.settings.wecom_duplicate_check_s
        if interval and not self._repeats_recent(entry, interval):
            body |= {"enable_duplicate_check": 1, "duplicate_check_interval": interval}
        request = json.dumps(body, ensure_ascii=False, sort_keys=True)
        with self.engine.begin() as conn:
            conn.execute(
                update(wecom_outbox)
                .where(
                    wecom_outbox.c.outbox_id == entry.outbox_id, wecom_outbox.c.request.is_(None)
                )
                .values(request=request)
            )
            stored = conn.execute(
                select(wecom_outbox.c.request).where(wecom_outbox.c.outbox_id == entry.outbox_id)
            ).scalar_one()
        return str(stored)  # another process's, if it fixed one first

    def _repeats_recent(self, entry: OutboxEntry, interval_s: int) -> bool:
        """Whether an earlier row sends the same content to the same user within the interval
        (WeCom's check would drop this one, though it is meant)."""
        since = datetime.now(UTC) - timedelta(seconds=interval_s)
        with self.engine.connect() as conn:
            earlier = conn.execute(
                select(wecom_outbox.c.outbox_id)
                .where(
                    wecom_outbox.c.channel == "app",
                    wecom_outbox.c.recipient == entry.recipient,
                    wecom_outbox.c.msgtype == entry.msgtype,
                    wecom_outbox.c.payload == json.dumps(entry.payload, ensure_ascii=False),
                    wecom_outbox.c.outbox_id < entry.outbox_id,
                    wecom_outbox.c.created_at >= since,
                )
                .limit(1)
            ).first()
        return earlier is not None

    def _transmit_robot(self, entry: OutboxEntry) -> str:
        payload = entry.payload
        key = self.settings.wecom_group_webhooks.get(entry.recipient)
        if key is None:
            raise WeComConfigError(f"no group robot key configured for {entry.recipient}")
        if entry.msgtype == "image":
            png = base64.b64decode(payload["png_b64"])
            body: dict[str, Any] = {
                "msgtype": "image",
                "image": {
                    "base64": payload["png_b64"],
                    "md5": hashlib.md5(png).hexdigest(),  # noqa: S324 (WeCom's checksum)
                },
            }
        elif entry.msgtype == "template_card":
            card = webhook_card(payload["card"], self.settings.public_base_url)
            if card is not None and self.settings.wecom_cards:
                body = {"msgtype": "template_card", "template_card": card}
            else:
                body = {"msgtype": "markdown", "markdown": {"content": payload["content"]}}
        else:
            body = {"msgtype": entry.msgtype, entry.msgtype: {"content": payload["content"]}}
        return self.client().webhook_send(key.get_secret_value(), body).model_dump_json()

    def client(self) -> WeComClient:
        """The WeCom client, built on first use."""
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            self._client.close()
            self._client = None


def _permanent(exc: WeComApiError) -> bool:
    """Whether WeCom refused the request itself (retrying the same request cannot help)."""
    return (
        exc.http_status < 500
        and exc.errcode not in RETRYABLE_ERRCODES | TOKEN_ERRCODES
        and exc.errcode != -1
    )


def image_payload(png: bytes, filename: str = "chart.png") -> dict[str, Any]:
    """The stored form of an image message: the PNG as base64."""
    return {"png_b64": base64.b64encode(png).decode("ascii"), "filename": filename}


def client_from_settings(settings: Settings) -> WeComClient:
    """The WeCom client of the configured app, with the configured retry policy."""
    retry = RetryPolicy(
        retries=settings.wecom_send_retries, base_delay_s=settings.wecom_retry_base_s
    )
    return WeComClient.from_settings(settings, retry=retry)
