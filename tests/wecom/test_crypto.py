"""Crypto round trips and hostile inputs: every bad input is the right WeComError."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from api.wecom.crypto import WeComCrypto, decode_aes_key, pkcs7_pad, pkcs7_unpad, sign
from api.wecom.errors import (
    DecryptError,
    ReceiveIdError,
    ReplayError,
    SignatureError,
    WeComConfigError,
    WeComError,
)

TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP_ID = "ww1436e0e65a779aee"
NOW = 1_700_000_000
NONCE = "1597212914"


def _crypto(max_skew_s: int = 300, receive_id: str = CORP_ID) -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, receive_id, max_skew_s)


def _raw_encrypt(data: bytes) -> str:
    """AES-CBC with the app's key over ``data`` exactly as given (no padding added)."""
    key = decode_aes_key(AES_KEY)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def _framed(
    message: bytes, receive_id: bytes = CORP_ID.encode(), length: int | None = None
) -> bytes:
    size = len(message) if length is None else length
    return b"R" * 16 + struct.pack(">I", size) + message + receive_id


def _padded(data: bytes, byte: int | None = None, corrupt_second_last: bool = False) -> bytes:
    """``data`` padded to 32-byte blocks with ``byte`` (default: the correct pad value)."""
    n = 32 - len(data) % 32
    pad = bytearray([n if byte is None else byte] * n)
    if corrupt_second_last:
        pad[-2] ^= 1
    return data + bytes(pad)


def _decrypt_signed(encrypted: str, crypto: WeComCrypto | None = None, ts: int = NOW) -> str:
    """Sign ``encrypted`` properly, so that only the ciphertext itself can be at fault."""
    crypto = crypto or _crypto()
    signature = crypto.signature(str(ts), NONCE, encrypted)
    return crypto.decrypt_message(signature, str(ts), NONCE, encrypted, now=NOW)


# -- round trips ---------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(message=st.text(), nonce=st.text(alphabet="0123456789", min_size=1, max_size=10))
def test_round_trip_any_unicode_message(message: str, nonce: str) -> None:
    crypto = _crypto()
    encrypted, signature = crypto.encrypt_message(message, nonce, NOW)
    assert crypto.decrypt_message(signature, str(NOW), nonce, encrypted, now=NOW) == message


@settings(max_examples=120, deadline=None)
@given(length=st.integers(min_value=0, max_value=300), random=st.binary(min_size=16, max_size=16))
def test_round_trip_every_length_including_block_multiples(length: int, random: bytes) -> None:
    crypto = _crypto()
    message = "x" * length
    encrypted, signature = crypto.encrypt_message(message, NONCE, NOW, random)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert crypto.decrypt_message(signature, str(NOW), NONCE, encrypted, now=NOW) == message


@pytest.mark.parametrize("extra", [0, 1, 31, 32, 33])
def test_full_block_of_padding_when_the_frame_is_a_multiple_of_32(extra: int) -> None:
    # 16 + 4 + message + 18 (corp id) bytes: message of 26 + 32k bytes frames to a multiple of 32.
    message = "m" * (26 + extra)
    crypto = _crypto()
    encrypted, signature = crypto.encrypt_message(message, NONCE, NOW)
    framed_len = 16 + 4 + len(message) + len(CORP_ID)
    assert len(base64.b64decode(encrypted)) == framed_len + (32 - framed_len % 32)
    assert crypto.decrypt_message(signature, str(NOW), NONCE, encrypted, now=NOW) == message


@given(data=st.binary(max_size=100))
def test_pkcs7_pad_unpad_inverse(data: bytes) -> None:
    padded = pkcs7_pad(data)
    assert len(padded) % 32 == 0 and 1 <= len(padded) - len(data) <= 32
    assert pkcs7_unpad(padded) == data


# -- fuzz: never anything but a WeComError --------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    signature=st.text(max_size=50),
    timestamp=st.text(max_size=15),
    nonce=st.text(max_size=15),
    encrypted=st.text(max_size=200),
)
def test_arbitrary_strings_raise_only_wecom_errors(
    signature: str, timestamp: str, nonce: str, encrypted: str
) -> None:
    with pytest.raises(WeComError):
        _crypto().decrypt_message(signature, timestamp, nonce, encrypted, now=NOW)


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_properly_signed_garbage_ciphertext_raises_only_wecom_errors(raw: bytes) -> None:
    with pytest.raises((DecryptError, ReceiveIdError)):
        _decrypt_signed(base64.b64encode(raw).decode())


# -- hostile inputs, one by one ---------------------------------------------------

HOSTILE_CIPHERTEXTS: list[tuple[str, str | None, type[WeComError], str]] = [
    ("empty", "", DecryptError, "whole number"),
    ("not base64", "!!!!not*base64!!!!", DecryptError, "base64"),
    ("non-ascii", "密文密文", DecryptError, "base64"),
    ("not a multiple of 16", base64.b64encode(b"x" * 17).decode(), DecryptError, "whole number"),
    ("truncated to one block", None, DecryptError, "padding|length|header"),  # filled in below
    ("pad byte 0", _raw_encrypt(_padded(_framed(b"hi"), 0)), DecryptError, "padding"),
    ("pad byte 33", _raw_encrypt(_padded(_framed(b"hello"), 33)), DecryptError, "padding"),
    (
        "pad bytes unequal",
        _raw_encrypt(_padded(_framed(b"hello"), corrupt_second_last=True)),
        DecryptError,
        "padding",
    ),
    (
        "length field larger than the buffer",
        _raw_encrypt(pkcs7_pad(_framed(b"hello", length=4096))),
        DecryptError,
        "length field",
    ),
    ("shorter than the header", _raw_encrypt(pkcs7_pad(b"R" * 10)), DecryptError, "header"),
    ("invalid utf-8 message", _raw_encrypt(pkcs7_pad(_framed(b"\xff\xfe"))), DecryptError, "UTF-8"),
    (
        "wrong receive id",
        _raw_encrypt(pkcs7_pad(_framed(b"hello", b"wwOTHERCORP"))),
        ReceiveIdError,
        "receive id",
    ),
    (
        "empty receive id",
        _raw_encrypt(pkcs7_pad(_framed(b"hello", b""))),
        ReceiveIdError,
        "receive id",
    ),
]


