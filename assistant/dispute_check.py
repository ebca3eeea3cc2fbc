"""Checking the disputes and the bonus adjustments against the audit chain (``hrq audit verify``).

Every dispute names the audit record of its opening (``open_seq``) and, once resolved,
of its resolution (``resolve_seq``); each record must hold what the row says (month,
version, person, bonus and reason; decision, adjustment and reason). Every adjustment's
hash is recomputed over the hash of the snapshot it adjusts and must equal both its
stored hash and the one its resolution record chained. An audit record of a dispute
whose row is gone is reported too. The snapshot rows themselves are checked by
``CloseBook.verify``.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from assistant.closes import CloseCheck
from assistant.dispute_records import DISPUTE_PATH, OPEN_TOOL, RESOLVE_TOOL, adjustment_of
from schema.app import audit_log, disputes, month_close_adjustments, month_closes


class DisputeCheck(CloseCheck):
    """The outcome of checking the disputes and adjustments."""

    def message(self) -> str:
        if self.ok:
            return f"disputes: {self.checked} disputes and adjustments match their audit records"
        return "disputes broken: " + "; ".join(self.problems)


def verify_disputes(engine: Engine) -> DisputeCheck:
    """Every dispute and adjustment against its audit records; ``checked`` counts both."""
    problems: list[str] = []
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(disputes).order_by(disputes.c.dispute_id)))
        made = list(
            conn.execute(
                sa.select(month_close_adjustments, month_closes.c.hash.label("snapshot_hash"))
                .join(month_closes, month_closes.c.close_id == month_close_adjustments.c.close_id)
                .order_by(month_close_adjustments.c.adjustment_id)
            )
        )
        records = conn.execute(
            sa.select(audit_log.c.seq, audit_log.c.tool).where(audit_log.c.path == DISPUTE_PATH)
        )
        chained = {int(seq): _step(tool) for seq, tool in records}
    seen: set[int] = set()
    for d in rows:
        name = f"dispute #{d.dispute_id}"
        opened = {"month": d.month, "version": d.version, "employee_no": d.employee_no,
                  "bonus": d.bonus, "reason": d.reason}  # fmt: skip
        seen.add(int(d.open_seq))
        if chained.get(int(d.open_seq)) != (OPEN_TOOL, opened):
            problems.append(
                f"{name}: audit record {d.open_seq} does not record its opening (edited)"
            )
        if d.status == "open":
            continue
        if d.resolve_seq is None:
            problems.append(f"{name}: {d.status} without an audit record of its resolution")
            continue
        seen.add(int(d.resolve_seq))
        noted = chained.get(int(d.resolve_seq))
        if noted is None or noted[0] != RESOLVE_TOOL or {
            k: noted[1].get(k) for k in ("dispute_id", "decision", "reason", "adjustment")
        } != {"dispute_id": d.dispute_id, "decision": d.status, "reason": d.resolution,
              "adjustment": d.adjustment}:  # fmt: skip
            problems.append(
                f"{name}: audit record {d.resolve_seq} does not record its resolution (edited)"
            )
    for row in made:
        adjustment = adjustment_of(row._mapping)
        name = f"adjustment of dispute #{adjustment.dispute_id}"
        if adjustment.computed_hash(row.snapshot_hash) != adjustment.hash:
            problems.append(f"{name}: its content does not match its hash (edited)")
            continue
        noted = chained.get(int(row.audit_seq))
        if noted is None or noted[1].get("hash") != adjustment.hash:
            problems.append(f"{name}: audit record {row.audit_seq} does not chain its hash")
    for seq in sorted(set(chained) - seen):
        problems.append(f"audit record {seq} records a dispute step whose dispute is missing")
    return DisputeCheck(ok=not problems, checked=len(rows) + len(made), problems=problems)


def _step(tool: str | None) -> tuple[str, dict[str, Any]] | None:
    """The tool name and arguments an audit record of a dispute step holds."""
    try:
        data = json.loads(tool or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("arguments"), dict):
        return None
    return str(data.get("name")), data["arguments"]
