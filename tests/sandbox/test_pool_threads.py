"""Workers outlive the thread that started them.

The kernel sends a worker's parent-death signal when the *thread* that started it exits, not the
process. The service warms its pool on a short-lived thread and replaces workers from job
threads, so a worker tied to that thread was killed as soon as the warm-up ended: the first job
then failed with "the sandbox worker had exited" and cost a repair attempt.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.sandbox import SandboxPool

from .conftest import assert_works


@pytest.mark.parametrize("mode", ["fork", "spawn"])
def test_a_pool_warmed_on_a_thread_that_has_ended_still_runs_jobs(tmp_path: Path, mode: str) -> None:
    made: list[SandboxPool] = []

    def warm_up() -> None:  # what the service's warm-up thread does
        pool = SandboxPool(SandboxSettings(workers=1, timeout_s=20, mode=mode), ExportSettings(),
                           jobs_dir=tmp_path)
        pool.warm()
        made.append(pool)

    thread = threading.Thread(target=warm_up)
    thread.start()
    thread.join()
    with made[0] as pool:
        assert_works(pool)
        # A job run on a thread that then ends leaves the next worker alive too.
        runner = threading.Thread(target=assert_works, args=(pool,))
        runner.start()
        runner.join()
        assert_works(pool)
