"""Benchmark: build the medium and large demo warehouses on DuckDB; print time, memory, rows.

Usage: ``.venv/bin/python bench/generate.py [--scales medium,large] [--seed 7] [--end-date 2026-11-26]``

Each scale is built in its own child process (into a temporary folder that is
removed afterwards), so the peak memory reported is that build's own maximum
resident set size (``os.wait4``), and the wall time includes start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(scale: str, out: Path, seed: int, end_date: str) -> None:
    """Build one warehouse and print its row counts (and salespeople) as JSON."""
    from datetime import date

    import duckdb

    from schema.demodata import generate

    started = time.perf_counter()
    summary = generate(
        f"duckdb:///{out}", seed=seed, end_date=date.fromisoformat(end_date), scale=scale
    )
    elapsed = time.perf_counter() - started
    con = duckdb.connect(str(out), read_only=True)
    salespeople = con.execute(
        "SELECT count(*) FROM employees JOIN departments USING (department_id) "
        "WHERE kind = 'sales' AND title <> 'Sales Manager'"
    ).fetchone()[0]  # type: ignore[index]
    con.close()
    print(
        json.dumps(
            {
                "tables": summary.tables,
                "salespeople": salespeople,
                "generate_s": elapsed,
                "file_mb": out.stat().st_size / 2**20,
            }
        )
    )


def measure(scale: str, seed: int, end_date: str) -> dict[str, object]:
    """Run one build in a child process; return its figures with wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix=f"hrq-bench-{scale}-") as folder:
        command = [
            sys.executable,
            __file__,
            "--child",
            scale,
            "--out",
            str(Path(folder) / "demo.duckdb"),
            "--seed",
            str(seed),
            "--end-date",
            end_date,
        ]
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        output = proc.stdout.read() if proc.stdout else ""
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{scale}: build failed with exit code {proc.returncode}")
    figures: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    figures |= {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="medium,large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", default="2026-11-26")
    parser.add_argument("--child")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.child, args.out, args.seed, args.end_date)
        return
    print(f"cpus={os.cpu_count()} seed={args.seed} end_date={args.end_date}")
    for scale in args.scales.split(","):
        f = measure(scale, args.seed, args.end_date)
        tables = f["tables"]
        assert isinstance(tables, dict)
        print(
            f"\n{scale}: wall {f['wall_s']:.1f} s (generate {f['generate_s']:.1f} s), "
            f"peak RSS {f['peak_rss_mb']:.0f} MB, file {f['file_mb']:.0f} MB, "
            f"salespeople {f['salespeople']:,}, rows {sum(tables.values()):,}"
        )
        for name, rows in tables.items():
            print(f"  {name:<22} {rows:>12,}")


if __name__ == "__main__":
    main()
