"""Shared fixtures: every test gets its own data folder; in CI a skipped test fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings, get_settings
from partsmith.sandbox import SandboxPool


@pytest.fixture(autouse=True)
def partsmith_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point PARTSMITH_HOME (and so the settings file) at a fresh temporary folder."""
    home = tmp_path / "partsmith-home"
    home.mkdir()
    monkeypatch.setenv("PARTSMITH_HOME", str(home))
    monkeypatch.delenv("PARTSMITH_CONFIG", raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxPool]:
    """A warm sandbox pool for a test module (starting one takes a few seconds)."""
    with SandboxPool(SandboxSettings(workers=1, timeout_s=30), ExportSettings(),
                     jobs_dir=tmp_path_factory.mktemp("jobs")) as warm:
        warm.warm()
        yield warm


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CI: {skipped} test(s) skipped; in CI every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
