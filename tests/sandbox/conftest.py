from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.sandbox import SandboxPool


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxPool]:
    """One warm fork-mode pool for a whole test module (starting one takes a few seconds)."""
    jobs = tmp_path_factory.mktemp("jobs")
    settings = SandboxSettings(workers=1, timeout_s=20, memory_mb=1024, file_size_mb=8)
    with SandboxPool(settings, ExportSettings(), jobs_dir=jobs) as warm:
        warm.warm()
        yield warm


SIMPLE = """from build123d import *
length = 40  # mm
width = 30  # mm
thickness = 5  # mm
hole_d = 8  # mm
result = Box(length, width, thickness) - Cylinder(hole_d / 2, thickness)
"""


@pytest.fixture
def simple_script() -> str:
    return SIMPLE


def assert_works(pool: SandboxPool) -> None:
    """The pool still makes a correct part."""
    result = pool.run(SIMPLE)
    assert result.measurements["size"] == pytest.approx([40, 30, 5])
    assert Path(result.artifacts["step"]).stat().st_size > 0
