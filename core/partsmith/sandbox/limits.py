"""Per-job limits set by the worker before a script runs.

- resource limits: address space, CPU seconds, file size, tasks, open files, no core files;
- private network and mount namespaces (a user namespace as well when not root) where the kernel
  allows them;
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

from partsmith.sandbox import mounts

CLONE_NEWNS = 0x00020000
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


# Descriptors a job may hold: a part needs a handful; each pipe or file is memory or disk.
OPEN_FILES = 64


def apply_limits(
    *, memory_bytes: int | None, cpu_seconds: int | None, file_bytes: int | None,
    processes: int | None, open_files: int | None = OPEN_FILES,
) -> list[str]:
    """Set the resource limits of this process. Returns the ones that could not be set."""
    failed: list[str] = []
    wanted: list[tuple[str, int, int | None]] = [
        ("RLIMIT_AS", resource.RLIMIT_AS, memory_bytes),
        ("RLIMIT_CPU", resource.RLIMIT_CPU, cpu_seconds),
        ("RLIMIT_FSIZE", resource.RLIMIT_FSIZE, file_bytes),
        ("RLIMIT_NPROC", resource.RLIMIT_NPROC, processes),
        ("RLIMIT_NOFILE", resource.RLIMIT_NOFILE, open_files),
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
    global _LIBC, _LAST_CAP
    if sys.platform.startswith("linux") and _LIBC is None:
        with contextlib.suppress(OSError):
            _LIBC = _libc()
        _LAST_CAP = _last_cap()
        mounts.load(_LIBC)


def enter_namespaces(*, user: bool, mounts: bool = False, network: bool = False) -> bool:
    """Move this process into new namespaces: a user namespace (`user`; the job keeps its own ids
    inside), a mount namespace (for `mounts.prepare_view`), a network namespace (no interfaces but
    a down loopback). Needs a single-threaded process (true right after fork). Whether it worked.
    """
    flags = ((CLONE_NEWUSER if user else 0) | (CLONE_NEWNS if mounts else 0)
             | (CLONE_NEWNET if network else 0))
    if _LIBC is None or not flags:
        return False
    uid, gid = os.getuid(), os.getgid()
    if int(_LIBC.unshare(flags)) != 0:
        return False
    if user:  # an unmapped id could not create a file
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        except OSError:
            return False
    return True


def isolate_network(*, in_own_user_namespace: bool = False) -> bool:
    """A private network namespace for this process (a user namespace with it when not root and
    not in one of its own already). Whether it worked."""
    user = os.geteuid() != 0 and not in_own_user_namespace
    return enter_namespaces(user=user, network=True)


# A job of a root engine runs as a user id of its own: this plus its process id (pid_max is at most
# 2**22), an id no account has, so that no two jobs share one and RLIMIT_NPROC counts one job.
JOB_UID_BASE = 1_000_000_000
CAP_DAC_READ_SEARCH = 2
PR_SET_KEEPCAPS = 8
PR_CAPBSET_READ = 23
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_IS_SET = 1
PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAPABILITY_VERSION_3 = 0x20080522
_LAST_CAP = 40


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def job_uid(pid: int) -> int:
    return JOB_UID_BASE + pid


def open_to_others(path: str, *, ancestors: bool = True) -> bool:
    """Whether a user with no claim on `path` may read it: the path itself readable (and
    searchable, for a folder) by others, and (`ancestors`) every folder above it searchable."""
    try:
        target = Path(path).resolve()
        mode = target.stat().st_mode
    except OSError:
        return True  # nothing there to read
    if not mode & 0o004 or (target.is_dir() and not mode & 0o001):
        return False
    for folder in target.parents if ancestors else ():
        try:
            if not folder.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def searchable_by_others(path: str) -> bool:
    """Whether a user with no claim on it can reach `path` (every folder on the way searchable)."""
    target = Path(path).resolve()
    for folder in (target, *target.parents):
        try:
            if not folder.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def drop_privileges(job_dir: Path, *, become_job_user: bool, keep_read_search: bool) -> str:
    """Leave this job process no capability and no way to gain one; returns what failed ("" when
    all went well).

    A root engine's job (`become_job_user`) first gives its folder to a user id of its own and
    becomes it, with an empty bounding set; `keep_read_search` keeps CAP_DAC_READ_SEARCH alone, for
    read roots that others may not read (Landlock still bounds what is read). A user engine's job
    drops what it holds in its own user namespace. No new privileges can be gained afterwards.
    """
    if _LIBC is None:
        return "libc could not be loaded"
    keep = keep_read_search and become_job_user
    uid = job_uid(os.getpid())
    try:
        if become_job_user:
            for path in (job_dir, *job_dir.iterdir()):
                if path.is_dir() and not path.is_symlink():
                    os.chown(path, uid, uid)
            if keep and int(_LIBC.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) != 0:
                return "PR_SET_KEEPCAPS failed"
        for cap in range(_LAST_CAP + 1):
            if cap != CAP_DAC_READ_SEARCH or not keep:
                _LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # refused without CAP_SETPCAP: checked below
        if become_job_user:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        kept = 1 << CAP_DAC_READ_SEARCH if keep else 0
        header = _CapHeader(_CAPABILITY_VERSION_3, 0)
        data = (_CapData * 2)(_CapData(kept, kept, 0), _CapData(0, 0, 0))
        if int(_LIBC.capset(ctypes.byref(header), data)) != 0:
            return f"capset failed (errno {ctypes.get_errno()})"
        _LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        if int(_LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) != 0:
            return "PR_SET_NO_NEW_PRIVS failed"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def capabilities() -> dict[str, int]:
    """This process's capability sets as masks (CapEff, CapPrm, CapInh, CapBnd, CapAmb), asked of
    the kernel directly (a job's view of the file system has no /proc)."""
    if _LIBC is None:
        return {}
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    if int(_LIBC.capget(ctypes.byref(header), data)) != 0:
        return {}
    sets = {
        "CapEff": data[0].effective | data[1].effective << 32,
        "CapPrm": data[0].permitted | data[1].permitted << 32,
        "CapInh": data[0].inheritable | data[1].inheritable << 32,
        "CapBnd": 0,
        "CapAmb": 0,
    }
    for cap in range(_LAST_CAP + 1):
        if int(_LIBC.prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) == 1:
            sets["CapBnd"] |= 1 << cap
        if int(_LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0)) == 1:
            sets["CapAmb"] |= 1 << cap
    return sets


def _last_cap() -> int:
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 40


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


def resident_size() -> int:
    """This process's resident size in bytes (its pages in memory)."""
    try:
        with Path("/proc/self/statm").open() as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
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
