"""An adjustment of a closed month's bonus: what an accepted dispute adds to a snapshot row.

A snapshot's rows never change (``tools.snapshot``). When HR accepts a dispute, the
amount is recorded beside the snapshot as an :class:`Adjustment` of one person's
row, and their statement gets a new version: the bonus as closed, each adjustment
with its dispute, and the final bonus. An adjustment's hash covers the snapshot's
hash, so it is bound to the one version of the month it adjusts; the audit log
chains it. Closing the month again keeps the adjustments made to its earlier
versions, and the statement says which version each was made on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One accepted dispute's change to a person's bonus in one close."""

    dispute_id: int
    employee_no: str
    amount: Decimal
    reason: str
    statement_version: int
    created_at: str
    created_by: str | None
    hash: str = ""
    #: The version of the month's close it was made on (a re-close keeps it); not hashed.
    close_version: int | None = None

    def canonical(self, snapshot_hash: str) -> dict[str, Any]:
        """The adjustment as hashed: bound to the snapshot it adjusts; money as decimal text."""
        return {
            "snapshot_hash": snapshot_hash,
            "dispute_id": self.dispute_id,
            "employee_no": self.employee_no,
            "amount": str(self.amount),
            "reason": self.reason,
            "statement_version": self.statement_version,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }

    def computed_hash(self, snapshot_hash: str) -> str:
        """SHA-256 of the canonical JSON (equal to ``hash`` unless the row was edited)."""
        text = json.dumps(
            self.canonical(snapshot_hash), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def public(self) -> dict[str, Any]:
        """The adjustment on a statement: JSON-safe, money as a number."""
        return {
            "dispute_id": self.dispute_id,
            "amount": float(self.amount),
            "reason": self.reason,
            "statement_version": self.statement_version,
            "created_at": self.created_at,
            "close_version": self.close_version,
        }


def total(adjustments: Iterable[Adjustment]) -> Decimal:
    """The sum of the adjustments' amounts (0.00 for none)."""
    return sum((a.amount for a in adjustments), Decimal("0.00"))
