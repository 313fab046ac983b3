from __future__ import annotations

from collections.abc import Iterator

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.sandbox import SandboxPool


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxPool]:
    with SandboxPool(SandboxSettings(workers=1, timeout_s=30), ExportSettings(),
                     jobs_dir=tmp_path_factory.mktemp("jobs")) as warm:
        warm.warm()
        yield warm
