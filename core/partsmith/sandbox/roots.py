"""Which folders and files a job may read: Python's own, and what the CAD libraries load at run time.

The audit hook allows reads in `read_roots()`; Landlock allows reads in those and in
`system_read_paths()`, the few system places that shared libraries, fonts and the C library open
while a part is built (measured by tracing every kit family and example). Nothing here is ever
writable; a job writes only in its own folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Shared libraries loaded on demand (libgcc_s for thread exit, gconv), the loader's cache,
# fonts for text, time zones and locales, and the harmless devices.
SYSTEM_READ_PATHS = (
    "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/etc/ld.so.cache",
    "/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts", "/usr/share/zoneinfo",
    "/etc/localtime", "/usr/share/locale", "/dev/null", "/dev/zero", "/dev/urandom",
    "/dev/random", "/sys/devices/system/cpu",
)
# Writable besides the job folder: only the null device.
SYSTEM_WRITE_FILES = ("/dev/null",)


def real(path: str) -> str:
    return os.path.realpath(path)


def read_roots() -> list[str]:
    """Folders a job may read from: the interpreter's own library and the installed packages."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(p for p in sys.path if p and Path(p).is_dir())
    home = str(Path.home())
    # The interpreter may live under the home folder (pyenv); never open the home folder itself.
    return sorted(r for r in roots if real(r) not in {"/", real(home)})


def system_read_paths() -> list[str]:
    """System folders and files the CAD libraries read at run time (those this system has)."""
    return [path for path in SYSTEM_READ_PATHS if Path(path).exists()]
