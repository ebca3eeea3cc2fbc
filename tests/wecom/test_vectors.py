"""WeCom's published vectors: decrypt exactly, re-encrypt to the same bytes."""

from __future__ import annotations

from typing import Any

import pytest

from api.wecom.crypto import WeComCrypto
from api.wecom.errors import MessageFormatError, WeComError
from api.wecom.messages import WeComMessage, parse_message_json, parse_message_xml

CASES = ("url_verification", "xml_message", "json_message")


def _ciphertext(case: dict[str, Any]) -> str:
    return case.get("echostr") or case["encrypt"]


def test_url_verification_returns_echostr_plaintext(
    vectors: dict[str, Any], vector_crypto: WeComCrypto
) -> None:
    case = vectors["url_verification"]
    echo = vector_crypto.verify_url(
        case["msg_signature"], case["timestamp"], case["nonce"], case["echostr"]
    )
    assert echo == case["plaintext"] == "1288432023552776189"


def test_xml_message_decrypts_to_exact_plaintext_and_parses(
    vectors: dict[str, Any], vector_crypto: WeComCrypto
) -> None:
    case = vectors["xml_message"]
    plaintext = vector_crypto.decrypt_message(
        case["msg_signature"], case["timestamp"], case["nonce"], case["encrypt"]
    )
    assert plaintext == case["plaintext"]
    message = parse_message_xml(plaintext)
    assert message == WeComMessage(
        msg_type="text",
        from_user_name="ChenJiaShun",
        to_user_name="ww1436e0e65a779aee",
        create_time=1476422779,
        content="你好",
        msg_id="1456453720",
        agent_id=case["agent_id"],
        fields=message.fields,
    )
    assert message.is_text


def test_json_vector_decrypts_but_its_malformed_json_is_rejected_cleanly(
    vectors: dict[str, Any], vector_crypto: WeComCrypto
) -> None:
    case = vectors["json_message"]
    assert case["receive_id"] == vectors["corp_id"]
    plaintext = vector_crypto.decrypt_message(
        case["msg_signature"], case["timestamp"], case["nonce"], case["encrypt"]
    )
    assert plaintext == case["plaintext"]
    with pytest.raises(MessageFormatError, match="malformed JSON"):
        parse_message_json(plaintext)


@pytest.mark.parametrize("name", CASES)
def test_encrypting_with_the_published_random_prefix_reproduces_the_vector(
    vectors: dict[str, Any], vector_crypto: WeComCrypto, name: str
) -> None:
    case = vectors[name]
    encrypted, signature = vector_crypto.encrypt_message(
        case["plaintext"], case["nonce"], case["timestamp"], case["random_prefix"].encode()
    )
    assert (encrypted, signature) == (_ciphertext(case), case["msg_signature"])


@pytest.mark.parametrize("name", CASES)
def test_vectors_are_stale_so_the_default_window_rejects_them(
    vectors: dict[str, Any], name: str
) -> None:
    crypto = WeComCrypto(vectors["token"], vectors["encoding_aes_key"], vectors["corp_id"])
    case = vectors[name]
    with pytest.raises(WeComError, match="window"):
        crypto.decrypt_message(
            case["msg_signature"], case["timestamp"], case["nonce"], _ciphertext(case)
        )
    # ...and accepted when "now" is the vector's own time.
    assert (
        crypto.decrypt_message(
            case["msg_signature"],
            case["timestamp"],
            case["nonce"],
            _ciphertext(case),
            now=float(case["timestamp"]) + 299,
        )
        == case["plaintext"]
    )
