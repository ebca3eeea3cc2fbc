"""Callback bodies and decrypted messages: bounded, DTD-free parsing into typed models.

A WeCom callback POST carries an envelope::

    <xml><ToUserName><![CDATA[corp]]></ToUserName><Encrypt><![CDATA[...]]></Encrypt>
    <AgentID><![CDATA[1000002]]></AgentID></xml>

(or the JSON variant ``{"ToUserName": ..., "Encrypt": ..., "AgentID": ...}``); the
decrypted ``Encrypt`` is the message itself, again XML (or JSON), with
``MsgType``, ``FromUserName``, ``Content``, ``MsgId``, ``CreateTime``, ``AgentID``.

XML is parsed with the stdlib expat parser, refusing any DTD (so no entity can be
declared: no billion laughs, no external entities); every parse is bounded in size.
Every failure is a :class:`MessageFormatError`, never another exception.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from xml.parsers import expat

from pydantic import BaseModel, ConfigDict, Field

from api.wecom.errors import BodyTooLargeError, MessageFormatError

MAX_BODY_BYTES = 256 * 1024
"""Largest callback body (or decrypted message) accepted, in bytes."""


class CallbackEnvelope(BaseModel):
    """The outer, still encrypted, callback body."""

    model_config = ConfigDict(frozen=True)

    encrypt: str
    to_user_name: str | None = None
    agent_id: str | None = None


class WeComMessage(BaseModel):
    """A decrypted callback message (a text message, another message type or an event)."""

    model_config = ConfigDict(frozen=True)

    msg_type: str
    from_user_name: str
    to_user_name: str | None = None
    create_time: int
    content: str | None = None
    msg_id: str | None = None
    agent_id: int | None = None
    event: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)
    """Every top-level field as text, for message types without a typed attribute."""

    @property
    def is_text(self) -> bool:
        return self.msg_type == "text"


class _ForbiddenXml(Exception):
    """Raised inside expat handlers when the document declares a DTD or entities."""


def _forbid(*_args: object) -> None:
    raise _ForbiddenXml


def _bounded(data: bytes | str, max_bytes: int) -> bytes:
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
    except UnicodeEncodeError as exc:  # lone surrogates
        raise MessageFormatError("WeCom payload is not valid Unicode") from exc
    if len(raw) > max_bytes:
        raise BodyTooLargeError(f"WeCom payload larger than {max_bytes} bytes")
    return raw


def parse_xml(data: bytes | str, max_bytes: int = MAX_BODY_BYTES) -> ET.Element:
    """Parse a small XML document safely: no DTD, no entity declarations, bounded size."""
    raw = _bounded(data, max_bytes)
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid  # type: ignore[assignment]
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(raw, True)
        return builder.close()
    except _ForbiddenXml:
        raise MessageFormatError("XML with a DTD or entity declarations is not accepted") from None
    except (expat.ExpatError, ValueError, AssertionError) as exc:
        raise MessageFormatError("malformed XML in WeCom payload") from exc


def _flat_fields(root: ET.Element) -> dict[str, str]:
    if root.tag != "xml":
        raise MessageFormatError("WeCom XML root element must be <xml>")
    return {child.tag: child.text or "" for child in root}


def _json_fields(data: bytes | str, max_bytes: int) -> dict[str, str]:
    raw = _bounded(data, max_bytes)
    try:
        value: Any = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise MessageFormatError("malformed JSON in WeCom payload") from exc
    if not isinstance(value, dict):
        raise MessageFormatError("WeCom JSON payload must be an object")
    fields: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, str | int | float | bool) or item is None:
            fields[key] = "" if item is None else str(item)
    return fields


def _envelope(fields: dict[str, str]) -> CallbackEnvelope:
    encrypt = fields.get("Encrypt") or fields.get("encrypt")
    if not encrypt:
        raise MessageFormatError("WeCom callback body has no Encrypt field")
    return CallbackEnvelope(
        encrypt=encrypt,
        to_user_name=fields.get("ToUserName") or None,
        agent_id=fields.get("AgentID") or None,
    )


def _message(fields: dict[str, str]) -> WeComMessage:
    missing = [name for name in ("MsgType", "FromUserName", "CreateTime") if not fields.get(name)]
    if missing:
        raise MessageFormatError(f"WeCom message lacks {', '.join(missing)}")
    create_time = fields["CreateTime"]
    agent_id = fields.get("AgentID") or None
    if not create_time.isdigit() or (agent_id is not None and not agent_id.isdigit()):
        raise MessageFormatError("WeCom message has a non-numeric CreateTime or AgentID")
    return WeComMessage(
        msg_type=fields["MsgType"],
        from_user_name=fields["FromUserName"],
        to_user_name=fields.get("ToUserName") or None,
        create_time=int(create_time),
        content=fields.get("Content"),
        msg_id=fields.get("MsgId") or None,
        agent_id=int(agent_id) if agent_id is not None else None,
        event=fields.get("Event") or None,
        fields=fields,
    )


def parse_callback_xml(body: bytes | str, max_bytes: int = MAX_BODY_BYTES) -> CallbackEnvelope:
    """The envelope of an XML callback body."""
    return _envelope(_flat_fields(parse_xml(body, max_bytes)))


def parse_callback_json(body: bytes | str, max_bytes: int = MAX_BODY_BYTES) -> CallbackEnvelope:
    """The envelope of a JSON callback body."""
    return _envelope(_json_fields(body, max_bytes))


def parse_message_xml(plaintext: str, max_bytes: int = MAX_BODY_BYTES) -> WeComMessage:
    """A decrypted XML message as a typed model."""
    return _message(_flat_fields(parse_xml(plaintext, max_bytes)))


def parse_message_json(plaintext: str, max_bytes: int = MAX_BODY_BYTES) -> WeComMessage:
    """A decrypted JSON message as a typed model (malformed JSON: MessageFormatError)."""
    return _message(_json_fields(plaintext, max_bytes))


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def xml_document(fields: dict[str, str | int]) -> str:
    """A flat WeCom-style ``<xml>`` document; string values as CDATA, numbers bare."""
    parts = []
    for name, value in fields.items():
        text = str(value) if isinstance(value, int) else _cdata(value)
        parts.append(f"<{name}>{text}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_message_xml(
    *,
    to_user: str,
    from_user: str,
    content: str,
    msg_id: int | str,
    agent_id: int,
    create_time: int,
) -> str:
    """The plaintext XML of a text message, as WeCom sends it to an app."""
    return xml_document(
        {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": create_time,
            "MsgType": "text",
            "Content": content,
            "MsgId": str(msg_id),
            "AgentID": agent_id,
        }
    )


def callback_xml(*, to_user: str, encrypted: str, agent_id: int | str) -> str:
    """The XML body of a callback POST, as WeCom sends it."""
    return xml_document({"ToUserName": to_user, "Encrypt": encrypted, "AgentID": str(agent_id)})
