"""Jobs: what the service is doing for its clients, with progress that they poll or stream.

Generations need the model, so they queue and run one at a time on one thread. Reruns with new
parameters and hand-edited scripts need only the sandbox, so they run at once beside them. A job
finishes whether or not its client is still there (the history keeps the part); finished jobs
are forgotten after a while.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any

from partsmith.client.client import CANCELLED, DONE, FAILED, FINISHED, QUEUED, RUNNING
from partsmith.errors import PartsmithError
from partsmith.model.base import Cancelled
from partsmith.progress import Progress

MODEL_KINDS = ("generate", "like", "again")
STAGE_PROGRESS = {"queued": 0.0, "loading the model": 0.01, "starting the sandbox": 0.02,
                  "loading the embedder": 0.03, "retrieving": 0.05, "generating": 0.1, "repairing": 0.5,
                  "running": 0.8, "exporting": 0.9, "saving": 0.95, "done": 1.0}
KEEP_S = 3600.0
KEEP_COUNT = 500
TEXT_TAIL = 4000


@dataclass
class Job:
    id: str
    kind: str
    request: dict[str, Any]
    state: str = QUEUED  # one of client.STATES
    stage: str = QUEUED
    attempt: int = 0
    tokens: int = 0
    tokens_per_second: float = 0.0
    progress: float = 0.0
    text: str = ""
    entry: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    version: int = 0
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def over(self) -> bool:
        return self.state in FINISHED

    def view(self) -> dict[str, Any]:
        """The job's fields as a client sees them. Read it through `Jobs.view`, which holds the
        lock, so that a view never shows half of an update (`done` without its entry)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in {"cancel", "request"}}


Runner = Callable[[Job, Callable[[Progress], None]], dict[str, Any]]


class Jobs:
    def __init__(self, run: Runner, sandbox_workers: int = 2) -> None:
        self._run = run
        self._jobs: dict[str, Job] = {}
        self._changed = threading.Condition()
        self._model_queue: queue.Queue[Job | None] = queue.Queue()
        self._side = ThreadPoolExecutor(max_workers=sandbox_workers, thread_name_prefix="partsmith-job")
        self._model_thread = threading.Thread(target=self._model_loop, name="partsmith-model",
                                              daemon=True)
        self._model_thread.start()

    def submit(self, kind: str, request: dict[str, Any]) -> Job:
        job = Job(id=secrets.token_hex(8), kind=kind, request=request)
        with self._changed:
            self._forget_old()
            self._jobs[job.id] = job
        if kind in MODEL_KINDS:
            self._model_queue.put(job)
        else:
            self._side.submit(self._execute, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._changed:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        with self._changed:
            return list(self._jobs.values())

    def view(self, job: Job) -> dict[str, Any]:
        """One consistent snapshot of a job, with its place in the model's queue."""
        with self._changed:
            view = job.view()
            view["queue_position"] = self._queued_before(job) if job.state == QUEUED else 0
            return view

    def cancel(self, job: Job) -> None:
        """Stop a job. A queued job is cancelled at once and never starts; a running one stops
        where its work checks (a generation between tokens and attempts)."""
        with self._changed:
            job.cancel.set()
            if job.state == QUEUED:
                self._set(job, state=CANCELLED, stage=CANCELLED, finished=time.time())

    def wait(self, job: Job, version: int, timeout: float) -> None:
        """Return when the job has changed since `version`, or after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: job.version != version, timeout)

    def queued_before(self, job: Job) -> int:
        with self._changed:
            return self._queued_before(job)

    def _queued_before(self, job: Job) -> int:
        return sum(1 for other in self._jobs.values()
                   if other.kind in MODEL_KINDS and other.state in {QUEUED, RUNNING}
                   and other.created < job.created)

    def close(self) -> None:
        for job in self.all():
            job.cancel.set()
        self._model_queue.put(None)
        self._side.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------------------------------

    def _model_loop(self) -> None:
        while True:
            job = self._model_queue.get()
            if job is None:
                return
            self._execute(job)

    def _execute(self, job: Job) -> None:
        # Starting and cancelling are one step each under the lock: a job cancelled while queued
        # never starts (and never records a part), and one that started is no longer `queued`.
        with self._changed:
            if job.cancel.is_set() or job.state != QUEUED:
                if not job.over:
                    self._set(job, state=CANCELLED, stage=CANCELLED, finished=time.time())
                return
            self._set(job, state=RUNNING, stage="retrieving", progress=STAGE_PROGRESS["retrieving"])

        def report(progress: Progress) -> None:
            changes: dict[str, Any] = {"stage": progress.stage, "attempt": progress.attempt,
                                       "progress": _fraction(progress)}
            if progress.tokens:
                changes["tokens"] = progress.tokens
                changes["tokens_per_second"] = round(progress.tokens_per_second, 1)
            if progress.message and progress.stage in {"generating", "repairing"}:
                changes["text"] = (job.text + progress.message)[-TEXT_TAIL:]
            elif progress.stage != job.stage:
                changes["text"] = ""
            self._update(job, **changes)

        try:
            result = self._run(job, report)
        except Cancelled:
            self._update(job, state=CANCELLED, stage=CANCELLED, finished=time.time())
        except PartsmithError as exc:
            self._update(job, state=FAILED, stage=FAILED, error=exc.to_dict(), finished=time.time())
        except Exception as exc:  # noqa: BLE001 (a job never takes the service down)
            error = {"kind": "internal", "message": f"the engine failed: {type(exc).__name__}: {exc}",
                     "hint": "this is a bug in Partsmith; the engine is still running"}
            self._update(job, state=FAILED, stage=FAILED, error=error, finished=time.time())
        else:
            # The entry first: no view shows `done` without it.
            self._update(job, entry=result, state=DONE, stage=DONE, progress=1.0,
                         finished=time.time())

    def _update(self, job: Job, **changes: Any) -> None:
        with self._changed:
            self._set(job, **changes)

    def _set(self, job: Job, **changes: Any) -> None:
        """Change a job (the lock held) and wake whoever waits for it."""
        for name, value in changes.items():
            setattr(job, name, value)
        job.version += 1
        self._changed.notify_all()

    def _forget_old(self) -> None:
        now = time.time()
        over = sorted((j for j in self._jobs.values() if j.over), key=lambda j: j.finished or 0)
        for job in over:
            if now - (job.finished or now) > KEEP_S or len(self._jobs) > KEEP_COUNT:
                del self._jobs[job.id]


def _fraction(progress: Progress) -> float:
    if progress.fraction is not None:
        return round(min(max(progress.fraction, 0.0), 1.0), 3)
    base = STAGE_PROGRESS.get(progress.stage, 0.0)
    if progress.stage in {"generating", "repairing"} and progress.tokens:
        return round(min(base + 0.3, base + 0.3 * progress.tokens / 400), 3)
    return base
