"""The audit hook (PEP 578), a Python-level layer inside the process that runs a job.

Once added it cannot be removed; it refuses file access outside the job folder, sockets,
subprocesses, fork, signals to other processes, ctypes and native loads, frame and gc
introspection, and running code other than the job's own script. PEP 578 says it plainly: an
audit hook is not a sandbox, since anything in the script's own interpreter can be reached. It is
a cheap first net that names what a script tried; the kernel layers (`landlock`, `seccomp`) are
what hold.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# Events refused outright while a job runs.
DENIED_EVENTS = frozenset(
    {
        "os.system", "os.fork", "os.forkpty", "os.kill", "os.killpg",
        "os.startfile", "os.add_dll_directory", "signal.pthread_kill", "pty.spawn",
        "sys._current_frames",
        "sys._current_exceptions", "sys.settrace", "sys.setprofile", "sys.monitoring.register_callback",
        "gc.get_objects", "gc.get_referrers", "gc.get_referents", "resource.setrlimit",
        "resource.prlimit", "mmap.__new__", "pickle.find_class",
        "code.__new__", "function.__new__", "builtins.input", "webbrowser.open", "urllib.Request",
        "http.client.connect", "ftplib.connect", "smtplib.connect", "imaplib.open",
        "poplib.connect", "nntplib.connect", "telnetlib.Telnet.open", "sqlite3.connect",
        "syslog.openlog", "cpython.PyFile_SetOpenCodeHook", "sys.setrecursionlimit",
    }
)
# Events refused only when the script's own code triggers them: libraries use them legitimately
# (CadQuery compiles selector grammars; traceback formatting reads tb_frame; importing a module
# not loaded yet, as text does, unmarshals its bytecode). CPython raises object.__getattr__ for
# reads of __code__, tb_frame, gi_frame and the like.
# Frames are how a script finds the guard: `sys._getframe` is refused to the script too (libraries
# such as logging and typing call it for their own frames).
SCRIPT_ONLY_EVENTS = frozenset(
    {"compile", "exec", "object.__getattr__", "object.__setattr__", "marshal.load", "marshal.loads",
     "sys._getframe", "sys._getframemodulename"}
)
DENIED_PREFIXES = (
    "socket.", "ctypes.", "_ctypes.", "subprocess.", "os.exec", "os.spawn", "os.posix_spawn",
    "winreg.", "_winapi.", "msvcrt.",
)
# Modules that a job may never load at run time, whatever imports them.
DENIED_IMPORTS = frozenset(
    {
        "ctypes", "_ctypes", "socket", "_socket", "ssl", "_ssl", "subprocess", "_posixsubprocess",
        "multiprocessing", "_multiprocessing", "pty", "fcntl", "mmap", "resource", "asyncio",
        "urllib", "http", "ftplib", "smtplib", "telnetlib", "xmlrpc", "socketserver", "pickle",
        "_pickle", "marshal", "shelve", "dbm", "sqlite3", "_sqlite3", "cffi", "_cffi_backend",
        "faulthandler", "tracemalloc", "threading", "_thread", "webbrowser",
    }
)
# Path events: the indices of their path arguments, and whether they change the file system.
PATH_EVENTS: dict[str, tuple[tuple[int, ...], bool]] = {
    "os.listdir": ((0,), False),
    "os.scandir": ((0,), False),
    "os.getxattr": ((0,), False),
    "os.listxattr": ((0,), False),
    "os.chdir": ((0,), True),
    "os.mkdir": ((0,), True),
    "os.rmdir": ((0,), True),
    "os.remove": ((0,), True),
    "os.rename": ((0, 1), True),
    "os.link": ((0, 1), True),
    "os.symlink": ((0, 1), True),
    "os.truncate": ((0,), True),
    "os.chmod": ((0,), True),
    "os.chown": ((0,), True),
    "os.utime": ((0,), True),
    "os.chflags": ((0,), True),
    "os.lchflags": ((0,), True),
    "os.lchmod": ((0,), True),
    "os.lchown": ((0,), True),
    "os.mkfifo": ((0,), True),
    "os.mknod": ((0,), True),
    "os.setxattr": ((0,), True),
    "os.removexattr": ((0,), True),
    "shutil.rmtree": ((0,), True),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class SandboxDenied(PermissionError):
    """Raised inside a job when it does something the sandbox forbids."""


def _real(path: str) -> str:
    return os.path.realpath(path)


class AuditGuard:
    """The audit hook. Inactive until `activate()`, so the worker that owns it can set up freely.

    Every refusal is also recorded in `denied`: a script that swallows the exception is still
    reported as a policy violation.
    """

    def __init__(
        self, job_dir: Path, read_roots: Iterable[str], script_name: str = "script.py"
    ) -> None:
        self.script_name = script_name
        self._busy = False
        self.job_dir = _real(str(job_dir))
        self.read_roots = tuple(sorted({_real(r) for r in read_roots if r}))
        self.active = False
        self.script_code: object = None
        self.denied: list[str] = []

    def activate(self, script_code: object) -> None:
        self.script_code = script_code
        self.active = True

    def deny(self, what: str) -> None:
        self.denied.append(what)
        raise SandboxDenied(f"the sandbox does not allow {what}")

    def _inside(self, path: str, roots: Sequence[str]) -> bool:
        return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)

    def _check_path(self, raw: object, write: bool, event: str) -> None:
        if raw is None:
            raw = "."
        if isinstance(raw, int):
            self.deny(f"{event} on a file descriptor")
        try:
            path = _real(os.fsdecode(raw))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.deny(f"{event} on {raw!r}")
        if self._inside(path, (self.job_dir,)):
            return
        if not write and self._inside(path, self.read_roots):
            return
        action = "writing" if write else "reading"
        self.deny(f"{action} {path} (outside the job folder)")

    def _called_by_script(self) -> bool:
        """Whether the Python code that raised the event is the script's own.

        Code compiled from text at run time counts as the script's: a library that evaluates a
        string the script handed it (typing evaluating an annotation, for one) runs it under a
        name such as `<string>`, never under a library file's. Only the import system's frozen
        modules have such a name and are library code.
        """
        if self._busy:  # sys._getframe raises an event of its own
            return False
        self._busy = True
        try:
            frame = sys._getframe(2)
            return is_script_code(frame.f_code.co_filename, self.script_name)
        except ValueError:
            return False
        finally:
            self._busy = False

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active or self._busy:
            return
        if event == "open":
            path, mode, flags = [*args, None, None, None][:3]
            write = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and bool(flags & WRITE_FLAGS)
            )
            self._check_path(path, write, "open")
        elif event in PATH_EVENTS:
            indices, write = PATH_EVENTS[event]
            for index in indices:
                if index < len(args):
                    self._check_path(args[index], write, event)
        elif event in SCRIPT_ONLY_EVENTS:
            if event == "exec" and args and args[0] is self.script_code:
                return
            if self._called_by_script():
                self.deny(_describe(event))
        elif event == "import":
            name = str(args[0]) if args else ""
            if name.split(".", 1)[0] in DENIED_IMPORTS:
                self.deny(f"importing {name}")
        elif event in DENIED_EVENTS or event.startswith(DENIED_PREFIXES):
            self.deny(_describe(event))


def is_script_code(filename: str, script_name: str) -> bool:
    """Whether code of this file name is the script's: the script itself, or text compiled at run
    time (`<string>`, `<fstring>`, ...), which is never a library's file."""
    if filename == script_name:
        return True
    return filename.startswith("<") and not filename.startswith("<frozen ")


def _describe(event: str) -> str:
    if event.startswith("socket."):
        return "network access"
    if event.startswith(("subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "os.system")):
        return "starting programs"
    if event.startswith(("os.fork", "os.forkpty")):
        return "forking processes"
    if event.startswith(("ctypes.", "_ctypes.")):
        return "ctypes and native code"
    if event in {"os.kill", "os.killpg", "signal.pthread_kill"}:
        return "sending signals"
    if event in {"compile", "exec"}:
        return "running code other than the script (exec, eval, compile)"
    if event.startswith("object.") or event.startswith("sys._getframe"):
        return "introspecting code objects and frames"
    return event
