"""Errors of the WeCom channel. Messages are safe to log: they never hold a secret,
a token, a key or the plaintext of a message."""

from __future__ import annotations

from schema.errors import HrqError


class WeComError(HrqError):
    """Root of every WeCom error."""

    code = "wecom"


class WeComConfigError(WeComError):
    """A WeCom setting (token, EncodingAESKey, corp id) is missing or malformed."""

    code = "wecom_config"


class CallbackError(WeComError):
    """A callback request must be rejected; ``http_status`` is what to answer."""

    code = "wecom_callback"
    http_status = 400


class SignatureError(CallbackError):
    """``msg_signature`` does not match the token, timestamp, nonce and ciphertext."""

    code = "wecom_signature"
    http_status = 403


class ReplayError(CallbackError):
    """The callback's timestamp is outside the accepted window (or not a number)."""

    code = "wecom_replay"
    http_status = 403


class DecryptError(CallbackError):
    """The ciphertext is not valid base64, not whole blocks, or badly padded or framed."""

    code = "wecom_decrypt"


class ReceiveIdError(CallbackError):
    """The decrypted receive id is not our corp id: the message was meant for someone else."""

    code = "wecom_receive_id"
    http_status = 403


class MessageFormatError(CallbackError):
    """A callback body or decrypted message is malformed, too large or unsafe XML/JSON."""

    code = "wecom_format"


class BodyTooLargeError(MessageFormatError):
    """A callback body exceeds the size bound."""

    code = "wecom_too_large"
    http_status = 413


class WeComApiError(WeComError):
    """A WeCom API call answered with a non-zero ``errcode`` (or an HTTP error status)."""

    code = "wecom_api"

    def __init__(self, api: str, errcode: int, errmsg: str, http_status: int = 200) -> None:
        self.api = api
        self.errcode = errcode
        self.errmsg = errmsg
        self.http_status = http_status
        super().__init__(f"WeCom {api} failed: errcode {errcode} ({errmsg})")


class WeComNetworkError(WeComError):
    """WeCom could not be reached (connection refused, timeout, reset) after the retries."""

    code = "wecom_network"

    def __init__(self, api: str, reason: str) -> None:
        self.api = api
        self.reason = reason
        super().__init__(f"WeCom {api} unreachable: {reason}")
