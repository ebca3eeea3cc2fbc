"""Fixtures shared by the assistant's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.ask import Assistant
from schema.settings import Settings


@pytest.fixture(scope="module")
def assistant(demo_warehouse_url: str) -> Iterator[Assistant]:
    """An assistant over the demo warehouse, without an app database of its own (a test
    module's own ``assistant`` fixture takes its place)."""
    built = Assistant.from_settings(
        Settings(warehouse_url=demo_warehouse_url, app_db_url="sqlite:///:memory:"),
        app_state=False,
    )
    yield built
    built.warehouse.dispose()
