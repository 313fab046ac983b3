from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.history import Entry, History
from partsmith.sandbox import SandboxPool


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    store = History(tmp_path / "history")
    yield store
    store.close()


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxPool]:
    with SandboxPool(SandboxSettings(workers=1, timeout_s=30), ExportSettings(),
                     jobs_dir=tmp_path_factory.mktemp("jobs")) as warm:
        warm.warm()
        yield warm


def entry(prompt: str, status: str = "ok", **fields: object) -> Entry:
    return Entry(id="", created=0.0, prompt=prompt, status=status, **fields)  # type: ignore[arg-type]
