"""The robot's message shapes (WeCom's documented samples), its crypto and its reply envelope."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from api.wecom.crypto import WeComCrypto, sign
from api.wecom.errors import MessageFormatError, ReceiveIdError
from api.wecom.robot_messages import (
    StreamFrame,
    StreamImage,
    encrypted_reply,
    inbox_message,
    is_robot,
    parse_robot_message,
    question_text,
    stream_id_for,
)

# The samples of 接收消息 (document 100719), verbatim but for the ids.
TEXT = {
    "msgid": "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", "aibotid": "AIBOTID", "chatid": "CHATID",
    "chattype": "group", "from": {"userid": "USERID"}, "response_url": "RESPONSEURL",
    "msgtype": "text", "text": {"content": "@RobotA hello robot"},
    "quote": {"msgtype": "text", "text": {"content": "这是今日的测试情况"}},
}  # fmt: skip
MIXED = {
    "msgid": "CAIQrcjMjQYY/NGagIOAgAMg6PDc/w0=", "aibotid": "AIBOTID", "chatid": "CHATID",
    "chattype": "group", "from": {"userid": "USERID"}, "response_url": "RESPONSEURL",
    "msgtype": "mixed", "mixed": {"msg_item": [
        {"msgtype": "text", "text": {"content": "@机器人 这是今日的测试情况"}},
        {"msgtype": "image", "image": {"url": "https://example.invalid/x"}}]},
}  # fmt: skip
REFRESH = {
    "msgid": "CAIQz7/MjQYY/NGagIOAgAMgl8jK/gI=", "aibotid": "AIBOTID", "chatid": "CHATID",
    "chattype": "group", "from": {"userid": "USERID"}, "msgtype": "stream",
    "stream": {"id": "STREAMID"},
}  # fmt: skip
ENTER = {
    "msgid": "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", "create_time": 1700000000, "aibotid": "AIBOTID",
    "from": {"corpid": "wpxxxx", "userid": "USERID"}, "msgtype": "event",
    "event": {"eventtype": "enter_chat"},
}  # fmt: skip


def test_documented_samples_parse() -> None:
    text = parse_robot_message(json.dumps(TEXT))
    assert (text.msgid, text.userid, text.chatid, text.in_group) == (
        TEXT["msgid"],
        "USERID",
        "CHATID",
        True,
    )
    assert question_text(text.content, text.in_group) == "hello robot"
    mixed = parse_robot_message(json.dumps(MIXED, ensure_ascii=False))
    assert question_text(mixed.content, True) == "这是今日的测试情况"
    refresh = parse_robot_message(json.dumps(REFRESH))
    assert (refresh.msgtype, refresh.stream_id) == ("stream", "STREAMID")
    enter = parse_robot_message(json.dumps(ENTER))
    assert (enter.msgtype, enter.eventtype, enter.chattype) == ("event", "enter_chat", "single")


@pytest.mark.parametrize(
    "plaintext",
    ["{", "[]", json.dumps({"msgtype": "text"}), json.dumps({"msgid": "1", "msgtype": "text"}),
     json.dumps({"msgid": "1", "msgtype": "text", "from": "USERID"})],
)  # fmt: skip
def test_malformed_callbacks_are_format_errors(plaintext: str) -> None:
    with pytest.raises(MessageFormatError):
        parse_robot_message(plaintext)


def test_one_to_one_keeps_the_text_and_the_inbox_key_is_apart_from_the_apps() -> None:
    single = parse_robot_message(json.dumps(TEXT | {"chattype": "single"}))
    assert question_text(single.content, single.in_group) == "@RobotA hello robot"
    kept = inbox_message(single, "hello")
    assert kept.msg_id == "robot:" + TEXT["msgid"] and is_robot(kept)
    assert stream_id_for(kept.msg_id or "") == stream_id_for("robot:" + TEXT["msgid"])


def test_the_published_signature_scheme_and_the_empty_receive_id(vectors: dict[str, Any]) -> None:
    """The robot signs as the app does (the published JSON vector's signature is the SHA-1 of
    token, timestamp, nonce and ciphertext), but its receive id is "" (document 101033): a
    message framed for a corp id is refused."""
    v = vectors["json_message"]
    assert sign(vectors["token"], v["timestamp"], v["nonce"], v["encrypt"]) == v["msg_signature"]
    robot = WeComCrypto.for_robot(vectors["token"], vectors["encoding_aes_key"], 0)
    with pytest.raises(ReceiveIdError):
        robot.decrypt_message(v["msg_signature"], v["timestamp"], v["nonce"], v["encrypt"])
    encrypted, signature = robot.encrypt_message(json.dumps(TEXT), "1372623149", 1409659813)
    assert (
        json.loads(robot.decrypt_message(signature, "1409659813", "1372623149", encrypted)) == TEXT
    )


def test_reply_envelope_and_stream_frames(vectors: dict[str, Any]) -> None:
    robot = WeComCrypto.for_robot(vectors["token"], vectors["encoding_aes_key"], 0)
    png = b"\x89PNG\r\n\x1a\n" + b"chart"
    frame = StreamFrame(id="s1", finish=True, content="**答案**", images=[StreamImage.of(png)])
    reply = encrypted_reply(robot, frame.plaintext(), nonce="42", timestamp=1641002400)
    assert (
        set(reply) == {"encrypt", "msgsignature", "timestamp", "nonce"} and reply["nonce"] == "42"
    )
    assert reply["msgsignature"] == sign(vectors["token"], "1641002400", "42", reply["encrypt"])
    plain = json.loads(robot.decrypt(reply["encrypt"]))
    item = plain["stream"]["msg_item"][0]
    assert plain["msgtype"] == "stream" and item["msgtype"] == "image"
    assert base64.b64decode(item["image"]["base64"]) == png
    assert item["image"]["md5"] == hashlib.md5(png).hexdigest()  # noqa: S324
    working = StreamFrame(id="s1", finish=False, content="…", images=[StreamImage.of(png)])
    assert "msg_item" not in working.plaintext()["stream"]  # images only when finished
