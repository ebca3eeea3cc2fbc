"""The watchdog calls back a block that overruns its deadline, and never one that ended."""

from __future__ import annotations

import threading

from assistant.watchdog import Watchdog


def test_overrun_is_called_back_and_a_finished_block_is_not() -> None:
    watchdog = Watchdog()
    calls: list[str] = []
    with watchdog.deadline(0.01, lambda: calls.append("finished")) as finished:
        pass
    overran = threading.Event()
    with watchdog.deadline(0.05, overran.set) as late:
        assert overran.wait(10)
    # The finished block's deadline came first: had it been called, it would be in calls.
    assert calls == [] and not finished.expired and late.expired


def test_an_earlier_deadline_wakes_the_sleeping_thread() -> None:
    watchdog = Watchdog()
    short = threading.Event()
    with watchdog.deadline(3600, lambda: None) as long:
        with watchdog.deadline(0.01, short.set):
            assert short.wait(10)
    assert not long.expired
