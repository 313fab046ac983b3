"""Per-job limits set by the worker before a script runs.

- resource limits: address space, CPU seconds, file size, process count, no core files;
- a private network namespace (a user namespace as well when not root) where the kernel allows it;
- a scrubbed environment whose HOME, TMPDIR and caches are inside the job folder;
- the parent-death signal, so no job or worker outlives the process that started it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def scrubbed_env(job_dir: Path | None = None) -> dict[str, str]:
    """An environment with no tokens or keys; HOME, TMPDIR and caches inside the job folder."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    if job_dir is not None:
        env.update(
            {
                "HOME": str(job_dir),
                "TMPDIR": str(job_dir / "tmp"),
                "XDG_CACHE_HOME": str(job_dir / ".cache"),
            }
        )
    return env


def replace_environment(job_dir: Path) -> None:
    os.environ.clear()
    os.environ.update(scrubbed_env(job_dir))
    (job_dir / "tmp").mkdir(exist_ok=True)


def apply_limits(
    *, memory_bytes: int | None, cpu_seconds: int | None, file_bytes: int | None,
    processes: int | None,
) -> list[str]:
    """Set the resource limits of this process. Returns the ones that could not be set."""
    failed: list[str] = []
    wanted: list[tuple[str, int, int | None]] = [
        ("RLIMIT_AS", resource.RLIMIT_AS, memory_bytes),
        ("RLIMIT_CPU", resource.RLIMIT_CPU, cpu_seconds),
        ("RLIMIT_FSIZE", resource.RLIMIT_FSIZE, file_bytes),
        ("RLIMIT_NPROC", resource.RLIMIT_NPROC, processes),
        ("RLIMIT_CORE", resource.RLIMIT_CORE, 0),
    ]
    for name, which, value in wanted:
        if value is None:
            continue
        try:
            _, hard = resource.getrlimit(which)
            capped = value if hard == resource.RLIM_INFINITY else min(value, hard)
            # The CPU limit's hard value sits a little higher so SIGXCPU arrives before SIGKILL.
            resource.setrlimit(which, (capped, capped + 2 if name == "RLIMIT_CPU" else capped))
        except (ValueError, OSError):
            failed.append(name)
    # A write past RLIMIT_FSIZE then fails with an error instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return failed


def _libc() -> Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


_LIBC: Any = None


def prepare() -> None:
    """Load what the per-job layers need while loading native code is still allowed."""
    global _LIBC
    if sys.platform.startswith("linux") and _LIBC is None:
        with contextlib.suppress(OSError):
            _LIBC = _libc()


def isolate_network() -> bool:
    """Move this process into a private network namespace: no interfaces but a down loopback.

    Needs a single-threaded process (true right after fork). Returns whether it worked.
    """
    if _LIBC is None:
        return False
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    return int(_LIBC.unshare(flags)) == 0


def set_parent_death_signal() -> bool:
    """Ask the kernel to kill this process when its parent dies (no orphan workers or jobs); whether
    it took. (The signal is not inherited: a forked job sets its own.)"""
    if _LIBC is None:
        return False
    pr_set_pdeathsig = 1
    return int(_LIBC.prctl(pr_set_pdeathsig, signal.SIGKILL)) == 0


def process_size() -> int:
    """This process's virtual size in bytes (what RLIMIT_AS counts)."""
    try:
        with Path("/proc/self/statm").open() as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def count_user_processes() -> int:
    """Tasks (processes and threads) of this user, which is what RLIMIT_NPROC counts."""
    uid = os.getuid()
    total = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        total += sum(1 for _ in Path(entry.path, "task").iterdir())
    return total
