"""An attacker's suite: scripts that get around the Python layers on purpose.

PEP 578 says an audit hook is not a sandbox, and these scripts prove it: they reach `os` and
`sys` through names the static policy does not see (`operator.attrgetter("text.os")`), walk frames
and closures to switch the audit hook off, read dunders spelled at run time through
`string.Formatter`, write through `dir_fd`, forge replies, signal the worker. Each runs three
times: as is; without the static policy (so the audit hook and the guarded builtins face it, and
the frame and closure walks switch the hook off); and with the static policy, the guarded
builtins and the audit hook all switched off (`python_layers=False`, a switch that exists only
for these tests), so the kernel layers (Landlock, seccomp, closed descriptors, the network
namespace, limits) are tested on their own.

Every one must be contained: the job fails or its write did not happen, nothing lands outside the
job folder (the target paths are checked on disk), and the pool keeps serving with the same worker.
"""

from __future__ import annotations

import os
import socket
import sysconfig
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from partsmith.errors import SandboxError
from partsmith.sandbox import SandboxPool

from .conftest import assert_works

# Reaching the interpreter without a name the static policy looks at.
REACH = """import build123d
import operator
os_ = operator.attrgetter("text.os")(build123d)
sys_ = operator.attrgetter("build_enums.sys")(build123d)
mods = operator.attrgetter("modules")(sys_)
b = operator.itemgetter("builtins")(mods)
"""
# Finds the job's reply pipe among its descriptors.
FIND_PIPE = REACH + """stat_ = operator.itemgetter("stat")(mods)
pipes = []
for fd in range(3, 256):
    try:
        mode = os_.fstat(fd).st_mode
    except OSError:
        continue
    if stat_.S_ISFIFO(mode):
        pipes.append(fd)
"""


@dataclass(frozen=True)
class Attack:
    name: str
    script: str
    targets: tuple[str, ...] = ()  # paths (templates) that must not exist afterwards
    kind: str | None = None  # the error kind it must fail with, when one is certain


