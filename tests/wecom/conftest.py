"""Fixtures of the WeCom tests: the published vectors and a crypto built from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.wecom.crypto import WeComCrypto

VECTORS_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "wecom" / "callback-vectors.json"


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    """WeCom's published callback crypto vectors."""
    return json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def vector_crypto(vectors: dict[str, Any]) -> WeComCrypto:
    """The vectors' app, with the replay window off (the vectors are from 2014-2016)."""
    return WeComCrypto(vectors["token"], vectors["encoding_aes_key"], vectors["corp_id"], 0)


class FakeClock:
    """A clock whose ``sleep`` only advances time and records the pause."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.t += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        self.t += seconds
