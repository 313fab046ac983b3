"""seccomp: the kernel refuses every system call a part script has not been seen to need, for good.

Built with libseccomp through `pyseccomp` (loaded in the worker before any job starts). The filter
is an allow-list: the calls real jobs make once their filter is in force, measured over every kit
family, the programs' features and every export (`python -m bench.syscalls` records them in
bench/results/syscalls.json and fails when one is missing here), plus the calls the C library and
the interpreter make on paths those jobs did not take (thread exit, sleeping, the clock, reading
limits). Everything else, unknown and future calls included, fails with ENOSYS, so a library that
probes for a newer call falls back to an older one. Some calls are allowed only with arguments
that keep them on the job itself: threads but no processes or namespaces, signals to its own
process, scheduling and priority of the calling thread, limits read but never raised, ioctl and
fcntl requests by allow-list. A call of another architecture (a 32-bit or x32 call from a 64-bit
process) kills the process: libseccomp's default. `DENIED` names the calls a script would use to
leave its process: they are refused with EPERM, the same as any call not on the list, and are
kept as a list so that a test can show each one refused.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLONE_THREAD = 0x00010000
# Namespace flags: a thread never sets them.
CLONE_NAMESPACES = (
    0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080,
)

# Allowed whatever their arguments: memory, files inside what Landlock lets the job open, time,
# threads' own bookkeeping, reading its own identity and limits.
ALLOWED = (
    # seen in real jobs (bench/results/syscalls.json)
    "access", "brk", "close", "exit_group", "fstat", "futex", "getcwd", "getdents64",
    "getrandom", "lseek", "madvise", "mmap", "mprotect", "munmap", "newfstatat", "openat", "read",
    "readlink", "rseq", "rt_sigaction", "rt_sigprocmask", "set_robust_list", "stat", "write",
    "writev",
    # the same jobs on other paths of the C library and the interpreter
    "exit", "rt_sigreturn", "sigaltstack", "restart_syscall", "mremap", "pread64", "pwrite64",
    "readv", "pwritev", "preadv", "lstat", "statx", "fstatfs", "statfs", "faccessat",
    "faccessat2", "readlinkat", "getdents", "dup", "dup2", "dup3", "fsync", "fdatasync",
    "ftruncate", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat",
    "rmdir", "open", "creat", "poll", "ppoll", "select", "pselect6", "nanosleep",
    "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time", "sched_yield",
    "sched_getaffinity", "sched_getparam", "sched_getscheduler", "sched_get_priority_max",
    "sched_get_priority_min", "getpriority", "getpid", "getppid", "gettid", "getpgrp",
    "getpgid", "getsid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
    "getgroups", "getrlimit", "getrusage", "times", "sysinfo", "uname", "set_tid_address",
    "get_robust_list", "membarrier", "mincore", "msync", "umask", "chdir", "fchdir",
    "capget", "arch_prctl",
)
# fcntl commands a job may use: duplicate, close-on-exec and status flags (not pipe sizes, leases,
# notifications or owners).
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC = 0, 1, 2, 3, 4, 1030
FCNTL_ALLOWED = (F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC)
# ioctl requests a job may use: whether a descriptor is a terminal, and bytes waiting to be read.
TCGETS, FIONREAD, FIOCLEX, FIONCLEX = 0x5401, 0x541B, 0x5451, 0x5450
IOCTL_ALLOWED = (TCGETS, FIONREAD, FIOCLEX, FIONCLEX)
# prctl options a job may use: a thread's name, and reading its own state.
PR_GET_DUMPABLE, PR_SET_NAME, PR_GET_NAME, PR_GET_NO_NEW_PRIVS = 3, 15, 16, 39
PRCTL_ALLOWED = (PR_GET_DUMPABLE, PR_SET_NAME, PR_GET_NAME, PR_GET_NO_NEW_PRIVS)
# Calls allowed with some arguments only (the rules are in `build`): for the measurement's report.
ALLOWED_WITH_RULES = (
    ("clone", "a thread, never a process or a namespace"),
    ("clone3", "refused with ENOSYS, so the C library uses clone, whose flags the filter reads"),
    ("kill", "to this process only"), ("tgkill", "to this process only"),
    ("tkill", "refused: it names a thread of any process"),
    ("rt_sigqueueinfo", "to this process only"), ("rt_tgsigqueueinfo", "to this process only"),
    ("setpriority", "of the calling thread only (PRIO_PROCESS, 0)"),
    ("ioprio_set", "of the calling thread only (IOPRIO_WHO_PROCESS, 0)"),
    ("sched_setaffinity", "of the calling thread only"),
    ("prlimit64", "reading a limit only (no new limit)"),
    ("fcntl", "duplicate, close-on-exec and status flags only"),
    ("ioctl", "terminal query and bytes waiting only"),
    ("prctl", "thread name and reading its own state only"),
)
# Refused with EPERM whatever their arguments (as is every call not allowed above).
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
# Signals go to this process only (argument 0 is the target).
SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
PERSONALITY_QUERY = 0xFFFFFFFF
PRIO_PROCESS = 0
IOPRIO_WHO_PROCESS = 1

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
    """A filter built for one process, compiled to BPF ahead of time, ready to load."""

    syscall_filter: Any
    pid: int
    skipped: list[str]
    program: bytes = b""  # the compiled filter (struct sock_filter entries)
    compiled_only: bool = False  # only `program` is this process's (made by `for_process`)


# A process id no process can have (pid_max is at most 2**22): the template's stand-in for the
# job's own id, replaced in the compiled program by `for_process`.
ANY_PID = 0x3F5A5A5A


def build(pid: int | None = None) -> Built | Filter:
    """The filter for process `pid` (this one by default: signals are allowed to its own pid),
    not yet loaded. Returns a `Filter` saying why when it cannot be built.
    """
    if not load():
        return Filter(False, error=unavailable_reason())
    sc = _MODULE
    pid = os.getpid() if pid is None else pid
    deny = sc.ERRNO(errno.EPERM)
    allow = sc.ALLOW
    skipped: list[str] = []
    try:
        syscall_filter = sc.SyscallFilter(sc.ERRNO(errno.ENOSYS))
    except OSError as exc:
        return Filter(False, error=f"building the seccomp filter failed: {exc}")

    def rule(action: int, name: str, *args: Any) -> None:
        try:
            syscall_filter.add_rule(action, name, *args)
        except (OSError, ValueError):
            skipped.append(name)  # not a system call on this architecture

    for name in ALLOWED:
        rule(allow, name)
    for name in DENIED:
        rule(deny, name)
    # glibc tries clone3 first and falls back to clone on ENOSYS (the default answer); clone's
    # flags can be read: a thread, and no namespace flag.
    namespaces = 0
    for flag in CLONE_NAMESPACES:
        namespaces |= flag
    rule(allow, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD | namespaces, CLONE_THREAD))
    # A process, or a namespace, is refused plainly (EPERM) rather than as unknown.
    rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    for flag in CLONE_NAMESPACES:
        rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    for name in SELF_ONLY:
        rule(allow, name, sc.Arg(0, sc.EQ, pid))
        rule(deny, name, sc.Arg(0, sc.NE, pid))
    rule(allow, "setpriority", sc.Arg(0, sc.EQ, PRIO_PROCESS), sc.Arg(1, sc.EQ, 0))
    rule(allow, "ioprio_set", sc.Arg(0, sc.EQ, IOPRIO_WHO_PROCESS), sc.Arg(1, sc.EQ, 0))
    rule(allow, "ioprio_get", sc.Arg(0, sc.EQ, IOPRIO_WHO_PROCESS), sc.Arg(1, sc.EQ, 0))
    rule(allow, "sched_setaffinity", sc.Arg(0, sc.EQ, 0))
    rule(allow, "prlimit64", sc.Arg(0, sc.EQ, 0), sc.Arg(2, sc.EQ, 0))
    rule(allow, "personality", sc.Arg(0, sc.EQ, PERSONALITY_QUERY))
    for command in FCNTL_ALLOWED:
        rule(allow, "fcntl", sc.Arg(1, sc.EQ, command))
    for request in IOCTL_ALLOWED:
        rule(allow, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, request))
    for option in PRCTL_ALLOWED:
        rule(allow, "prctl", sc.Arg(0, sc.EQ, option))
    return Built(syscall_filter, pid, skipped, _compile(syscall_filter))


def _compile(syscall_filter: Any) -> bytes:
    """The filter as BPF, compiled now (libseccomp would compile it again at every load)."""
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(write_end, "wb") as sink:
            syscall_filter.export_bpf(sink)
        chunks = []
        while chunk := os.read(read_end, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(read_end)


SECCOMP_SET_MODE_FILTER = 1
SYS_SECCOMP = {"x86_64": 317, "aarch64": 277, "riscv64": 277, "ppc64le": 358, "s390x": 348}


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def _load_program(program: bytes) -> str:
    """Load a compiled filter with the seccomp system call; what failed ("" when it loaded).
    The process must have no_new_privs set (the job's set-up sets it)."""
    number = SYS_SECCOMP.get(platform.machine())
    if number is None or not program or len(program) % 8:
        return "no compiled filter for this machine"
    libc = ctypes.CDLL(None, use_errno=True)
    fprog = _SockFprog(len(program) // 8, program)
    if int(libc.syscall(number, SECCOMP_SET_MODE_FILTER, 0, ctypes.byref(fprog))) != 0:
        return os.strerror(ctypes.get_errno())
    return ""


def template() -> Built | Filter:
    """The filter built and compiled once (in the worker, before any job is forked), for any
    process: `for_process` makes it a job's in microseconds instead of building it again."""
    return build(ANY_PID)


def for_process(built: Built | Filter, pid: int | None = None) -> Built | Filter:
    """The template's compiled program with the job's own process id in place of ANY_PID."""
    if isinstance(built, Filter) or built.pid != ANY_PID or not built.program:
        return build(pid)
    pid = os.getpid() if pid is None else pid
    program = bytearray(built.program)
    for offset in range(0, len(program), 8):  # struct sock_filter: code, jt, jf, then k
        if int.from_bytes(program[offset + 4:offset + 8], "little") == ANY_PID:
            program[offset + 4:offset + 8] = pid.to_bytes(4, "little")
    return Built(built.syscall_filter, pid, list(built.skipped), bytes(program), compiled_only=True)


def apply(built: Built | Filter) -> Filter:
    """Load a filter from `build()` into this process. Its threads and children inherit it."""
    if isinstance(built, Filter):
        return built
    if built.pid != os.getpid():
        return Filter(False, error="the filter was built for another process")
    if built.program and not _load_program(built.program):
        return Filter(True, built.skipped)
    if built.compiled_only:  # the libseccomp object holds the template's stand-in id
        rebuilt = build()
        if isinstance(rebuilt, Filter):
            return rebuilt
        built = rebuilt
    try:
        built.syscall_filter.load()  # without a compiled program, or where loading it failed
    except OSError as exc:
        return Filter(False, built.skipped, error=f"loading the seccomp filter failed: {exc}")
    return Filter(True, built.skipped)


def confine() -> Filter:
    """Build and load the filter now. It cannot be undone."""
    return apply(build())
