"""seccomp: the kernel refuses the system calls a part script has no use for, irreversibly.

Built with libseccomp through `pyseccomp` (loaded in the worker before any job starts). The
filter allows by default and refuses, with EPERM, what would let a job leave its process: running
programs, new sockets, new processes (threads stay allowed: OCCT meshes in parallel), debugging or
reading other processes, namespaces, mounts, kernel modules and keys, BPF, perf, io_uring, System V
IPC, signals to any process but itself, raising its own resource limits, and changes to any
file's mode, owner, extended attributes, times or flags (Landlock does not cover metadata). A
system call of another architecture (a 32-bit or x32 call from a 64-bit process) kills the
process: libseccomp's default.
"""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLONE_THREAD = 0x00010000
# Namespace flags: a thread never sets them.
CLONE_NAMESPACES = (
    0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080,
)
TIOCSTI = 0x5412
TIOCLINUX = 0x541C
PERSONALITY_QUERY = 0xFFFFFFFF

# Refused whatever their arguments.
DENIED = (
    "execve", "execveat", "fork", "vfork", "socket", "socketpair", "ptrace",
    "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp", "pidfd_open",
    "pidfd_getfd", "pidfd_send_signal", "tkill", "mount", "umount2", "pivot_root", "chroot",
    "mount_setattr", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick",
    "unshare", "setns", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key",
    "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "reboot", "swapon", "swapoff", "acct", "iopl", "ioperm", "syslog",
    "quotactl", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
    "setdomainname", "open_by_handle_at", "name_to_handle_at", "fanotify_init", "lookup_dcookie",
    "vhangup", "uselib", "io_uring_setup", "io_uring_enter", "io_uring_register", "mknod",
    "mknodat", "setrlimit", "migrate_pages", "move_pages", "shmget", "shmat", "shmctl",
    "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # Landlock does not cover a file's metadata: its mode, owner, extended attributes (file
    # capabilities among them) and times. A part script changes none of them.
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "utime", "utimes", "utimensat", "futimesat",
)
# File flags (immutable, append-only) and project ids set through ioctl on any readable file.
FS_IOC_SETFLAGS = 0x40086602
FS_IOC_SETVERSION = 0x40087602
FS_IOC_FSSETXATTR = 0x401C5820
# Signals go to this process only (argument 0 is the target).
SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
# Scheduling and priority changes only for the calling thread (0), never another process:
# the system call and the index of its target argument.
CALLER_ONLY = (("setpriority", 1), ("ioprio_set", 1), ("sched_setaffinity", 0),
               ("sched_setscheduler", 0), ("sched_setparam", 0), ("sched_setattr", 0))

_MODULE: Any = None


def load() -> bool:
    """Import pyseccomp (and so libseccomp) now, while the worker may still load native code."""
    global _MODULE
    if _MODULE is None and sys.platform.startswith("linux"):
        try:
            import pyseccomp

            _MODULE = pyseccomp
        except (ImportError, OSError, RuntimeError):
            return False
    return _MODULE is not None


def kernel_offers() -> bool:
    """Whether this kernel can filter system calls (`Seccomp:` in /proc/self/status)."""
    try:
        return "\nSeccomp:" in Path("/proc/self/status").read_text()
    except OSError:
        return False


def unavailable_reason() -> str:
    if not sys.platform.startswith("linux"):
        return "seccomp exists only on Linux"
    if not kernel_offers():
        return f"the kernel ({os.uname().release}) was built without seccomp (CONFIG_SECCOMP_FILTER)"
    return ("libseccomp or its Python binding is missing: install libseccomp2 (Debian: "
            "apt-get install libseccomp2) and pyseccomp==0.1.2 (`make setup`)")


@dataclass
class Filter:
    """The outcome of `confine`: whether the filter is loaded, and rules this system lacks."""

    applied: bool
    skipped: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class Built:
    """A filter built for one process, ready to load."""

    syscall_filter: Any
    pid: int
    skipped: list[str]


def build() -> Built | Filter:
    """The filter for this process (signals are allowed to its own pid), not yet loaded.

    Returns a `Filter` saying why when it cannot be built.
    """
    if not load():
        return Filter(False, error=unavailable_reason())
    sc = _MODULE
    pid = os.getpid()
    deny = sc.ERRNO(errno.EPERM)
    skipped: list[str] = []
    try:
        syscall_filter = sc.SyscallFilter(sc.ALLOW)
    except OSError as exc:
        return Filter(False, error=f"building the seccomp filter failed: {exc}")

    def rule(action: int, name: str, *args: Any) -> None:
        try:
            syscall_filter.add_rule(action, name, *args)
        except (OSError, ValueError):
            skipped.append(name)  # not a system call on this architecture

    for name in DENIED:
        rule(deny, name)
    # glibc tries clone3 first and falls back to clone on ENOSYS; clone's flags can be read.
    rule(sc.ERRNO(errno.ENOSYS), "clone3")
    rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    for flag in CLONE_NAMESPACES:
        rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    for name in SELF_ONLY:
        rule(deny, name, sc.Arg(0, sc.NE, pid))
    for name, index in CALLER_ONLY:
        rule(deny, name, sc.Arg(index, sc.NE, 0))
    rule(deny, "prlimit64", sc.Arg(2, sc.NE, 0))
    rule(deny, "personality", sc.Arg(0, sc.NE, PERSONALITY_QUERY))
    for request in (TIOCSTI, TIOCLINUX, FS_IOC_SETFLAGS, FS_IOC_SETVERSION, FS_IOC_FSSETXATTR):
        rule(deny, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, request))
    return Built(syscall_filter, pid, skipped)


def apply(built: Built | Filter) -> Filter:
    """Load a filter from `build()` into this process. Its threads and children inherit it."""
    if isinstance(built, Filter):
        return built
    if built.pid != os.getpid():
        return Filter(False, error="the filter was built for another process")
    try:
        built.syscall_filter.load()
    except OSError as exc:
        return Filter(False, built.skipped, error=f"loading the seccomp filter failed: {exc}")
    return Filter(True, built.skipped)


def confine() -> Filter:
    """Build and load the filter now. It cannot be undone."""
    return apply(build())
