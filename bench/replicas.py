"""Replicas: N concurrent asks through three ``hrq serve`` processes on one PostgreSQL app database.

Builds the small demo warehouse (seed 7), creates a fresh database on the PostgreSQL
server given, starts three replicas (:class:`tests.replicas.cluster.Cluster`), sends
``--asks`` questions from ``--concurrency`` threads to replicas picked at random, then
checks that every answer is audited once and that ``hrq audit verify`` passes, and
prints throughput, latency and the verify time. The database is dropped at the end.

    .venv/bin/python bench/replicas.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres [--asks 2000]

``make test`` runs the same through ``tests/replicas`` with fewer asks (HRQ_REPLICA_ASKS).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.audit import AuditLog  # noqa: E402
from assistant.keys import create_key  # noqa: E402
from schema.app import audit_log  # noqa: E402
from schema.db import app_engine, warehouse_engine  # noqa: E402
from schema.demodata import generate  # noqa: E402
from tests.replicas.cluster import ROOT, Cluster, Outcome  # noqa: E402
from tests.replicas.conftest import HR_QUERY  # noqa: E402

QUESTIONS = [
    "2026年8月各部门销售额",
    "2026年8月成都销售组的业绩排名",
    "2026年7月各部门的入职人数",
    "how many employees by department",
    "2026年8月谁超过了中位数",
    "上个月各部门销售额",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", required=True, help="A server to create the database on.")
    parser.add_argument("--asks", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hrq-bench-replicas-"))
    warehouse = f"duckdb:///{work / 'demo.duckdb'}"
    generate(warehouse, seed=7, end_date=date(2026, 11, 26), scale="small")
    admin = sa.create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    name = f"hrq_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(args.postgres_url).set(database=name)
    app_url = url.render_as_string(hide_password=False)
    env = {
        "HRQ_WAREHOUSE_URL": warehouse,
        "HRQ_APP_DB_URL": app_url,
        "HRQ_AS_OF": "2026-11-26",
        "HRQ_DATA_DIR": str(work),
        "HRQ_API_RATE_LIMIT_PER_MINUTE": "0",
    }
    started = time.monotonic()
    cluster = Cluster(env, size=3)
    print(f"3 replicas ready in {time.monotonic() - started:.1f} s")
    engine = app_engine(app_url)
    try:
        run(cluster, engine, env, args.asks, args.concurrency)
    finally:
        cluster.close()
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(cluster: Cluster, engine: sa.Engine, env: dict[str, str], asks: int, threads: int) -> None:
    key, _ = create_key(engine, hr_partner(env["HRQ_WAREHOUSE_URL"]))
    headers = {"Authorization": f"Bearer {key}"}

    def ask(i: int) -> tuple[Outcome, float]:
        begun = time.monotonic()
        body = {"question": QUESTIONS[i % len(QUESTIONS)]}
        outcome = cluster.request("POST", "/v1/ask", json=body, headers=headers)
        return outcome, time.monotonic() - begun

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(ask, range(asks)))
    elapsed = time.monotonic() - started
    failed = [o.what() for o, _ in results if not o.ok]
    latencies = sorted(t * 1000 for _, t in results)
    per_replica = Counter(o.replica for o, _ in results)
    answer_ids = {o.response.json()["answer_id"] for o, _ in results if o.response is not None}
    with engine.connect() as conn:
        audited = conn.execute(
            sa.select(audit_log.c.answer_id, sa.func.count())
            .where(audit_log.c.answer_id.is_not(None))
            .group_by(audit_log.c.answer_id)
        ).all()  # fmt: skip
    once = {a for a, n in audited if n == 1}
    print(f"{asks} asks, {threads} at once: {elapsed:.1f} s, {asks / elapsed:.1f} asks/s; "
          f"per replica {dict(sorted(per_replica.items()))}; failed {len(failed)} {failed[:3]}")  # fmt: skip
    print(f"latency ms: median {statistics.median(latencies):.0f}, "
          f"p95 {latencies[int(0.95 * len(latencies)) - 1]:.0f}, max {latencies[-1]:.0f}")  # fmt: skip
    print(f"audit: {AuditLog(engine, create_schema=False).count()} records; "
          f"answers audited once: {len(answer_ids & once)} of {len(answer_ids)}")  # fmt: skip
    begun = time.monotonic()
    command = [sys.executable, "-c", "from api.cli import main; main()", "audit", "verify"]
    verify = subprocess.run(command, cwd=ROOT, env=cluster_env(env), capture_output=True, text=True)
    print(f"hrq audit verify ({time.monotonic() - begun:.1f} s, exit {verify.returncode}): "
          f"{verify.stdout.strip().splitlines()[0] if verify.stdout else verify.stderr[-300:]}")  # fmt: skip


def hr_partner(warehouse: str) -> str:
    """The employee number of an active HR partner of the warehouse (sees every department)."""
    engine = warehouse_engine(warehouse)
    with engine.connect() as conn:
        found = conn.execute(sa.text(HR_QUERY)).scalars().first()
    engine.dispose()
    return str(found)


def cluster_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("HRQ_")} | env


if __name__ == "__main__":
    main()
