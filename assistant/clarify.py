"""Ask back when the plan does not account for the whole question.

The clarification says which words were not understood, offers the planner's partial
reading restated in full, and for each unknown word the closest phrases of the
vocabulary (the semantic model's words and the warehouse's names) as readings to pick:
"你是想问「目标完成率」吗？". Suggestions never answer by themselves; a choice resumes the
question (:class:`assistant.plan.Choice`).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from assistant.accounting import Leftover
from assistant.gazetteer import Gazetteer
from assistant.plan import Choice, Clarify, QueryPlan, ToolPlan
from assistant.restate import restate
from schema.semantic import SemanticModel

#: How close (0-100) a vocabulary phrase must be to an unknown word to be suggested.
SUGGEST_CUTOFF = 60
MAX_SUGGESTIONS = 2


def unaccounted(
    text: str,
    language: str,
    reading: QueryPlan | ToolPlan,
    left: list[Leftover],
    model: SemanticModel,
    gazetteer: Gazetteer,
) -> Clarify:
    """A clarification for ``reading``, which leaves ``left`` of ``text`` unused."""
    words = list(dict.fromkeys(item.text.strip() for item in left if item.text.strip()))
    understood = restate(reading, model, gazetteer, language) or ""
    suggestions = _suggestions(text, left, gazetteer)
    choices = [
        Choice(label=f"{phrase}：{question}" if language == "zh" else f"{phrase}: {question}",
               question=question)
        for phrase, question in suggestions
    ]  # fmt: skip
    as_read = understood.split("：", 1)[-1] if language == "zh" else understood.split(": ", 1)[-1]
    choices.append(
        Choice(label=f"按这个理解回答：{as_read}" if language == "zh" else f"Answer as: {as_read}",
               plan=reading)
    )  # fmt: skip
    quoted_zh = "、".join(f"「{w}」" for w in words)
    quoted_en = ", ".join(f"'{w}'" for w in words)
    hint_zh = "".join(f"你是想问「{p}」吗？" for p, _ in suggestions[:1])
    hint_en = "".join(f" Did you mean '{p}'?" for p, _ in suggestions[:1])
    return Clarify(
        reason="unaccounted",
        reading=reading,
        message_zh=f"我没能理解问题中的{quoted_zh}。{hint_zh}我能确定的只有：{as_read}。"
        "请选择一个理解，或换个说法。",
        message_en=f"I could not place {quoted_en} in your question.{hint_en} What I could read: "
        f"{as_read}. Pick a reading or rephrase.",
        options=[c.label for c in choices],
        choices=choices,
    )


def _suggestions(text: str, left: list[Leftover], gazetteer: Gazetteer) -> list[tuple[str, str]]:
    """(phrase, question with the word replaced by it) for the unknown words."""
    phrases = [p for p in gazetteer.phrases if len(p) >= 2]
    out: list[tuple[str, str]] = []
    for item in left:
        word = item.text.strip()
        if item.why != "word" or len(word) < 2:
            continue
        for phrase, score, _ in process.extract(word, phrases, scorer=fuzz.ratio, limit=3):
            if score < SUGGEST_CUTOFF or phrase == word:
                continue
            question = text[: item.start] + phrase + text[item.end :]
            if all(p != phrase for p, _ in out):
                out.append((phrase, question))
            break
        if len(out) >= MAX_SUGGESTIONS:
            break
    return out
