"""A warm sandbox worker: imports the CAD libraries once, then runs jobs sent on stdin.

    python -m partsmith.sandbox.worker [--mode fork|spawn]

Protocol: one JSON request a line on stdin, one JSON reply a line on the worker's original
stdout (the scripts' own output goes to a log file in the job folder, never into the protocol).

In fork mode every job runs in a child forked from this warm process, so it starts in
milliseconds and whatever it does dies with it. Never run an OCCT boolean or export here before
forking: OCCT's parallel mode starts threads, and a child forked after that can deadlock.
In spawn mode (no fork on this platform) the job runs in this process, guarded the same way, and
the pool replaces the worker after a crash or a timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import select
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

# The warm-up: everything a job needs is loaded before the first fork.
import build123d
import cadquery  # noqa: F401

from partsmith import kit  # noqa: F401
from partsmith.sandbox import guard as guards
from partsmith.sandbox import runner

MB = 1024 * 1024


class Worker:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        guards.prepare()
        guards.set_parent_death_signal()
        self.base_size = guards.process_size()
        self.read_roots = guards.read_roots()
        self.processes = None if os.geteuid() == 0 else guards.count_user_processes() + 256
        self.hook: guards.AuditGuard | None = None
        self.spare: tuple[int, int, int] | None = None
        self.exited: list[int] = []
        if mode == "fork":
            _warm_step_writer()

    def layers(self) -> dict[str, bool]:
        return {
            "static_policy": True,
            "audit_hook": hasattr(sys, "addaudithook"),
            "resource_limits": sys.platform.startswith("linux"),
            "network_namespace": sys.platform.startswith("linux"),
            "fork": self.mode == "fork",
        }

    def limits(self, request: dict[str, Any]) -> dict[str, int | None]:
        return {
            "memory_bytes": self.base_size + int(request["memory_mb"]) * MB,
            "cpu_seconds": math.ceil(float(request["timeout_s"])) + 1,
            "file_bytes": int(request["file_size_mb"]) * MB,
            "processes": self.processes,
        }

    # -- fork mode ---------------------------------------------------------------------------

    def prepare_spare(self) -> None:
        """Fork the next job process now, while idle, so a job does not wait for fork.

        The spare blocks on its request pipe until a job arrives (or the worker exits).
        """
        self.reap()
        if self.spare is not None:
            return
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the job process
            os.close(request_w)
            os.close(reply_r)
            payload: dict[str, Any]
            try:
                with os.fdopen(request_r, "rb") as incoming:
                    data = incoming.read()
                if not data:
                    os._exit(0)  # the worker is shutting down
                request = json.loads(data)
                payload = self.child(dict(request), Path(request["job_dir"]))
            except BaseException as exc:  # noqa: BLE001 - report anything as a crash, never hang
                payload = {"ok": False, "error": {"kind": "crash", "message": repr(exc)}}
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            with contextlib.suppress(BaseException):
                view = memoryview(runner.encode(payload))
                while view:
                    view = view[os.write(reply_w, view):]
                os.close(reply_w)
            os._exit(0)
        os.close(request_r)
        os.close(reply_w)
        self.spare = (pid, request_w, reply_r)

    def reap(self) -> None:
        """Collect job processes that have exited (without waiting for the others)."""
        for pid in list(self.exited):
            with contextlib.suppress(ChildProcessError):
                done, _ = os.waitpid(pid, os.WNOHANG)
                if not done:
                    continue
            self.exited.remove(pid)

    def run_forked(self, request: dict[str, Any]) -> dict[str, Any]:
        self.prepare_spare()
        assert self.spare is not None
        pid, request_w, reply_r = self.spare
        self.spare = None
        with contextlib.suppress(BrokenPipeError):
            view = memoryview(json.dumps(request).encode())
            while view:
                view = view[os.write(request_w, view):]
        os.close(request_w)
        timeout = float(request["timeout_s"])
        data, timed_out = _read_until(reply_r, timeout, pid)
        os.close(reply_r)
        if data:
            with contextlib.suppress(ValueError):
                reply = dict(json.loads(data))
                # The process is tearing its memory down; collect it later, off the job's time.
                self.exited.append(pid)
                return reply
        _, status = os.waitpid(pid, 0)
        return _death_report(status, timed_out, timeout)

    def child(self, request: dict[str, Any], job_dir: Path) -> dict[str, Any]:
        os.chdir(job_dir)
        log = os.open(job_dir / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        guards.replace_environment(job_dir)
        network = bool(request["isolate_network"]) and guards.isolate_network()
        failed = guards.apply_limits(**self.limits(request))
        hook = guards.AuditGuard(job_dir, self.read_roots)
        payload = _execute(request, job_dir, hook, install_hook=sys.addaudithook)
        payload["layers"] = {
            **self.layers(), "network_namespace": network, "resource_limits": not failed,
        }
        return payload

    # -- spawn mode --------------------------------------------------------------------------

    def run_inline(self, request: dict[str, Any]) -> dict[str, Any]:
        job_dir = Path(request["job_dir"])
        if self.hook is None:
            self.hook = guards.AuditGuard(job_dir, self.read_roots)
            sys.addaudithook(self.hook)
            limits = self.limits(request)
            guards.apply_limits(
                memory_bytes=limits["memory_bytes"], cpu_seconds=None,
                file_bytes=limits["file_bytes"], processes=limits["processes"],
            )
        hook = self.hook
        hook.job_dir = guards._real(str(job_dir))
        hook.denied = []
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = math.ceil(used.ru_utime + used.ru_stime + float(request["timeout_s"])) + 1
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
        cwd = Path.cwd()
        os.chdir(job_dir)
        try:
            payload = _execute(request, job_dir, hook)
        finally:
            hook.active = False
            os.chdir(cwd)
        payload["layers"] = {**self.layers(), "network_namespace": False}
        return payload

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        reply = self.run_forked(request) if self.mode == "fork" else self.run_inline(request)
        reply["worker_ms"] = round((time.perf_counter() - started) * 1000, 3)
        reply["id"] = request.get("id")
        return reply


def _execute(
    request: dict[str, Any], job_dir: Path, hook: guards.AuditGuard,
    install_hook: Callable[[guards.AuditGuard], None] | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = runner.execute(
        request["source"], job_dir, hook, check_policy=bool(request["check_policy"]),
        linear_tolerance=float(request["linear_tolerance"]),
        angular_tolerance=float(request["angular_tolerance"]),
        install_hook=install_hook,
    )
    return payload


def _warm_step_writer() -> None:
    """Load the STEP writer's tables once here rather than in every job.

    Safe before forking: writing STEP starts no threads (meshing and booleans do, and must
    never run in this process).
    """
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        build123d.export_step(build123d.Box(1, 1, 1), Path(scratch) / "warm.step")


def _read_until(fd: int, timeout: float, pid: int) -> tuple[bytes, bool]:
    """Read the child's report until it closes the pipe; kill the child at the deadline."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return b"", True
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)


