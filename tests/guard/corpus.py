"""Load the hostile corpus (``tests/guard/corpus/*.yaml``) into flat cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.guard.org import CALLERS

CORPUS_DIR = Path(__file__).parent / "corpus"
ALL_CALLERS = tuple(CALLERS)


@dataclass(frozen=True)
class Rejected:
    sql: str
    reason: str
    callers: tuple[str, ...]
    dialect: str | None


@dataclass(frozen=True)
class Accepted:
    sql: str
    callers: tuple[str, ...]
    rows: dict[str, list[list[Any]]] = field(default_factory=dict)
    denied: dict[str, str] = field(default_factory=dict)
    limit: int = 1000
    bomb: bool = False


def rejected() -> list[Rejected]:
    groups = yaml.safe_load((CORPUS_DIR / "rejected.yaml").read_text(encoding="utf-8"))
    return [
        Rejected(sql, group["reason"], tuple(group.get("as", ALL_CALLERS)), group.get("dialect"))
        for group in groups
        for sql in group["sql"]
    ]


def accepted() -> list[Accepted]:
    cases = yaml.safe_load((CORPUS_DIR / "accepted.yaml").read_text(encoding="utf-8"))
    return [
        Accepted(
            sql=case["sql"],
            callers=tuple(case.get("as", ALL_CALLERS)),
            rows=case.get("rows", {}),
            denied=case.get("denied", {}),
            limit=case.get("limit", 1000),
            bomb=case.get("bomb", False),
        )
        for case in cases
    ]


def case_id(sql: str) -> str:
    """A short, printable test id for a statement."""
    text = " ".join(sql.split())[:60]
    return text.encode("ascii", "backslashreplace").decode() or "<empty>"
