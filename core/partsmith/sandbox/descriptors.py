"""Closing what a job process inherited: it keeps only its reply pipe, its log and /dev/null.

A forked job starts with every descriptor of its worker: the worker's own protocol channel to
the engine, the pool's request pipe on stdin, the pipes of the spare job. A script that found one
could forge a reply for another job or feed the worker requests. They are closed before it runs.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from pathlib import Path


def open_descriptors() -> list[int]:
    """The descriptors this process has open (from /proc/self/fd)."""
    try:
        listed = [int(entry.name) for entry in Path("/proc/self/fd").iterdir()]
    except OSError:  # a job's own view has no /proc: every number its limit allows
        listed = list(range(min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 4096)))
    return sorted(fd for fd in listed if _is_open(fd))


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def close_inherited(keep: Iterable[int]) -> list[int]:
    """Point stdin at /dev/null and close every descriptor not in `keep` (0, 1, 2 always stay).

    Returns the descriptors still open afterwards.
    """
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    kept = sorted({0, 1, 2, *keep})
    low = 0
    for fd in [*kept, 1 << 20]:
        if fd > low:
            os.closerange(low, fd)
        low = fd + 1
    return open_descriptors()
