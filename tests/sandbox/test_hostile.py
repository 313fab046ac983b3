"""Hostile scripts: each is contained with the right error, nothing lands outside the job folder,
and the pool keeps serving.

Cases marked `runtime` run with the static policy switched off, so the runtime layers (guarded
import, audit hook, limits, namespace) are tested on their own; they reach the interpreter
through module attributes that really exist (`build123d.text.os`, `build123d.build_enums.sys`).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith.errors import SandboxError
from partsmith.sandbox import SandboxPool

from .conftest import assert_works

OS = "import build123d\nos = build123d.text.os\n"
SYS = "import build123d\nsys = build123d.build_enums.sys\n"

# (id, script, expected error kind, static policy on)
CASES: list[tuple[str, str, str, bool]] = [
    ("os-system", "import os\nos.system('touch {outside}')", "policy", True),
    ("subprocess", "import subprocess\nsubprocess.run(['touch', '{outside}'])", "policy", True),
    ("open-write", "open('{outside}', 'w').write('x')", "policy", True),
    ("open-read", "print(open('/etc/passwd').read())", "policy", True),
    ("dunder-import", "__import__('os').system('touch {outside}')", "policy", True),
    ("subclasses", "for c in ().__class__.__base__.__subclasses__():\n    pass", "policy", True),
    ("getattr-concat", "g = getattr(lambda: 0, '__glo' + 'bals__')", "policy", True),
    ("exec", "exec('import os')", "policy", True),
    ("eval", "eval('1 + 1')", "policy", True),
    ("module-hop", SYS + "b = sys.modules['builtins']", "policy", True),
    ("socket", "import socket\nsocket.create_connection(('127.0.0.1', {port}))", "policy", True),
    ("ctypes", "import ctypes\nctypes.CDLL(None)", "policy", True),
    ("fork-bomb", "import os\nwhile True:\n    os.fork()", "policy", True),
    ("threads", "import threading\nthreading.Thread(target=print).start()", "policy", True),
    ("pathlib-home", "from pathlib import Path\nlist(Path('{home}').iterdir())", "policy", True),
    ("frame-walk", "def f():\n    yield\ng = f()\nx = g.gi_frame.f_back", "policy", True),
    ("rt-os-system", OS + "os.system('touch {outside}')", "policy", False),
    ("rt-write-outside", OS + "os.open('{outside}', os.O_CREAT | os.O_WRONLY)", "policy", False),
    ("rt-read-home", OS + "os.listdir('{home}')", "policy", False),
    ("rt-read-passwd", SYS + "sys.modules['builtins'].open('/etc/passwd').read()", "policy", False),
    ("rt-symlink-out", OS + "os.symlink('/etc/passwd', 'link')\nsys = build123d.build_enums.sys\n"
     "sys.modules['builtins'].open('link').read()", "policy", False),
    ("rt-fork", OS + "os.fork()", "policy", False),
    ("rt-kill-parent", OS + "os.kill(os.getppid(), 9)", "policy", False),
    ("rt-ctypes", "import build123d\nc = build123d.mesher.ctypes\nc.CDLL(None).system(b'touch {outside}')",
     "policy", False),
    ("rt-socket", SYS + "s = sys.modules['socket'].create_connection(('127.0.0.1', {port}))", "policy", False),
    ("rt-subprocess", SYS + "m = sys.modules['builtins']\nm.print(1)\n"
     "import build123d as b\nb.text.os.posix_spawn('/bin/touch', ['touch', '{outside}'], {{}})", "policy", False),
    ("rt-exec", SYS + "sys.modules['builtins'].exec('x = 1')", "policy", False),
    ("rt-code-object", SYS + "def f():\n    pass\ng = sys.modules['builtins'].getattr(f, '__code__')", "policy", False),
    ("rt-import-os", "import os", "policy", False),
    ("rt-swallowed", OS + "try:\n    os.system('touch {outside}')\nexcept Exception:\n    pass\n"
     "from build123d import Box\nresult = Box(1, 1, 1)", "policy", False),
    ("rt-env-secret", OS + "k = os.environ.get('PARTSMITH_TEST_SECRET')\nassert k is None, k\n"
     "from build123d import Box\nresult = Box(1, 1, 1)", "ok", False),
    ("infinite-loop", "while True:\n    pass", "timeout", True),
    ("ignore-sigxcpu", SYS + "sig = sys.modules['signal']\nsig.signal(sig.SIGXCPU, sig.SIG_IGN)\n"
     "while True:\n    pass", "timeout", False),
    ("memory-bomb", "x = bytearray(20 * 1024 ** 3)", "memory", True),
    ("list-bomb", "x = [1] * (4 * 10 ** 9)", "memory", True),
    ("deep-recursion", "def f(n):\n    return f(n + 1)\nf(0)", "script", True),
    ("system-exit", "raise SystemExit(0)", "script", True),
    ("output-flood", "while True:\n    print('x' * 100000)", "policy", True),
    ("disk-fill", SYS + "f = sys.modules['builtins'].open('big.bin', 'wb')\nwhile True:\n"
     "    f.write(b'0' * 1048576)", "policy", False),
    ("occt-crash", SYS + "m = sys.modules\n"
     "m['OCP.BRep'].BRep_Tool.Surface_s(m['OCP.TopoDS'].TopoDS_Face())", "crash", False),
]


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback TCP server that records anything a job manages to send it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            received.append(b"connected")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize(("name", "script", "kind", "policy"), CASES, ids=[c[0] for c in CASES])
def test_hostile_script_is_contained(
    pool: SandboxPool, tmp_path: Path, listener: tuple[int, list[bytes]],
    monkeypatch: pytest.MonkeyPatch, name: str, script: str, kind: str, policy: bool,
) -> None:
    monkeypatch.setenv("PARTSMITH_TEST_SECRET", "s3cret")
    outside = tmp_path / "outside" / "pwned"
    outside.parent.mkdir()
    port, received = listener
    source = script.format(outside=outside, home=Path.home(), port=port)
    if kind == "ok":
        pool.run(source, check_policy=policy, timeout_s=10)
    else:
        with pytest.raises(SandboxError) as info:
            pool.run(source, check_policy=policy, timeout_s=4)
        assert info.value.kind == kind, str(info.value)
        assert "Traceback" not in str(info.value)
    assert not outside.exists(), "the script wrote outside its job folder"
    assert list(outside.parent.iterdir()) == []
    assert received == [], "the script reached a socket"
    assert_works(pool)


def test_suite_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
