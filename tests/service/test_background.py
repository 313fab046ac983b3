"""The front ends' background task: Cancel lands for the user at once, even while the engine
takes its time to stop the job."""

from __future__ import annotations

import time
from typing import Any

from partsmith.client import background


class SlowToStop:
    """An engine whose job keeps running long after it was asked to stop (a model mid-load)."""

    def __init__(self) -> None:
        self.cancelled: list[str] = []

    def find(self) -> bool:
        return True

    def health(self) -> dict[str, Any]:
        return {"status": "ok"}

    def submit(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"id": "job-1", "state": "running", "stage": "loading the model"}

    def job(self, job_id: str) -> dict[str, Any]:
        return {"id": job_id, "state": "running", "stage": "loading the model"}

    def cancel(self, job_id: str) -> dict[str, Any]:
        self.cancelled.append(job_id)
        return self.job(job_id)


def test_cancel_lands_within_a_second_whatever_the_engine_does() -> None:
    engine = SlowToStop()
    task = background.start(background.job(engine, "generate", {"prompt": "a plate"}))  # type: ignore[arg-type]
    time.sleep(0.3)
    asked = time.monotonic()
    task.cancel()
    now = task.wait(timeout_s=5)
    assert now.over and time.monotonic() - asked < 1.0
    assert background.outcome(now).state == "cancelled" and engine.cancelled == ["job-1"]