@pytest.mark.parametrize(
    ("label", "encrypted", "error", "reason"),
    HOSTILE_CIPHERTEXTS,
    ids=[c[0] for c in HOSTILE_CIPHERTEXTS],
)
def test_hostile_ciphertext_is_rejected(
    label: str, encrypted: str | None, error: type[WeComError], reason: str
) -> None:
    if encrypted is None:
        full, _ = _crypto().encrypt_message(
            "a message long enough for several blocks" * 3, NONCE, NOW
        )
        encrypted = base64.b64encode(base64.b64decode(full)[:16]).decode()
    with pytest.raises(error, match=reason):
        _decrypt_signed(encrypted)


def test_crafted_frames_decrypt_when_padded_correctly() -> None:
    """The hand-made frames above fail only for the fault each one carries."""
    assert _decrypt_signed(_raw_encrypt(pkcs7_pad(_framed(b"hello")))) == "hello"


def test_message_for_another_corp_is_rejected() -> None:
    other = _crypto(receive_id="wwanothercorp0000")
    encrypted, _ = other.encrypt_message("hi", NONCE, NOW)
    with pytest.raises(ReceiveIdError):
        _decrypt_signed(encrypted)


@pytest.mark.parametrize(
    "bad_signature",
    ["", "0" * 40, "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebe", "签名", "z" * 1000],
)
def test_bad_signature_is_rejected_before_decryption(bad_signature: str) -> None:
    crypto = _crypto()
    encrypted, _ = crypto.encrypt_message("hello", NONCE, NOW)
    with pytest.raises(SignatureError):
        crypto.decrypt_message(bad_signature, str(NOW), NONCE, encrypted, now=NOW)


def test_signature_covers_every_part() -> None:
    crypto = _crypto()
    encrypted, signature = crypto.encrypt_message("hello", NONCE, NOW)
    for ts, nonce, enc in [
        (NOW + 1, NONCE, encrypted),
        (NOW, "1", encrypted),
        (NOW, NONCE, "A" + encrypted),
    ]:
        with pytest.raises(SignatureError):
            crypto.decrypt_message(signature, str(ts), nonce, enc, now=NOW)


def test_signature_is_case_insensitive_hex() -> None:
    crypto = _crypto()
    encrypted, signature = crypto.encrypt_message("hello", NONCE, NOW)
    assert crypto.decrypt_message(signature.upper(), str(NOW), NONCE, encrypted, now=NOW) == "hello"


@pytest.mark.parametrize(
    ("skew", "ts", "accepted"),
    [
        (300, NOW - 300, True),
        (300, NOW + 300, True),
        (300, NOW - 301, False),
        (300, NOW + 301, False),
        (300, 0, False),
        (10, NOW - 11, False),
        (0, 0, True),
        (0, NOW + 10**9, True),
    ],
)
def test_timestamp_window(skew: int, ts: int, accepted: bool) -> None:
    crypto = _crypto(max_skew_s=skew)
    encrypted, signature = crypto.encrypt_message("hello", NONCE, ts)
    call = lambda: crypto.decrypt_message(signature, str(ts), NONCE, encrypted, now=NOW)  # noqa: E731
    if accepted:
        assert call() == "hello"
    else:
        with pytest.raises(ReplayError):
            call()


@pytest.mark.parametrize("ts", ["", "abc", "-5", "1e9", "１７００", "9" * 40])
def test_non_numeric_timestamp_is_a_replay_error(ts: str) -> None:
    crypto = _crypto()
    encrypted, signature = crypto.encrypt_message("hello", NONCE, ts)
    with pytest.raises(ReplayError):
        crypto.decrypt_message(signature, ts, NONCE, encrypted, now=NOW)


def test_signature_matches_reference_definition(vectors: dict[str, Any]) -> None:
    case = vectors["url_verification"]
    assert (
        sign(vectors["token"], case["timestamp"], case["nonce"], case["echostr"])
        == case["msg_signature"]
    )


@pytest.mark.parametrize(
    ("token", "aes_key", "receive_id", "skew"),
    [
        ("", AES_KEY, CORP_ID, 300),
        (TOKEN, AES_KEY[:-1], CORP_ID, 300),
        (TOKEN, AES_KEY + "A", CORP_ID, 300),
        (TOKEN, "*" * 43, CORP_ID, 300),
        (TOKEN, AES_KEY, "", 300),
        (TOKEN, AES_KEY, CORP_ID, -1),
    ],
)
def test_bad_configuration_is_a_config_error_without_secrets(
    token: str, aes_key: str, receive_id: str, skew: int
) -> None:
    with pytest.raises(WeComConfigError) as info:
        WeComCrypto(token, aes_key, receive_id, skew)
    assert AES_KEY not in str(info.value) and TOKEN not in str(info.value)


def test_repr_hides_token_and_key() -> None:
    text = repr(_crypto())
    assert TOKEN not in text and AES_KEY not in text and CORP_ID in text
