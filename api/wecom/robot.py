"""The intelligent robot's answers: one to one in the asker's scope, in a group in the room's.

:class:`RobotChannel` composes the answer to a leased robot message (the worker calls it,
:mod:`api.wecom.worker`); the answer becomes the stream's final frame, written with the
message's ``replied`` mark (:mod:`api.wecom.streams`).

- **One to one**: the asker's question, answered as the asker (as the app channel does,
  in their conversation), as markdown within the stream's 20,480 bytes (cut at a line with
  a note when longer), and a department leaderboard's chart as the final image.
- **In a group** the answer may hold only what every member of the room may see: the room
  is one caller whose scope is the intersection of the members' scopes
  (:func:`tools.scope.shared_scope`; members from ``HRQ_WECOM_ROBOT_GROUPS``, the asker
  always among them). The question is answered for the room and for the asker. When both
  answers are the same (but for the asker's own row: their target in a leaderboard), the
  group gets it. When they differ, the asker gets their own
  answer one to one (through the self-built app, ``message/send``) and the group gets the
  room's answer, if it has rows, with a short note, or only the note. Without the app
  configured there is no one-to-one channel, and the note asks the asker to ask the robot
  one to one instead.
- **Too late for the stream**: WeCom refreshes a stream for 6 minutes
  (``HRQ_WECOM_ROBOT_STREAM_WINDOW_S``). An answer of a callback-mode message ready later
  is also sent through the message's ``response_url`` (主动回复消息, document 101138:
  one POST of ``{"msgtype": "markdown", "markdown": {"content"}}``, within an hour), queued
  in the outbox with the other replies (:func:`~api.wecom.outbox.response_draft`); the
  chart cannot go that way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from api.wecom.channel import WeComChannel, employee_no_of
from api.wecom.inbox import MAX_ATTEMPTS, Leased
from api.wecom.limits import truncate_markdown
from api.wecom.messages import WeComMessage
from api.wecom.outbox import Draft, image_draft, markdown_draft, response_draft
from api.wecom.render import FAILURE, HELP_TEXT, INACTIVE_SENDER, UNKNOWN_SENDER, render_answer
from api.wecom.robot_messages import (
    STREAM_CONTENT_LIMIT_BYTES,
    STREAM_WINDOW_S,
    StreamImage,
    fits_image,
)
from api.wecom.streams import Streams
from api.wecom.worker import Composition
from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.errors import CallerError
from schema.caller import Caller
from tools.scope import ROOM_NAME, shared_scope

log = logging.getLogger(__name__)

SENT_PRIVATELY = "🔒 这个问题的答案含有只有你能看到的内容，已私信发给你。"
MORE_PRIVATELY = "🔒 群里只显示所有成员都能看到的内容；你的完整结果已私信发给你。"
ASK_PRIVATELY = "🔒 这个问题的答案含有只有你能看到的内容，请在与我的单聊中提问。"


def _covers(shared: Answer, own: Answer, asker: Caller) -> bool:
    """Whether the room's answer says what the asker's does, but for details of the asker's
    own row (their target in a leaderboard): then the group's answer is the answer."""
    if (shared.kind, shared.answer, shared.columns) != (own.kind, own.answer, own.columns):
        return False
    if len(shared.rows) != len(own.rows):
        return False
    mine = asker.employee_no
    return all(
        a == b or (mine is not None and mine in a)
        for a, b in zip(own.rows, shared.rows, strict=True)
    )


def _has_rows(answer: Answer) -> bool:
    return answer.kind == "answer" and bool(answer.rows)


