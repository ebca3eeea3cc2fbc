"""API load: throughput and latency of planner-path questions through a real server.

Starts ``hrq serve`` (uvicorn, app factory) on 127.0.0.1 in a child process over a
demo warehouse and a fresh app database, then this process generates the load with
asyncio + httpx at each concurrency level (bounded by --requests and --seconds per
level), and finally measures the in-process ``Assistant.ask`` time (audit and
conversation writes included) as the floor.

    .venv/bin/python bench/api_load.py [--workers 1] [--ask-processes 2] [--requests 400] [--seconds 30]

The default is the configuration the README recommends for 2 cores: one server process
and two answering processes (``--workers 2 --ask-processes 0`` is two uvicorn workers).

``--ask-processes N`` sets ``HRQ_API_ASK_PROCESSES``: each server worker hands its
questions to N answering processes that share one queue (with ``--workers 1``, one
queue for every connection); the server CPU then includes those processes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "2026年8月各部门销售额",
    "2026年8月成都销售组的业绩排名",
    "2026年8月谁超过了中位数",
    "2026年7月各部门的入职人数",
    "how many employees by department",
    "sales by department in August 2026",
    "2026年8月武汉销售部的销售额",
    "2026年第二季度各部门销售额",
]
END_DATE = date(2026, 9, 15)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by ``pids`` (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable, "-c", "from api.cli import main; main()", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning",
    ]  # fmt: skip
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HRQ_")} | env
    proc = subprocess.Popen(command, cwd=ROOT, env=full_env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not become ready")


async def run_level(
    base: str, key: str, clients: int, max_requests: int, max_seconds: float, server_pid: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    issued = 0
    stop_at = time.perf_counter() + max_seconds
    headers = {"Authorization": f"Bearer {key}"}

    async def client_loop(http: httpx.AsyncClient) -> None:
        nonlocal issued, errors
        while issued < max_requests and time.perf_counter() < stop_at:
            question = QUESTIONS[issued % len(QUESTIONS)]
            issued += 1
            started = time.perf_counter()
            response = await http.post(
                "/v1/ask",
                json={"question": question, "as_of": END_DATE.isoformat()},
                headers=headers,
            )
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or response.json()["path"] != "planner":
                errors += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        # warm-up: every question once on each worker-ish
        for question in QUESTIONS:
            await http.post(
                "/v1/ask",
                json={"question": question, "as_of": END_DATE.isoformat()},
                headers=headers,
            )
        server = process_tree(server_pid)
        server_cpu, client_cpu = cpu_seconds(server), time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(server) - server_cpu
        client_cpu = time.process_time() - client_cpu
    count = max(len(latencies), 1)
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "throughput": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "server_cpu_ms": server_cpu * 1000 / count,
        "client_cpu_ms": client_cpu * 1000 / count,
    }


def in_process_floor(warehouse_url: str, app_db_url: str, rounds: int) -> dict[str, float]:
    from assistant.ask import Assistant
    from schema.caller import Caller
    from schema.settings import Settings

    assistant = Assistant.from_settings(
        Settings(warehouse_url=warehouse_url, app_db_url=app_db_url)
    )
    caller = Caller.operator()
    for question in QUESTIONS:
        assistant.ask(question, caller, as_of=END_DATE)
    times = []
    cpu = time.process_time()
    for i in range(rounds):
        started = time.perf_counter()
        assistant.ask(QUESTIONS[i % len(QUESTIONS)], caller, as_of=END_DATE)
        times.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu
    return {
        "p50": statistics.median(times),
        "p99": percentile(times, 0.99),
        "rounds": rounds,
        "cpu_ms": cpu * 1000 / rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers")
    parser.add_argument(
        "--ask-processes", type=int, default=2, help="HRQ_API_ASK_PROCESSES (0: threads)"
    )
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--requests", type=int, default=400, help="per level, at most")
    parser.add_argument("--seconds", type=float, default=30.0, help="per level, at most")
    parser.add_argument("--warehouse", help="DuckDB file (default: build a small demo)")
    args = parser.parse_args()

    from assistant.keys import create_key
    from schema.app import create_app_schema
    from schema.db import app_engine

    with tempfile.TemporaryDirectory(prefix="hrq-api-load-") as tmp:
        warehouse = args.warehouse
        if warehouse is None:
            from schema.demodata.generate import generate

            warehouse = str(Path(tmp) / "demo.duckdb")
            generate(f"duckdb:///{warehouse}", seed=7, end_date=END_DATE, scale="small")
        warehouse_url = f"duckdb:///{warehouse}"
        app_db_url = f"sqlite:///{Path(tmp) / 'app.db'}"
        engine = app_engine(app_db_url)
        create_app_schema(engine)
        key, _ = create_key(engine, "E00001", "admin")
        env = {
            "HRQ_WAREHOUSE_URL": warehouse_url,
            "HRQ_APP_DB_URL": app_db_url,
            "HRQ_API_RATE_LIMIT_PER_MINUTE": "0",
            "HRQ_API_ASK_PROCESSES": str(args.ask_processes),
        } | (
            {"HRQ_API_ASK_CONCURRENCY": os.environ["HRQ_API_ASK_CONCURRENCY"]}
            if "HRQ_API_ASK_CONCURRENCY" in os.environ
            else {}
        )
        load_before = os.getloadavg()
        proc, base = start_server(env, args.workers)
        try:
            rows = [
                asyncio.run(run_level(base, key, int(c), args.requests, args.seconds, proc.pid))
                for c in args.levels.split(",")
            ]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        floor = in_process_floor(warehouse_url, f"sqlite:///{Path(tmp) / 'floor.db'}", 200)

    print(
        f"server: hrq serve --workers {args.workers}, HRQ_API_ASK_PROCESSES={args.ask_processes}; "
        f"{os.cpu_count()} CPUs; small demo warehouse"
    )
    print(f"load average before and after: {load_before} / {os.getloadavg()}")
    print(
        "| clients | requests | errors | answers/s | p50 ms | p99 ms "
        "| server CPU ms/answer | load generator CPU ms/answer | CPU-bound ceiling answers/s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    cores = os.cpu_count() or 1
    for r in rows:
        cpu = r["server_cpu_ms"] + r["client_cpu_ms"]
        print(
            f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['throughput']:.1f} "
            f"| {r['p50']:.1f} | {r['p99']:.1f} | {r['server_cpu_ms']:.1f} "
            f"| {r['client_cpu_ms']:.1f} | {cores * 1000 / cpu:.0f} |"
        )
    print(
        f"(ceiling = {cores} cores x 1000 / (server + load generator CPU ms per answer): "
        "the most this machine could answer if nothing else ran on it)"
    )
    print(
        f"\nin-process ask (floor, {floor['rounds']} asks, audit + conversation writes): "
        f"p50 {floor['p50']:.1f} ms, p99 {floor['p99']:.1f} ms, "
        f"CPU {floor['cpu_ms']:.1f} ms per ask ({cores * 1000 / floor['cpu_ms']:.0f} asks/s "
        f"on {cores} cores at best)"
    )


if __name__ == "__main__":
    main()
