"""Guarded SQL that tries to exhaust the machine: wall time, peak memory and output of each.

    .venv/bin/python bench/sql_bounds.py --url duckdb:////tmp/sb/demo.duckdb --user E00016

Runs ``SELECT 1`` (the floor: start-up, guard, audit; best of three) and every
statement of :data:`BOMBS` through ``hrq sql --json --user USER`` as a
subprocess and polls ``/proc`` every 20 ms for the resident memory of the whole
process tree (the CLI and any child it starts). A run that passes ``--cap-s``
seconds or ``--cap-mb`` MB is killed and reported as '> N' (the cap keeps a
run of the unbounded code from taking a shared machine down). The output is
kept in a file; it is parsed with ``json.loads`` (NaN and Infinity refused)
when it is under 64 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BOMBS = (
    "SELECT unnest(generate_series(1, 1000000000))",
    "SELECT count(*) FROM unnest(range(1000000000))",
    "SELECT list(range(100000000))",
    "SELECT length(lpad('x', 2000000000, 'y'))",
    "SELECT repeat('x', 1000000) FROM range(1000)",
)
#: The floor: the same command with a statement that does nothing (start-up, guard, audit).
FLOOR = "SELECT 1"
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20
PARSE_AT_MOST = 64 * 2**20


@dataclass
class Run:
    sql: str
    wall_s: float
    peak_mb: float
    killed: str | None
    exit_code: int | None
    output_bytes: int
    outcome: str


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants, MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE_MB
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return total


def refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def outcome_of(path: Path, size: int) -> str:
    if size > PARSE_AT_MOST:
        return f"not parsed ({size / 2**20:.0f} MB)"
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    try:
        payload = json.loads(text, parse_constant=refuse_constant)
    except ValueError as exc:
        return f"invalid JSON: {str(exc)[:60]}"
    if payload.get("kind") == "error":
        return f"error {payload.get('reason')}"
    return f"{len(payload.get('rows', []))} rows, truncated={payload.get('truncated')}"


def run(sql: str, user: str, env: dict[str, str], cap_s: float, cap_mb: float) -> Run:
    command = [sys.executable, "-c", "from api.cli import main; main()", "sql", sql, "--json"]
    command += ["--user", user]
    with tempfile.NamedTemporaryFile(prefix="hrq-sql-bounds-", suffix=".json") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
        peak, killed = 0.0, None
        while process.poll() is None:
            peak = max(peak, tree_rss_mb(process.pid))
            elapsed = time.perf_counter() - started
            if elapsed > cap_s or peak > cap_mb:
                killed = f"> {cap_s:g} s" if elapsed > cap_s else f"> {cap_mb:g} MB"
                kill_tree(process.pid)
                process.wait()
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
        size = os.path.getsize(out.name)
        outcome = "killed" if killed else outcome_of(Path(out.name), size)
        code = None if killed else process.returncode
        return Run(sql, wall, peak, killed, code, size, outcome)


def kill_tree(root: int) -> None:
    """SIGKILL ``root``'s descendants, then ``root``."""
    pids = [root]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == root:
                        pids.append(int(entry))
            except OSError:
                continue
    for pid in reversed(pids):
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="warehouse URL (demo: seed 7, end 2026-11-26)")
    parser.add_argument("--user", required=True, help="a sales representative's employee number")
    parser.add_argument("--cap-s", type=float, default=120.0, help="kill a run after this long")
    parser.add_argument("--cap-mb", type=float, default=8192.0, help="kill a run above this RSS")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="hrq-sql-bounds-") as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
            "HRQ_WAREHOUSE_URL": args.url,
            "HRQ_APP_DB_URL": f"sqlite:///{tmp}/app.db",
        }
        print(f"warehouse {args.url}; user {args.user}; caps {args.cap_s:g} s, {args.cap_mb:g} MB")
        header = f"{'statement':48} {'wall s':>8} {'x floor':>7} {'peak MB':>8} {'exit':>5}"
        print(f"{header} {'out B':>11}  outcome")
        floor = min(run(FLOOR, args.user, env, args.cap_s, args.cap_mb).wall_s for _ in range(3))
        for sql in (FLOOR, *BOMBS):
            r = run(sql, args.user, env, args.cap_s, args.cap_mb)
            wall = r.killed if r.killed and "s" in r.killed.split()[-1] else f"{r.wall_s:.1f}"
            peak = r.killed if r.killed and "MB" in r.killed else f"{r.peak_mb:.0f}"
            print(
                f"{sql[:48]:48} {wall:>8} {r.wall_s / floor:7.1f} {peak:>8} {r.exit_code!s:>5} "
                f"{r.output_bytes:>11}  {r.outcome}"
                + (f" (killed at {r.wall_s:.1f} s, {r.peak_mb:.0f} MB)" if r.killed else ""),
                flush=True,
            )


if __name__ == "__main__":
    main()
