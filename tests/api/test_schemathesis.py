"""Property-based run of the OpenAPI schema (schemathesis): no request makes a 5xx.

Every operation gets a bounded number of generated requests, authenticated with a
valid HR key (the auth failures have their own tests), so generated bodies and
parameters reach the routes themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from api.http.main import create_app
from assistant.ask import Assistant
from assistant.keys import create_key
from schema.settings import Settings
from tests.api.conftest import Persona, assistant_for

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402

MAX_EXAMPLES = 15


@pytest.fixture
def api_schema(
    api_settings: Settings, shared_assistant: Assistant, personas: dict[str, Persona]
) -> Iterator[tuple[object, str]]:
    app = create_app(api_settings, assistant=assistant_for(shared_assistant, api_settings))
    services = app.state.services
    services.prepare()
    key, _ = create_key(services.app_engine, personas["hr"].employee_no)
    yield schemathesis.openapi.from_asgi("/openapi.json", app), key
    services.close()


def test_no_server_errors(api_schema: tuple[object, str]) -> None:
    """Every operation, a bounded number of generated requests each: none answers 5xx."""
    loaded, key = api_schema
    headers = {"Authorization": f"Bearer {key}"}
    operations = [result.ok() for result in loaded.get_all_operations()]  # type: ignore[attr-defined]
    assert len(operations) >= 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
