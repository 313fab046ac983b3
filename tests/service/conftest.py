"""Fixtures for the service tests: a warm sandbox pool and a live service per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_engine import Running, SlowKitModel, start_service

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.sandbox import SandboxPool
from partsmith.service import discovery


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxPool]:
    with SandboxPool(SandboxSettings(workers=2, timeout_s=30), ExportSettings(),
                     jobs_dir=tmp_path_factory.mktemp("jobs")) as warm:
        warm.warm()
        yield warm


@pytest.fixture
def service(tmp_path: Path, pool: SandboxPool) -> Iterator[Running]:
    running = start_service(tmp_path / "home", pool, SlowKitModel(word_delay_s=0.01))
    yield running
    running.stop()
    assert discovery.read(running.home) is None  # removed at shutdown


