"""Run pytest with the clock moved: the suite must pass on any date.

``python -m tests.moved_clock [--days N] [pytest arguments]`` travels ``N`` days (default 75)
ahead of now, with the clock ticking, around ``pytest.main`` (time-machine moves
``time.time``, ``datetime.now`` and ``date.today`` in this process; servers a test starts in
another process keep the real clock, so those tests pin their date through ``HRQ_AS_OF``).
A test that reads today's date without pinning it fails here on one date or another.
``.ci/run`` runs the whole suite this way after ``make test``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.moved_clock")
    parser.add_argument("--days", type=int, default=75, help="days to move the clock ahead")
    known, rest = parser.parse_known_args(argv)
    destination = datetime.now(UTC) + timedelta(days=known.days)
    print(f"moved clock: running the suite as of {destination:%Y-%m-%d %H:%M} UTC")  # noqa: T201
    with time_machine.travel(destination, tick=True):
        return int(pytest.main(rest))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
