"""Fixtures of the API tests: an app database per test, answers and callers to store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update

from api.http.main import create_app
from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.audit import GENESIS_HASH, AuditLog, AuditRecord
from assistant.closes import CloseBook
from assistant.conversations import ConversationStore
from assistant.disputes import DisputeBook
from assistant.keys import create_key
from schema.app import audit_log
from schema.caller import Caller, Role
from schema.db import app_engine, warehouse_engine
from schema.settings import Settings


@pytest.fixture
def app_db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture
def engine(app_db_url: str) -> Iterator[Engine]:
    eng = app_engine(app_db_url)
    yield eng
    eng.dispose()


def make_answer(question: str = "上个月销售额是多少?", **fields: object) -> Answer:
    """An answer as ``Assistant.ask`` would return it."""
    base: dict[str, object] = {
        "question": question,
        "answer": "上个月销售额为 ¥1,234.50。",
        "columns": ["department", "sales"],
        "rows": [["成都组", 1234.5], ["武汉组", 99.0]],
        "sql": "SELECT d.name, SUM(o.amount) FROM sales_orders o ... WHERE o.employee_id = 7",
        "sql_written": "SELECT d.name, SUM(o.amount) FROM sales_orders o ...",
        "scopes": ["own_rows"],
        "plan": {"shape": "figure", "metric": "sales"},
        "as_of": date(2026, 9, 15),
        "latency_ms": 12.5,
    }
    base.update(fields)
    return Answer.model_validate(base)


#: An audit chain key as HRQ_AUDIT_HMAC_KEY would hold it.
AUDIT_KEY = "audit-key-for-tests-7f3a9c1e5b"


def forge(engine: Engine, seq: int, question: str, key: bytes | None = None) -> None:
    """Edit record ``seq``'s question and recompute its hash and every later one, as someone
    who can write the database would: plain SHA-256, or HMAC-SHA256 under a guessed ``key``."""
    with engine.begin() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.seq >= seq - 1).order_by("seq"))
        records = [AuditRecord.model_validate(dict(r._mapping)) for r in rows]
        prev = records[0].hash if records[0].seq < seq else GENESIS_HASH
        for rec in (r for r in records if r.seq >= seq):
            edit = {"question": question} if rec.seq == seq else {}
            forged = rec.model_copy(update={**edit, "prev_hash": prev})
            prev = forged.content_hash(key)
            scheme = "sha256" if key is None else "hmac-sha256"
            conn.execute(
                update(audit_log)
                .where(audit_log.c.seq == rec.seq)
                .values(question=forged.question, prev_hash=forged.prev_hash, hash=prev,
                        hash_scheme=scheme)
            )  # fmt: skip


ALICE = Caller(role=Role.SALES, employee_id=7, employee_no="E0007", name="Alice")
BOB = Caller(role=Role.SALES, employee_id=8, employee_no="E0008", name="Bob")


# --- The HTTP app over a demo warehouse -------------------------------------------------

DEMO_END = date(2026, 9, 15)


@pytest.fixture(scope="session")
def warehouse_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo warehouse ending 2026-09-15 (built once per session)."""
    from schema.demodata.generate import generate

    path = tmp_path_factory.mktemp("warehouse") / "demo.duckdb"
    generate(f"duckdb:///{path}", seed=7, end_date=DEMO_END, scale="small")
    return f"duckdb:///{path}"


@dataclass(frozen=True)
class Persona:
    employee_no: str
    department: str
    role: Role


@pytest.fixture(scope="session")
def personas(warehouse_url: str) -> dict[str, Persona]:
    """People of the demo company by what they are: sales reps in two departments, etc."""
    engine = warehouse_engine(warehouse_url)
    query = text(
        "SELECT e.employee_no, d.name FROM employees e JOIN departments d USING (department_id) "
        "WHERE e.title = :title AND d.name = :dept AND e.status = 'active' ORDER BY e.employee_id"
    )
    wanted = {
        "admin": ("Chief Executive Officer", "星河科技", Role.ADMIN),
        "hr": ("HR Business Partner", "人力资源部", Role.HR),
        "manager": ("Sales Manager", "成都销售组", Role.MANAGER),
        "sales": ("Sales Representative", "成都销售组", Role.SALES),
        "sales_wuhan": ("Sales Representative", "武汉销售部", Role.SALES),
    }
    found = {}
    with engine.connect() as conn:
        for label, (title, dept, role) in wanted.items():
            no = conn.execute(query, {"title": title, "dept": dept}).scalars().first()
            assert no is not None, label
            found[label] = Persona(no, dept, role)
    engine.dispose()
    return found


@pytest.fixture
def api_settings(tmp_path: Path, warehouse_url: str) -> Settings:
    return Settings(
        warehouse_url=warehouse_url,
        app_db_url=f"sqlite:///{tmp_path / 'app.db'}",
        data_dir=tmp_path,
        api_rate_limit_per_minute=0,
    )


@pytest.fixture(scope="session")
def shared_assistant(warehouse_url: str, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One assistant over the demo warehouse (its gazetteer is built once per session)."""
    app_db = tmp_path_factory.mktemp("shared-app") / "app.db"
    settings = Settings(warehouse_url=warehouse_url, app_db_url=f"sqlite:///{app_db}")
    return Assistant.from_settings(settings, app_state=False)


def assistant_for(shared: Assistant, settings: Settings) -> Assistant:
    """The shared assistant writing its audit and conversations to ``settings``' app database."""
    engine = app_engine(settings.app_db_url)
    audit = AuditLog(engine)
    closes = CloseBook(engine, audit)
    return replace(
        shared,
        settings=settings,
        audit=audit,
        conversations=ConversationStore(engine),
        closes=closes,
        disputes=DisputeBook(engine, audit, closes, shared.warehouse),
    )


@pytest.fixture
def client(api_settings: Settings, shared_assistant: Assistant) -> Iterator[TestClient]:
    app = create_app(api_settings, assistant=assistant_for(shared_assistant, api_settings))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(client: TestClient, personas: dict[str, Persona]) -> dict[str, str]:
    """An API key per persona, with the persona's role."""
    engine = client.app.state.services.app_engine  # type: ignore[attr-defined]
    return {label: create_key(engine, p.employee_no, p.role)[0] for label, p in personas.items()}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, warehouse_url: str
) -> Iterator[tuple[str, str]]:
    """(base URL, app database URL) of a real ``hrq serve`` on loopback; rate limit off."""
    from tests.api.live import live_server

    app_db = f"sqlite:///{tmp_path_factory.mktemp('live') / 'app.db'}"
    env = {
        "HRQ_WAREHOUSE_URL": warehouse_url,
        "HRQ_APP_DB_URL": app_db,
        "HRQ_API_RATE_LIMIT_PER_MINUTE": "0",
    }
    with live_server(env, workers=2) as base:
        yield base, app_db
