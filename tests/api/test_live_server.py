"""Through a real uvicorn server on loopback: 50 concurrent asks, none failing, all audited."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from assistant.audit import AuditLog
from assistant.keys import create_key
from schema.db import app_engine
from tests.api.conftest import Persona

QUESTIONS = [
    "2026年8月各部门销售额",
    "2026年8月成都销售组的业绩排名",
    "2026年7月各部门的入职人数",
    "how many employees by department",
    "2026年8月谁超过了中位数",
]


@pytest.mark.slow
def test_fifty_concurrent_asks_all_answered_and_audited(
    server: tuple[str, str], personas: dict[str, Persona]
) -> None:
    base, app_db = server
    engine = app_engine(app_db)
    keys = [create_key(engine, personas[who].employee_no)[0] for who in ("hr", "manager", "sales")]
    before = AuditLog(engine).count()

    def one(i: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as http:
            return http.post(
                "/v1/ask",
                json={"question": QUESTIONS[i % len(QUESTIONS)]},
                headers={"Authorization": f"Bearer {keys[i % len(keys)]}"},
            )

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(one, range(50)))
    assert [r.status_code for r in responses] == [200] * 50, [
        r.text for r in responses if r.status_code != 200
    ][:3]
    bodies = [r.json() for r in responses]
    assert all(b["kind"] in ("answer", "clarification", "refusal") for b in bodies)
    assert len({b["answer_id"] for b in bodies}) == 50
    log = AuditLog(engine)
    assert log.count() - before == 50
    audited = {r.answer_id for r in log.tail(50)}
    assert audited == {b["answer_id"] for b in bodies}
    assert log.verify().ok
    engine.dispose()


def test_live_server_health_and_metrics(server: tuple[str, str]) -> None:
    base, _ = server
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert "hrq_http_requests_total" in httpx.get(f"{base}/metrics").text
    assert "<title>" in httpx.get(f"{base}/").text
