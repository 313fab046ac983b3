"""Engine work on a background thread, for the front ends' GUI threads to poll.

Blender's and FreeCAD's GUI threads must never wait on the engine: starting it can take a
minute, and a job longer. A `Task` runs the talking (start, submit, poll, fetch) on a daemon
thread; the GUI thread reads `snapshot()` on its timer (a cheap, lock-guarded copy) and does
the scene or document work itself when the task is over. Standard library only: the installer
(`partsmith install`, `build_addon.py`) copies this file into both front ends next to `client.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import facts, messages
from .client import CANCELLED, DONE, FAILED, FINISHED, Client, EngineError

POLL_S = 0.1
# After Cancel, how long the front end waits for the engine to say the job stopped before it stops
# following it (the engine stops it at its next check: between tokens, between attempts).
CANCEL_WAIT_S = 0.5
CONNECT_WAIT_S = 180.0


@dataclass
class Snapshot:
    """What the task is doing now: a line for the status bar, the job's last view, and, when
    `over`, its result or error."""

    stage: str = "starting"
    job: dict[str, Any] | None = None
    over: bool = False
    result: Any = None
    error: EngineError | None = None
    cancelled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Task:
    """One piece of engine work on its own thread. `work(task)` returns the result; it reports
    progress with `task.say(...)` and checks `task.cancel_requested` between steps."""

    def __init__(self, work: Callable[[Task], Any]) -> None:
        self._work = work
        self._lock = threading.Lock()
        self._now = Snapshot()
        self.cancel_requested = threading.Event()
        self.thread = threading.Thread(target=self._run, name="partsmith-task", daemon=True)

    def start(self) -> Task:
        self.thread.start()
        return self

    def say(self, stage: str, job: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._now.stage = stage
            if job is not None:
                self._now.job = dict(job)

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._now
            return Snapshot(now.stage, dict(now.job) if now.job else None, now.over, now.result,
                            now.error, now.cancelled, dict(now.extra))

    def cancel(self) -> None:
        self.cancel_requested.set()

    def wait(self, timeout_s: float | None = None) -> Snapshot:
        """Block until the task is over (for scripts and background mode, never a GUI thread)."""
        self.thread.join(timeout_s)
        return self.snapshot()

    def _run(self) -> None:
        try:
            result = self._work(self)
            error = None
        except EngineError as exc:
            result, error = None, exc
        except Exception as exc:  # noqa: BLE001 (a bug must reach the GUI as a message, not kill the thread)
            result, error = None, EngineError(f"{type(exc).__name__}: {exc}", kind="internal")
        with self._lock:
            self._now.result, self._now.error, self._now.over = result, error, True
            self._now.cancelled = self.cancel_requested.is_set() and error is None and result is None


def connect(client: Client, task: Task, wait_s: float = CONNECT_WAIT_S) -> dict[str, Any]:
    """The engine's health, starting the engine first when none answers."""
    if client.find():
        return client.health()
    task.say("starting the engine...")
    return client.connect(wait_s=wait_s)


def job(client: Client, kind: str, fields: dict[str, Any],
        wait_s: float = CONNECT_WAIT_S) -> Callable[[Task], dict[str, Any] | None]:
    """Work that connects (starting the engine if needed), submits one job, follows it until it
    ends (cancelling it when asked), and returns {"job": ..., "entry": ...} (entry when done)."""

    def work(task: Task) -> dict[str, Any] | None:
        connect(client, task, wait_s)
        if task.cancel_requested.is_set():
            return None
        status = client.submit(kind, **fields)
        task.say(status.get("stage") or status["state"], status)
        cancel_sent: float | None = None
        while status["state"] not in FINISHED:
            time.sleep(POLL_S)
            if task.cancel_requested.is_set() and cancel_sent is None:
                client.cancel(status["id"])
                cancel_sent = time.monotonic()
            status = client.job(status["id"])
            task.say(status.get("stage") or status["state"], status)
            if cancel_sent is not None and status["state"] not in FINISHED \
                    and time.monotonic() - cancel_sent > CANCEL_WAIT_S:
                # Cancel lands now for the user; the engine finishes stopping on its own.
                return {"job": {**status, "state": CANCELLED, "stage": CANCELLED}, "entry": None}
        entry = None
        if status["state"] == DONE and status.get("entry"):
            # Not "done" yet for the user: the part is still on its way to the scene.
            task.say("fetching the part", {**status, "stage": "fetching the part"})
            entry = client.entry(status["entry"]["id"])
        return {"job": status, "entry": entry}

    return work


# Error kinds that mean no engine answered.
ENGINE_GONE = ("unreachable", "not_running", "start_failed")


@dataclass(frozen=True)
class Outcome:
    """How a finished task ended, as both front ends show it: `state` is done, failed or
    cancelled; `entry` the part when done; `message` what to tell the user when it is not (in
    the program's terms), `detail` the engine's own words (for the log or the report view)."""

    state: str
    entry: dict[str, Any] | None = None
    message: str = ""
    warnings: tuple[str, ...] = ()  # less those the facts show
    detail: str = ""
    kind: str = ""  # the error's kind, when it failed

    @property
    def engine_gone(self) -> bool:
        """Whether it failed because no engine answered (a front end then says so)."""
        return self.kind in ENGINE_GONE

    @property
    def ok(self) -> bool:
        return self.state == DONE

    @property
    def facts(self) -> list[str]:
        """What the prompt stated, a line each, ticked or with what is off."""
        return facts.lines(self.entry or {})

    @property
    def missed(self) -> int:
        return facts.missed(self.entry or {})


def failure(error: EngineError, program: str = messages.BLENDER) -> Outcome:
    """The outcome of an engine error raised by the client (connecting, a refused request)."""
    return Outcome(FAILED, message=messages.for_people(error.kind, error.message, error.hint, program),
                   detail=str(error), kind=error.kind)


def outcome(now: Snapshot, program: str = messages.BLENDER) -> Outcome:
    """The outcome of a task that is over (`job_work`'s, or work that returns the same shape)."""
    if now.error is not None:
        return failure(now.error, program)
    result = now.result or {}
    job = result.get("job") or {"state": CANCELLED}
    if job["state"] == CANCELLED:
        return Outcome(CANCELLED, message="cancelled")
    if job["state"] == FAILED:
        error = job.get("error") or {}
        detail = error.get("message") or "the engine failed"
        hint = f" ({error['hint']})" if error.get("hint") else ""
        kind = str(error.get("kind") or "error")
        people = messages.for_people(kind, detail, error.get("hint"), program)
        return Outcome(FAILED, message=people, detail=detail + hint, kind=kind)
    entry = result.get("entry")
    if not entry:
        return Outcome(FAILED, message=messages.for_people("error", "no part", None, program),
                       detail="the engine finished but sent no part")
    return Outcome(DONE, entry, warnings=tuple(facts.other_warnings(entry)))


def start(work: Callable[[Task], Any]) -> Task:
    """A started task for `work`."""
    return Task(work).start()
