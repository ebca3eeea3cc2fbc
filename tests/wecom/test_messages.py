"""Callback bodies and decrypted messages: typed on success, MessageFormatError otherwise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.wecom.errors import BodyTooLargeError, MessageFormatError
from api.wecom.messages import (
    CallbackEnvelope,
    callback_xml,
    parse_callback_json,
    parse_callback_xml,
    parse_message_json,
    parse_message_xml,
    text_message_xml,
)

ENVELOPE = (
    "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>"
    "<Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo]]></Encrypt>"
    "<AgentID><![CDATA[1000002]]></AgentID></xml>"
)

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><Encrypt>&lol4;</Encrypt></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Encrypt>&xxe;</Encrypt></xml>"""


def test_envelope_is_parsed() -> None:
    assert parse_callback_xml(ENVELOPE.encode()) == CallbackEnvelope(
        encrypt="RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo",
        to_user_name="ww1436e0e65a779aee",
        agent_id="1000002",
    )


def test_envelope_round_trips_through_callback_xml() -> None:
    body = callback_xml(to_user="wwcorp", encrypted="abc+/=", agent_id=1000002)
    assert parse_callback_xml(body) == CallbackEnvelope(
        encrypt="abc+/=", to_user_name="wwcorp", agent_id="1000002"
    )


def test_json_envelope_is_parsed() -> None:
    body = '{"ToUserName": "wwcorp", "Encrypt": "abc", "AgentID": 1000002}'
    assert parse_callback_json(body) == CallbackEnvelope(
        encrypt="abc", to_user_name="wwcorp", agent_id="1000002"
    )


@given(content=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))))
@settings(max_examples=100, deadline=None)
def test_text_message_round_trips_any_printable_content(content: str) -> None:
    xml = text_message_xml(
        to_user="wwcorp", from_user="zhangsan", content=content, msg_id=7, agent_id=1, create_time=9
    )
    message = parse_message_xml(xml)
    assert (message.content, message.from_user_name, message.msg_id) == (content, "zhangsan", "7")


def test_json_message_is_parsed() -> None:
    body = (
        '{"ToUserName": "wwcorp", "FromUserName": "lisi", "CreateTime": 1409659813,'
        ' "MsgType": "text", "Content": "hello", "MsgId": 4561255354251345929, "AgentID": 218}'
    )
    message = parse_message_json(body)
    assert (message.msg_type, message.from_user_name, message.content) == ("text", "lisi", "hello")
    assert (message.msg_id, message.agent_id, message.create_time) == (
        "4561255354251345929",
        218,
        1409659813,
    )


def test_event_message_has_no_content() -> None:
    xml = (
        "<xml><ToUserName>wwcorp</ToUserName><FromUserName>lisi</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event>"
        "<AgentID>1</AgentID></xml>"
    )
    message = parse_message_xml(xml)
    assert (message.msg_type, message.event, message.content, message.is_text) == (
        "event",
        "enter_agent",
        None,
        False,
    )


REJECTED_XML: list[tuple[str, str, str]] = [
    ("empty", "", "malformed"),
    ("not xml", "hello", "malformed"),
    ("unclosed", "<xml><Encrypt>abc</Encrypt>", "malformed"),
    ("mismatched", "<xml><Encrypt>abc</Other></xml>", "malformed"),
    ("two roots", "<xml></xml><xml></xml>", "malformed"),
    ("undeclared entity", "<xml><Encrypt>&foo;</Encrypt></xml>", "malformed"),
    ("wrong root", "<root><Encrypt>abc</Encrypt></root>", "root"),
    ("no Encrypt", "<xml><ToUserName>a</ToUserName></xml>", "Encrypt"),
    ("empty Encrypt", "<xml><Encrypt></Encrypt></xml>", "Encrypt"),
    ("billion laughs", BILLION_LAUGHS, "DTD"),
    ("external entity", EXTERNAL_ENTITY, "DTD"),
    ("bare doctype", '<!DOCTYPE xml SYSTEM "http://127.0.0.1:1/x.dtd"><xml/>', "DTD"),
    ("invalid utf-8", "<xml><Encrypt>\udcff</Encrypt></xml>", "malformed"),
]


@pytest.mark.parametrize(
    ("label", "body", "reason"), REJECTED_XML, ids=[c[0] for c in REJECTED_XML]
)
def test_bad_callback_xml_is_rejected(label: str, body: str, reason: str) -> None:
    raw = body.encode("utf-8", "surrogateescape")
    with pytest.raises(MessageFormatError, match=reason):
        parse_callback_xml(raw)


REJECTED_MESSAGES: list[tuple[str, str, str]] = [
    (
        "no MsgType",
        "<xml><FromUserName>a</FromUserName><CreateTime>1</CreateTime></xml>",
        "MsgType",
    ),
    ("no sender", "<xml><MsgType>text</MsgType><CreateTime>1</CreateTime></xml>", "FromUserName"),
    (
        "bad CreateTime",
        "<xml><MsgType>text</MsgType><FromUserName>a</FromUserName><CreateTime>x</CreateTime></xml>",
        "CreateTime",
    ),
    (
        "bad AgentID",
        "<xml><MsgType>text</MsgType><FromUserName>a</FromUserName><CreateTime>1</CreateTime>"
        "<AgentID>-1</AgentID></xml>",
        "AgentID",
    ),
]


@pytest.mark.parametrize(
    ("label", "body", "reason"), REJECTED_MESSAGES, ids=[c[0] for c in REJECTED_MESSAGES]
)
def test_incomplete_message_is_rejected(label: str, body: str, reason: str) -> None:
    with pytest.raises(MessageFormatError, match=reason):
        parse_message_xml(body)


@pytest.mark.parametrize("body", ["", "{", "[1, 2]", '"text"', "null", '{"a": 1', "\ud800"])
def test_bad_json_is_rejected(body: str) -> None:
    with pytest.raises(MessageFormatError):
        parse_callback_json(body.encode("utf-8", "surrogatepass"))
    with pytest.raises(MessageFormatError):
        parse_message_json(body)


def test_deeply_nested_json_is_rejected_cleanly() -> None:
    with pytest.raises(MessageFormatError):
        parse_message_json("[" * 100_000 + "]" * 100_000)


def test_oversized_body_is_rejected_before_parsing() -> None:
    body = "<xml><Encrypt>" + "A" * 300_000 + "</Encrypt></xml>"
    with pytest.raises(BodyTooLargeError):
        parse_callback_xml(body.encode())
    with pytest.raises(BodyTooLargeError):
        parse_callback_json('{"Encrypt": "' + "A" * 300_000 + '"}')
    small = "<xml><Encrypt>abc</Encrypt></xml>"
    with pytest.raises(BodyTooLargeError):
        parse_callback_xml(small, max_bytes=10)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_message_format_errors(body: bytes) -> None:
    for parse in (parse_callback_xml, parse_callback_json):
        try:
            parse(body)
        except MessageFormatError:
            pass
