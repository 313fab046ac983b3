"""A warm sandbox worker: imports the CAD libraries once, then runs jobs sent on stdin.

    python -m partsmith.sandbox.worker [--mode fork|spawn]

Protocol: one JSON request a line on stdin; for each, two JSON lines on the worker's original
stdout: a header with the layers the job process had before its script ran, then the reply. Both
carry the request's id. The scripts' own output goes to a log file in the job folder.

In fork mode every job runs in a child forked from the zygote (sandbox/zygote.py), a copy of this
warm process made before it read any request, so a job starts in milliseconds, holds nothing of
another job, and whatever it does dies with it. Never run an OCCT boolean or export here before
forking: OCCT's parallel mode starts threads, and a child forked after that can deadlock.
In spawn mode (no fork on this platform) the worker runs one job in its own process, contained
the same way, and exits; the pool keeps a spare worker warm for the next job.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

# The warm-up: everything a job needs is loaded before the first fork.
import build123d
import cadquery  # noqa: F401

# The kit loads its names on first use (the engine reads it without OCCT); the worker loads them all.
import partsmith.kit.families
import partsmith.kit.ops  # noqa: F401
from partsmith.build import thumbnail
from partsmith.sandbox import job, landlock, layers, limits, roots, runner, seccomp
from partsmith.sandbox.zygote import Zygote

# Job processes kept forked and prepared: a part is a script job and then its check job.
SPARES = 2
# Tasks (threads) a root engine's job may have: OCCT's pool runs one per core.
JOB_TASKS = 2 * (os.cpu_count() or 1) + 32
# A reply larger than this is not a part's report: the job fails rather than the worker.
MAX_REPLY_BYTES = 16 * 1024 * 1024


class Worker:
    """One warm worker: measures what jobs need once, then runs each job in a contained process."""

    def __init__(self, mode: str, mount_namespace: bool = True, network_namespace: bool = True) -> None:
        self.mode = mode
        limits.prepare()
        landlock.load()
        seccomp.load()
        limits.set_parent_death_signal()
        self.facts = job.WorkerFacts(
            base_size=limits.process_size(),
            read_roots=tuple(roots.read_roots()),
            # A root engine's job is a user of its own, so the count starts at nothing.
            processes=JOB_TASKS if os.geteuid() == 0 else limits.count_user_processes() + 256,
            mode=mode,
            offer=layers.offered(),
            root=os.geteuid() == 0,
            open_roots=all(limits.open_to_others(r) for r in roots.read_roots()),
            mount_namespace=mount_namespace,
            network_namespace=network_namespace,
            syscall_template=seccomp.template(),
        )
        self.prepared: job.Prepared | None = None
        self.zygote: Zygote | None = None
        if mode == "fork":
            _warm_step_writer()
            # Forked before any request is read: every job starts from this clean state.
            self.zygote = Zygote(self._job_process)
        else:  # this process runs the one job itself: build its layers before the request
            self.prepared = job.prepare(self.facts)

    def ready_report(self) -> dict[str, Any]:
        return {"ready": True, "pid": os.getpid(), "size": self.facts.base_size,
                "layers": job.static_layers(self.facts), "kernel": self.facts.offer}

    # -- fork mode ---------------------------------------------------------------------------

    def prepare_spare(self) -> None:
        """Have the zygote fork the next job processes now, while idle, so a job does not wait.

        Two are kept: a part is a script job followed at once by the check of its shape. Each
        spare builds its layers and its view, then blocks on its request pipe until a job
        arrives (or the worker exits).
        """
        assert self.zygote is not None
        while len(self.zygote.ready) + self.zygote.pending < SPARES:
            self.zygote.request_fork()

    def _job_process(self, request_r: int, reply_w: int) -> NoReturn:
        payload: dict[str, Any]
        try:
            prepared = job.prepare(self.facts)  # while idle, off the next job's time
            with os.fdopen(request_r, "rb") as incoming:
                data = incoming.read()
            if not data:
                os._exit(0)  # the worker is shutting down
            request = dict(json.loads(data))

            def announce(report: dict[str, Any]) -> None:
                job.write_all(reply_w, job.header_line(request.get("id"), report))

            payload = job.run(request, reply_w, self.facts, prepared, announce)
        except BaseException as exc:  # noqa: BLE001 - report anything as a crash, never hang
            payload = {"ok": False, "error": {"kind": "crash", "message": repr(exc)}}
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(BaseException):
            job.write_all(reply_w, runner.encode(payload) + b"\n")
            os.close(reply_w)
        os._exit(0)

    def run_forked(self, request: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """Run one job in the spare; returns its announced layers and its reply.

        The job's pipe carries the header its set-up wrote before the script ran, then whatever
        else came: the runner's reply, or what a hostile script wrote. Anything that is not one
        JSON object fails this job alone.
        """
        assert self.zygote is not None
        pid, request_w, reply_r, resident = self.zygote.fork()
        collected = False
        try:
            with contextlib.suppress(BrokenPipeError):
                job.write_all(request_w, json.dumps(request).encode())
            os.close(request_w)
            request_w = -1
            timeout = float(request["timeout_s"])
            data, stopped = _read_until(reply_r, timeout, pid)
            header, _, rest = data.partition(b"\n")
            announced = _parse_header(header, request.get("id"))
            if announced is None and _parse_header(header, request.get("id"), bare=True) is None:
                rest = data  # it failed before its set-up announced anything: all of it is the reply
            reply = _parse_object(rest) if stopped == "eof" else None
            if reply is not None:
                return announced, reply  # done once its pipe is closed: killed below
            status, used = self.zygote.wait(pid, 1.0)
            collected = True
            if stopped == "flood" or status is None or (rest.strip() and os.WIFEXITED(status)):
                message = {
                    "flood": f"the job wrote more than {MAX_REPLY_BYTES >> 20} MB into its reply pipe",
                }.get(stopped, "the job wrote something other than its reply into its reply pipe")
                return announced, {"ok": False, "error": {"kind": "policy", "message": message}}
            memory = int(request["memory_mb"]) * job.MB
            own = max(0, used - resident)  # the pages it shares with the zygote are not its own
            return announced, _death_report(status, stopped == "timeout", timeout, own, memory)
        finally:
            # Nothing of the job outlives its reply, whatever happened above; the zygote
            # collects it later, off the next job's time.
            for fd in (request_w, reply_r):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            if not collected:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                self.zygote.reap(pid)

    # -- spawn mode --------------------------------------------------------------------------

    def run_inline(self, request: dict[str, Any], replies: BinaryIO) -> dict[str, Any]:
        """Run the job in this process, which then exits: no job sees what another one changed."""

        def announce(report: dict[str, Any]) -> None:
            replies.write(job.header_line(request.get("id"), report))
            replies.flush()

        assert self.prepared is not None
        return job.run(request, replies.fileno(), self.facts, self.prepared, announce)

    def handle(self, request: dict[str, Any], replies: BinaryIO) -> None:
        started = time.perf_counter()
        if self.mode == "fork":
            announced, reply = self.run_forked(request)
            replies.write(job.header_line(request.get("id"), announced))
        else:
            reply = self.run_inline(request, replies)
        reply["worker_ms"] = round((time.perf_counter() - started) * 1000, 3)
        reply["id"] = request.get("id")
        replies.write(runner.encode(reply) + b"\n")
        replies.flush()


def _warm_step_writer() -> None:
    """Load the STEP writer's tables once here rather than in every job.

    Safe before forking: writing STEP starts no threads (meshing and booleans do, and must
    never run in this process).
    """
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        build123d.export_step(build123d.Box(1, 1, 1), Path(scratch) / "warm.step")
        # Reading back the shape a script job wrote (the check job) loads nothing more after this.
        build123d.export_brep(build123d.Box(1, 1, 1), str(Path(scratch) / "warm.brep"))
        build123d.import_brep(str(Path(scratch) / "warm.brep"))
    thumbnail.warm()


def _read_until(fd: int, timeout: float, pid: int) -> tuple[bytes, str]:
    """Read the child's output until it closes the pipe: returns it and why reading stopped.

    "eof" when the child closed its pipe; "timeout" or "flood" (more than a reply can be) when
    the child was killed.
    """
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return b"".join(chunks), "timeout"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks), "eof"
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_REPLY_BYTES:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                return b"".join(chunks), "flood"


def _death_report(status: int, timed_out: bool, timeout: float, used_bytes: int,
                  memory_bytes: int) -> dict[str, Any]:
    """A typed error for a job process that died without reporting.

    `used_bytes` is the most memory the job held (its peak resident size); a job killed with
    SIGKILL that held less than half its allowance did not die of memory.
    """
    if timed_out:
        message = f"the script ran longer than {timeout:g} s and was stopped"
        error = {"kind": "timeout", "message": message}
    elif os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals.__members__.values() else str(sig)
        if sig == signal.SIGXCPU:
            error = {"kind": "timeout", "message": "the script used up its CPU time and was stopped"}
        elif sig == signal.SIGSYS:
            error = {"kind": "syscall", "message": "the kernel stopped the script for a system call "
                     "the sandbox does not allow (seccomp)"}
        elif sig == signal.SIGKILL and used_bytes * 2 >= memory_bytes:
            message = (f"the script was killed for using too much memory ({used_bytes >> 20} MB "
                       f"of {memory_bytes >> 20} MB)")
            error = {"kind": "memory", "message": message}
        elif sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
            error = {"kind": "killed", "message": f"the script was killed ({name}), neither by its "
                     "time limit nor for its memory"}
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


def _parse_header(line: bytes, request_id: object, bare: bool = False) -> dict[str, Any] | None:
    """The layers a job announced before its script ran (None when it never got that far);
    `bare`: the header itself, whatever its layers."""
    header = _parse_object(line)
    if header is None or not header.get("header") or header.get("id") != request_id:
        return None
    if bare:
        return header
    announced = header.get("layers")
    return dict(announced) if isinstance(announced, dict) else None


# A reply is a few levels deep (reply, measurements, a list of sizes); a job that sends more is
# not replying but attacking the parser (Python's json recurses, and the worker must not).
MAX_REPLY_DEPTH = 32


def _depth(data: bytes) -> int:
    """How deeply the JSON text's arrays and objects nest (brackets inside strings not counted)."""
    deepest = depth = 0
    inside = escaped = False
    for byte in data:
        if inside:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                inside = False
        elif byte == 0x22:
            inside = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _parse_object(data: bytes) -> dict[str, Any] | None:
    """One JSON object, or None for anything else: bad JSON, another type, or nesting deeper than
    a reply has (refused before parsing, so that no reply can exhaust the worker's stack)."""
    if data.count(b"[") + data.count(b"{") > MAX_REPLY_DEPTH and _depth(data) > MAX_REPLY_DEPTH:
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


