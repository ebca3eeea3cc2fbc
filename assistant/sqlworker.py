"""The worker process that runs guarded SQL on a DuckDB warehouse (``python -m assistant.sqlworker``).

DuckDB's ``interrupt()`` does not stop every function (``generate_series``,
``range``, ``lpad`` and ``list`` of a billion rows ran on for 30-100 s and grew
to 4-20 GB after the timeout had fired), so a statement runs here, in a process
the server can kill. :mod:`assistant.sqlworkers` starts it, sends it one request
at a time and kills it (SIGKILL) when its deadline passes or its memory grows
past the limit.

The process opens the warehouse file read-only with DuckDB's ``memory_limit``
and ``threads``, no temporary directory (a statement that does not fit in memory
fails instead of filling the disk), no external access (files, URLs, extensions)
and its configuration locked, so no statement can change any of it. Its address
space is capped (``RLIMIT_AS``) above what DuckDB may use, so that memory
DuckDB does not account for (turning a large result into Python objects) fails
too, even between two looks of the pool at the process's resident memory. Rows are fetched a few at a time and their JSON size counted
(:func:`schema.jsonvalue.encoded_size`): fetching stops at the row limit or
before the byte limit.

Messages are pickles framed by an 8-byte length, on stdin (requests) and stdout
(replies). The first reply, :class:`Ready` or :class:`Failed`, says whether the
warehouse opened. When stdin closes the process exits; a statement that runs
well past its own deadline ends the process too (the server that would have
killed it may be gone).
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any, Literal

from schema.jsonvalue import encoded_size

HEADER = struct.Struct("!Q")
#: Rows fetched at first, and at most, at a time.
FIRST_BATCH = 8
FETCH_BATCH = 256
#: Address space allowed beyond the process's own at start-up, per DuckDB thread.
THREAD_ADDRESS_SPACE_MB = 128
#: A statement still running this long after its deadline ends the process itself.
ORPHAN_GRACE_S = 5.0
#: Exit status of a process that ended itself (an orphan past its deadline).
ORPHAN_EXIT = 70


@dataclass(frozen=True)
class Config:
    """How the worker opens the warehouse."""

    database: str
    memory_limit_mb: int
    threads: int
    #: Resident memory above which the pool kills the worker, MB.
    rss_limit_mb: int


@dataclass(frozen=True)
class Request:
    """One guarded statement to run."""

    sql: str
    row_limit: int
    max_bytes: int
    timeout_s: float


@dataclass(frozen=True)
class Ready:
    """The warehouse is open; requests may follow."""

    pid: int


@dataclass(frozen=True)
class Rows:
    """A statement's result: driver-typed values, cut at the row or byte limit."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated_by: Literal["rows", "bytes"] | None
    json_bytes: int


@dataclass(frozen=True)
class Failed:
    """The statement (or opening the warehouse) failed; ``reason`` is ``memory_limit`` or
    ``query_failed``, ``message`` DuckDB's first line."""

    reason: str
    message: str


Reply = Ready | Rows | Failed


def send(stream: IO[bytes], message: object) -> None:
    """Write one framed message."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """Read one framed message; None at end of stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def open_warehouse(config: Config) -> Any:
    """The read-only DuckDB connection, configured and locked."""
    import duckdb

    connection = duckdb.connect(config.database, read_only=True)
    for statement in (
        f"SET memory_limit = '{int(config.memory_limit_mb)}MB'",
        f"SET threads = {int(config.threads)}",
        "SET temp_directory = ''",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ):
        connection.execute(statement)
    return connection


