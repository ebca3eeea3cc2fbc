"""The WeCom API client: access token, app messages, image upload and group robots.

Behaviour on failure, in order:

- errcode 40014, 42001, 42007 or 42009 (token invalid or expired): the cached
  token is dropped, a new one fetched and the call repeated, once.
- errcode 45009 (rate limit) or -1 (system busy), HTTP 5xx, and network errors
  (connection refused, timeout): retried with exponential backoff, at most
  ``RetryPolicy.retries`` times; then :class:`WeComApiError` (API or HTTP errors)
  or :class:`WeComNetworkError` (network) is raised for the caller (the outbox)
  to keep the message.
- any other errcode: :class:`WeComApiError` at once.

Error messages name the API and errcode only: never the secret, the access
token or a robot key (which travel in the query string).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from api.wecom.errors import WeComApiError, WeComConfigError, WeComNetworkError
from api.wecom.limits import (
    Clock,
    RetryPolicy,
    SystemClock,
    WebhookLimiter,
    truncate_markdown,
)
from api.wecom.responses import AccessToken, ApiResult, MediaUpload, SendResult
from schema.settings import Settings

TOKEN_ERRCODES = frozenset({40014, 42001, 42007, 42009})
"""errcodes after which a fresh access token is fetched and the call repeated once."""

RETRYABLE_ERRCODES = frozenset({45009, -1})
"""errcodes retried with backoff: rate limit and 'system busy'."""

MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""WeCom accepts images of 5 bytes to 10 MB."""

R = TypeVar("R", bound=ApiResult)


