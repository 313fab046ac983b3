"""Landlock: the kernel confines a job's file system and network access, irreversibly.

A thin binding of the three Landlock system calls through ctypes (loaded in the worker before any
job starts). The PyPI `landlock` package (1.0.0.dev5) was tried first: its ruleset knows only
file-system rights, so it cannot handle TCP rules (ABI 4) or scoping (ABI 6), and its error check
reads errno even after a call that succeeded; hence this binding.

Following the kernel's own sample (samples/landlock/sandboxer.c): ask the ABI version, handle
only the rights that ABI knows, set no_new_privs, restrict the calling thread (call it while the
process has one thread). What an older ABI cannot restrict is said, never silently dropped.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

# File-system rights (include/uapi/linux/landlock.h) and the ABI that introduced each.
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ = READ_FILE | READ_DIR
# Inside the job folder: everything but executing, devices, sockets, FIFOs and symbolic links
# (a link could point the engine at a file outside the folder when it reads the job's files).
JOB_FOLDER = (
    READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | REFER | TRUNCATE
)

# What each ABI adds, for saying what an older kernel leaves unrestricted.
LOST_BELOW = (
    (2, "renaming or linking files across folders is refused even inside the job folder"),
    (3, "truncating files outside the job folder"),
    (4, "TCP bind and connect (the network namespace and seccomp still refuse sockets)"),
    (5, "ioctl on devices"),
    (6, "signals to processes outside the job and abstract Unix sockets (seccomp still limits "
        "signals to the job itself)"),
)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_LIBC: Any = None


def load() -> None:
    """Load libc's syscall() now, while the worker may still load native code."""
    global _LIBC
    if _LIBC is None and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            libc.prctl.restype = ctypes.c_int
            _LIBC = libc


def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 when it has none (old kernel, disabled at boot)."""
    load()
    if _LIBC is None:
        return 0
    version = int(_LIBC.syscall(
        ctypes.c_long(SYS_CREATE_RULESET), None, ctypes.c_size_t(0),
        ctypes.c_uint32(CREATE_RULESET_VERSION),
    ))
    return max(version, 0)


def unavailable_reason() -> str:
    """Why this kernel has no Landlock, in words a user can act on."""
    if not sys.platform.startswith("linux"):
        return "Landlock exists only on Linux"
    return (
        f"the kernel ({os.uname().release}) offers no Landlock: it needs Linux 5.13 or newer "
        "built with CONFIG_SECURITY_LANDLOCK=y and `landlock` in the lsm= boot parameter"
    )


def unrestricted_at(abi: int) -> list[str]:
    """What this ABI cannot restrict (empty from ABI 6 on)."""
    return [what for needed, what in LOST_BELOW if abi < needed]


@dataclass
class Confinement:
    """The outcome of `restrict`: the ABI in use and what stayed unrestricted."""

    abi: int
    applied: bool
    unrestricted: list[str] = field(default_factory=list)
    error: str = ""


def _fail(what: str) -> OSError:
    err = ctypes.get_errno()
    return OSError(err, f"{what}: {os.strerror(err)}")


@dataclass
class Ruleset:
    """A ruleset being built: its descriptor, the ABI, and the rights it handles."""

    fd: int
    abi: int
    handled_fs: int

    def allow(self, paths: Iterable[str], rights: int) -> None:
        """Allow `rights` beneath each path (files get only file rights; missing paths skipped)."""
        for path in paths:
            _add_path_rule(self.fd, path, rights & self.handled_fs)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def ruleset() -> Ruleset | Confinement:
    """A new ruleset for every right this ABI knows, or the Confinement saying why there is none.

    Where the ABI has them it also handles TCP bind and connect (no rule allows any port) and
    scopes signals and abstract Unix sockets to this process's Landlock domain.
    """
    abi = abi_version()
    if abi == 0:
        return Confinement(0, False, error=unavailable_reason())
    assert _LIBC is not None
    handled_fs = FS_RIGHTS_BY_ABI.get(abi, (1 << 16) - 1)
    attr = _RulesetAttr(handled_fs, 0, 0)
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    fd = int(_LIBC.syscall(
        ctypes.c_long(SYS_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size),
        ctypes.c_uint32(0),
    ))
    if fd < 0:
        return Confinement(abi, False, error=str(_fail("landlock_create_ruleset")))
    return Ruleset(fd, abi, handled_fs)


def enforce(rules: Ruleset) -> Confinement:
    """Set no_new_privs and confine this thread (and all it starts later) for good."""
    assert _LIBC is not None
    try:
        if _LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return Confinement(rules.abi, False, error=str(_fail("prctl(PR_SET_NO_NEW_PRIVS)")))
        if _LIBC.syscall(ctypes.c_long(SYS_RESTRICT_SELF), ctypes.c_int(rules.fd), ctypes.c_uint32(0)):
            return Confinement(rules.abi, False, error=str(_fail("landlock_restrict_self")))
    finally:
        rules.close()
    return Confinement(rules.abi, True, unrestricted_at(rules.abi))


def restrict(read_paths: Iterable[str], write_paths: Iterable[str]) -> Confinement:
    """Confine this thread: reads beneath `read_paths`, reads and writes beneath `write_paths`."""
    rules = ruleset()
    if isinstance(rules, Confinement):
        return rules
    try:
        rules.allow(read_paths, READ)
        rules.allow(write_paths, JOB_FOLDER)
    except OSError as exc:
        rules.close()
        return Confinement(rules.abi, False, error=str(exc))
    return enforce(rules)


def _add_path_rule(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a folder this system does not have
    try:
        if not Path(path).is_dir():
            rights &= FILE_RIGHTS
        rule = _PathBeneathAttr(rights, fd)
        assert _LIBC is not None
        if _LIBC.syscall(
            ctypes.c_long(SYS_ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
            ctypes.byref(rule), ctypes.c_uint32(0),
        ):
            raise _fail(f"landlock_add_rule({path})")
    finally:
        os.close(fd)
