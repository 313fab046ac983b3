"""A mount namespace that holds only what a job may see (as bubblewrap and nsjail build one).

In its own mount namespace the job process builds a new root on a small tmpfs while it waits for
its request: the read roots and the system paths the CAD libraries read, each bound read-only (no
devices, no set-user-id), and the harmless devices. When the job arrives it gets its folder (a
script job: a new tmpfs of a fixed size and number of files, which the kernel counts; the check
of a part: the engine's folder, bound) and detaches the old root. Other jobs' folders, the
engine's data, the home folder and /proc are not in it, so there is nothing else to open, stat,
list or watch, whatever Landlock and seccomp allow. Nothing here changes the machine's own
mounts: the namespace is the job's and ends with it.

Needs the capability to mount in the job's namespaces: a root engine's job has it before it drops
its privileges, a user engine's job in the user namespace it has just made.
"""

from __future__ import annotations

import ctypes
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CLONE_NEWNS = 0x00020000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
# pivot_root has no wrapper in the C library: its number on the architectures Linux runs here.
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
# Devices a job may use (read and write /dev/null, read the others).
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")

_LIBC: Any = None


def load(libc: Any) -> None:
    """Keep the C library the per-job layers loaded (limits.prepare)."""
    global _LIBC
    _LIBC = libc


def supported() -> bool:
    return _LIBC is not None and platform.machine() in PIVOT_ROOT


def _encode(text: str | None) -> bytes | None:
    return text.encode() if text is not None else None


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    if int(_LIBC.mount(_encode(source), _encode(target), _encode(fstype), flags, _encode(data))) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source or ''} on {target}: {os.strerror(errno)}")


def _inherited_flags(path: str) -> int:
    """The flags a bind of `path` must keep (a user namespace may not clear a locked one)."""
    flags = os.statvfs(path).f_flag
    kept = 0
    for statvfs_flag, mount_flag in ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV),
                                     (os.ST_NOEXEC, MS_NOEXEC), (os.ST_RDONLY, MS_RDONLY)):
        if flags & statvfs_flag:
            kept |= mount_flag
    return kept


def _bind(path: str, *, writable: bool, device: bool = False) -> None:
    """Bind `path` of the old root (seen at OLD_ROOT) at the same place in the new root."""
    source = OLD_ROOT + path
    if Path(source).is_dir():
        Path(path).mkdir(parents=True, exist_ok=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).touch(exist_ok=True)
    _mount(source, path, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | _inherited_flags(source)
    if not device:
        flags |= MS_NODEV
    if not writable:
        flags |= MS_RDONLY
    _mount(None, path, None, flags)


def _outermost(paths: Iterable[str]) -> list[str]:
    """The paths that exist, each once, without those inside another (already visible)."""
    chosen: list[str] = []
    for path in sorted({os.path.normpath(p) for p in paths if os.path.lexists(p)}):
        if not any(path.startswith(parent.rstrip("/") + "/") for parent in chosen):
            chosen.append(path)
    return chosen


# Where the new root is built: any folder every Linux has will do, as the namespace is the job's.
# The paths are bound after the move into it (from the old root, as bubblewrap does), so read
# roots inside this folder (a project cloned into /tmp) are not hidden by the new root.
STAGING = "/tmp"
OLD_ROOT = "/.old"


def prepare_view(read_paths: Iterable[str]) -> None:
    """While the job process waits for its request: build its new root and move into it, keeping
    the old root at /.old until `enter_view` takes the job folder from it and lets it go.
    Raises OSError on failure. Call in a new mount namespace (unshare CLONE_NEWNS), before
    Landlock and seccomp; the Landlock rules built before it name the same files.
    """
    wanted = [*read_paths]
    for path in list(wanted):
        if Path(path).is_symlink():  # /lib -> usr/lib: the link, and what it points at
            wanted.append(os.path.realpath(path))
    chosen = _outermost(p for p in wanted if p not in DEVICES)
    links = {path: Path(path).readlink() for path in chosen if Path(path).is_symlink()}
    devices = [device for device in DEVICES if Path(device).exists()]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing done here reaches the machine's mounts
    _mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=4096")
    Path(STAGING + OLD_ROOT).mkdir()
    os.chdir(STAGING)
    if int(_LIBC.syscall(PIVOT_ROOT[platform.machine()], b".", b"." + OLD_ROOT.encode())) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"pivot_root: {os.strerror(errno)}")
    os.chdir("/")
    for path in chosen:
        if path in links:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).symlink_to(links[path])
        else:
            _bind(path, writable=False)
    for device in devices:
        _bind(device, writable=device == "/dev/null", device=True)


def enter_view(job_dir: Path, scratch: tuple[int, int] | None = None) -> None:
    """At the job's start: give it its folder, then detach the old root and make the new one
    read-only. Raises OSError on failure (the job must then not run).

    `scratch` (bytes, files): the folder is a new tmpfs of that size, which the kernel counts and
    which ends with the job (a script job, whose part goes back in its reply); otherwise the job
    folder itself is bound from the old root (the check of a part, its picture).
    """
    target = str(job_dir)
    Path(target).mkdir(parents=True, exist_ok=True)
    if scratch is not None:
        size, files = scratch
        _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
               f"mode=0700,size={size},nr_inodes={files}")
    else:
        _mount(OLD_ROOT + target, target, None, MS_BIND)
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | _inherited_flags(target))
    if int(_LIBC.umount2(OLD_ROOT.encode(), MNT_DETACH)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"detaching the old root: {os.strerror(errno)}")
    Path(OLD_ROOT).rmdir()
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(job_dir)
