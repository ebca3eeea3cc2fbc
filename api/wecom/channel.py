"""The WeCom conversation: who sent a message, what to answer, and queueing the reply.

- The sender's userid is looked up in the warehouse (``employees.wecom_userid``)
  and resolved to a :class:`Caller` (role and scope) like any other surface;
  an unknown or inactive sender gets a polite refusal.
- A text message is a question for :meth:`Assistant.ask` (``surface="wecom"``),
  in the sender's conversation, so follow-ups work. Other message types and
  events get a short help text (events that are not user messages get nothing).
- A pressed "查看我的排名" button (``template_card_event``, from the app's callback or
  the robot's) answers the presser one to one with their own rank and gap
  (:mod:`api.wecom.my_rank`).
- A reply that is just a number picks an option of the previous clarification:
  the original question is asked again with the option's text appended.
- Answers go out as WeCom markdown; a department leaderboard also as a chart image.

The channel only composes the replies (:meth:`WeComChannel.replies`); the worker
queues them in the :class:`~api.wecom.outbox.Outbox` under the message's lease
(:meth:`~api.wecom.inbox.Inbox.commit_replies`) and sends them.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from api.wecom.cards import month_of_key
from api.wecom.inbox import Inbox
from api.wecom.messages import WeComMessage
from api.wecom.my_rank import my_rank_text
from api.wecom.outbox import Draft, image_draft, markdown_draft, response_draft, text_draft
from api.wecom.render import (
    HELP_TEXT,
    INACTIVE_SENDER,
    UNKNOWN_SENDER,
    render_answer,
)
from assistant.answer import Answer, Language
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.conversations import ConversationNotFoundError
from assistant.errors import CallerError
from schema.caller import Caller
from schema.errors import HrqError
from schema.warehouse import employees
from tools.leaderboard import leaderboard

log = logging.getLogger(__name__)

SILENT_EVENTS = frozenset({"enter_agent", "LOCATION", "view", "click"})
"""Events WeCom reports without the user writing anything: no reply."""
CARD_EVENT = "template_card_event"
"""A template card's button was pressed (模板卡片事件推送; :mod:`api.wecom.cards`)."""


def employee_no_of(warehouse: sa.Engine, userid: str) -> str | None:
    """The employee number whose ``wecom_userid`` is ``userid``, if any."""
    with warehouse.connect() as conn:
        return conn.execute(
            sa.select(employees.c.employee_no).where(employees.c.wecom_userid == userid)
        ).scalar_one_or_none()


class WeComChannel:
    """Answers WeCom messages. ``assistant`` is a provider, so it is built on first use."""

    def __init__(
        self,
        assistant: Callable[[], Assistant],
        inbox: Inbox,
        public_base_url: str | None = None,
    ) -> None:
        self._assistant = assistant
        self.inbox = inbox
        self.public_base_url = public_base_url

    def replies(self, message: WeComMessage) -> list[Draft]:
        """The replies to ``message`` (nothing is queued or sent here)."""
        userid = message.from_user_name
        if message.msg_type == "event" and (message.event or "") in SILENT_EVENTS:
            return []
        assistant = self._assistant()
        employee_no = employee_no_of(assistant.warehouse, userid)
        if employee_no is None:
            return [text_draft(userid, UNKNOWN_SENDER)]
        try:
            caller = resolve_caller(
                employee_no, warehouse=assistant.warehouse, app=self.inbox.engine
            )
        except CallerError:
            return [text_draft(userid, INACTIVE_SENDER)]
        if message.msg_type == "event" and message.event == CARD_EVENT:
            return self._card_pressed(assistant, userid, caller, message)
        if not message.is_text or not (message.content or "").strip():
            return [text_draft(userid, HELP_TEXT)]
        answer = self.ask(assistant, userid, caller, message.content or "")
        drafts = [markdown_draft(userid, render_answer(answer, self.public_base_url))]
        chart = self.chart(assistant, caller, answer)
        if chart is not None:
            drafts.append(image_draft(userid, chart, "leaderboard.png"))
        return drafts

    def _card_pressed(
        self, assistant: Assistant, userid: str, caller: Caller, message: WeComMessage
    ) -> list[Draft]:
        """A card's button was pressed: "查看我的排名" answers the presser one to one (a robot's
        card pressed in a one-to-one chat: through the event's response_url, which answers
        in that chat; elsewhere through the self-built app)."""
        month = month_of_key(message.fields.get("EventKey", ""))
        if month is None:
            return []
        text = my_rank_text(assistant.warehouse, caller, month, assistant.today(),
                            policy=assistant.policy, closes=assistant.snapshots())  # fmt: skip
        url = message.fields.get("response_url") or ""
        if message.fields.get("chattype") == "single" and url:
            return [response_draft(userid, url, text)]
        return [markdown_draft(userid, text)]

    def ask(self, assistant: Assistant, userid: str, caller: Caller, text: str) -> Answer:
        """Ask in the sender's conversation (a number answers the last clarification)."""
        conversation_id = self.inbox.conversation_of(userid)
        if conversation_id is not None and assistant.conversations is not None:
            try:
                assistant.conversations.check_owner(conversation_id, caller)
            except ConversationNotFoundError:  # the userid now belongs to someone else
                conversation_id = None
        try:  # a numbered reply resumes the last clarification's question (Assistant.ask)
            answer = assistant.ask(text, caller, conversation_id=conversation_id, surface="wecom")
        except HrqError as exc:  # an unreadable question (empty, too long, binary)
            language: Language = "en" if text.isascii() else "zh"
            answer = Answer(
                question=text[:200], language=language, kind="error", answer=str(exc),
                as_of=assistant.today(),
            )  # fmt: skip
        if answer.conversation_id and answer.conversation_id != conversation_id:
            self.inbox.set_conversation(userid, answer.conversation_id)
        return answer

    def chart(self, assistant: Assistant, caller: Caller, answer: Answer) -> bytes | None:
        """The leaderboard chart (PNG) of a one-department leaderboard answer, else None."""
        plan = answer.plan or {}
        if answer.kind != "answer" or answer.tool is None or plan.get("focus") != "leaderboard":
            return None
        month = answer.tool.arguments.get("month")
        department = answer.tool.arguments.get("department")
        if not isinstance(month, str) or not isinstance(department, int | str):
            return None
        try:
            with assistant.warehouse.connect() as conn:
                live = answer.closed is not None and answer.closed.source == "live"
                board = leaderboard(
                    conn, month, department, caller=caller, as_of=answer.as_of,
                    policy=assistant.policy, closes=assistant.snapshots(live),
                )  # fmt: skip
            with tempfile.TemporaryDirectory(prefix="hrq-chart-") as folder:
                path = board.render_png(Path(folder) / "leaderboard.png")
                return path.read_bytes()
        except Exception as exc:  # the chart is optional; the answer itself was queued
            log.warning("leaderboard chart skipped: %s", exc)
            return None
