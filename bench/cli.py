"""Cold start of the ``hrq`` command line, against floors measured in the same run.

    .venv/bin/python bench/cli.py --warehouse /tmp/cf/demo.duckdb [--runs 7] [--tree DIR ...]

Each command runs as a fresh process, interleaved with the floors, and reports the
median wall time, CPU time (user + system, steadier than wall time on a shared machine)
and peak memory (max RSS) of its runs:

- ``python -c pass``: the interpreter's own start-up, the floor of every command;
- the answering path: a script that imports only ``assistant.ask`` and the settings,
  builds the assistant and answers the same question (no CLI, no app database; it skips
  the interpreter's shutdown collections as ``hrq`` does): the floor of ``hrq ask``;
- ``hrq --help``, ``hrq ask QUESTION`` (demo warehouse, ``HRQ_AS_OF`` pinned; a question
  in Chinese characters, and one in English, which also spells names in pinyin) and
  ``hrq serve`` readiness (start until ``/healthz`` answers 200; then ``/readyz``).

``--tree`` runs the code of a checkout (``PYTHONPATH`` points at it); given twice, the
two are measured interleaved, so a before/after pair shares interpreter, warehouse and
machine load. The demo warehouse:
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
from functools import partial
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


SERVE = ("hrq serve: /healthz", "hrq serve: /readyz")


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


def run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """Wall time, CPU time and peak RSS (KiB) of one process run to completion."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
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


def serve_ready(hrq: str, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds from starting ``hrq serve`` until /healthz, then /readyz, answer 200."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [hrq, "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=cwd,
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


def compile_tree(tree: Path) -> None:
    """Byte-compile a checkout's packages first, as a user's first run does: with
    ``PYTHONDONTWRITEBYTECODE`` set (as on CI machines) every run would otherwise compile
    the project's sources again, which is not what a user's second command pays."""
    packages = [str(tree / name) for name in ("api", "assistant", "schema", "tools")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)


def tree_env(tree: Path, warehouse: Path, work: Path) -> dict[str, str]:
    """The environment of one checkout's commands: its code, the demo warehouse, a fresh app db.

    They run in ``work``, an empty folder: ``python -c`` puts the working directory before
    PYTHONPATH.
    """
    work.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "PYTHONPATH": str(tree.resolve()),
        "HRQ_WAREHOUSE_URL": f"duckdb:///{warehouse.resolve()}",
        "HRQ_APP_DB_URL": f"sqlite:///{work / 'app.db'}",
        "HRQ_AS_OF": "2026-11-26",
    }


def report(label: str, samples: dict[str, Samples]) -> None:
    floor = samples["python -c pass"]
    print(f"\n{label}")
    print(
        f"{'command':30} {'wall s':>7} {'min':>6} {'x python':>9} {'x answer':>9} "
        f"{'CPU s':>6} {'x python':>9} {'x answer':>9} {'max RSS MB':>10}"
    )
    for name, s in samples.items():
        answering = samples["answering path, English" if "English" in name else "answering path"]
        wall = s.wall
        line = (
            f"{name:30} {wall:7.3f} {min(s.seconds):6.3f} {wall / floor.wall:9.1f} "
            f"{wall / answering.wall:9.2f}"
        )
        if s.cpu:
            cpu = s.cpu_median
            line += f" {cpu:6.3f} {cpu / floor.cpu_median:9.1f} {cpu / answering.cpu_median:9.2f}"
            line += f" {statistics.median(s.rss_mb):10.0f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the demo DuckDB file")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--question", default="本月各销售部门业绩中位数是多少")
    parser.add_argument("--english", default="What is each sales department's median this month?")
    parser.add_argument(
        "--tree",
        type=Path,
        action="append",
        help="a checkout to measure (repeat to interleave several); default: this one",
    )
    args = parser.parse_args()
    trees: list[Path] = args.tree or [Path(__file__).resolve().parents[1]]
    python = sys.executable
    hrq = str(Path(python).with_name("hrq"))
    work = Path(tempfile.mkdtemp(prefix="hrq-bench-cli-"))
    commands: dict[Path, dict[str, Callable[[], tuple[float, float, int]]]] = {}
    serve: dict[Path, Callable[[], tuple[float, float]]] = {}
    for i, tree in enumerate(trees):
        compile_tree(tree)
        cwd = work / str(i)
        env = tree_env(tree, args.warehouse, cwd)
        serve[tree] = partial(serve_ready, hrq, env, cwd)
        commands[tree] = {
            name: partial(run, argv, env, cwd)
            for name, argv in {
                "python -c pass": [python, "-c", "pass"],
                "answering path": [python, "-c", ANSWERING_PATH, args.question],
                "answering path, English": [python, "-c", ANSWERING_PATH, args.english],
                "hrq --help": [hrq, "--help"],
                "hrq ask": [hrq, "ask", args.question],
                "hrq ask, English": [hrq, "ask", args.english],
            }.items()
        }
        for command in commands[tree].values():  # warm the file cache, write bytecode
            command()
    samples = {t: {name: Samples() for name in [*commands[t], *SERVE]} for t in trees}
    for _ in range(args.runs):
        for tree in trees:
            for name, command in commands[tree].items():
                samples[tree][name].add(*command())
            for name, seconds in zip(SERVE, serve[tree](), strict=True):
                samples[tree][name].seconds.append(seconds)
    print(
        f"questions {args.question!r}, {args.english!r}; {args.runs} runs each, interleaved; "
        "medians (and the fastest wall time); x python: / python -c pass; "
        "x answer: / the answering path (same question)"
    )
    for tree in trees:
        report(f"tree {tree}", samples[tree])
    print(f"\nload average {os.getloadavg()[0]:.2f} (2 cores)")


if __name__ == "__main__":
    main()
