"""Reading a dispute into a :class:`DisputePlan`: 我的奖金不对, my bonus is wrong.

A claim word (``disputes.claims`` in ``schema/semantic.yaml``) beside the bonus (the
``bonus`` or ``bonus_eligible`` concept) or a statement word (``disputes.documents``),
outside a word that asks whether it is right (``disputes.questions``: 对不对), is a dispute of the asker's bonus of a closed month: the month named (a month only),
else the latest one closed with them on the roster. The reason is what follows a
reason word (因为, because), else the message's other clauses (我的奖金不对，10月25日
那笔订单没算进去), as written. Only the person whose bonus it is may dispute it.
"""

from __future__ import annotations

import re

from assistant.normalize import normalize
from assistant.plan import Choice, Clarify, DisputePlan, Plan, Refuse
from assistant.reading import Understanding
from schema.caller import Caller
from schema.semantic import DisputeWords

_BONUS = frozenset({"bonus", "bonus_eligible"})
#: Where one clause of a message ends.
_CLAUSES = re.compile(r"[，,。！!？?；;：:\n]+|\s+[-–—]+\s+|\.\s+")
MAX_REASON_CHARS = 500


def _pattern(words: list[str]) -> re.Pattern[str] | None:
    """One pattern of the words, longest first; Latin words whole."""
    if not words:
        return None
    parts = [
        rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


def is_dispute(u: Understanding, words: DisputeWords) -> bool:
    """A claim that the bonus (or the statement) is wrong."""
    claims = _pattern(words.claims)
    asking = _pattern(words.questions)
    text = u.text if asking is None else asking.sub(lambda m: " " * len(m.group(0)), u.text)
    if claims is None or not claims.search(text):
        return False
    documents = _pattern(words.documents)
    return bool(set(u.values_of("concept")) & _BONUS) or bool(
        documents is not None and documents.search(u.text)
    )


def reason_of(question: str, words: DisputeWords) -> str | None:
    """The reason given, in the asker's words, or None."""
    text = question.strip()
    marker = _pattern(words.reasons)
    found = marker.search(text) if marker is not None else None
    if found is not None:
        reason = text[found.end() :]
    else:
        claims = _pattern(words.claims)
        clauses = [c.strip() for c in _CLAUSES.split(text) if c.strip()]
        claim = next((c for c in clauses if claims is not None and claims.search(c)), None)
        reason = "；".join(c for c in clauses if c is not claim)
    reason = reason.strip(" ，,。.！!？?；;：:-–—\n\t")
    return reason[:MAX_REASON_CHARS] or None


def dispute_plan(
    question: str,
    u: Understanding,
    departments: list[int],
    employees: list[int],
    caller: Caller,
    words: DisputeWords,
) -> Plan | None:
    """The dispute of ``question``, a refusal (someone else's bonus, nobody asking), a
    clarification (a period that is not a month), or None when it is no dispute."""
    if not is_dispute(u, words):
        return None
    if caller.employee_id is None:
        return Refuse(
            reason="dispute_nobody",
            message_zh="奖金异议由本人提出：请用你自己的账号（企业微信或 API 密钥）发送。",
            message_en="A bonus is disputed by its owner: send this from your own account "
            "(WeCom or your API key).",
        )
    about_others = bool(departments) or "team" in u.values_of("self")  # 我们部门的奖金不对
    if about_others or any(e != caller.employee_id for e in employees):
        return Refuse(
            reason="dispute_others",
            message_zh="只能对自己的奖金提出异议；同事的奖金请由本人提出，或联系 HR。",
            message_en="You may dispute only your own bonus; a colleague raises their own, "
            "or contacts HR.",
        )
    reason = reason_of(question, words)
    period = u.period
    if period is not None and period.grain == "day" and u.period_span and reason:
        a, b = u.period_span
        if u.text[a:b] in normalize(reason):  # 10月25日那笔订单没算进去: the order's day
            period = None
    if period is not None and period.grain != "month":
        return Clarify(
            message_zh="奖金按自然月结算，请说明是哪个月的奖金（例如“上个月的奖金不对”）。",
            message_en="Bonuses are settled by month: which month's bonus do you dispute "
            "(e.g. 'my bonus last month is wrong')?",
            options=["上个月"],
            choices=[Choice(label="上个月", question=f"上个月{question}")],
        )
    return DisputePlan(
        month=period.start if period is not None else None,
        employee=caller.employee_id,
        reason=reason,
    )
