"""hrq's own state, kept apart from the warehouse in the app database.

One ``MetaData`` for every table hrq writes; :func:`create_app_schema` creates
what is missing (idempotent), so a new SQLite file or PostgreSQL database is
ready on first use.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    inspect,
    text,
)
from sqlalchemy.exc import DBAPIError

metadata = MetaData()

#: Role overrides set by ``hrq users grant``; otherwise the role comes from the warehouse.
role_grants = Table(
    "role_grants",
    metadata,
    Column("employee_no", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


#: API keys: only the SHA-256 of the secret is kept; ``key_id`` is the public part of the key.
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("key_hash", String(64), nullable=False),
    Column("employee_no", String(64), nullable=False),
    Column("role", String(16), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

#: One conversation per asker; ``owner`` is the asker's employee_no ("@operator" for the CLI).
conversations = Table(
    "conversations",
    metadata,
    Column("conversation_id", String(32), primary_key=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: The answers of a conversation in order; ``answer`` is the full Answer as JSON.
turns = Table(
    "turns",
    metadata,
    Column("answer_id", String(32), primary_key=True),
    Column(
        "conversation_id",
        String(32),
        ForeignKey("conversations.conversation_id"),
        nullable=False,
    ),
    Column("seq", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("answer", Text, nullable=False),
    UniqueConstraint("conversation_id", "seq", name="uq_turns_conversation_seq"),
)

#: The API's rate limit, a token bucket per API key shared by every server process:
#: ``tokens`` left at ``updated_at`` (seconds since the epoch), refilled continuously.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

#: What askers said about answers: correct ones become examples, wrong ones are reviewed.
feedback = Table(
    "feedback",
    metadata,
    Column("feedback_id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", String(32), ForeignKey("turns.answer_id"), nullable=False, index=True),
    Column("employee_no", String(64), nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("comment", Text, nullable=True),
    Column("question", Text, nullable=False),
    Column("sql", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: The append-only, hash-chained audit log of every question from every surface.
#: ``seq`` is the primary key, so two concurrent appends of the same link cannot both land.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("recorded_at", String(32), nullable=False, index=True),
    Column("employee_no", String(64), nullable=True),
    Column("role", String(16), nullable=False),
    Column("surface", String(16), nullable=False),
    Column("question", Text, nullable=False),
    Column("language", String(8), nullable=True),
    Column("path", String(16), nullable=True),
    Column("plan", Text, nullable=True),
    Column("tool", Text, nullable=True),
    Column("sql_written", Text, nullable=True),
    Column("sql_guarded", Text, nullable=True),
    Column("scopes", Text, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("usage", Text, nullable=True),
    Column("as_of", String(10), nullable=True),
    Column("conversation_id", String(32), nullable=True),
    Column("answer_id", String(32), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    #: How ``hash`` was computed: ``sha256`` (plain) or ``hmac-sha256`` (keyed, HRQ_AUDIT_HMAC_KEY).
    Column("hash_scheme", String(16), nullable=False, server_default="sha256"),
    #: Every statement the LLM agent sent to the guard for this question, with its outcome (JSON).
    Column("statements", Text, nullable=True),
)

#: WeCom callbacks seen, by MsgId: inserting first (the key is unique) makes a retried
#: callback a no-op, across restarts and processes. ``status`` ``received`` means a
#: process is answering it under a lease (``lease_owner`` until ``lease_expires_at``,
#: renewed while it works); an expired lease is taken over by another process (or by
#: a retry of the callback). ``replied``: the replies are in the outbox; then
#: ``answered`` (delivered) or ``queued`` (waiting for a retry); ``failed``.
wecom_messages = Table(
    "wecom_messages",
    metadata,
    Column("msg_id", String(128), primary_key=True),
    Column("from_user", String(64), nullable=False),
    Column("msg_type", String(32), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=True),
    #: The decrypted message (JSON), so one received but never answered (a crash) is answered
    #: after the restart.
    Column("payload", Text, nullable=True),
    #: The process answering it (host:pid:random) and until when; see :mod:`api.wecom.inbox`.
    Column("lease_owner", String(64), nullable=True),
    Column("lease_expires_at", DateTime(timezone=True), nullable=True),
    #: How many times a process took it up (a message that keeps killing its process is
    #: answered with an apology after a few).
    Column("attempts", Integer, nullable=True),
)

#: Every message hrq sends to WeCom, written before it is sent: ``status`` pending, sending,
#: sent or failed; failures are retried after ``next_attempt_at``. ``recipient`` is a userid
#: (``channel`` app) or a department whose robot key is in the settings (``channel`` robot).
wecom_outbox = Table(
    "wecom_outbox",
    metadata,
    Column("outbox_id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(8), nullable=False),
    Column("recipient", String(128), nullable=False),
    Column("msgtype", String(16), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    #: The process sending it (``status`` sending) until ``next_attempt_at``.
    Column("lease_owner", String(64), nullable=True),
    #: The exact request body, fixed before the first send: every resend is byte-identical,
    #: so WeCom's duplicate check drops a resend of a message it already took.
    Column("request", Text, nullable=True),
    #: WeCom's answer to the send that succeeded (its msgid).
    Column("response", Text, nullable=True),
    #: The MsgId of the WeCom message this replies to, if any.
    Column("reply_to", String(128), nullable=True),
)

#: Notifications already queued, one per recipient, kind and month (idempotent reruns).
notifications_sent = Table(
    "notifications_sent",
    metadata,
    Column("recipient", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("month", String(10), nullable=False),
    Column("outbox_ids", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("recipient", "kind", "month", name="uq_notifications_recipient_kind_month"),
)

#: The intelligent robot's streamed replies, one per robot message (``msg_id`` as in
#: ``wecom_messages``): ``working`` while the answer is computed (WeCom's stream refreshes
#: get the placeholder), then ``finished`` with the final markdown and images (base64 PNGs,
#: JSON), written in the transaction that marks the message replied.
wecom_streams = Table(
    "wecom_streams",
    metadata,
    Column("stream_id", String(64), primary_key=True),
    Column("msg_id", String(128), nullable=False, unique=True),
    Column("userid", String(64), nullable=False, index=True),
    Column("chatid", String(128), nullable=True),
    Column("status", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("images", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)

#: Scheduled jobs (``hrq watch``, the server's scheduler): one row per job. A run of time
#: slot ``slot`` is claimed by one process (``lease_owner`` until ``lease_expires_at``,
#: renewed while it runs), so with several processes each slot runs once; a claim left by a
#: stopped process is taken over when its lease expires. ``finished_slot`` is the last slot
#: whose run completed.
scheduled_jobs = Table(
    "scheduled_jobs",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("slot", Integer, nullable=False),
    Column("finished_slot", Integer, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_expires_at", DateTime(timezone=True), nullable=True),
    Column("runs", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

#: The conversation each WeCom user is in, so follow-up questions work in chat.
wecom_conversations = Table(
    "wecom_conversations",
    metadata,
    Column("userid", String(64), primary_key=True),
    Column("conversation_id", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


#: One row per close of a month (``hrq close``): version 1, 2 ... of its snapshot. ``hash``
#: is the SHA-256 of the snapshot's canonical JSON (this row's content and every row of
#: ``month_close_rows``) and is chained into the audit log by record ``audit_seq``.
#: ``policy`` is the bonus policy in force (JSON); ``diff`` what changed since the previous
#: version (JSON, None for version 1). Nothing updates or deletes these rows.
month_closes = Table(
    "month_closes",
    metadata,
    Column("close_id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False),
    Column("version", Integer, nullable=False),
    Column("closed_at", String(32), nullable=False),
    Column("closed_by", String(64), nullable=True),
    Column("closed_on", String(10), nullable=False),
    Column("policy", Text, nullable=False),
    Column("roster_size", Integer, nullable=False),
    Column("diff", Text, nullable=True),
    Column("hash", String(64), nullable=False),
    Column("audit_seq", Integer, nullable=False),
    UniqueConstraint("month", "version", name="uq_month_closes_month_version"),
)

#: The roster of one close, a row per member: the inputs (minimum target, sales and the
#: ids of the paid orders counted) and every result, money as exact decimal text.
month_close_rows = Table(
    "month_close_rows",
    metadata,
    Column("close_id", Integer, ForeignKey("month_closes.close_id"), primary_key=True),
    Column("employee_id", Integer, primary_key=True, autoincrement=False),
    Column("employee_no", String(64), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_en", String(128), nullable=True),
    Column("department_id", Integer, nullable=False),
    Column("department", String(128), nullable=False),
    Column("department_en", String(128), nullable=True),
    Column("sales", String(32), nullable=False),
    Column("min_target", String(32), nullable=False),
    Column("median", String(32), nullable=False),
    Column("gap", String(32), nullable=False),
    Column("met_minimum", Boolean, nullable=False),
    Column("above_median", Boolean, nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("bonus", String(32), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("order_ids", Text, nullable=False),
)

#: Disputes of a closed month's bonus (``hrq disputes``): one row per dispute, tied to the
#: snapshot row it disputes (``close_id``: month and version; ``employee_no``), with the bonus
#: as closed. ``status`` open, then accepted (an adjustment in ``month_close_adjustments``) or
#: rejected, with who resolved it and why. ``open_seq`` and ``resolve_seq`` are the audit
#: records of the two steps. At most one open dispute per person and close.
disputes = Table(
    "disputes",
    metadata,
    Column("dispute_id", Integer, primary_key=True, autoincrement=True),
    Column("close_id", Integer, ForeignKey("month_closes.close_id"), nullable=False),
    Column("month", String(7), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("employee_no", String(64), nullable=False, index=True),
    Column("employee_id", Integer, nullable=False),
    Column("department_id", Integer, nullable=False),
    Column("name", String(128), nullable=False),
    Column("bonus", String(32), nullable=False),
    Column("reason", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("opened_at", String(32), nullable=False),
    Column("opened_by", String(64), nullable=True),
    Column("surface", String(16), nullable=False),
    Column("open_seq", Integer, nullable=False),
    Column("resolved_at", String(32), nullable=True),
    Column("resolved_by", String(64), nullable=True),
    Column("resolution", Text, nullable=True),
    Column("adjustment", String(32), nullable=True),
    Column("resolve_seq", Integer, nullable=True),
    #: WeCom userids the opening or the resolution was sent to (JSON), for the record.
    Column("notified", Text, nullable=True),
)
Index(
    "uq_disputes_open",
    disputes.c.close_id,
    disputes.c.employee_no,
    unique=True,
    sqlite_where=disputes.c.status == "open",
    postgresql_where=disputes.c.status == "open",
)

#: Adjustments of a closed month's bonus, each from an accepted dispute: recorded beside the
#: snapshot (whose rows never change), numbered per person and close (``statement_version``
#: 2, 3 ... of their statement), hashed over the snapshot's hash and chained into the audit
#: log by the dispute's resolution record (``audit_seq``). Nothing updates or deletes them.
month_close_adjustments = Table(
    "month_close_adjustments",
    metadata,
    Column("adjustment_id", Integer, primary_key=True, autoincrement=True),
    Column("close_id", Integer, ForeignKey("month_closes.close_id"), nullable=False),
    Column("employee_no", String(64), nullable=False),
    Column("dispute_id", Integer, ForeignKey("disputes.dispute_id"), nullable=False, unique=True),
    Column("amount", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("statement_version", Integer, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(64), nullable=True),
    Column("hash", String(64), nullable=False),
    Column("audit_seq", Integer, nullable=False),
    UniqueConstraint(
        "close_id", "employee_no", "statement_version", name="uq_adjustments_statement_version"
    ),
)

#: Columns added to a table after its first release: ``create_all`` creates missing tables
#: only, so :func:`create_app_schema` adds these to a table that exists without them.
ADDED_COLUMNS = (
    (audit_log, "hash_scheme"),
    (audit_log, "statements"),
    *((wecom_messages, name) for name in ("lease_owner", "lease_expires_at", "attempts")),
    *((wecom_outbox, name) for name in ("lease_owner", "request", "response", "reply_to")),
)


#: The PostgreSQL advisory lock :func:`create_app_schema` holds for its transaction, so that
#: server processes starting at once on an empty database do not race to create the same
#: tables (an arbitrary constant: the first eight bytes of SHA-256("hrq app schema")).
SCHEMA_LOCK = int.from_bytes(hashlib.sha256(b"hrq app schema").digest()[:8], "big", signed=True)


def create_app_schema(engine: Engine) -> None:
    """Create hrq's tables that do not exist yet, and the columns added since (see ADDED_COLUMNS).

    Several processes may call it at once on one database: on PostgreSQL they take turns
    (:data:`SCHEMA_LOCK`; DDL is transactional, so the next one sees the tables), on
    SQLite the write lock and a re-check after a failed ``ALTER`` keep it idempotent.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        metadata.create_all(conn)
    _add_missing_columns(engine)


def _add_missing_columns(engine: Engine) -> None:
    for table, name in ADDED_COLUMNS:
        if _has_column(engine, table.name, name):
            continue
        column = table.c[name]
        ddl = f"ALTER TABLE {table.name} ADD COLUMN {name} {column.type.compile(engine.dialect)}"
        if column.server_default is not None:
            ddl += f" DEFAULT '{column.server_default.arg}'"  # type: ignore[attr-defined]
        if not column.nullable:
            ddl += " NOT NULL"
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                    if _has_column(conn, table.name, name):
                        continue
                conn.execute(text(ddl))
        except DBAPIError:  # another process added it first
            if not _has_column(engine, table.name, name):
                raise


def _has_column(bind: Engine | Connection, table: str, name: str) -> bool:
    if isinstance(bind, Connection):
        return name in {c["name"] for c in inspect(bind).get_columns(table)}
    with bind.connect() as conn:
        return name in {c["name"] for c in inspect(conn).get_columns(table)}
