"""The robot's streams in the app database: opened when a message arrives, finished with the answer.

A stream is opened (``working``, the placeholder "正在查询…") in the callback that brings
the message, before the message is leased; its id derives from the msgid, so a retried
callback, another process or a restarted one finds the same stream and WeCom is shown one
answer. The worker finishes it (content and images) inside the transaction that marks the
message replied (:meth:`~api.wecom.inbox.Inbox.commit_replies`), under the message's lease:
two processes never both finish it. Every stream refresh reads the row, so any process
answers it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from api.wecom.robot_messages import StreamFrame, StreamImage, stream_id_for
from schema.app import create_app_schema, wecom_streams

PENDING = "正在查询…"
"""The first frame's content, shown until the answer replaces it."""


@dataclass(frozen=True)
class Stream:
    """One stream's state."""

    stream_id: str
    msg_id: str
    status: str
    content: str
    images: list[StreamImage]
    created_at: datetime

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    def frame(self) -> StreamFrame:
        """The reply to a refresh of this stream (the images with the final frame)."""
        return StreamFrame(
            id=self.stream_id, finish=self.finished, content=self.content, images=self.images
        )


class Streams:
    """The ``wecom_streams`` table."""

    def __init__(self, engine: Engine, *, create_schema: bool = True) -> None:
        self.engine = engine
        if create_schema:
            create_app_schema(engine)

    def open(self, msg_id: str, userid: str, chatid: str | None) -> Stream:
        """The stream of ``msg_id``, opened now (``working``) unless it exists."""
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(wecom_streams).values(
                        stream_id=stream_id_for(msg_id),
                        msg_id=msg_id,
                        userid=userid,
                        chatid=chatid,
                        status="working",
                        content=PENDING,
                        created_at=now,
                    )  # fmt: skip
                )
        except IntegrityError:
            pass  # a retry, or another process, opened it
        stream = self.of_message(msg_id)
        assert stream is not None
        return stream

    def get(self, stream_id: str) -> Stream | None:
        return self._one(wecom_streams.c.stream_id == stream_id)

    def of_message(self, msg_id: str) -> Stream | None:
        return self._one(wecom_streams.c.msg_id == msg_id)

    def _one(self, condition: object) -> Stream | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(wecom_streams).where(condition)).first()  # type: ignore[arg-type]
        if row is None:
            return None
        images = [StreamImage.model_validate(i) for i in json.loads(row.images or "[]")]
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return Stream(row.stream_id, row.msg_id, row.status, row.content, images, created)

    def in_flight(self, userid: str, window_s: float) -> int:
        """How many of ``userid``'s streams opened within ``window_s`` are still working."""
        since = datetime.now(UTC) - timedelta(seconds=window_s)
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        wecom_streams.c.userid == userid,
                        wecom_streams.c.status == "working",
                        wecom_streams.c.created_at >= since,
                    )
                ).scalar_one()
            )

    @staticmethod
    def finish_in(conn: Connection, msg_id: str, content: str, images: list[StreamImage]) -> None:
        """Finish the stream of ``msg_id`` inside the caller's transaction."""
        conn.execute(
            update(wecom_streams)
            .where(wecom_streams.c.msg_id == msg_id)
            .values(
                status="finished",
                content=content,
                images=json.dumps([i.model_dump() for i in images]),
                finished_at=datetime.now(UTC),
            )
        )