def cap_address_space(config: Config) -> None:
    """Cap the address space at today's plus twice the memory limit plus room for each thread.

    DuckDB maps more than it touches (a 1 GB result maps about 1.4 GB), so the cap is a hard
    stop well above the limit; the resident limit is the pool's (:mod:`assistant.sqlworkers`).
    """
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    extra_mb = 2 * config.memory_limit_mb + config.threads * THREAD_ADDRESS_SPACE_MB
    limit = current + extra_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def fetch_within(
    fetchmany: Callable[[int], Sequence[tuple[Any, ...]]], row_limit: int, max_bytes: int
) -> Rows:
    """Fetch rows (``fetchmany(n)``) until there are none, ``row_limit`` rows, or the next row
    would take the JSON of the rows past ``max_bytes``. Batches start small and grow while the
    rows are small, so a few huge values are never fetched many at a time."""
    rows: list[tuple[Any, ...]] = []
    size = 2  # the brackets of the rows array
    batch_size = FIRST_BATCH
    while len(rows) < row_limit:
        wanted = min(batch_size, row_limit - len(rows))
        batch = fetchmany(wanted)
        for row in batch:
            row_size = encoded_size(row)
            if size + row_size > max_bytes:
                return Rows((), tuple(rows), "bytes", size)
            rows.append(row)
            size += row_size
        if len(batch) < wanted:
            return Rows((), tuple(rows), None, size)
        average = max(1, (size - 2) // len(rows))
        batch_size = max(1, min(FETCH_BATCH, (max_bytes - size) // average))
    return Rows((), tuple(rows), "rows", size)


def run(connection: Any, request: Request) -> Rows | Failed:
    """Execute ``request`` and fetch its rows within the row and byte limits."""
    import duckdb

    try:
        cursor = connection.execute(request.sql)
        description = cursor.description or []
        columns = tuple(d[0] for d in description)
        json_columns = [i for i, d in enumerate(description) if str(d[1]) == "JSON"]

        def fetchmany(size: int) -> list[tuple[Any, ...]]:
            rows = cursor.fetchmany(size)
            return [_parse_json(row, json_columns) for row in rows] if json_columns else rows

        fetched = fetch_within(fetchmany, request.row_limit, request.max_bytes)
        return replace(fetched, columns=columns)
    except (duckdb.OutOfMemoryException, MemoryError) as exc:
        return Failed("memory_limit", _first_line(exc))
    except duckdb.Error as exc:
        return Failed("query_failed", _first_line(exc))


def _parse_json(row: tuple[Any, ...], columns: list[int]) -> tuple[Any, ...]:
    """A JSON column's text as the value it holds (PostgreSQL's driver reads json so too)."""
    values = list(row)
    for i in columns:
        if isinstance(values[i], str):
            values[i] = json.loads(values[i])
    return tuple(values)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _OrphanTimer:
    """Ends the process when a statement runs ``ORPHAN_GRACE_S`` past its deadline."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._deadline: float | None = None
        threading.Thread(target=self._run, name="hrq-sqlworker-deadline", daemon=True).start()

    def set(self, deadline: float | None) -> None:
        with self._lock:
            self._deadline = deadline
            self._lock.notify()

    def _run(self) -> None:
        with self._lock:
            while True:
                if self._deadline is None:
                    self._lock.wait()
                elif time.monotonic() >= self._deadline:
                    os._exit(ORPHAN_EXIT)
                else:
                    self._lock.wait(self._deadline - time.monotonic())


def main() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the server decides, not the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies on the reply stream
    config = receive(requests)
    if not isinstance(config, Config):
        return
    try:
        connection = open_warehouse(config)
        cap_address_space(config)
    except Exception as exc:  # the warehouse cannot be opened: say so, then end
        send(replies, Failed("query_failed", _first_line(exc)))
        return
    send(replies, Ready(os.getpid()))
    timer = _OrphanTimer()
    while (request := receive(requests)) is not None:
        timer.set(time.monotonic() + request.timeout_s + ORPHAN_GRACE_S)
        reply = run(connection, request)
        timer.set(None)
        try:
            send(replies, reply)
        except MemoryError:
            send(replies, Failed("memory_limit", "the result is too large to send"))


if __name__ == "__main__":  # run as the package's module, so pickles name the same classes
    from assistant.sqlworker import main as worker_main

    worker_main()
