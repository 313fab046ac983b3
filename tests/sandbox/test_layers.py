"""Each runtime layer on its own, in a forked child, without the others in front of it."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from partsmith.sandbox import audit, landlock, limits, roots, seccomp


def in_child(body: Callable[[], int]) -> int:
    """Run `body` in a forked child and return its exit code (it never returns into pytest)."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            code = body()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture
def listener() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_network_namespace_alone_cuts_off_loopback(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    limits.prepare()

    def body() -> int:
        if not limits.isolate_network():
            return 3
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            return 0
        return 1

    assert in_child(body) == 0
    listener.settimeout(0.2)
    with pytest.raises(TimeoutError):
        listener.accept()


def test_memory_limit_alone() -> None:
    def body() -> int:
        limits.apply_limits(memory_bytes=limits.process_size() + (256 << 20), cpu_seconds=None,
                           file_bytes=None, processes=None)
        try:
            bytearray(1 << 30)
        except MemoryError:
            return 0
        return 1

    assert in_child(body) == 0


def test_file_size_limit_alone(tmp_path: Path) -> None:
    def body() -> int:
        limits.apply_limits(memory_bytes=None, cpu_seconds=None, file_bytes=1 << 20, processes=None)
        try:
            (tmp_path / "big").write_bytes(b"0" * (2 << 20))
        except OSError:
            return 0
        return 1

    assert in_child(body) == 0
    assert (tmp_path / "big").stat().st_size <= 1 << 20


def test_cpu_limit_alone() -> None:
    def body() -> int:
        limits.apply_limits(memory_bytes=None, cpu_seconds=1, file_bytes=None, processes=None)
        while True:
            pass

    assert in_child(body) == -24  # SIGXCPU


def test_audit_hook_alone(tmp_path: Path, listener: socket.socket) -> None:
    job = tmp_path / "job"
    job.mkdir()
    outside = tmp_path / "outside.txt"
    port = listener.getsockname()[1]

    def body() -> int:
        hook = audit.AuditGuard(job, roots.read_roots())
        sys.addaudithook(hook)
        hook.activate(None)
        failures = 0
        (job / "inside.txt").write_text("fine")  # inside the job folder: allowed
        attempts: list[Callable[[], object]] = [
            lambda: outside.write_text("x"),
            lambda: Path.home().joinpath(".bashrc").read_text(),
            lambda: socket.create_connection(("127.0.0.1", port), timeout=1),
            lambda: os.system("true"),
            lambda: os.fork(),
            lambda: __import__("ctypes").CDLL(None),
        ]
        for attempt in attempts:
            try:
                attempt()
                failures += 1
            except audit.SandboxDenied:
                pass
            except Exception:  # noqa: BLE001 - anything else means the hook did not act
                failures += 1
        return 0 if failures == 0 and len(hook.denied) == len(attempts) else 1

    assert in_child(body) == 0
    assert not outside.exists()
    assert (job / "inside.txt").read_text() == "fine"


def test_scrubbed_environment_has_no_secrets(tmp_path: Path) -> None:
    env = limits.scrubbed_env(tmp_path)
    assert env["HOME"] == str(tmp_path) and env["TMPDIR"].startswith(str(tmp_path))
    assert not {k for k in env if "TOKEN" in k or "KEY" in k or "SECRET" in k}


def test_landlock_alone_confines_writes_and_reads(tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")

    def body() -> int:
        confined = landlock.restrict(roots.read_roots(), [str(job)])
        if not confined.applied:
            return 3
        (job / "inside.txt").write_text("fine")
        for attempt in (lambda: (tmp_path / "outside.txt").write_text("x"), secret.read_text,
                        lambda: (job / "inside.txt").rename(tmp_path / "moved.txt")):
            try:
                attempt()
                return 1
            except PermissionError:
                pass
        return 0

    assert in_child(body) == 0
    assert (job / "inside.txt").read_text() == "fine"
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "moved.txt").exists()


def test_seccomp_alone_refuses_programs_sockets_and_forks_but_not_threads() -> None:
    import threading

    def body() -> int:
        if not seccomp.confine().applied:
            return 3
        ran: list[int] = []
        worker = threading.Thread(target=lambda: ran.append(1))
        worker.start()
        worker.join()
        if ran != [1]:
            return 2
        for attempt in (lambda: os.execv("/bin/true", ["true"]), socket.socket, os.fork,
                        lambda: os.kill(os.getppid(), 0)):
            try:
                attempt()
                return 1
            except PermissionError:
                pass
        return 0

    assert in_child(body) == 0


def test_a_job_whose_required_layer_failed_to_apply_runs_nothing(tmp_path: Path) -> None:
    import json

    from partsmith.sandbox import job

    folder = tmp_path / "job"
    folder.mkdir()
    facts = job.WorkerFacts(limits.process_size(), tuple(roots.read_roots()), None, "fork",
                            {"landlock_abi": 7, "seccomp_kernel": True, "seccomp_library": True})
    request = {"id": "x", "job_dir": str(folder), "timeout_s": 10, "memory_mb": 1024,
               "file_size_mb": 8, "isolate_network": False, "check_policy": True,
               "require": ["landlock", "seccomp"], "linear_tolerance": 0.1, "angular_tolerance": 0.2,
               "source": "open('ran.txt', 'w').write('ran')\n"}
    announced: list[dict[str, object]] = []

    def body() -> int:
        failed = landlock.Confinement(7, False, error="a simulated failure")
        prepared = job.Prepared(failed, seccomp.build())
        reply = job.run(request, 1, facts, prepared, announced.append)
        (folder / "reply.json").write_text(json.dumps({"reply": reply, "layers": announced}))
        return 0

    assert in_child(body) == 0
    out = json.loads((folder / "reply.json").read_text())
    assert out["reply"]["error"]["kind"] == "sandbox_unavailable"
    assert "landlock: applying it failed: a simulated failure" in out["reply"]["error"]["message"]
    assert out["layers"][0]["landlock"] is False and out["layers"][0]["seccomp"] is True
    assert not (folder / "ran.txt").exists()
