"""The zygote: a clean process that forks every job, so that no job starts with another's data.

Forked from the warm worker once, right after its warm-up and before it reads any request (the
pattern of Chromium's zygote). Each job process is forked from it, so a job's memory is the warm
libraries and nothing else: never an earlier request, script, reply or the bytes of the pool's
pipe, which a job forked from the worker itself could read back from the heap. The zygote reads
no request; it answers three messages on a socket pair with the worker:

- `fork`: fork a job process (its own session and process group, killed when the zygote dies)
  and hand the worker its pid and the two pipe ends, the request pipe's write end and the reply
  pipe's read end (SCM_RIGHTS); the worker asks ahead and does not wait for the answer;
- `wait PID SECONDS`: the job's exit status and peak resident size, killing it once the seconds
  are up (the job is the zygote's child, so only the zygote can collect it);
- `reap PID`: collect it later; the worker has killed it.

A job is collected only when the worker says so, so a pid the worker signals is never reused by
another process in between.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import time
from collections.abc import Callable
from typing import NoReturn

from partsmith.sandbox import descriptors, limits

JobMain = Callable[[int, int], NoReturn]


class ZygoteGone(RuntimeError):
    """The zygote died or stopped answering."""


class Zygote:
    """The worker's handle on its zygote."""

    def __init__(self, job_main: JobMain) -> None:
        worker_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        worker = os.getpid()
        pid = os.fork()
        if pid == 0:
            worker_end.close()
            _serve(zygote_end, worker, job_main)
        zygote_end.close()
        self.pid = pid
        self.sock = worker_end
        self.ready: list[tuple[int, int, int, int]] = []  # forked, not yet handed to a job
        self.pending = 0  # asked for, not yet received

    def _receive(self) -> tuple[str, list[int]]:
        """The next message from the zygote, with the descriptors it carries."""
        try:
            message, fds, _, _ = socket.recv_fds(self.sock, 256, 2)
        except OSError as exc:
            raise ZygoteGone(f"the zygote is gone: {exc}") from None
        if not message:
            raise ZygoteGone("the zygote is gone")
        return message.decode(), fds

    def _take_fork(self, message: str, fds: list[int]) -> None:
        _, pid, resident = message.split()
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise ZygoteGone("the zygote could not fork a job")
        self.ready.append((int(pid), fds[0], fds[1], int(resident)))
        self.pending -= 1

    def request_fork(self) -> None:
        """Ask for a new job process without waiting for it (the zygote forks it meanwhile)."""
        try:
            self.sock.sendall(b"fork")
        except OSError as exc:
            raise ZygoteGone(f"the zygote is gone: {exc}") from None
        self.pending += 1

    def collect(self, wait: bool) -> None:
        """Take the job processes the zygote has forked (`wait`: at least one, if any is asked)."""
        while self.pending and (wait or select.select([self.sock], [], [], 0)[0]):
            message, fds = self._receive()
            self._take_fork(message, fds)
            wait = False

    def fork(self) -> tuple[int, int, int, int]:
        """A job process: its pid, the request pipe's write end, the reply pipe's read end, and
        the zygote's resident size when it forked (pages the job shares, not its own)."""
        if not self.ready and not self.pending:
            self.request_fork()
        if not self.ready:
            self.collect(wait=True)
        return self.ready.pop(0)

    def wait(self, pid: int, seconds: float) -> tuple[int | None, int]:
        """The job's exit status (None when it had to be killed) and its peak resident size."""
        try:
            self.sock.sendall(f"wait {pid} {seconds}".encode())
        except OSError as exc:
            raise ZygoteGone(f"the zygote is gone: {exc}") from None
        while True:
            message, fds = self._receive()
            if message.startswith("forked "):  # a spare asked for earlier
                self._take_fork(message, fds)
                continue
            status, used = json.loads(message.removeprefix("waited "))
            return status, int(used)

    def reap(self, pid: int) -> None:
        """Have the zygote collect a job the worker killed (no answer is awaited)."""
        with contextlib.suppress(OSError):
            self.sock.sendall(f"reap {pid}".encode())

    def close(self) -> None:
        self.sock.close()  # the zygote exits when its socket closes, and its jobs with it
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(sock: socket.socket, worker: int, job_main: JobMain) -> NoReturn:
    """The zygote's loop. Never returns."""
    if not limits.set_parent_death_signal() or os.getppid() != worker:
        os._exit(1)
    descriptors.close_inherited([sock.fileno()])  # the worker's stdin and its protocol channel
    zygote = os.getpid()
    killed: set[int] = set()
    while True:
        try:
            message = sock.recv(256).decode()
        except (OSError, UnicodeDecodeError):
            os._exit(1)
        if not message:
            os._exit(0)  # the worker closed its end
        command, _, rest = message.partition(" ")
        if command == "fork":
            _fork_job(sock, zygote, job_main)
        elif command == "wait":
            job, seconds = rest.split()
            status, used = wait_briefly(int(job), float(seconds))
            killed.discard(int(job))
            sock.sendall(b"waited " + json.dumps([status, used]).encode())
        elif command == "reap":
            killed.add(int(rest))
        for pid in list(killed):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
            killed.discard(pid)


def _fork_job(sock: socket.socket, zygote: int, job_main: JobMain) -> None:
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    resident = limits.resident_size()
    pid = os.fork()
    if pid == 0:  # the job process
        sock.close()
        os.close(request_w)
        os.close(reply_r)
        os.setsid()  # its own session and process group: it signals nothing of ours as a group
        if not limits.set_parent_death_signal() or os.getppid() != zygote:
            os._exit(1)  # no signal to rely on, or the zygote is already gone: do not run a job
        job_main(request_r, reply_w)
    os.close(request_r)
    os.close(reply_w)
    try:
        socket.send_fds(sock, [f"forked {pid} {resident}".encode()], [request_w, reply_r])
    finally:
        os.close(request_w)
        os.close(reply_r)


def wait_briefly(pid: int, seconds: float = 1.0) -> tuple[int | None, int]:
    """The job's exit status (None if it had to be killed: it closed its pipe but lived on) and
    its peak resident size in bytes."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                return status, usage.ru_maxrss * 1024
            time.sleep(0.005)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
    except ChildProcessError:
        return None, 0
    return None, usage.ru_maxrss * 1024
