"""WeCom callback crypto (WXBizMsgCrypt), on the ``cryptography`` package.

The protocol, as WeCom publishes it:

- ``msg_signature`` = SHA1 of the lexicographically sorted, concatenated
  [token, timestamp, nonce, encrypted].
- AES-256-CBC; key = base64 decode of the 43-character EncodingAESKey + "=";
  IV = the key's first 16 bytes; PKCS#7 padding to 32-byte blocks.
- plaintext = 16 random bytes + 4-byte big-endian length + message + receive id
  (the corp id for a self-built app).

What this module adds over the reference samples: the signature is compared in
constant time and checked *before* anything is decrypted (so padding errors are
never observable to someone without the token); padding and the length field
are validated strictly; the receive id must match; and a timestamp window
rejects replays (``max_skew_s``; 0 turns it off, e.g. for the published vectors).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from api.wecom.errors import (
    DecryptError,
    ReceiveIdError,
    ReplayError,
    SignatureError,
    WeComConfigError,
)
from schema.settings import Settings

BLOCK_SIZE = 32
"""WeCom pads to 32-byte blocks (not AES's 16)."""

RANDOM_BYTES = 16
LENGTH_BYTES = 4
MAX_CIPHERTEXT_CHARS = 1_400_000
"""Upper bound on the base64 ciphertext accepted (about 1 MiB of plaintext)."""


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey; WeComConfigError otherwise."""
    if len(encoding_aes_key) != 43:
        raise WeComConfigError("the WeCom EncodingAESKey must have 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WeComConfigError("the WeCom EncodingAESKey is not valid base64") from exc
    if len(key) != 32:
        raise WeComConfigError("the WeCom EncodingAESKey does not decode to 32 bytes")
    return key


def sign(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """WeCom's ``msg_signature``: hex SHA1 of the sorted, concatenated parts."""
    parts = sorted([token, str(timestamp), str(nonce), encrypted])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


def pkcs7_pad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    """Pad ``data`` to a multiple of ``block_size``; always adds 1..block_size bytes."""
    pad = block_size - len(data) % block_size
    return data + bytes([pad]) * pad


def pkcs7_unpad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    """Strip PKCS#7 padding, rejecting a pad byte outside 1..block_size or unequal pad bytes."""
    if not data:
        raise DecryptError("empty plaintext")
    pad = data[-1]
    if not 1 <= pad <= block_size or pad > len(data):
        raise DecryptError("invalid padding")
    if data[-pad:] != bytes([pad]) * pad:
        raise DecryptError("invalid padding")
    return data[:-pad]


class WeComCrypto:
    """Signs, verifies, encrypts and decrypts WeCom callback payloads for one app."""

    def __init__(
        self,
        token: str,
        aes_key: str,
        receive_id: str,
        max_skew_s: int = 300,
        *,
        empty_receive_id: bool = False,
    ) -> None:
        if not token:
            raise WeComConfigError("the WeCom callback token is empty")
        if not receive_id and not empty_receive_id:
            raise WeComConfigError("the WeCom receive id (corp id) is empty")
        if max_skew_s < 0:
            raise WeComConfigError("the WeCom timestamp window must be >= 0 seconds")
        self._token = token
        self._key = decode_aes_key(aes_key)
        self._receive_id = receive_id.encode("utf-8")
        self.max_skew_s = max_skew_s

    @classmethod
    def from_settings(cls, settings: Settings) -> WeComCrypto:
        """The crypto of the configured app; WeComConfigError when a setting is missing."""
        if settings.wecom_token is None or settings.wecom_aes_key is None:
            raise WeComConfigError("set HRQ_WECOM_TOKEN and HRQ_WECOM_AES_KEY for WeCom callbacks")
        if not settings.wecom_corp_id:
            raise WeComConfigError("set HRQ_WECOM_CORP_ID for WeCom callbacks")
        return cls(
            settings.wecom_token.get_secret_value(),
            settings.wecom_aes_key.get_secret_value(),
            settings.wecom_corp_id,
            settings.wecom_max_skew_s,
        )

    @classmethod
    def for_robot(cls, token: str, aes_key: str, max_skew_s: int = 300) -> WeComCrypto:
        """The crypto of an intelligent robot's callbacks: the same scheme with an empty
        receive id ("企业内部智能机器人场景中，ReceiveId为\"\"", 回调和回复的加解密方案,
        document 101033)."""
        return cls(token, aes_key, "", max_skew_s, empty_receive_id=True)

    def __repr__(self) -> str:  # never show the token or key
        return (
            f"WeComCrypto(receive_id={self._receive_id.decode()!r}, max_skew_s={self.max_skew_s})"
        )

    # -- signatures and time -------------------------------------------------

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """The ``msg_signature`` of a payload under this app's token."""
        return sign(self._token, timestamp, nonce, encrypted)

    def check_signature(
        self, msg_signature: str, timestamp: str, nonce: str, encrypted: str
    ) -> None:
        """Raise SignatureError unless ``msg_signature`` matches (constant-time comparison)."""
        expected = self.signature(timestamp, nonce, encrypted)
        given = msg_signature.strip().lower().encode("utf-8", "replace")
        if not hmac.compare_digest(expected.encode("ascii"), given):
            raise SignatureError("callback signature mismatch")

    def check_timestamp(self, timestamp: str, now: float | None = None) -> None:
        """Raise ReplayError if ``timestamp`` is further than ``max_skew_s`` from ``now``."""
        if self.max_skew_s == 0:
            return
        ts = str(timestamp)
        if not ts.isascii() or not ts.isdigit() or len(ts) > 12:
            raise ReplayError("callback timestamp is not a number of seconds")
        current = time.time() if now is None else now
        if abs(current - int(ts)) > self.max_skew_s:
            raise ReplayError(f"callback timestamp outside the {self.max_skew_s} s window")

    # -- decryption ----------------------------------------------------------

    def verify_url(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        echostr: str,
        now: float | None = None,
    ) -> str:
        """Answer WeCom's URL verification: the decrypted ``echostr`` to echo back."""
        return self.decrypt_message(msg_signature, timestamp, nonce, echostr, now=now)

    def decrypt_message(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        encrypted: str,
        now: float | None = None,
    ) -> str:
        """Verify the signature and time window, then decrypt: the message text.

        Raises SignatureError, ReplayError, DecryptError or ReceiveIdError; never
        any other exception for any string input.
        """
        if len(encrypted) > MAX_CIPHERTEXT_CHARS:
            raise DecryptError("ciphertext too large")
        self.check_signature(msg_signature, timestamp, nonce, encrypted)
        self.check_timestamp(timestamp, now)
        return self.decrypt(encrypted)

    def decrypt(self, encrypted: str) -> str:
        """Decrypt a base64 ciphertext without signature checks (use decrypt_message)."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptError("ciphertext is not valid base64") from exc
        if not raw or len(raw) % 16:
            raise DecryptError("ciphertext is not a whole number of AES blocks")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        plain = pkcs7_unpad(decryptor.update(raw) + decryptor.finalize())
        header = RANDOM_BYTES + LENGTH_BYTES
        if len(plain) < header:
            raise DecryptError("plaintext shorter than its header")
        (length,) = struct.unpack(">I", plain[RANDOM_BYTES:header])
        if length > len(plain) - header:
            raise DecryptError("length field larger than the plaintext")
        message, receive_id = plain[header : header + length], plain[header + length :]
        if not hmac.compare_digest(receive_id, self._receive_id):
            raise ReceiveIdError("callback receive id does not match the corp id")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecryptError("message is not valid UTF-8") from exc

    # -- encryption ----------------------------------------------------------

    def encrypt(self, plaintext: str, random: bytes | None = None) -> str:
        """Encrypt ``plaintext`` as WeCom does: base64 of AES-CBC over the framed message."""
        prefix = os.urandom(RANDOM_BYTES) if random is None else random
        if len(prefix) != RANDOM_BYTES:
            raise ValueError(f"random prefix must be {RANDOM_BYTES} bytes")
        message = plaintext.encode("utf-8")
        framed = prefix + struct.pack(">I", len(message)) + message + self._receive_id
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).encryptor()
        raw = encryptor.update(pkcs7_pad(framed)) + encryptor.finalize()
        return base64.b64encode(raw).decode("ascii")

    def encrypt_message(
        self,
        plaintext: str,
        nonce: str,
        timestamp: str | int,
        random: bytes | None = None,
    ) -> tuple[str, str]:
        """Encrypt and sign a message: ``(encrypted, msg_signature)``."""
        encrypted = self.encrypt(plaintext, random)
        return encrypted, self.signature(str(timestamp), nonce, encrypted)
