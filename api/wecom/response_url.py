"""Posting a reply to a robot message's ``response_url`` (智能机器人 › 主动回复消息, document 101138).

Each robot message carries a ``response_url``: a one-time URL, valid for an hour, to which
hrq may POST one reply later, as plain JSON (not encrypted, no access token):
``{"msgtype": "markdown", "markdown": {"content"}}`` (content up to 20,480 bytes of UTF-8)
or a ``template_card``. WeCom answers ``{"errcode": 0, "errmsg": "ok"}``. hrq uses it when
a stream can no longer be continued (its time limit passed, :mod:`api.wecom.robot`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from api.wecom.errors import WeComApiError, WeComNetworkError

RESPONSE_LIMIT_BYTES = 20_480
API = "aibot/response"


def post_response(url: str, body: dict[str, Any], timeout_s: float = 10.0) -> str:
    """POST ``body`` to ``url``; WeCom's answer as JSON. WeComNetworkError when it cannot be
    reached (retried by the outbox), WeComApiError on a non-zero errcode."""
    try:
        response = httpx.post(url, json=body, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise WeComNetworkError(API, type(exc).__name__) from exc
    try:
        answer: Any = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400 or not isinstance(answer, dict):
        raise WeComApiError(API, -1, f"HTTP {response.status_code}", response.status_code)
    if answer.get("errcode", 0) != 0:
        raise WeComApiError(API, int(answer["errcode"]), str(answer.get("errmsg", "")))
    return json.dumps(answer, ensure_ascii=False)
