"""Ask back when the plan does not account for the whole question.

The clarification says which words were not understood, offers the planner's partial
reading restated in full, and for each unknown word the closest phrases of the
vocabulary (the semantic model's words and the warehouse's names) as readings to pick:
"你是想问「目标完成率」吗？". Suggestions never answer by themselves; a choice resumes the
question (:class:`assistant.plan.Choice`).
"""

from __future__ import annotations

import re
from functools import partial

from rapidfuzz import fuzz, process

from assistant import lexicon as lx
from assistant.accounting import Leftover
from assistant.gazetteer import Gazetteer
from assistant.pinyin import pinyin
from assistant.plan import Choice, Clarify, QueryPlan, ToolPlan
from assistant.restate import restate
from assistant.typos import spans_around
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
    out: list[tuple[str, str]] = _sound_alike(text, left, gazetteer)
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


def _sound_alike(text: str, left: list[Leftover], gazetteer: Gazetteer) -> list[tuple[str, str]]:
    """中位树, 完成律, 最底: an unused Chinese word that, with the characters around it, sounds
    like a phrase of the vocabulary (a typing slip of the pinyin input method). The longest
    such span is offered, with the question it would make."""
    out: list[tuple[str, str]] = []
    for item in left:
        if item.why != "word":
            continue
        for a, b in spans_around(text, item):
            phrases = gazetteer.sounding_like(text[a:b])
            if phrases:
                out.append((phrases[0], text[:a] + phrases[0] + text[b:]))
                break
    return out[:MAX_SUGGESTIONS]


#: How close (0-100) a warehouse name must be to an unknown name to be offered.
NAME_CUTOFF = 50


def unknown_names(text: str, unexplained: str, language: str, gazetteer: Gazetteer) -> Clarify:
    """「西北销售部」, 'Tokyo sales team', 郭婷静: a name the warehouse lacks. Never widens the
    answer: asks back with the closest departments and people, in the question's language
    (a Chinese name for a misspelled pinyin one), or says nothing like it exists."""
    words = _name_like(unexplained)
    word = words[0] if words else unexplained.strip()
    close = _closest_names(word, language, gazetteer) if word else []
    zh = language == "zh"
    choices = [Choice(label=name, question=text.replace(word, name, 1)) for name in close]
    if close:
        return Clarify(
            reason="unknown",
            message_zh=f"没有找到「{word}」。你是不是要找：{'、'.join(close)}？",
            message_en=f"I found nothing called '{word}'. Did you mean: {', '.join(close)}?",
            options=[c.label for c in choices],
            choices=choices,
        )
    return Clarify(
        reason="unknown",
        message_zh=f"没有找到「{word}」这个部门或员工，请检查名称"
        + ("，或换个问法。" if zh else "。"),
        message_en=f"I found no department or person called '{word}'; check the name or rephrase.",
    )


#: Particles that end a name (李四的业绩, 西北销售部呢).
_PARTICLES = re.compile(r"[的了吗呢吧啊呀和跟与在是有都]")


def _name_like(unexplained: str) -> list[str]:
    """Runs of the unexplained text that may be names: Chinese words, Latin word groups."""
    runs = re.findall(r"[\u4e00-\u9fff]{2,}|[a-z][a-z' -]*[a-z]", _PARTICLES.sub(" ", unexplained))
    out = []
    for run in runs:
        if run.isascii():
            run = lx.FILLER_PATTERN.sub(" ", run).strip()
        elif lx.FILLER_PATTERN.fullmatch(run):
            continue  # 怎么样: scaffolding, not a name
        else:
            run = _PLACE_WORDS.sub("", run)  # 东京那边 -> 东京
        if len(run) >= 2:
            out.append(run)
    return out


#: Words that follow a place or team without being part of its name.
_PLACE_WORDS = re.compile(r"(?:那边|这边|那个|这个|那里|这里)$")


def _closest_names(word: str, language: str, gazetteer: Gazetteer) -> list[str]:
    """Departments and people whose names are like ``word``: by characters, and for a
    Latin word by the pinyin of Chinese names; shown in the question's language."""
    latin = word.isascii()
    shown, keys = gazetteer.derived(
        ("closest names", language == "zh", latin),
        partial(_name_keys, gazetteer, language == "zh", latin),
    )
    found = process.extract(
        word, keys, scorer=fuzz.WRatio if word.isascii() else fuzz.ratio, limit=6
    )
    names: list[str] = []
    for key, score, _ in found:
        if score >= NAME_CUTOFF and shown[key] not in names:
            names.append(shown[key])
    return names[:3]


def _name_keys(gazetteer: Gazetteer, zh: bool, latin: bool) -> tuple[dict[str, str], list[str]]:
    """What names are compared by (-> what is shown) and the keys a word of that script is
    compared with; built once per gazetteer (pinyin of 100,000 names takes seconds)."""
    shown: dict[str, str] = {}  # what is compared -> what is shown
    for d in gazetteer.departments.values():
        label = d.name if zh or not d.name_en else d.name_en
        shown[d.name] = label
        if d.name_en:
            shown[d.name_en.lower()] = label
    for e in gazetteer.employees.values():
        label = f"{e.name}（{e.extra}）" if e.extra else e.name
        shown[e.name] = label
        if latin:
            shown[" ".join(pinyin(e.name))] = label
        if e.name_en:
            shown[e.name_en.lower()] = label
    return shown, [k for k in shown if k.isascii() == latin]
