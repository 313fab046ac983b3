"""The API fuzzed from its own OpenAPI schema (schemathesis) against the running service over
loopback: whatever the input, no 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from live_engine import Running, SlowKitModel, start_service
from schemathesis.checks import not_a_server_error

from partsmith.config import Settings
from partsmith.engine.engine import Engine
from partsmith.sandbox import SandboxPool
from partsmith.service.api import create_app
from partsmith.service.jobs import Jobs


def _schema() -> dict[str, object]:
    # Building the app touches neither the engine nor the jobs; only its schema is wanted here.
    app = create_app(Engine(Settings(home=Path("/nonexistent"))), Jobs.__new__(Jobs), "unused")
    return app.openapi()


schema = schemathesis.openapi.from_dict(_schema())


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, pool: SandboxPool) -> Iterator[Running]:
    running = start_service(tmp_path_factory.mktemp("fuzz-home"), pool, SlowKitModel())
    yield running
    running.stop()


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_input_makes_a_server_error(case: schemathesis.Case, fuzzed: Running) -> None:
    if case.path.endswith("/events"):
        case.path_parameters = {"job_id": "no-such-job"}  # a stream of a real job never ends early
    response = case.call(base_url=fuzzed.client.url,
                         headers={"Authorization": f"Bearer {fuzzed.service.token}"}, timeout=60)
    case.validate_response(response, checks=[not_a_server_error])
