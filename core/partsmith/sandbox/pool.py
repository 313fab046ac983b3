"""The engine's side of the sandbox: a pool of warm workers and the job folders they write.

`SandboxPool.run(script)` writes the script into a fresh job folder, hands it to an idle worker,
and returns a `JobResult`, or raises a typed `SandboxError`. A worker that dies or hangs is
replaced; the pool keeps serving. Replies are checked (`replies`), never trusted; a reply whose id
is not the job's own means the channel is out of step, and its worker is replaced.

Before any code runs the pool compares the kernel layers the workers offer with
`sandbox.require` and refuses (`SandboxUnavailable`) when one is missing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partsmith.config import ExportSettings, SandboxSettings, get_settings
from partsmith.errors import (
    PolicyViolation,
    SandboxError,
    SandboxUnavailable,
    ScriptTimeout,
    StorageError,
    WorkerCrash,
    sandbox_error,
)
from partsmith.program.params import read_parameters, set_parameters
from partsmith.sandbox import layers as kernel_layers
from partsmith.sandbox import replies
from partsmith.sandbox.limits import scrubbed_env

# How long the pool waits past a job's own timeout before it gives up on the worker itself.
GRACE_S = 10.0
START_TIMEOUT_S = 120.0

log = logging.getLogger(__name__)


@dataclass
class JobResult:
    """A part made by a script: its files, parameters and measurements (bounding box in mm)."""

    job_dir: Path
    script: str
    parameters: dict[str, Any]
    artifacts: dict[str, Path]
    measurements: dict[str, Any]
    warnings: list[str]
    timings: dict[str, float]
    layers: dict[str, Any] = field(default_factory=dict)
    idle: list[int] = field(default_factory=list)  # a program's entries that changed nothing


def default_mode() -> str:
    return "fork" if hasattr(os, "fork") and sys.platform != "darwin" else "spawn"


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, mode: str, settings: SandboxSettings) -> None:
        self.mode = mode
        extra = ["--no-mount-namespace"] if "mount_namespace" in settings.disable else []
        if not settings.isolate_network:
            extra.append("--no-network-namespace")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "partsmith.sandbox.worker", "--mode", mode, *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=scrubbed_env(),
            cwd="/",
            start_new_session=True,
        )
        self.ready: dict[str, Any] = {}
        self.timed_out = False

    def wait_ready(self) -> dict[str, Any]:
        if not self.ready:
            line = self._readline(START_TIMEOUT_S)
            if line is None:
                raise WorkerCrash(
                    "the sandbox worker could not start",
                    hint="run `partsmith doctor` to check the CAD libraries",
                )
            self.ready = json.loads(line)
        return self.ready

    def _readline(self, timeout: float) -> bytes | None:
        """The next line from the worker, or None (the worker is then killed) on EOF or timeout."""
        stdout = self.proc.stdout
        assert stdout is not None
        result: list[bytes] = []
        reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            self.timed_out = reader.is_alive()
            self.kill()
            return None
        return result[0]

    def request(
        self, payload: dict[str, Any], timeout: float
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """Send a job; returns the layers its process announced and its reply, both by its id."""
        self.wait_ready()
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(payload).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            raise WorkerCrash("the sandbox worker had exited; it has been restarted") from None
        deadline = time.monotonic() + timeout
        header = self._expect(payload["id"], deadline, timeout)
        reply = self._expect(payload["id"], deadline, timeout)
        announced = header.get("layers") if header.get("header") else None
        if not header.get("header") or reply.get("header"):
            raise ValueError("the worker's header and reply are out of order")
        return (dict(announced) if isinstance(announced, dict) else None), reply

    def _expect(self, job_id: str, deadline: float, timeout: float) -> dict[str, Any]:
        """The next line, which must be a JSON object for this job (ValueError otherwise)."""
        line = self._readline(max(deadline - time.monotonic(), 0.001))
        if line is None:
            if self.mode == "spawn" and self.timed_out:
                raise ScriptTimeout(f"the script ran longer than {timeout:g} s and was stopped")
            raise WorkerCrash(
                "the sandbox worker died or stopped responding during the job; it has been restarted"
            )
        message = json.loads(line)
        if not isinstance(message, dict) or message.get("id") != job_id:
            raise ValueError("a reply for another job")
        return message

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()


def _timings(reply: dict[str, Any]) -> dict[str, float]:
    raw = reply.get("timings")
    if not isinstance(raw, dict):
        return {}
    return {str(k): float(v) for k, v in raw.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}


def remove_job_dir(job_dir: Path) -> None:
    """Remove a job's folder, whatever modes the job gave the folders inside it."""

    def unlock(_: object, name: str, __: object) -> None:
        path = Path(name)
        with contextlib.suppress(OSError):
            path.parent.chmod(0o700)
            path.chmod(0o700)
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()

    if job_dir.exists():
        shutil.rmtree(job_dir, onerror=unlock)