class RobotChannel:
    """Composes robot answers; ``private`` says whether one-to-one messages can be sent."""

    def __init__(
        self,
        assistant: Callable[[], Assistant],
        app_channel: WeComChannel,
        groups: dict[str, list[str]],
        *,
        private: bool,
        stream_window_s: float = STREAM_WINDOW_S,
    ) -> None:
        self._assistant = assistant
        self.app_channel = app_channel
        self.groups = groups
        self.private = private
        self.stream_window_s = stream_window_s
        self._streams = Streams(app_channel.inbox.engine, create_schema=False)

    def compose(self, leased: Leased) -> Composition:
        """The final frame of the message's stream, and any one-to-one messages."""
        message = leased.message
        msg_id = message.msg_id or ""
        outcome = "answered"
        images: list[StreamImage] = []
        drafts: list[Draft] = []
        if leased.attempt > MAX_ATTEMPTS:  # each earlier attempt ended with its process
            content, outcome = FAILURE, "failed"
        else:
            try:
                content, images, drafts = self.answer(message)
            except Exception:
                log.exception("composing the robot's answer failed")
                content, images, drafts, outcome = FAILURE, [], [], "failed"
        content = truncate_markdown(content, STREAM_CONTENT_LIMIT_BYTES)
        late = self._too_late(message)
        if late is not None:  # WeCom no longer refreshes the stream: answer via response_url
            drafts = [response_draft(message.from_user_name, late, content), *drafts]
        return Composition(
            drafts, outcome, lambda conn: Streams.finish_in(conn, msg_id, content, images)
        )

    def _too_late(self, message: WeComMessage) -> str | None:
        """The message's response_url when its stream's time limit has passed (callback mode:
        WeCom stopped asking for the stream), else None."""
        url = message.fields.get("response_url") or ""
        if message.fields.get("transport", "callback") != "callback" or not url:
            return None
        stream = self._streams.of_message(message.msg_id or "")
        if stream is None:
            return None
        age = (datetime.now(UTC) - stream.created_at).total_seconds()
        return url if age > self.stream_window_s else None

    def answer(self, message: WeComMessage) -> tuple[str, list[StreamImage], list[Draft]]:
        """(markdown, images) of the stream, and the one-to-one messages to the asker."""
        assistant = self._assistant()
        userid = message.from_user_name
        caller = self._caller(assistant, userid)
        if caller is None or isinstance(caller, str):
            return caller or UNKNOWN_SENDER, [], []
        question = (message.content or "").strip()
        if not question:
            return HELP_TEXT, [], []
        own = self.app_channel.ask(assistant, userid, caller, question)
        chatid = message.fields.get("chatid") or ""
        if message.fields.get("chattype") != "group" or not chatid:
            return self._render(own), self._images(assistant, caller, own), []
        room = self.room(assistant, chatid, userid, caller)
        if room == caller:
            return self._render(own), self._images(assistant, caller, own), []
        shared = assistant.ask(question, room, surface="wecom")
        if _covers(shared, own, caller):
            return self._render(shared), self._images(assistant, room, shared), []
        private: list[Draft] = []
        if self.private:
            private.append(
                markdown_draft(userid, render_answer(own, self.app_channel.public_base_url))
            )
            chart = self.app_channel.chart(assistant, caller, own)
            if chart is not None:
                private.append(image_draft(userid, chart, "leaderboard.png"))
        if not _has_rows(shared):
            return (SENT_PRIVATELY if self.private else ASK_PRIVATELY), [], private
        note = MORE_PRIVATELY if self.private else ASK_PRIVATELY
        return f"{self._render(shared)}\n\n{note}", self._images(assistant, room, shared), private

    def room(self, assistant: Assistant, chatid: str, asker: str, asker_caller: Caller) -> Caller:
        """The caller whose scope every member of the group shares (the asker included). A
        group with no member list, or with a member hrq cannot resolve, may see nothing."""
        members = self.groups.get(chatid)
        if not members:
            return shared_scope([asker_caller, _NOBODY])
        callers = [asker_caller]
        for userid in dict.fromkeys(members):
            if userid == asker:
                continue
            member = self._caller(assistant, userid)
            if not isinstance(member, Caller):
                return shared_scope([asker_caller, _NOBODY])
            callers.append(member)
        return shared_scope(callers)

    def _caller(self, assistant: Assistant, userid: str) -> Caller | str | None:
        """The caller of a WeCom userid; None (unknown) or the refusal text (inactive)."""
        employee_no = employee_no_of(assistant.warehouse, userid)
        if employee_no is None:
            return None
        try:
            return resolve_caller(
                employee_no, warehouse=assistant.warehouse, app=self.app_channel.inbox.engine
            )
        except CallerError:
            return INACTIVE_SENDER

    def _render(self, answer: Answer) -> str:
        return render_answer(
            answer, self.app_channel.public_base_url, limit=STREAM_CONTENT_LIMIT_BYTES
        )

    def _images(self, assistant: Assistant, caller: Caller, answer: Answer) -> list[StreamImage]:
        png = self.app_channel.chart(assistant, caller, answer)
        return [StreamImage.of(png)] if png is not None and fits_image(png) else []


#: A member hrq cannot resolve: the room then shares nothing but what anyone may see.
_NOBODY = Caller(role=shared_scope([]).role, employee_id=-2, name=ROOM_NAME)
