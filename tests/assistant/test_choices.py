"""A reply to a clarification picks a choice by number or by its option's text."""

from __future__ import annotations

import pytest

from assistant.plan import Choice, Clarify, chosen

CLARIFY = Clarify(
    message_zh="有2位员工叫「张伟」，请问是哪一位？",
    message_en="2 employees are called 张伟; which one?",
    options=["张伟（华南销售部）", "张伟（华北销售部）"],
    choices=[
        Choice(label="张伟（华南销售部）", question="张伟上个月的业绩", pins={"张伟": 31}),
        Choice(label="张伟（华北销售部）", question="张伟上个月的业绩", pins={"张伟": 52}),
    ],
).model_dump(mode="json")


@pytest.mark.parametrize(
    ("reply", "pin"),
    [
        ("1", 31), (" 2 ", 52), ("2.", 52), ("第2个", 52), ("选1", 31), ("option 2", 52),
        ("张伟（华北销售部）", 52), ("华南", 31),
        ("3", None), ("0", None), ("张伟", None), ("上个月华北销售部的业绩", None),
    ],
)  # fmt: skip
def test_a_reply_picks_a_choice(reply: str, pin: int | None) -> None:
    choice = chosen(reply, CLARIFY)
    assert (choice.pins["张伟"] if choice else None) == pin


def test_only_a_clarification_offers_choices() -> None:
    assert chosen("1", None) is None
    assert chosen("1", {"kind": "query", "metrics": ["sales"]}) is None
    assert chosen("1", {**CLARIFY, "choices": []}) is None