def _death_report(status: int, timed_out: bool, timeout: float) -> dict[str, Any]:
    """A typed error for a job process that died without reporting."""
    if timed_out:
        message = f"the script ran longer than {timeout:g} s and was stopped"
        error = {"kind": "timeout", "message": message}
    elif os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals.__members__.values() else str(sig)
        if sig == signal.SIGXCPU:
            error = {"kind": "timeout", "message": "the script used up its CPU time and was stopped"}
        elif sig == signal.SIGKILL:
            message = "the script was killed, most likely for using too much memory"
            error = {"kind": "memory", "message": message}
        else:
            error = {
                "kind": "crash",
                "message": f"the script crashed the CAD kernel ({name})",
                "hint": "this is a bug in OCCT triggered by the geometry; change the dimensions "
                "or the construction steps",
            }
    else:
        code = os.WEXITSTATUS(status)
        error = {"kind": "crash", "message": f"the job process exited with code {code} before reporting"}
    return {"ok": False, "error": error}


def serve(mode: str, requests: BinaryIO, replies: BinaryIO) -> None:
    worker = Worker(mode)
    if mode == "fork":
        worker.prepare_spare()
    replies.write(json.dumps({"ready": True, "pid": os.getpid(), "size": worker.base_size,
                              "layers": worker.layers()}).encode() + b"\n")
    replies.flush()
    for line in requests:
        if not line.strip():
            continue
        reply = worker.handle(json.loads(line))
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()
        if mode == "fork":
            worker.prepare_spare()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Partsmith sandbox worker")
    parser.add_argument("--mode", choices=["fork", "spawn"], default="fork")
    args = parser.parse_args(argv)
    # Keep the protocol on a private copy of stdout; anything printed goes to stderr instead.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(args.mode, sys.stdin.buffer, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
