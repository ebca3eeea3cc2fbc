"""Cold start of the ``hrq`` command line, against floors measured in the same run.

    .venv/bin/python bench/cli.py --warehouse /tmp/cf/demo.duckdb [--runs 7] [--tree DIR]

Each command runs as a fresh process, interleaved with the floors, and reports the
median wall time, CPU time (user + system, steadier than wall time on a shared machine)
and peak memory (max RSS) of its runs:

- ``python -c pass``: the interpreter's own start-up, the floor of every command;
- the answering path: a script that imports only ``assistant.ask`` and the settings,
  builds the assistant and answers the same question (no CLI, no app database; it skips
  the interpreter's shutdown collections as ``hrq`` does): the floor of ``hrq ask``;
- ``hrq --help``, ``hrq ask QUESTION`` (demo warehouse, ``HRQ_AS_OF`` pinned) and
  ``hrq serve`` readiness (start until ``/healthz`` answers 200; then ``/readyz``).

``--tree`` runs the code of another checkout (``PYTHONPATH`` points at it), so a
before/after pair uses the same interpreter, warehouse and machine. The demo warehouse:
``hrq demo-data --out /tmp/cf/demo.duckdb --seed 7 --end-date 2026-11-26``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ANSWERING_PATH = """
import gc
import sys
from assistant.ask import Assistant
from schema.caller import Caller
from schema.settings import get_settings
assistant = Assistant.from_settings(get_settings(), app_state=False)
answer = assistant.ask(sys.argv[1], Caller.operator(), surface="cli")
print(answer.answer)
gc.freeze()
"""


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def add(self, seconds: float, cpu: float, rss_kb: int) -> None:
        self.seconds.append(seconds)
        self.cpu.append(cpu)
        self.rss_mb.append(rss_kb / 1024)

    @property
    def wall(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall time, CPU time and peak RSS (KiB) of one process run to completion."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{argv} exited {proc.returncode}: {err[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def serve_ready(hrq: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from starting ``hrq serve`` until /healthz, then /readyz, answer 200."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [hrq, "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        healthz = readyz = None
        while time.perf_counter() - start < 60:
            if proc.poll() is not None:
                raise SystemExit(f"hrq serve exited {proc.returncode}")
            if healthz is None and answers(f"http://127.0.0.1:{port}/healthz"):
                healthz = time.perf_counter() - start
            if healthz is not None and answers(f"http://127.0.0.1:{port}/readyz"):
                readyz = time.perf_counter() - start
                return healthz, readyz
            time.sleep(0.01)
        raise SystemExit("hrq serve did not become ready in 60 s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, help="path of the demo DuckDB file")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--question", default="本月各销售部门业绩中位数是多少")
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    python = sys.executable
    hrq = str(Path(python).with_name("hrq"))
    work = Path(tempfile.mkdtemp(prefix="hrq-bench-cli-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(args.tree.resolve()),
        "HRQ_WAREHOUSE_URL": f"duckdb:///{Path(args.warehouse).resolve()}",
        "HRQ_APP_DB_URL": f"sqlite:///{work / 'app.db'}",
        "HRQ_AS_OF": "2026-11-26",
    }
    commands: dict[str, Callable[[], tuple[float, float, int]]] = {
        "python -c pass": lambda: run([python, "-c", "pass"], env),
        "answering path (script)": lambda: run([python, "-c", ANSWERING_PATH, args.question], env),
        "hrq --help": lambda: run([hrq, "--help"], env),
        "hrq ask": lambda: run([hrq, "ask", args.question], env),
    }
    for command in commands.values():  # warm the file cache and write bytecode
        command()
    samples = {name: Samples() for name in commands}
    healthz, readyz = Samples(), Samples()
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].add(*command())
        up, ready = serve_ready(hrq, env)
        healthz.seconds.append(up)
        readyz.seconds.append(ready)
    floor, answering = samples["python -c pass"], samples["answering path (script)"]
    print(f"tree {args.tree}; question {args.question!r}; {args.runs} runs each; medians")
    print(
        f"{'command':26} {'wall s':>7} {'x python':>9} {'x answer':>9} "
        f"{'CPU s':>6} {'x python':>9} {'x answer':>9} {'max RSS MB':>10}"
    )
    rows = [*samples.items(), ("hrq serve: /healthz", healthz), ("hrq serve: /readyz", readyz)]
    for name, s in rows:
        wall = statistics.median(s.seconds)
        line = f"{name:26} {wall:7.3f} {wall / floor.wall:9.1f} {wall / answering.wall:9.2f}"
        if s.cpu:
            cpu = statistics.median(s.cpu)
            rss = statistics.median(s.rss_mb)
            line += f" {cpu:6.3f} {cpu / floor.cpu_median:9.1f} {cpu / answering.cpu_median:9.2f}"
            line += f" {rss:10.0f}"
        print(line)
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)")


if __name__ == "__main__":
    main()