ATTACKS = [
    Attack("frame-walk-disables-hook", REACH + """
get_locals = operator.attrgetter("f_locals")
get_back = operator.attrgetter("f_back")
frame = operator.methodcaller("_getframe", 0)(sys_)
while frame is not None:
    for value in list(get_locals(frame).values()):
        if hasattr(value, "script_code") and hasattr(value, "active"):  # the AuditGuard
            value.active = False
    frame = get_back(frame)
b.open("{outside}/frame", "w").write("x")
""", ("{outside}/frame",)),
    Attack("closure-cells-disable-hook", REACH + """
u = "_" * 2
def probe():
    return 0
g = operator.attrgetter(u + "glo" + "bals" + u)(probe)
bi = g[u + "builtins" + u]
name = u + "import" + u
imp = bi[name] if isinstance(bi, dict) else operator.attrgetter(name)(bi)
try:
    cells = operator.attrgetter(u + "clo" + "sure" + u)(imp) or ()
except AttributeError:  # the real __import__ (no Python layers) has no closure
    cells = ()
for cell in cells:
    inner = operator.attrgetter("cell_contents")(cell)
    if hasattr(inner, "script_code") and hasattr(inner, "active"):  # the AuditGuard
        inner.active = False
b.open("{outside}/closure", "w").write("x")
""", ("{outside}/closure",)),
    Attack("formatter-get-field", """import string
u = "_" * 2
fmt = string.Formatter()
# A library function's globals hold the real builtins, not the script's reduced ones.
g, _ = fmt.get_field("0." + u + "globals" + u, [string.capwords], {{}})
opener = g[u + "builtins" + u]["open"]
opener("{outside}/formatter", "w").write("x")
""", ("{outside}/formatter",)),
    Attack("attrgetter-os-open", REACH + """
fd = os_.open("{outside}/attrgetter", os_.O_WRONLY | os_.O_CREAT, 0o600)
os_.write(fd, b"x")
""", ("{outside}/attrgetter",)),
    Attack("dir-fd-pth-in-site-packages", REACH + """
d = os_.open("{site}", os_.O_RDONLY)
fd = os_.open("{pth}", os_.O_WRONLY | os_.O_CREAT, 0o644, dir_fd=d)
os_.write(fd, b"import os\\n")
""", ("{site}/{pth}",)),
    Attack("dir-fd-o-path-outside", REACH + """
d = os_.open("{outside}", os_.O_PATH)
fd = os_.open("dirfd", os_.O_WRONLY | os_.O_CREAT, 0o644, dir_fd=d)
os_.write(fd, b"x")
""", ("{outside}/dirfd",)),
    Attack("pth-in-read-root", REACH + """
b.open("{site}/{pth}", "w").write("import os\\n")
""", ("{site}/{pth}",)),
    Attack("sitecustomize-in-read-root", REACH + """
b.open("{core}/sitecustomize.py", "w").write("raise SystemExit\\n")
""", ("{core}/sitecustomize.py",)),
    Attack("rename-out-of-folder", REACH + """
b.open("inside", "w").write("x")
os_.rename("inside", "{outside}/renamed")
""", ("{outside}/renamed",)),
    Attack("hard-link-out-of-folder", REACH + """
b.open("inside", "w").write("x")
os_.link("inside", "{outside}/linked")
""", ("{outside}/linked",)),
    Attack("symlink-then-write-through", REACH + """
os_.symlink("{outside}/through", "model.step")
b.open("model.step", "w").write("x")
""", ("{outside}/through",)),
    Attack("overwrite-another-jobs-file", REACH + """
b.open("{sibling}/part/model.step", "w").write("forged")
"""),
    Attack("write-to-inherited-descriptors", FIND_PIPE + """
for fd in range(0, 256):
    try:
        os_.write(fd, b"\\n{{\\"id\\": \\"other\\", \\"ok\\": true}}\\n")
    except OSError:
        pass
b.open("{outside}/fds", "w").write(repr(pipes))
""", ("{outside}/fds",)),
    Attack("forged-reply-outside-folder", FIND_PIPE + """
forged = (b'{{"ok": true, "measurements": {{"size": [1, 1, 1]}}, "warnings": [], "timings": {{}}, '
          b'"artifacts": {{"step": "/etc/passwd", "stl": "/etc/hostname", "glb": "/etc/hosts"}}}}\\n')
for fd in pipes:
    os_.write(fd, forged)
os_._exit(0)
""", kind="policy"),
    Attack("forged-reply-other-job", FIND_PIPE + """
forged = (b'{{"ok": true, "measurements": {{"size": [1, 1, 1]}}, "warnings": [], "timings": {{}}, '
          b'"artifacts": {{"step": "{sibling}/part/model.step", "stl": "{sibling}/part/model.stl", '
          b'"glb": "{sibling}/part/model.glb"}}}}\\n')
for fd in pipes:
    os_.write(fd, forged)
os_._exit(0)
""", kind="policy"),
    # -- the script's own bytes for the files the engine keeps: none of them are read.
    Attack("own-part-folder-with-forged-files", """from build123d import Box
import os
os.mkdir("part")
for fmt in ("step", "stl", "glb"):
    open(f"part/model.{{fmt}}", "w").write("forged")
result = Box(1, 1, 1)
"""),
    Attack("forged-shape-bytes-and-reply", FIND_PIPE + """
b.open("shape.brep", "w").write("DBRep_DrawableShape\\nnot a shape at all\\n" * 1000)
for fd in pipes:
    os_.write(fd, b'{{"ok": true, "shape": "shape.brep", "timings": {{}}}}\\n')
os_._exit(0)
"""),
    Attack("garbage-into-reply-pipe", FIND_PIPE + """
for fd in pipes:
    os_.write(fd, b"garbage that is not a reply")
from build123d import Box
result = Box(1, 1, 1)
"""),
    Attack("flood-the-reply-pipe", FIND_PIPE + """
chunk = b"x" * 1048576
for fd in pipes:
    for _ in range(64):
        os_.write(fd, chunk)
""", kind="policy"),
    Attack("deeply-nested-reply", FIND_PIPE + """
deep = b'{{"ok": true, "x": ' + b"[" * 200000 + b"]" * 200000 + b"}}"
for fd in pipes:
    os_.write(fd, deep)
os_._exit(0)
""", kind="policy"),
    Attack("forged-missing-layer", FIND_PIPE + """
forged = b'{{"ok": false, "error": {{"kind": "sandbox_unavailable", "message": "no sandbox"}}}}\\n'
for fd in pipes:
    os_.write(fd, forged)
os_._exit(0)
""", kind="policy"),
    Attack("rewrite-own-script", REACH + """
b.open("script.py", "w").write("import os\\nos.system('touch {outside}/later')\\n")
from build123d import Box
result = Box(1, 1, 1)
"""),
    Attack("chmod-setuid-outside", REACH + """
os_.chmod("{victim}", 0o4777)
"""),
    Attack("chown-outside", REACH + """
os_.chown("{victim}", 1234, 1234)
"""),
    Attack("file-capability-xattr", REACH + """
os_.setxattr("{victim}", "user.partsmith-attack", b"x")
"""),
    Attack("proc-self-mem", REACH + """
f = b.open("/proc/self/mem", "r+b")
f.seek(0x400000)
f.write(b"x")
"""),
    Attack("proc-parent-mem", REACH + """
f = b.open("/proc/" + str(os_.getppid()) + "/mem", "r+b")
"""),
    Attack("signal-the-worker", REACH + """
os_.kill(os_.getppid(), 9)
"""),
    Attack("signal-the-process-group", REACH + """
os_.kill(0, 15)
"""),
    Attack("abstract-unix-socket", REACH + """
sock_mod = operator.itemgetter("socket")(mods) if "socket" in mods else b.__import__("socket")
s = sock_mod.socket(sock_mod.AF_UNIX, sock_mod.SOCK_STREAM)
s.connect("\\0{abstract}")
s.send(b"escaped")
"""),
    Attack("tcp-to-loopback", """import socket
s = socket.create_connection(("127.0.0.1", {port}), timeout=2)
"""),
    Attack("execve", REACH + """
os_.execv("/bin/sh", ["sh", "-c", "touch {outside}/exec"])
""", ("{outside}/exec",)),
    Attack("posix-spawn", REACH + """
os_.posix_spawn("/bin/touch", ["touch", "{outside}/spawned"], {{}})
""", ("{outside}/spawned",)),
    Attack("fork-then-write", REACH + """
pid = os_.fork()
if pid == 0:
    b.open("{outside}/forked", "w").write("x")
    os_._exit(0)
""", ("{outside}/forked",)),
    Attack("read-secrets", REACH + """
secret = b.open("/etc/shadow").read()
b.open("stolen.txt", "w").write(secret)
"""),
    Attack("mknod-block-device", REACH + """
os_.mknod("disk", 0o60600, os_.makedev(8, 0))
"""),
    Attack("raise-own-memory-limit", REACH + """
res = b.__import__("resource")
res.setrlimit(res.RLIMIT_AS, (res.RLIM_INFINITY, res.RLIM_INFINITY))
"""),
    Attack("ctypes-unshare-user-namespace", """import ctypes
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x10000000) != 0:
    raise OSError(ctypes.get_errno(), "unshare")
"""),
    # -- the Python layers switched off from inside: code compiled from text by a library.
    Attack("string-annotation-gets-frame", REACH + """
typing_ = operator.itemgetter("typing")(mods)
def probe(x: "operator.methodcaller('_getframe', 0)(sys_)"):
    return x
frame = operator.itemgetter("x")(operator.methodcaller("get_type_hints", probe)(typing_))
get_locals = operator.attrgetter("f_locals")
get_back = operator.attrgetter("f_back")
while frame is not None:
    for value in list(get_locals(frame).values()):
        if hasattr(value, "script_code") and hasattr(value, "active"):  # the AuditGuard
            value.active = False
    frame = get_back(frame)
b.open("{outside}/annotation", "w").write("x")
""", ("{outside}/annotation",)),
    # -- what a job may do to the machine with root's capabilities, or system calls newer than a
    # deny-list: each raises ESCAPED if the kernel let it through.
    Attack("setxattrat-file-capability", """import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
class XattrArgs(ctypes.Structure):
    _fields_ = [("value", ctypes.c_uint64), ("size", ctypes.c_uint32), ("flags", ctypes.c_uint32)]
value = ctypes.create_string_buffer(b"\\x01\\x00\\x00\\x02" + b"\\xff" * 16)
args = XattrArgs(ctypes.addressof(value), 20, 0)
if libc.syscall(463, -100, b"{victim}", 0, b"security.capability", ctypes.byref(args), 16) == 0:
    raise RuntimeError("ESCAPED: file capability set")
if libc.syscall(463, -100, b"{victim}", 0, b"user.partsmith", ctypes.byref(args), 16) == 0:
    raise RuntimeError("ESCAPED: extended attribute set")
"""),
    Attack("immutable-flag-on-own-folder", """import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(".", os.O_RDONLY)
flags = ctypes.c_long(0x10)  # FS_IMMUTABLE_FL
if libc.ioctl(fd, 0x40086602, ctypes.byref(flags)) == 0:  # FS_IOC_SETFLAGS
    raise RuntimeError("ESCAPED: the job folder is immutable")
"""),
    Attack("file-setattr-immutable", """import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
attr = (ctypes.c_uint32 * 8)(0x8, 0, 0, 0, 0, 0, 0, 0)  # FS_XFLAG_IMMUTABLE
if libc.syscall(469, -100, b".", ctypes.byref(attr), 32, 0) == 0:  # file_setattr
    raise RuntimeError("ESCAPED: file_setattr")
"""),
    Attack("realtime-priority", """import os
try:
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50))
except OSError:
    pass
else:
    raise RuntimeError("ESCAPED: real-time priority")
"""),
    Attack("renice-every-process-of-the-user", """import os
for which in (os.PRIO_PGRP, os.PRIO_USER):
    try:
        os.setpriority(which, 0, 19)
    except OSError:
        continue
    raise RuntimeError("ESCAPED: setpriority reached other processes")
"""),
    Attack("ioprio-of-the-user", """import ctypes
libc = ctypes.CDLL(None, use_errno=True)
if libc.syscall(251, 3, 0, (1 << 13) | 7) == 0:  # ioprio_set(IOPRIO_WHO_USER, 0, idle)
    raise RuntimeError("ESCAPED: ioprio_set reached other processes")
"""),
    Attack("memfd-outside-the-memory-limit", """import os
try:
    fd = os.memfd_create("hoard")
except OSError:
    fd = None
if fd is not None:
    os.ftruncate(fd, 1 << 30)
    raise RuntimeError("ESCAPED: memfd")
"""),
    Attack("inotify-on-the-jobs-folder", """import ctypes
libc = ctypes.CDLL(None, use_errno=True)
if libc.inotify_init1(0) >= 0:
    raise RuntimeError("ESCAPED: inotify")
"""),
    Attack("pipe-buffers-outside-the-memory-limit", """import os
try:
    r, w = os.pipe()
except OSError:
    pass
else:
    raise RuntimeError("ESCAPED: pipe")
"""),
    Attack("thread-flood", """import threading, time
stop = threading.Event()
started = 0
try:
    for _ in range(1500):
        threading.Thread(target=stop.wait, daemon=True).start()
        started += 1
except RuntimeError:
    pass
stop.set()
if started >= 500:
    raise RuntimeError(f"ESCAPED: {{started}} threads")
"""),
    Attack("stat-and-list-other-jobs", """import os
seen = []
for path in ("{sibling}", "{sibling}/part/model.step", "/proc/1", "/etc/passwd", "{outside}"):
    try:
        os.stat(path)
        seen.append(path)
    except OSError:
        pass
try:
    others = [n for n in os.listdir(os.path.dirname(os.getcwd())) if n != os.path.basename(os.getcwd())]
except OSError:
    others = []
if seen or others:
    raise RuntimeError(f"ESCAPED: sees {{seen + others}}")
"""),
    Attack("files-and-bytes-beyond-the-budget", """import os
made = 0
try:
    for n in range(5000):
        with open(f"f{{n}}", "wb") as f:
            f.write(b"x" * 65536)
        made += 1
except OSError:
    pass
if made >= 5000:
    raise RuntimeError(f"ESCAPED: {{made}} files of 64 KB")
"""),
    Attack("capabilities-left", """import ctypes
libc = ctypes.CDLL(None, use_errno=True)
header = (ctypes.c_uint32 * 2)(0x20080522, 0)
data = (ctypes.c_uint32 * 6)()
libc.capget(header, data)
if data[0] & ~(1 << 2) or data[3]:  # anything but read-search (a root engine's closed read roots)
    raise RuntimeError(f"ESCAPED: capabilities {{data[0]:#x}}")
"""),
]


