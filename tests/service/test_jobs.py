"""Issue 15: a job's view is one consistent state, and a cancelled job never records a part.

Both races are made to happen every time: the test steps in at the exact moment the old code left
open (between two fields of an update; between the cancel check and the start), from another
thread, as a client's request would."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from partsmith.progress import Progress
from partsmith.service.jobs import Job, Jobs


def _in_other_thread(action: Any) -> list[Any]:
    """Run `action` on another thread and give it a moment; return what it returned (if it
    finished: while the lock is held it waits, as a client's request would)."""
    out: list[Any] = []
    def go() -> None:
        try:
            out.append(action())
        except BaseException as exc:
            print("EXC", repr(exc))
            raise
    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    worker.join(0.5)
    return out


def test_a_view_never_shows_done_without_its_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client's `GET /v1/jobs/{id}` has found the job and reads it just as the job finishes."""
    from fastapi.testclient import TestClient

    from partsmith.service.api import create_app

    found, finishing = threading.Event(), threading.Event()

    def run(job: Job, report: Any) -> dict[str, Any]:
        assert found.wait(10)  # the client has the job in hand
        return {"id": "entry-1"}

    jobs = Jobs(run)
    client = TestClient(create_app(None, jobs, "token"))  # type: ignore[arg-type] (no engine needed)
    get = jobs.get

    def get_then_pause(job_id: str) -> Job | None:
        job = get(job_id)
        found.set()
        finishing.wait(10)  # ... and reads it while the job is being finished
        return job

    monkeypatch.setattr(jobs, "get", get_then_pause)
    original = Job.__setattr__
    reader: list[threading.Thread] = []

    def setattr_then_let_the_client_read(job: Job, name: str, value: Any) -> None:
        original(job, name, value)
        if name == "state" and value == "done":
            finishing.set()
            reader[0].join(0.5)  # the client reads now, unless a lock makes it wait

    job = jobs.submit("script", {"script": "..."})
    views: list[dict[str, Any]] = []
    reader.append(threading.Thread(target=lambda: views.append(client.get(f"/v1/jobs/{job.id}").json())))
    monkeypatch.setattr(Job, "__setattr__", setattr_then_let_the_client_read)
    reader[0].start()
    while not job.over:
        jobs.wait(job, job.version, 5)
    reader[0].join(10)
    monkeypatch.undo()
    [view] = views
    assert view["state"] != "done" or view["entry"] == {"id": "entry-1"}, view
    jobs.close()


def test_a_side_job_cancelled_as_it_starts_records_no_part() -> None:
    recorded: list[str] = []

    def run(job: Job, report: Any) -> dict[str, Any]:
        report(Progress("running"))
        recorded.append(job.id)  # a rerun or a script job saves its part in the history
        return {"id": "entry"}

    jobs = Jobs(run)
    answered: list[str] = []

    class CancelledAsItStarts(threading.Event):
        """The client's cancel arrives just as the worker has looked at the flag."""

        def __init__(self) -> None:
            super().__init__()
            self.looked = False

        def is_set(self) -> bool:
            flag = super().is_set()
            if not self.looked:
                self.looked = True
                answered.extend(_in_other_thread(lambda: (jobs.cancel(job), job.state)[1]))
            return flag

    job = Job(id="race", kind="script", request={})
    object.__setattr__(job, "cancel", CancelledAsItStarts())
    with jobs._changed:
        jobs._jobs[job.id] = job
    jobs._side.submit(jobs._execute, job).result(10)
    while not job.over:
        jobs.wait(job, job.version, 5)
    # Either the cancel came first (cancelled, nothing recorded) or the start did (the cancel
    # found it running, and the part it made is the job's entry): never "cancelled" and a part.
    if job.state == "cancelled" or "cancelled" in answered:
        assert recorded == [], (answered, job.state)
    else:
        assert job.state == "done" and job.entry == {"id": "entry"}
    jobs.close()


def test_a_queued_job_cancelled_never_starts() -> None:
    started = threading.Event()
    release = threading.Event()
    ran: list[str] = []

    def run(job: Job, report: Any) -> dict[str, Any]:
        ran.append(job.id)
        started.set()
        release.wait(10)
        return {"id": job.id}

    jobs = Jobs(run)
    first = jobs.submit("generate", {"prompt": "a"})
    assert started.wait(10)
    second = jobs.submit("generate", {"prompt": "b"})
    assert jobs.view(second)["queue_position"] == 1
    jobs.cancel(second)
    release.set()
    while not first.over:
        jobs.wait(first, first.version, 5)
    assert jobs.view(second)["state"] == "cancelled" and ran == [first.id]
    jobs.close()