def _restore_script(job_dir: Path, source: str) -> None:
    """Write the script the engine sent back over whatever the job left in its place.

    The job may write anything in its folder, its own script.py included; the engine keeps and
    copies that file, so it gets the engine's copy, never the job's.
    """
    path = job_dir / "script.py"
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        path.write_text(source)
    except OSError as exc:
        raise StorageError(f"cannot restore the script in {job_dir}: {exc.strerror}") from None


class SandboxPool:
    """Warm workers that run untrusted part scripts. Thread-safe; use as a context manager."""

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        export: ExportSettings | None = None,
        jobs_dir: Path | None = None,
    ) -> None:
        config = get_settings()
        self.settings = settings or config.sandbox
        self.export = export or config.export
        self.jobs_dir = jobs_dir or config.jobs_dir
        self.mode = default_mode() if self.settings.mode == "auto" else self.settings.mode
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        # Workers are started from this one long-lived thread: a worker's parent-death signal
        # fires when the thread that started it ends, and warm-ups and jobs run on threads
        # that end. The worker still dies with the engine's process.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="partsmith-sandbox-spawner")
        for _ in range(self.settings.workers):
            self._add_worker()

    def _add_worker(self) -> None:
        if self._closed:
            return
        worker = self._spawner.submit(_Worker, self.mode, self.settings).result()
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        if not self._closed:
            self._add_worker()

    def warm(self) -> dict[str, Any]:
        """Wait until a worker has loaded the CAD libraries; returns its ready report."""
        worker = self._idle.get()
        try:
            return worker.wait_ready()
        finally:
            self._idle.put(worker)

    def new_job_dir(self) -> Path:
        job_dir = self.jobs_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        try:
            job_dir.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise StorageError(f"cannot create the job folder {job_dir}: {exc.strerror}") from None
        return job_dir

    def run(
        self,
        script: str,
        *,
        params: dict[str, Any] | None = None,
        job_dir: Path | None = None,
        timeout_s: float | None = None,
        check_policy: bool = True,
        python_layers: bool | None = None,
    ) -> JobResult:
        """Run `script` (with `params` applied) and return its part, or raise a SandboxError.

        Raises SandboxUnavailable, running nothing, when a layer `sandbox.require` asks for is
        missing. `python_layers=False` switches off the static policy, the guarded builtins and
        the audit hook for this job (default: the setting sandbox.python_layers): it exists only
        for tests of the kernel layers on their own.
        """
        if python_layers is None:
            python_layers = self.settings.python_layers
        if self._closed:
            raise SandboxError("the sandbox has been shut down")
        source = set_parameters(script, params) if params else script
        job_dir = job_dir or self.new_job_dir()
        job_dir.mkdir(parents=True, exist_ok=True)
        try:
            (job_dir / "script.py").write_text(source)
        except OSError as exc:
            raise StorageError(f"cannot write the script to {job_dir}: {exc.strerror}") from None
        timeout = timeout_s or self.settings.timeout_s
        request: dict[str, Any] = {
            "id": job_dir.name,
            "job_dir": str(job_dir.resolve()),
            "source": source,
            "timeout_s": timeout,
            "memory_mb": self.settings.memory_mb,
            "file_size_mb": self.settings.file_size_mb,
            "isolate_network": self.settings.isolate_network,
            "check_policy": check_policy,
            "python_layers": python_layers,
            "disable": list(self.settings.disable),
            "linear_tolerance": self.export.linear_tolerance_mm,
            "angular_tolerance": self.export.angular_tolerance_rad,
        }
        try:
            return self._run(request, job_dir, source, timeout)
        except BaseException:
            remove_job_dir(job_dir)  # a failed job's files are of no use, and may be large
            raise

    def _run(self, request: dict[str, Any], job_dir: Path, source: str, timeout: float) -> JobResult:
        started = time.perf_counter()
        try:
            announced, ran = self._job(request, timeout)
        finally:
            _restore_script(job_dir, source)
        idle = replies.check_idle(ran)
        try:
            replies.check_built(ran, job_dir)
        except OSError as exc:
            raise StorageError(f"cannot write the part for checking in {job_dir}: {exc.strerror}") from None
        # The part is checked, measured and exported by a job the script never ran in.
        check = {**self._plain_request(job_dir, timeout), "kind": "check"}
        _, reply = self._job(check, timeout)
        checked = replies.check_success(reply, job_dir)
        worker_ms = sum(r.get("worker_ms", 0.0) for r in (ran, reply)
                        if isinstance(r.get("worker_ms"), float))
        timings = {**_timings(ran), **checked["timings"], "worker_ms": round(worker_ms, 3),
                   "total_ms": round((time.perf_counter() - started) * 1000, 3)}
        return JobResult(
            job_dir=job_dir,
            script=source,
            parameters={p.name: p.value for p in read_parameters(source)},
            artifacts=checked["artifacts"],
            measurements=checked["measurements"],
            warnings=checked["warnings"],
            timings=timings,
            layers=dict(announced or {}),
            idle=idle,
        )

    def _plain_request(self, job_dir: Path, timeout: float) -> dict[str, Any]:
        """A request for a job that runs no script (the check, the picture)."""
        return {
            "id": f"{job_dir.name}-{uuid.uuid4().hex[:6]}",
            "job_dir": str(job_dir.resolve()),
            "timeout_s": timeout,
            "memory_mb": self.settings.memory_mb,
            "file_size_mb": self.settings.file_size_mb,
            "isolate_network": self.settings.isolate_network,
            "check_policy": True,
            "python_layers": True,
            "disable": list(self.settings.disable),
            "linear_tolerance": self.export.linear_tolerance_mm,
            "angular_tolerance": self.export.angular_tolerance_rad,
        }

    def _job(
        self, request: dict[str, Any], timeout: float
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """Run one job; its announced layers and its successful reply, or raise its error."""
        announced, reply = self._dispatch(request, timeout)
        missing = [layer for layer in request["require"] if not (announced or {}).get(layer)]
        if not reply.get("ok"):
            error = replies.check_error(reply)
            if error.get("kind") == SandboxUnavailable.kind:
                if not missing:  # only the job's set-up refuses, and only for a missing layer
                    raise PolicyViolation("the job's reply claimed a missing sandbox layer it had")
                raise SandboxUnavailable(str(error.get("message")), hint=kernel_layers.REFUSAL_HINT)
            raise sandbox_error(error)
        if missing:  # the job process refuses first; this only guards against a bug there
            raise SandboxUnavailable(kernel_layers.refusal(missing, self.settings.disable),
                                     hint=kernel_layers.REFUSAL_HINT)
        return announced, reply

    def draw_thumbnail(self, result: JobResult) -> Path | None:
        """The part's picture, drawn in the sandbox from its checked mesh; None (and a line in the
        log saying why) when it cannot be drawn: a picture is never worth failing a part for."""
        request = {**self._plain_request(result.job_dir, self.settings.timeout_s), "kind": "thumbnail"}
        try:
            _, reply = self._job(request, self.settings.timeout_s)
            return replies.check_thumbnail(reply, result.job_dir)
        except (SandboxError, SandboxUnavailable) as exc:
            log.warning("no thumbnail for %s: %s", result.artifacts.get("stl"), exc)
            return None

    def required_layers(self, ready: dict[str, Any]) -> list[str]:
        """The kernel layers a job must have, or raise SandboxUnavailable if the workers lack one."""
        offer = dict(ready.get("kernel") or {})
        required = kernel_layers.required(self.settings.require, offer)
        have = kernel_layers.available(offer, self.settings.disable)
        missing = [layer for layer in required if layer not in have]
        if missing:
            raise SandboxUnavailable(kernel_layers.refusal(missing, self.settings.disable),
                                     hint=kernel_layers.REFUSAL_HINT)
        return required

    def _dispatch(
        self, request: dict[str, Any], timeout: float
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        worker = self._idle.get()
        try:
            request["require"] = self.required_layers(worker.wait_ready())
        except SandboxError:
            self._replace(worker)
            raise
        except SandboxUnavailable:
            self._idle.put(worker)
            raise
        if self.mode == "spawn":
            # A spawned worker runs one job and exits; its successor warms up meanwhile.
            self._add_worker()
        try:
            # A spawned worker runs the job itself, so its deadline is the job's; a forking
            # worker enforces the job's deadline and only needs watching for its own death.
            limit = timeout if self.mode == "spawn" else timeout + GRACE_S
            announced, reply = worker.request(request, limit)
        except SandboxError:
            self._retire(worker)
            raise
        except ValueError:
            self._retire(worker)
            raise WorkerCrash("the sandbox worker sent a garbled reply; it has been restarted") from None
        if self.mode == "spawn":
            self._retire(worker)
        else:
            self._idle.put(worker)
        return announced, reply

    def _retire(self, worker: _Worker) -> None:
        """Stop a worker after its job: spawn mode has its successor already; fork mode replaces it."""
        if self.mode == "spawn":
            worker.kill()
            with self._lock:
                if worker in self._all:
                    self._all.remove(worker)
        else:
            self._replace(worker)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        self._spawner.shutdown(wait=False)

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