class _Requests:
    """Request lines from the engine, read straight from the pipe (no buffer of the standard
    library's holds an earlier request after it was handled)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def readline(self) -> bytes:
        """The next line (b"" when the engine closed the pipe)."""
        while b"\n" not in self.buffer:
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                line, self.buffer = self.buffer, b""
                return line
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"


def serve(mode: str, requests: BinaryIO, replies: BinaryIO, mount_namespace: bool = True,
          network_namespace: bool = True) -> None:
    """Answer requests: each with a header line (the job's layers) and a reply line.

    In spawn mode the worker runs one job and exits: the kernel layers it applied cannot be
    undone, and no later job may inherit what this one changed. In fork mode the spares are
    refilled only while no request waits (the check of a part follows its script at once).
    """
    worker = Worker(mode, mount_namespace, network_namespace)
    if mode == "fork":
        worker.prepare_spare()
    replies.write(json.dumps(worker.ready_report()).encode() + b"\n")
    replies.flush()
    lines = _Requests(requests.fileno())
    kind = "check"
    while True:
        if mode == "fork" and kind != "script":
            # Asked ahead, and forked by the zygote while this one waits; not between a script
            # job and its check, which has its spare already and would share the CPU with a fork.
            worker.prepare_spare()
        line = lines.readline()
        if not line:
            return
        if not line.strip():
            continue
        request = json.loads(line)
        kind = str(request.get("kind", "script"))
        worker.handle(request, replies)
        if mode != "fork":
            return


def main(argv: list[str] | None = None) -> int:
    # `python -m` put the worker's working folder ("/") first on the path: a job's view of the
    # file system has no such folder to list, and nothing is imported from it.
    sys.path[:] = [entry for entry in sys.path if entry not in ("", "/", str(Path.cwd()))]
    parser = argparse.ArgumentParser(description="Partsmith sandbox worker")
    parser.add_argument("--mode", choices=["fork", "spawn"], default="fork")
    parser.add_argument("--no-mount-namespace", action="store_true",
                        help="jobs see the machine's file system (sandbox.disable: mount_namespace)")
    parser.add_argument("--no-network-namespace", action="store_true",
                        help="jobs share the machine's network (sandbox.isolate_network: false)")
    args = parser.parse_args(argv)
    # Keep the protocol on a private copy of stdout; anything printed goes to stderr instead.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(args.mode, sys.stdin.buffer, replies, not args.no_mount_namespace,
          not args.no_network_namespace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