class WeComClient:
    """A client of one WeCom app (corp id, secret, agent id). Thread-safe; close when done."""

    def __init__(
        self,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        base_url: str = "https://qyapi.weixin.qq.com",
        timeout_s: float = 10.0,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        token_margin_s: float = 300.0,
        webhook_limiter: WebhookLimiter | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        if not corp_id or not secret:
            raise WeComConfigError("a WeCom client needs the corp id and the app secret")
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.base_url = base_url.rstrip("/")
        self._secret = secret
        self._retry = retry or RetryPolicy()
        self._clock: Clock = clock or SystemClock()
        self._margin_s = token_margin_s
        self._limiter = webhook_limiter or WebhookLimiter(clock=self._clock)
        self._http = http or httpx.Client(timeout=timeout_s)
        self._owns_http = http is None
        self._token: str | None = None
        self._token_valid_until = 0.0
        self._token_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> WeComClient:
        """The client of the configured app; WeComConfigError when a setting is missing."""
        if not settings.wecom_corp_id or settings.wecom_secret is None:
            raise WeComConfigError("set HRQ_WECOM_CORP_ID and HRQ_WECOM_SECRET to send to WeCom")
        if settings.wecom_agent_id is None:
            raise WeComConfigError("set HRQ_WECOM_AGENT_ID to send to WeCom")
        return cls(
            settings.wecom_corp_id,
            settings.wecom_secret.get_secret_value(),
            settings.wecom_agent_id,
            base_url=settings.wecom_api_base,
            **options,
        )

    def __repr__(self) -> str:
        return f"WeComClient(corp_id={self.corp_id!r}, agent_id={self.agent_id}, base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the HTTP connections (only if this client created them)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WeComClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- access token ----------------------------------------------------------

    def access_token(self) -> str:
        """The cached access token, fetched from ``gettoken`` when missing or about to expire."""
        with self._token_lock:
            if self._token is not None and self._clock.now() < self._token_valid_until:
                return self._token
            fetched = self._call(
                "gettoken",
                "GET",
                AccessToken,
                params={"corpid": self.corp_id, "corpsecret": self._secret},
                with_token=False,
            )
            margin = min(self._margin_s, fetched.expires_in / 2)
            self._token = fetched.access_token
            self._token_valid_until = self._clock.now() + fetched.expires_in - margin
            return self._token

    def _drop_token(self, token: str) -> None:
        with self._token_lock:
            if self._token == token:
                self._token = None

    # -- app messages ----------------------------------------------------------

    def send_text(self, touser: str | Sequence[str], content: str) -> SendResult:
        """Send a text message to users (WeCom truncates text over 2,048 bytes itself)."""
        return self._send(touser, "text", {"content": content})

    def send_markdown(self, touser: str | Sequence[str], content: str) -> SendResult:
        """Send markdown, cut at a line boundary to WeCom's 2,048-byte limit if longer."""
        return self._send(touser, "markdown", {"content": truncate_markdown(content)})

    def send_image(self, touser: str | Sequence[str], media_id: str) -> SendResult:
        """Send an image uploaded with :meth:`upload_image`."""
        return self._send(touser, "image", {"media_id": media_id})

    def _send(self, touser: str | Sequence[str], msgtype: str, body: dict[str, str]) -> SendResult:
        return self.send_message(self.message_body(touser, msgtype, body))

    def message_body(
        self, touser: str | Sequence[str], msgtype: str, part: dict[str, Any]
    ) -> dict[str, Any]:
        """The ``message/send`` request body of one app message (sent as is by
        :meth:`send_message`; the outbox stores it, so a resend is byte-identical)."""
        users = [touser] if isinstance(touser, str) else list(touser)
        if not users or not all(users):
            raise WeComConfigError("message/send needs at least one WeCom userid")
        return {"touser": "|".join(users), "msgtype": msgtype, "agentid": self.agent_id,
                msgtype: part}  # fmt: skip

    def send_message(self, body: dict[str, Any]) -> SendResult:
        """Post a ``message/send`` body built by :meth:`message_body` (plus any options, such
        as WeCom's ``enable_duplicate_check``)."""
        return self._call("message/send", "POST", SendResult, json=body)

    def upload_image(self, png_bytes: bytes, filename: str = "chart.png") -> str:
        """Upload an image as temporary media; returns its ``media_id`` (valid three days)."""
        if not 5 <= len(png_bytes) <= MAX_IMAGE_BYTES:
            raise WeComConfigError("a WeCom image must be between 5 bytes and 10 MB")
        files = {"media": (filename, png_bytes, "image/png")}
        result = self._call(
            "media/upload", "POST", MediaUpload, params={"type": "image"}, files=files
        )
        return result.media_id

    # -- group robots ----------------------------------------------------------

    def webhook_send(self, key: str, payload: dict[str, Any]) -> ApiResult:
        """Post ``payload`` (e.g. ``{"msgtype": "markdown", "markdown": {...}}``) to a group
        robot, waiting first if this robot already sent 20 messages in the last minute."""
        if not key:
            raise WeComConfigError("a WeCom group robot needs its webhook key")
        self._limiter.acquire(key)
        return self._call(
            "webhook/send", "POST", ApiResult, params={"key": key}, json=payload, with_token=False
        )

    # -- the one request loop --------------------------------------------------

    def _call(
        self,
        api: str,
        method: str,
        result: type[R],
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        with_token: bool = True,
    ) -> R:
        refreshed = False
        attempt = 0
        while True:
            query = dict(params or {})
            token = self.access_token() if with_token else None
            if token is not None:
                query["access_token"] = token
            failure = self._attempt(api, method, query, json, files)
            if isinstance(failure, dict):
                return self._parse(api, result, failure)
            retryable = True  # network errors
            if isinstance(failure, WeComApiError):
                if token and failure.errcode in TOKEN_ERRCODES and not refreshed:
                    self._drop_token(token)
                    refreshed = True
                    continue
                retryable = failure.errcode in RETRYABLE_ERRCODES or failure.http_status >= 500
            if not retryable or attempt >= self._retry.retries:
                raise failure
            self._clock.sleep(self._retry.delay(attempt))
            attempt += 1

    def _attempt(
        self,
        api: str,
        method: str,
        query: dict[str, str],
        json: dict[str, Any] | None,
        files: dict[str, tuple[str, bytes, str]] | None,
    ) -> dict[str, Any] | WeComApiError | WeComNetworkError:
        """One HTTP exchange: the JSON body on errcode 0, else the error (not raised)."""
        try:
            response = self._http.request(
                method, f"{self.base_url}/cgi-bin/{api}", params=query, json=json, files=files
            )
        except httpx.TransportError as exc:
            return WeComNetworkError(api, type(exc).__name__)
        if response.status_code != 200:
            return WeComApiError(api, -1, f"HTTP {response.status_code}", response.status_code)
        try:
            data = response.json()
        except ValueError:
            return WeComApiError(api, -1, "response is not JSON")
        if not isinstance(data, dict):
            return WeComApiError(api, -1, "response is not a JSON object")
        errcode = data.get("errcode", 0)
        if errcode != 0:
            code = errcode if isinstance(errcode, int) else -1
            return WeComApiError(api, code, str(data.get("errmsg", ""))[:300])
        return data

    @staticmethod
    def _parse(api: str, result: type[R], data: dict[str, Any]) -> R:
        try:
            return result.model_validate(data)
        except ValidationError as exc:
            raise WeComApiError(api, -1, "unexpected response shape") from exc