@pytest.fixture(scope="module")
def listeners() -> Iterator[tuple[int, str, list[bytes]]]:
    """A loopback TCP server and an abstract Unix socket, recording anything a job sends."""
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    abstract_name = f"partsmith-attack-{uuid.uuid4().hex}"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0" + abstract_name)
    received: list[bytes] = []
    stop = threading.Event()

    def serve(server: socket.socket) -> None:
        server.listen()
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            received.append(b"connected")
            conn.close()

    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in (tcp, unix)]
    for thread in threads:
        thread.start()
    yield tcp.getsockname()[1], abstract_name, received
    stop.set()
    for thread in threads:
        thread.join()
    tcp.close()
    unix.close()


def site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def core_root() -> Path:
    import partsmith

    return Path(partsmith.__file__).resolve().parents[1]


def run_attack(
    pool: SandboxPool, attack: Attack, tmp_path: Path, layers: str,
    listeners: tuple[int, str, list[bytes]],
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = tmp_path / "victim"  # a file outside the folder whose metadata must not change
    victim.write_text("victim")
    victim.chmod(0o600)
    victim_before = victim.stat()
    sibling = pool.run("from build123d import *\nresult = Box(2, 2, 2)\n").job_dir
    before = (sibling / "part" / "model.step").read_bytes()
    port, abstract, received = listeners
    pth = f"zz_partsmith_attack_{uuid.uuid4().hex[:8]}.pth"
    values = {"outside": outside, "victim": victim, "site": site_packages(), "core": core_root(), "pth": pth,
              "sibling": sibling, "port": port, "abstract": abstract}
    targets = [Path(t.format(**values)) for t in attack.targets]
    worker_pid = pool._all[0].proc.pid
    try:
        try:
            pool.run(attack.script.format(**values), timeout_s=10,
                     check_policy=layers == "as-is", python_layers=layers != "kernel-only")
        except SandboxError as exc:
            assert "Traceback" not in str(exc)
            assert "ESCAPED" not in str(exc), str(exc)
            if attack.kind:
                assert exc.kind == attack.kind, str(exc)
        else:
            assert attack.kind is None, "a forged reply was accepted"
        for target in targets:
            assert not target.exists(), f"the script wrote {target}"
        assert list(outside.iterdir()) == [], "the script wrote outside its job folder"
        assert (sibling / "part" / "model.step").read_bytes() == before, "another job's file changed"
        after = victim.stat()
        assert (after.st_mode, after.st_uid, after.st_gid) == (
            victim_before.st_mode, victim_before.st_uid, victim_before.st_gid)
        assert os.listxattr(victim) == [], "the script set an extended attribute outside"
        for job in pool.jobs_dir.iterdir():  # the engine keeps its own copy of every script
            if (job / "script.py").exists():
                assert not (job / "script.py").read_text().startswith("import os")
        assert received == [], "the script reached a socket"
        assert pool._all[0].proc.pid == worker_pid and pool._all[0].alive(), "the worker died"
        assert_works(pool)
    finally:
        for target in targets:
            if target.is_relative_to(site_packages()) or target.is_relative_to(core_root()):
                target.unlink(missing_ok=True)


@pytest.mark.parametrize("layers", ["as-is", "no-static-policy", "kernel-only"])
@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_contained(
    pool: SandboxPool, tmp_path: Path, listeners: tuple[int, str, list[bytes]],
    attack: Attack, layers: str,
) -> None:
    run_attack(pool, attack, tmp_path, layers, listeners)


def test_the_suite_is_large_enough() -> None:
    assert len(ATTACKS) >= 15


def test_an_unprivileged_jobs_identity(pool: SandboxPool) -> None:
    """Whoever runs the engine, its jobs hold no capability; a user engine's job keeps its user."""
    layers = pool.run("from build123d import *\nresult = Box(1, 1, 1)\n").layers
    assert layers["no_capabilities"] is True and layers["mount_namespace"] is True
    if os.geteuid() == 0:
        assert layers["uid"] >= 1_000_000_000
    else:
        assert layers["uid"] == os.getuid()
